"""Whether an operator can take a value: run when a query is parsed, so ``age:5x`` is a
syntax error with a position before any database is involved."""

from __future__ import annotations

from . import regex
from .labels import parse_label
from .operators import DEFAULT_FIELD
from .values import (
    ValueProblem,
    age_parts,
    is_regex,
    parse_change,
    parse_has,
    parse_is,
    parse_limit,
    parse_size,
    parse_status,
    parse_timestamp,
)

_REGEX_OPERATORS = frozenset(
    {DEFAULT_FIELD, "branch", "file", "intopic", "message", "path", "project", "ref"}
)


def check(operator: str, value: str) -> None:
    """Raise ``ValueProblem`` if ``operator`` cannot take ``value``."""
    if operator == "status" and value.lower() != "reviewed":
        parse_status(value)
    elif operator == "is":
        parse_is(value)
    elif operator == "has":
        parse_has(value)
    elif operator == "label":
        parse_label(value)
    elif operator == "age":
        age_parts(value)
    elif operator in ("before", "after", "mergedbefore", "mergedafter"):
        parse_timestamp(value)
    elif operator in ("delta", "added", "deleted"):
        parse_size(value)
    elif operator == "limit":
        parse_limit(value)
    elif operator == "change":
        parse_change(value)
    elif operator in _REGEX_OPERATORS and is_regex(value):
        try:
            regex.translate(value)
        except regex.UntranslatableRegex:
            pass  # valid Gerrit; evaluation says Tiller cannot answer it
        except regex.RegexProblem as problem:
            raise ValueProblem(f'Invalid regular expression "{value}"', str(problem)) from None
