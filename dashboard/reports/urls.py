from __future__ import annotations

from django.urls import path

from dashboard.reports import focus_views

app_name = "reports"
urlpatterns: list = [
    path("teams/<slug:team>/focus/", focus_views.focus, name="focus"),
    path("teams/<slug:team>/focus/add/", focus_views.focus_add, name="focus-add"),
    path("teams/<slug:team>/focus/<int:pk>/edit/", focus_views.focus_edit, name="focus-edit"),
    path("teams/<slug:team>/focus/<int:pk>/lift/", focus_views.focus_lift, name="focus-lift"),
    path("teams/<slug:team>/focus/<int:pk>/delete/", focus_views.focus_delete, name="focus-delete"),
]
