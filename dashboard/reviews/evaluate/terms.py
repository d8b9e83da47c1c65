"""One handler per answered operator: a ``Term`` in, a ``Q`` on ``Change`` out.

Conditions on other tables are correlated ``EXISTS`` subqueries, never joins, so ``NOT``
is plain SQL negation and no change is counted twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Concat, StrIndex
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThanOrEqual, Regex

from dashboard.gerrit.models import (
    VALUE_SET_COLUMNS,
    Approval,
    ChangeFile,
    ChangeStatus,
    InIdsOf,
    Message,
    PatchSet,
    Repository,
    Reviewer,
    ReviewerState,
    value_set,
)
from dashboard.reviews.query import Node, Not, Or, Term, UnsupportedOperator
from dashboard.reviews.query.labels import LABEL_MAX, LABEL_MIN, parse_label
from dashboard.reviews.query.operators import HAS_UNANSWERABLE, IS_UNANSWERABLE, UNANSWERABLE
from dashboard.reviews.query.regex import (
    UntranslatableRegex,
    literal_prefix,
    literal_suffix,
    translate,
)
from dashboard.reviews.query.values import (
    STATUSES,
    Range,
    is_regex,
    is_self,
    looks_like_change,
    parse_age,
    parse_change,
    parse_is,
    parse_size,
    parse_status,
    parse_timestamp,
    phrase_pattern,
    words,
)

from .context import SearchContext
from .people import People
from .sql import (
    FALSE,
    TRUE,
    HasHashtag,
    branch_of,
    ends_with,
    full_name,
    full_ref,
    ref_starts_with,
    starts_with,
)

_NONZERO = [v for v in range(LABEL_MIN, LABEL_MAX + 1) if v]
_VALUE_SET_COLUMNS = {label.lower(): column for label, column in VALUE_SET_COLUMNS.items()}


def _status(statuses: tuple[str, ...]) -> Q:
    # "status = 'NEW'" rather than "IN ('NEW')": SQLite uses the partial index of open
    # changes (Change.Meta) only when the query states its condition in the same form.
    return Q(status=statuses[0]) if len(statuses) == 1 else Q(status__in=statuses)


def _value_set_test(column: str, values: frozenset[int]) -> Q:
    """The same test as the ``Approval`` subquery, on the change's own bit set of current
    vote values (``Change.cr_values`` and kin): "some vote in ``values``" is a non-zero AND,
    and 0 ("nobody voted") an empty set. Exact for every unattributed test, and one column
    read per change instead of a subquery."""
    wanted = value_set(values)
    q = Q(**{f"{column}__overlaps": wanted}) if wanted else FALSE
    if 0 in values:
        q |= Q(**{column: 0})
    return q


def _phrase(column: str, text: str) -> Q:
    """Gerrit's full-text phrase search, emulated: the words of ``text``, consecutive, in
    any case, between non-word characters. No words at all (``"!!"``) matches nothing."""
    phrase = words(text)
    return Q(**{f"{column}__iregex": phrase_pattern(phrase)}) if phrase else FALSE


def _size(expression: Any, bounds: Range) -> Q:
    return Q(GreaterThanOrEqual(expression, bounds.low)) & Q(
        LessThanOrEqual(expression, bounds.high)
    )


class Evaluator:
    """Turns a query tree into a ``Q`` for one context; ``op_<operator>`` handles each term."""

    def __init__(self, context: SearchContext) -> None:
        self.context = context
        self.people = People(context)
        self.handlers: dict[str, Callable[[Term], Q]] = {
            name.removeprefix("op_"): getattr(self, name)
            for name in dir(self)
            if name.startswith("op_")
        }

    def q(self, node: Node) -> Q:
        if isinstance(node, Term):
            if node.operator in UNANSWERABLE:
                raise self.unsupported(node, UNANSWERABLE[node.operator])
            return self.handlers[node.operator](node)
        if isinstance(node, Not):
            return ~self.q(node.child)
        if isinstance(node, Or) and (names := _exact_projects(node)):
            # A dashboard's foreach, "(project:A OR project:B …)": one IN instead of a
            # chain of ORs, a little cheaper for Django to build.
            return _in_repositories(Q(name__in=names))
        parts = [self.q(child) for child in node.children]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined | part if isinstance(node, Or) else combined & part
        return combined

    @staticmethod
    def unsupported(term: Term, reason: str) -> UnsupportedOperator:
        return UnsupportedOperator(f"{term.operator}:{term.value}", reason, term.position)

    def pattern(self, term: Term, value: str | None = None) -> str:
        """The database regex for the term's Gerrit regex (or for ``value``)."""
        try:
            return translate(term.value if value is None else value)
        except UntranslatableRegex as problem:
            raise self.unsupported(term, str(problem)) from None

    # --- where, what, when ------------------------------------------------------------

    def op_default(self, term: Term) -> Q:
        """A bare word: Gerrit's default field. A change number or Change-Id is that
        change, a word starting with ``refs/`` a ref; anything else is the OR of owner,
        reviewer, file, message, comment, projects, branch and topic. Gerrit also ORs
        ``label:``, ``commit:`` and ``ref:``, which Tiller leaves out: a bare word is
        hardly ever meant as a +1 vote or a commit prefix."""
        word = term.value
        if looks_like_change(word):
            return self.op_change(term)
        if word.startswith("refs/"):
            return Q(branch=branch_of(word))
        parts = [
            self.op_file(term),
            self.op_message(term),
            self.op_comment(term),
            self.op_projects(term),
            self.op_branch(term),
            self.op_topic(term),
        ]
        if not is_self(word) or self.context.account is not None:
            people = self.people.accounts(word, term)
            parts[:0] = [self.people.owned_by(people), self.people.reviewer(people)]
        combined = parts[0]
        for part in parts[1:]:
            combined |= part
        return combined

    def op_status(self, term: Term) -> Q:
        if term.value.lower() == "reviewed":
            return self.people.reviewed_by(None)
        return _status(STATUSES[parse_status(term.value)])

    def op_is(self, term: Term) -> Q:
        kind, word = parse_is(term.value)
        if kind == "status":
            return _status(STATUSES[word])
        if word in IS_UNANSWERABLE:
            raise self.unsupported(term, IS_UNANSWERABLE[word])
        if word == "starred":
            return self.people.starred(term)
        if word == "reviewed":
            return self.people.reviewed_by(None)
        if word == "owner":
            return self.people.owned_by([self.people.me(term).pk])
        if word == "reviewer":
            return self.people.reviewer([self.people.me(term).pk])
        if word == "cc":
            return self.people.reviewer([self.people.me(term).pk], ReviewerState.CC)
        if word == "uploader":
            return self.people.uploaded_by([self.people.me(term).pk])
        column = {"wip": "work_in_progress", "mergeable": "mergeable", "private": "is_private"}
        return Q(**{column[word]: True})

    def op_has(self, term: Term) -> Q:
        value = term.value.lower()
        if value in HAS_UNANSWERABLE:
            raise self.unsupported(term, HAS_UNANSWERABLE[value])
        if value == "star":
            return self.people.starred(term)
        return ~Q(hashtags=[])

    def regex(self, column: str, term: Term) -> Q:
        """``column`` matches the term's Gerrit regex; a plain prefix (``^stable/.*``) or
        suffix (``^.*-specs``) becomes a comparison of the string's ends, which the database
        answers without a regex engine (on SQLite, Django's REGEXP is a Python call per
        row)."""
        prefix = literal_prefix(term.value)
        if prefix is not None:
            return starts_with(column, prefix)
        suffix = literal_suffix(term.value)
        if suffix is not None:
            return ends_with(column, suffix)
        return Q(**{f"{column}__regex": self.pattern(term)})

    def op_project(self, term: Term) -> Q:
        if is_regex(term.value):
            return _in_repositories(self.regex("name", term))
        return _in_repositories(Q(name=term.value))

    def op_projects(self, term: Term) -> Q:
        return _in_repositories(starts_with("name", term.value))

    def op_branch(self, term: Term) -> Q:
        if is_regex(term.value):
            value = "^" + full_name(term.value[1:])
            if (prefix := literal_prefix(value)) is not None:
                return ref_starts_with(prefix)
            return Q(Regex(full_ref(), self.pattern(term, value)))
        return Q(branch=branch_of(full_name(term.value)))

    def op_ref(self, term: Term) -> Q:
        if is_regex(term.value):
            if (prefix := literal_prefix(term.value)) is not None:
                return ref_starts_with(prefix)
            return Q(Regex(full_ref(), self.pattern(term)))
        return Q(branch=branch_of(term.value))

    def op_topic(self, term: Term) -> Q:
        return Q(topic=term.value)  # exact since Gerrit 2.12; "" is "no topic"

    def op_intopic(self, term: Term) -> Q:
        if is_regex(term.value):
            return self.regex("topic", term)
        return _phrase("topic", term.value) if term.value else Q(topic="")

    def op_prefixtopic(self, term: Term) -> Q:
        return starts_with("topic", term.value) if term.value else Q(topic="")

    def op_hashtag(self, term: Term) -> Q:
        return Q(HasHashtag(term.value)) if term.value else Q(hashtags=[])

    def op_message(self, term: Term) -> Q:
        if is_regex(term.value):  # newer Gerrit: a regex over the whole message
            return Q(commit_message__regex=self.pattern(term))
        return _phrase("commit_message", term.value)

    def op_comment(self, term: Term) -> Q:
        phrase = words(term.value)
        if not phrase:
            return FALSE
        texts = Message.objects.filter(change=OuterRef("pk"), text__iregex=phrase_pattern(phrase))
        return Q(Exists(texts))

    def op_file(self, term: Term) -> Q:
        """The exact path of a current file, or one of its /-separated components."""
        if is_regex(term.value):
            return self.op_path(term)
        name = Q(path=term.value)
        if term.value and "/" not in term.value:
            # INSTR/STRPOS are case-sensitive on both databases, unlike LIKE on SQLite.
            wrapped = Concat(Value("/"), F("path"), Value("/"), output_field=CharField())
            name |= Q(GreaterThan(StrIndex(wrapped, Value(f"/{term.value}/")), 0))
        return Q(Exists(ChangeFile.objects.filter(change=OuterRef("pk")).filter(name)))

    def op_path(self, term: Term) -> Q:
        files = ChangeFile.objects.filter(change=OuterRef("pk"))
        if is_regex(term.value):
            return Q(Exists(files.filter(path__regex=self.pattern(term))))
        return Q(Exists(files.filter(path=term.value)))

    def op_delta(self, term: Term) -> Q:
        return _size(F("insertions") + F("deletions"), parse_size(term.value))

    def op_added(self, term: Term) -> Q:
        return _size(F("insertions"), parse_size(term.value))

    def op_deleted(self, term: Term) -> Q:
        return _size(F("deletions"), parse_size(term.value))

    def op_change(self, term: Term) -> Q:
        ref = parse_change(term.value)
        if ref.number is not None:
            return Q(number=ref.number)
        q = starts_with("change_id", ref.change_id)
        if ref.project:
            q &= Q(repository__name=ref.project, branch=branch_of(full_name(ref.branch)))
        return q

    def op_commit(self, term: Term) -> Q:
        revisions = PatchSet.objects.filter(change=OuterRef("pk"))
        return Q(Exists(revisions.filter(starts_with("revision", term.value.lower()))))

    def op_age(self, term: Term) -> Q:
        """Not updated for at least the age; ``-age:`` (its negation) is "updated within"."""
        return Q(updated__lte=self.context.now - parse_age(term.value))

    def op_before(self, term: Term) -> Q:
        return Q(updated__lte=parse_timestamp(term.value))

    def op_after(self, term: Term) -> Q:
        return Q(updated__gte=parse_timestamp(term.value))

    def op_mergedbefore(self, term: Term) -> Q:
        merged = Coalesce("submitted", "closed")
        moment = parse_timestamp(term.value)
        return Q(status=ChangeStatus.MERGED) & Q(LessThanOrEqual(merged, moment))

    def op_mergedafter(self, term: Term) -> Q:
        merged = Coalesce("submitted", "closed")
        moment = parse_timestamp(term.value)
        return Q(status=ChangeStatus.MERGED) & Q(GreaterThanOrEqual(merged, moment))

    def op_limit(self, term: Term) -> Q:
        # Always true as a condition (so NOT limit:N matches nothing, as in Gerrit); the cap
        # itself is applied last, see SearchResult.
        return TRUE

    # --- people ------------------------------------------------------------------------

    def op_owner(self, term: Term) -> Q:
        return self.people.owned_by(self.people.accounts(term.value, term))

    def op_ownerin(self, term: Term) -> Q:
        return self.people.owned_by(self.people.members(term.value, term))

    def op_reviewer(self, term: Term) -> Q:
        return self.people.reviewer(self.people.accounts(term.value, term))

    def op_cc(self, term: Term) -> Q:
        return self.people.reviewer(self.people.accounts(term.value, term), ReviewerState.CC)

    def op_reviewerin(self, term: Term) -> Q:
        """Some reviewer (state REVIEWER) is a current member of the group. It says nothing
        about votes: ``label:…,group`` does that (facts §6.4)."""
        rows = Reviewer.objects.filter(
            change=OuterRef("pk"),
            account__in=self.people.members(term.value, term),
            state=ReviewerState.REVIEWER,
        )
        return Q(Exists(rows))  # unlike reviewer:, WIP changes are not excluded

    def op_reviewedby(self, term: Term) -> Q:
        return self.people.reviewed_by(self.people.accounts(term.value, term))

    def op_commentby(self, term: Term) -> Q:
        return self.people.commented_by(self.people.accounts(term.value, term))

    def op_from(self, term: Term) -> Q:
        people = self.people.accounts(term.value, term)
        return self.people.owned_by(people) | self.people.commented_by(people)

    def op_uploader(self, term: Term) -> Q:
        return self.people.uploaded_by(self.people.accounts(term.value, term))

    def op_starredby(self, term: Term) -> Q:
        if self.people.is_me(term.value):
            return self.people.starred(term)
        raise self.unsupported(term, "other people's stars are not readable over Gerrit's REST")

    def op_label(self, term: Term) -> Q:
        """Gerrit's LabelPredicate: the OR, over the values the comparison allows, of "some
        current vote (by the voters) equals v" for v ≠ 0 and "no non-zero vote (by the
        voters)" for 0. Exists-a-vote, not max or min: +2 and −2 together satisfy both
        ``>=2`` and ``<=-2``. Label names compare case-insensitively."""
        test = parse_label(term.value)
        if test.count:
            raise self.unsupported(term, "label vote counts (count=) are not implemented yet")
        if test.special in ("MAX", "MIN"):
            raise self.unsupported(term, "Tiller does not sync each project's label ranges")
        if test.special and test.special != "ANY":
            raise self.unsupported(term, "Tiller does not sync submit records")
        column = _VALUE_SET_COLUMNS.get(test.label.lower())
        if column is not None and test.who is None:
            return _value_set_test(column, test.values)
        votes = Approval.objects.filter(change=OuterRef("pk"), label__iexact=test.label)
        votes = votes.filter(self.people.voters(test.who, term))
        nonzero = sorted(v for v in test.values if v)
        q = Q(Exists(votes.filter(value__in=nonzero))) if nonzero else FALSE
        if 0 in test.values:
            q |= ~Q(Exists(votes.filter(value__in=_NONZERO)))
        return q


def _in_repositories(names: Q) -> Q:
    """The change's repository is one whose name meets ``names``: the repositories are
    chosen first (a small table), so the database can go straight to their changes by the
    repository-led index instead of joining every open change of the server to its
    repository, which on a server shared by many teams meant reading all of theirs."""
    return Q(InIdsOf(F("repository_id"), Repository.objects.filter(names).values("pk")))


def _exact_projects(node: Or) -> list[str]:
    """The names when every alternative is a plain ``project:NAME`` (no regex), else []."""
    names = []
    for child in node.children:
        if not (isinstance(child, Term) and child.operator == "project") or is_regex(child.value):
            return []
        names.append(child.value)
    return names
