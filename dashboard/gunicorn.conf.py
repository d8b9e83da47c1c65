"""gunicorn's settings for serving Tiller: ``uv run gunicorn -c dashboard/gunicorn.conf.py``.

Threaded workers (gthread): a page spends much of its time waiting on the database, so a
few threads per process keep the cores busy. Each thread keeps one persistent database
connection (``CONN_MAX_AGE`` in dashboard/settings.py), so the web processes hold at most
``workers * threads`` connections; the README's "Scaling out" section adds up the budget
against PostgreSQL's ``max_connections``. Override any value with gunicorn's own flags or
``GUNICORN_CMD_ARGS``, e.g. ``uv run gunicorn -c dashboard/gunicorn.conf.py --workers 4``.
It lives in dashboard/ because the project's top level is fixed; gunicorn only reads a
``gunicorn.conf.py`` from the working folder by itself.
"""

from __future__ import annotations

from typing import Any

wsgi_app = "dashboard.wsgi:application"
bind = "127.0.0.1:8000"
workers = 2
worker_class = "gthread"
threads = 4
# A page that takes longer than this is a bug to fix; the worker is restarted.
timeout = 60
graceful_timeout = 30


def post_worker_init(worker: Any) -> None:
    """Once a worker has loaded the application: import every view (the URLconf) and
    freeze what is alive then, so full garbage collections skip it (see
    ``core.longlived``)."""
    from django.urls import get_resolver

    from dashboard.core.longlived import freeze_long_lived_objects

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    freeze_long_lived_objects()
