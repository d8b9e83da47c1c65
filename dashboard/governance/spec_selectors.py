"""Page-shaped reads for the specs pages: list, detail, untargeted list, turnaround.

Each function runs a fixed number of queries whatever the number of specs (the view tests
pin them). Figures come from SQL aggregation over Spec rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat, Left, Substr
from django.db.models.lookups import Exact

from dashboard.gerrit.models import Change, ChangeStatus, Team
from dashboard.governance.models import (
    Cycle,
    CycleEvent,
    EventKind,
    Spec,
    SpecState,
    SpecStateChange,
)
from dashboard.governance.selectors import freeze_date
from dashboard.governance.specs_tree import cycle_order

SPECS_PER_PAGE = 50
BLUEPRINT_TOPIC = "bp/"


def spec_freeze_date(*, cycle: Cycle, team: Team) -> date | None:
    """The day of ``cycle``'s spec freeze for ``team``, or None when the schedule lacks it."""
    return freeze_date(cycle=cycle, team=team, kind=EventKind.SPEC_FREEZE)


def with_freeze(specs: QuerySet[Spec], *, team: Team) -> QuerySet[Spec]:
    """Annotate ``freeze`` (the spec freeze of the spec's cycle) in the same query."""
    events = CycleEvent.objects.deadlines(team=team, kind=EventKind.SPEC_FREEZE)
    freeze = events.filter(cycle=OuterRef("cycle")).values("deadline")[:1]
    return specs.annotate(freeze=Subquery(freeze))


@dataclass(frozen=True)
class SpecFilters:
    """The specs list's query string; empty strings mean "any"."""

    q: str = ""
    cycle: str = ""
    state: str = ""
    deliverable: str = ""
    kind: str = ""

    def describe(self) -> str:
        """The filters in plain words, shown above the results."""
        kind = {"spec": "full specs", "lite": "lite specs"}.get(self.kind, "specs")
        state = f"{SpecState(self.state).label.lower()} " if self.state else ""
        parts = [f"{state}{kind}"]
        if self.cycle:
            parts.append("with no cycle" if self.cycle == "none" else f"for {self.cycle}")
        if self.deliverable:
            parts.append(f"of {self.deliverable}")
        if self.q:
            parts.append(f"matching “{self.q}”")
        return "all " + " ".join(parts) if not (self.state or self.q) else " ".join(parts)

    @property
    def is_default(self) -> bool:
        return self == SpecFilters()


def spec_list(*, team: Team, filters: SpecFilters, cycles: list[str]) -> QuerySet[Spec]:
    """The team's specs matching ``filters``, newest cycle first, then by title.

    ``cycles`` are the team's cycle names (from filter_choices), for the order. ``q``
    matches words of the title, the slug, the blueprint or an author, each word
    anywhere (case-insensitive), so "cache api" finds "Cache API for operators".
    """
    specs = Spec.objects.filter(team=team).select_related("cycle")
    for word in filters.q.split()[:8]:
        specs = specs.filter(
            Q(title__icontains=word)
            | Q(slug__icontains=word)
            | Q(blueprint_url__icontains=word)
            | Q(authors__icontains=word)
        )
    if filters.cycle == "none":
        specs = specs.filter(cycle__isnull=True)
    elif filters.cycle:
        specs = specs.filter(cycle__name=filters.cycle)
    if filters.state:
        specs = specs.filter(state=filters.state)
    if filters.deliverable:
        specs = specs.filter(deliverable=filters.deliverable)
    if filters.kind:
        specs = specs.filter(kind=filters.kind)
    specs = with_freeze(specs, team=team).annotate(cycle_rank=cycle_rank(cycles))
    return specs.order_by(F("cycle_rank").desc(nulls_last=True), "title", "deliverable")


def cycle_rank(cycles: list[str]) -> Case:
    """An SQL expression giving each of ``cycles`` its release order (names do not sort)."""
    return Case(
        *(When(cycle__name=name, then=Value(cycle_order(name)[0])) for name in cycles),
        default=Value(None),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class FilterChoices:
    cycles: list[str]
    deliverables: list[str]


def filter_choices(*, team: Team) -> FilterChoices:
    """Cycles (newest first) and deliverables the team's specs use: two queries."""
    names = Cycle.objects.filter(specs__team=team).distinct().values_list("name", flat=True)
    cycles = sorted(names, key=cycle_order, reverse=True)
    deliverables = list(
        Spec.objects.filter(team=team)
        .order_by("deliverable")
        .values_list("deliverable", flat=True)
        .distinct()
    )
    return FilterChoices(cycles=cycles, deliverables=deliverables)


@dataclass(frozen=True)
class SpecDetail:
    spec: Spec
    history: list[SpecStateChange]
    implementation: list[Change]
    reviews: list[Change]
    freeze: date | None

    @property
    def proposed_after_freeze(self) -> bool:
        return bool(self.freeze and self.spec.proposed_on and self.spec.proposed_on > self.freeze)

    @property
    def merged_implementation(self) -> int:
        return sum(1 for change in self.implementation if change.status == ChangeStatus.MERGED)


def with_spec_marker(changes: QuerySet[Change]) -> QuerySet[Change]:
    """Annotate ``spec_deliverable`` and ``spec_slug`` of the spec a change implements
    (topic ``bp/<slug>``, a spec of the change's team), None where there is none: the
    marker on dashboard rows, in the rows' own query."""
    specs = Spec.objects.filter(
        team=OuterRef("repository__team"),
        slug=Substr(OuterRef("topic"), len(BLUEPRINT_TOPIC) + 1),
    ).filter(Exact(Left(OuterRef("topic"), len(BLUEPRINT_TOPIC)), Value(BLUEPRINT_TOPIC)))
    return changes.annotate(
        spec_deliverable=Subquery(specs.values("deliverable")[:1]),
        spec_slug=Subquery(specs.values("slug")[:1]),
    )


def implementation_changes(*, team: Team, spec: Spec) -> QuerySet[Change]:
    """Changes in the team's code repositories whose topic is bp/<slug> or bp/<blueprint>.

    The specs repository's own changes often carry the same topic; they are the spec's
    reviews, not its implementation.
    """
    return (
        Change.objects.in_team(team)
        .filter(topic__in=spec.implementation_topics)
        .exclude(repository__name__endswith="-specs")
        .select_related("repository", "owner", "server")
        .order_by("-updated")
    )


def spec_detail(*, team: Team, deliverable: str, slug: str) -> SpecDetail | None:
    """One spec with its history, reviews and implementation changes (five queries), or None.

    ``reviews`` are the changes in the team's ``*-specs`` repositories that touch a file
    the spec has lived in (its proposal, amendments, its move to implemented/).
    """
    spec = (
        with_freeze(Spec.objects.filter(team=team, deliverable=deliverable, slug=slug), team=team)
        .select_related("cycle", "review__server", "review__repository")
        .first()
    )
    if spec is None:
        return None
    history = list(
        spec.history.select_related("cycle").order_by(F("date").asc(nulls_first=True), "id")
    )
    changes = list(implementation_changes(team=team, spec=spec)[:200])
    paths = {spec.path, *(step.path for step in history)} - {""}
    reviews = list(
        Change.objects.in_team(team)
        .filter(repository__name__endswith="-specs", files__path__in=paths)
        .select_related("repository", "owner", "server")
        .distinct()
        .order_by("created")[:100]
    )
    return SpecDetail(
        spec=spec,
        history=history,
        implementation=changes,
        reviews=reviews,
        freeze=spec.freeze,  # type: ignore[attr-defined]
    )


def untargeted_specs(*, team: Team) -> QuerySet[Spec]:
    """Approved specs no cycle has taken on, with how many changes already implement them.

    ``open_changes`` / ``merged_changes`` count changes whose topic is bp/<slug> (one
    correlated count each, in the same query).
    """
    topic = Concat(Value("bp/"), OuterRef("slug"))
    team_changes = (
        Change.objects.in_team(team)
        .filter(topic=topic)
        .exclude(repository__name__endswith="-specs")
    )

    def count(status: str) -> Subquery:
        return Subquery(
            team_changes.filter(status=status)
            .order_by()
            .values("topic")
            .annotate(n=Count("id"))
            .values("n")[:1]
        )

    return (
        Spec.objects.filter(team=team, state=SpecState.UNTARGETED)
        .annotate(
            open_changes=count(ChangeStatus.NEW),
            merged_changes=count(ChangeStatus.MERGED),
            has_changes=Exists(team_changes),
        )
        .order_by("deliverable", "title")
    )


@dataclass(frozen=True)
class TurnaroundRow:
    cycle: str
    specs: int
    measured: int
    average_days: float | None
    fastest_days: int | None
    slowest_days: int | None
    after_freeze: int


def turnaround(*, team: Team) -> list[TurnaroundRow]:
    """Per cycle: specs, and days from proposal to approval where both dates are known.

    One aggregate query. A spec counts in the cycle it is in now; ``after_freeze`` counts
    specs proposed after that cycle's spec freeze.
    """
    events = CycleEvent.objects.deadlines(team=team, kind=EventKind.SPEC_FREEZE)
    freeze = events.filter(cycle=OuterRef("cycle")).values("deadline")[:1]
    rows = (
        Spec.objects.filter(team=team, cycle__isnull=False)
        .annotate(freeze=Subquery(freeze))
        .values("cycle", "cycle__name")
        .annotate(
            specs=Count("id"),
            measured=Count("turnaround_days"),
            average=Avg("turnaround_days"),
            fastest=Min("turnaround_days"),
            slowest=Max("turnaround_days"),
            after=Count("id", filter=Q(proposed_on__gt=F("freeze"))),
        )
    )
    rows = sorted(rows, key=lambda row: cycle_order(row["cycle__name"]), reverse=True)
    return [
        TurnaroundRow(
            cycle=row["cycle__name"],
            specs=row["specs"],
            measured=row["measured"],
            average_days=round(row["average"], 1) if row["average"] is not None else None,
            fastest_days=row["fastest"],
            slowest_days=row["slowest"],
            after_freeze=row["after"],
        )
        for row in rows
    ]
