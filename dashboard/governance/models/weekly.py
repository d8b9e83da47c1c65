"""The week's review priorities: what the team meeting asks cores to review first.

One ``WeeklyList`` per team and meeting date, holding ordered ``WeeklyItem`` rows. Writes go
through ``dashboard.governance.weekly`` (services), which bumps the list's ``version`` and
leaves a ``WeeklyEdit`` row for every write, so two people composing the same list never
silently overwrite each other and the page can say who changed what, when.

Items keep what they point at by value (a change *number*, a topic *name*, a spec's title as
it was), so a change that is no longer synced or a spec that was deleted still shows as
such instead of vanishing from a list that was mailed out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class WeeklyListQuerySet(models.QuerySet["WeeklyList"]):
    def for_team(self, team_id: int) -> WeeklyListQuerySet:
        """A team's lists, newest meeting first."""
        return self.filter(team_id=team_id).order_by("-week")


class WeeklyList(models.Model):
    """A team's review priorities for the week of one meeting (``week`` = meeting date).

    ``version`` goes up on every write to the list or its items; a write made from an older
    version is refused (``StaleWeeklyList``), never applied over someone else's.
    """

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="weekly_lists")
    week = models.DateField(help_text="The meeting date that set this list")
    intro = models.TextField(
        blank=True, help_text="A few words opening the email, e.g. the meeting's decisions"
    )
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by_name = models.CharField(max_length=150, blank=True)

    objects = WeeklyListQuerySet.as_manager()

    class Meta:
        ordering = ["team", "-week"]
        constraints = [
            models.UniqueConstraint(fields=["team", "week"], name="weeklylist_unique_week")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} week of {self.week:%Y-%m-%d}"


class ItemKind(models.TextChoices):
    CHANGE = "change", "Change"
    TOPIC = "topic", "Topic"
    SPEC = "spec", "Spec"
    TEXT = "text", "Text"


class WeeklyItem(models.Model):
    """One entry of a week's list, at ``position`` (1 = review first).

    Exactly one of ``change_number`` / ``topic`` / ``spec_title`` / ``text`` says what the
    item is, by ``kind``; ``spec`` links the spec while it exists. ``note`` is the PTL's
    word on it ("needs one more +2", "rebase first").
    """

    weekly_list = models.ForeignKey(WeeklyList, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    change_number = models.PositiveIntegerField(null=True, blank=True)
    topic = models.CharField(max_length=255, blank=True)
    spec = models.ForeignKey(
        "governance.Spec", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    spec_title = models.CharField(max_length=300, blank=True)
    text = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    added = models.DateTimeField(default=timezone.now)
    added_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["weekly_list", "position", "pk"]
        indexes = [
            models.Index(fields=["weekly_list", "position"], name="weeklyitem_order"),
            models.Index(fields=["change_number"], name="weeklyitem_change"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"

    @property
    def label(self) -> str:
        """What the item is, in words, whatever its kind."""
        if self.kind == ItemKind.CHANGE:
            return f"Change {self.change_number}"
        if self.kind == ItemKind.TOPIC:
            return f"Topic {self.topic}"
        if self.kind == ItemKind.SPEC:
            return f"Spec “{self.spec_title}”"
        return self.text


class WeeklyEdit(models.Model):
    """Who changed a week's list, when and how (one row per write; the page's history).

    ``version`` is the list's version after the write. ``actor`` is None for a command or
    the demo; ``actor_name`` says who or what it was either way.
    """

    weekly_list = models.ForeignKey(WeeklyList, on_delete=models.CASCADE, related_name="edits")
    version = models.PositiveIntegerField()
    summary = models.CharField(max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.summary}"


class WeeklyDelegate(models.Model):
    """A core the PTL lets compose the team's weekly lists (the PTL always may)."""

    team = models.ForeignKey(
        "gerrit.Team", on_delete=models.CASCADE, related_name="weekly_delegates"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted = models.DateTimeField(default=timezone.now)
    granted_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="weeklydelegate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} composes {self.team_id}'s weekly priorities"
