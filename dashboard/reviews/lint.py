"""Warnings for queries that parse but do not do what their authors meant (pure, no ORM).

Each rule is one construct of facts §6.6 that current Gerrit (and Tiller's evaluator, which
follows it) reads differently from what the 2013–2019 dashboards intended, or cannot answer.
They are warnings, not errors: the query is valid and runs, it just probably selects the
wrong changes. Every warning has a ``kind`` (stable, for tests and filters), a message that
says what the query really does and what to write instead, and the ``position`` of the term.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dashboard.reviews.query import DEFAULT_FIELD, And, Node, Not, Or, Term, parse
from dashboard.reviews.query.labels import parse_label
from dashboard.reviews.query.values import is_self

TOPIC_REGEX = "topic-regex"
LABEL_TAUTOLOGY = "label-tautology"
LABEL_INCLUDES_ZERO = "label-includes-zero"
NEGATED_SELF_RANGE = "negated-self-range"
DOUBLE_EQUALS = "label-double-equals"
BARE_LABEL = "bare-label"
UNANSWERABLE = "unanswerable"
REMOVED = "removed-operator"
REVIEWERIN_UNATTRIBUTED = "reviewerin-unattributed-label"
BARE_PROJECT = "bare-project"

KINDS = (
    TOPIC_REGEX,
    LABEL_TAUTOLOGY,
    LABEL_INCLUDES_ZERO,
    NEGATED_SELF_RANGE,
    DOUBLE_EQUALS,
    BARE_LABEL,
    UNANSWERABLE,
    REMOVED,
    REVIEWERIN_UNATTRIBUTED,
    BARE_PROJECT,
)

_BARE_LABEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_VOTE_SUFFIX = re.compile(r"[+-][0-9]+\Z")


@dataclass(frozen=True)
class LintWarning:
    """``kind`` is one of ``KINDS``; ``position`` is the 0-based offset of the term."""

    kind: str
    message: str
    position: int


def lint(text: str) -> list[LintWarning]:
    """Warnings for ``text``, in reading order. Raises ``QuerySyntaxError`` if it does not
    parse (lint only valid queries)."""
    return lint_node(parse(text))


def lint_node(root: Node) -> list[LintWarning]:
    warnings = [
        warning
        for term, negated in _terms(root, negated=False)
        for warning in _term_warnings(term, negated)
    ]
    warnings.extend(_reviewerin_warnings(root))
    return sorted(warnings, key=lambda warning: warning.position)


def _terms(node: Node, *, negated: bool) -> Iterator[tuple[Term, bool]]:
    """Every term, and whether it stands under an odd number of NOTs."""
    if isinstance(node, Term):
        yield node, negated
    elif isinstance(node, Not):
        yield from _terms(node.child, negated=not negated)
    else:
        for child in node.children:
            yield from _terms(child, negated=negated)


def _term_warnings(term: Term, negated: bool) -> Iterator[LintWarning]:
    operator, value, position = term.operator, term.value, term.position
    if operator == "topic" and value.startswith("^"):
        yield LintWarning(
            TOPIC_REGEX,
            f"topic:{value} is an exact match since Gerrit 2.12: it matches only a topic "
            f'spelled "{value}" literally; use intopic:{value} for a regular expression',
            position,
        )
    elif operator == "label":
        yield from _label_warnings(value, negated, position)
    elif operator == "starredby":
        if not is_self(value):
            yield LintWarning(
                UNANSWERABLE,
                f"starredby:{value}: other people's stars are not readable over REST, so "
                "Tiller cannot answer it",
                position,
            )
        yield LintWarning(
            REMOVED,
            "starredby: was removed in Gerrit 3.5; use is:starred for your own stars",
            position,
        )
    elif operator == "is" and value.lower() == "watched":
        yield LintWarning(
            UNANSWERABLE,
            "is:watched needs your project watches, which live in your Gerrit preferences: "
            "Tiller cannot answer it; name the projects instead",
            position,
        )
    elif operator == "is" and value.lower() == "mergeable":
        yield LintWarning(
            REMOVED,
            "is:mergeable is not indexed by default on Gerrit 3.x (the server answers 400)",
            position,
        )
    elif operator == DEFAULT_FIELD and "/" in value and " " not in value:
        yield LintWarning(
            BARE_PROJECT,
            f'"{value}" without an operator searches every field (owner, message, file…); '
            f"did you mean project:{value}?",
            position,
        )


def _label_warnings(value: str, negated: bool, position: int) -> Iterator[LintWarning]:
    test = parse_label(value)
    vote = re.split(r"[,&]", value, maxsplit=1)[0]
    written = f"{'NOT ' if negated else ''}label:{value}"
    if test.special:
        return
    if test.label.endswith("="):
        yield LintWarning(
            DOUBLE_EQUALS,
            f'label:{value} names a label called "{test.label}", which does not exist, so it '
            f"matches nothing; write label:{test.label.rstrip('=')}={test.range.number}",
            position,
        )
        return
    if _BARE_LABEL_NAME.fullmatch(vote) and not _VOTE_SUFFIX.search(vote):
        yield LintWarning(
            BARE_LABEL,
            f"label:{value} without a value means {vote}=+1 (exactly +1), not "
            f'"has a {vote} vote"; write the value you mean',
            position,
        )
        return
    low, high = test.range.low, test.range.high
    if low <= -2 and high >= 2:
        yield LintWarning(
            LABEL_TAUTOLOGY,
            f"{written} "
            + (
                "matches nothing: the range covers every vote and 0 (no vote), so "
                f"label:{value} is true of every change"
                if negated
                else "matches every change: the range covers every vote and 0 (no vote)"
            )
            + f'; for "no {test.label} votes" write NOT label:{test.label}<=-1 '
            f"NOT label:{test.label}>=1",
            position,
        )
    elif test.range.comparison != "=" and low <= 0 <= high:
        if negated and test.who is not None and test.who.kind == "self":
            yield LintWarning(
                NEGATED_SELF_RANGE,
                f"{written} means you voted outside {low}..{high}, not that you have not "
                f'voted; for "I have not voted" write NOT label:{test.label}<=-1,self '
                f"NOT label:{test.label}>=1,self",
                position,
            )
        else:
            yield LintWarning(
                LABEL_INCLUDES_ZERO,
                f"label:{value} includes 0, which means no vote: it also matches changes "
                f"nobody voted {test.label} on" + (" (so NOT excludes them)" if negated else ""),
                position,
            )


def _reviewerin_warnings(node: Node) -> Iterator[LintWarning]:
    """``reviewerin:G`` ANDed with a ``label:`` without a voter (facts §6.6): the label counts
    anyone's vote, not the group's."""
    if isinstance(node, Term):
        return
    if isinstance(node, Not):
        yield from _reviewerin_warnings(node.child)
        return
    if isinstance(node, And):
        children = [child for child in node.children if isinstance(child, Term)]
        reviewerin = next((term for term in children if term.operator == "reviewerin"), None)
        if reviewerin is not None:
            for term in children:
                if term.operator == "label" and parse_label(term.value).who is None:
                    yield LintWarning(
                        REVIEWERIN_UNATTRIBUTED,
                        f"reviewerin:{reviewerin.value} does not look at votes: with "
                        f'label:{term.value} it means "some {reviewerin.value} member is a '
                        f"reviewer and anyone voted {term.value}\"; for the group's votes "
                        f"write label:{term.value},{reviewerin.value}",
                        reviewerin.position,
                    )
    assert isinstance(node, And | Or)
    for child in node.children:
        yield from _reviewerin_warnings(child)
