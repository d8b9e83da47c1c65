"""Shared fixtures: tasks run immediately, the collector unfrozen after each test, and the
path to ../shared/data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    """Enqueued tasks run in-process during tests (DummyBackend where a test says so)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def unfrozen_collector() -> Iterator[None]:
    """The benchmarks' timing loop freezes the process's objects (``core.longlived``); give
    them back to the collector after each test, so garbage of one test never outlives it."""
    yield
    gc.unfreeze()


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``; tests that read it skip, visibly, in a clone without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data not present at {SHARED_DATA}: shared reference data test")
    return SHARED_DATA
