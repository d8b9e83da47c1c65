"""The locust side of ``manage.py loadtest``: anonymous visitors reading Tiller's pages.

Loaded only by the ``locust`` process that the command starts (never by Django), so it
imports nothing from Tiller. Each simulated user asks for one page at most every
``users / rate`` seconds (``constant_throughput``), so the users together keep a steady rate
as long as a page takes less than that. The pages come from the list the command wrote, one
of each kind in turn (the change pages take turns in their slot), so every kind gets an
equal share even in a short run. A load shape ends the run after ``--tiller-seconds`` of
real time (locust's own ``--run-time`` timer fires early by however long start-up blocked
gevent's loop), and the statistics go to a JSON file.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from locust import FastHttpUser, LoadTestShape, constant_throughput, events, task
from locust.env import Environment

_pages: Any = None


@events.init_command_line_parser.add_listener
def _arguments(parser: Any) -> None:
    parser.add_argument("--tiller-pages", help="JSON list of [name, path] to request in turn")
    parser.add_argument("--tiller-rate", type=float, help="requests a second, all users together")
    parser.add_argument("--tiller-users", type=int, help="simulated visitors")
    parser.add_argument("--tiller-seconds", type=float, help="length of the run")
    parser.add_argument("--tiller-report", help="where to write the JSON statistics")


@events.test_start.add_listener
def _start(environment: Environment, **_: Any) -> None:
    global _pages
    options = environment.parsed_options
    by_kind: dict[str, list[str]] = {}
    for name, path in json.loads(Path(options.tiller_pages).read_text()):
        by_kind.setdefault(name, []).append(path)
    paths = {name: itertools.cycle(kind) for name, kind in by_kind.items()}
    _pages = ((name, next(paths[name])) for name in itertools.cycle(by_kind))
    TillerVisitor.wait_time = constant_throughput(options.tiller_rate / options.tiller_users)


@events.quitting.add_listener
def _report(environment: Environment, **_: Any) -> None:
    stats = environment.stats

    def figures(entry: Any) -> dict[str, Any]:
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            # Locust keeps response times rounded to two significant digits, so a
            # percentile can come out a little above the exact maximum: cap it there.
            "p50_ms": min(entry.get_response_time_percentile(0.5), entry.max_response_time),
            "p95_ms": min(entry.get_response_time_percentile(0.95), entry.max_response_time),
            "max_ms": entry.max_response_time,
        }

    total = stats.total
    report = {
        "total": figures(total)
        | {
            "seconds": total.last_request_timestamp - total.start_time
            if total.last_request_timestamp
            else 0.0,
            "requests_per_second": total.total_rps,
        },
        "pages": {entry.name: figures(entry) for entry in stats.entries.values()},
        "errors": [
            {"page": error.name, "error": str(error.error), "count": error.occurrences}
            for error in stats.errors.values()
        ],
    }
    Path(environment.parsed_options.tiller_report).write_text(json.dumps(report, indent=1))


class TillerVisitor(FastHttpUser):
    """An anonymous visitor; a page that is not 200 is a failure (redirects were resolved
    beforehand, so none is expected)."""

    wait_time = constant_throughput(1)

    @task
    def visit(self) -> None:
        name, path = next(_pages)
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class SteadyLoad(LoadTestShape):
    """All the users at once, for ``--tiller-seconds``, then stop."""

    def tick(self) -> tuple[int, float] | None:
        options = self.runner.environment.parsed_options
        if self.get_run_time() >= options.tiller_seconds:
            return None
        return options.tiller_users, float(options.tiller_users)
