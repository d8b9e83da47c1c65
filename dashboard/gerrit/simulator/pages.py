"""Rendered changes for query pages: cached, rendered once across threads, and one page
ahead of the client.

Rendering a change (regenerating its history, replaying it, writing its JSON) is nearly
all the work of a change query, so every rendered change goes into a ``RenderCache``
keyed by ``(number, version, options)``: a repeated sync reads bytes, and since a
change's version moves with every mutation a cached body is never stale.

A client paging through a query reads one page, then asks for the next; meanwhile the
server would sit idle. After serving a page that has a successor, a worker thread renders
the next page into the cache, so the request for it finds most of its rows ready. The
worker only ever fills the cache (what a request returns is always computed from that
request's own rows), so it cannot change any response; it gives up on a page as soon as a
newer one is asked for. A row being rendered by one thread is awaited, not rendered again,
by another.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from .changejson import ChangeWriter, gson_escape
from .query import Query
from .rendercache import RenderCache
from .simulator import ChangeRow, Simulator

_Job = tuple[Query, int, int, frozenset[str]]
_IDLE_SECONDS = 30.0  # an idle worker ends; the next prefetch starts another


class ChangePages:
    """Renders captured rows of one simulator to escaped ChangeInfo bytes.

    ``prefetch`` turns the next-page worker on; it needs the cache (``cache_bytes`` > 0).
    """

    def __init__(self, sim: Simulator, *, cache_bytes: int, prefetch: bool = True) -> None:
        self.sim = sim
        self.writer = ChangeWriter(sim.accounts)
        self.cache = RenderCache(cache_bytes)
        self.prefetching = prefetch and cache_bytes > 0
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._rendering: dict[Hashable, threading.Event] = {}
        self._job: _Job | None = None
        self._worker: threading.Thread | None = None
        self._closed = False

    def render(self, row: ChangeRow, options: frozenset[str]) -> bytes:
        """The change's ChangeInfo as escaped JSON bytes."""
        key = (row.number, row.version, options)
        while True:
            cached = self.cache.get(key)
            if cached is not None:
                return cached
            with self._lock:
                busy = self._rendering.get(key)
                if busy is None:
                    done = self._rendering[key] = threading.Event()
                    break
            busy.wait()  # then read it from the cache (or render it, if it did not fit)
        try:
            snapshot = self.sim.snapshot(row)
            text = self.writer.change(snapshot.spec, snapshot.state, options)
            body = gson_escape(text).encode()
            self.cache.put(key, body)
        finally:
            with self._lock:
                del self._rendering[key]
            done.set()
        return body

    def prefetch(self, query: Query, skip: int, limit: int, options: frozenset[str]) -> None:
        """Render the page at ``skip`` in the background (replacing any queued page)."""
        if not self.prefetching:
            return
        with self._lock:
            if self._closed:
                return
            self._job = (query, skip, limit, options)
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, daemon=True, name="gerrit-simulator-prefetch"
                )
                self._worker.start()
            self._wakeup.notify()

    def close(self) -> None:
        """Stop the worker (it finishes the change it is rendering)."""
        with self._lock:
            self._closed = True
            self._job = None
            self._wakeup.notify()
            worker = self._worker
        if worker is not None:
            worker.join(timeout=5)

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._job is None and not self._closed:
                    self._wakeup.wait(_IDLE_SECONDS)
                if self._closed or self._job is None:
                    self._worker = None
                    return
                job, self._job = self._job, None
            assert job is not None
            query, skip, limit, options = job
            try:
                rows, _ = self.sim.search(query, skip=skip, limit=limit)
                for row in rows:
                    if self._job is not None or self._closed:
                        break  # a newer page is wanted, or the server stops
                    self.render(row, options)
            except Exception:  # the request for that page will meet and report it
                continue
