"""import_schedule and import_series: the real release team files, and broken ones."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dashboard.governance.models import Cycle, CycleEvent, CycleStatus, EventKind
from tests.gerrit.factories import TeamFactory
from tests.governance.factories import CycleFactory

pytestmark = pytest.mark.django_db

SERIES = ("ocata", "pike", "queens", "hibiscus", "indri")


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def schedule(shared_data: Path, series: str) -> Path:
    return shared_data / "releases" / "doc" / "source" / series / "schedule.yaml"


def test_every_real_schedule_imports_with_its_weeks(shared_data: Path) -> None:
    TeamFactory(name="glance")
    for series in SERIES:
        run("import_schedule", str(schedule(shared_data, series)))
    cycles = {c.name: (c.start, c.end) for c in Cycle.objects.all()}
    assert cycles == {
        "ocata": (date(2016, 11, 7), date(2017, 2, 20)),
        "pike": (date(2017, 2, 27), date(2017, 8, 28)),
        "queens": (date(2017, 9, 4), date(2018, 2, 26)),
        "hibiscus": (date(2026, 4, 6), date(2026, 9, 28)),
        "indri": (date(2026, 10, 5), date(2027, 3, 22)),
    }
    # Pike: 22 cross-project labels, the next series' two PTL election labels (listed as
    # project-specific but about every team), and Glance's two spec deadlines.
    assert CycleEvent.objects.filter(cycle__name="pike").count() == 26
    # Ocata: 22 cross-project labels, n-release listed twice in one week (one event), two
    # election labels and Glance's two.
    assert CycleEvent.objects.filter(cycle__name="ocata").count() == 25
    # Indri has no project-specific events yet: only its 18 cross-project labels.
    assert CycleEvent.objects.filter(cycle__name="indri").count() == 18


def test_pike_glance_spec_freeze_is_glance_s_on_the_friday_its_description_names(
    shared_data: Path,
) -> None:
    glance = TeamFactory(name="glance")
    run("import_schedule", str(schedule(shared_data, "pike")), "--cycle", "pike")
    freeze = CycleEvent.objects.get(label="p-glance-spec-freeze")
    assert (freeze.team, freeze.kind, freeze.title) == (
        glance,
        EventKind.SPEC_FREEZE,
        "Glance Spec Freeze",
    )
    assert (freeze.start, freeze.end, freeze.due) == (
        date(2017, 4, 10),
        date(2017, 4, 14),
        date(2017, 4, 14),
    )
    proposal = CycleEvent.objects.get(label="p-glance-spec-prop")
    assert (proposal.kind, proposal.due) == (EventKind.SPEC_PROPOSAL_FREEZE, date(2017, 3, 30))
    ff = CycleEvent.objects.get(label="p-ff")
    assert (ff.team, ff.kind, ff.start, ff.due) == (
        None,
        EventKind.FEATURE_FREEZE,
        date(2017, 7, 24),
        date(2017, 7, 27),  # no day named: the week's Thursday
    )
    assert CycleEvent.objects.get(label="p-release").kind == EventKind.FINAL_RELEASE
    # Ocata's release in Pike's first week is Ocata's, not a Pike release.
    assert CycleEvent.objects.get(label="o-release").kind == EventKind.OTHER
    assert not CycleEvent.objects.filter(label="p-nova-spec-freeze").exists()


def test_queens_glance_spec_freeze_and_hibiscus_freezes(shared_data: Path) -> None:
    TeamFactory(name="glance")
    run("import_schedule", str(schedule(shared_data, "queens")))
    run("import_schedule", str(schedule(shared_data, "hibiscus")))
    freeze = CycleEvent.objects.get(label="q-glance-spec-freeze")
    assert (freeze.start, freeze.due) == (date(2017, 10, 2), date(2017, 10, 6))
    hibiscus = {e.label: e for e in CycleEvent.objects.filter(cycle__name="hibiscus")}
    assert hibiscus["h-ff"].start == date(2026, 8, 24)
    assert hibiscus["h-rc1"].kind == EventKind.RC
    assert hibiscus["h-final"].kind == EventKind.FINAL_RELEASE
    assert hibiscus["g-final"].kind == EventKind.OTHER
    assert hibiscus["h-ff"].title == "Feature freeze"


def test_reimport_is_idempotent_and_keeps_team_events(shared_data: Path) -> None:
    glance = TeamFactory(name="glance")
    run("import_schedule", str(schedule(shared_data, "pike")))
    pike = Cycle.objects.get(name="pike")
    CycleEvent.objects.create(
        cycle=pike,
        team=glance,
        kind=EventKind.TEAM,
        title="Virtual midcycle",
        start=date(2017, 6, 6),
        end=date(2017, 6, 7),
    )
    before = CycleEvent.objects.count()
    out = run("import_schedule", str(schedule(shared_data, "pike")))
    assert "0 events created, 0 updated, 0 removed" in out
    assert CycleEvent.objects.count() == before


def test_mitaka_grid_table_imports_with_the_release_week_given(shared_data: Path) -> None:
    glance = TeamFactory(name="glance")
    # The .yaml does not exist: the sibling schedule.rst's grid table is read instead.
    run("import_schedule", str(schedule(shared_data, "mitaka")), "--release-week", "2016-04-04")
    mitaka = Cycle.objects.get(name="mitaka")
    assert (mitaka.start, mitaka.end) == (date(2015, 10, 19), date(2016, 4, 4))  # R-24..R-0
    events = {e.label: e for e in mitaka.events.all()}
    # 13 cross-project refs; of the 13 project-specific ones, the N cycle's PTL and TC
    # nominations and elections (about every team) and Glance's blueprint freeze; the
    # other teams' 8 are skipped.
    assert len(events) == 18
    assert (events["m-glance-bp-freeze"].team, events["m-glance-bp-freeze"].kind) == (
        glance,
        EventKind.SPEC_FREEZE,
    )
    assert events["m-glance-bp-freeze"].start == date(2015, 12, 28)  # "Dec 28-1", R-14
    assert (events["m-ff"].start, events["m-ff"].due) == (date(2016, 2, 29), date(2016, 3, 3))
    assert events["m-release"].kind == EventKind.FINAL_RELEASE
    assert events["m-1"].title == "mitaka-1 milestone"


def test_newton_grid_table_takes_its_years_from_import_series(shared_data: Path) -> None:
    run("import_series", str(shared_data / "releases" / "data" / "series_status.yaml"))
    path = shared_data / "releases" / "doc" / "source" / "newton" / "schedule.rst"
    run("import_schedule", str(path))
    newton = Cycle.objects.get(name="newton")
    assert (newton.start, newton.end) == (date(2016, 4, 11), date(2016, 10, 3))
    events = {e.label: e for e in newton.events.all()}
    assert events["m-release"].start == date(2016, 4, 4)  # the unnamed first week
    assert events["n-trailing"].start == date(2016, 10, 17)  # R+2
    assert events["n-ff"].kind == EventKind.FEATURE_FREEZE


def test_grid_table_without_a_year_or_with_a_wrong_week_is_refused(
    shared_data: Path, tmp_path: Path
) -> None:
    mitaka = shared_data / "releases" / "doc" / "source" / "mitaka" / "schedule.rst"
    with pytest.raises(CommandError, match="gives no years; pass --release-week"):
        run("import_schedule", str(mitaka))
    broken = tmp_path / "mitaka" / "schedule.rst"
    broken.parent.mkdir()
    broken.write_text(mitaka.read_text().replace("| Nov 2-6    | R-22 |", "| Nov 3-6    | R-22 |"))
    with pytest.raises(CommandError, match=r"schedule.rst:12: week 'Nov 3-6' is not R-22"):
        run("import_schedule", str(broken), "--release-week", "2016-04-04")
    assert not CycleEvent.objects.exists()


def test_series_status_reads_release_ids_as_text_and_sets_statuses(shared_data: Path) -> None:
    CycleFactory(name="hibiscus", start=date(2026, 4, 6), end=date(2026, 9, 28))
    run("import_series", str(shared_data / "releases" / "data" / "series_status.yaml"))
    hibiscus = Cycle.objects.get(name="hibiscus")
    assert (hibiscus.release_id, hibiscus.status) == ("2026.2", CycleStatus.DEVELOPMENT)
    assert hibiscus.end == date(2026, 9, 28)  # the schedule's, kept
    newton = Cycle.objects.get(name="newton")
    assert (newton.status, newton.end) == (CycleStatus.EOL, date(2016, 10, 3))
    assert Cycle.objects.get(name="austin").release_id == ""
    assert Cycle.objects.count() == 35


GOOD_HEAD = "---\nstart-week: 2017-02-27\nrelease-week: 2017-08-28\ncycle:\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("start-week: [unclosed\n", r"schedule.yaml:2: not valid YAML"),
        (
            "---\nstart-week: 2017-02-27\ncycle: []\n",
            r"schedule.yaml:2: missing key 'release-week'",
        ),
        (
            "---\nstart-week: 2017-02-31\nrelease-week: 2017-08-28\ncycle: []\n",
            r"schedule.yaml:2: start-week '2017-02-31' is not a date",
        ),
        (
            GOOD_HEAD + "- start: '2017-02-27'\n  end: '2017-03-03'\n- start: '2017-03-06'\n",
            r"schedule.yaml:7: week without 'end'",
        ),
        (
            GOOD_HEAD + "- start: '2017-02-27'\n  end: 'next friday'\n",
            r"schedule.yaml:6: end 'next friday' is not a date",
        ),
        (
            GOOD_HEAD + "- start: '2017-02-27'\n  end: '2017-03-03'\n  x-project: p-1\n",
            r"schedule.yaml:7: x-project must be a list",
        ),
        (
            "---\nstart-week: 2017-08-28\nrelease-week: 2017-02-27\ncycle: []\n",
            r"schedule.yaml:3: release-week 2017-02-27 is not after",
        ),
    ],
)
def test_malformed_schedule_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "pike" / "schedule.yaml"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(CommandError, match=message):
        run("import_schedule", str(path))
    assert not Cycle.objects.exists()  # nothing half-imported


def test_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run("import_schedule", str(tmp_path / "nope.yaml"), "--cycle", "pike")
