"""What a team says about its core reviewers' activity: thresholds and declared bandwidth."""

from __future__ import annotations

from django.conf import settings
from django.db import models

DEFAULT_ACTIVE_REVIEWS = 30
DEFAULT_OCCASIONAL_REVIEWS = 5


class ActivityThresholds(models.Model):
    """Where a team draws the lines between active, occasional and inactive core reviewers.

    Both figures are reviews (the shared definition) in the last 90 days: at least
    ``active_reviews`` is active, at least ``occasional_reviews`` is occasional, fewer is
    inactive. A team without a row uses the defaults (30 and 5: one review every three
    days, and a handful a quarter).
    """

    team = models.OneToOneField(
        "gerrit.Team", on_delete=models.CASCADE, related_name="activity_thresholds"
    )
    active_reviews = models.PositiveIntegerField(default=DEFAULT_ACTIVE_REVIEWS)
    occasional_reviews = models.PositiveIntegerField(default=DEFAULT_OCCASIONAL_REVIEWS)

    class Meta:
        verbose_name_plural = "activity thresholds"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_reviews__gt=models.F("occasional_reviews"))
                & models.Q(occasional_reviews__gte=1),
                name="activity_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.team}: active >= {self.active_reviews}, occasional >= {self.occasional_reviews}"
        )


class DeclaredBandwidth(models.Model):
    """Review time a core reviewer says they can give a team, as declared at ``set_at``.

    Rows are history: the latest per (team, account) is the current declaration. Either
    ``hours_per_week`` (None: not said) or ``stepping_down``; ``set_by`` is the Tiller user
    who entered it (the reviewer themselves or the PTL).
    """

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        "gerrit.Account", on_delete=models.CASCADE, related_name="declared_bandwidths"
    )
    hours_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    stepping_down = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["-set_at", "-id"]
        get_latest_by = "set_at"
        indexes = [
            models.Index(fields=["team", "account", "-set_at"], name="bandwidth_team_account")
        ]

    def __str__(self) -> str:
        if self.stepping_down:
            return f"{self.account}: stepping down"
        if self.hours_per_week is None:
            return f"{self.account}: not declared"
        return f"{self.account}: {self.hours_per_week} h/week"
