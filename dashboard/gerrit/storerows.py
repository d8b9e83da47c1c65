"""Database values and rows of one page of changes, built for speed.

The store (``gerrit.store``) turns a page of ChangeInfo into some 25 rows a change;
converting Gerrit's timestamps and inserting those rows were most of a full sync's
cost, so both live here: timestamps are converted once per distinct value, and rows are
plain tuples in database form, inserted with one ``executemany`` per table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection, models

from dashboard.gerrit.client import parse_timestamp
from dashboard.gerrit.models import Approval, ChangeFile, Message, PatchSet, Reviewer, Vote


def _database_datetime() -> Callable[[datetime], Any]:
    """How this database takes a UTC datetime in raw SQL.

    Django's own adapter converts through the time zone machinery on every call; our
    values are always UTC, so SQLite's text form is just the naive ISO string.
    """
    if connection.vendor == "sqlite":
        return lambda moment: moment.replace(tzinfo=None).isoformat(" ")
    return connection.ops.adapt_datetimefield_value


def sqlite_text(stamp: str) -> str | None:
    """SQLite's form of a Gerrit timestamp text that ``parse_timestamp`` accepted, cut
    from the text itself (``yyyy-MM-dd HH:mm:ss[.fffffffff]``); None for any other form.

    The same string as ``str()`` of the naive datetime, which is what Django stores: the
    seconds, then the microseconds only when they are not all zero.
    """
    if len(stamp) < 19 or stamp[10] != " " or (len(stamp) > 19 and stamp[19] != "."):
        return None
    fraction = stamp[20:26]
    if not fraction.strip("0"):
        return stamp[:19]
    return f"{stamp[:19]}.{fraction:0<6}"


class PageTimes:
    """Gerrit's timestamps for one page, each converted once.

    A page holds some 300,000 timestamps and many repeat (a vote's label date is its
    message's, a patch set's creation its upload message's); converting is most of what
    they cost, so each distinct text, and each distinct datetime, is adapted once. On
    SQLite the database form is cut from the text (datetime arithmetic is slow in
    CPython: ``replace`` and ``isoformat`` cost ten times a parse).
    """

    def __init__(self) -> None:
        self._adapt = _database_datetime()
        self._sqlite = connection.vendor == "sqlite"
        self._database: dict[str, Any] = {}
        self._moments: dict[str, datetime] = {}
        self._by_moment: dict[datetime, Any] = {}

    def moment(self, stamp: str) -> datetime:
        """The aware datetime of a Gerrit timestamp text."""
        moment = self._moments.get(stamp)
        if moment is None:
            moment = self._moments[stamp] = parse_timestamp(stamp)
        return moment

    def database(self, stamp: str) -> Any:
        """The database value of a Gerrit timestamp text."""
        value = self._database.get(stamp)
        if value is None:
            value = self._convert(stamp, parse_timestamp(stamp))
        return value

    def both(self, stamp: str) -> tuple[datetime, Any]:
        """The aware datetime and the database value of a Gerrit timestamp text."""
        moment = self._moments[stamp] = parse_timestamp(stamp)
        value = self._database.get(stamp)
        if value is None:
            value = self._convert(stamp, moment)
        return moment, value

    def when(self, moment: datetime) -> Any:
        """The database value of an aware datetime."""
        value = self._by_moment.get(moment)
        if value is None:
            value = self._by_moment[moment] = self._adapt(moment)
        return value

    def _convert(self, stamp: str, moment: datetime) -> Any:
        value = (self._sqlite and sqlite_text(stamp)) or self._adapt(moment)
        self._database[stamp] = self._by_moment[moment] = value
        return value


class PageRows:
    """Child rows of one page as plain tuples, inserted with one ``executemany`` per table.

    Model instances and ``bulk_create`` cost about four times as much per row, and a page
    of 250 changes carries some 15,000 rows; tuples are what keep a full sync above a
    thousand changes a second. Values are already in database form (datetimes adapted).
    """

    TABLES: tuple[tuple[type[models.Model], str, tuple[str, ...]], ...] = (
        (
            PatchSet,
            "patch_sets",
            ("change", "repository", "number", "revision", "uploader", "created", "kind"),
        ),
        (
            Message,
            "messages",
            ("change", "gerrit_id", "author", "date", "patch_set", "text", "tag"),
        ),
        (
            Vote,
            "votes",
            (
                "change",
                "repository",
                "patch_set",
                "label",
                "value",
                "account",
                "granted",
                "removal",
                "is_bot",
                "source",
                "removed_by",
            ),
        ),
        (Approval, "approvals", ("change", "label", "account", "value", "granted", "tag")),
        (Reviewer, "reviewers", ("change", "account", "state")),
        (ChangeFile, "files", ("change", "path")),
    )

    def __init__(self) -> None:
        self.patch_sets: list[tuple[Any, ...]] = []
        self.messages: list[tuple[Any, ...]] = []
        self.votes: list[tuple[Any, ...]] = []
        self.approvals: list[tuple[Any, ...]] = []
        self.reviewers: list[tuple[Any, ...]] = []
        self.files: list[tuple[Any, ...]] = []

    def insert(self) -> None:
        """Every row, one statement per table: ``executemany`` on SQLite (in-process, so a
        statement per row is cheap), ``COPY … FROM STDIN`` on PostgreSQL, where even a
        pipelined ``executemany`` cost the server a statement per row (about 100 µs a row,
        measured; most of a PostgreSQL sync's time)."""
        quote = connection.ops.quote_name
        copy = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            for model, attribute, fields in self.TABLES:
                rows = getattr(self, attribute)
                if not rows:
                    continue
                meta = model._meta
                table = quote(meta.db_table)
                columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
                if copy:
                    # psycopg's own cursor: Django's wrapper has no copy().
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
                        for row in rows:
                            stream.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(fields))
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
