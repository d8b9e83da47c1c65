from __future__ import annotations

from django.apps import AppConfig


class GerritConfig(AppConfig):
    name = "dashboard.gerrit"
    label = "gerrit"
    verbose_name = "Gerrit sync"
