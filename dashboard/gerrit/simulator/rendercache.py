"""A bounded LRU of rendered ChangeInfo bytes, so repeated syncs skip regeneration.

Keys are ``(number, version, options)``: a change's overlay only grows, so its version
(the overlay's length, see ``ChangeRow``) changes whenever the change does and a cached
body can never be stale. The bound is in bytes rather than entries because a body with
every option is a hundred times larger than a bare one; the default holds a full-option
copy of a 3,000-change history, while a 50,000-change history simply cycles through it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

DEFAULT_CACHE_BYTES = 48 << 20


class RenderCache:
    """Thread-safe; ``max_bytes`` 0 disables caching."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._size = 0
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes currently held."""
        return self._size

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        if len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._entries[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0
