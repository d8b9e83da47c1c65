from __future__ import annotations

from django.urls import path

from dashboard.health import activity_views, backlog_views, diversity_views

app_name = "health"
urlpatterns = [
    path("teams/<slug:team>/open-reviews/", backlog_views.open_reviews_page, name="open-reviews"),
    path("teams/<slug:team>/trends/", backlog_views.trends_page, name="trends"),
    path("teams/<slug:team>/stale/", backlog_views.stale_page, name="stale"),
    path("teams/<slug:team>/stale/policy/", backlog_views.stale_policy_edit, name="stale-policy"),
    path("teams/<slug:team>/stale/abandon/", backlog_views.abandon_confirm, name="abandon"),
    path("teams/<slug:team>/reviewers/", activity_views.reviewers, name="reviewers"),
    path("teams/<slug:team>/reviewers.csv", activity_views.reviewers_csv, name="reviewers-csv"),
    path("teams/<slug:team>/reviewers.json", activity_views.reviewers_json, name="reviewers-json"),
    path("teams/<slug:team>/core/", activity_views.core_team, name="core-team"),
    path(
        "teams/<slug:team>/core/thresholds/", activity_views.set_thresholds, name="set-thresholds"
    ),
    path(
        "teams/<slug:team>/core/<int:account_id>/bandwidth/",
        activity_views.declare_bandwidth,
        name="declare-bandwidth",
    ),
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
