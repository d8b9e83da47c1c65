"""A team's ordered review priorities for a cycle, their history, and feature-freeze
exceptions.

Writes go through ``dashboard.governance.priorities`` (services), which keeps
``PriorityChange`` rows for every create, edit, move, status change, delete and import:
that table is both the page's history and the list's version (see ``list_version``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PriorityStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"
    DEPRIORITIZED = "deprioritized", "Deprioritized"


class PriorityQuerySet(models.QuerySet["Priority"]):
    def for_list(self, *, team_id: int, cycle_id: int) -> PriorityQuerySet:
        """One team's list for one cycle, in the PTL's order."""
        return self.filter(team_id=team_id, cycle_id=cycle_id).order_by("position", "pk")


class Priority(models.Model):
    """One item of a team's cycle priorities, at ``position`` (1 = most important).

    Owners are the names as the team wrote them (``owner_names``, free text) and, where a
    name matched a synced Gerrit account, that account (``owners``). ``spec_references`` are
    the spec links that matched no ``Spec`` row yet, kept as ``{"text", "url"}`` so nothing
    the file said is lost; a later import resolves them once the specs are imported.
    ``version`` goes up on every write to the item, so an edit form sent from an older
    version is refused rather than silently overwriting someone else's edit.
    ``status_date`` is the day the status was last set (None while active from the start).
    """

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="priorities")
    cycle = models.ForeignKey(
        "governance.Cycle", on_delete=models.CASCADE, related_name="priorities"
    )
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner_names = models.JSONField(default=list, blank=True)
    owners = models.ManyToManyField("gerrit.Account", blank=True, related_name="priorities")
    specs = models.ManyToManyField("governance.Spec", blank=True, related_name="priorities")
    spec_references = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True, help_text="Gerrit topics, e.g. bp/x")
    change_numbers = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=20, choices=PriorityStatus.choices, default=PriorityStatus.ACTIVE
    )
    status_reason = models.TextField(blank=True)
    status_date = models.DateField(null=True, blank=True)
    section = models.CharField(
        max_length=200, blank=True, help_text='The file\'s heading, e.g. "Side Priorities"'
    )
    target = models.CharField(max_length=50, blank=True, help_text="Target milestone, e.g. M2")
    imported_from = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    objects = PriorityQuerySet.as_manager()

    class Meta:
        ordering = ["team", "cycle", "position", "pk"]
        verbose_name_plural = "priorities"
        indexes = [
            models.Index(fields=["team", "cycle", "position"], name="priority_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class PriorityAction(models.TextChoices):
    CREATED = "created", "Added"
    EDITED = "edited", "Edited"
    MOVED = "moved", "Reordered"
    STATUS = "status", "Status changed"
    DELETED = "deleted", "Removed"
    IMPORTED = "imported", "Imported"


class PriorityChange(models.Model):
    """Who changed a team's cycle priorities, when, and what (one row per write).

    ``priority`` is None once the item is deleted; ``title`` keeps its name for the
    history. ``changes`` maps a field to ``[old, new]``; for a reorder it holds the whole
    old and new order as lists of titles. ``actor`` is None for a command (import, demo),
    ``actor_name`` says who or what it was either way.
    """

    team = models.ForeignKey(
        "gerrit.Team", on_delete=models.CASCADE, related_name="priority_changes"
    )
    cycle = models.ForeignKey(
        "governance.Cycle", on_delete=models.CASCADE, related_name="priority_changes"
    )
    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="history"
    )
    title = models.CharField(max_length=300)
    action = models.CharField(max_length=20, choices=PriorityAction.choices)
    summary = models.CharField(max_length=500)
    changes = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["team", "cycle", "-id"], name="prioritychange_list")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.summary}"


class FFEDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    GRANTED = "granted", "Granted"
    DENIED = "denied", "Denied"


class FeatureFreezeException(models.Model):
    """A request to land a feature (a spec's work, or one change) after feature freeze.

    A request names a spec or a change (or both; the service checks). No database
    constraint says so, because deleting the spec or the change leaves the request on
    record, with the words of its ``title``. ``requester`` is the Tiller user
    who asked (None for requests recorded by a command), ``requester_name`` the person as
    shown. ``decided`` and ``decided_by`` are set when the PTL grants or denies.
    """

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="ffes")
    cycle = models.ForeignKey("governance.Cycle", on_delete=models.CASCADE, related_name="ffes")
    spec = models.ForeignKey(
        "governance.Spec", null=True, blank=True, on_delete=models.SET_NULL, related_name="ffes"
    )
    change = models.ForeignKey(
        "gerrit.Change", null=True, blank=True, on_delete=models.SET_NULL, related_name="ffes"
    )
    title = models.CharField(max_length=300, help_text="What would land late, in a few words")
    reason = models.TextField(blank=True, help_text="Why it should land after the freeze")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ffe_requests",
    )
    requester_name = models.CharField(max_length=150)
    requested = models.DateField(default=timezone.localdate)
    decision = models.CharField(
        max_length=10, choices=FFEDecision.choices, default=FFEDecision.PENDING
    )
    decided = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ffe_decisions",
    )
    note = models.TextField(blank=True, help_text="The decision's conditions or reasons")

    class Meta:
        ordering = ["-requested", "-pk"]
        verbose_name = "feature-freeze exception"

    def __str__(self) -> str:
        return f"FFE: {self.title} ({self.get_decision_display()})"
