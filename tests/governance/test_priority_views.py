"""Priorities and FFE pages: who may do what, fragments, conflicts, bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.core.roles import CONTRIBUTOR, CORE, PTL
from dashboard.governance.models import FeatureFreezeException, Priority, PriorityChange
from dashboard.governance.priorities import create_priority, list_version
from tests.gerrit.factories import AccountFactory, ChangeFactory, RepositoryFactory, TeamFactory
from tests.governance.priority_factories import (
    CycleFactory,
    FFEFactory,
    SpecFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return TeamFactory(name="glance")


@pytest.fixture
def cycle():
    return CycleFactory(name="2026.2")


@pytest.fixture
def items(team, cycle):
    repo = RepositoryFactory(team=team)
    change = ChangeFactory(repository=repo, number=4242, subject="Add the import plugin")
    account = AccountFactory(server=team.server, name="Erno Kuvaja", username="jokke")
    spec = SpecFactory(team=team, title="Image import refactor")
    first = create_priority(
        team=team,
        cycle=cycle,
        actor=None,
        title="Image import",
        owner_names=[account.name, "Someone Else"],
        topics=["bp/image-import"],
        change_numbers=[change.number, 99999],
        specs=[spec],
    )
    second = create_priority(
        team=team, cycle=cycle, actor=None, title="Rolling upgrades", topics=["bp/rolling"]
    )
    third = create_priority(team=team, cycle=cycle, actor=None, title="Community images")
    return [first, second, third]


def url(name, team, cycle, *args):
    return reverse(f"governance:{name}", args=[team.name, cycle.name, *args])


def signed_in(client, role, username=None):
    user = user_with_role(username or (role or "nobody").lower(), role)
    client.force_login(user)
    return user


def test_page_lists_items_in_order_with_links(client, team, cycle, items):
    response = client.get(url("priorities", team, cycle))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Image import") < html.index("Rolling upgrades") < html.index("Community")
    assert reverse("gerrit:change", args=["glance", 4242]) in html
    assert team.server.change_url(99999) in html  # not synced: Gerrit link only
    assert "(not synced)" in html
    assert "q=topic%3A%22bp%2Fimage-import%22&amp;team=glance" in html
    assert "q=status%3Aopen+owner%3Ajokke" in html
    assert "Image import refactor" in html
    # Anonymous visitors read, but get no editing controls and no drag script.
    assert "Sortable.min.js" not in html
    assert "Add a priority" not in html
    assert "Added “Community images” at position 3" in html  # history


def test_page_queries_are_bounded(client, django_assert_num_queries, team, cycle, items):
    signed_in(client, PTL)
    # session, user, two role checks, team, cycle, items, owners, specs, changes, version,
    # history count + page, cycles, the add form's specs (any? + the checkbox list)
    with django_assert_num_queries(16):
        client.get(url("priorities", team, cycle))
    for n in range(5):
        create_priority(team=team, cycle=cycle, actor=None, title=f"More {n}", topics=["x"])
    with django_assert_num_queries(16):
        response = client.get(url("priorities", team, cycle))
    assert response.content.decode().count('class="prio-item') == 8


def test_htmx_gets_only_the_list_fragment(client, team, cycle, items):
    response = client.get(url("priorities", team, cycle), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="priority-list"')
    assert "<html" not in html and "History" not in html
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_unknown_cycle_or_team_is_404(client, team, cycle):
    assert client.get(reverse("governance:priorities", args=["glance", "zz"])).status_code == 404
    assert client.get(reverse("governance:priorities", args=["nope", "2026.2"])).status_code == 404


def test_default_link_redirects_to_current_or_newest_cycle(client, team, cycle):
    response = client.get(reverse("governance:priorities-default", args=["glance"]))
    assert response.status_code == 302
    assert response["Location"] == url("priorities", team, cycle)


def test_default_link_without_cycles_says_so(client, team):
    response = client.get(reverse("governance:priorities-default", args=["glance"]))
    assert response.status_code == 200
    assert "knows no release cycles yet" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("priority-add", (), {"title": "New"}),
        ("priorities-reorder", (), {"version": 0}),
        ("priority-edit", ("pk",), {"title": "x"}),
        ("priority-delete", ("pk",), {"version": 1}),
        ("priority-move", ("pk",), {"version": 0, "direction": "up"}),
    ],
)
def test_only_the_ptl_edits(client, team, cycle, items, name, args, data):
    args = [items[1].pk if a == "pk" else a for a in args]
    target = url(name, team, cycle, *args)
    before = list(PriorityChange.objects.values_list("pk", flat=True))
    response = client.post(target, data)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for role in (CORE, CONTRIBUTOR):
        signed_in(client, role)
        assert client.post(target, data).status_code == 403
    assert list(PriorityChange.objects.values_list("pk", flat=True)) == before


def test_ptl_adds_an_item_at_the_end(client, team, cycle, items):
    signed_in(client, PTL)
    response = client.post(
        url("priority-add", team, cycle),
        {"title": "Multihash", "owners": "Scott, Ann", "topics": "bp/multihash", "changes": "1 2"},
    )
    assert response.status_code == 302
    item = Priority.objects.get(title="Multihash")
    assert (item.position, item.owner_names, item.change_numbers) == (4, ["Scott", "Ann"], [1, 2])


def test_add_with_bad_change_numbers_answers_400_with_the_message(client, team, cycle, items):
    signed_in(client, PTL)
    response = client.post(url("priority-add", team, cycle), {"title": "X", "changes": "12 abc"})
    assert response.status_code == 400
    assert "Not change numbers: abc." in response.content.decode()
    assert not Priority.objects.filter(title="X").exists()


def test_htmx_reorder_saves_and_answers_the_new_list(client, team, cycle, items):
    signed_in(client, PTL)
    a, b, c = items
    version = list_version(team=team, cycle=cycle)
    response = client.post(
        url("priorities-reorder", team, cycle),
        {"version": version, "order": [c.pk, a.pk, b.pk]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="priority-list"')
    assert html.index("Community images") < html.index("Image import")
    assert f'name="version" value="{list_version(team=team, cycle=cycle)}"' in html
    assert "Order saved." in html


def test_stale_reorder_answers_409_with_the_current_list(client, team, cycle, items):
    signed_in(client, PTL)
    a, b, c = items
    stale = list_version(team=team, cycle=cycle)
    create_priority(team=team, cycle=cycle, actor=None, title="Added meanwhile")
    response = client.post(
        url("priorities-reorder", team, cycle),
        {"version": stale, "order": [c.pk, a.pk, b.pk]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this list" in html
    assert "Added meanwhile" in html
    assert [p.title for p in Priority.objects.order_by("position")][0] == "Image import"


def test_no_js_move_button_redirects_back_to_the_item(client, team, cycle, items):
    signed_in(client, PTL)
    version = list_version(team=team, cycle=cycle)
    response = client.post(
        url("priority-move", team, cycle, items[2].pk), {"version": version, "direction": "up"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#priority-{items[2].pk}")
    assert [p.title for p in Priority.objects.order_by("position")] == [
        "Image import",
        "Community images",
        "Rolling upgrades",
    ]


def test_garbled_reorder_is_400_and_saves_nothing(client, team, cycle, items):
    signed_in(client, PTL)
    response = client.post(
        url("priorities-reorder", team, cycle),
        {"version": "x", "order": ["1", "DROP"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


def test_edit_sets_status_with_reason_and_refuses_a_stale_form(client, team, cycle, items):
    signed_in(client, PTL)
    item = items[1]
    target = url("priority-edit", team, cycle, item.pk)
    assert client.get(target).status_code == 200
    form = {"title": item.title, "status": "missed", "status_reason": "", "version": 1}
    response = client.post(target, form)
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    form["status_reason"] = "Nobody to review it"
    assert client.post(target, form).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.status_reason, item.version) == ("missed", "Nobody to review it", 2)
    form["title"] = "Overwrite from an old tab"
    response = client.post(target, form)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    item.refresh_from_db()
    assert item.title == "Rolling upgrades"


def test_delete_removes_the_item(client, team, cycle, items):
    signed_in(client, PTL)
    response = client.post(url("priority-delete", team, cycle, items[0].pk), {"version": 1})
    assert response.status_code == 302
    assert list(Priority.objects.order_by("position").values_list("title", flat=True)) == [
        "Rolling upgrades",
        "Community images",
    ]


def test_ffe_page_lists_requests_with_bounded_queries(
    client, django_assert_num_queries, team, cycle
):
    change = ChangeFactory(repository=RepositoryFactory(team=team), number=777)
    FFEFactory(team=team, cycle=cycle, title="Late A")
    FFEFactory(team=team, cycle=cycle, spec=None, change=change, title="Late B")
    FFEFactory(team=team, cycle=cycle, title="Late C", decision="granted")
    with django_assert_num_queries(4):  # team, cycle, requests, counts
        response = client.get(url("ffes", team, cycle))
    html = response.content.decode()
    assert "3 requests: 2 pending, 1 granted, 0 denied." in html
    assert reverse("gerrit:change", args=["glance", 777]) in html
    assert "Request an exception" not in html


def test_core_requests_an_ffe_and_only_the_ptl_decides(client, team, cycle):
    change = ChangeFactory(repository=RepositoryFactory(team=team), number=555)
    signed_in(client, CORE)
    response = client.post(url("ffe-request", team, cycle), {"title": "Late", "change": 555})
    assert response.status_code == 302
    ffe = FeatureFreezeException.objects.get()
    assert (ffe.change, ffe.requester_name) == (change, "core")
    assert (
        client.post(url("ffe-decide", team, cycle, ffe.pk), {"decision": "granted"}).status_code
        == 403
    )
    signed_in(client, PTL)
    client.post(url("ffe-decide", team, cycle, ffe.pk), {"decision": "denied", "note": "Too big"})
    ffe.refresh_from_db()
    assert (ffe.decision, ffe.note) == ("denied", "Too big")


def test_ffe_request_for_an_unknown_change_or_nothing_is_400(client, team, cycle):
    signed_in(client, CORE)
    response = client.post(url("ffe-request", team, cycle), {"title": "Late", "change": 31337})
    assert response.status_code == 400
    assert "has no synced change 31337" in response.content.decode()
    response = client.post(url("ffe-request", team, cycle), {"title": "Late"})
    assert response.status_code == 400
    assert "Name the spec or the change" in response.content.decode()
    assert not FeatureFreezeException.objects.exists()
    signed_in(client, CONTRIBUTOR, "contrib")
    assert client.post(url("ffe-request", team, cycle), {"title": "x"}).status_code == 403


def test_stale_reorder_without_htmx_redirects_with_the_message(client, team, cycle, items):
    signed_in(client, PTL)
    stale = list_version(team=team, cycle=cycle)
    create_priority(team=team, cycle=cycle, actor=None, title="Added meanwhile")
    response = client.post(
        url("priority-move", team, cycle, items[2].pk),
        {"version": stale, "direction": "up"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("priorities", team, cycle)
    assert "Someone else changed this list" in response.content.decode()
    assert Priority.objects.get(pk=items[2].pk).position == 3


def test_history_is_paginated_newest_first(client, team, cycle):
    for n in range(25):
        create_priority(team=team, cycle=cycle, actor=None, title=f"Item {n:02d}")
    first = client.get(url("priorities", team, cycle)).content.decode()
    assert "Added “Item 24” at position 25" in first
    assert "Added “Item 04” at position 5" not in first
    assert "Page 1 of 2" in first
    second = client.get(url("priorities", team, cycle) + "?history=2").content.decode()
    assert "Added “Item 04” at position 5" in second
    assert "Added “Item 24”" not in second
