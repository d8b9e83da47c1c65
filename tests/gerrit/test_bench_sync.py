"""bench_sync measures every size of every history shape it is asked for."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
import requests
from django.core.management import call_command
from django.db import connection

from dashboard.core.benchmarks import process_cpu_seconds
from dashboard.gerrit.management.commands import bench_sync
from dashboard.gerrit.simulator import Simulator
from dashboard.gerrit.simulator.process import SimulatorProcess


def test_each_shape_is_measured_at_each_size_and_named_in_the_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    measured: list[tuple[int, str]] = []

    def measure(self: Any, changes: int, shape: str, seed: int, url: str | None) -> dict:
        measured.append((changes, shape))
        return {"changes": changes, "shape": shape}

    monkeypatch.setattr(bench_sync.Command, "_measure", measure)
    out = StringIO()
    call_command("bench_sync", "--changes", "10", "--changes", "20", "--json", stdout=out)
    assert measured == [(10, "reworked"), (20, "reworked"), (10, "glance"), (20, "glance")]
    assert [row["shape"] for row in json.loads(out.getvalue())] == [s for _, s in measured]


def test_the_simulator_process_serves_the_shape_it_is_given() -> None:
    with SimulatorProcess(changes=20, seed=3, shape="reworked") as process:
        response = requests.get(
            f"{process.url}/changes/?q=status:merged OR status:abandoned OR status:open"
            "&o=ALL_REVISIONS&n=100",
            timeout=30,
        )
    served = {c["_number"]: len(c["revisions"]) for c in json.loads(response.text[5:])}
    reworked = Simulator(changes=20, seed=3, shape="reworked")
    assert served == {n: len(reworked.change(n).state.patch_sets) for n in reworked.numbers()}
    glance = Simulator(changes=20, seed=3)
    assert served != {n: len(glance.change(n).state.patch_sets) for n in glance.numbers()}


def test_the_cpu_bound_is_the_busiest_process_or_half_of_all_on_two_cores() -> None:
    assert bench_sync._busiest(1.0, 0.5) == 1.0
    assert bench_sync._busiest(0.6, 0.6, 0.6) == pytest.approx(
        0.9
    )  # three busy processes, two cores
    assert bench_sync._busiest(0.8, None, None) == 0.8  # nothing known of the others


@pytest.mark.django_db
def test_the_database_server_is_measured_only_when_it_is_a_process_of_its_own() -> None:
    pid = bench_sync._database_server_pid()
    if connection.vendor == "sqlite":
        assert pid is None
    elif connection.settings_dict["HOST"] in ("", "localhost", "127.0.0.1"):
        # the PostgreSQL backend of this very connection, on this machine
        assert pid is not None
        assert process_cpu_seconds(pid) is not None
    else:  # a server elsewhere: its processes are not ours to read
        assert pid is None
