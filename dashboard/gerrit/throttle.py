"""A request rate per Gerrit server, shared by every process and thread that talks to it.

An operator sets ``GerritServer.requests_per_second``; syncs of many teams then run on
several task workers (and web processes abandon changes) without the server seeing more
than that. The processes share nothing but the database, so the rate is kept there: before
each request a client reserves the server's next free *slot* with one atomic statement,

    UPDATE server SET next_request_at = max(next_request_at, now) + 1 / rate
    WHERE id = … AND rate > 0 RETURNING next_request_at - 1 / rate, now

and sleeps until its slot begins. Every reservation, from whatever process, moves the same
row forward by one interval, so the slots handed out are at least ``1 / rate`` apart and a
server that has been idle starts again from now (no banked burst). ``now`` is the
database's clock, so workers on machines whose clocks disagree still space their requests
correctly: each waits ``slot - now`` measured on that one clock.

SQLite (3.35+) and PostgreSQL both have ``UPDATE … RETURNING``; only the scalar maximum and
"now in epoch seconds" differ, hence one small expression per vendor. Django's ``update()``
cannot return the row, so this is raw SQL, tested on both.

Reserve outside transactions: inside one, PostgreSQL keeps the row locked until that
transaction commits, and every other worker's next request waits for it. The sync calls the
client outside its page transactions. On SQLite a reservation is a write, so it also waits for
whichever process is storing a page: rate-limited syncs in parallel belong on PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections

from dashboard.gerrit.models import GerritServer

# (scalar maximum, the current time in seconds since the epoch) per database vendor.
_VENDOR_SQL = {
    # Both are one value per statement, so SET and RETURNING agree on "now". SQLite's is to
    # the millisecond. PostgreSQL's is when the statement began, before any wait for another
    # worker's row lock: a worker then waits a little longer than needed, never less.
    "sqlite": ("max", "((julianday('now') - 2440587.5) * 86400.0)"),
    "postgresql": ("GREATEST", "(EXTRACT(EPOCH FROM statement_timestamp())::double precision)"),
}


@dataclass(frozen=True)
class Slot:
    """A reserved request slot. ``start`` and ``now`` are seconds since the epoch on the
    database's clock: the request may go at ``start``, the reservation was made at ``now``."""

    start: float
    now: float

    @property
    def wait(self) -> float:
        """Seconds to wait before sending (zero when the slot has already begun)."""
        return max(0.0, self.start - self.now)


def reserve_request_slot(*, server_id: int, using: str = DEFAULT_DB_ALIAS) -> Slot | None:
    """Reserve the server's next request slot; None when the server has no rate limit
    (or no longer exists). One statement, committed at once outside a transaction."""
    connection = connections[using]
    try:
        maximum, now = _VENDOR_SQL[connection.vendor]
    except KeyError:
        raise NotSupportedError(
            f"The Gerrit request throttle supports SQLite and PostgreSQL, not {connection.vendor}"
        ) from None
    quote = connection.ops.quote_name
    meta = GerritServer._meta
    table = quote(meta.db_table)
    slot = quote(meta.get_field("next_request_at").column)
    rate = quote(meta.get_field("requests_per_second").column)
    key = quote(meta.pk.column)
    sql = (
        f"UPDATE {table} SET {slot} = {maximum}({slot}, {now}) + 1.0 / {rate} "
        f"WHERE {key} = %s AND {rate} > 0 "
        f"RETURNING {slot} - 1.0 / {rate}, {now}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [server_id])
        row = cursor.fetchone()
    return None if row is None else Slot(start=float(row[0]), now=float(row[1]))


class ServerThrottle:
    """What ``GerritClient(throttle=…)`` calls before every request to one server: reserve
    a slot, sleep until it begins, and return it (None when the limit has been removed).

    Safe to call from any thread: each thread uses its own database connection, so a
    thread that used it should close that connection when done (``connections.close_all()``
    in the thread), as the sync's prefetching thread does.
    """

    def __init__(
        self,
        server_id: int,
        *,
        sleep: Callable[[float], None] = time.sleep,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        self.server_id = server_id
        self.using = using
        self._sleep = sleep

    def __call__(self) -> Slot | None:
        slot = reserve_request_slot(server_id=self.server_id, using=self.using)
        if slot is not None and slot.wait > 0:
            self._sleep(slot.wait)
        return slot


def throttle_for(server: GerritServer) -> ServerThrottle | None:
    """The throttle for a client of ``server``, or None when it has no rate limit (then no
    request touches the database)."""
    return ServerThrottle(server.pk) if server.requests_per_second else None
