"""Writes to the PTL's narrative of a cycle report, safe against two people editing.

A save names the version it was written from. The narrative row is locked, its version
compared, and a save from an older version raises ``StaleNarrative`` carrying the newer
text, so the page can show it beside the unsaved words instead of overwriting either.
Every save keeps a ``ReportNarrativeVersion`` row: who, when, and the whole text.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from dashboard.gerrit.models import Team
from dashboard.governance.models import Cycle
from dashboard.reports.models import ReportNarrative, ReportNarrativeVersion

SECTIONS = (
    ("highlights", "Highlights"),
    ("problems", "What went wrong"),
    ("advice", "Advice to the next PTL"),
)


class StaleNarrative(Exception):
    """The narrative was saved by someone else since the form was loaded."""

    def __init__(self, current: ReportNarrative) -> None:
        self.current = current
        super().__init__(
            f"{current.saved_by_name or 'Someone'} saved a newer version (version "
            f"{current.version}) while you were writing; your text was not saved. The newer "
            "text is shown below, with yours kept beside it to merge by hand."
        )


def narrative_for(*, team: Team, cycle: Cycle) -> ReportNarrative:
    """The stored narrative, or an unsaved empty one at version 0 (nothing written yet)."""
    found = ReportNarrative.objects.filter(team=team, cycle=cycle).first()
    return found or ReportNarrative(team=team, cycle=cycle)


def _actor_name(actor: AbstractBaseUser | None, fallback: str) -> str:
    if actor is None:
        return fallback
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return full or actor.get_username()


@transaction.atomic
def save_narrative(
    *,
    team: Team,
    cycle: Cycle,
    actor: AbstractBaseUser | None,
    expected_version: int,
    highlights: str,
    problems: str,
    advice: str,
    actor_name: str = "",
) -> ReportNarrative:
    """Save the three sections as a new version, if nobody saved since ``expected_version``.

    ``actor`` None is a command or the demo (``actor_name`` says which). Raises
    StaleNarrative when the stored version is not ``expected_version``.
    """
    ReportNarrative.objects.get_or_create(team=team, cycle=cycle)
    # Locking serialises two saves on PostgreSQL: the second waits, then sees the first's
    # version and is refused. (SQLite serialises writes anyway.)
    narrative = ReportNarrative.objects.select_for_update().get(team=team, cycle=cycle)
    if narrative.version != expected_version:
        raise StaleNarrative(narrative)
    now = timezone.now()
    name = _actor_name(actor, actor_name or "Tiller")[:150]
    user = actor if actor is not None and actor.pk else None
    narrative.highlights, narrative.problems, narrative.advice = highlights, problems, advice
    narrative.version += 1
    narrative.saved_by, narrative.saved_by_name, narrative.saved_at = user, name, now
    narrative.save()
    ReportNarrativeVersion.objects.create(
        narrative=narrative,
        version=narrative.version,
        highlights=highlights,
        problems=problems,
        advice=advice,
        saved_by=user,
        saved_by_name=name,
        saved_at=now,
    )
    return narrative
