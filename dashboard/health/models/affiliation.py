"""Who works for whom, and when: the basis of the team's diversity figures."""

from __future__ import annotations

from django.db import models


class Organisation(models.Model):
    """An employer. Independent contributors have no organisation (each counts alone)."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Affiliation(models.Model):
    """A Gerrit account's organisation over [start, end); None bounds are open.

    ``organisation`` None records a stretch as an independent.
    """

    account = models.ForeignKey(
        "gerrit.Account", on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["account", "start"]
        indexes = [models.Index(fields=["account", "end"], name="affiliation_account_end")]

    def __str__(self) -> str:
        return f"{self.account} at {self.organisation or 'independent'}"
