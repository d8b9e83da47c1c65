"""seed_demo_weekly: four Thursday lists built from the synced demo team, with history."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from dashboard.gerrit.models import Change
from dashboard.gerrit.simulator import Simulator, start_simulator
from dashboard.gerrit.sync import sync_team
from dashboard.gerrit.teams import import_team, simulated_team
from dashboard.governance.models import ItemKind, WeeklyEdit, WeeklyList
from dashboard.governance.priorities_demo import demo_cycles, seed_demo_priorities
from dashboard.reports.weekly_demo import DEMO_ACTOR, meeting_days, seed_demo_weekly
from tests.governance.priority_factories import SpecFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)  # a Tuesday: the last meeting was Thursday 2026-11-26


@pytest.fixture
def synced_team(db):
    with start_simulator(Simulator(seed=5, changes=80)) as server:
        team = import_team(definition=simulated_team(), gerrit_url=server.url).team
        sync_team(team=team)
    seed_demo_priorities(team)
    SpecFactory(team=team, title="Image import refactor", cycle=demo_cycles()[0])
    return team


def signature(team):
    return [
        (
            weekly_list.week,
            weekly_list.intro,
            [(item.label, item.note) for item in weekly_list.items.order_by("position")],
            list(weekly_list.edits.order_by("pk").values_list("summary", "at")),
        )
        for weekly_list in WeeklyList.objects.for_team(team.pk).order_by("week")
    ]


def test_meeting_days_are_the_last_four_thursdays():
    assert meeting_days(TODAY) == [
        date(2026, 11, 5),
        date(2026, 11, 12),
        date(2026, 11, 19),
        date(2026, 11, 26),
    ]
    assert meeting_days(date(2026, 11, 26))[-1] == date(2026, 11, 26)


def test_seed_builds_four_lists_of_every_kind_with_history(synced_team, client):
    lists = seed_demo_weekly(synced_team, today=TODAY)
    assert [w.week for w in lists] == meeting_days(TODAY)
    first = lists[0]
    kinds = set(first.items.values_list("kind", flat=True))
    assert kinds == {ItemKind.TOPIC, ItemKind.CHANGE, ItemKind.SPEC, ItemKind.TEXT}
    topics = set(first.items.filter(kind="topic").values_list("topic", flat=True))
    priority_topics = {t for p in synced_team.priorities.all() for t in p.topics}
    assert topics and topics <= priority_topics  # the cycle's priorities
    numbers = first.items.filter(kind="change").values_list("change_number", flat=True)
    synced = set(Change.objects.filter(number__in=list(numbers)).values_list("number", flat=True))
    assert synced == set(numbers)  # real synced changes, not made-up numbers
    assert first.items.exclude(note="").count() >= 3
    # Later weeks carried the list forward; week 3 dropped the text item; week 4 reordered.
    summaries = [list(w.edits.values_list("summary", flat=True)) for w in lists]
    assert all(any(s.startswith("Carried") for s in week) for week in summaries[1:])
    assert any(s.startswith("Removed") for s in summaries[2])
    assert "Reordered the list" in summaries[3]
    assert not lists[2].items.filter(kind="text").exists()
    assert all(w.intro for w in lists)
    # The history sits at each meeting, in the demo PTL's name.
    for weekly_list in lists:
        edits = WeeklyEdit.objects.filter(weekly_list=weekly_list)
        assert {e.at.date() for e in edits} == {weekly_list.week}
        assert {e.actor_name for e in edits} == {DEMO_ACTOR}
    response = client.get(reverse("reports:weekly", args=["glance", "2026-11-26"]))
    assert response.status_code == 200
    assert "Moved to the top at the meeting: it has waited longest." in response.content.decode()


def test_seed_is_deterministic_and_runs_once(synced_team):
    seed_demo_weekly(synced_team, today=TODAY)
    before = signature(synced_team)
    assert seed_demo_weekly(synced_team, today=TODAY) and signature(synced_team) == before
    WeeklyList.objects.all().delete()
    seed_demo_weekly(synced_team, today=TODAY)
    assert signature(synced_team) == before
