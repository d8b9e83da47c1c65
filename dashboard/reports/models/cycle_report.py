"""The PTL's narrative of a cycle report (highlights, what went wrong, advice) and its
history of saved versions.

The figures of the report are computed on every view (``reports.cycle_report``); only
what the PTL writes is stored. ``ReportNarrative`` holds the current text and its
``version``; every save also leaves a ``ReportNarrativeVersion`` row (who, when, the whole
text), so an earlier draft can always be read again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportNarrative(models.Model):
    """The current narrative of one team's report for one cycle.

    ``version`` is the number of saves so far (0 before the first): a save says which
    version it was written from, and one written from an older version is refused rather
    than silently overwriting someone else's words. ``saved_by`` is None once that user is
    deleted; ``saved_by_name`` still says who it was.
    """

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey("governance.Cycle", on_delete=models.CASCADE, related_name="+")
    highlights = models.TextField(blank=True)
    problems = models.TextField(blank=True, help_text="What went wrong")
    advice = models.TextField(blank=True, help_text="Advice to the next PTL")
    version = models.PositiveIntegerField(default=0)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_by_name = models.CharField(max_length=150, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "cycle"], name="one_narrative_per_report")
        ]

    def __str__(self) -> str:
        return f"Report narrative of {self.team} for {self.cycle} (version {self.version})"


class ReportNarrativeVersion(models.Model):
    """One saved version of a narrative: the whole text as saved, who saved it and when."""

    narrative = models.ForeignKey(
        ReportNarrative, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField()
    highlights = models.TextField(blank=True)
    problems = models.TextField(blank=True)
    advice = models.TextField(blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_by_name = models.CharField(max_length=150)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["narrative", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["narrative", "version"], name="one_row_per_narrative_version"
            )
        ]

    def __str__(self) -> str:
        return f"Version {self.version} by {self.saved_by_name} at {self.saved_at:%Y-%m-%d %H:%M}"
