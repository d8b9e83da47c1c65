"""A fixed week on simulated Gerrit data: the team synced from the simulator with a fixed
seed and end time, and a hand-made list holding every kind of item, a change that is not
synced and a spec that was deleted. The priority email's golden text is made from it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from django.db.models import Count

from dashboard.gerrit.models import Change, ChangeStatus, GerritServer, SyncRunStatus, Team
from dashboard.gerrit.simulator import Simulator, SimulatorServer, start_simulator
from dashboard.gerrit.sync import sync_team
from dashboard.gerrit.teams import import_team, simulated_team
from dashboard.governance.models import ItemKind, SpecState, WeeklyList
from tests.governance.priority_factories import SpecFactory
from tests.governance.weekly_factories import WeeklyItemFactory, WeeklyListFactory

SIM_SEED, SIM_CHANGES = 5, 30
GERRIT_URL = "https://review.openstack.org"
SIM_END = datetime(2017, 4, 14, 12, 0, tzinfo=UTC)
LAST_MEETING, MEETING = date(2017, 4, 6), date(2017, 4, 13)
MISSING_CHANGE = 999999


@pytest.fixture
def fixed_gerrit() -> Iterator[SimulatorServer]:
    with start_simulator(Simulator(seed=SIM_SEED, changes=SIM_CHANGES, end=SIM_END)) as server:
        yield server


@pytest.fixture
def synced_glance(db: None, fixed_gerrit: SimulatorServer) -> Team:
    team = import_team(definition=simulated_team(), gerrit_url=fixed_gerrit.url).team
    run = sync_team(team=team)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    # The simulator listens on a random port; the email's links must not depend on it.
    GerritServer.objects.filter(pk=team.server_id).update(url=GERRIT_URL)
    return Team.objects.select_related("server").get(pk=team.pk)


@pytest.fixture
def golden_list(synced_glance: Team) -> WeeklyList:
    """The meeting of 2017-04-13's list: 7 items of every kind, picked from synced data by
    rules (lowest open number, newest merge, commonest open topic), never by hard-coded numbers."""
    team = synced_glance
    changes = Change.objects.filter(repository__team=team)
    open_change = changes.filter(status=ChangeStatus.NEW).order_by("number").first()
    merged = changes.filter(status=ChangeStatus.MERGED).order_by("-closed", "number").first()
    topic = (
        changes.filter(status=ChangeStatus.NEW)
        .exclude(topic="")
        .values("topic")
        .annotate(n=Count("pk"))
        .order_by("-n", "topic")
        .first()
    )
    assert open_change and merged and topic, "the simulator's week lacks an item kind"
    spec = SpecFactory(
        team=team,
        title="Interoperable image import",
        state=SpecState.APPROVED,
        blueprint_url="https://blueprints.launchpad.net/glance/+spec/image-import-refactor",
    )
    gone = SpecFactory(team=team, title="Glare as a separate project", state=SpecState.APPROVED)
    WeeklyListFactory(team=team, week=LAST_MEETING)
    weekly_list = WeeklyListFactory(
        team=team,
        week=MEETING,
        intro=(
            "Hi all,\n\nAt today's meeting we agreed that image import is the release "
            "priority for Pike: please give its changes your reviews before anything else. "
            "The meeting log is at "
            "http://eavesdrop.openstack.org/meetings/glance/2017/glance.2017-04-13-14.00.log.html"
            " if you missed it."
        ),
    )
    rows = [
        (ItemKind.CHANGE, {"change_number": open_change.number}, "Needs one more core review."),
        (ItemKind.TOPIC, {"topic": topic["topic"]}, ""),
        (
            ItemKind.SPEC,
            {"spec": spec, "spec_title": spec.title},
            "The API is agreed; see the etherpad at "
            "https://etherpad.openstack.org/p/glance-pike-image-import-refactor-api-details "
            "for the details, and comment there before Thursday.",
        ),
        (ItemKind.CHANGE, {"change_number": merged.number}, "Merged: thanks, everyone."),
        (ItemKind.CHANGE, {"change_number": MISSING_CHANGE}, "Lost in the sync?"),
        (ItemKind.SPEC, {"spec": gone, "spec_title": gone.title}, "Moved out of Glance."),
        (
            ItemKind.TEXT,
            {
                "text": "Everyone: check the bug list tagged for pike-1 and triage anything "
                "that has been sitting in New for more than a week"
            },
            "",
        ),
    ]
    for position, (kind, fields, note) in enumerate(rows, start=1):
        WeeklyItemFactory(
            weekly_list=weekly_list,
            position=position,
            kind=kind,
            note=note,
            **{"text": "", **fields},
        )
    gone.delete()
    return WeeklyList.objects.select_related("team__server").get(pk=weekly_list.pk)
