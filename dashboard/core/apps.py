from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dashboard.core"
    label = "core"
    verbose_name = "Tiller core"

    def ready(self) -> None:
        from dashboard.core import checks  # noqa: F401  (registers system checks)
