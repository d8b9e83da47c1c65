"""Specs (design documents) as a team's specs repository holds them."""

from __future__ import annotations

from django.db import models


class SpecKind(models.TextChoices):
    SPEC = "spec", "Spec"
    LITE = "lite", "Lite spec"


class SpecState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    IMPLEMENTED = "implemented", "Implemented"
    UNTARGETED = "untargeted", "Untargeted"
    ABANDONED = "abandoned", "Abandoned"


class Spec(models.Model):
    """One spec of one team; a lite-spec file holding several specs gives several rows.

    ``cycle`` is None for untargeted specs. ``slug`` is unique per team and deliverable
    (the file name without .rst for full specs).
    """

    team = models.ForeignKey("gerrit.Team", on_delete=models.CASCADE, related_name="specs")
    slug = models.SlugField(max_length=200)
    title = models.CharField(max_length=300)
    deliverable = models.CharField(max_length=100, blank=True, help_text="glance, glance_store…")
    cycle = models.ForeignKey(
        "governance.Cycle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="specs",
    )
    kind = models.CharField(max_length=10, choices=SpecKind.choices, default=SpecKind.SPEC)
    state = models.CharField(max_length=20, choices=SpecState.choices)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "deliverable", "slug"], name="spec_unique_per_deliverable"
            )
        ]

    def __str__(self) -> str:
        return self.title
