"""Priority services: history rows for every write, stale versions refused, import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dashboard.governance.models import (
    FFEDecision,
    Priority,
    PriorityAction,
    PriorityChange,
    PriorityStatus,
)
from dashboard.governance.priorities import (
    StaleList,
    StalePriority,
    create_priority,
    decide_ffe,
    delete_priority,
    edit_priority,
    import_priority_file,
    list_version,
    move_priority,
    reorder_priorities,
    request_ffe,
    set_priority_status,
)
from dashboard.governance.priorities_rst import parse_priorities
from tests.gerrit.factories import AccountFactory, ChangeFactory, RepositoryFactory, TeamFactory
from tests.governance.priority_factories import CycleFactory, SpecFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return TeamFactory(name="glance")


@pytest.fixture
def cycle():
    return CycleFactory(name="ocata")


@pytest.fixture
def ptl():
    return user_with_role("ptl", "PTL", first_name="Brian", last_name="R")


def _titles(team, cycle):
    return list(
        Priority.objects.for_list(team_id=team.pk, cycle_id=cycle.pk).values_list(
            "title", flat=True
        )
    )


def _three(team, cycle, ptl):
    return [
        create_priority(team=team, cycle=cycle, actor=ptl, title=title)
        for title in ("Import", "Upgrades", "Community images")
    ]


def test_create_appends_and_records_who(team, cycle, ptl):
    first, second, _ = _three(team, cycle, ptl)
    assert (first.position, second.position) == (1, 2)
    row = PriorityChange.objects.filter(priority=second).get()
    assert (row.action, row.actor, row.actor_name) == (PriorityAction.CREATED, ptl, "Brian R")
    assert row.summary == "Added “Upgrades” at position 2"


def test_create_links_owner_names_to_accounts_of_the_teams_server(team, cycle, ptl):
    mine = AccountFactory(server=team.server, name="Erno Kuvaja")
    AccountFactory(name="Erno Kuvaja")  # same name on another Gerrit server
    item = create_priority(
        team=team, cycle=cycle, actor=ptl, title="Import", owner_names=["erno kuvaja", "Nobody"]
    )
    assert list(item.owners.all()) == [mine]
    assert item.owner_names == ["erno kuvaja", "Nobody"]


def test_reorder_with_current_version_saves_order_and_history(team, cycle, ptl):
    a, b, c = _three(team, cycle, ptl)
    version = list_version(team=team, cycle=cycle)
    reorder_priorities(
        team=team, cycle=cycle, actor=ptl, order=[c.pk, a.pk, b.pk], expected_version=version
    )
    assert _titles(team, cycle) == ["Community images", "Import", "Upgrades"]
    row = PriorityChange.objects.order_by("-pk").first()
    assert row.action == PriorityAction.MOVED
    assert row.summary == "Moved “Community images” from 3 to 1"
    assert row.changes["order"][1] == ["Community images", "Import", "Upgrades"]
    assert list_version(team=team, cycle=cycle) > version


def test_reorder_from_a_stale_version_is_refused_and_changes_nothing(team, cycle, ptl):
    a, b, c = _three(team, cycle, ptl)
    seen = list_version(team=team, cycle=cycle)
    # Someone else moves an item after the first PTL loaded the page.
    reorder_priorities(
        team=team, cycle=cycle, actor=ptl, order=[b.pk, a.pk, c.pk], expected_version=seen
    )
    rows = PriorityChange.objects.count()
    with pytest.raises(StaleList) as stale:
        reorder_priorities(
            team=team, cycle=cycle, actor=ptl, order=[c.pk, b.pk, a.pk], expected_version=seen
        )
    assert stale.value.current == list_version(team=team, cycle=cycle)
    assert _titles(team, cycle) == ["Upgrades", "Import", "Community images"]
    assert PriorityChange.objects.count() == rows


def test_an_edit_of_one_item_also_makes_a_reorder_stale(team, cycle, ptl):
    a, b, c = _three(team, cycle, ptl)
    seen = list_version(team=team, cycle=cycle)
    set_priority_status(
        priority=a, actor=ptl, expected_version=a.version, status=PriorityStatus.DONE
    )
    with pytest.raises(StaleList):
        reorder_priorities(
            team=team, cycle=cycle, actor=ptl, order=[c.pk, b.pk, a.pk], expected_version=seen
        )


def test_reorder_naming_other_items_than_the_list_is_refused(team, cycle, ptl):
    a, b, _ = _three(team, cycle, ptl)
    version = list_version(team=team, cycle=cycle)
    with pytest.raises(StaleList):
        reorder_priorities(
            team=team, cycle=cycle, actor=ptl, order=[b.pk, a.pk], expected_version=version
        )
    assert _titles(team, cycle) == ["Import", "Upgrades", "Community images"]


def test_move_up_and_down_by_one(team, cycle, ptl):
    a, b, c = _three(team, cycle, ptl)
    move_priority(
        priority=c, actor=ptl, offset=-1, expected_version=list_version(team=team, cycle=cycle)
    )
    assert _titles(team, cycle) == ["Import", "Community images", "Upgrades"]
    move_priority(
        priority=a, actor=ptl, offset=1, expected_version=list_version(team=team, cycle=cycle)
    )
    assert _titles(team, cycle) == ["Community images", "Import", "Upgrades"]
    # Moving the first item up changes nothing and writes no history.
    rows = PriorityChange.objects.count()
    first = Priority.objects.get(title="Community images")
    move_priority(
        priority=first, actor=ptl, offset=-1, expected_version=list_version(team=team, cycle=cycle)
    )
    assert PriorityChange.objects.count() == rows


def test_edit_records_changed_fields_and_status_separately(team, cycle, ptl):
    item = create_priority(team=team, cycle=cycle, actor=ptl, title="Import")
    spec = SpecFactory(team=team, slug="image-import-refactor")
    edited = edit_priority(
        priority=item,
        actor=ptl,
        expected_version=1,
        title="Image import",
        description="",
        owner_names=["Erno"],
        topics=["bp/image-import"],
        change_numbers=[12],
        specs=[spec],
        status=PriorityStatus.MISSED,
        status_reason="Reviewers left",
        status_date=date(2017, 2, 1),
    )
    assert edited.version == 2
    rows = list(PriorityChange.objects.filter(priority=item).order_by("pk"))
    assert [r.action for r in rows] == [
        PriorityAction.CREATED,
        PriorityAction.EDITED,
        PriorityAction.STATUS,
    ]
    assert rows[1].changes["title"] == ["Import", "Image import"]
    assert rows[1].changes["specs"] == [[], ["image-import-refactor"]]
    assert rows[2].summary == "Marked “Image import” missed: Reviewers left"
    assert rows[2].changes["status_date"] == [None, "2017-02-01"]


def test_edit_from_an_old_form_is_refused(team, cycle, ptl):
    item = create_priority(team=team, cycle=cycle, actor=ptl, title="Import")
    set_priority_status(priority=item, actor=ptl, expected_version=1, status="done")
    with pytest.raises(StalePriority) as stale:
        edit_priority(
            priority=item,
            actor=ptl,
            expected_version=1,
            title="Overwritten",
            description="",
            owner_names=[],
            topics=[],
            change_numbers=[],
            specs=[],
            status="active",
        )
    assert stale.value.current.status == "done"
    assert Priority.objects.get(pk=item.pk).title == "Import"


def test_missed_and_deprioritized_need_a_reason(team, cycle, ptl):
    item = create_priority(team=team, cycle=cycle, actor=ptl, title="Import")
    for status in ("missed", "deprioritized"):
        with pytest.raises(ValueError, match="Say why"):
            set_priority_status(priority=item, actor=ptl, expected_version=1, status=status)
    done = set_priority_status(priority=item, actor=ptl, expected_version=1, status="done")
    assert done.status_date is not None  # today by default


def test_delete_renumbers_and_keeps_history_under_the_title(team, cycle, ptl):
    a, b, c = _three(team, cycle, ptl)
    delete_priority(priority=b, actor=ptl, expected_version=b.version)
    assert list(Priority.objects.order_by("position").values_list("title", "position")) == [
        ("Import", 1),
        ("Community images", 2),
    ]
    deleted = PriorityChange.objects.filter(action=PriorityAction.DELETED).get()
    assert (deleted.title, deleted.priority) == ("Upgrades", None)
    assert PriorityChange.objects.filter(title="Upgrades").count() == 2


OCATA = """Ocata
=====

.. list-table::
   :header-rows: 1

   * - Priority Item
     - Owner(s)
     - Spec(s)
   * - Image Import Refactor
     - `Erno Kuvaja`_
     - `image import refactor`_
   * - Rolling Upgrades
     - Hemanth
     - `rolling upgrades`_

.. _Erno Kuvaja: https://launchpad.net/~jokke
.. _image import refactor: https://specs.openstack.org/openstack/glance-specs/specs/mitaka/approved/image-import/image-import-refactor.html
.. _rolling upgrades: https://specs.openstack.org/openstack/glance-specs/specs/ocata/approved/glance/rolling-upgrades.html
"""


def test_import_links_known_specs_keeps_unknown_ones_and_is_idempotent(team, cycle):
    spec = SpecFactory(team=team, slug="rolling-upgrades", deliverable="glance")
    SpecFactory(slug="image-import-refactor")  # another team's spec is not linked
    parsed = parse_priorities(OCATA)
    first = import_priority_file(team=team, cycle=cycle, parsed=parsed, source_name="o.rst")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert first.unresolved == ("Image Import Refactor: image import refactor",)
    refactor, rolling = Priority.objects.order_by("position")
    assert list(rolling.specs.all()) == [spec]
    assert refactor.spec_references == [
        {
            "text": "image import refactor",
            "url": "https://specs.openstack.org/openstack/glance-specs/specs/mitaka/approved/"
            "image-import/image-import-refactor.html",
        }
    ]
    assert refactor.owner_names == ["Erno Kuvaja"]
    history = PriorityChange.objects.count()
    again = import_priority_file(team=team, cycle=cycle, parsed=parsed, source_name="o.rst")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Priority.objects.count() == 2
    assert PriorityChange.objects.count() == history


def test_reimport_after_specs_exist_resolves_and_keeps_status_and_own_items(team, cycle, ptl):
    parsed = parse_priorities(OCATA)
    import_priority_file(team=team, cycle=cycle, parsed=parsed, source_name="o.rst")
    refactor = Priority.objects.get(title="Image Import Refactor")
    set_priority_status(priority=refactor, actor=ptl, expected_version=1, status="done")
    create_priority(team=team, cycle=cycle, actor=ptl, title="Added in Tiller")
    reorder_priorities(
        team=team,
        cycle=cycle,
        actor=ptl,
        order=list(Priority.objects.order_by("-position").values_list("pk", flat=True)),
        expected_version=list_version(team=team, cycle=cycle),
    )
    spec = SpecFactory(team=team, slug="image-import-refactor", deliverable="image-import")
    result = import_priority_file(team=team, cycle=cycle, parsed=parsed, source_name="o.rst")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    refactor.refresh_from_db()
    assert (refactor.status, refactor.spec_references) == ("done", [])
    assert list(refactor.specs.all()) == [spec]
    # The file's order comes back; the item it does not name stays, after the file's items.
    assert _titles(team, cycle) == ["Image Import Refactor", "Rolling Upgrades", "Added in Tiller"]


# Hand-read from glance-specs: (cycle, count, title at position 1, owners at a position).
REAL_IMPORTS = [
    ("ocata", 4, 'OpenStack "Community" Goal', 4, ["Hemanth Makkapati", "Alexander Bashmakov"]),
    ("queens", 10, "Image Import Refactor", 5, []),
    ("newton", 6, "DefCore Updates", 6, ["Hemanth Makkapati"]),
    ("ussuri", 15, "Remove native ssl support", 2, ["Grégoire Unbekandt"]),
]


@pytest.mark.parametrize(("name", "count", "top", "position", "owners"), REAL_IMPORTS)
def test_import_of_real_files(shared_data: Path, team, name, count, top, position, owners):
    cycle = CycleFactory(name=name)
    path = shared_data / "specs" / "glance-specs" / "priorities" / f"{name}-priorities.rst"
    parsed = parse_priorities(path.read_text(), path=path.name)
    result = import_priority_file(team=team, cycle=cycle, parsed=parsed, source_name=path.name)
    assert result.created == count
    items = list(Priority.objects.for_list(team_id=team.pk, cycle_id=cycle.pk))
    assert [i.position for i in items] == list(range(1, count + 1))
    assert items[0].title == top
    assert items[position - 1].owner_names == owners
    again = import_priority_file(team=team, cycle=cycle, parsed=parsed, source_name=path.name)
    assert (again.created, again.unchanged) == (0, count)


def test_ffe_needs_a_spec_or_change_of_the_team(team, cycle, ptl):
    with pytest.raises(ValueError, match="spec or a change"):
        request_ffe(team=team, cycle=cycle, requester=ptl, title="x")
    other = ChangeFactory()
    with pytest.raises(ValueError, match="not in one of"):
        request_ffe(team=team, cycle=cycle, requester=ptl, title="x", change=other)
    change = ChangeFactory(repository=RepositoryFactory(team=team))
    ffe = request_ffe(team=team, cycle=cycle, requester=ptl, title="Late import", change=change)
    assert (ffe.decision, ffe.requester_name) == (FFEDecision.PENDING, "Brian R")


def test_decide_ffe_sets_and_clears_the_decision(team, cycle, ptl):
    spec = SpecFactory(team=team)
    ffe = request_ffe(team=team, cycle=cycle, requester=ptl, title="Late", spec=spec)
    granted = decide_ffe(
        ffe=ffe, decider=ptl, decision="granted", note="By RC1", on=date(2017, 1, 30)
    )
    assert (granted.decision, granted.decided, granted.decided_by, granted.note) == (
        "granted",
        date(2017, 1, 30),
        ptl,
        "By RC1",
    )
    back = decide_ffe(ffe=ffe, decider=ptl, decision="pending")
    assert (back.decided, back.decided_by) == (None, None)
