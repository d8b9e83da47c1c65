"""bench_sync measures every size of every history shape it is asked for."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
import requests
from django.core.management import call_command

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
