"""Importing a team's specs repository: the tree (specs_tree), its dates (git or Gerrit).

``import_specs(team=..., source=...)`` is the one entry point (the command calls it, the
demo calls it). It is idempotent: a re-import changes only what changed, and each new
state of a spec becomes one SpecStateChange row with its date, so a spec's history reads
"proposed 2017-03-02, approved 2017-04-11, implemented 2017-08-01".

Where dates come from, best first: the git history of the checkout (the day a file
arrived at a path: approved/ means approved, implemented/ means implemented); the merged
review in the team's synced ``*-specs`` repository that added the file; otherwise the day
of the import, said as such on the page.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from dashboard.gerrit.models import Change, ChangeFile, ChangeStatus, Team
from dashboard.governance.models import Cycle, Spec, SpecKind, SpecState, SpecStateChange
from dashboard.governance.specs_git import (
    GitError,
    GitHistory,
    clone,
    is_git_checkout,
    looks_like_git_url,
    specs_history,
)
from dashboard.governance.specs_tree import (
    LITE_FILE,
    LITE_SPECS_FILE,
    NOT_SPECS,
    Location,
    TreeProblem,
    TreeSpec,
    classify,
    cycle_order,
    read_specs_tree,
)

NO_CYCLE = "none"


class SpecsImportError(Exception):
    """The source cannot be read at all (no such folder, git failed); one line."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    state_changes: int = 0
    problems: list[TreeProblem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: dict[str, dict[str, object]] = field(default_factory=dict)


def default_deliverable(source: str) -> str:
    """glance-specs -> glance: the deliverable of specs not filed under a deliverable."""
    name = re.split(r"[/:]", source.rstrip("/"))[-1].removesuffix(".git")
    return name.removesuffix("-specs") or name


def import_specs(*, team: Team, source: str, deliverable: str = "") -> ImportResult:
    """Import the specs repository at ``source`` (a folder or a git URL) for ``team``."""
    deliverable = deliverable or default_deliverable(source)
    local = Path(source)
    bare = local.is_dir() and (local / "HEAD").is_file() and (local / "objects").is_dir()
    if bare or (looks_like_git_url(source) and not local.is_dir()):
        with tempfile.TemporaryDirectory(prefix="tiller-specs-") as tmp:
            try:
                root = clone(source, Path(tmp))
            except GitError as exc:
                raise SpecsImportError(f"git clone {source} failed: {exc}") from exc
            return import_specs_folder(team=team, root=root, deliverable=deliverable)
    root = Path(source)
    if not root.is_dir():
        raise SpecsImportError(f"{source}: no such folder (and not a git URL)")
    return import_specs_folder(team=team, root=root, deliverable=deliverable)


def import_specs_folder(*, team: Team, root: Path, deliverable: str) -> ImportResult:
    """Read the tree (slow part, outside the transaction), then write it in one."""
    notes: list[str] = []
    repo_root = root if (root / "specs").is_dir() else root.parent
    history = GitHistory()
    if is_git_checkout(repo_root):
        try:
            history = specs_history(repo_root)
        except GitError as exc:
            notes.append(f"git log failed ({exc}); dates are those of this import")
    else:
        notes.append(
            f"{root} is not a git checkout: new states are dated today ({timezone.localdate()})"
        )
    tree = read_specs_tree(root, default_deliverable=deliverable, moves=history.renames)
    result = ImportResult(problems=tree.problems, skipped=tree.skipped, notes=notes)
    _write(
        team=team,
        specs=tree.specs,
        arrivals=history.arrivals,
        result=result,
        default=deliverable,
    )
    result.summary = specs_summary(team=team)
    return result


@dataclass(frozen=True)
class _Review:
    change: Change
    path: str


def _cycle(key: str) -> Cycle:
    """The cycle a folder names: since 2023 specs repositories name folders by release id
    ("2025.2") while the schedule names the series ("flamingo", release id 2025.2), so a
    cycle is found by either, and created only when neither exists."""
    found = Cycle.objects.filter(Q(name=key) | Q(release_id=key)).order_by("pk").first()
    return found or Cycle.objects.create(name=key, release_id=key if "." in key else "")


def _spec_reviews(team: Team) -> tuple[dict[str, Change], list[_Review]]:
    """Merged changes by spec path, and open/abandoned ones, in the team's *-specs repos."""
    rows = (
        ChangeFile.objects.filter(
            change__repository__team=team,
            change__repository__name__endswith="-specs",
            path__startswith="specs/",
            path__endswith=".rst",
        )
        .select_related("change__server", "change__repository")
        .order_by("change__created")
    )
    merged: dict[str, Change] = {}
    others: list[_Review] = []
    for row in rows:
        if row.change.status == ChangeStatus.MERGED:
            merged.setdefault(row.path, row.change)
        else:
            others.append(_Review(row.change, row.path))
    return merged, others


def _day(value: object) -> date | None:
    return timezone.localtime(value).date() if value else None  # type: ignore[arg-type]


@transaction.atomic
def _write(
    *,
    team: Team,
    specs: list[TreeSpec],
    arrivals: dict[str, date],
    result: ImportResult,
    default: str,
) -> None:
    now = timezone.now()
    today = timezone.localdate()
    names = {loc.cycle for spec in specs for loc in spec.locations if loc.cycle}
    merged, others = _spec_reviews(team)
    for review in others:
        where = classify(PurePosixPath(review.path), default_deliverable=default)
        if where and where.cycle:
            names.add(where.cycle)
    cycles = {name: _cycle(name) for name in sorted(names)}
    existing = {(s.deliverable, s.slug): s for s in Spec.objects.filter(team=team)}
    history: dict[int, set[tuple[str, int | None]]] = defaultdict(set)
    for step in SpecStateChange.objects.filter(spec__team=team).values_list(
        "spec_id", "state", "cycle_id"
    ):
        history[step[0]].add((step[1], step[2]))
    seen: set[int] = set()
    for tree_spec in specs:
        review = next((merged[loc.path] for loc in tree_spec.locations if loc.path in merged), None)
        spec = existing.get(tree_spec.key)
        current = tree_spec.current
        values = {
            "title": tree_spec.title[:300],
            "cycle": cycles.get(current.cycle) if current.cycle else None,
            "kind": SpecKind.LITE if tree_spec.kind == "lite" else SpecKind.SPEC,
            "state": current.state,
            "path": current.path,
            "blueprint_url": tree_spec.blueprint_url[:500],
            "authors": list(tree_spec.authors),
            "html": tree_spec.html,
            "review": review or (spec.review if spec else None),
        }
        if spec is None:
            spec = Spec.objects.create(
                team=team, deliverable=current.deliverable, slug=tree_spec.slug, **values
            )
            existing[tree_spec.key] = spec
            result.created += 1
        elif any(getattr(spec, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(spec, name, value)
            result.updated += 1
        else:
            result.unchanged += 1
        seen.add(spec.pk)
        steps = _steps(tree_spec.locations, arrivals, review=review, today=today)
        for state, location, when, source, note in steps:
            cycle = cycles.get(location.cycle) if location.cycle else None
            key = (state, cycle.pk if cycle else None)
            if key in history[spec.pk]:
                continue
            history[spec.pk].add(key)
            SpecStateChange.objects.create(
                spec=spec,
                state=state,
                cycle=cycle,
                date=when,
                path=location.path,
                source=source,
                note=note,
            )
            result.state_changes += 1
        _set_dates(spec, steps)
        spec.imported_at = now
        spec.save()
    result.state_changes += _write_proposed(
        team=team,
        others=others,
        cycles=cycles,
        existing=existing,
        seen=seen,
        history=history,
        default=default,
        result=result,
    )
    for spec in existing.values():
        if spec.pk in seen or spec.state == SpecState.ABANDONED:
            continue
        spec.state = SpecState.ABANDONED
        spec.save(update_fields=["state"])
        SpecStateChange.objects.create(
            spec=spec,
            state=SpecState.ABANDONED,
            cycle=spec.cycle,
            date=today,
            path=spec.path,
            source=SpecStateChange.Source.IMPORT,
            note="no longer in the specs repository nor under review",
        )
        result.updated += 1
        result.state_changes += 1


_Step = tuple[str, Location, date | None, str, str]


def _steps(
    locations: tuple[Location, ...],
    arrivals: dict[str, date],
    *,
    review: Change | None,
    today: date,
) -> list[_Step]:
    """The dated states a spec went through, oldest first, from where its files were."""
    steps: list[_Step] = []
    if review is not None:
        steps.append(
            (
                SpecState.PROPOSED,
                locations[0],
                _day(review.created),
                SpecStateChange.Source.GERRIT,
                f"review {review.number} created",
            )
        )
    for index, location in enumerate(locations):
        is_current = index == len(locations) - 1
        if location.path in arrivals:
            when, source, note = arrivals[location.path], SpecStateChange.Source.GIT, ""
        elif index == 0 and review is not None and review.closed:
            when, source = _day(review.closed), SpecStateChange.Source.GERRIT
            note = f"review {review.number} merged"
        elif is_current:
            when, source, note = today, SpecStateChange.Source.IMPORT, "first seen at import"
        else:
            when, source, note = None, SpecStateChange.Source.UNKNOWN, "earlier place (redirect)"
        steps.append((location.state, location, when, source, note))
    return steps


def _set_dates(spec: Spec, steps: list[_Step]) -> None:
    firsts: dict[str, date] = {}
    for state, _location, when, _source, _note in steps:
        if when is not None:
            firsts.setdefault(state, when)
    spec.proposed_on = spec.proposed_on or firsts.get(SpecState.PROPOSED)
    spec.approved_on = spec.approved_on or firsts.get(SpecState.APPROVED)
    spec.implemented_on = spec.implemented_on or firsts.get(SpecState.IMPLEMENTED)
    if spec.proposed_on and spec.approved_on and spec.approved_on >= spec.proposed_on:
        spec.turnaround_days = (spec.approved_on - spec.proposed_on).days


def _write_proposed(
    *,
    team: Team,
    others: list[_Review],
    cycles: dict[str, Cycle],
    existing: dict[tuple[str, str], Spec],
    seen: set[int],
    history: dict[int, set[tuple[str, int | None]]],
    default: str,
    result: ImportResult,
) -> int:
    """Specs under review: files that open changes in the specs repository add.

    A file already in the tree is an amendment, not a proposal, and a file added under
    implemented/ is a spec being moved there. A proposal whose review
    was abandoned is an abandoned spec. Lite-specs files hold several specs, so a change
    to one cannot be told apart from an edit; those are left to the tree.
    """
    steps = 0
    for review in others:
        name = PurePosixPath(review.path).name
        where = classify(PurePosixPath(review.path), default_deliverable=default)
        if where is None or NOT_SPECS.match(name) or LITE_SPECS_FILE.match(name):
            continue
        if where.state == SpecState.IMPLEMENTED:  # a move to implemented/, not a new spec
            continue
        key = (where.deliverable, PurePosixPath(review.path).stem)
        spec = existing.get(key)
        if spec is not None and spec.pk in seen:
            continue
        change = review.change
        state = SpecState.PROPOSED if change.status == ChangeStatus.NEW else SpecState.ABANDONED
        cycle = cycles.get(where.cycle) if where.cycle else None
        if spec is None:
            spec = Spec.objects.create(
                team=team,
                deliverable=where.deliverable,
                slug=key[1],
                title=change.subject[:300],
                cycle=cycle,
                kind=SpecKind.LITE if LITE_FILE.match(name) else SpecKind.SPEC,
                state=state,
                path=review.path,
                review=change,
                proposed_on=_day(change.created),
                imported_at=timezone.now(),
            )
            existing[key] = spec
            result.created += 1
        elif spec.state != state or spec.review_id != change.pk:
            spec.state, spec.review, spec.cycle = state, change, cycle
            spec.save(update_fields=["state", "review", "cycle"])
            result.updated += 1
        seen.add(spec.pk)
        for step_state, when in (
            (SpecState.PROPOSED, _day(change.created)),
            (SpecState.ABANDONED, _day(change.closed or change.updated)),
        ):
            if step_state == SpecState.ABANDONED and state != SpecState.ABANDONED:
                continue
            hkey = (step_state, cycle.pk if cycle else None)
            if hkey in history[spec.pk]:
                continue
            history[spec.pk].add(hkey)
            SpecStateChange.objects.create(
                spec=spec,
                state=step_state,
                cycle=cycle,
                date=when,
                path=review.path,
                source=SpecStateChange.Source.GERRIT,
                note=f"review {change.number}",
            )
            steps += 1
    return steps


def specs_summary(*, team: Team) -> dict[str, dict[str, object]]:
    """``{cycle: {state: count, "lite": {state: count}}}``; lite specs count in both.

    Cycles in release order; specs without a cycle (untargeted) under ``"none"``.
    """
    rows = (
        Spec.objects.filter(team=team)
        .values_list("cycle__name", "state", "kind")
        .annotate(count=Count("id"))
        .order_by()
    )
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    lite: dict[str, Counter[str]] = defaultdict(Counter)
    for cycle, state, kind, count in rows:
        name = cycle or NO_CYCLE
        totals[name][state] += count
        if kind == SpecKind.LITE:
            lite[name][state] += count
    summary: dict[str, dict[str, object]] = {}
    for name in sorted(totals, key=lambda n: cycle_order(None if n == NO_CYCLE else n)):
        entry: dict[str, object] = dict(sorted(totals[name].items()))
        entry["lite"] = dict(sorted(lite[name].items()))
        summary[name] = entry
    return summary
