"""team_diversity: the four measures, shares, windows and trend, on small hand-made histories."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from dashboard.gerrit.models import ChangeStatus
from dashboard.health.diversity import team_diversity, trend_series
from tests.gerrit.factories import (
    AccountFactory,
    ChangeFactory,
    CoreMembershipFactory,
    RepositoryFactory,
    TeamFactory,
    VoteFactory,
)
from tests.health.factories import AffiliationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

AT = date(2026, 7, 1)  # the window is [2026-01-02, 2026-07-01)
START = AT - timedelta(days=180)


def moment(day: date, hour: int = 12, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, 0, second), tzinfo=UTC)


@pytest.fixture
def repo():
    return RepositoryFactory(team=TeamFactory(name="glance"), name="openstack/glance")


@pytest.fixture
def person(repo):
    def make(name: str, organisation: str | None = "", **kwargs):
        account = AccountFactory(server=repo.team.server, name=name, username=name.lower())
        if organisation != "":
            org = OrganisationFactory(name=organisation) if organisation else None
            AffiliationFactory(account=account, organisation=org, **kwargs)
        return account

    return make


@pytest.fixture
def merge(repo):
    def make(owner, when: datetime):
        return ChangeFactory(
            repository=repo, owner=owner, status=ChangeStatus.MERGED, closed=when, created=when
        )

    return make


@pytest.fixture
def review(repo, person):
    author = person("Author", "Authors Inc")

    def make(reviewer, when: datetime, *, change=None, patch_set: int = 1, value: int = 1, **kw):
        change = change or ChangeFactory(repository=repo, owner=author)
        return VoteFactory(
            change=change,
            account=reviewer,
            granted=when,
            patch_set=patch_set,
            value=value,
            **kw,
        )

    return make


def counts(measure) -> dict[str, int]:
    return {org.name: org.count for org in measure.organisations}


def test_organisation_is_resolved_at_the_event_date_with_start_inclusive_end_exclusive(
    repo, person, merge
):
    mover = person("Mover", "Old Co", end=date(2026, 3, 1))
    AffiliationFactory(
        account=mover, organisation=OrganisationFactory(name="New Co"), start=date(2026, 3, 1)
    )
    merge(mover, datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC))
    merge(mover, datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC))
    merge(mover, moment(date(2026, 5, 1)))

    merged = team_diversity(team=repo.team, at=AT).current.measure("merged")

    assert counts(merged) == {"New Co": 2, "Old Co": 1}
    assert merged.total == 3
    assert merged.top1 == pytest.approx(2 / 3)
    assert merged.top2 == pytest.approx(1.0)


def test_independents_count_each_as_their_own_organisation(repo, person, merge):
    big = person("Big", "Big Co")
    solo_a = person("Ann", None)
    solo_b = person("Bob", None)
    for _ in range(2):
        merge(big, moment(date(2026, 4, 1)))
    merge(solo_a, moment(date(2026, 4, 2)))
    merge(solo_b, moment(date(2026, 4, 3)))

    merged = team_diversity(team=repo.team, at=AT).current.measure("merged")

    assert counts(merged) == {"Big Co": 2, "Ann (independent)": 1, "Bob (independent)": 1}
    assert merged.top1 == pytest.approx(0.5)
    # Not 100%: the two independents are two organisations, not one.
    assert merged.top2 == pytest.approx(0.75)
    assert [org.independent for org in merged.organisations] == [False, True, True]


def test_people_without_a_record_count_alone_and_are_listed(repo, person, merge):
    unknown = person("Nobody")
    merge(unknown, moment(date(2026, 4, 1)))
    merge(person("Known", "Known Co"), moment(date(2026, 4, 1)))

    diversity = team_diversity(team=repo.team, at=AT)

    assert counts(diversity.current.measure("merged")) == {
        "Known Co": 1,
        "Nobody (no affiliation recorded)": 1,
    }
    assert diversity.unaffiliated == ("Nobody",)


def test_merged_changes_skip_open_abandoned_and_bot_owned_changes(repo, person, merge):
    dev = person("Dev", "Dev Co")
    bot = person("Bot", "Bot Co")
    bot.is_bot = True
    bot.save()
    merge(dev, moment(date(2026, 4, 1)))
    merge(bot, moment(date(2026, 4, 1)))
    ChangeFactory(repository=repo, owner=dev, status=ChangeStatus.NEW)
    ChangeFactory(
        repository=repo,
        owner=dev,
        status=ChangeStatus.ABANDONED,
        closed=moment(date(2026, 4, 1)),
    )
    ChangeFactory(
        owner__name="Elsewhere", status=ChangeStatus.MERGED, closed=moment(AT - timedelta(days=3))
    )

    merged = team_diversity(team=repo.team, at=AT).current.measure("merged")

    assert counts(merged) == {"Dev Co": 1}


def test_window_includes_its_first_midnight_and_excludes_its_end(repo, person, merge):
    dev = person("Dev", "Dev Co")
    merge(dev, moment(START, hour=0))  # first instant of the window: in
    merge(dev, moment(START, hour=0) - timedelta(seconds=1))  # out
    merge(dev, moment(AT, hour=0) - timedelta(seconds=1))  # last instant: in
    merge(dev, moment(AT, hour=0))  # out

    window = team_diversity(team=repo.team, at=AT).current

    assert (window.start, window.last_day) == (date(2026, 1, 2), date(2026, 6, 30))
    assert window.measure("merged").total == 2


def test_reviews_follow_the_shared_definition(repo, person, review):
    red = person("Rhea", "Red Co")
    blue = person("Bea", "Blue Co")
    owner = person("Owner", "Red Co")
    bot = person("Zuul", "CI Co")
    bot.is_bot = True
    bot.save()
    day = moment(date(2026, 5, 1))
    change = ChangeFactory(repository=repo, owner=owner)
    # Rhea: two votes on patch set 1 are one review; patch set 2 is another.
    review(red, day, change=change, value=-1)
    review(red, day + timedelta(hours=1), change=change, value=1)
    review(red, day + timedelta(hours=2), change=change, patch_set=2, value=2)
    # Bea: one review; her 0, her removal and her Verified vote are not reviews.
    review(blue, day, change=change, value=-2)
    review(blue, day, change=change, patch_set=2, value=0)
    review(blue, day, change=change, patch_set=3, value=0, removal=True)
    review(blue, day, change=change, patch_set=4, label="Verified", value=1)
    # The owner's own vote and the bot's are not reviews.
    review(owner, day, change=change, patch_set=2, value=2)
    review(bot, day, change=change, patch_set=2, value=1)

    reviews = team_diversity(team=repo.team, at=AT).current.measure("reviews")

    assert counts(reviews) == {"Red Co": 2, "Blue Co": 1}
    assert reviews.top1 == pytest.approx(2 / 3)
    assert reviews.top_names == ("Red Co", "Blue Co")


def test_a_review_counts_once_for_the_organisation_of_its_latest_vote(repo, person, review):
    mover = person("Mover", "Old Co", end=date(2026, 3, 1))
    AffiliationFactory(
        account=mover, organisation=OrganisationFactory(name="New Co"), start=date(2026, 3, 1)
    )
    change = ChangeFactory(repository=repo, owner=person("Owner", "Owner Co"))
    review(mover, moment(date(2026, 2, 27)), change=change, value=-1)
    review(mover, moment(date(2026, 3, 2)), change=change, value=1)  # same patch set, later

    reviews = team_diversity(team=repo.team, at=AT).current.measure("reviews")

    assert counts(reviews) == {"New Co": 1}


def test_reviews_of_other_teams_do_not_count(repo, person, review):
    me = person("Me", "My Co")
    review(me, moment(date(2026, 5, 1)))
    other_change = ChangeFactory(owner__name="Other")
    VoteFactory(change=other_change, account=me, granted=moment(date(2026, 5, 1)))

    assert team_diversity(team=repo.team, at=AT).current.measure("reviews").total == 1


@pytest.fixture
def fifty_one_merged(repo, person, merge):
    """51 merged changes in the window: 2% is 1.02, so the active bar is 2 reviews."""
    author = person("Prolific", "Authors Inc")
    for n in range(51):
        merge(author, moment(START + timedelta(days=n)))


def test_active_bar_is_two_percent_of_merged_changes_rounded_up(repo, fifty_one_merged):
    window = team_diversity(team=repo.team, at=AT).current

    assert window.merged_total == 51
    assert window.active_bar == 2


def test_core_reviews_count_active_cores_while_they_are_core(
    repo, person, review, fifty_one_merged
):
    day = date(2026, 5, 1)
    steady = person("Steady", "Red Co")  # core all along, 3 reviews: active
    CoreMembershipFactory(team=repo.team, account=steady, joined=moment(date(2025, 1, 1)))
    for n in range(3):
        review(steady, moment(day, second=n))
    idle = person("Idle", "Blue Co")  # core, 1 review: below the bar of 2
    CoreMembershipFactory(team=repo.team, account=idle, joined=moment(date(2025, 1, 1)))
    review(idle, moment(day))
    # Newcomer: 2 reviews before joining the core team (count for the bar, not as core),
    # 1 after: active, one core review.
    newcomer = person("Newcomer", "Green Co")
    CoreMembershipFactory(team=repo.team, account=newcomer, joined=moment(date(2026, 6, 1)))
    review(newcomer, moment(date(2026, 5, 2)))
    review(newcomer, moment(date(2026, 5, 3)))
    review(newcomer, moment(date(2026, 6, 1), hour=13))
    # Leaver: core until 1 March; only the reviews before leaving are core reviews.
    leaver = person("Leaver", "Red Co")
    CoreMembershipFactory(
        team=repo.team,
        account=leaver,
        joined=moment(date(2025, 1, 1)),
        left=moment(date(2026, 3, 1), hour=0),
    )
    review(leaver, moment(date(2026, 2, 28)))
    review(leaver, moment(date(2026, 3, 1)))
    # A non-core with many reviews is active but not a core.
    for n in range(4):
        review(person(f"Casual{n}", "Blue Co"), moment(day))

    window = team_diversity(team=repo.team, at=AT).current

    assert counts(window.measure("reviews")) == {"Blue Co": 5, "Red Co": 5, "Green Co": 3}
    core_reviews = window.measure("core_reviews")
    assert counts(core_reviews) == {"Red Co": 4, "Green Co": 1}
    assert core_reviews.top1 == pytest.approx(0.8)
    seats = window.measure("core_seats")
    assert counts(seats) == {"Red Co": 2, "Green Co": 1}
    assert seats.top1 == pytest.approx(2 / 3)
    assert seats.top2 == pytest.approx(1.0)


def test_a_core_seat_counts_once_for_the_organisation_of_the_latest_core_review(
    repo, person, review
):
    # No merged changes: 2% of 0 is 0, so every reviewer is over the bar.
    mover = person("Mover", "Old Co", end=date(2026, 4, 1))
    AffiliationFactory(
        account=mover, organisation=OrganisationFactory(name="New Co"), start=date(2026, 4, 1)
    )
    CoreMembershipFactory(team=repo.team, account=mover, joined=moment(date(2025, 1, 1)))
    review(mover, moment(date(2026, 3, 1)))
    review(mover, moment(date(2026, 5, 1)))

    window = team_diversity(team=repo.team, at=AT).current

    assert window.active_bar == 0
    assert counts(window.measure("core_reviews")) == {"Old Co": 1, "New Co": 1}
    assert counts(window.measure("core_seats")) == {"New Co": 1}


def test_trend_has_points_every_30_days_back_to_the_start_of_history(repo, person, merge):
    red = person("Rhea", "Red Co")
    blue = person("Bea", "Blue Co")
    merge(red, moment(AT - timedelta(days=250)))  # the first event
    merge(blue, moment(AT - timedelta(days=200)))
    merge(blue, moment(AT - timedelta(days=100)))
    merge(red, moment(AT - timedelta(days=10)))

    diversity = team_diversity(team=repo.team, at=AT)

    # Ends at AT, AT-30, AT-60; AT-90's window would start before the first event.
    assert [w.end for w in diversity.trend] == [
        AT - timedelta(days=60),
        AT - timedelta(days=30),
        AT,
    ]
    oldest, middle, current = diversity.trend
    # [AT-240, AT-60): blue's two changes only.
    assert counts(oldest.measure("merged")) == {"Blue Co": 2}
    # [AT-210, AT-30): blue at -200 and -100.
    assert counts(middle.measure("merged")) == {"Blue Co": 2}
    # [AT-180, AT): blue at -100, red at -10.
    assert counts(current.measure("merged")) == {"Blue Co": 1, "Red Co": 1}
    assert current is diversity.current
    assert diversity.previous is None  # the history is shorter than a year

    series = trend_series(diversity, "merged")
    assert series["Top organisation"] == [
        (AT - timedelta(days=61), 100.0),
        (AT - timedelta(days=31), 100.0),
        (AT - timedelta(days=1), 50.0),
    ]
    assert series["Top two organisations"][-1] == (AT - timedelta(days=1), 100.0)


def test_six_months_before_is_the_window_ending_where_the_current_one_starts(repo, person, merge):
    red = person("Rhea", "Red Co")
    blue = person("Bea", "Blue Co")
    merge(red, moment(AT - timedelta(days=400)))
    merge(red, moment(AT - timedelta(days=300)))
    merge(blue, moment(AT - timedelta(days=200)))
    merge(blue, moment(AT - timedelta(days=20)))

    diversity = team_diversity(team=repo.team, at=AT)

    assert diversity.previous is not None
    assert diversity.previous.end == START
    assert counts(diversity.previous.measure("merged")) == {"Red Co": 1, "Blue Co": 1}
    assert counts(diversity.current.measure("merged")) == {"Blue Co": 1}


def test_an_empty_team_has_empty_measures_without_shares(repo):
    diversity = team_diversity(team=repo.team, at=AT)

    assert [m.total for m in diversity.current.measures] == [0, 0, 0, 0]
    assert diversity.current.measure("reviews").top1 is None
    assert len(diversity.trend) == 1
    assert trend_series(diversity, "reviews")["Top organisation"] == []


def test_diversity_runs_three_queries_whatever_the_history(
    repo, person, merge, review, django_assert_num_queries
):
    for n in range(6):
        dev = person(f"Dev{n}", f"Co {n % 3}" if n < 5 else None)
        CoreMembershipFactory(team=repo.team, account=dev, joined=moment(date(2025, 1, 1)))
        for k in range(3):
            merge(dev, moment(AT - timedelta(days=30 * k + n + 1)))
            review(dev, moment(AT - timedelta(days=40 * k + n + 1)))

    with django_assert_num_queries(3):
        diversity = team_diversity(team=repo.team, at=AT)

    assert diversity.current.measure("merged").total == 18


def test_context_sentence_compares_the_top_share_with_six_months_before(repo, person, merge):
    red = person("Rhea", "Red Co")
    blue = person("Bea", "Blue Co")
    # The history starts before the earlier window, so both windows are whole.
    merge(person("Old", "Old Co"), moment(AT - timedelta(days=370)))
    # Before [AT-360, AT-180): Blue 3, Red 1. Now [AT-180, AT): Red 2, Blue 1.
    for days, who in [
        (350, blue),
        (340, blue),
        (330, blue),
        (320, red),
        (100, red),
        (90, red),
        (80, blue),
    ]:
        merge(who, moment(AT - timedelta(days=days)))

    diversity = team_diversity(team=repo.team, at=AT)
    merged = next(row for row in diversity.comparisons() if row["now"].key == "merged")

    assert merged["context"] == (
        "Top organisation: Red Co, 67% of merged changes (2 of 3), up from 25% six months "
        "before (then the top was Blue Co with 75%)."
    )
    reviews = next(row for row in diversity.comparisons() if row["now"].key == "reviews")
    assert reviews["context"] == "No reviews in this window."
