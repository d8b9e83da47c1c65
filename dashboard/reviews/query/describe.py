"""A parsed query in plain words, shown above every result list (house rule 6).

"open changes in openstack/glance with Code-Review ≥ +2 from anyone, not reviewed by you":
status words become the adjective, places (project, branch) follow "changes", the other
conditions are listed after them, and ``limit:`` becomes "(at most N)". The words describe
what Gerrit *evaluates*, not what the author probably meant: ``label:Code-Review`` reads
"with Code-Review +1", because that is what it means.
"""

from __future__ import annotations

from .labels import LabelTest, parse_label
from .operators import DEFAULT_FIELD
from .syntax import And, Node, Not, Or, Term
from .values import Range, age_parts, is_regex, is_self, parse_is, parse_size, parse_status


def describe(node: Node) -> str:
    """Plain English for a query tree (as returned by ``parse``)."""
    items = list(node.children) if isinstance(node, And) else [node]
    statuses = [_status_word(item) for item in items]
    adjectives = [word for word in statuses if word]
    limits = [item.value for item in items if isinstance(item, Term) and item.operator == "limit"]
    rest = [
        item
        for item, word in zip(items, statuses, strict=True)
        if not word and not (isinstance(item, Term) and item.operator == "limit")
    ]
    places = [_phrase(item) for item in rest if _is_place(item)]
    others = [_phrase(item) for item in rest if not _is_place(item)]
    text = " ".join([", ".join(adjectives), "changes", *places]).strip()
    if others:
        text = f"{text} {', '.join(others)}"
    if limits:
        text = f"{text} (at most {limits[0]})"
    return text


def _status_word(node: Node) -> str:
    """The adjective a positive status term stands for (``open``), else ""."""
    if not isinstance(node, Term):
        return ""
    if node.operator == "status" and node.value.lower() != "reviewed":
        return parse_status(node.value)
    if node.operator == "is":
        kind, word = parse_is(node.value)
        return word if kind == "status" else ""
    return ""


def _is_place(node: Node) -> bool:
    if isinstance(node, Term):
        return node.operator in ("project", "projects", "branch", "ref")
    return isinstance(node, Or) and all(_is_place(child) for child in node.children)


def _phrase(node: Node, *, negated: bool = False) -> str:
    if isinstance(node, Term):
        positive, negative = _term(node)
        return negative if negated else positive
    if isinstance(node, Not):
        if isinstance(node.child, Term):
            return _phrase(node.child, negated=not negated)
        inner = _phrase(node.child, negated=negated)
        return inner if negated else f"not ({inner})"
    if isinstance(node, Or) and all(
        isinstance(c, Term) and c.operator == "project" and not is_regex(c.value)
        for c in node.children
    ):
        names = [c.value for c in node.children if isinstance(c, Term)]
        listed = f"{', '.join(names[:-1])} or {names[-1]}"
        return f"not in {listed}" if negated else f"in {listed}"
    joiner = " and " if isinstance(node, And) else " or "
    parts = [
        f"({_phrase(child)})" if isinstance(child, And | Or) else _phrase(child)
        for child in node.children
    ]
    text = joiner.join(parts)
    return f"not ({text})" if negated else text


def _person(value: str) -> str:
    return "you" if is_self(value) else value


def _negate(phrase: str) -> str:
    if phrase.startswith("with "):
        return "without " + phrase.removeprefix("with ")
    if phrase.startswith("that are "):
        return "that are not " + phrase.removeprefix("that are ")
    return "not " + phrase


def _term(term: Term) -> tuple[str, str]:
    """(positive, negative) phrases for one term."""
    phrase = _positive(term)
    if term.operator == "age":
        return phrase, phrase.replace("not updated for", "updated in the last", 1)
    if term.operator == "topic" and term.value == "":
        return "without a topic", "with a topic"
    if term.operator == "label":
        test = parse_label(term.value)
        if test.values == {0} and not test.special:
            return _label_votes(test, none=True), _label_votes(test, none=False)
    return phrase, _negate(phrase)


_SIMPLE = {
    "project": "in {}",
    "projects": "in a project starting with {}",
    "branch": "on branch {}",
    "ref": "on ref {}",
    "topic": "with topic {}",
    "intopic": 'with "{}" in the topic',
    "prefixtopic": "with a topic starting with {}",
    "hashtag": "with hashtag {}",
    "message": 'with "{}" in the commit message',
    "comment": 'with "{}" in a review comment',
    "file": "touching {}",
    "path": "touching {}",
    "commit": "with commit {}",
    "change": "change {}",
    "reviewerin": "with a reviewer from {}",
    "ownerin": "owned by a member of {}",
    "before": "last updated on or before {}",
    "after": "updated on or after {}",
    "mergedbefore": "merged on or before {}",
    "mergedafter": "merged on or after {}",
    "limit": "(limit {})",
}
_REGEX = {
    "project": "in a project matching {}",
    "branch": "on a branch matching {}",
    "ref": "on a ref matching {}",
    "intopic": "with a topic matching {}",
    "message": "with a commit message matching {}",
    "file": "touching a file matching {}",
    "path": "touching a file matching {}",
}
_PEOPLE = {
    "owner": "owned by {}",
    "reviewer": "with {} as reviewer",
    "cc": "with {} in CC",
    "reviewedby": "reviewed by {}",
    "commentby": "commented on by {}",
    "from": "owned or commented on by {}",
    "uploader": "uploaded by {}",
    "starredby": "starred by {}",
}
_IS = {
    "starred": "starred by you",
    "reviewed": "reviewed since the owner's last message",
    "owner": "owned by you",
    "reviewer": "with you as reviewer",
    "cc": "with you in CC",
    "uploader": "uploaded by you",
    "wip": "that are work in progress",
    "mergeable": "that are mergeable",
    "private": "that are private",
    "watched": "watched by you",
    "attention": "in your attention set",
}
_HAS = {
    "star": "starred by you",
    "hashtag": "with hashtags",
    "draft": "with your draft comments",
    "edit": "with your change edit",
    "unresolved": "with unresolved comments",
    "attention": "with an attention set",
}
_SIZES = {"delta": "lines changed", "added": "lines added", "deleted": "lines deleted"}


def _positive(term: Term) -> str:
    operator, value = term.operator, term.value
    if operator == DEFAULT_FIELD:
        return f'matching "{value}"'
    if operator in _REGEX and is_regex(value):
        return _REGEX[operator].format(value)
    if operator in _PEOPLE:
        return _PEOPLE[operator].format(_person(value))
    if operator == "status":
        if value.lower() == "reviewed":
            return _IS["reviewed"]
        return f"that are {parse_status(value)}"
    if operator == "is":
        kind, word = parse_is(value)
        return f"that are {word}" if kind == "status" else _IS.get(word, f"that are {word}")
    if operator == "has":
        return _HAS[value.lower()]
    if operator == "label":
        return _label(parse_label(value))
    if operator == "age":
        number, unit = age_parts(value)
        return f"not updated for {number} {unit}{'' if number == 1 else 's'}"
    if operator in _SIZES:
        return f"with {_size(parse_size(value))} {_SIZES[operator]}"
    if operator in _SIMPLE:
        return _SIMPLE[operator].format(value)
    return f'with "{operator}:{value}"'


def _size(range_: Range) -> str:
    words = {"=": "exactly", ">": "more than", ">=": "at least", "<": "fewer than"}
    return f"{words.get(range_.comparison, 'at most')} {range_.number}"


def _signed(number: int) -> str:
    return f"+{number}" if number > 0 else str(number)


def _voters(test: LabelTest) -> str:
    who = test.who
    if who is None:
        return "anyone"
    if who.kind == "self":
        return "you"
    if who.kind == "owner":
        return "the owner"
    if who.kind == "non_uploader":
        return "someone other than the uploader"
    if who.kind == "group":
        return f"a member of {who.name}"
    return who.name


def _label_votes(test: LabelTest, *, none: bool) -> str:
    return f"with {'no' if none else 'a'} {test.label} vote from {_voters(test)}"


def _label(test: LabelTest) -> str:
    if test.special == "ANY":
        return _label_votes(test, none=False)
    if test.special in ("MAX", "MIN"):
        extreme = "highest" if test.special == "MAX" else "lowest"
        return f"with the {extreme} {test.label} vote from {_voters(test)}"
    if test.special:
        return f"with {test.label} {test.special.lower()} from {_voters(test)}"
    symbol = {"=": "", ">=": "≥ ", "<=": "≤ ", ">": "> ", "<": "< "}[test.range.comparison]
    return f"with {test.label} {symbol}{_signed(test.range.number)} from {_voters(test)}"
