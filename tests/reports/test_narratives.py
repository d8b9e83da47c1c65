"""Saving the narrative: versions go up, every save is kept, a stale save is refused."""

from __future__ import annotations

import pytest

from dashboard.reports.models import ReportNarrative, ReportNarrativeVersion
from dashboard.reports.narratives import StaleNarrative, narrative_for, save_narrative
from tests.gerrit.factories import TeamFactory
from tests.governance.factories import CycleFactory
from tests.governance.priority_factories import user_with_role

pytestmark = pytest.mark.django_db


def save(team, cycle, version, text, actor=None):
    return save_narrative(
        team=team,
        cycle=cycle,
        actor=actor,
        expected_version=version,
        highlights=text,
        problems="p",
        advice="a",
    )


def test_each_save_is_a_new_version_kept_with_who_and_when() -> None:
    team, cycle = TeamFactory(), CycleFactory()
    petra = user_with_role("petra", "PTL", first_name="Petra")
    save(team, cycle, 0, "first", actor=petra)
    narrative = save(team, cycle, 1, "second")
    assert (narrative.version, narrative.highlights, narrative.saved_by_name) == (
        2,
        "second",
        "Tiller",
    )
    versions = list(
        ReportNarrativeVersion.objects.values_list("version", "highlights", "saved_by_name")
    )
    assert versions == [(2, "second", "Tiller"), (1, "first", "Petra")]


def test_a_save_from_an_older_version_is_refused_and_carries_the_newer_text() -> None:
    team, cycle = TeamFactory(), CycleFactory()
    save(team, cycle, 0, "theirs")
    with pytest.raises(StaleNarrative) as refused:
        save(team, cycle, 0, "mine")
    assert refused.value.current.highlights == "theirs"
    assert "not saved" in str(refused.value)
    assert ReportNarrative.objects.get().highlights == "theirs"
    assert ReportNarrativeVersion.objects.count() == 1


def test_a_deleted_user_still_shows_as_who_saved() -> None:
    team, cycle = TeamFactory(), CycleFactory()
    petra = user_with_role("petra", "PTL", first_name="Petra")
    save(team, cycle, 0, "words", actor=petra)
    petra.delete()
    narrative = narrative_for(team=team, cycle=cycle)
    assert (narrative.saved_by, narrative.saved_by_name) == (None, "Petra")


def test_narrative_for_a_report_nobody_wrote_is_empty_and_unsaved() -> None:
    narrative = narrative_for(team=TeamFactory(), cycle=CycleFactory())
    assert (narrative.pk, narrative.version, narrative.highlights) == (None, 0, "")
