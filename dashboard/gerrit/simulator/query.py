"""The subset of Gerrit's change search language the simulator answers, with its semantics.

Grammar as Gerrit implements it (Query.g, facts §6.1): ``NOT``/``-`` bind tightest, then
``AND`` (explicit or implicit by juxtaposition), then ``OR``; parentheses group; values
are bare words or ``"…"``/``{…}`` phrases; operator names are lower-case. Operators and
their meanings follow facts §4.1 and §6.4:

* ``project:`` exact or ``^regex`` (whole name), ``projects:`` prefix, ``branch:`` (also
  ``refs/heads/…`` and ``^regex`` on the full ref), ``topic:`` exact (``topic:""`` = none),
  ``hashtag:`` (case-insensitive), ``owner:`` (id, user name, e-mail, full name, ``self``);
* ``status:``/``is:`` with Gerrit's prefix matching (``status:mer``), ``is:wip``;
* ``change:`` and bare change numbers or Change-Id prefixes;
* ``after:``/``since:`` (``updated >= T``), ``before:``/``until:`` (``updated <= T``),
  ``age:`` (``updated <= now - D``), all inclusive, at millisecond resolution;
* ``limit:N`` caps the page.

Anything else is rejected with Gerrit's ``Unsupported operator`` (HTTP 400) — including
operators a real server knows but whose data the index does not keep (``label:``,
``message:``, ``reviewer:``…), so that a test never silently gets a wrong answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .timestamps import parse_query_time


class Indexed(Protocol):
    number: int
    change_id: str
    project: str
    branch: str
    owner: int
    updated: int
    status: str
    topic: str | None
    hashtags: tuple[str, ...]
    wip: bool


class Directory(Protocol):
    def find_accounts(self, who: str) -> set[int]: ...


Predicate = Callable[[Indexed], bool]
# parse tree: ("or"|"and", [children]), ("not", child) or ("term", operator or "", value)
_Node = tuple[Any, ...]


class QueryError(Exception):
    """A query Gerrit would refuse; ``status`` is 400 (syntax, operator) or 403 (``self``)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(", ")", "-", "word" or "phrase"
    text: str
    column: int


@dataclass(frozen=True, slots=True)
class Query:
    predicate: Predicate
    limit: int | None
    key: tuple[str, int, int | None] | None = None  # what the predicate depends on
    # No match was updated before this (epoch milliseconds), e.g. ``… after:T``: a scan in
    # ``updated`` order can stop there, as Lucene's range query does, instead of reading
    # the whole index to learn that nothing older matches.
    updated_floor: int | None = None


_FIELD = re.compile(r"([a-z_]+(?:-[a-z_]+)*):(.*)", re.DOTALL)
_WORD_END = re.compile(r'[\s()"{}]')
_CHANGE_ID = re.compile(r"I[0-9a-f]{4,40}")
_AGE = re.compile(r"(\d+)\s*([a-z]*)", re.IGNORECASE)
_AGE_UNITS = {
    **dict.fromkeys(("", "s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("w", "week", "weeks"), 7 * 86400),
    **dict.fromkeys(("mon", "month", "months"), 30 * 86400),
    **dict.fromkeys(("y", "year", "years"), 365 * 86400),
}
# ChangeStatusPredicate's table: a value picks the first name >= it, if it is a prefix
_STATUS_NAMES = (
    ("abandoned", {"ABANDONED"}),
    ("closed", {"MERGED", "ABANDONED"}),
    ("merged", {"MERGED"}),
    ("new", {"NEW"}),
    ("open", {"NEW"}),
    ("pending", {"NEW"}),
)


def compile_query(text: str, *, now: int, caller: int | None, directory: Directory) -> Query:
    """Parse ``text`` and bind it to the clock, the caller and the account directory."""
    tokens = _tokenize(text)
    if not tokens:
        raise QueryError("query is empty")
    tree = _Parser(tokens, len(text)).parse()  # syntax errors first, as Gerrit reports them
    binder = _Binder(now=now, caller=caller, directory=directory)
    predicate = binder.bind(tree)
    return Query(predicate, binder.limit, (text, now, caller), _updated_floor(tree))


def _updated_floor(node: _Node) -> int | None:
    """The lowest ``updated`` (ms) a match of this parse tree can have, if it has one."""
    kind = node[0]
    if kind == "term":
        return _time(node[2]) if node[1] in ("after", "since") else None
    if kind == "and":
        floors = [floor for child in node[1] if (floor := _updated_floor(child)) is not None]
        return max(floors, default=None)
    if kind == "or":
        floors = [_updated_floor(child) for child in node[1]]
        return None if None in floors else min(f for f in floors if f is not None)
    return None  # a NOT has no floor


def _tokenize(text: str) -> list[_Token]:
    """Tokens ``(``, ``)``, ``-``, ``word`` or ``phrase``, with their column for errors."""
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()-":
            tokens.append(_Token(ch, ch, i))
            i += 1
        elif ch in '"{':
            closing = '"' if ch == '"' else "}"
            close = text.find(closing, i + 1)
            if close < 0:
                raise QueryError(
                    f"line 1:{len(text)} mismatched character '<EOF>' expecting '{closing}'"
                )
            tokens.append(_Token("phrase", text[i + 1 : close], i))
            i = close + 1
        elif ch == "}":
            raise QueryError(f"line 1:{i} extraneous input '}}'")
        else:
            match = _WORD_END.search(text, i)
            end = match.start() if match else len(text)
            tokens.append(_Token("word", text[i:end], i))
            i = end
    return tokens


class _Parser:
    """Recursive descent over Gerrit's grammar: or := and (OR and)*, and := not (AND? not)*."""

    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.pos = 0
        self.length = length  # of the query text, the column of '<EOF>'

    def parse(self) -> _Node:
        predicate = self._or()
        if (token := self._peek()) is not None:
            raise QueryError(f"line 1:{token.column} extraneous input '{token.text}'")
        return predicate

    def _peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _is(self, kind: str, text: str | None = None) -> bool:
        token = self._peek()
        return token is not None and token.kind == kind and text in (None, token.text)

    def _or(self) -> _Node:
        terms = [self._and()]
        while self._is("word", "OR"):
            self.pos += 1
            terms.append(self._and())
        return terms[0] if len(terms) == 1 else ("or", terms)

    def _and(self) -> _Node:
        terms = [self._not()]
        while self._peek() is not None and not self._is(")") and not self._is("word", "OR"):
            if self._is("word", "AND"):
                self.pos += 1
            terms.append(self._not())
        return terms[0] if len(terms) == 1 else ("and", terms)

    def _not(self) -> _Node:
        if self._is("-") or self._is("word", "NOT"):
            self.pos += 1
            return ("not", self._base())
        return self._base()

    def _base(self) -> _Node:
        token = self._peek()
        if token is None:
            raise QueryError(f"line 1:{self.length} no viable alternative at input '<EOF>'")
        self.pos += 1
        if token.kind == "(":
            inner = self._or()
            if not self._is(")"):
                raise QueryError(f"line 1:{self._column()} missing ')' at {self._shown()}")
            self.pos += 1
            return inner
        if token.kind == "phrase":
            return ("term", "", token.text)
        if token.kind != "word" or token.text in ("AND", "OR", "NOT"):
            raise QueryError(f"line 1:{token.column} no viable alternative at input '{token.text}'")
        field = _FIELD.fullmatch(token.text)
        if field is None:
            return ("term", "", token.text)
        name, value = field.groups()
        if not value:
            if not (self._is("word") or self._is("phrase")):
                raise QueryError(
                    f"line 1:{self._column()} missing value for '{name}:' at {self._shown()}"
                )
            value = self.tokens[self.pos].text
            self.pos += 1
        return ("term", name, value)

    def _column(self) -> int:
        token = self._peek()
        return token.column if token else self.length

    def _shown(self) -> str:
        token = self._peek()
        return f"'{token.text}'" if token else "'<EOF>'"


class _Binder:
    """Turns one ``name:value`` term into a predicate over index entries."""

    def __init__(self, *, now: int, caller: int | None, directory: Directory) -> None:
        self.now = now
        self.caller = caller
        self.directory = directory
        self.limit: int | None = None

    def bind(self, node: _Node) -> Predicate:
        """The predicate of a parse tree; operator errors surface here, after parsing."""
        if node[0] == "term":
            _, name, value = node
            return self.operator(name, value) if name else self.default(value)
        if node[0] == "not":
            inner = self.bind(node[1])
            return lambda e: not inner(e)
        terms = [self.bind(child) for child in node[1]]
        if node[0] == "and":
            return lambda e: all(t(e) for t in terms)
        return lambda e: any(t(e) for t in terms)

    def operator(self, name: str, value: str) -> Predicate:
        handler = getattr(self, "_op_" + name.replace("-", "_"), None)
        if handler is None:
            raise QueryError(f"Unsupported operator {name}:{value}")
        return handler(value)

    def default(self, word: str) -> Predicate:
        """Bare words: change numbers and Change-Ids only (facts §6.4, default field)."""
        if word.isdigit():
            return self._op_change(word)
        if _CHANGE_ID.fullmatch(word):
            return self._op_change(word)
        raise QueryError(
            f"Unsupported default-field search for '{word}': the simulator only resolves "
            "change numbers and Change-Ids without an operator"
        )

    def _op_project(self, value: str) -> Predicate:
        if value.startswith("^"):
            pattern = _regex(value)
            return lambda e: pattern.fullmatch(e.project) is not None
        return lambda e: e.project == value

    def _op_projects(self, value: str) -> Predicate:
        return lambda e: e.project.startswith(value)

    def _op_branch(self, value: str) -> Predicate:
        if value.startswith("^"):
            body = value[1:]
            pattern = _regex("^" + (body if body.startswith("refs/") else "refs/heads/" + body))
            return lambda e: pattern.fullmatch("refs/heads/" + e.branch) is not None
        branch = value.removeprefix("refs/heads/")
        return lambda e: e.branch == branch

    def _op_topic(self, value: str) -> Predicate:
        wanted = value or None
        return lambda e: e.topic == wanted

    def _op_hashtag(self, value: str) -> Predicate:
        wanted = value.lower()
        return lambda e: any(h.lower() == wanted for h in e.hashtags)

    def _op_owner(self, value: str) -> Predicate:
        owners = self._accounts(value)
        return lambda e: e.owner in owners

    def _op_status(self, value: str) -> Predicate:
        lower = value.lower()
        for name, statuses in _STATUS_NAMES:
            if name >= lower:
                if name.startswith(lower):
                    return lambda e: e.status in statuses
                break
        raise QueryError(f"Unrecognized value: {value}")

    def _op_is(self, value: str) -> Predicate:
        if value == "wip":
            return lambda e: e.wip
        if value in ("starred", "watched", "reviewed", "owner", "reviewer", "cc", "mergeable"):
            raise QueryError(f"Unsupported operator is:{value}")
        return self._op_status(value)

    def _op_change(self, value: str) -> Predicate:
        if value.isdigit():
            number = int(value)
            return lambda e: e.number == number
        if _CHANGE_ID.fullmatch(value):
            return lambda e: e.change_id.startswith(value)
        raise QueryError(f"Invalid change: {value}")

    def _op_after(self, value: str) -> Predicate:
        bound = _time(value)
        return lambda e: e.updated * 1000 >= bound

    def _op_before(self, value: str) -> Predicate:
        bound = _time(value)
        return lambda e: e.updated * 1000 <= bound

    _op_since = _op_after
    _op_until = _op_before

    def _op_age(self, value: str) -> Predicate:
        match = _AGE.fullmatch(value.strip())
        unit = _AGE_UNITS.get(match.group(2).lower()) if match else None
        if match is None or unit is None:
            raise QueryError(f"Invalid age: {value}")
        cutoff = self.now - int(match.group(1)) * unit
        return lambda e: e.updated <= cutoff

    def _op_limit(self, value: str) -> Predicate:
        if not value.isdigit() or int(value) < 1:
            raise QueryError(f"Invalid limit: {value}")
        self.limit = min(int(value), self.limit or int(value))
        return lambda e: True

    def _accounts(self, who: str) -> set[int]:
        if who in ("self", "me"):
            if self.caller is None:
                raise QueryError("Must be signed-in to use this operator", status=403)
            return {self.caller}
        return self.directory.find_accounts(who)


def _regex(value: str) -> re.Pattern[str]:
    """Gerrit strips ``^`` and an unescaped trailing ``$``, then matches the whole string."""
    body = value[1:]
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    try:
        return re.compile(body)
    except re.error as error:
        raise QueryError(f"Invalid regular expression: {value}: {error}") from None


def _time(value: str) -> int:
    millis = parse_query_time(value)
    if millis is None:
        raise QueryError(f"Invalid timestamp: {value}")
    return millis
