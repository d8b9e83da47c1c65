"""A fixed cycle built by hand for the cycle report's tests, every figure worked out below.

The cycle runs Monday 2017-03-06 to Monday 2017-03-27 (window 2017-03-06 00:00 to
2017-03-28 00:00 UTC: 22 days, 4 weeks starting Mar 6, 13, 20, 27; constant = 2 weeks).

People (no affiliations: each counts as an organisation of their own):
  Alice (core throughout), Bob (core, left Mar 15), Carol (core, joined Mar 10),
  Dave (core throughout, never reviews), Erin and Frank (not core).
Reviews in the window (one per person, change and patch set):
  Erin +1 on Frank's change, one patch set a weekday except Mar 14, and Sat Mar 11: 16;
  Erin +1 on Alice's change on Mar 14: 1                 -> Erin 17
  Alice +2 on Erin's change Mar 6, Mar 14, Mar 21: 3     -> weeks Mar 6, 13, 20: constant
  Bob -1 on Erin's change Mar 7: 1                       -> one week: occasional
  Carol +1 on Erin's change Mar 14 (two patch sets): 2   -> one week: occasional
  Outside: Bob +1 Mar 5 (in the diversity window), Erin +1 Mar 28 (in neither).
  Total 23 by 4 reviewers; core reviews 6 (Alice 3, Bob 1, Carol 2).
Review day: team event "Review day" on Tue Mar 14: Alice 1 + Carol 2 + Erin 1 = 4 reviews;
  the other 15 weekdays have 1 (Erin) except Mar 6, 7, 21 with 2: median 1, ratio 4.0.
Changes: Frank's (open, Mar 1), Erin's (open, Mar 2), Alice's (created Mar 13, merged
  Mar 20), an old one abandoned by the clean-up on Mar 22: created 1, merged 1, abandoned 1.
Backlog: a live snapshot on Mar 6 (10 open, 4 reviewable, 5 waiting on reviewers, 3 on
  submitters); none on Mar 27, rebuilt: 2 open, 0 reviewable, Frank's waiting on reviewers,
  Erin's on its submitter (Bob's -1 stands).
Diversity (180 days to Mar 28): merged 1 (Alice 100%); reviews 24: Erin 17, Alice 3,
  Bob 2, Carol 2 -> 71% / 83%; active bar min(30, ceil(2% of 1)) = 1, so everyone is
  active: core reviews 7 (Alice 3, Bob 2, Carol 2) -> 43% / 71%; seats 3 -> 33% / 67%.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from dashboard.gerrit.models import Account, Change, ChangeStatus, Team
from dashboard.governance.models import (
    Cycle,
    EventKind,
    FFEDecision,
    PriorityStatus,
    SpecState,
    SpecStateChange,
)
from dashboard.health.models import AbandonAction, AbandonOutcome, BacklogSnapshot, SnapshotSource
from tests.gerrit.factories import (
    AccountFactory,
    ChangeFactory,
    CoreMembershipFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)
from tests.governance.factories import CycleEventFactory, CycleFactory, LeaderFactory
from tests.governance.priority_factories import FFEFactory, PriorityFactory, SpecFactory

WEEKDAYS = [
    day
    for day in (date(2017, 3, d) for d in range(6, 28))
    if day.weekday() < 5 and day != date(2017, 3, 14)
]


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2017, month, day, hour, tzinfo=UTC)


@dataclass
class ReportData:
    team: Team
    cycle: Cycle
    later: Cycle
    people: dict[str, Account]
    changes: dict[str, Change]


def build_report_data() -> ReportData:
    team = TeamFactory(name="glance", display_name="Glance")
    repo = RepositoryFactory(team=team, name="openstack/glance")
    cycle = CycleFactory(name="pike", start=date(2017, 3, 6), end=date(2017, 3, 27))
    later = CycleFactory(name="queens", start=date(2017, 4, 3), end=date(2017, 9, 4))
    people = {
        name: AccountFactory(server=team.server, name=f"{name} Example", username=name.lower())
        for name in ("Alice", "Bob", "Carol", "Dave", "Erin", "Frank")
    }
    long_ago = datetime(2016, 1, 1, tzinfo=UTC)
    CoreMembershipFactory(team=team, account=people["Alice"], joined=long_ago)
    CoreMembershipFactory(team=team, account=people["Bob"], joined=long_ago, left=at(3, 15))
    CoreMembershipFactory(team=team, account=people["Carol"], joined=at(3, 10))
    CoreMembershipFactory(team=team, account=people["Dave"], joined=long_ago)

    def change(owner: str, created: datetime, **extra: object) -> Change:
        return ChangeFactory(
            repository=repo, owner=people[owner], created=created, updated=created, **extra
        )

    changes = {
        "frank": change("Frank", at(3, 1)),
        "erin": change("Erin", at(3, 2)),
        "alice": change(
            "Alice", at(3, 13), status=ChangeStatus.MERGED, closed=at(3, 20), subject="Land it"
        ),
        "old": change(
            "Frank",
            datetime(2016, 6, 1, tzinfo=UTC),
            status=ChangeStatus.ABANDONED,
            closed=at(3, 22),
            subject="Old stale work",
        ),
    }

    def vote(who: str, target: str, when: datetime, value: int = 1, patch_set: int = 1) -> None:
        VoteFactory(
            change=changes[target],
            account=people[who],
            granted=when,
            value=value,
            patch_set=patch_set,
        )

    for number, day in enumerate([*WEEKDAYS, date(2017, 3, 11)], start=1):
        vote(
            "Erin",
            "frank",
            datetime.combine(day, datetime.min.time(), UTC).replace(hour=10),
            1,
            number,
        )
    vote("Erin", "alice", at(3, 14))
    for number, day in enumerate((6, 14, 21), start=1):
        vote("Alice", "erin", at(3, day), 2, number)
    vote("Bob", "erin", at(3, 7), -1)
    vote("Carol", "erin", at(3, 14), 1, 1)
    vote("Carol", "erin", at(3, 14, 15), 1, 2)
    vote("Bob", "frank", at(3, 5), 1, 40)
    vote("Erin", "frank", at(3, 28), 1, 41)

    CycleEventFactory(
        cycle=cycle,
        team=team,
        kind=EventKind.TEAM,
        title="Review day",
        start=date(2017, 3, 14),
        end=date(2017, 3, 14),
        due=None,
    )
    CycleEventFactory(  # a team event that is not a review day
        cycle=cycle, team=team, kind=EventKind.TEAM, title="Virtual midcycle", due=None
    )
    BacklogSnapshot.objects.create(
        team=team,
        day=date(2017, 3, 6),
        open_changes=10,
        in_scope=8,
        reviewable=4,
        waiting_on_submitter=3,
        waiting_on_reviewer=5,
        merge_conflicts=1,
        source=SnapshotSource.LIVE,
        taken_at=at(3, 6, 23),
    )
    for created, outcome in (
        (at(3, 22), AbandonOutcome.ABANDONED),
        (at(3, 22, 13), AbandonOutcome.DRY_RUN),
        (at(4, 10), AbandonOutcome.ABANDONED),
    ):
        AbandonAction.objects.create(
            team=team,
            change=changes["old"],
            created=created,
            message="stale",
            dry_run=outcome == AbandonOutcome.DRY_RUN,
            outcome=outcome,
        )

    def spec(title: str, state: str, spec_cycle: Cycle | None, **extra: object) -> object:
        return SpecFactory(team=team, title=title, state=state, cycle=spec_cycle, **extra)

    spec("Image import", SpecState.IMPLEMENTED, cycle, implemented_on=date(2017, 3, 20))
    untargeted = spec("Rolling upgrades", SpecState.UNTARGETED, None)
    moved = spec("Quota limits", SpecState.APPROVED, later)
    not_done = spec("Image metadata", SpecState.APPROVED, cycle, approved_on=date(2017, 3, 8))
    spec("Just an idea", SpecState.PROPOSED, cycle)
    SpecFactory(title="Other team's", state=SpecState.IMPLEMENTED, cycle=cycle)
    for was in (untargeted, moved):
        SpecStateChange.objects.create(spec=was, state=SpecState.APPROVED, cycle=cycle)

    for position, (title, status, reason) in enumerate(
        (
            ("Finish image import", PriorityStatus.DONE, ""),
            ("Rolling upgrades", PriorityStatus.MISSED, "No reviewer had time"),
            ("Quotas", PriorityStatus.DEPRIORITIZED, "Waiting for Nova"),
            ("Documentation", PriorityStatus.ACTIVE, ""),
        ),
        start=1,
    ):
        PriorityFactory(
            team=team,
            cycle=cycle,
            position=position,
            title=title,
            status=status,
            status_reason=reason,
        )
    PriorityFactory(team=team, cycle=later, title="Next cycle's")

    FFEFactory(
        team=team,
        cycle=cycle,
        spec=not_done,
        title="Metadata API",
        decision=FFEDecision.GRANTED,
        requested=date(2017, 3, 20),
        requester_name="Alice",
        note="Until RC1",
    )
    FFEFactory(
        team=team,
        cycle=cycle,
        spec=None,
        change=changes["erin"],
        title="Erin's fix",
        requested=date(2017, 3, 21),
        requester_name="Erin",
    )
    gone = SpecFactory(team=team, title="Deleted spec", state=SpecState.APPROVED, cycle=cycle)
    FFEFactory(
        team=team,
        cycle=cycle,
        spec=gone,
        title="Vanished work",
        decision=FFEDecision.GRANTED,
        requested=date(2017, 3, 22),
        requester_name="Bob",
    )
    gone.delete()
    LeaderFactory(team=team, cycle=cycle, name="Brian Example")
    return ReportData(team=team, cycle=cycle, later=later, people=people, changes=changes)
