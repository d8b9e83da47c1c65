"""``label:`` values, read exactly as Gerrit's LabelPredicate reads them (facts §6.5).

The parsing is deliberately literal, quirks included, because dashboards were written
against them: a bare name means ``=+1``, ``Review-Priority==1`` names a label called
``Review-Priority=``, comparisons are clamped to −4…+4, and only the first ``,`` (or
``&``) separates the vote from the voter.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from .values import INT32_MAX, Range, ValueProblem, comparison_range, is_self

LABEL_MIN, LABEL_MAX = -4, 4  # LabelPredicate clamps every comparison to this range
SUBMIT_STATUSES = frozenset({"OK", "REJECT", "NEED", "MAY", "IMPOSSIBLE"})
MAGIC_VALUES = frozenset({"ANY", "MAX", "MIN"})
_LABEL_RANGE = re.compile(r"(>|>=|=|<|<=|)([+-]?[0-9]+)\Z")  # RangeUtil.RANGE_PATTERN, found


@dataclass(frozen=True)
class Who:
    """Whose votes a label test counts: ``self``, ``owner``, ``non_uploader``, ``user``
    (forced with ``user=``), ``group`` (forced with ``group=``) or ``user_or_group``
    (a bare name: a user if one matches, else a group, as Gerrit tries them)."""

    kind: str
    name: str = ""


@dataclass(frozen=True)
class LabelTest:
    """A parsed ``label:`` value.

    ``values`` is what Gerrit ORs over: for v ≠ 0 "some current vote equals v", for 0 "no
    non-zero vote" (by ``who`` if given). ``special`` is a magic value (``ANY``/``MAX``/
    ``MIN``) or a submit-record status (``OK``, ``NEED``…) instead of a number; ``count`` is
    the raw ``count=`` argument. ``range`` keeps the comparison as written, for describe().
    """

    label: str
    range: Range
    who: Who | None = None
    special: str = ""
    count: str = ""

    @property
    def values(self) -> frozenset[int]:
        if self.special == "ANY":
            return frozenset(v for v in range(LABEL_MIN, LABEL_MAX + 1) if v)
        return frozenset(range(self.range.low, self.range.high + 1))


def _label_name(name: str) -> str:
    # LabelType.checkNameInternal
    if not name or name[0] == "-" or not re.fullmatch(r"[A-Za-z0-9-]+", name):
        raise ValueError(name)
    return name


def _short(text: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", text) or not -(2**15) <= int(text) < 2**15:
        raise ValueError(text)
    return int(text)


def _label_vote(text: str) -> tuple[str, int]:
    """LabelVote.parse: ``Code-Review+2``, ``Code-Review-1``, ``-Code-Review`` (0), or a bare
    name meaning +1."""
    if text.startswith("-"):
        return _label_name(text[1:]), 0
    i = len(text) - 1
    while i >= 0 and text[i] in "0123456789":
        i -= 1
    if i < 0 or text[i] not in "+-":
        return _label_name(text), 1
    return _label_name(text[:i]), (-1 if text[i] == "-" else 1) * _short(text[i + 1 :])


def _label_vote_with_equals(text: str) -> tuple[str, int]:
    """LabelVote.parseWithEquals: ``Code-Review=+1``, ``Code-Review=-2``."""
    name, equals, number = text.rpartition("=")
    if not equals:
        raise ValueError(text)
    return _label_name(name), _short(number)


def _parse_who(arguments: str) -> tuple[Who | None, str]:
    who: Who | None = None
    count = ""
    keys: set[str] = set()
    positional: list[str] = []
    for argument in re.split(r"[,&]", arguments):
        pieces = argument.split("=")
        if len(pieces) == 1:
            positional.append(argument)
            continue
        if len(pieces) > 2:
            raise ValueProblem(f'Invalid label argument "{argument}"')
        key, name = pieces
        if key in keys:
            raise ValueProblem(f'Duplicate label argument "{key}"')
        keys.add(key)
        if key.lower() == "user":
            who = _named_who(name, default="user")
        elif key.lower() == "group":
            who = Who("group", name)
        elif key.lower() == "count":
            count = name
        else:
            raise ValueProblem(f'Invalid label argument "{key}"', "use user=, group= or count=")
    for name in positional:
        if who is not None:
            raise ValueProblem(f'More than one user or group in the label test ("{name}")')
        if not name:
            raise ValueProblem("Empty user or group in the label test")
        who = _named_who(name, default="user_or_group")
    return who, count


def _named_who(name: str, *, default: str) -> Who:
    if is_self(name):
        return Who("self")
    if name in ("owner", "non_uploader"):
        return Who(name)
    return Who(default, name)


def parse_label(value: str) -> LabelTest:
    """Read ``label:`` exactly as Gerrit's LabelPredicate does (facts §6.5).

    Only the first ``,`` (or ``&``) separates the vote from the voter. A bare name means
    ``=+1``; ``Review-Priority==1`` is a label called ``Review-Priority=`` (it matches
    nothing, as on Gerrit); comparisons are clamped to −4…+4.
    """
    vote, separator, arguments = (re.split(r"([,&])", value, maxsplit=1) + ["", ""])[:3]
    who, count = _parse_who(arguments) if separator else (None, "")
    equals = vote.find("=")
    if equals > 0 and vote[equals + 1 :].upper() in SUBMIT_STATUSES:
        status = vote[equals + 1 :].upper()
        return LabelTest(
            vote[:equals], comparison_range("=", 0, 0, 0), who, special=status, count=count
        )
    name, _, magic = vote.rpartition("=")
    if name and magic.upper() in MAGIC_VALUES:
        return LabelTest(
            name, comparison_range("=", 0, 0, 0), who, special=magic.upper(), count=count
        )
    parsed: tuple[str, int] | None = None
    for reader in (_label_vote, _label_vote_with_equals):  # the second wins, as in Gerrit
        with contextlib.suppress(ValueError):
            parsed = reader(vote)
    if parsed is not None:
        label, comparison, number = parsed[0], "=", parsed[1]
    elif (found := _LABEL_RANGE.search(vote)) and abs(int(found.group(2))) <= INT32_MAX:
        label, comparison, number = vote[: found.start()], found.group(1), int(found.group(2))
    else:
        label, comparison, number = vote, "=", 1
    return LabelTest(
        label, comparison_range(comparison, number, LABEL_MIN, LABEL_MAX), who, count=count
    )
