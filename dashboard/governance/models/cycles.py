"""Release cycles (OpenStack's series: mitaka, newton, ocata...) and their dated events."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import models
from django.db.models.functions import Coalesce

if TYPE_CHECKING:
    from dashboard.gerrit.models import Team


class CycleStatus(models.TextChoices):
    FUTURE = "future", "Future"
    DEVELOPMENT = "development", "In development"
    MAINTAINED = "maintained", "Maintained"
    EXTENDED = "extended", "Extended maintenance"
    UNMAINTAINED = "unmaintained", "Unmaintained"
    EOL = "eol", "End of life"


class CycleQuerySet(models.QuerySet["Cycle"]):
    def current(self, at: date | None = None) -> Cycle | None:
        """The cycle whose [start, end] holds ``at`` (today by default), or None."""
        from django.utils import timezone

        at = at or timezone.localdate()
        return self.filter(start__lte=at, end__gte=at).order_by("start").first()


class Cycle(models.Model):
    """A release series, shared by every team (release series are global in OpenStack).

    ``start`` is the Monday of the first R-N week; ``end`` is the Monday of the release
    week (R+0), as the release team's schedule files give them.
    """

    name = models.SlugField(max_length=50, unique=True, help_text="Lower case: ocata, 2026.2…")
    release_id = models.CharField(max_length=20, blank=True, help_text="e.g. 2026.2; optional")
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True, help_text="Monday of the release week")
    status = models.CharField(
        max_length=20, choices=CycleStatus.choices, default=CycleStatus.FUTURE
    )

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["start", "name"]

    def __str__(self) -> str:
        return self.name.capitalize()


class EventKind(models.TextChoices):
    MILESTONE = "milestone", "Milestone"
    SPEC_PROPOSAL_FREEZE = "spec-proposal-freeze", "Spec proposal freeze"
    SPEC_FREEZE = "spec-freeze", "Spec freeze"
    FEATURE_FREEZE = "feature-freeze", "Feature freeze"
    STRING_FREEZE = "string-freeze", "String freeze"
    REQUIREMENTS_FREEZE = "requirements-freeze", "Requirements freeze"
    RC = "rc", "Release candidate"
    FINAL_RELEASE = "final-release", "Final release"
    TEAM = "team", "Team event"
    OTHER = "other", "Other"


# The kinds the cycle page counts down to, in the order a cycle meets them.
FREEZE_KINDS = (
    EventKind.SPEC_PROPOSAL_FREEZE,
    EventKind.SPEC_FREEZE,
    EventKind.FEATURE_FREEZE,
    EventKind.STRING_FREEZE,
    EventKind.REQUIREMENTS_FREEZE,
)


class CycleEventQuerySet(models.QuerySet["CycleEvent"]):
    def for_team(self, team: Team) -> CycleEventQuerySet:
        """Cross-project events (``team`` is None) and ``team``'s own."""
        return self.filter(models.Q(team__isnull=True) | models.Q(team=team))

    def deadlines(self, *, team: Team, kind: str) -> CycleEventQuerySet:
        """``team``'s events of ``kind``, the one that counts first, with ``deadline``.

        The team's own event wins over a cross-project one of the same kind (a team may
        freeze earlier than everyone); of several, the earliest (a soft string freeze
        comes before the hard one). ``deadline`` is the ``day`` property in SQL, so a
        page can annotate many cycles' freezes in one query.
        """
        return (
            self.filter(kind=kind)
            .for_team(team)
            .annotate(deadline=Coalesce("due", "start"))
            .order_by(models.F("team").asc(nulls_last=True), "deadline", "start")
        )


class CycleEvent(models.Model):
    """A dated event of a cycle: cross-project (``team`` is None) or one team's own.

    ``start``/``end`` are the days it covers (one week for schedule entries, one day or a
    few for team events such as a virtual midcycle or a review day).
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="events")
    team = models.ForeignKey(
        "gerrit.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    label = models.CharField(
        max_length=100, blank=True, help_text="The schedule's id, e.g. o-glance-spec-freeze"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start = models.DateField()
    end = models.DateField()
    due = models.DateField(
        null=True,
        blank=True,
        help_text="The deadline's day: the week's Thursday unless the schedule says otherwise",
    )

    objects = CycleEventQuerySet.as_manager()

    class Meta:
        ordering = ["start", "title"]
        indexes = [models.Index(fields=["cycle", "start"], name="cycleevent_cycle_start")]

    def __str__(self) -> str:
        return f"{self.title} ({self.start})"

    @property
    def day(self) -> date:
        """The day the event is due (its deadline), or its first day when it has none."""
        return self.due or self.start

    @property
    def is_freeze(self) -> bool:
        return self.kind in FREEZE_KINDS
