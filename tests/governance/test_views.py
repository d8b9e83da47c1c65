"""Cycle pages: the timeline with today's week, the PTL-only forms, the calendar feed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from dashboard.core.roles import CONTRIBUTOR, PTL, ensure_role_groups
from dashboard.governance.models import CycleEvent, EventKind, Leader
from dashboard.governance.models.leaders import LeaderRole
from dashboard.governance.weeks import monday_of
from tests.gerrit.factories import AccountFactory, TeamFactory
from tests.governance.factories import CycleEventFactory, CycleFactory, LeaderFactory

pytestmark = pytest.mark.django_db


def _user(name: str, role: str | None = None) -> User:
    user = User.objects.create_user(name, password="pw")
    if role:
        ensure_role_groups()
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def team():
    return TeamFactory(name="glance", display_name="Glance")


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def cycle(today: date):
    """A 26-week cycle whose R-10 week is this week."""
    start = monday_of(today) - timedelta(weeks=15)
    return CycleFactory(name="hibiscus", start=start, end=start + timedelta(weeks=25))


def url(name: str, *args: object) -> str:
    return reverse(f"governance:{name}", args=args)


def test_cycle_page_marks_this_week_and_counts_down_to_the_freeze(
    client, team, cycle, today, django_assert_num_queries
) -> None:
    CycleEventFactory(
        cycle=cycle,
        kind=EventKind.FEATURE_FREEZE,
        title="Feature freeze",
        start=monday_of(today + timedelta(days=12)),
        due=today + timedelta(days=12),
    )
    CycleEventFactory(cycle=cycle, kind=EventKind.MILESTONE, title="Hibiscus-2 milestone")
    CycleEventFactory(
        cycle=cycle, team=team, kind=EventKind.SPEC_FREEZE, title="Glance Spec Freeze"
    )
    CycleEventFactory(cycle=cycle, team=TeamFactory(name="nova"), title="Nova Spec Freeze")
    LeaderFactory(team=team, cycle=cycle, name="Cyril Roelandt")
    LeaderFactory(team=team, cycle=cycle, name="Pranali Deore", role=LeaderRole.RELEASE)
    # Team, cycle, events, next freeze, leaders; and the session-less user's nothing.
    with django_assert_num_queries(5):
        response = client.get(url("cycle", "glance", "hibiscus"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('aria-current="date"') == 1
    current_row = html.split('aria-current="date"')[1].split("</tr>")[0]
    assert "R-10" in current_row and "this week" in current_row
    assert "Feature freeze in 12 days" in html
    assert "Glance Spec Freeze" in html and "Nova Spec Freeze" not in html
    assert "Cyril Roelandt" in html and "Release liaison" in html
    assert "Add a team event" not in html  # anonymous: no forms


def test_cycle_page_query_count_does_not_grow_with_events(
    client, team, cycle, django_assert_num_queries
) -> None:
    for week in range(20):
        CycleEventFactory(cycle=cycle, start=cycle.start + timedelta(weeks=week))
        CycleEventFactory(
            cycle=cycle,
            team=team,
            label="",
            kind=EventKind.TEAM,
            start=cycle.start + timedelta(weeks=week),
        )
        LeaderFactory(team=team, cycle=cycle, account=AccountFactory(server=team.server))
    with django_assert_num_queries(5):
        assert client.get(url("cycle", "glance", "hibiscus")).status_code == 200


def test_unknown_cycle_and_team_are_404_with_a_message(client, team) -> None:
    response = client.get(url("cycle", "glance", "zebra"))
    assert response.status_code == 404
    assert client.get(url("cycle", "nope", "zebra")).status_code == 404


def test_cycle_link_goes_to_the_current_cycle_or_the_list(client, team, cycle) -> None:
    assert client.get(url("cycle-current", "glance"))["Location"] == url(
        "cycle", "glance", "hibiscus"
    )
    cycle.delete()
    assert client.get(url("cycle-current", "glance"))["Location"] == url("cycles", "glance")
    response = client.get(url("cycles", "glance"))
    assert response.status_code == 200 and "No cycles yet" in response.content.decode()


def test_ptl_adds_and_deletes_a_team_event_through_htmx(client, team, cycle) -> None:
    client.force_login(_user("pat", PTL))
    day = cycle.start + timedelta(weeks=12, days=1)
    response = client.post(
        url("team-event-add", "glance", "hibiscus"),
        {
            "title": "Virtual midcycle",
            "start": day.isoformat(),
            "end": (day + timedelta(days=1)).isoformat(),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="team-events"') and "Virtual midcycle" in html
    event = CycleEvent.objects.get(title="Virtual midcycle")
    assert (event.team, event.kind, event.start, event.end) == (
        team,
        EventKind.TEAM,
        day,
        day + timedelta(days=1),
    )
    response = client.post(
        url("team-event-delete", "glance", "hibiscus", event.pk), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and not CycleEvent.objects.exists()


def test_team_event_form_explains_bad_dates_and_keeps_nothing(client, team, cycle) -> None:
    client.force_login(_user("pat", PTL))
    response = client.post(
        url("team-event-add", "glance", "hibiscus"),
        {"title": "Review day", "start": "2017-02-31"},
    )
    assert response.status_code == 400 and "Enter a valid date." in response.content.decode()
    response = client.post(
        url("team-event-add", "glance", "hibiscus"),
        {"title": "Review day", "start": "1999-01-04"},
    )
    assert response.status_code == 400 and "pick a day in it" in response.content.decode()
    assert not CycleEvent.objects.exists()


def test_only_the_ptl_may_edit_events_and_leaders(client, team, cycle) -> None:
    event = CycleEventFactory(cycle=cycle, team=team, label="", kind=EventKind.TEAM)
    leader = LeaderFactory(team=team, cycle=cycle)
    posts = [
        (url("team-event-add", "glance", "hibiscus"), {"title": "x", "start": cycle.start}),
        (url("team-event-delete", "glance", "hibiscus", event.pk), {}),
        (url("leader-add", "glance", "hibiscus"), {"role": "ptl", "name": "Mallory"}),
        (url("leader-delete", "glance", "hibiscus", leader.pk), {}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 302  # anonymous: to the login page
    client.force_login(_user("cleo", CONTRIBUTOR))
    for path, data in posts:
        assert client.post(path, data).status_code == 403
    assert CycleEvent.objects.count() == 1 and Leader.objects.count() == 1


def test_schedule_events_cannot_be_deleted_as_team_events(client, team, cycle) -> None:
    client.force_login(_user("pat", PTL))
    scheduled = CycleEventFactory(cycle=cycle, team=team, label="h-glance-spec-freeze")
    response = client.post(url("team-event-delete", "glance", "hibiscus", scheduled.pk))
    assert response.status_code == 404 and CycleEvent.objects.filter(pk=scheduled.pk).exists()


def test_ptl_adds_a_leader_linked_to_their_gerrit_account(client, team, cycle) -> None:
    account = AccountFactory(server=team.server, username="croelandt", email="cyril@example.org")
    client.force_login(_user("pat", PTL))
    response = client.post(
        url("leader-add", "glance", "hibiscus"),
        {"role": "ptl", "name": "Cyril Roelandt", "irc": "croelandt", "email": "CYRIL@example.org"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Cyril Roelandt" in response.content.decode()
    leader = Leader.objects.get()
    assert (leader.account, leader.cycle, leader.source) == (account, cycle, "edited in app")


def test_calendar_feed_parses_back_with_all_day_events_and_stable_uids(client, team, cycle) -> None:
    ff_week = cycle.start + timedelta(weeks=20)  # R-5, a Monday
    mid_day = cycle.start + timedelta(weeks=13, days=1)  # a Tuesday
    CycleEventFactory(
        cycle=cycle,
        kind=EventKind.FEATURE_FREEZE,
        label="h-ff",
        title="Feature freeze",
        start=ff_week,
        due=ff_week + timedelta(days=3),
    )
    midcycle = CycleEventFactory(
        cycle=cycle,
        team=team,
        label="",
        kind=EventKind.TEAM,
        title="Virtual midcycle",
        start=mid_day,
        end=mid_day + timedelta(days=1),
        due=mid_day,
    )
    CycleEventFactory(cycle=cycle, team=TeamFactory(name="nova"), title="Nova only")
    response = client.get(url("calendar", "glance"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and "Tiller" in str(calendar["PRODID"])
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Feature freeze", "Virtual midcycle"}
    ff = events["Feature freeze"]
    # One all-day event on the due Thursday; DTEND is exclusive, so Friday.
    assert (ff.decoded("DTSTART"), ff.decoded("DTEND")) == (
        ff_week + timedelta(days=3),
        ff_week + timedelta(days=4),
    )
    assert ff["DTSTART"].params["VALUE"] == "DATE" and "DTSTAMP" in ff
    assert str(ff["UID"]) == f"hibiscus-h-ff-all-{ff_week:%Y%m%d}@cycles.tiller"
    mid = events["Virtual midcycle"]
    assert (mid.decoded("DTSTART"), mid.decoded("DTEND")) == (
        mid_day,
        mid_day + timedelta(days=2),
    )
    assert str(mid["UID"]) == f"team-event-{midcycle.pk}@cycles.tiller"
    again = Calendar.from_ical(client.get(url("calendar", "glance")).content)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(
        str(e["UID"]) for e in calendar.walk("VEVENT")
    )


def test_cycle_page_for_the_ptl_has_a_fixed_query_count(
    client, team, cycle, django_assert_num_queries
) -> None:
    client.force_login(_user("pat", PTL))
    for week in range(3):
        CycleEventFactory(cycle=cycle, start=cycle.start + timedelta(weeks=week))
        CycleEventFactory(
            cycle=cycle,
            team=team,
            label="",
            kind=EventKind.TEAM,
            start=cycle.start + timedelta(weeks=week),
        )
        LeaderFactory(team=team, cycle=cycle)
    # Team, cycle, events, next freeze, leaders; session, user; three role checks (the
    # page's, and the two the site's context processor makes for the nav).
    with django_assert_num_queries(10):
        response = client.get(url("cycle", "glance", "hibiscus"))
    assert "Add a team event" in response.content.decode()


def test_calendar_feed_leaves_out_events_older_than_a_year(client, team, today) -> None:
    old = CycleFactory(name="ocata", start=date(2016, 11, 7), end=date(2017, 2, 20))
    CycleEventFactory(cycle=old, title="Ocata-1", start=date(2016, 11, 14))
    cycle = CycleFactory(
        name="hazel", start=monday_of(today), end=monday_of(today) + timedelta(weeks=25)
    )
    CycleEventFactory(cycle=cycle, title="Hazel-1", start=cycle.start + timedelta(weeks=5))
    CycleEventFactory(cycle=cycle, title="Last year", start=today - timedelta(days=360))
    calendar = Calendar.from_ical(client.get(url("calendar", "glance")).content)
    assert sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT")) == ["Hazel-1", "Last year"]
