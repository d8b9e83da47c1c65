"""Gerrit's regular expressions, translated for the database.

Gerrit matches ``project:^…``, ``branch:^…``, ``file:^…``/``path:^…``, ``intopic:^…`` and
``message:^…`` with dk.brics.automaton (facts §6.4): it strips the leading ``^`` and an
unescaped trailing ``$``, and the pattern must then match the **whole** string. The dialect
is not Python's: ``\\d`` is a plain ``d``, ``^``/``$`` inside are ordinary characters, a
leading ``*`` is a literal, and ``&`` (intersection), ``~`` (complement), ``@`` (any
string), ``#`` (empty language), ``"…"`` (literal) and ``<…>`` (numeric interval or named
automaton) are operators.

``translate`` parses that dialect with brics' own grammar and writes the same language in
the subset that Python's ``re`` (SQLite's REGEXP in Django) and PostgreSQL's ARE read
alike: literals escaped, ``(?:…)`` groups, ``\\A…\\Z`` anchors and ``(?s)`` so ``.``
crosses newlines as brics' does. ``&``, ``~``, ``#`` and ``<…>`` have no counterpart there
(nor repetition counts above PostgreSQL's 255): they raise ``UntranslatableRegex``, which
evaluation reports as an unsupported operator, rather than being approximated.
"""

from __future__ import annotations

import re

_REPEAT_LIMIT = 255  # PostgreSQL's RE_DUP_MAX; Python accepts more, brics any.


class RegexProblem(ValueError):
    """The pattern is not valid in Gerrit's dialect (Gerrit would answer 400)."""


class UntranslatableRegex(RegexProblem):
    """A valid Gerrit pattern using an operator the databases' dialects have no counterpart
    for: the query is fine, Tiller just cannot answer it."""


def strip_anchors(value: str) -> str:
    """Gerrit's pre-processing: drop a leading ``^`` and a trailing, unescaped ``$``."""
    pattern = value[1:] if value.startswith("^") else value
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1]
    return pattern


_PLAIN = re.compile(r"[A-Za-z0-9/_,:=%!'-]*")


def literal_prefix(value: str) -> str | None:
    """``P`` when Gerrit's regex ``value`` matches exactly the strings that start with the
    plain text ``P`` (``^stable/.*``, ``^bug/.*``), else None. Gerrit's regexes match the
    whole string, and ``.`` any character, so ``P.*`` is a prefix test."""
    body = strip_anchors(value)
    if body.endswith(".*") and _PLAIN.fullmatch(body[:-2]):
        return body[:-2]
    return None


def literal_suffix(value: str) -> str | None:
    """``S`` when Gerrit's regex ``value`` matches exactly the strings that end with the
    plain text ``S`` (``^.*-specs``), else None; see ``literal_prefix``."""
    body = strip_anchors(value)
    if body.startswith(".*") and _PLAIN.fullmatch(body[2:]):
        return body[2:]
    return None


def translate(value: str) -> str:
    """A database pattern (for ``__regex``) matching exactly what Gerrit's ``value`` matches.

    ``value`` is the operator value as written, with its leading ``^``.
    """
    body = _Translator(strip_anchors(value)).translate()
    return rf"(?s)\A(?:{body})\Z"


def _literal(char: str) -> str:
    # ASCII letters and digits stay bare (escaped they would become classes such as \d);
    # other ASCII is escaped, which both dialects read as the character itself.
    if char.isascii() and not char.isalnum():
        return "\\" + char
    return char


_UNTRANSLATABLE = {
    "&": '"&" (intersection)',
    "~": '"~" (complement)',
    "#": '"#" (the empty language)',
    "<": '"<…>" (numeric interval or named automaton)',
}


class _Translator:
    """Recursive descent over brics' grammar (RegExp.java), emitting the portable pattern."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.i = 0

    def fail(self, message: str) -> RegexProblem:
        return RegexProblem(f"{message} at position {self.i} of the pattern {self.pattern!r}")

    def untranslatable(self, what: str) -> UntranslatableRegex:
        return UntranslatableRegex(
            f"it cannot translate {what} (position {self.i} of the pattern {self.pattern!r}) "
            "to a database regular expression"
        )

    def more(self) -> bool:
        return self.i < len(self.pattern)

    def peek(self, chars: str) -> bool:
        return self.more() and self.pattern[self.i] in chars

    def next(self) -> str:
        if not self.more():
            raise self.fail("Unexpected end")
        char = self.pattern[self.i]
        self.i += 1
        return char

    def translate(self) -> str:
        if not self.pattern:
            raise RegexProblem("The regular expression is empty (brics rejects it)")
        result = self.union()
        if self.more():
            raise self.fail(f'Unexpected "{self.pattern[self.i]}"')
        return result

    def union(self) -> str:
        branches = [self.intersection()]
        while self.peek("|"):
            self.i += 1
            branches.append(self.intersection())
        return "|".join(branches)

    def intersection(self) -> str:
        result = self.concatenation()
        if self.peek("&"):
            raise self.untranslatable(_UNTRANSLATABLE["&"])
        return result

    def concatenation(self) -> str:
        # As in brics, a concatenation has at least one element, and the first may be any
        # character: ``^|a`` is the literal "|a", an empty pattern is an error.
        parts = [self.repeat()]
        while self.more() and not self.peek(")|&"):
            parts.append(self.repeat())
        return "".join(parts)

    def repeat(self) -> str:
        atom = self.complement()
        while self.peek("?*+{"):
            operator = self.next()
            if operator == "{":
                operator = self.bounds()
            atom = f"(?:{atom}){operator}"
        return atom

    def bounds(self) -> str:
        low = self.integer()
        high: int | None = low
        if self.peek(","):
            self.i += 1
            high = self.integer() if not self.peek("}") else None
        if not self.peek("}"):
            raise self.fail('Expected "}"')
        self.i += 1
        if high is not None and high < low:
            raise self.fail(f"Repetition {{{low},{high}}} has its bounds reversed")
        if max(low, high or 0) > _REPEAT_LIMIT:
            raise self.untranslatable(f"a repetition count above {_REPEAT_LIMIT}")
        if high == low:
            return f"{{{low}}}"
        return f"{{{low},{'' if high is None else high}}}"

    def integer(self) -> int:
        start = self.i
        while self.peek("0123456789"):
            self.i += 1
        if start == self.i:
            raise self.fail("Expected a number")
        return int(self.pattern[start : self.i])

    def complement(self) -> str:
        if self.peek("~"):
            raise self.untranslatable(_UNTRANSLATABLE["~"])
        return self.char_class()

    def char_class(self) -> str:
        if not self.peek("["):
            return self.simple()
        self.i += 1
        negated = self.peek("^")
        if negated:
            self.i += 1
        items: list[str] = []
        while True:
            first = self.char()
            if self.peek("-"):
                self.i += 1
                last = self.char()
                if last < first:
                    raise self.fail(f"Character range {first}-{last} is reversed")
                items.append(f"{_literal(first)}-{_literal(last)}")
            else:
                items.append(_literal(first))
            if not self.more() or self.peek("]"):
                break
        if not self.peek("]"):
            raise self.fail('Expected "]"')
        self.i += 1
        return f"[{'^' if negated else ''}{''.join(items)}]"

    def simple(self) -> str:
        if self.peek("."):
            self.i += 1
            return "."
        if self.peek("@"):
            self.i += 1
            return "(?:.*)"
        if self.peek('"'):
            self.i += 1
            end = self.pattern.find('"', self.i)
            if end < 0:
                raise self.fail('Expected a closing "')
            text = self.pattern[self.i : end]
            self.i = end + 1
            return f"(?:{''.join(_literal(c) for c in text)})"
        if self.peek("("):
            self.i += 1
            if self.peek(")"):
                self.i += 1
                return "(?:)"
            inner = self.union()
            if not self.peek(")"):
                raise self.fail('Expected ")"')
            self.i += 1
            return f"(?:{inner})"
        if self.peek("#<"):
            raise self.untranslatable(_UNTRANSLATABLE[self.pattern[self.i]])
        return _literal(self.char())

    def char(self) -> str:
        char = self.next()
        return self.next() if char == "\\" else char
