"""Injected failures and the request log, so clients can be tested against a bad day.

A fault applies to the next ``count`` requests whose path (without a leading ``/a``)
starts with ``path_prefix``; several faults queue up in the order they were added. The
kinds cover what a Gerrit client meets in production (facts §1.3, §4.3):

``error``      status 500/502/503 with a plain-text body;
``rate_limit`` 429 with ``Retry-After``;
``slow``       the normal answer after ``delay`` seconds (to trip client timeouts);
``truncate``   status 200 and the XSSI prefix, but the JSON cut in the middle;
``html``       status 200 with an HTML page instead of JSON (a proxy's login page);
``reset``      the connection is closed without an answer;
``paging``     the normal answer, after which rows of the same query are updated so that
               offset paging repeats or misses rows (see ``Simulator.disturb_paging``).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

KINDS = ("error", "rate_limit", "slow", "truncate", "html", "reset", "paging")
_REASONS = {500: "Internal server error", 502: "Bad Gateway", 503: "Service Unavailable"}


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    count: int = 1
    path_prefix: str = ""
    status: int = 503  # error
    message: str = ""  # error; defaults to the status's reason phrase
    retry_after: int = 1  # rate_limit, in seconds
    delay: float = 2.0  # slow, in seconds
    seen: int = 1  # paging: rows of the served page to update
    unseen: int = 1  # paging: rows after the page to update
    close_seen: int = 0  # paging: open rows of the page to abandon

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")
        if self.count < 1:
            raise ValueError("count must be at least 1")
        if self.kind == "error" and self.status not in _REASONS:
            raise ValueError(f"error faults use status 500, 502 or 503, not {self.status}")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """Build a fault from the control endpoint's JSON, rejecting unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields {sorted(unknown)}")
        return cls(**data)

    @property
    def text(self) -> str:
        return self.message or _REASONS[self.status]

    def as_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class FaultPlan:
    """Faults waiting for requests, consumed one use at a time (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[list[Any]] = []  # [fault, uses left]

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._queue.append([fault, fault.count])

    def take(self, path: str) -> Fault | None:
        """The fault for a request to ``path``, if any, using one of its uses up."""
        path = path[2:] if path.startswith("/a/") else path
        with self._lock:
            for slot in self._queue:
                fault = slot[0]
                if path.startswith(fault.path_prefix):
                    slot[1] -= 1
                    if slot[1] == 0:
                        self._queue.remove(slot)
                    return fault
        return None

    def pending(self) -> list[tuple[Fault, int]]:
        with self._lock:
            return [(fault, left) for fault, left in self._queue]

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    target: str  # path and query string, as sent
    status: int | None  # None when the connection was reset

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]


class RequestLog:
    """Every request the server answered (control requests excepted), in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def record(self, method: str, target: str, status: int | None) -> None:
        with self._lock:
            self._entries.append(LoggedRequest(method, target, status))

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def counts(self) -> Counter[str]:
        """Requests per path, query strings left out."""
        return Counter(entry.path for entry in self.entries())

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
