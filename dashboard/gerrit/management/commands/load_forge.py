"""manage.py load_forge: an OpenDev-sized slice of many teams, bulk-loaded for page benchmarks.

The slice is the simulator's forge (``simulator.forge``): teams on one Gerrit server with
their own repositories and core groups and one shared pool of people. It goes straight
into the configured database (``gerrit.bulkload.load_forge``: the store's rows, no HTTP,
no JSON round trip through a server), which must not hold the forge's server yet. Each
team's first sync is recorded as done at the forge's clock (``--end``), so serving the same
forge (``python -m dashboard.gerrit.simulator --forge`` with the same sizes and ``--end``)
and pointing the server's URL at it (``--gerrit-url``) makes the next ``sync_gerrit``
incremental. Peak
memory is ``ru_maxrss`` of this process and, separately, of the largest worker process.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.gerrit.bulkload import FORGE_URL, ForgeLoadError, load_forge
from dashboard.gerrit.simulator.forge import (
    DEFAULT_ACCOUNTS,
    DEFAULT_CHANGES,
    DEFAULT_REPOSITORIES,
    DEFAULT_TEAMS,
    Forge,
)
from dashboard.gerrit.simulator.generator import DEFAULT_END, DEFAULT_SHAPE, SHAPES


class Command(BaseCommand):
    help = (
        "Generate a Gerrit server of many teams sharing one pool of accounts (default: "
        "50 teams, 500 repositories, 300,000 changes, 5,000 accounts) and bulk-load it into "
        "the configured database for page benchmarks; prints changes/s and peak memory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--teams", type=int, default=DEFAULT_TEAMS)
        parser.add_argument("--repositories", type=int, default=DEFAULT_REPOSITORIES)
        parser.add_argument("--changes", type=int, default=DEFAULT_CHANGES)
        parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--shape", choices=tuple(SHAPES), default=DEFAULT_SHAPE)
        parser.add_argument(
            "--page-size", type=int, default=1000, help="changes per transaction (default 1000)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes rendering changes while this one stores them (0: render here)",
        )
        parser.add_argument(
            "--gerrit-url", default=FORGE_URL, help="the server the teams are created on"
        )
        parser.add_argument(
            "--end",
            type=parse_end,
            default=DEFAULT_END,
            help=(
                "end of the history and the forge's clock: ISO date/time (UTC if no zone) or "
                "'now' (to the second); default "
                f"{DEFAULT_END:%Y-%m-%d %H:%M}. Serve the forge with the same --end to sync "
                "it incrementally"
            ),
        )
        parser.add_argument("--json", action="store_true", help="print only the JSON report")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["page_size"] < 1 or options["workers"] < 0:
            raise CommandError("--page-size must be at least 1 and --workers at least 0")
        started = time.perf_counter()
        try:
            forge = Forge(
                seed=options["seed"],
                teams=options["teams"],
                repositories=options["repositories"],
                changes=options["changes"],
                accounts=options["accounts"],
                shape=options["shape"],
                end=options["end"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        built = time.perf_counter()
        quiet = options["json"]
        last_page: list[float] = [built]

        def progress(done: int, total: int) -> None:
            last_page[0] = time.perf_counter()
            if not quiet:
                rate = done / max(last_page[0] - built, 1e-9)
                peak = _peak_mb(resource.RUSAGE_SELF)
                sys.stderr.write(f"\r  {done:,}/{total:,} changes, {rate:,.0f}/s, peak {peak} MB ")
                sys.stderr.flush()

        try:
            loaded = load_forge(
                forge=forge,
                gerrit_url=options["gerrit_url"],
                page_size=options["page_size"],
                workers=options["workers"],
                progress=progress,
            )
        except ForgeLoadError as exc:
            raise CommandError(str(exc)) from None
        finished = time.perf_counter()
        if not quiet:
            sys.stderr.write("\n")
        seconds = finished - built
        report = {
            "teams": loaded.teams,
            "repositories": loaded.repositories,
            "accounts": options["accounts"],
            "changes": loaded.changes,
            "votes": loaded.votes,
            "messages": loaded.messages,
            "shape": options["shape"],
            "end": options["end"].isoformat(),
            "workers": options["workers"],
            "page_size": options["page_size"],
            "generate_setup_seconds": round(built - started, 1),
            "pages_seconds": round(last_page[0] - built, 1),
            "reviews_and_cores_seconds": round(finished - last_page[0], 1),
            "load_seconds": round(seconds, 1),
            "changes_per_second": round(loaded.changes / seconds) if seconds else None,
            "peak_rss_mb": _peak_mb(resource.RUSAGE_SELF),
            "peak_worker_rss_mb": _peak_mb(resource.RUSAGE_CHILDREN),
        }
        if not quiet:
            self.stdout.write(
                f"Loaded {loaded.changes:,} changes ({loaded.votes:,} vote events) of "
                f"{loaded.teams} teams in {seconds:.1f} s: {report['changes_per_second']:,} "
                f"changes/s, peak memory {report['peak_rss_mb']} MB "
                f"(workers {report['peak_worker_rss_mb']} MB)."
            )
        self.stdout.write(json.dumps(report))


def parse_end(value: str) -> datetime:
    """``now`` (this second, UTC) or an ISO date/time; times without a zone are UTC."""
    if value == "now":
        return datetime.now(UTC).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--end takes 'now' or a date/time like 2017-08-30T12:00, not {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _peak_mb(who: int) -> float:
    """Peak resident memory in MB (``ru_maxrss`` is in kilobytes on Linux)."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)
