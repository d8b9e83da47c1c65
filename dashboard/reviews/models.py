"""What Tiller knows about its own users as Gerrit reviewers: who they are in Gerrit, and
which changes they starred.

Gerrit queries are evaluated *for a person* (``owner:self``, ``is:starred``, facts §6.2), so
each Tiller user who wants personal dashboards links their Gerrit account. Stars are kept
here rather than read from Gerrit: other people's stars are not readable over REST, and a
user's own need their HTTP credentials, which Tiller does not hold per user.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class GerritIdentity(models.Model):
    """The Gerrit account a Tiller user acts as: what ``self`` means in their queries.

    One account per user: a deployment normally talks to one Gerrit server. On a server the
    account does not belong to, the user counts as not signed in to Gerrit.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gerrit_identity"
    )
    account = models.ForeignKey(
        "gerrit.Account", on_delete=models.CASCADE, related_name="tiller_identities"
    )

    class Meta:
        verbose_name = "Gerrit identity"
        verbose_name_plural = "Gerrit identities"

    def __str__(self) -> str:
        return f"{self.user} is {self.account}"


class Star(models.Model):
    """A change a Tiller user starred: the source of ``is:starred`` and ``has:star``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="starred_changes"
    )
    change = models.ForeignKey("gerrit.Change", on_delete=models.CASCADE, related_name="stars")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["user", "change"], name="star_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} starred {self.change_id}"


class Dashboard(models.Model):
    """A named list of query sections, as a gerrit-dash-creator .dash file holds (facts §6.7).

    A team dashboard has ``team`` and no ``owner``; a personal one has ``owner`` (and may name
    the team whose server it runs on). The slug is unique per team and per owner, so import
    can replace a dashboard in place. ``foreach`` is ANDed with every section's query.
    """

    team = models.ForeignKey(
        "gerrit.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="dashboards"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dashboards",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    foreach = models.TextField(blank=True)
    slug = models.SlugField(max_length=100)
    is_default = models.BooleanField(
        default=False, help_text="The team's dashboard shown first (one per team)."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "slug"],
                condition=models.Q(owner__isnull=True),
                name="dashboard_slug_unique_per_team",
            ),
            models.UniqueConstraint(
                fields=["owner", "slug"],
                condition=models.Q(owner__isnull=False),
                name="dashboard_slug_unique_per_owner",
            ),
            models.UniqueConstraint(
                fields=["team"],
                condition=models.Q(is_default=True, owner__isnull=True),
                name="dashboard_one_default_per_team",
            ),
            models.CheckConstraint(
                condition=models.Q(team__isnull=False) | models.Q(owner__isnull=False),
                name="dashboard_has_team_or_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DashboardSection(models.Model):
    """One section of a dashboard: a title and a query (empty: only the ``foreach``)."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    query = models.TextField(blank=True)

    class Meta:
        ordering = ["dashboard", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["dashboard", "position"], name="dashboard_section_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dashboard}: {self.name}"
