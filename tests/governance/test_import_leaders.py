"""import_leaders on the real governance and election data, and on broken input."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dashboard.governance.models import Leader
from dashboard.governance.models.leaders import LeaderRole
from dashboard.governance.services import import_leaders
from tests.gerrit.factories import AccountFactory, TeamFactory
from tests.governance.factories import CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def glance():
    return TeamFactory(name="glance")


@pytest.fixture
def cycles() -> None:
    # Release weeks as series_status.yaml dates them (Mondays), enough for the midpoints.
    for name, release_id, end in [
        ("mitaka", "", date(2016, 4, 4)),
        ("newton", "", date(2016, 10, 3)),
        ("ocata", "", date(2017, 2, 20)),
        ("pike", "", date(2017, 8, 28)),
        ("queens", "", date(2018, 2, 26)),
        ("caracal", "2024.1", date(2024, 4, 1)),
        ("hibiscus", "2026.2", date(2026, 9, 28)),
        ("indri", "2027.1", date(2027, 3, 22)),
    ]:
        CycleFactory(name=name, release_id=release_id, start=end - timedelta(weeks=25), end=end)


def ptl(cycle: str) -> Leader:
    return Leader.objects.get(cycle__name=cycle, role=LeaderRole.PTL)


def test_ptls_come_from_results_candidacies_and_history(shared_data, glance, cycles) -> None:
    rosmaita = AccountFactory(server=glance.server, username="rosmaita", email="other@x.org")
    import_leaders(root=shared_data / "governance", team=glance, at=date(2026, 12, 1))
    # Contested, no results file: the PTL governance recorded mid-cycle.
    assert ptl("mitaka").name == "Flavio Percoco"
    assert ptl("newton").name == "Nikhil Komawar"
    # Results files (ocata on), with IRC and e-mail; the account found by IRC nick.
    assert (ptl("ocata").name, ptl("ocata").irc, ptl("ocata").account) == (
        "Brian Rosmaita",
        "rosmaita",
        rosmaita,
    )
    assert ptl("queens").email == "rosmaita.fossdev@gmail.com"
    # Folders named by release id map to the cycle with that id.
    assert ptl("caracal").name == "Pranali Deore"
    assert ptl("hibiscus").name == "Cyril Roelandt"
    # Indri has no candidate yet: today's projects.yaml gives its PTL and liaisons.
    indri = {(leader.role, leader.name) for leader in Leader.objects.filter(cycle__name="indri")}
    assert indri == {
        ("ptl", "Cyril Roelandt"),
        ("release", "Pranali Deore"),
        ("security", "Abhishek Kekane"),
    }


def test_reimport_updates_in_place_and_keeps_app_edits(shared_data, glance, cycles) -> None:
    root = shared_data / "governance"
    first = import_leaders(root=root, team=glance, at=date(2026, 12, 1))
    Leader.objects.create(
        team=glance, cycle=ptl("pike").cycle, role=LeaderRole.OTHER, name="Docs liaison"
    )
    again = import_leaders(root=root, team=glance, at=date(2026, 12, 1))
    assert (again.created, again.updated) == (0, first.created)
    assert Leader.objects.count() == first.created + 1


def test_unknown_series_are_reported_not_invented(shared_data, glance) -> None:
    CycleFactory(name="pike", start=date(2017, 2, 27), end=date(2017, 8, 28))
    result = import_leaders(root=shared_data / "governance", team=glance, at=date(2026, 12, 1))
    assert list(Leader.objects.values_list("cycle__name", "name")) == [("pike", "Brian Rosmaita")]
    assert "ocata" in result.unknown_series and result.current_cycle is None


def test_malformed_results_file_names_file_and_line(tmp_path: Path, glance) -> None:
    results = tmp_path / "election" / "results" / "pike"
    results.mkdir(parents=True)
    (results / "ptl.yaml").write_text("election: pike\ncandidates:\n  Glance: [\n")
    with pytest.raises(CommandError, match=r"pike/ptl.yaml:4: not valid YAML"):
        call_command("import_leaders", str(tmp_path), "--team", "glance", stdout=StringIO())


def test_unknown_team_and_missing_folder_are_one_line_errors(tmp_path: Path, glance) -> None:
    with pytest.raises(CommandError, match="No team 'nova'"):
        call_command("import_leaders", str(tmp_path), "--team", "nova")
    with pytest.raises(CommandError, match="no such folder"):
        call_command("import_leaders", str(tmp_path / "nope"), "--team", "glance")
