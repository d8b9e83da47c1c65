"""The cycle report's shape: a tree of frozen dataclasses, and the methods it states.

Built by ``reports.cycle_report`` and rendered by the page template and by
``reports.cycle_report_export``; kept apart so both read one definition of each figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dashboard.gerrit.models import Team
from dashboard.governance.models import Cycle
from dashboard.health.reviewers import ReviewerRow
from dashboard.reports.models import ReportNarrative, ReportNarrativeVersion

METHODS = {
    "window": (
        "Figures cover the cycle from its first day to the end of its release week's Monday "
        "(UTC), cut at the time of drafting while the cycle runs."
    ),
    "review": (
        "A review is one person's Code-Review vote other than 0 on one patch set of "
        "someone else's change, dated by its latest vote; votes copied onto a rebase and "
        "bots' votes do not count (the definition of every Tiller health page)."
    ),
    "constant": (
        "Constant reviewers reviewed in at least half of the cycle's weeks (Monday to "
        "Sunday, UTC), occasional ones in at least one week but fewer, silent ones in none; "
        "the core team is everyone in the core group at some time during the cycle."
    ),
    "review_days": (
        "Review days are the team's own events whose title names a review day. Their "
        "effect is the reviews per day on the event's days against the median weekday "
        "(Monday to Friday) of the cycle, review days left out of the median."
    ),
    "backlog": (
        "The backlog is that of the first and the last day as each day ended: the backlog "
        "snapshot kept that day, or one rebuilt from the vote history when none was kept."
    ),
    "diversity": (
        "Diversity is measured over the 180 days to the cycle's end, as OpenStack's "
        "team:diverse-affiliation tag does: the share of the top one and top two "
        "organisations."
    ),
}


class ReportUnavailable(Exception):
    """The cycle cannot have a report yet (no dates, or it has not started); ``str()`` is
    the message to show."""


@dataclass(frozen=True)
class Link:
    """Something the report names; ``url`` is a site path (``/teams/…``) or an absolute
    URL, "" when there is nothing to link to."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class SpecItem:
    spec: Link
    deliverable: str
    state: str
    day: date | None  # the day it reached the state the list is about, when known
    now_in: str = ""  # for a spec moved to another cycle: that cycle's name


@dataclass(frozen=True)
class SpecFigures:
    approved: tuple[SpecItem, ...]
    implemented: tuple[SpecItem, ...]
    untargeted: tuple[SpecItem, ...]
    moved: tuple[SpecItem, ...]
    not_done: tuple[SpecItem, ...]  # approved for the cycle, still approved, not implemented


@dataclass(frozen=True)
class PriorityItem:
    position: int
    title: str
    status: str
    reason: str
    day: date | None
    owners: tuple[str, ...]


@dataclass(frozen=True)
class Priorities:
    done: tuple[PriorityItem, ...]
    missed: tuple[PriorityItem, ...]
    deprioritized: tuple[PriorityItem, ...]
    active: tuple[PriorityItem, ...]

    @property
    def total(self) -> int:
        return len(self.done) + len(self.missed) + len(self.deprioritized) + len(self.active)


@dataclass(frozen=True)
class FFEItem:
    title: str
    decision: str
    requester: str
    requested: date
    decided: date | None
    subject: Link | None  # the spec or change it names; None once both are gone
    note: str


@dataclass(frozen=True)
class CoreReviewer:
    name: str
    weeks: int
    reviews: int


@dataclass(frozen=True)
class CoreFigures:
    size_start: int
    size_end: int
    joined: tuple[str, ...]
    left: tuple[str, ...]
    known_since: datetime | None
    weeks: int
    constant_min_weeks: int
    constant: tuple[CoreReviewer, ...]
    occasional: tuple[CoreReviewer, ...]
    silent: tuple[CoreReviewer, ...]

    first_day: date

    @property
    def history_starts_in_cycle(self) -> bool:
        """Membership is known only from inside the cycle: the size at the start and the
        joiners read wrong, and the report says so."""
        return self.known_since is None or self.known_since.date() > self.first_day


@dataclass(frozen=True)
class Activity:
    reviews: int
    reviewers: int
    core_reviews: int
    reviews_per_day: float
    created: int
    merged: int
    abandoned: int
    top: tuple[ReviewerRow, ...]


@dataclass(frozen=True)
class BacklogPoint:
    day: date
    open_changes: int
    reviewable: int
    waiting_on_reviewer: int
    waiting_on_submitter: int
    source: str


@dataclass(frozen=True)
class AbandonedChange:
    change: Link
    day: date


@dataclass(frozen=True)
class Backlog:
    start: BacklogPoint
    end: BacklogPoint
    abandoned: tuple[AbandonedChange, ...]

    @property
    def change(self) -> int:
        return self.end.open_changes - self.start.open_changes


@dataclass(frozen=True)
class ReviewDay:
    title: str
    start: date
    end: date
    reviews: int
    per_day: float
    ratio: float | None  # per_day over the median weekday; None when the median is 0


@dataclass(frozen=True)
class ReviewDays:
    median_weekday: float
    days: tuple[ReviewDay, ...]


@dataclass(frozen=True)
class DiversityMeasure:
    title: str
    total: int
    top1: str
    top2: str
    top_names: tuple[str, ...]


@dataclass(frozen=True)
class Diversity:
    start: date
    last_day: date
    measures: tuple[DiversityMeasure, ...]


@dataclass(frozen=True)
class CycleReport:
    team: Team
    cycle: Cycle
    first_day: date
    last_day: date
    in_progress: bool
    drafted: datetime
    ptls: tuple[str, ...]
    features: tuple[SpecItem, ...]
    priorities: Priorities
    specs: SpecFigures
    ffes: tuple[FFEItem, ...]
    ffe_counts: dict[str, int]
    core: CoreFigures
    activity: Activity
    backlog: Backlog
    review_days: ReviewDays
    diversity: Diversity
    narrative: ReportNarrative
    versions: tuple[ReportNarrativeVersion, ...]

    @property
    def title(self) -> str:
        return f"{self.team.display_name or self.team.name}: {self.cycle} cycle report"
