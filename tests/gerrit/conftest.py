"""A small simulated Gerrit over real HTTP, and a team that syncs from it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard.gerrit.client import GerritClient
from dashboard.gerrit.models import Team
from dashboard.gerrit.simulator import Simulator, SimulatorServer, start_simulator
from dashboard.gerrit.teams import import_team, simulated_team

GLANCE = simulated_team()
USER, PASSWORD = "tiller-bot", "s3cret-http-password"


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=11, changes=90, credentials={USER: PASSWORD})


@pytest.fixture
def gerrit(sim: Simulator) -> Iterator[SimulatorServer]:
    with start_simulator(sim) as server:
        yield server


@pytest.fixture
def team(db: None, gerrit: SimulatorServer) -> Team:
    return import_team(definition=GLANCE, gerrit_url=gerrit.url).team


class Sleeps(list[float]):
    """Stands in for time.sleep: records the delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def gerrit_client(gerrit: SimulatorServer, sleeps: Sleeps) -> GerritClient:
    """An anonymous client that retries without waiting, with a short timeout."""
    return GerritClient(gerrit.url, timeout=1.0, retries=2, sleep=sleeps)
