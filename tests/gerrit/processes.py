"""Child processes that share the test database, for what must hold across processes
(task workers, the per-team lock, the per-server request rate).

The test database is visible to another process only once committed, so tests using this
need ``transactional_db``. On PostgreSQL the children connect to the test database itself;
SQLite's test database lives in this process's memory, so it is copied to a file for the
children and copied back afterwards, which lets the test read what they wrote with the ORM.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from dashboard.gerrit.simulator import SimulatorServer

# How long children get to import Django before they start together (see start_at).
STARTUP_SECONDS = 3.0


@contextmanager
def shared_database(tmp_path: Path) -> Iterator[str]:
    """A ``DATABASE_URL`` for child processes: they see what this test committed, and this
    test sees what they wrote once the block ends."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
        yield (
            f"postgres://{quote(s['USER'] or '', safe='')}{password}@{s['HOST'] or '127.0.0.1'}"
            f":{s['PORT'] or 5432}/{s['NAME']}"
        )
        return
    path = tmp_path / "shared.sqlite3"
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
        # The copy keeps the in-memory database's journal; every child's connection asks
        # for WAL (the settings' init_command), and children converting the file at once
        # failed with "database is locked". WAL is a property of the file: set it once here.
        copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    try:
        yield f"sqlite:///{path}"
    finally:
        with sqlite3.connect(path) as written:
            written.backup(connection.connection)
        written.close()


def start_at() -> float:
    """A moment (``time.time()``) a little ahead, for children to act at together."""
    return time.time() + STARTUP_SECONDS


def spawn(database_url: str, args: Sequence[str]) -> subprocess.Popen[str]:
    """``python ARGS`` in the project folder with the test's settings and ``database_url``."""
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="dashboard.settings")
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_python(database_url: str, code: str, args_per_child: Sequence[Sequence[object]]) -> list:
    """Run ``code`` (after ``django.setup()``; it reads ``sys.argv[1:]`` and prints one JSON
    value) in one child per argument list, all at once; their answers, in order."""
    script = "import django\ndjango.setup()\n" + code
    children = [spawn(database_url, ["-c", script, *map(str, args)]) for args in args_per_child]
    return [json.loads(finish(child)) for child in children]


def finish(child: subprocess.Popen[str], timeout: float = 180) -> str:
    """Wait for a child; its standard output, or a failure showing its standard error."""
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        raise AssertionError(f"child {child.args[1:3]} timed out:\n{err[-3000:]}") from None
    assert child.returncode == 0, f"child failed ({child.returncode}):\n{err[-3000:]}"
    return out


def record_arrivals(server: SimulatorServer) -> list[float]:
    """Make a running simulator note when (``time.time()``) it logs each request; the list
    it fills. Logging happens after the answer is ready, so each time is at or after the
    request's arrival."""
    arrivals: list[float] = []
    log = server.requests
    original = log.record

    def record(method: str, target: str, status: int | None) -> None:
        arrivals.append(time.time())
        original(method, target, status)

    log.record = record  # type: ignore[method-assign]
    return arrivals


def assert_never_ahead_of(times: Sequence[float], *, since: float, rate: float) -> None:
    """The k-th earliest of ``times`` is no sooner than ``since + (k - 1) / rate``: counted
    from ``since``, the requests never ran ahead of ``rate`` a second, in any prefix of
    time. (1 ms of slack: SQLite's clock has millisecond steps.)"""
    interval = 1.0 / rate
    for k, moment in enumerate(sorted(times)):
        assert moment >= since + k * interval - 0.001, (
            f"request {k + 1} came {since + k * interval - moment:.4f} s too early"
        )
