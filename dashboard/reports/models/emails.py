"""The priority email: where a team's list goes, and every email Tiller sent.

``TeamEmailSettings`` is one optional row per team (the PTL edits it on the email page); a
team without one gets ``TeamEmailSettings.for_team``'s unsaved defaults, so reading never
writes. ``SentEmail`` keeps each email exactly as it went out (the raw message included),
so its permalink and .eml download show what the list received even after the weekly list
changed or was deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from dashboard.gerrit.models import Team


class TeamEmailSettings(models.Model):
    """A team's mailing list address, optional Reply-To, and the subject's tag."""

    team = models.OneToOneField(
        "gerrit.Team", on_delete=models.CASCADE, related_name="email_settings"
    )
    list_address = models.EmailField(
        blank=True, help_text="The mailing list the priorities go to, e.g. openstack-dev@…"
    )
    reply_to = models.EmailField(blank=True, help_text="Optional; replies go to the list if empty")
    subject_tag = models.CharField(
        max_length=100, blank=True, help_text="Opens the subject; “[<team>]” when empty"
    )
    updated = models.DateTimeField(default=timezone.now)
    updated_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name_plural = "team email settings"

    def __str__(self) -> str:
        return f"{self.team_id} mails {self.list_address or 'nobody yet'}"

    @classmethod
    def for_team(cls, team: Team) -> TeamEmailSettings:
        """The team's row, or unsaved defaults when the PTL has not set any (one query)."""
        found = cls.objects.filter(team=team).first()
        if found is None:
            return cls(team=team)
        found.team = team  # the caller's, already loaded: ``tag`` needs no second query
        return found

    @property
    def tag(self) -> str:
        """The subject's opening tag: the one set, else the team's name in brackets."""
        return self.subject_tag.strip() or f"[{self.team.name}]"


class SentEmailQuerySet(models.QuerySet["SentEmail"]):
    def for_team(self, team_id: int) -> SentEmailQuerySet:
        """A team's sent emails, newest first."""
        return self.filter(team_id=team_id).order_by("-sent_at", "-pk")


class SentEmail(models.Model):
    """One priority email as it was sent: the archive row behind its permalink.

    ``weekly_list`` goes NULL if the list is deleted; ``week`` and ``list_version`` keep
    which list, and which state of it, the email was made from. ``raw`` is the message's
    bytes (RFC 5322, as handed to the mail backend) for the .eml download.
    """

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="sent_emails")
    weekly_list = models.ForeignKey(
        "governance.WeeklyList",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sent_emails",
    )
    week = models.DateField(help_text="The meeting date of the list that was sent")
    list_version = models.PositiveIntegerField()
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField()
    to = models.JSONField(default=list)
    reply_to = models.JSONField(default=list, blank=True)
    from_email = models.CharField(max_length=300)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sender_name = models.CharField(max_length=150)
    sent_at = models.DateTimeField(default=timezone.now)
    message_id = models.CharField(max_length=300, unique=True)
    raw = models.TextField(help_text="The message as sent, for the .eml download")

    objects = SentEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["team", "-sent_at"], name="sentemail_team_sent")]

    def __str__(self) -> str:
        return f"{self.sent_at:%Y-%m-%d %H:%M} {self.subject}"
