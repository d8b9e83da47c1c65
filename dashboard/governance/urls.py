from __future__ import annotations

from django.urls import path

from dashboard.governance import spec_views

app_name = "governance"
urlpatterns: list = [
    path("teams/<slug:team>/specs/", spec_views.spec_list, name="specs"),
    path(
        "teams/<slug:team>/specs/untargeted/", spec_views.spec_untargeted, name="specs-untargeted"
    ),
    path(
        "teams/<slug:team>/specs/turnaround/", spec_views.spec_turnaround, name="specs-turnaround"
    ),
    path(
        "teams/<slug:team>/specs/<str:deliverable>/<str:slug>/",
        spec_views.spec_detail,
        name="spec",
    ),
]
