"""System checks for settings that Django's own checks do not cover."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def check_database_engine(app_configs: Any, **kwargs: Any) -> list[Error]:
    engine = settings.DATABASES["default"]["ENGINE"]
    supported = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
    if engine not in supported:
        return [
            Error(
                f"Tiller supports SQLite and PostgreSQL, not {engine}.",
                hint="Set DATABASE_URL to sqlite:///path or postgres://user@host/db.",
                id="tiller.E001",
            )
        ]
    return []
