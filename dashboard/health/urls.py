from __future__ import annotations

from django.urls import path

from dashboard.health import backlog_views

app_name = "health"
urlpatterns: list = [
    path("teams/<slug:team>/open-reviews/", backlog_views.open_reviews_page, name="open-reviews"),
    path("teams/<slug:team>/trends/", backlog_views.trends_page, name="trends"),
    path("teams/<slug:team>/stale/", backlog_views.stale_page, name="stale"),
    path("teams/<slug:team>/stale/policy/", backlog_views.stale_policy_edit, name="stale-policy"),
    path("teams/<slug:team>/stale/abandon/", backlog_views.abandon_confirm, name="abandon"),
]
