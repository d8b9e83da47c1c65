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
