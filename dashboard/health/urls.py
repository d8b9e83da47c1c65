from __future__ import annotations

from django.urls import path

from dashboard.health import diversity_views

app_name = "health"
urlpatterns: list = [
    path("teams/<slug:team>/diversity/", diversity_views.diversity, name="diversity"),
    path("teams/<slug:team>/affiliations/", diversity_views.affiliations, name="affiliations"),
    path(
        "teams/<slug:team>/affiliations/<int:account_id>/add/",
        diversity_views.affiliation_add,
        name="affiliation-add",
    ),
    path(
        "teams/<slug:team>/affiliations/stretches/<int:pk>/",
        diversity_views.affiliation_change,
        name="affiliation-change",
    ),
]
