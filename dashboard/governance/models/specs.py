"""Specs (design documents) as a team's specs repository holds them, and their history."""

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
    (the file name without .rst for full specs, the section title slugified for a spec in
    a lite-specs file). ``path`` is where the spec is now, relative to the repository
    root; a proposed spec's path is the one its review adds. The dates are those of the
    first time the spec reached that state (None: not reached, or not known).
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
    path = models.CharField(max_length=500, blank=True)
    blueprint_url = models.URLField(max_length=500, blank=True)
    authors = models.JSONField(default=list, blank=True, help_text="Names as the spec gives them")
    html = models.TextField(blank=True, help_text="Rendered with docutils, sanitised with nh3")
    review = models.ForeignKey(
        "gerrit.Change",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The change in the specs repository that proposed (or added) the spec",
    )
    proposed_on = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    implemented_on = models.DateField(null=True, blank=True)
    turnaround_days = models.IntegerField(
        null=True, blank=True, help_text="Days from proposal to approval, when both are known"
    )
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "deliverable", "slug"], name="spec_unique_per_deliverable"
            )
        ]
        indexes = [
            models.Index(fields=["team", "state"], name="spec_team_state"),
            models.Index(fields=["team", "cycle"], name="spec_team_cycle"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def blueprint_name(self) -> str:
        """The Launchpad blueprint's name (the last part of its URL), or ""."""
        return self.blueprint_url.rstrip("/").rsplit("/", 1)[-1] if self.blueprint_url else ""

    @property
    def implementation_topics(self) -> list[str]:
        """Gerrit topics that mark this spec's implementation changes."""
        topics = [f"bp/{self.slug}"]
        if self.blueprint_name and self.blueprint_name != self.slug:
            topics.append(f"bp/{self.blueprint_name}")
        return topics


class SpecStateChange(models.Model):
    """One step of a spec's history: it reached ``state`` (in ``cycle``) on ``date``.

    ``date`` is None when the step is known (from a redirect, say) but not when it
    happened; ``source`` says where the date comes from, so the page can say it.
    """

    class Source(models.TextChoices):
        GIT = "git", "git history"
        GERRIT = "gerrit", "Gerrit review"
        IMPORT = "import", "date of import"
        UNKNOWN = "unknown", "date unknown"

    spec = models.ForeignKey(Spec, on_delete=models.CASCADE, related_name="history")
    state = models.CharField(max_length=20, choices=SpecState.choices)
    cycle = models.ForeignKey(
        "governance.Cycle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UNKNOWN)
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["spec", "date", "id"]

    def __str__(self) -> str:
        return f"{self.spec}: {self.state} {self.date or '(date unknown)'}"
