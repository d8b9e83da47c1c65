"""Weekly priorities pages: reading, composing, permissions, stale writes, bounded queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.core.roles import CONTRIBUTOR, CORE, PTL
from dashboard.gerrit.models import ChangeStatus
from dashboard.governance import weekly as services
from dashboard.governance.models import (
    ItemKind,
    PriorityStatus,
    WeeklyDelegate,
    WeeklyEdit,
    WeeklyItem,
    WeeklyList,
)
from tests.gerrit.factories import ChangeFactory, RepositoryFactory, TeamFactory
from tests.governance.priority_factories import (
    CycleFactory,
    PriorityFactory,
    SpecFactory,
    user_with_role,
)
from tests.governance.weekly_factories import WeeklyItemFactory, WeeklyListFactory

pytestmark = pytest.mark.django_db

WEEK = date(2017, 4, 13)


@pytest.fixture
def team():
    return TeamFactory(name="glance", server__url="https://review.example")


@pytest.fixture
def repo(team):
    return RepositoryFactory(team=team, name="openstack/glance")


@pytest.fixture
def weekly_list(team, repo):
    """A list of a synced change, a change Tiller does not have, a topic and a text item."""
    weekly_list = WeeklyListFactory(team=team, week=WEEK)
    ChangeFactory(repository=repo, number=4242, subject="Add the import plugin", topic="bp/imp")
    WeeklyItemFactory(weekly_list=weekly_list, position=1, kind="change", change_number=4242)
    WeeklyItemFactory(weekly_list=weekly_list, position=2, kind="change", change_number=99999)
    WeeklyItemFactory(weekly_list=weekly_list, position=3, kind="topic", topic="bp/imp")
    WeeklyItemFactory(
        weekly_list=weekly_list, position=4, text="Stable backports", note="Before Friday"
    )
    return weekly_list


def page(week=WEEK, team="glance"):
    return reverse("reports:weekly", args=[team, week.isoformat()])


def action(name, *args, week=WEEK):
    return reverse(f"reports:weekly-{name}", args=["glance", week.isoformat(), *args])


def signed_in(client, role, username=None):
    user = user_with_role(username or (role or "nobody").lower(), role)
    client.force_login(user)
    return user


def labels(weekly_list):
    return [item.label for item in weekly_list.items.order_by("position")]


def test_current_redirects_to_the_list_in_force(client, weekly_list):
    WeeklyListFactory(team=weekly_list.team, week=timezone.localdate() + timedelta(days=30))
    response = client.get(reverse("reports:weekly-current", args=["glance"]))
    assert response.status_code == 302
    assert response.url == page(WEEK)


def test_current_without_any_list_redirects_to_todays_page_offering_to_start(client, team):
    response = client.get(reverse("reports:weekly-current", args=["glance"]), follow=True)
    assert response.redirect_chain[0][0] == page(timezone.localdate())
    assert "No list for the week of" in response.content.decode()


def test_bad_date_is_a_404_with_a_message_not_a_500(client, team):
    response = client.get("/teams/glance/weekly/2017-13-45/")
    assert response.status_code == 404


def test_page_shows_items_in_order_with_status_links_and_notes(client, weekly_list):
    html = client.get(page()).content.decode()
    assert html.index("Add the import plugin") < html.index("99999") < html.index("bp/imp")
    assert reverse("gerrit:change", args=["glance", 4242]) in html
    assert "https://review.example/c/99999" in html  # not synced: Gerrit only
    assert reverse("gerrit:change", args=["glance", 99999]) not in html
    assert "not in Tiller&#x27;s synced data" in html
    assert "no +2 yet" in html
    assert "Before Friday" in html
    # Anonymous readers get no editing controls and no drag script.
    assert "Sortable.min.js" not in html
    assert "Paste changes" not in html
    assert "Remove" not in html


def test_page_links_previous_and_next_meetings_and_lists_past_weeks(client, weekly_list):
    WeeklyListFactory(team=weekly_list.team, week=WEEK - timedelta(days=7))
    WeeklyListFactory(team=weekly_list.team, week=WEEK + timedelta(days=7))
    html = client.get(page()).content.decode()
    assert page(WEEK - timedelta(days=7)) in html
    assert page(WEEK + timedelta(days=7)) in html
    assert "← Week of 2017-04-06" in html and "Week of 2017-04-20 →" in html


def test_htmx_gets_only_the_list_fragment(client, weekly_list):
    response = client.get(page(), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="weekly-list"')
    assert "<html" not in html and "Add the import plugin" in html
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


def _grow(weekly_list, repo, size):
    """Make the list ``size`` items long, of every kind, changes synced or not."""
    spec = SpecFactory(team=weekly_list.team, title="Image import")
    for position in range(weekly_list.items.count() + 1, size + 1):
        kind = (ItemKind.CHANGE, ItemKind.TOPIC, ItemKind.SPEC, ItemKind.TEXT)[(position - 1) % 4]
        fields = {
            ItemKind.CHANGE: {"change_number": 5000 + position},
            ItemKind.TOPIC: {"topic": f"bp/t{position}"},
            ItemKind.SPEC: {"spec": spec, "spec_title": spec.title},
            ItemKind.TEXT: {"text": f"Item {position}"},
        }[kind]
        if position % 8 == 0:
            ChangeFactory(repository=repo, number=5000 + position)
        WeeklyItemFactory(weekly_list=weekly_list, position=position, kind=kind, **fields)
    assert weekly_list.items.count() == size


@pytest.mark.parametrize("size", [3, 30])
def test_page_query_count_is_the_same_for_3_and_30_items(
    client, team, repo, django_assert_num_queries, size
):
    weekly_list = WeeklyListFactory(team=team, week=WEEK)
    _grow(weekly_list, repo, size)
    cycle = CycleFactory(name="ocata", start=WEEK - timedelta(days=30), end=WEEK + timedelta(90))
    PriorityFactory(team=team, cycle=cycle, topics=["bp/x"], change_numbers=[1, 2])
    signed_in(client, PTL)
    # team, session, user, the two role flags of the navigation, list, 4 for the statuses,
    # history, weeks, stale policy, starved changes, cycle, priorities, their specs,
    # delegates, core users, and for the focus rules the cycle of today and its rules.
    with django_assert_num_queries(21):
        response = client.get(page())
    assert response.content.decode().count('class="weekly-item ') == size


@pytest.mark.parametrize("size", [3, 30])
def test_anonymous_page_query_count_is_the_same_for_3_and_30_items(
    client, team, repo, django_assert_num_queries, size
):
    weekly_list = WeeklyListFactory(team=team, week=WEEK)
    _grow(weekly_list, repo, size)
    # team, list, 4 for the statuses, history, weeks, the cycle of today and its rules.
    with django_assert_num_queries(10):
        client.get(page())


def test_the_page_shows_whether_the_cycles_focus_rules_hold(client, team, repo):
    from dashboard.reports.focus_services import create_rule
    from dashboard.reports.models import DEFAULT_EXCEPTIONS

    today = timezone.localdate()
    cycle = CycleFactory(name="now", start=today - timedelta(days=60), end=today + timedelta(60))
    create_rule(
        team=team,
        cycle=cycle,
        statement="Nothing else merges until image import lands",
        since=today - timedelta(days=10),
        exceptions=DEFAULT_EXCEPTIONS,
        actor=None,
    )
    ChangeFactory(
        repository=repo,
        number=31337,
        status=ChangeStatus.MERGED,
        closed=timezone.now() - timedelta(days=2),
    )
    WeeklyListFactory(team=team, week=WEEK)
    html = client.get(page()).content.decode()
    assert "Nothing else merges until image import lands" in html
    assert 'id="focus-summary"' in html and "31337" in html


@pytest.mark.parametrize("role", [None, CONTRIBUTOR, CORE])
def test_readers_get_no_edit_controls_and_403_on_every_post(client, weekly_list, role):
    if role:
        signed_in(client, role)
    html = client.get(page()).content.decode()
    assert "Paste changes" not in html and "Carry forward" not in html
    item = weekly_list.items.first()
    posts = [
        (action("add"), {"version": 1, "value": "4242"}),
        (action("reorder"), {"version": 1, "order": [item.pk]}),
        (action("move", item.pk), {"version": 1, "direction": "down"}),
        (action("note", item.pk), {"version": 1, f"note_{item.pk}": "x"}),
        (action("remove", item.pk), {"version": 1}),
        (action("intro"), {"version": 1, "intro": "x"}),
        (action("carry"), {"version": 1}),
        (reverse("reports:weekly-start", args=["glance"]), {"week": "2017-04-20"}),
        (reverse("reports:weekly-bump", args=["glance"]), {"change_number": "4242"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert WeeklyList.objects.get(pk=weekly_list.pk).version == 1
    assert WeeklyList.objects.count() == 1


def test_a_delegate_composes_and_the_ptl_adds_and_removes_delegates(client, weekly_list):
    core = signed_in(client, CORE, "jokke")
    assert client.post(action("add"), {"version": 1, "value": "5"}).status_code == 403
    signed_in(client, PTL)
    html = client.get(page()).content.decode()
    assert "Delegate to" in html and "jokke" in html
    client.post(
        reverse("reports:weekly-delegate-add", args=["glance"]),
        {"user": core.pk, "next": page()},
    )
    assert WeeklyDelegate.objects.filter(user=core).exists()
    client.force_login(core)
    assert "Paste changes" in client.get(page()).content.decode()
    response = client.post(action("add"), {"version": 1, "value": "77"})
    assert response.status_code == 302
    assert labels(weekly_list)[-1] == "Change 77"
    assert WeeklyEdit.objects.filter(actor=core, summary="Added Change 77").exists()
    signed_in(client, PTL, "ptl2")
    client.post(reverse("reports:weekly-delegate-remove", args=["glance", core.pk]))
    assert not WeeklyDelegate.objects.exists()


def test_delegating_to_a_user_without_the_core_role_is_refused(client, weekly_list):
    contributor = user_with_role("casey", CONTRIBUTOR)
    signed_in(client, PTL)
    response = client.post(
        reverse("reports:weekly-delegate-add", args=["glance"]), {"user": contributor.pk},
        follow=True,
    )  # fmt: skip
    assert "Choose a user with the core role" in response.content.decode()
    assert not WeeklyDelegate.objects.exists()


def test_pasting_several_lines_adds_the_good_ones_and_names_the_bad(client, weekly_list):
    signed_in(client, PTL)
    paste = "https://review.example/c/openstack/glance/+/111\nnot-a-change\n#222\n4242\n"
    response = client.post(
        action("add"), {"version": 1, "kind": "change", "value": paste},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "Added Change 111, Change 222." in html
    assert "“not-a-change” is not a change number" in html
    assert "Change 4242 is already item 1 of this list." in html
    assert labels(weekly_list)[-2:] == ["Change 111", "Change 222"]
    assert WeeklyList.objects.get(pk=weekly_list.pk).version == 3


def test_a_paste_of_only_bad_lines_answers_400_and_adds_nothing(client, weekly_list):
    signed_in(client, PTL)
    response = client.post(
        action("add"), {"version": 1, "value": "hello"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "“hello” is not a change number" in response.content.decode()
    assert weekly_list.items.count() == 4


def test_a_stale_write_answers_409_with_the_current_list_and_saves_nothing(client, weekly_list):
    signed_in(client, PTL)
    services.add_item(weekly_list=weekly_list, version=1, kind="text", value="Theirs", actor=None)
    item = weekly_list.items.first()
    pks = list(weekly_list.items.values_list("pk", flat=True))
    for url, data in [
        (action("add"), {"version": 1, "value": "5"}),
        (action("remove", item.pk), {"version": 1}),
        (action("note", item.pk), {"version": 1, f"note_{item.pk}": "mine"}),
        (action("reorder"), {"version": 1, "order": list(reversed(pks))}),
        (action("intro"), {"version": 1, "intro": "mine"}),
    ]:
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 409, url
        html = response.content.decode()
        assert "Someone else changed this list" in html
        assert "Theirs" in html  # the current list, with the other person's item
    assert labels(weekly_list)[-1] == "Theirs" and weekly_list.items.count() == 5
    # Without htmx, the full page comes back, still 409.
    response = client.post(action("intro"), {"version": 1, "intro": "mine"})
    assert response.status_code == 409 and "<html" in response.content.decode()


def test_drag_order_and_move_buttons_reorder(client, weekly_list):
    signed_in(client, PTL)
    pks = list(weekly_list.items.order_by("position").values_list("pk", flat=True))
    order = [pks[3], pks[0], pks[1], pks[2]]
    response = client.post(
        action("reorder"), {"version": 1, "order": order}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "Order saved." in response.content.decode()
    assert labels(weekly_list)[0] == "Stable backports"
    response = client.post(action("move", pks[0]), {"version": 2, "direction": "up"})
    assert response.status_code == 302
    assert labels(weekly_list)[:2] == ["Change 4242", "Stable backports"]


def test_note_intro_and_remove(client, weekly_list):
    signed_in(client, PTL)
    item = weekly_list.items.get(position=2)
    client.post(action("note", item.pk), {"version": 1, f"note_{item.pk}": "Rebase first"})
    client.post(action("intro"), {"version": 2, "intro": "Image import first."})
    html = client.get(page()).content.decode()
    assert "Rebase first" in html and "Image import first." in html
    client.post(action("remove", item.pk), {"version": 3})
    assert labels(weekly_list) == ["Change 4242", "Topic bp/imp", "Stable backports"]
    history = client.get(page()).content.decode()
    assert "Removed Change 99999" in history and "Edited the introduction" in history


def test_carry_forward_says_what_it_left_behind(client, team, repo, weekly_list):
    ChangeFactory(repository=repo, number=300, status=ChangeStatus.MERGED)
    nxt = services.open_list(team=team, week=WEEK + timedelta(days=7), actor=None)
    WeeklyItemFactory(weekly_list=weekly_list, position=5, kind="change", change_number=300)
    services.add_item(weekly_list=nxt, version=1, kind="topic", value="bp/imp", actor=None)
    signed_in(client, PTL)
    response = client.post(
        action("carry", week=nxt.week), {"version": 2}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "Carried 3 items forward from the week of 2017-04-13." in html
    assert "Left behind: Topic bp/imp (already on this list); Change 300 (closed)." in html
    assert labels(nxt) == ["Topic bp/imp", "Change 4242", "Change 99999", "Stable backports"]


def test_carry_forward_without_an_earlier_list_says_so(client, weekly_list):
    signed_in(client, PTL)
    response = client.post(action("carry"), {"version": 1}, follow=True)
    assert "There is no earlier list to carry." in response.content.decode()


def test_start_creates_the_next_meetings_list_defaulting_to_a_week_later(client, weekly_list):
    signed_in(client, PTL)
    html = client.get(page()).content.decode()
    assert "Start the list for 2017-04-20" in html
    response = client.post(reverse("reports:weekly-start", args=["glance"]), {"week": "2017-04-21"})
    assert response.url == page(date(2017, 4, 21))
    assert WeeklyList.objects.filter(week=date(2017, 4, 21)).exists()
    bad = client.post(reverse("reports:weekly-start", args=["glance"]), {"week": "soon"})
    assert bad.status_code == 302 and WeeklyList.objects.count() == 2


def test_topic_and_spec_search_offer_add_buttons(client, team, weekly_list):
    SpecFactory(team=team, title="Image import refactor")
    signed_in(client, PTL)
    url = action("search")
    topics = client.get(
        url, {"kind": "topic", "q": "imp", "version": 1}, headers={"HX-Request": "true"}
    ).content.decode()
    assert topics.lstrip().startswith('<div id="topic-results"')
    assert 'value="bp/imp"' in topics and "1 open of 1" in topics
    specs = client.get(
        url, {"kind": "spec", "q": "refactor", "version": 1}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Image import refactor" in specs and 'name="version" value="1"' in specs
    # Without JavaScript the page shows the results itself.
    no_js = client.get(page(), {"kind": "spec", "q": "refactor"}).content.decode()
    assert 'aria-label="Add spec Image import refactor"' in no_js


def test_suggestions_offer_starved_changes_and_active_priorities_not_on_the_list(
    client, team, repo, weekly_list
):
    starved = ChangeFactory(
        repository=repo, number=777, current_patch_set_created=timezone.now() - timedelta(90)
    )
    cycle = CycleFactory(name="pike", start=WEEK - timedelta(days=30), end=WEEK + timedelta(90))
    spec = SpecFactory(team=team, title="Hidden properties")
    priority = PriorityFactory(
        team=team, cycle=cycle, topics=["bp/imp", "bp/new"], change_numbers=[4242, 888]
    )
    priority.specs.add(spec)
    PriorityFactory(team=team, cycle=cycle, status=PriorityStatus.DONE, topics=["bp/done"])
    signed_in(client, PTL)
    html = client.get(page()).content.decode()
    assert f"Add {starved.number} {starved.subject}" in html
    assert "Add Change 888" in html and "Add Topic bp/new" in html
    assert "Add Spec “Hidden properties”" in html
    assert "Add Change 4242" not in html and "Add Topic bp/imp" not in html  # on the list
    assert "bp/done" not in html  # done priorities are not suggested


def test_bump_from_the_stale_page_adds_to_the_list_in_force(client, team, repo):
    current = WeeklyListFactory(team=team, week=timezone.localdate() - timedelta(days=2))
    old = ChangeFactory(
        repository=repo, number=555, current_patch_set_created=timezone.now() - timedelta(90)
    )
    signed_in(client, PTL)
    stale_url = reverse("health:stale", args=["glance"])
    assert "Bump to weekly priorities" in client.get(stale_url).content.decode()
    response = client.post(
        reverse("reports:weekly-bump", args=["glance"]),
        {"change_number": old.number, "next": stale_url},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == stale_url
    assert "Added Change 555 to the priorities for the week of" in response.content.decode()
    assert labels(current) == ["Change 555"]
    again = client.post(
        reverse("reports:weekly-bump", args=["glance"]), {"change_number": 555}, follow=True
    )
    assert "already item 1" in again.content.decode()


def test_bump_without_a_list_in_force_starts_the_next_one(client, team, repo):
    signed_in(client, PTL)
    client.post(reverse("reports:weekly-bump", args=["glance"]), {"change_number": "4321"})
    weekly_list = WeeklyList.objects.get()
    assert weekly_list.week == timezone.localdate()
    assert labels(weekly_list) == ["Change 4321"]


def test_stale_page_hides_the_bump_button_from_readers(client, team, repo):
    ChangeFactory(repository=repo, current_patch_set_created=timezone.now() - timedelta(90))
    signed_in(client, CORE)
    assert (
        "Bump to weekly priorities"
        not in client.get(reverse("health:stale", args=["glance"])).content.decode()
    )


def test_missing_items_and_deleted_specs_show_as_such(client, team, weekly_list):
    spec = SpecFactory(team=team, title="Gone soon")
    WeeklyItem.objects.create(
        weekly_list=weekly_list, position=5, kind="spec", spec=spec, spec_title=spec.title
    )
    spec.delete()
    html = client.get(page()).content.decode()
    assert "Gone soon" in html and "this spec no longer exists in Tiller" in html


def test_with_only_a_list_started_ahead_current_and_bump_use_that_list(client, team):
    ahead = WeeklyListFactory(team=team, week=timezone.localdate() + timedelta(days=3))
    response = client.get(reverse("reports:weekly-current", args=["glance"]))
    assert response.url == page(ahead.week)
    signed_in(client, PTL)
    client.post(reverse("reports:weekly-bump", args=["glance"]), {"change_number": "12"})
    assert labels(ahead) == ["Change 12"] and WeeklyList.objects.count() == 1


def test_search_without_htmx_goes_to_the_page_with_the_query(client, weekly_list):
    signed_in(client, PTL)
    response = client.get(action("search"), {"kind": "topic", "q": "a&b"})
    assert response.url == page() + "?kind=topic&q=a%26b#add-topic"


def test_bump_refuses_an_unsafe_next_and_a_bad_number(client, team, weekly_list):
    signed_in(client, PTL)
    response = client.post(
        reverse("reports:weekly-bump", args=["glance"]),
        {"change_number": "soon", "next": "https://evil.example/"},
    )
    assert response.url == reverse("health:stale", args=["glance"])
    assert WeeklyList.objects.get(pk=weekly_list.pk).version == 1
