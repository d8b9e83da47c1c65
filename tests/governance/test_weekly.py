"""The weekly priorities' writes: items from pasted input, order, versions, carry forward."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.core.roles import CORE, PTL
from dashboard.gerrit.models import ChangeStatus
from dashboard.governance import weekly
from dashboard.governance.models import ItemKind, WeeklyEdit
from tests.gerrit.factories import ChangeFactory, RepositoryFactory
from tests.governance.priority_factories import SpecFactory, user_with_role
from tests.governance.weekly_factories import WeeklyItemFactory, WeeklyListFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo():
    return RepositoryFactory(name="openstack/glance")


@pytest.mark.parametrize(
    "text",
    [
        "443199",
        "#443199",
        " 443199 ",
        "https://review.openstack.org/443199",
        "https://review.openstack.org/#/c/443199/",
        "https://review.openstack.org/#/c/443199/4",
        "https://review.opendev.org/c/openstack/glance/+/443199",
        "https://review.opendev.org/c/openstack/glance/+/443199/3/glance/api.py",
        "https://review.opendev.org/c/443199",
    ],
)
def test_pasted_change_references_give_the_change_number(repo, text):
    ChangeFactory(repository=repo, number=443199)
    reference = weekly.parse_change_reference(team=repo.team, text=text)
    assert reference.number == 443199
    assert reference.change is not None


def test_a_change_id_finds_the_synced_change(repo):
    change = ChangeFactory(repository=repo, number=5, change_id="I" + "a" * 40)
    assert weekly.parse_change_reference(team=repo.team, text="I" + "a" * 40).number == 5
    assert change.number == 5


@pytest.mark.parametrize("text", ["", "glance", "https://example.org/about", "12a"])
def test_text_that_names_no_change_is_refused_with_a_message(repo, text):
    with pytest.raises(weekly.InvalidItem):
        weekly.parse_change_reference(team=repo.team, text=text)


def test_an_unsynced_change_number_is_accepted_without_a_row(repo):
    reference = weekly.parse_change_reference(team=repo.team, text="777")
    assert reference.number == 777
    assert reference.change is None


def test_adding_items_numbers_them_and_records_who(repo):
    ptl = user_with_role("ptl", PTL)
    weekly_list = weekly.open_list(team=repo.team, week=date(2017, 4, 13), actor=ptl)
    first = weekly.add_item(
        weekly_list=weekly_list, version=1, kind=ItemKind.CHANGE, value="12", actor=ptl
    )
    second = weekly.add_item(
        weekly_list=weekly_list,
        version=2,
        kind=ItemKind.TOPIC,
        value="bp/image-import",
        note="the refactor",
        actor=ptl,
    )
    assert (first.position, first.change_number) == (1, 12)
    assert (second.position, second.topic, second.note) == (2, "bp/image-import", "the refactor")
    weekly_list.refresh_from_db()
    assert weekly_list.version == 3
    assert weekly_list.updated_by == ptl
    summaries = list(WeeklyEdit.objects.order_by("pk").values_list("summary", "actor_name"))
    assert summaries[1:] == [("Added Change 12", "ptl"), ("Added Topic bp/image-import", "ptl")]


def test_a_write_from_an_older_version_is_refused_and_changes_nothing(repo):
    weekly_list = WeeklyListFactory(team=repo.team, version=4)
    with pytest.raises(weekly.StaleWeeklyList) as refused:
        weekly.add_item(weekly_list=weekly_list, version=3, kind="text", value="x", actor=None)
    assert refused.value.current == 4
    assert weekly_list.items.count() == 0


def test_the_same_change_cannot_be_listed_twice(repo):
    weekly_list = WeeklyListFactory(team=repo.team)
    weekly.add_item(weekly_list=weekly_list, version=None, kind="change", value="9", actor=None)
    with pytest.raises(weekly.InvalidItem, match="already item 1"):
        weekly.add_item(
            weekly_list=weekly_list, version=None, kind="change", value="#9", actor=None
        )


def test_spec_items_keep_the_title_for_when_the_spec_is_gone(repo):
    spec = SpecFactory(team=repo.team, title="Image import refactor")
    weekly_list = WeeklyListFactory(team=repo.team)
    item = weekly.add_item(
        weekly_list=weekly_list, version=None, kind="spec", value=str(spec.pk), actor=None
    )
    spec.delete()
    item.refresh_from_db()
    assert item.spec is None
    assert item.label == "Spec “Image import refactor”"


def test_a_spec_of_another_team_is_refused(repo):
    other = SpecFactory()
    with pytest.raises(weekly.InvalidItem):
        weekly.add_item(
            weekly_list=WeeklyListFactory(team=repo.team),
            version=None,
            kind="spec",
            value=str(other.pk),
            actor=None,
        )


def test_reorder_puts_items_in_the_given_order(repo):
    weekly_list = WeeklyListFactory(team=repo.team)
    a, b, c = (WeeklyItemFactory(weekly_list=weekly_list, position=i) for i in (1, 2, 3))
    weekly.reorder_items(weekly_list=weekly_list, version=1, order=[c.pk, a.pk, b.pk], actor=None)
    assert list(weekly_list.items.order_by("position").values_list("pk", flat=True)) == [
        c.pk,
        a.pk,
        b.pk,
    ]


def test_a_reorder_that_misses_an_item_is_stale(repo):
    weekly_list = WeeklyListFactory(team=repo.team)
    a, b = (WeeklyItemFactory(weekly_list=weekly_list, position=i) for i in (1, 2))
    with pytest.raises(weekly.StaleWeeklyList):
        weekly.reorder_items(weekly_list=weekly_list, version=1, order=[b.pk], actor=None)
    assert a.pk != b.pk


def test_removing_an_item_closes_the_gap(repo):
    weekly_list = WeeklyListFactory(team=repo.team)
    items = [WeeklyItemFactory(weekly_list=weekly_list, position=i) for i in (1, 2, 3)]
    weekly.remove_item(item=items[0], version=1, actor=None)
    assert list(weekly_list.items.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
    ]


def test_carry_forward_copies_last_weeks_open_items_and_leaves_closed_changes(repo):
    ChangeFactory(repository=repo, number=1, status=ChangeStatus.MERGED)
    ChangeFactory(repository=repo, number=2)
    last = WeeklyListFactory(team=repo.team, week=date(2017, 4, 6))
    WeeklyItemFactory(weekly_list=last, kind="change", change_number=1, text="")
    WeeklyItemFactory(weekly_list=last, kind="change", change_number=2, text="", note="rebase")
    WeeklyItemFactory(weekly_list=last, kind="topic", topic="bp/x", text="")
    WeeklyListFactory(team=repo.team, week=date(2017, 3, 30))
    this = WeeklyListFactory(team=repo.team, week=date(2017, 4, 13))
    WeeklyItemFactory(weekly_list=this, position=1, kind="topic", topic="bp/x", text="")
    result = weekly.carry_forward(weekly_list=this, version=1, actor=None)
    assert result.source == last
    assert result.copied == 1
    assert result.skipped == ("Change 1 (closed)", "Topic bp/x (already on this list)")
    rows = list(this.items.order_by("position").values_list("kind", "change_number", "note"))
    assert rows == [("topic", None, ""), ("change", 2, "rebase")]


def test_only_the_ptl_and_delegates_compose(repo):
    ptl, core, other = user_with_role("p", PTL), user_with_role("c", CORE), user_with_role("o")
    assert weekly.can_compose(user=ptl, team=repo.team)
    assert not weekly.can_compose(user=core, team=repo.team)
    weekly.add_delegate(team=repo.team, user=core, actor=ptl)
    assert weekly.can_compose(user=core, team=repo.team)
    assert not weekly.can_compose(user=other, team=repo.team)
    weekly.remove_delegate(team=repo.team, user=core)
    assert not weekly.can_compose(user=core, team=repo.team)
