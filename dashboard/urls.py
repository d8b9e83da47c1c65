"""Project URLs: only includes of each app's own urls."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("dashboard.core.urls")),
    path("", include("dashboard.gerrit.urls")),
    path("", include("dashboard.governance.urls")),
    path("", include("dashboard.reviews.urls")),
    path("", include("dashboard.health.urls")),
    path("", include("dashboard.reports.urls")),
]
