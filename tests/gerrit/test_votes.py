"""Vote history read from Gerrit's message texts (facts §3.6)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.gerrit.votes import (
    StandingVote,
    VoteEvent,
    copied_votes,
    events_from_message,
    parse_vote_line,
)

WHEN = datetime(2017, 4, 11, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Patch Set 3: Code-Review+2 Workflow+1", (3, [("Code-Review", 2), ("Workflow", 1)])),
        ("Patch Set 3: Code-Review-1\n\n(3 comments)\n\nAdd a test.", (3, [("Code-Review", -1)])),
        ("Patch Set 10: -Verified\n\nStarting check jobs.", (10, [("Verified", None)])),
        ("Patch Set 2: Verified-1\n\nBuild failed.", (2, [("Verified", -1)])),
        ("Patch Set 1: Workflow-1", (1, [("Workflow", -1)])),
        ("Patch Set 4: -Code-Review Workflow+1", (4, [("Code-Review", None), ("Workflow", 1)])),
        ("Patch Set 7: Backport-Candidate+1", (7, [("Backport-Candidate", 1)])),
        ("Patch Set 10:\n\nrecheck", None),
        ("Patch Set 1:\n\n(2 comments)", None),
        ("Patch Set 2: Patch Set 1 was rebased", None),
        ("Uploaded patch set 3.", None),
        ("Change has been successfully merged by Jane Roe", None),
    ],
)
def test_vote_line_is_read_only_from_review_messages(text, expected):
    assert parse_vote_line(text) == expected


def test_self_removal_is_a_removal_event_of_the_author():
    events = events_from_message(
        "Patch Set 10: -Verified\n\nStarting check jobs.", author=42, date=WHEN, revision=10
    )
    assert events == [
        VoteEvent(patch_set=10, label="Verified", value=0, granted=WHEN, voter=42, removal=True)
    ]


def test_removal_by_someone_else_names_the_voter_and_records_the_remover():
    events = events_from_message(
        "Removed Code-Review-1 by Jane Roe <jane.roe@example.com>\n",
        author=7,
        date=WHEN,
        revision=2,
    )
    assert events == [
        VoteEvent(
            patch_set=2,
            label="Code-Review",
            value=0,
            granted=WHEN,
            voter=None,
            removal=True,
            remover=7,
            voter_name="Jane Roe",
            voter_email="jane.roe@example.com",
        )
    ]


def test_removal_with_an_account_placeholder_identifies_the_voter_by_id():
    (event,) = events_from_message(
        "Removed Verified-1 by <GERRIT_ACCOUNT_1000096>\n", author=7, date=WHEN, revision=1
    )
    assert (event.voter, event.label, event.removal) == (1000096, "Verified", True)


def test_message_without_author_yields_no_vote():
    assert (
        events_from_message("Patch Set 1: Code-Review+2", author=None, date=WHEN, revision=1) == []
    )


def test_votes_copied_to_the_current_patch_set_are_added_once():
    announced = events_from_message("Patch Set 2: Code-Review+1", author=5, date=WHEN, revision=2)
    standing = [
        StandingVote(label="Code-Review", value=1, voter=5, granted=WHEN),  # announced on PS2
        StandingVote(label="Code-Review", value=2, voter=6, granted=WHEN),  # copied from PS1
    ]
    assert copied_votes(announced, standing, current_patch_set=2) == [standing[1]]


def test_a_vote_changed_since_its_message_counts_as_not_announced():
    announced = events_from_message("Patch Set 3: Code-Review-1", author=5, date=WHEN, revision=3)
    standing = [StandingVote(label="Code-Review", value=1, voter=5, granted=WHEN)]
    assert copied_votes(announced, standing, current_patch_set=3) == standing
