from __future__ import annotations

from django.urls import path

from dashboard.health import backlog_views

app_name = "health"
urlpatterns: list = [
    path("teams/<slug:team>/open-reviews/", backlog_views.open_reviews_page, name="open-reviews"),
]
