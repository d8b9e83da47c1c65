"""Vote history recovered from Gerrit's change messages (pure parsing, no ORM).

Gerrit's REST API only holds the *current* votes; what was voted on earlier patch sets,
and votes later removed, survive only in the text Gerrit writes into change messages
(facts §3.6). This module reads those texts:

* ``Patch Set 3: Code-Review+2 Workflow+1`` (then optionally a blank line and a comment),
* ``Patch Set 10: -Verified`` (a voter removing their own vote; Zuul does this when a run
  starts),
* ``Removed Code-Review-1 by Jane Roe <jane.roe@example.com>`` (someone removing another
  person's vote; the message author is the remover),

and merges in the current labels, which carry votes Gerrit copied forward to a new patch set
(sticky votes on trivial rebases) that no message announces.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

_PATCH_SET_LINE = re.compile(r"^Patch Set (?P<ps>\d+):(?P<rest>[^\n]*)")
_VOTE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z0-9_-]*?)(?P<value>[+-]\d+)$")
_SELF_REMOVAL = re.compile(r"^-(?P<label>[A-Za-z][A-Za-z0-9_-]*)$")
_REMOVED_BY = re.compile(
    r"^Removed (?P<label>[A-Za-z][A-Za-z0-9_-]*?)(?P<value>[+-]\d+) by (?P<who>[^\n]+?)\s*$",
    re.MULTILINE,
)
_NAME_EMAIL = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>\s]+)>$")
_ACCOUNT_PLACEHOLDER = re.compile(r"^<GERRIT_ACCOUNT_(?P<id>\d+)>$")


class VoteEvent(NamedTuple):
    """One vote cast (value != 0) or removed (``removal``; value 0) on a patch set.

    ``voter`` identifies whose vote it is: an ``_account_id`` for votes and self-removals;
    for a removal by someone else the text names the voter, so ``voter`` is None and
    ``voter_name``/``voter_email`` (or ``voter_id`` from a newer server's placeholder) say
    who, and ``remover`` is the message author.

    A named tuple rather than a frozen dataclass: a sync builds one per vote of a history
    (some nine a change), and a frozen dataclass costs several times as much to build.
    """

    patch_set: int
    label: str
    value: int
    granted: datetime
    voter: int | None
    removal: bool = False
    remover: int | None = None
    voter_name: str = ""
    voter_email: str = ""


def parse_vote_line(text: str) -> tuple[int, list[tuple[str, int | None]]] | None:
    """The patch set and the (label, value) votes of a review message's first line.

    A removal is ``(label, None)``. Returns None when the message is not a review with
    votes, e.g. ``Patch Set 2: Patch Set 1 was rebased`` or a plain comment.
    """
    if not text.startswith("Patch Set "):
        return None
    parsed = _parse_first_line(text.partition("\n")[0])
    return None if parsed is None else (parsed[0], list(parsed[1]))


# A sync reads every message of a history, and their first lines repeat endlessly
# ("Patch Set 4: Code-Review+2 Workflow+1"): parse each distinct line once.
# builds a VoteEvent from a complete field tuple in C (see events_from_message)
_new_event = tuple.__new__


@lru_cache(maxsize=4096)
def _parse_first_line(line: str) -> tuple[int, tuple[tuple[str, int | None], ...]] | None:
    match = _PATCH_SET_LINE.match(line)
    if match is None:
        return None
    tokens = match.group("rest").split()
    if not tokens:
        return None
    votes: list[tuple[str, int | None]] = []
    for token in tokens:
        if vote := _VOTE.match(token):
            votes.append((vote.group("label"), int(vote.group("value"))))
        elif removal := _SELF_REMOVAL.match(token):
            votes.append((removal.group("label"), None))
        else:
            # Anything else means the line is prose ("Patch Set 1 was rebased"), not votes;
            # trailing "(2 comments)" only appears after a blank line, so it never lands here.
            return None
    return int(match.group("ps")), tuple(votes)


def events_from_message(
    text: str, *, author: int | None, date: datetime, revision: int | None
) -> list[VoteEvent]:
    """Vote events announced by one change message."""
    events: list[VoteEvent] = []
    parsed = parse_vote_line(text)
    if parsed is not None and author is not None:
        patch_set, votes = parsed
        # positional, in field order: the hot path of a sync (one call per message)
        return [
            _new_event(
                VoteEvent, (patch_set, label, value or 0, date, author, value is None, None, "", "")
            )
            for label, value in votes
        ]
    if "Removed " not in text:  # most messages: skip scanning every line of them
        return events
    for removed in _REMOVED_BY.finditer(text):
        who = removed.group("who").strip()
        name, email, voter_id = who, "", None
        if placeholder := _ACCOUNT_PLACEHOLDER.match(who):
            voter_id, name = int(placeholder.group("id")), ""
        elif named := _NAME_EMAIL.match(who):
            name, email = named.group("name"), named.group("email")
        events.append(
            VoteEvent(
                patch_set=revision or 0,
                label=removed.group("label"),
                value=0,
                granted=date,
                voter=voter_id,
                removal=True,
                remover=author,
                voter_name=name,
                voter_email=email,
            )
        )
    return events


class StandingVote(NamedTuple):
    """A non-zero vote on the current patch set, as Gerrit's ``labels.all`` reports it."""

    label: str
    value: int
    voter: int
    granted: datetime | None
    tag: str = ""


def copied_votes(
    events: list[VoteEvent], standing: list[StandingVote], *, current_patch_set: int
) -> list[StandingVote]:
    """Standing votes that no message announced on the current patch set.

    These are the votes Gerrit copied forward (sticky votes on trivial rebases), or votes
    whose message was lost; without them the history would miss what the labels show.
    """
    latest: dict[tuple[int | None, str], int] = {}
    for event in events:
        if event.patch_set == current_patch_set and event.voter is not None:
            latest[(event.voter, event.label)] = event.value
    return [vote for vote in standing if latest.get((vote.voter, vote.label)) != vote.value]
