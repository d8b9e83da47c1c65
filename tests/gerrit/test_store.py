"""Storing ChangeInfo JSON: what a page of Gerrit's answer becomes in the database."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from dashboard.gerrit.models import (
    Account,
    Approval,
    Change,
    GerritServer,
    Message,
    PatchSet,
    Repository,
    Review,
    ReviewClocks,
    Team,
    Vote,
)
from dashboard.gerrit.store import SyncDataError, store_changes

NOW = datetime(2017, 8, 30, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def team() -> Team:
    server = GerritServer.objects.create(url="http://gerrit.test")
    team = Team.objects.create(name="glance", server=server, bot_usernames=["ci-bot"])
    Repository.objects.create(team=team, name="openstack/glance")
    Repository.objects.create(team=team, name="myProject")
    return team


def person(account_id: int, name: str, detailed: bool = True) -> dict:
    if not detailed:
        return {"_account_id": account_id}
    username = name.split()[0].lower()
    return {
        "_account_id": account_id,
        "name": name,
        "email": f"{username}@example.com",
        "username": username,
    }


ALICE, BOB, CAROL, ZUUL = (
    person(1, "Alice Owner"),
    person(2, "Bob Core"),
    person(3, "Carol Core"),
    {**person(9, "Zuul"), "tags": ["SERVICE_USER"]},
)


def change(number: int = 1001, **overrides) -> dict:
    """A ChangeInfo as the sync requests it, with two patch sets and a vote history."""
    info = {
        "id": f"openstack%2Fglance~{number}",
        "project": "openstack/glance",
        "branch": "master",
        "topic": "bp/image-import",
        "hashtags": ["pike-priority"],
        "change_id": "I8473b95934b5732ac55d26311a706c9c2bde9940",
        "subject": "Add image import",
        "status": "NEW",
        "created": "2017-04-01 10:00:00.000000000",
        "updated": "2017-04-03 09:00:00.000000000",
        "insertions": 120,
        "deletions": 8,
        "mergeable": False,
        "_number": number,
        "owner": ALICE,
        "current_revision": "b" * 40,
        "revisions": {
            "a" * 40: {
                "_number": 1,
                "kind": "REWORK",
                "created": "2017-04-01 10:00:00.000000000",
                "uploader": ALICE,
            },
            "b" * 40: {
                "_number": 2,
                "kind": "TRIVIAL_REBASE",
                "created": "2017-04-02 10:00:00.000000000",
                "uploader": ALICE,
                "commit": {"subject": "Add image import", "message": "Add image import\n\nBody\n"},
                "files": {"/COMMIT_MSG": {}, "glance/api/v2/images.py": {"lines_inserted": 5}},
            },
        },
        "labels": {
            "Code-Review": {
                "all": [
                    {**BOB, "value": 2, "date": "2017-04-01 12:00:00.000000000"},
                    {**CAROL, "value": -1, "date": "2017-04-03 09:00:00.000000000"},
                    {**ALICE, "value": 0},
                ],
                "values": {"-2": "No", "-1": "Hm", " 0": "None", "+1": "Ok", "+2": "Yes"},
            },
            "Verified": {"all": [{**ZUUL, "value": 1, "date": "2017-04-02 10:30:00.000000000"}]},
            "Workflow": {"all": [{**BOB, "value": 0}]},
        },
        "reviewers": {"REVIEWER": [BOB, CAROL, ZUUL], "CC": [ALICE]},
        "messages": [
            msg("m1", ALICE, "2017-04-01 10:00:00", "Uploaded patch set 1.", 1),
            msg("m2", ZUUL, "2017-04-01 10:30:00", "Patch Set 1: Verified+1\n\nBuild ok.", 1),
            msg("m3", BOB, "2017-04-01 12:00:00", "Patch Set 1: Code-Review+2", 1),
            msg("m4", ALICE, "2017-04-02 10:00:00", "Uploaded patch set 2.", 2),
            msg("m5", ZUUL, "2017-04-02 10:01:00", "Patch Set 2: -Verified\n\nStarting.", 2),
            msg("m6", ZUUL, "2017-04-02 10:30:00", "Patch Set 2: Verified+1\n\nBuild ok.", 2),
            msg("m7", CAROL, "2017-04-02 11:00:00", "Patch Set 2: Code-Review-2\n\nNo.", 2),
            msg(
                "m8",
                BOB,
                "2017-04-02 12:00:00",
                "Removed Code-Review-2 by Carol Core <carol@example.com>\n",
                2,
            ),
            msg("m9", CAROL, "2017-04-03 09:00:00", "Patch Set 2: Code-Review-1", 2),
        ],
    }
    info.update(overrides)
    return info


def msg(mid: str, author: dict | None, date: str, text: str, ps: int) -> dict:
    message = {"id": mid, "date": f"{date}.000000000", "message": text, "_revision_number": ps}
    if author:
        message["author"] = author
    return message


def test_change_and_its_history_are_stored(team):
    stats = store_changes(team=team, changes=[change()], synced_at=NOW)
    assert (stats.changes, stats.created, stats.messages) == (1, 1, 9)
    stored = Change.objects.get(number=1001)
    assert (stored.topic, stored.hashtags, stored.mergeable) == (
        "bp/image-import",
        ["pike-priority"],
        False,
    )
    assert (stored.current_patch_set, stored.current_revision) == (2, "b" * 40)
    assert stored.commit_message == "Add image import\n\nBody\n"
    assert list(stored.files.values_list("path", flat=True)) == ["glance/api/v2/images.py"]
    assert (stored.cr_max, stored.cr_min, stored.cr_plus2_count, stored.verified) == (2, -1, 1, 1)
    # bit (v + 4) per value held; Bob's Workflow 0 is no vote
    assert (stored.cr_values, stored.verified_values, stored.workflow_values) == (
        (1 << 6) | (1 << 3),
        1 << 5,
        0,
    )
    assert list(PatchSet.objects.values_list("number", "kind")) == [
        (1, "REWORK"),
        (2, "TRIVIAL_REBASE"),
    ]


def test_every_vote_event_is_recovered_with_removals_and_copied_votes(team):
    store_changes(team=team, changes=[change()], synced_at=NOW)
    events = list(
        Vote.objects.order_by("granted", "id").values_list(
            "patch_set",
            "label",
            "value",
            "account__username",
            "removal",
            "source",
            "removed_by__username",
        )
    )
    assert events == [
        (1, "Verified", 1, "zuul", False, "message", None),
        (1, "Code-Review", 2, "bob", False, "message", None),
        (2, "Code-Review", 2, "bob", False, "label", None),  # copied by the trivial rebase
        (2, "Verified", 0, "zuul", True, "message", None),
        (2, "Verified", 1, "zuul", False, "message", None),
        (2, "Code-Review", -2, "carol", False, "message", None),
        (2, "Code-Review", 0, "carol", True, "message", "bob"),
        (2, "Code-Review", -1, "carol", False, "message", None),
    ]
    assert set(Vote.objects.filter(is_bot=True).values_list("account__username", flat=True)) == {
        "zuul"
    }


def test_window_query_of_votes_is_one_indexed_query(team, django_assert_num_queries):
    store_changes(team=team, changes=[change()], synced_at=NOW)
    start, end = datetime(2017, 4, 2, tzinfo=UTC), datetime(2017, 4, 3, tzinfo=UTC)
    with django_assert_num_queries(1):
        rows = list(
            Vote.objects.between(start, end).values_list(
                "account__username", "label", "value", "patch_set", "granted"
            )
        )
    assert [row[:4] for row in rows] == [
        ("zuul", "Verified", 0, 2),
        ("zuul", "Verified", 1, 2),
        ("carol", "Code-Review", -2, 2),
        ("carol", "Code-Review", 0, 2),  # removed by bob
    ]


def test_storing_the_same_page_twice_changes_nothing(team):
    store_changes(team=team, changes=[change()], synced_at=NOW)
    counts = [m.objects.count() for m in (Change, PatchSet, Message, Vote, Approval, Account)]
    stats = store_changes(team=team, changes=[change()], synced_at=NOW)
    assert stats.created == 0
    assert [
        m.objects.count() for m in (Change, PatchSet, Message, Vote, Approval, Account)
    ] == counts


def bare_accounts(value):
    """The same JSON as a server sends it without DETAILED_ACCOUNTS."""
    if isinstance(value, dict):
        if "_account_id" in value:
            return {
                "_account_id": value["_account_id"],
                **{k: v for k, v in value.items() if k in ("value", "date")},
            }
        return {key: bare_accounts(item) for key, item in value.items()}
    if isinstance(value, list):
        return [bare_accounts(item) for item in value]
    return value


def test_bare_account_ids_do_not_erase_known_details(team):
    store_changes(team=team, changes=[change()], synced_at=NOW)
    store_changes(team=team, changes=[bare_accounts(change(number=1002))], synced_at=NOW)
    assert Account.objects.get(account_id=1).name == "Alice Owner"
    assert Change.objects.get(number=1002).owner.username == "alice"


def test_bare_accounts_are_stored_by_id_when_nothing_else_is_known(team):
    store_changes(team=team, changes=[bare_accounts(change())], synced_at=NOW)
    assert Account.objects.get(account_id=3).name == ""
    # "Removed Code-Review-2 by Carol Core <carol@…>" names someone we cannot match to an
    # id without account details: the message is kept, the removal is not attributed.
    assert Vote.objects.filter(account__account_id=3).count() == 2
    assert Message.objects.filter(text__startswith="Removed Code-Review-2").exists()


def test_changes_of_other_repositories_are_ignored(team):
    stats = store_changes(team=team, changes=[change(project="openstack/nova")], synced_at=NOW)
    assert stats.changes == 0
    assert not Change.objects.exists()


@pytest.mark.parametrize("field", ["_number", "project", "owner", "updated"])
def test_a_change_missing_a_required_field_is_refused_by_name(team, field):
    broken = change()
    del broken[field]
    with pytest.raises(SyncDataError, match=f"no '{field}'"):
        store_changes(team=team, changes=[change(number=7), broken], synced_at=NOW)


@pytest.mark.parametrize(
    "example",
    ["change-detail.json", "gerrit-2.13/change-detail.json"],
)
def test_documented_example_responses_are_stored(team, shared_data, example):
    """Newer fields are ignored and fields older servers omit are tolerated."""
    data = json.loads((shared_data / "gerrit" / example).read_text())
    infos = data if isinstance(data, list) else [data]
    stats = store_changes(team=team, changes=copy.deepcopy(infos), synced_at=NOW)
    assert stats.changes == len(infos)
    detail = Change.objects.get(number=infos[0]["_number"])
    assert detail.subject == infos[0]["subject"]


def test_an_owner_without_account_id_is_refused_clearly(team, shared_data):
    """The documented query example shows owner {"name": …}; no real server sends that."""
    data = json.loads((shared_data / "gerrit" / "changes-query-current-revision.json").read_text())
    with pytest.raises(SyncDataError, match="Change 97 names an account without '_account_id'"):
        store_changes(team=team, changes=data, synced_at=NOW)


def test_closed_is_the_submit_time_or_the_abandon_message_time(team):
    merged = change(number=1, status="MERGED", submitted="2017-04-05 08:00:00.000000000")
    abandoned = change(number=2, status="ABANDONED")
    abandoned["messages"] = abandoned["messages"] + [
        {
            **msg("a1", ALICE, "2017-04-06 10:00:00", "Abandoned\n\nNo longer needed", 2),
            "tag": "autogenerated:gerrit:abandon",
        },
        msg("a2", BOB, "2017-04-07 10:00:00", "Patch Set 2:\n\nSad to see it go.", 2),
    ]
    store_changes(team=team, changes=[merged, abandoned, change(number=3)], synced_at=NOW)
    closed = dict(Change.objects.values_list("number", "closed"))
    assert closed == {
        1: datetime(2017, 4, 5, 8, tzinfo=UTC),
        2: datetime(2017, 4, 6, 10, tzinfo=UTC),
        3: None,
    }


def test_stored_votes_become_reviews_without_copied_votes_or_removals(team):
    store_changes(team=team, changes=[change()], synced_at=NOW)
    reviews = list(
        Review.objects.order_by("patch_set", "account__username").values_list(
            "patch_set", "label", "account__username", "owner__username", "value"
        )
    )
    # bob's +2 copied onto patch set 2 is not a review; carol's -2, removed, then -1 is
    # one review valued -1 and first given with the -2.
    assert reviews == [
        (1, "Code-Review", "bob", "alice", 2),
        (2, "Code-Review", "carol", "alice", -1),
    ]
    carol = Review.objects.get(account__username="carol")
    carol_votes = Vote.objects.filter(
        account__username="carol", removal=False, label="Code-Review"
    ).order_by("granted")
    assert (carol.first_granted, carol.granted) == (
        carol_votes.first().granted,
        carol_votes.last().granted,
    )
    store_changes(team=team, changes=[change()], synced_at=NOW)
    assert Review.objects.count() == 2


def test_patch_sets_carry_their_changes_repository_and_follow_a_move(team):
    moved = change(1001)
    store_changes(team=team, changes=[moved, change(1002, project="myProject")], synced_at=NOW)
    glance, other = (Repository.objects.get(name=n) for n in ("openstack/glance", "myProject"))
    by_change = dict(PatchSet.objects.values_list("change__number", "repository"))
    assert by_change == {1001: glance.pk, 1002: other.pk}
    store_changes(team=team, changes=[{**moved, "project": "myProject"}], synced_at=NOW)
    assert set(PatchSet.objects.values_list("repository", flat=True)) == {other.pk}


def test_open_changes_get_their_review_clocks_and_closed_ones_none(team):
    merged = change(
        1002, status="MERGED", submitted="2017-04-04 10:00:00.000000000", mergeable=None
    )
    store_changes(team=team, changes=[change(), merged], synced_at=NOW)
    clocks = ("change__number", "current", "first", "no_negative")
    # PS2 is dated by its first announced vote (ZUUL's -Verified at 10:01), PS1 by ZUUL's
    # Verified+1 at 10:30; nothing negative stands on PS1, so the run reaches back to it.
    assert list(ReviewClocks.objects.values_list(*clocks)) == [
        (
            1001,
            datetime(2017, 4, 2, 10, 1, tzinfo=UTC),
            datetime(2017, 4, 1, 10, 30, tzinfo=UTC),
            datetime(2017, 4, 1, 10, 30, tzinfo=UTC),
        )
    ]


def test_a_change_stored_closed_loses_its_review_clocks(team):
    store_changes(team=team, changes=[change()], synced_at=NOW)
    abandoned = change(status="ABANDONED", updated="2017-04-05 09:00:00.000000000")
    store_changes(team=team, changes=[abandoned], synced_at=NOW)
    assert Change.objects.get().status == "ABANDONED"
    assert not ReviewClocks.objects.exists()


def _unconstrained_keys():
    """Every foreign key the database does not check (see the note in gerrit.models)."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_app_config("gerrit").get_models()
        for field in model._meta.concrete_fields
        if field.many_to_one and not field.db_constraint
    ]


def _rows_pointing_nowhere() -> list[str]:
    orphans = []
    for model, field in _unconstrained_keys():
        target = field.related_model.objects.values("pk")
        dangling = (
            model.objects.exclude(**{f"{field.attname}__isnull": True})
            .exclude(**{f"{field.attname}__in": target})
            .count()
        )
        if dangling:
            orphans.append(f"{model.__name__}.{field.name}: {dangling}")
    return orphans


def test_the_sync_keeps_every_unconstrained_key_pointing_at_a_row(team):
    assert {model.__name__ for model, _ in _unconstrained_keys()} == {
        "PatchSet",
        "Message",
        "Vote",
        "Review",
        "Approval",
        "Reviewer",
        "ChangeFile",
    }
    store_changes(team=team, changes=[change(1001), change(1002)], synced_at=NOW)
    # Restored: one change loses a patch set and its late messages, the other moves to
    # another repository and gets a new reviewer; the old rows must go with their change.
    shorter = change(1001, messages=change()["messages"][:3])
    del shorter["revisions"]["a" * 40]
    moved = change(
        1002,
        project="myProject",
        reviewers={"REVIEWER": [BOB, CAROL, ZUUL, person(4, "Dan New")], "CC": []},
    )
    store_changes(team=team, changes=[shorter, moved], synced_at=NOW)
    assert Message.objects.filter(change__number=1001).count() == 3
    assert Vote.objects.filter(change__number=1002, repository__name="myProject").exists()
    assert _rows_pointing_nowhere() == []


def test_deleting_a_change_takes_its_rows_and_a_referenced_account_is_kept(team):
    from django.db.models import RestrictedError

    store_changes(team=team, changes=[change(1001), change(1002)], synced_at=NOW)
    Change.objects.get(number=1001).delete()
    assert not Vote.objects.filter(change__number=1001).exists()
    assert _rows_pointing_nowhere() == []
    with pytest.raises(RestrictedError):
        Account.objects.get(account_id=CAROL["_account_id"]).delete()
