"""Focus rules: whether they hold (selectors). Writing them is ``focus_services``.

A rule holds when every change of the team merged in its window was allowed: a *priority
item* (the rule's priority's change numbers, changes in its topics or in its specs'
implementation topics), an item of a weekly priorities list in force during the window
(changes, topics, and specs' implementation topics), or matched by the rule's exception
query. Anything else that merged breaks it.

The window runs from ``since`` to the first of: ``until``, the day the priority was
marked done, today. A weekly list counts from its meeting date to the next one, so the
list in force on ``since`` (met before it) counts as well as every list met in the window.

Checks are computed, never stored, in a fixed number of queries for any number of rules
and changes: the rules' priorities and specs, the weekly items, the search context, and
ONE query over the merged changes, which carries each exception query's answer as a
boolean column; everything else is set arithmetic in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery

from dashboard.gerrit.models import Change, ChangeStatus, Team
from dashboard.governance.models import (
    Cycle,
    ItemKind,
    PriorityStatus,
    WeeklyItem,
    WeeklyList,
)
from dashboard.governance.priority_selectors import search_url
from dashboard.reports.models import FocusRule
from dashboard.reviews.evaluate import SearchContext, to_q
from dashboard.reviews.query import QueryError, parse

# Why a merged change was allowed, in the order they are tried (a change that is both a
# priority item and on a weekly list counts once, as a priority item).
PRIORITY, WEEKLY, EXCEPTION = "priority", "weekly", "exception"
REASON_WORDS = {PRIORITY: "priority items", WEEKLY: "on a weekly list", EXCEPTION: "exceptions"}


@dataclass(frozen=True)
class Violation:
    """A merged change that the rule did not allow (``change`` has the row's fields)."""

    change: Change

    @property
    def merged(self) -> date | None:
        return self.change.closed.date() if self.change.closed else None


@dataclass(frozen=True)
class FocusCheck:
    """Whether ``rule`` held over [``start``, ``end``] (inclusive dates).

    ``violations`` are the changes that broke it, oldest merge first; ``allowed`` counts
    what merged with leave, by reason (``priority``, ``weekly``, ``exception``).
    ``ended`` says why the window closed before today: "lifted" (its last day passed),
    "landed" (the priority is done) or "" (in force). ``problem`` is set when the stored
    exception query no longer works: exceptions then allow nothing, and the page says so.
    ``start`` after ``end`` means the rule has not started yet. ``exceptions_url`` is the
    search page for the merged changes the exception query matches.
    """

    rule: FocusRule
    start: date
    end: date
    violations: tuple[Violation, ...] = ()
    allowed: dict[str, int] = field(default_factory=dict)
    ended: str = ""
    problem: str | None = None
    exceptions_url: str = ""

    @property
    def holds(self) -> bool:
        return not self.violations

    @property
    def started(self) -> bool:
        return self.start <= self.end

    @property
    def allowed_total(self) -> int:
        return sum(self.allowed.values())

    @property
    def allowed_words(self) -> list[tuple[str, int]]:
        """(reason in words, count) for the reasons that allowed anything."""
        return [(REASON_WORDS[key], n) for key, n in self.allowed.items() if n]

    @property
    def summary(self) -> str:
        """The state in a few words: "holds since 2017-03-02", "broken by 3 changes"."""
        if not self.started:
            if self.ended:  # lifted, or its priority landed, before its first day
                return f"ended on {self.end:%Y-%m-%d}, before its first day"
            return f"starts on {self.start:%Y-%m-%d}"
        if self.violations:
            n = len(self.violations)
            return f"broken by {n} change{'s' if n != 1 else ''}"
        if self.ended:
            return f"held from {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"
        return f"holds since {self.start:%Y-%m-%d}"


def _window(rule: FocusRule, today: date) -> tuple[date, date, str]:
    end, ended = today, ""
    if rule.until is not None and rule.until <= end:
        end, ended = rule.until, "lifted"
    priority = rule.priority
    if priority is not None and priority.status == PriorityStatus.DONE:
        done = priority.status_date or today
        if done <= end:
            end, ended = done, "landed"
    return rule.since, end, ended


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass
class _Items:
    numbers: set[int] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)

    def allows(self, change: Change) -> bool:
        return change.number in self.numbers or bool(change.topic and change.topic in self.topics)


def _priority_items(rule: FocusRule) -> _Items:
    items = _Items()
    priority = rule.priority
    if priority is None:
        return items
    items.numbers.update(int(n) for n in priority.change_numbers if str(n).isdigit())
    items.topics.update(t for t in priority.topics if t)
    for spec in priority.specs.all():  # prefetched
        items.topics.update(spec.implementation_topics)
    return items


def _weekly_rows(team_id: int, start: date, end: date) -> list[tuple[date, WeeklyItem]]:
    # The list in force on ``start`` was met on or before it: the newest such meeting.
    in_force = (
        WeeklyList.objects.filter(team_id=OuterRef("weekly_list__team_id"), week__lte=start)
        .order_by("-week")
        .values("week")[:1]
    )
    items = (
        WeeklyItem.objects.filter(weekly_list__team_id=team_id, weekly_list__week__lte=end)
        .filter(Q(weekly_list__week__gte=start) | Q(weekly_list__week=Subquery(in_force)))
        .exclude(kind=ItemKind.TEXT)
        .select_related("weekly_list", "spec")
        .only("kind", "change_number", "topic", "weekly_list__week", "spec__slug",
               "spec__blueprint_url")
    )  # fmt: skip
    return [(item.weekly_list.week, item) for item in items]


def _weekly_items(rows: list[tuple[date, WeeklyItem]], start: date, end: date) -> _Items:
    weeks = sorted({week for week, _ in rows})
    first = max((w for w in weeks if w <= start), default=start)
    items = _Items()
    for week, item in rows:
        if not first <= week <= end:
            continue
        if item.kind == ItemKind.CHANGE and item.change_number:
            items.numbers.add(item.change_number)
        elif item.kind == ItemKind.TOPIC and item.topic:
            items.topics.add(item.topic)
        elif item.kind == ItemKind.SPEC and item.spec is not None:
            items.topics.update(item.spec.implementation_topics)
    return items


# What a violation row shows (its links: our change page and Gerrit's), nothing more.
_CHANGE_FIELDS = (
    "number", "subject", "topic", "closed", "status", "repository__name",
    "repository__team__name", "owner__name", "owner__username", "owner__account_id",
    "server__url",
)  # fmt: skip


def _not_started(rule: FocusRule, window: tuple[date, date, str]) -> FocusCheck:
    start, end, ended = window
    return FocusCheck(rule, start, end, ended=ended)


def _checks(*, team: Team, rules: Sequence[FocusRule], today: date) -> list[FocusCheck]:
    windows = {rule.pk: _window(rule, today) for rule in rules}
    started = [w for w in windows.values() if w[0] <= w[1]]
    if not started:
        return [_not_started(rule, windows[rule.pk]) for rule in rules]
    first, last = min(w[0] for w in started), max(w[1] for w in started)
    weekly = _weekly_rows(team.pk, first, last)

    context = SearchContext.for_user(None, server=team.server)
    flags: dict[str, str] = {}  # exception query text -> annotation name
    problems: dict[str, str] = {}
    annotations: dict[str, Any] = {}
    for rule in rules:
        text = rule.exceptions.strip()
        if not text or text in flags or text in problems:
            continue
        try:
            condition = to_q(parse(text), context=context)
        except QueryError as error:
            problems[text] = str(error)
            continue
        flags[text] = f"focus_exception_{len(flags)}"
        annotations[flags[text]] = ExpressionWrapper(condition, output_field=BooleanField())

    merged = list(
        Change.objects.filter(
            repository__team=team,
            server_id=team.server_id,
            status=ChangeStatus.MERGED,
            closed__gte=_utc_start(first),
            closed__lt=_utc_start(last + timedelta(days=1)),
        )
        .select_related("repository__team", "owner", "server")
        .only(*_CHANGE_FIELDS)
        .annotate(**annotations)
        .order_by("closed", "number")
    )

    checks = []
    for rule in rules:
        start, end, ended = windows[rule.pk]
        if start > end:
            checks.append(_not_started(rule, windows[rule.pk]))
            continue
        text = rule.exceptions.strip()
        flag = flags.get(text)
        priority, on_list = _priority_items(rule), _weekly_items(weekly, start, end)
        allowed = {PRIORITY: 0, WEEKLY: 0, EXCEPTION: 0}
        violations = []
        low, high = _utc_start(start), _utc_start(end + timedelta(days=1))
        for change in merged:
            if not low <= change.closed < high:
                continue
            if priority.allows(change):
                allowed[PRIORITY] += 1
            elif on_list.allows(change):
                allowed[WEEKLY] += 1
            elif flag is not None and getattr(change, flag):
                allowed[EXCEPTION] += 1
            else:
                violations.append(Violation(change))
        url = search_url(team=team, query=f"status:merged ({text})") if text else ""
        checks.append(
            FocusCheck(rule, start, end, tuple(violations), allowed, ended, problems.get(text), url)
        )
    return checks


def _with_priority(rules: Any) -> Any:
    return rules.select_related("priority").prefetch_related("priority__specs")


def check_rule(rule: FocusRule, today: date) -> FocusCheck:
    """Whether ``rule`` held from its first day to ``today`` (or its end), and what merged."""
    rule = (
        _with_priority(FocusRule.objects.filter(pk=rule.pk)).select_related("team__server").first()
        or rule
    )
    return _checks(team=rule.team, rules=[rule], today=today)[0]


@dataclass(frozen=True)
class FocusChecks:
    """What the focus summary shows: the cycle (None: no cycle to show) and its rules'
    checks, in force longest first."""

    team: Team
    cycle: Cycle | None
    checks: tuple[FocusCheck, ...]
    today: date

    @property
    def broken(self) -> int:
        return sum(1 for check in self.checks if check.started and not check.holds)


def focus_cycle(*, team: Team, today: date) -> Cycle | None:
    """The cycle whose rules the page shows: the one holding ``today``, else the newest
    cycle with rules for the team."""
    current = Cycle.objects.current(at=today)
    if current is not None:
        return current
    return Cycle.objects.filter(focus_rules__team=team).order_by("-start", "-pk").first()


def focus_checks(*, team: Team, today: date, cycle: Cycle | None = None) -> FocusChecks:
    """Every rule of ``cycle`` (default: ``focus_cycle``) checked up to ``today``, in a
    fixed number of queries whatever the number of rules, priorities or merged changes.
    ``team`` must come with its server (``select_related("server")``)."""
    if cycle is None:
        cycle = focus_cycle(team=team, today=today)
    if cycle is None:
        return FocusChecks(team, None, (), today)
    rules = list(_with_priority(FocusRule.objects.for_cycle(team_id=team.pk, cycle_id=cycle.pk)))
    for rule in rules:
        rule.team = team  # the caller's, with its server
    checks = _checks(team=team, rules=rules, today=today) if rules else []
    return FocusChecks(team, cycle, tuple(checks), today)
