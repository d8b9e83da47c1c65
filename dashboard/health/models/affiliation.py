"""Who works for whom, and when: the basis of the team's diversity figures.

An account's organisation is a set of dated stretches ``[start, end)`` (None bounds are
open). Figures resolve the organisation at each event's date (UTC) in SQL, so a person
who changed employer is counted for the right one on either side of the change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Organisation(models.Model):
    """An employer. Independent contributors have no organisation (each counts alone).

    ``aliases`` are other spellings of the name (Stackalytics' ``aliases``) so an import
    finds the same organisation again; ``domains`` are its e-mail domains, used when a
    person has no dated record.
    """

    name = models.CharField(max_length=200, unique=True)
    aliases = models.JSONField(default=list, blank=True)
    domains = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AffiliationSource(models.TextChoices):
    EDIT = "edit", "Edited in Tiller"
    IMPORT = "import", "Imported (default_data.json)"
    DOMAIN = "domain", "Guessed from the e-mail domain"


class Affiliation(models.Model):
    """A Gerrit account's organisation over [start, end); None bounds are open.

    ``organisation`` None records a stretch as an independent. Stretches of one account do
    not overlap (the services refuse it). ``edited_by``/``edited`` say who last wrote the
    row, so a PTL can tell an import from a person's own correction.
    """

    account = models.ForeignKey(
        "gerrit.Account", on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    source = models.CharField(
        max_length=10, choices=AffiliationSource.choices, default=AffiliationSource.EDIT
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited = models.DateTimeField(null=True, blank=True)

    class Meta:
        # An open start is the earliest; SQLite and PostgreSQL disagree on where NULLs sort.
        ordering = ["account", models.F("start").asc(nulls_first=True), "pk"]
        indexes = [models.Index(fields=["account", "end"], name="affiliation_account_end")]

    def __str__(self) -> str:
        return f"{self.account} at {self.organisation or 'independent'}"

    @property
    def organisation_name(self) -> str:
        return self.organisation.name if self.organisation else "Independent"
