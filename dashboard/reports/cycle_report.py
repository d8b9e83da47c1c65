"""The PTL's end-of-cycle report, drafted from the data: builds the tree of frozen
dataclasses of ``reports.cycle_report_tree``.

Every figure comes from an existing selector or model where one exists (reviewer activity,
backlog snapshots, diversity), read for the cycle's window: from its first day (00:00 UTC)
to the end of its last day (the release week's Monday), cut at now while it runs; the
same window as ``?cycle=NAME`` on the reviewers page, so the figures agree.

Definitions the report states in words (``METHODS``):

* **Constant** core reviewers reviewed in at least half of the cycle's weeks (Monday to
  Sunday, UTC; a week counts when it holds one review by the shared definition),
  **occasional** ones in at least one week but fewer, **silent** ones in none. Cores are
  everyone in the core group at some time during the cycle.
* **Review days** are the team's own events whose title names a review day. Their effect
  is the reviews per day on the event's days against the median weekday (Monday to
  Friday) of the cycle, review days left out of the median.
* **Backlog** at the start and end is the backlog snapshot of the first and last day
  (as the day ended), rebuilt from history when no snapshot was kept.

Everything that may have gone (a spec, a change or a person deleted, a PTL without a
Gerrit account) is shown as such; nothing here assumes a row still exists.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from statistics import median

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from dashboard.gerrit.models import CoreMembership, Team
from dashboard.governance.models import (
    Cycle,
    CycleEvent,
    EventKind,
    FeatureFreezeException,
    FFEDecision,
    Leader,
    Priority,
    PriorityStatus,
    Spec,
    SpecState,
    SpecStateChange,
)
from dashboard.health.diversity import team_diversity
from dashboard.health.models import AbandonAction, AbandonOutcome, BacklogSnapshot
from dashboard.health.reviewers import reviewer_activity
from dashboard.health.snapshots import figures_on
from dashboard.health.trends import reviews_in
from dashboard.health.window import Window, WindowError, parse_window
from dashboard.reports.cycle_report_tree import (
    AbandonedChange,
    Activity,
    Backlog,
    BacklogPoint,
    CoreFigures,
    CoreReviewer,
    CycleReport,
    Diversity,
    DiversityMeasure,
    FFEItem,
    Link,
    Priorities,
    PriorityItem,
    ReportUnavailable,
    ReviewDay,
    ReviewDays,
    SpecFigures,
    SpecItem,
)
from dashboard.reports.models import ReportNarrativeVersion
from dashboard.reports.narratives import narrative_for

CONSTANT_SHARE = 0.5
TOP_REVIEWERS = 10
NARRATIVE_HISTORY = 10
BACKLOG_FIGURES = ("open_changes", "reviewable", "waiting_on_reviewer", "waiting_on_submitter")
REVIEW_DAY = re.compile(r"review[\s_-]*days?\b", re.IGNORECASE)


def cycle_window(*, cycle: Cycle, now: datetime) -> Window:
    """The cycle's window, as the reviewers page's ``?cycle=NAME`` reads it."""
    try:
        return parse_window(
            {"cycle": cycle.name}, now=now, cycles={cycle.name: (cycle.start, cycle.end)}
        )
    except WindowError as problem:
        raise ReportUnavailable(str(problem)) from None


def _spec_link(spec: Spec, team: Team) -> Link:
    url = reverse("governance:spec", args=[team.name, spec.deliverable or "-", spec.slug])
    return Link(spec.title, url)


def _specs(*, team: Team, cycle: Cycle) -> SpecFigures:
    """Specs approved for the cycle, and what became of them. A spec counts as approved
    for the cycle when its history says so, or when it is targeted there and approved or
    implemented now (a spec imported without history)."""
    here = SpecStateChange.objects.filter(spec=OuterRef("pk"), cycle=cycle)
    specs = (
        Spec.objects.filter(team=team)
        .annotate(
            approved_here=Exists(here.filter(state=SpecState.APPROVED)),
            implemented_here=Exists(here.filter(state=SpecState.IMPLEMENTED)),
        )
        .filter(Q(cycle=cycle) | Q(approved_here=True) | Q(implemented_here=True))
        .select_related("cycle")
        .order_by("title", "pk")
    )
    approved, implemented, untargeted, moved, not_done = [], [], [], [], []
    for spec in specs:
        targeted = spec.cycle_id == cycle.pk
        is_implemented = spec.implemented_here or (targeted and spec.state == SpecState.IMPLEMENTED)
        was_approved = (
            spec.approved_here or is_implemented or (targeted and spec.state == SpecState.APPROVED)
        )
        if not was_approved:
            continue  # proposed for the cycle, never approved
        link = _spec_link(spec, team)
        approved.append(SpecItem(link, spec.deliverable, spec.state, spec.approved_on))
        if is_implemented:
            implemented.append(SpecItem(link, spec.deliverable, spec.state, spec.implemented_on))
        elif spec.state == SpecState.UNTARGETED:
            untargeted.append(SpecItem(link, spec.deliverable, spec.state, None))
        elif not targeted and spec.cycle is not None:
            moved.append(SpecItem(link, spec.deliverable, spec.state, None, str(spec.cycle)))
        elif targeted and spec.state == SpecState.APPROVED:
            not_done.append(SpecItem(link, spec.deliverable, spec.state, spec.approved_on))
    return SpecFigures(
        approved=tuple(approved),
        implemented=tuple(implemented),
        untargeted=tuple(untargeted),
        moved=tuple(moved),
        not_done=tuple(not_done),
    )


def _priorities(*, team: Team, cycle: Cycle) -> Priorities:
    groups: dict[str, list[PriorityItem]] = defaultdict(list)
    for item in Priority.objects.for_list(team_id=team.pk, cycle_id=cycle.pk):
        groups[item.status].append(
            PriorityItem(
                position=item.position,
                title=item.title,
                status=item.get_status_display(),
                reason=item.status_reason,
                day=item.status_date,
                owners=tuple(item.owner_names),
            )
        )
    return Priorities(
        done=tuple(groups[PriorityStatus.DONE]),
        missed=tuple(groups[PriorityStatus.MISSED]),
        deprioritized=tuple(groups[PriorityStatus.DEPRIORITIZED]),
        active=tuple(groups[PriorityStatus.ACTIVE]),
    )


def _ffes(*, team: Team, cycle: Cycle) -> tuple[tuple[FFEItem, ...], dict[str, int]]:
    requests = FeatureFreezeException.objects.filter(team=team, cycle=cycle).select_related(
        "spec", "change", "change__server"
    )
    items = []
    for ffe in sorted(requests, key=lambda r: (r.requested, r.pk)):
        subject: Link | None = None
        if ffe.spec is not None:
            subject = _spec_link(ffe.spec, team)
        elif ffe.change is not None:
            subject = Link(f"change {ffe.change.number}", ffe.change.gerrit_url)
        items.append(
            FFEItem(
                title=ffe.title,
                decision=ffe.get_decision_display(),
                requester=ffe.requester_name,
                requested=ffe.requested,
                decided=ffe.decided,
                subject=subject,
                note=ffe.note,
            )
        )
    counts = Counter(ffe.decision for ffe in requests)
    return tuple(items), {d.label: counts[d.value] for d in FFEDecision}


def _daily_reviews(*, team: Team, window: Window) -> dict[tuple[int, date], int]:
    """Reviews per (reviewer, UTC day) in the window: one grouped query, a row per
    reviewer-day, so its size is bounded by the cycle's length, not the history's."""
    rows = (
        reviews_in(team=team, start=window.start, end=window.end)
        .annotate(day=TruncDate("granted", tzinfo=UTC))
        .values("account_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["account_id"], row["day"]): row["n"] for row in rows}


def _week_count(first: date, last: date) -> int:
    monday = first - timedelta(days=first.weekday())
    return (last - monday).days // 7 + 1


def _core(
    *,
    team: Team,
    window: Window,
    first: date,
    last: date,
    daily: dict[tuple[int, date], int],
    known_since: datetime | None,
) -> CoreFigures:
    stretches = list(
        CoreMembership.objects.filter(team=team, joined__lt=window.end)
        .filter(Q(left__isnull=True) | Q(left__gt=window.start))
        .select_related("account")
        .order_by("joined", "pk")
    )

    def member_at(moment: datetime) -> set[int]:
        return {
            s.account_id
            for s in stretches
            if s.joined <= moment and (s.left is None or s.left > moment)
        }

    names = {s.account_id: str(s.account) for s in stretches}
    at_start, at_end = member_at(window.start), member_at(window.end)
    # Joined and left compare the two ends: someone out and back in within the cycle is
    # neither, someone in and out within it is not counted either way.
    joined = sorted((names[a] for a in at_end - at_start), key=str.lower)
    left = sorted((names[a] for a in at_start - at_end), key=str.lower)
    weeks: dict[int, set[date]] = defaultdict(set)
    reviews: Counter[int] = Counter()
    for (account_id, day), count in daily.items():
        weeks[account_id].add(day - timedelta(days=day.weekday()))
        reviews[account_id] += count
    total_weeks = _week_count(first, last)
    needed = max(1, math.ceil(total_weeks * CONSTANT_SHARE))
    constant, occasional, silent = [], [], []
    for account_id in sorted(names, key=lambda a: names[a].lower()):
        row = CoreReviewer(names[account_id], len(weeks[account_id]), reviews[account_id])
        if row.weeks >= needed:
            constant.append(row)
        elif row.weeks:
            occasional.append(row)
        else:
            silent.append(row)
    constant.sort(key=lambda r: (-r.weeks, -r.reviews, r.name.lower()))
    occasional.sort(key=lambda r: (-r.weeks, -r.reviews, r.name.lower()))
    return CoreFigures(
        size_start=len(at_start),
        size_end=len(at_end),
        joined=tuple(joined),
        left=tuple(left),
        known_since=known_since,
        weeks=total_weeks,
        constant_min_weeks=needed,
        constant=tuple(constant),
        occasional=tuple(occasional),
        silent=tuple(silent),
        first_day=first,
    )


def _backlog(*, team: Team, window: Window, first: date, last: date) -> Backlog:
    kept = {s.day: s for s in BacklogSnapshot.objects.filter(team=team, day__in=[first, last])}

    def point(day: date) -> BacklogPoint:
        snapshot = kept.get(day)
        if snapshot is not None:
            figures = {name: getattr(snapshot, name) for name in BACKLOG_FIGURES}
            source = f"snapshot ({snapshot.get_source_display().lower()})"
        else:
            rebuilt = figures_on(team=team, day=day)
            figures = {name: int(rebuilt[name] or 0) for name in BACKLOG_FIGURES}
            source = "rebuilt from history for this report"
        return BacklogPoint(day=day, source=source, **figures)

    actions = AbandonAction.objects.filter(
        team=team,
        outcome=AbandonOutcome.ABANDONED,
        created__gte=window.start,
        created__lt=window.end,
    ).select_related("change", "change__server")
    abandoned = tuple(
        AbandonedChange(
            Link(f"{a.change.number}: {a.change.subject}", a.change.gerrit_url),
            a.created.astimezone(UTC).date(),
        )
        for a in sorted(actions, key=lambda a: (a.created, a.pk))
    )
    return Backlog(start=point(first), end=point(last), abandoned=abandoned)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _review_days(
    *, team: Team, cycle: Cycle, first: date, last: date, daily: dict[tuple[int, date], int]
) -> ReviewDays:
    per_day: Counter[date] = Counter()
    for (_, day), count in daily.items():
        per_day[day] += count
    events = [
        event
        for event in CycleEvent.objects.filter(cycle=cycle, team=team, kind=EventKind.TEAM)
        if REVIEW_DAY.search(event.title)
    ]
    event_days = {
        day for event in events for day in _days(max(event.start, first), min(event.end, last))
    }
    weekdays = [per_day[d] for d in _days(first, last) if d.weekday() < 5 and d not in event_days]
    typical = float(median(weekdays)) if weekdays else 0.0
    days = []
    for event in events:
        covered = _days(max(event.start, first), min(event.end, last))
        total = sum(per_day[d] for d in covered)
        mean = total / len(covered) if covered else 0.0
        days.append(
            ReviewDay(
                title=event.title,
                start=event.start,
                end=event.end,
                reviews=total,
                per_day=mean,
                ratio=mean / typical if typical and covered else None,
            )
        )
    return ReviewDays(median_weekday=typical, days=tuple(days))


def _diversity(*, team: Team, last: date) -> Diversity:
    panel = team_diversity(team=team, at=last + timedelta(days=1), points=1).current
    return Diversity(
        start=panel.start,
        last_day=panel.last_day,
        measures=tuple(
            DiversityMeasure(m.title, m.total, m.top1_percent, m.top2_percent, m.top_names)
            for m in panel.measures
        ),
    )


def cycle_report(*, team: Team, cycle: Cycle, now: datetime | None = None) -> CycleReport:
    """The whole report of ``team`` for ``cycle`` as it stands at ``now`` (default now).

    Raises ReportUnavailable for a cycle without dates or not yet started. A bounded
    number of queries whatever the data size (the page's test pins it).
    """
    now = now or timezone.now()
    window = cycle_window(cycle=cycle, now=now)
    first = window.start.date()
    last = (window.end - timedelta(microseconds=1)).astimezone(UTC).date()
    activity = reviewer_activity(team=team, window=window)
    daily = _daily_reviews(team=team, window=window)
    ffes, ffe_counts = _ffes(team=team, cycle=cycle)
    specs = _specs(team=team, cycle=cycle)
    narrative = narrative_for(team=team, cycle=cycle)
    versions: tuple[ReportNarrativeVersion, ...] = ()
    if narrative.pk:
        versions = tuple(narrative.versions.all()[:NARRATIVE_HISTORY])
    totals = activity.totals
    return CycleReport(
        team=team,
        cycle=cycle,
        first_day=first,
        last_day=last,
        in_progress=cycle.end is not None and now.date() <= cycle.end,
        drafted=now,
        ptls=tuple(
            Leader.objects.ptls().filter(team=team, cycle=cycle).values_list("name", flat=True)
        ),
        features=specs.implemented,
        priorities=_priorities(team=team, cycle=cycle),
        specs=specs,
        ffes=ffes,
        ffe_counts=ffe_counts,
        core=_core(
            team=team,
            window=window,
            first=first,
            last=last,
            daily=daily,
            known_since=totals.core_known_since,
        ),
        activity=Activity(
            reviews=totals.reviews,
            reviewers=totals.reviewers,
            core_reviews=totals.core_reviews,
            reviews_per_day=totals.reviews_per_day,
            created=totals.created,
            merged=totals.merged,
            abandoned=totals.abandoned,
            top=tuple(row for row in activity.reviewers if row.reviews)[:TOP_REVIEWERS],
        ),
        backlog=_backlog(team=team, window=window, first=first, last=last),
        review_days=_review_days(team=team, cycle=cycle, first=first, last=last, daily=daily),
        diversity=_diversity(team=team, last=last),
        narrative=narrative,
        versions=versions,
    )
