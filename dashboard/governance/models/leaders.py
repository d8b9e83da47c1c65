"""Who leads a team: its PTL for each cycle and its cross-project liaisons."""

from __future__ import annotations

from django.db import models


class LeaderRole(models.TextChoices):
    PTL = "ptl", "PTL"
    RELEASE = "release", "Release liaison"
    SECURITY = "security", "Security liaison"
    TACT_SIG = "tact-sig", "TaCT SIG liaison"
    TC = "tc-liaison", "TC liaison"
    OTHER = "other", "Liaison"


class LeaderQuerySet(models.QuerySet["Leader"]):
    def ptls(self) -> LeaderQuerySet:
        return self.filter(role=LeaderRole.PTL)

    def liaisons(self) -> LeaderQuerySet:
        return self.exclude(role=LeaderRole.PTL)


class Leader(models.Model):
    """One person in one leading role of a team for one cycle.

    The PTL is elected per cycle (OpenStack's election results, or an unopposed candidacy);
    liaisons are named in governance's projects.yaml without a cycle, so an import gives
    them the cycle current at import time. ``account`` links the person to their Gerrit
    account when known, so pages can link their reviews.
    """

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="leaders")
    cycle = models.ForeignKey("governance.Cycle", on_delete=models.CASCADE, related_name="leaders")
    role = models.CharField(max_length=20, choices=LeaderRole.choices)
    name = models.CharField(max_length=200)
    irc = models.CharField(max_length=100, blank=True, verbose_name="IRC nick")
    email = models.EmailField(blank=True)
    account = models.ForeignKey(
        "gerrit.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leader_roles",
    )
    source = models.CharField(
        max_length=200, blank=True, help_text="Where this came from: a file, or 'edited in app'"
    )

    objects = LeaderQuerySet.as_manager()

    class Meta:
        ordering = ["cycle__start", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "cycle", "role", "name"], name="leader_unique_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.cycle})"
