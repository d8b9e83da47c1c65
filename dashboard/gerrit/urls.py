from __future__ import annotations

from django.urls import path

from dashboard.gerrit import views

app_name = "gerrit"
urlpatterns = [
    path("teams/<slug:team>/", views.team_overview, name="team"),
    path("teams/<slug:team>/changes/", views.change_list, name="changes"),
    path("teams/<slug:team>/changes/<int:number>/", views.change_detail, name="change"),
    path("sync/", views.sync_status, name="sync-status"),
    path("sync/<slug:team>/start/", views.sync_now, name="sync-now"),
    path("sync/runs/<int:run_id>/", views.sync_run, name="sync-run"),
]
