from __future__ import annotations

from django.urls import path

from dashboard.reports import weekly_views

app_name = "reports"
urlpatterns: list = [
    # Weekly review priorities (issue 6, items 1 and 5).
    path("teams/<slug:team>/weekly/", weekly_views.weekly_current, name="weekly-current"),
    path("teams/<slug:team>/weekly/start/", weekly_views.weekly_start, name="weekly-start"),
    path("teams/<slug:team>/weekly/bump/", weekly_views.weekly_bump, name="weekly-bump"),
    path(
        "teams/<slug:team>/weekly/delegates/",
        weekly_views.weekly_delegate_add,
        name="weekly-delegate-add",
    ),
    path(
        "teams/<slug:team>/weekly/delegates/<int:user_id>/remove/",
        weekly_views.weekly_delegate_remove,
        name="weekly-delegate-remove",
    ),
    path("teams/<slug:team>/weekly/<str:week>/", weekly_views.weekly, name="weekly"),
    path(
        "teams/<slug:team>/weekly/<str:week>/search/",
        weekly_views.weekly_search,
        name="weekly-search",
    ),
    path("teams/<slug:team>/weekly/<str:week>/add/", weekly_views.weekly_add, name="weekly-add"),
    path(
        "teams/<slug:team>/weekly/<str:week>/intro/",
        weekly_views.weekly_intro,
        name="weekly-intro",
    ),
    path(
        "teams/<slug:team>/weekly/<str:week>/carry/",
        weekly_views.weekly_carry,
        name="weekly-carry",
    ),
    path(
        "teams/<slug:team>/weekly/<str:week>/reorder/",
        weekly_views.weekly_reorder,
        name="weekly-reorder",
    ),
    path(
        "teams/<slug:team>/weekly/<str:week>/items/<int:pk>/move/",
        weekly_views.weekly_reorder,
        name="weekly-move",
    ),
    path(
        "teams/<slug:team>/weekly/<str:week>/items/<int:pk>/note/",
        weekly_views.weekly_note,
        name="weekly-note",
    ),
    path(
        "teams/<slug:team>/weekly/<str:week>/items/<int:pk>/remove/",
        weekly_views.weekly_remove,
        name="weekly-remove",
    ),
]
