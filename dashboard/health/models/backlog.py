"""The team's backlog over time and its stale-patch policy.

``BacklogSnapshot`` keeps one row per team per day, so trend charts read a handful of rows
instead of replaying history on every page view. ``StalePolicy`` holds the PTL's thresholds
and ``AbandonAction`` is the audit log of every abandon asked of Gerrit (dry runs included).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SnapshotSource(models.TextChoices):
    LIVE = "live", "Taken from the synced state"
    REBUILT = "rebuilt", "Rebuilt from the vote history"


class BacklogSnapshot(models.Model):
    """The backlog of one team at the end of one UTC day.

    ``open_changes`` counts every open change; the ``waiting_*`` figures use the open-reviews
    scope (not WIP, not approved, not on a stable branch). ``reviewable`` is open, not WIP,
    Verified +1, Workflow 0 and no Code-Review -2. ``merge_conflicts`` is None on rebuilt
    days: Gerrit keeps no history of mergeability.
    """

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    open_changes = models.IntegerField()
    in_scope = models.IntegerField(help_text="Open, not WIP, not approved, not stable/*.")
    reviewable = models.IntegerField()
    waiting_on_submitter = models.IntegerField()
    waiting_on_reviewer = models.IntegerField()
    merge_conflicts = models.IntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=SnapshotSource.choices)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["team", "day"]
        constraints = [
            models.UniqueConstraint(fields=["team", "day"], name="backlog_snapshot_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.team} backlog on {self.day}"


DEFAULT_ABANDON_MESSAGE = (
    "This change has had no new patch set for a long time while it needs work from its "
    "owner, so it is being abandoned to keep the review queue useful. Please restore it "
    "and upload a new patch set whenever you pick it up again."
)


class StalePolicy(models.Model):
    """A team's stale-patch thresholds (days). A team without a row uses the defaults."""

    team = models.OneToOneField("gerrit.Team", on_delete=models.CASCADE, related_name="+")
    abandon_after_days = models.PositiveIntegerField(
        default=60,
        help_text="Days in merge conflict, with a core -1/-2 or a CI -1 before a change "
        "becomes an abandon candidate.",
    )
    starved_after_days = models.PositiveIntegerField(
        default=30,
        help_text="Days waiting on reviewers, with no negative feedback, before a change "
        "counts as starved.",
    )
    abandon_message = models.TextField(default=DEFAULT_ABANDON_MESSAGE)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Stale policy of {self.team}"


class AbandonOutcome(models.TextChoices):
    DRY_RUN = "dry-run", "Dry run (nothing sent)"
    ABANDONED = "abandoned", "Abandoned in Gerrit"
    FAILED = "failed", "Gerrit refused or failed"
    REFUSED = "refused", "Refused by Tiller"


class AbandonAction(models.Model):
    """One abandon asked for one change: who, when, the message sent, what came of it."""

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="+")
    change = models.ForeignKey("gerrit.Change", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField()
    message = models.TextField()
    dry_run = models.BooleanField()
    outcome = models.CharField(max_length=10, choices=AbandonOutcome.choices)
    detail = models.TextField(blank=True, help_text="Gerrit's error or Tiller's reason.")

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["team", "-created"], name="abandon_team_created")]

    def __str__(self) -> str:
        return f"{self.outcome}: change {self.change_id} by {self.user_id}"
