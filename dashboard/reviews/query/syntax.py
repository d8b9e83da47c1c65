"""Gerrit's search language, text to tree: a tokenizer and a recursive-descent parser.

The grammar is Gerrit's own (Query.g, facts §6.1), including what its documentation gets
wrong: ``NOT``/``-`` bind tightest, then AND (explicit or implied by juxtaposition), then
OR, so ``a b OR c`` is ``(a AND b) OR c``. Lexical rules, also Gerrit's:

* operator names are lower-case (``[a-z_]+(-[a-z_]+)*``) and must be followed by ``:``;
  ``Project:foo`` is therefore a bare word, searched in the default field;
* ``AND``/``OR``/``NOT`` are keywords in capitals and, as on Gerrit since 2022, in lower
  case; a leading ``-`` negates (a word cannot start with ``-``);
* a bare word may hold letters, digits and ``# & * + , - . / < = > @ ~ ^ \\ | _``; anything
  else (space, quotes, parentheses, ``! $ % ' ; ? [ ] { }``, a trailing ``:``) must be
  quoted with ``"…"`` or ``{…}``, inside which ``\\`` escapes the next character;
* whitespace between tokens is insignificant, so ``owner: self`` is ``owner:self``, and a
  colon may continue a value (``message:foo:bar``).

The tree is small frozen dataclasses; ``Term.position`` is the 0-based offset of the term in
the text, so every later error can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from . import checks, values
from .errors import QuerySyntaxError
from .operators import DEFAULT_FIELD, canonical


@dataclass(frozen=True)
class Term:
    """One ``operator:value`` (or a bare word, operator ``DEFAULT_FIELD``).

    ``operator`` is canonical (aliases such as ``m:`` or ``size:`` resolved), ``value`` is
    unquoted and unescaped, ``position`` is where the term starts in the text.
    """

    operator: str
    value: str
    position: int


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


type Node = Term | Not | And | Or


class _Kind(Enum):
    WORD = "word"
    PHRASE = "phrase"
    COLON = ":"
    LPAREN = "("
    RPAREN = ")"
    MINUS = "-"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    text: str
    position: int


_KEYWORDS = {
    "AND": _Kind.AND,
    "and": _Kind.AND,
    "OR": _Kind.OR,
    "or": _Kind.OR,
    "NOT": _Kind.NOT,
    "not": _Kind.NOT,
}
_PUNCTUATION = {":": _Kind.COLON, "(": _Kind.LPAREN, ")": _Kind.RPAREN, "-": _Kind.MINUS}
# Query.g's NON_WORD: characters a bare word cannot contain (control characters and space
# are handled separately).
_NON_WORD = frozenset("!\"$%'():;?[]{}")
_FIELD_NAME = re.compile(r"[a-z_]+(?:-[a-z_]+)*")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r"}


def _is_word_char(char: str) -> bool:
    return char > " " and char not in _NON_WORD


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char <= " ":
            i += 1
        elif char in _PUNCTUATION:
            tokens.append(_Token(_PUNCTUATION[char], char, i))
            i += 1
        elif char == '"' or char == "{":
            i = _read_phrase(text, i, tokens)
        elif _is_word_char(char):
            start = i
            while i < len(text) and _is_word_char(text[i]):
                i += 1
            word = text[start:i]
            tokens.append(_Token(_KEYWORDS.get(word, _Kind.WORD), word, start))
        else:
            raise QuerySyntaxError(
                f'Unexpected "{char}" at position {i}: put values containing it in quotes', i
            )
    return tokens


def _read_phrase(text: str, start: int, tokens: list[_Token]) -> int:
    close = '"' if text[start] == '"' else "}"
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            chars.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
        elif char == close:
            tokens.append(_Token(_Kind.PHRASE, "".join(chars), start))
            return i + 1
        elif char == "{" and close == "}":
            raise QuerySyntaxError(f'Unexpected "{{" inside braces at position {i}', i)
        else:
            chars.append(char)
            i += 1
    what = "quote" if close == '"' else "brace"
    raise QuerySyntaxError(
        f"Missing closing {what} for the value starting at position {start}", start
    )


def _describe_token(token: _Token | None, length: int) -> str:
    if token is None:
        return f"the end of the query (position {length})"
    if token.kind is _Kind.PHRASE:
        return f'the quoted value "{token.text}" at position {token.position}'
    return f'"{token.text}" at position {token.position}'


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def peek_kind(self, offset: int = 0) -> _Kind | None:
        token = self.peek(offset)
        return token.kind if token else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, token: _Token | None) -> QuerySyntaxError:
        position = token.position if token else len(self.text)
        return QuerySyntaxError(message, position)

    def unexpected(self) -> QuerySyntaxError:
        token = self.peek()
        return self.error(f"Unexpected {_describe_token(token, len(self.text))}", token)

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError("The query is empty", 0)
        node = self.parse_or()
        if self.peek() is not None:
            raise self.unexpected()
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.peek_kind() is _Kind.OR:
            keyword = self.take()
            self.expect_term_after(keyword)
            children.append(self.parse_and())
        return _flatten(Or, children)

    def parse_and(self) -> Node:
        children = [self.parse_not()]
        while self.peek() is not None and self.peek_kind() not in (_Kind.OR, _Kind.RPAREN):
            if self.peek_kind() is _Kind.AND:
                self.expect_term_after(self.take())
            children.append(self.parse_not())
        return _flatten(And, children)

    def expect_term_after(self, keyword: _Token) -> None:
        following = self.peek()
        if following is None or following.kind in (_Kind.AND, _Kind.OR, _Kind.RPAREN):
            raise self.error(
                f'Expected a search term after "{keyword.text}" at position {keyword.position}, '
                f"found {_describe_token(following, len(self.text))}",
                following,
            )

    def parse_not(self) -> Node:
        if self.peek_kind() in (_Kind.NOT, _Kind.MINUS):
            keyword = self.take()
            following = self.peek()
            if following is None or following.kind not in (
                _Kind.LPAREN,
                _Kind.WORD,
                _Kind.PHRASE,
            ):
                raise self.error(
                    f'Expected a search term after "{keyword.text}" at position '
                    f"{keyword.position}, found {_describe_token(following, len(self.text))}",
                    following,
                )
            return Not(self.parse_base())
        return self.parse_base()

    def parse_base(self) -> Node:
        token = self.peek()
        if token is None:
            raise self.unexpected()
        if token.kind is _Kind.LPAREN:
            self.take()
            if self.peek_kind() in (None, _Kind.RPAREN, _Kind.AND, _Kind.OR):
                following = self.peek()
                raise self.error(
                    f'Expected a search term after "(" at position {token.position}, found '
                    f"{_describe_token(following, len(self.text))}",
                    following,
                )
            node = self.parse_or()
            if self.peek_kind() is not _Kind.RPAREN:
                raise self.error(
                    f'Missing ")" to close the "(" at position {token.position}', self.peek()
                )
            self.take()
            return node
        if (
            token.kind is _Kind.WORD
            and self.peek_kind(1) is _Kind.COLON
            and _FIELD_NAME.fullmatch(token.text)
        ):
            self.take()
            colon = self.take()
            operator = canonical(token.text)
            if operator is None:
                raise QuerySyntaxError(
                    f'Unsupported operator "{token.text}" at position {token.position}',
                    token.position,
                )
            value = self.parse_value(after=f"{token.text}{colon.text}", at=colon)
            return Term(operator, value, token.position)
        if token.kind in (_Kind.WORD, _Kind.PHRASE):
            return Term(DEFAULT_FIELD, self.parse_value(after="", at=token), token.position)
        raise self.unexpected()

    def parse_value(self, *, after: str, at: _Token) -> str:
        """A value: a quoted phrase, or words joined by colons (``foo:bar``), as Query.g."""
        token = self.peek()
        if token is None or token.kind not in (_Kind.WORD, _Kind.PHRASE):
            hint = ""
            if token is not None and token.kind in (_Kind.AND, _Kind.OR, _Kind.NOT):
                hint = f'; quote "{token.text}" to search for the word itself'
            raise self.error(
                f'Expected a value after "{after}" at position {at.position}, found '
                f"{_describe_token(token, len(self.text))}{hint}",
                token,
            )
        self.take()
        if token.kind is _Kind.PHRASE:
            return token.text
        parts = [token.text]
        while self.peek_kind() is _Kind.COLON:
            colon = self.take()
            following = self.peek()
            if following is None or following.kind is not _Kind.WORD:
                raise self.error(
                    f'A value cannot end with ":" at position {colon.position}: put it in '
                    f'quotes, as in {after}"{":".join(parts)}:"',
                    colon,
                )
            parts.append(self.take().text)
        return ":".join(parts)


def _flatten(kind: type[And] | type[Or], children: list[Node]) -> Node:
    if len(children) == 1:
        return children[0]
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, kind) else (child,))
    return kind(tuple(flat))


@lru_cache(maxsize=1024)
def parse(text: str) -> Node:
    """Parse a Gerrit query. Raises ``QuerySyntaxError`` (with a position) when it is not one.

    Checks the syntax, the operator names and each operator's value (``age:5x`` is an
    error here); whether Tiller can *answer* the query is decided by evaluation.

    Memoised: a dashboard parses the same section queries on every view (and again to
    lint them), and the tree is immutable, so sharing it is safe. Errors are not cached.
    """
    root = _Parser(text).parse()
    for term in terms(root):
        try:
            checks.check(term.operator, term.value)
        except values.ValueProblem as problem:
            hint = f": {problem.hint}" if problem.hint else ""
            raise QuerySyntaxError(
                f"{problem.what} at position {term.position}{hint}", term.position
            ) from None
    return root


def combine(foreach: str, query: str) -> str:
    """The query a dashboard section runs: its own query ANDed with the dashboard's foreach.

    Gerrit joins the two texts with a space (2.x appended the foreach, 3.x prepends it);
    parenthesising both keeps a top-level OR in either from leaking into the other
    (facts §6.7). An empty part (``query =`` in a .dash file) contributes nothing; if both
    are empty the result is empty and ``parse`` reports it.
    """
    parts = [part.strip() for part in (foreach, query) if part.strip()]
    if len(parts) == 1:
        return parts[0]
    return " ".join(f"({part})" for part in parts)


def terms(node: Node) -> Iterator[Term]:
    """Every term of the tree in reading order."""
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Not):
        yield from terms(node.child)
    else:
        for child in node.children:
            yield from terms(child)


def limit_of(node: Node) -> int | None:
    """The result cap set by ``limit:``, or None.

    Like Gerrit's QueryProcessor, the first ``limit:`` in reading order wins, wherever it
    stands; as a condition ``limit:N`` is always true (so ``NOT limit:5`` matches nothing).
    Values were checked by ``values.check`` when parsed.
    """
    for term in terms(node):
        if term.operator == "limit":
            return int(term.value)
    return None
