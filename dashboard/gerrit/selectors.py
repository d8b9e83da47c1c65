"""Page-shaped reads over synced Gerrit data: one function per page, a fixed number of queries.

Every function here issues a bounded number of SQL queries whatever the data size (the view
tests pin the exact counts), so a team with 50,000 changes renders as fast as one with ten.
Times are timezone-aware UTC; "now" is a keyword argument so tests can pin it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dashboard.gerrit.models import (
    Approval,
    Change,
    ChangeStatus,
    CoreMembership,
    Message,
    PatchSet,
    Repository,
    SyncRun,
    SyncRunStatus,
    Team,
    Vote,
)
from dashboard.gerrit.sync import STALE_AFTER

# How far back the overview's "merged / abandoned recently" counts look.
RECENT_DAYS = 30
SYNC_RUNS_SHOWN = 20

STATUS_FILTERS: dict[str, str | None] = {
    "open": ChangeStatus.NEW,
    "merged": ChangeStatus.MERGED,
    "abandoned": ChangeStatus.ABANDONED,
    "all": None,
}
# Sort keys as they appear in the URL, mapped to ORDER BY; -number breaks ties so paging
# is stable when many changes share a timestamp.
SORTS: dict[str, tuple[str, ...]] = {
    "updated": ("-updated", "-number"),
    "created": ("-created", "-number"),
    "number": ("-number",),
}
SORT_WORDS = {
    "updated": "most recently updated first",
    "created": "newest first",
    "number": "highest number first",
}


@dataclass(frozen=True)
class ChangeFilters:
    """What the change list shows; empty strings mean "any". Built from the query string."""

    repository: str = ""
    branch: str = ""
    status: str = "open"
    owner: str = ""
    topic: str = ""
    sort: str = "updated"

    def describe(self) -> str:
        """The filters in plain words, shown above the results (the URL is the state)."""
        status = "" if self.status == "all" else f"{self.status} "
        parts = [f"{status}changes"]
        if self.repository:
            parts.append(f"in {self.repository}")
        if self.branch:
            parts.append(f"on branch {self.branch}")
        if self.owner:
            parts.append(f"owned by “{self.owner}”")
        if self.topic:
            parts.append(f"with topic “{self.topic}”")
        return " ".join(parts) + ", " + SORT_WORDS.get(self.sort, SORT_WORDS["updated"])

    @property
    def is_default(self) -> bool:
        return self == ChangeFilters(sort=self.sort)


def change_list(*, team: Team, filters: ChangeFilters) -> QuerySet[Change]:
    """The team's changes matching ``filters``, with what a change row shows joined in.

    ``owner`` matches a username or a name substring, case-insensitively; ``topic`` and
    ``branch`` match exactly (both are short identifiers people copy from Gerrit).
    """
    changes = Change.objects.in_team(team).with_row_data()
    status = STATUS_FILTERS.get(filters.status, ChangeStatus.NEW)
    if status is not None:
        changes = changes.filter(status=status)
    if filters.repository:
        changes = changes.filter(repository__name=filters.repository)
    if filters.branch:
        changes = changes.filter(branch=filters.branch)
    if filters.owner:
        changes = changes.filter(
            Q(owner__username__iexact=filters.owner) | Q(owner__name__icontains=filters.owner)
        )
    if filters.topic:
        changes = changes.filter(topic=filters.topic)
    return changes.order_by(*SORTS.get(filters.sort, SORTS["updated"]))


@dataclass(frozen=True)
class TeamOverview:
    team: Team
    open_count: int
    merged_recently: int
    abandoned_recently: int
    recent_days: int
    repositories: list[Repository]  # each annotated with ``open_count``
    recent_changes: list[Change]
    core_members: list[CoreMembership]
    last_run: SyncRun | None

    @property
    def sync_needs_attention(self) -> bool:
        """No sync ever ran, or the last one did not succeed: the numbers may be stale."""
        return self.last_run is None or self.last_run.status in (
            SyncRunStatus.FAILED,
            SyncRunStatus.INTERRUPTED,
        )


def busiest_team() -> Team | None:
    """The team with the most changes (by name among equals; None when there is no team):
    on a server of many teams, the one whose pages cost the most."""
    counts = (
        Change.objects.filter(repository__team=OuterRef("pk"))
        .order_by()
        .values("repository__team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Team.objects.annotate(changes=Subquery(counts)).order_by("-changes", "name").first()


def team_overview(
    *, team: Team, now: datetime | None = None, recent_changes: int = 10
) -> TeamOverview:
    """Headline numbers of a team in four queries.

    "Merged" and "abandoned" recently count by ``closed``: the submit time, or the time of
    the abandon message (Gerrit keeps no abandon time of its own).

    Each figure is counted per repository by its own index range (open changes by the
    repository-led index of open changes, closed ones by repository, status and close
    time) and the team's totals are their sums: counting over a join of the team's whole
    history read every change it ever had (170 ms of a 27,000-change team's page).
    """
    since = (now or timezone.now()) - timedelta(days=RECENT_DAYS)
    mine = Change.objects.filter(repository=OuterRef("pk"))
    repositories = list(
        team.repositories.annotate(
            open_count=_count(mine.filter(status=ChangeStatus.NEW)),
            merged_recently=_count(mine.filter(status=ChangeStatus.MERGED, closed__gte=since)),
            abandoned_recently=_count(
                mine.filter(status=ChangeStatus.ABANDONED, closed__gte=since)
            ),
        ).order_by("name")
    )
    counts = {
        figure: sum(getattr(repository, figure) for repository in repositories)
        for figure in ("open_count", "merged_recently", "abandoned_recently")
    }
    return TeamOverview(
        team=team,
        recent_days=RECENT_DAYS,
        repositories=repositories,
        recent_changes=list(Change.objects.in_team(team).open().with_row_data()[:recent_changes]),
        core_members=current_core_members(team=team),
        last_run=team.sync_runs.order_by("-started").first(),
        **counts,
    )


def _count(changes: QuerySet[Change]) -> Coalesce:
    """How many ``changes`` there are, as a scalar subquery (0 for none)."""
    counted = changes.order_by().values("repository").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def current_core_members(*, team: Team) -> list[CoreMembership]:
    """Open membership stretches (``left`` is None), by name, with the account joined in."""
    return list(
        CoreMembership.objects.filter(team=team, left__isnull=True)
        .select_related("account")
        .order_by("account__name", "account__username")
    )


@dataclass(frozen=True)
class PatchSetVotes:
    """One patch set and the vote events cast or removed on it, oldest first.

    ``patch_set`` is None when votes name a patch set the sync stored no row for (Gerrit
    deleted it, or the change came from an old export): the votes are still shown.
    """

    number: int
    patch_set: PatchSet | None
    votes: list[Vote]


@dataclass(frozen=True)
class ChangeDetail:
    change: Change
    approvals: dict[str, list[Approval]]  # label -> current votes, best first
    patch_sets: list[PatchSetVotes]  # newest first
    messages: list[Message]
    files: list[str]


def change_detail(*, team: Team, number: int) -> ChangeDetail | None:
    """Everything the change page shows, in six queries; None when the team has no such change.

    The change is found by its server's number (the unique index) and then checked to be the
    team's: by the team alone, a database picks the team's repositories and scans their
    changes for the number (75 ms for a big team of a 300,000-change server).
    """
    change = (
        Change.objects.in_team(team)
        .with_row_data()
        .filter(server_id=team.server_id, number=number)
        .first()
    )
    if change is None:
        return None
    approvals: dict[str, list[Approval]] = defaultdict(list)
    for approval in change.approvals.select_related("account").order_by(
        "label", "-value", "account__name"
    ):
        approvals[approval.label].append(approval)

    votes: dict[int, list[Vote]] = defaultdict(list)
    for vote in change.votes.select_related("account", "removed_by").order_by("granted", "id"):
        votes[vote.patch_set].append(vote)
    patch_sets = {ps.number: ps for ps in change.patch_sets.select_related("uploader")}
    numbers = sorted(patch_sets.keys() | votes.keys(), reverse=True)
    return ChangeDetail(
        change=change,
        approvals=dict(sorted(approvals.items())),
        patch_sets=[PatchSetVotes(n, patch_sets.get(n), votes.get(n, [])) for n in numbers],
        messages=list(change.messages.select_related("author").order_by("date", "id")),
        files=sorted(change.files.values_list("path", flat=True)),
    )


@dataclass(frozen=True)
class RunProgress:
    """A running sync as the progress bar shows it."""

    run: SyncRun
    elapsed: float  # seconds since the run started
    rate: float | None  # changes fetched per second; None before the first page
    stale: bool  # no heartbeat for STALE_AFTER: the worker probably died

    @property
    def percent(self) -> int | None:
        expected = self.run.changes_expected
        if not expected:
            return None
        return min(100, round(100 * self.run.changes_fetched / expected))


@dataclass(frozen=True)
class SyncPanel:
    """One team on the sync status page.

    ``waiting`` is True after "Sync now" until the worker starts the run: the page knew the
    newest run id ``after`` when it asked, and no newer run exists yet.
    """

    team: Team
    runs: list[SyncRun]  # newest first, at most SYNC_RUNS_SHOWN
    current: RunProgress | None
    after: int | None = None
    waiting: bool = False

    @property
    def can_start(self) -> bool:
        """A stale running row does not block: the next sync marks it interrupted."""
        return self.current is None or self.current.stale

    @property
    def latest_id(self) -> int:
        return self.runs[0].pk if self.runs else 0


def sync_panel(*, team: Team, after: int | None = None) -> SyncPanel:
    """One team's panel (one query): what "Sync now" and the progress poll answer with."""
    return sync_panels(teams=[team], after=after)[0]


def sync_panels(
    *,
    teams: Iterable[Team],
    after: int | None = None,
    limit: int = SYNC_RUNS_SHOWN,
    now: datetime | None = None,
) -> list[SyncPanel]:
    """The last ``limit`` runs of each team, in one query however many teams and runs.

    ``teams`` may be a QuerySet (one more query to read it).
    """
    now = now or timezone.now()
    teams_list = list(teams)
    runs = (
        SyncRun.objects.filter(team__in=[team.pk for team in teams_list])
        .annotate(
            position=Window(RowNumber(), partition_by=F("team"), order_by=F("started").desc())
        )
        .filter(position__lte=limit)
        .order_by("team", "-started")
    )
    by_team: dict[int, list[SyncRun]] = defaultdict(list)
    for run in runs:
        by_team[run.team_id].append(run)
    panels = []
    for team in teams_list:
        team_runs = by_team.get(team.pk, [])
        running = next((r for r in team_runs if r.status == SyncRunStatus.RUNNING), None)
        current = run_progress(run=running, now=now) if running else None
        waiting = after is not None and current is None and all(r.pk <= after for r in team_runs)
        panels.append(
            SyncPanel(team=team, runs=team_runs, current=current, after=after, waiting=waiting)
        )
    return panels


def run_progress(*, run: SyncRun, now: datetime | None = None) -> RunProgress:
    now = now or timezone.now()
    elapsed = max(0.0, (now - run.started).total_seconds())
    return RunProgress(
        run=run,
        elapsed=elapsed,
        rate=run.changes_fetched / elapsed if run.changes_fetched and elapsed else None,
        stale=now - run.heartbeat > STALE_AFTER,
    )


def team_or_404(name: str) -> Team:
    """The team a team page's URL names, with its server (every page links to Gerrit)."""
    return get_object_or_404(Team.objects.select_related("server"), name=name)
