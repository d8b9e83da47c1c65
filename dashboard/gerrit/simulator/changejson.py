"""ChangeInfo as Gerrit's REST API returns it, written straight to JSON text (facts §2.4, §3).

ChangeInfo depends on the ``o`` options exactly as ListChangesOption defines them: without
DETAILED_ACCOUNTS every account is ``{"_account_id": N}``; LABELS gives each label's
summary (approved/rejected/recommended/disliked) and ``all`` with values only for real
votes, DETAILED_LABELS adds ``value: 0`` for reviewers who have not voted; revisions,
commits and files only appear with their options; ``_more_changes`` marks the last element
of a page that has a successor (added by the caller, see ``with_more_changes``). Fields
that Gson would leave out (null, or booleans that are "not set if false") are absent rather
than null/false. Key order follows Gerrit's Java classes (Gson writes a subclass's fields
before its superclass's).

Why text and not dicts for ``json.dumps``: a full-option page of 250 changes is about
3 MB of JSON in some 50,000 objects, and building those dicts and encoding them was a
third of a request's time. Here each object is a few f-strings; accounts, tags, the
label value tables and (tag, author) message heads are written once and reused; free text
goes through the C string encoder ``json.dumps`` itself uses. The output is byte for
byte what ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` gave for the
same ChangeInfo; ``gson_escape`` then applies Gson's HTML-safe escapes to the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import quote

from .content import ChangeSpec, FileStat, file_size
from .history import LABELS, Approval, ChangeState, PatchSet
from .people import Account
from .timestamps import format_timestamp

# the C encoder json.dumps(ensure_ascii=False) uses for every string: quotes and escapes
_str = json.encoder.encode_basestring
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_SUMMARY_KINDS = ("approved", "rejected", "recommended", "disliked")
# label -> (lowest value, highest value, the ``"values":{…}`` member as text)
_LABEL_TABLES = {
    label: (
        min(values),
        max(values),
        '"values":' + _dumps({(f"{v:+d}" if v else " 0"): text for v, text in values.items()}),
    )
    for label, values in LABELS.items()
}


# Gson's default HTML-safe escaping; these characters only ever occur inside JSON strings
_GSON_ESCAPES = tuple((char, f"\\u{ord(char):04x}") for char in "<>&='\u2028\u2029")


def gson_escape(text: str) -> str:
    """Gson's HTML-safe escapes, copying the text only for characters that occur.

    ``in`` is a memchr-speed scan, and free for U+2028/U+2029 in the usual Latin-1 text
    (a str whose characters are all below U+0100 cannot contain them).
    """
    for char, escape in _GSON_ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    return text


@lru_cache(maxsize=256)
def _quoted(name: str) -> str:
    return quote(name, safe="")


def with_more_changes(change: bytes) -> bytes:
    """The same ChangeInfo (JSON bytes) marked as the last of a page with a successor."""
    return change[:-1] + b',"_more_changes":true}'


class _AccountTexts(dict[int, str]):
    """Account id -> AccountInfo members without the braces, written on first use.

    A dict subclass so that the hot loops can subscript it directly; accounts never change
    once the team is built, so an entry never goes stale.
    """

    def __init__(self, accounts: Mapping[int, Account], detailed: bool) -> None:
        super().__init__()
        self._accounts = accounts
        self._detailed = detailed

    def __missing__(self, account_id: int) -> str:
        info = self._accounts[account_id].info(detailed=self._detailed)
        text = self[account_id] = _dumps(info)[1:-1]
        return text


class _StringTexts(dict[str, str]):
    """String -> its JSON text, for the few strings (tags, kinds) that recur on every page."""

    def __missing__(self, value: str) -> str:
        text = self[value] = _str(value)
        return text


class ChangeWriter:
    """Writes ChangeInfo text for one simulator's accounts."""

    def __init__(self, accounts: Mapping[int, Account]) -> None:
        self._accounts = accounts
        self._brief = _AccountTexts(accounts, detailed=False)
        self._detailed = _AccountTexts(accounts, detailed=True)
        self._strings = _StringTexts()
        self._heads: tuple[dict[tuple[str | None, int | None], str], ...] = ({}, {})

    def change(self, spec: ChangeSpec, state: ChangeState, options: frozenset[str]) -> str:
        """One ChangeInfo for the given options, as compact JSON text."""
        members = self._detailed if "DETAILED_ACCOUNTS" in options else self._brief
        project = _quoted(spec.project)
        status = state.status
        out = [
            f'{{"id":{_str(f"{project}~{spec.number}")},"triplet_id":'
            f"{_str(f'{project}~{_quoted(spec.branch)}~{spec.change_id}')},"
            f'"project":{_str(spec.project)},"branch":{_str(spec.branch)}'
        ]
        if state.topic:
            out.append(',"topic":' + _str(state.topic))
        out.append(
            f',"hashtags":[{",".join(map(_str, spec.hashtags))}],'
            f'"change_id":{_str(spec.change_id)},"subject":{_str(spec.subject)},'
            f'"status":{_str(status)},"created":"{format_timestamp(spec.created)}",'
            f'"updated":"{format_timestamp(state.updated)}"'
        )
        if status == "MERGED" and state.submitted is not None:
            out.append(f',"submitted":"{format_timestamp(state.submitted)}"')
            if state.submitter is not None:
                out.append(',"submitter":{' + members[state.submitter] + "}")
        if status == "NEW" and "SKIP_MERGEABLE" not in options:
            out.append(',"mergeable":true' if spec.mergeable else ',"mergeable":false')
        if "SUBMITTABLE" in options:
            out.append(',"submittable":true' if _submittable(state) else ',"submittable":false')
        stats: dict[int, list[FileStat]] = {}  # code version -> files, drawn once per change
        current = state.patch_sets[-1]
        if "SKIP_DIFFSTAT" not in options:
            files = _file_stats(spec, current.code_version, stats)
            inserted = sum(f.inserted for f in files)
            deleted = sum(f.deleted for f in files)
            out.append(f',"insertions":{inserted},"deletions":{deleted}')
        out.append(f',"total_comment_count":{state.comment_count},"unresolved_comment_count":0')
        if state.work_in_progress:
            out.append(',"work_in_progress":true')
        out.append(f',"_number":{spec.number},"owner":{{{members[spec.owner]}}}')
        if "LABELS" in options or "DETAILED_LABELS" in options:
            out.append(',"labels":' + self._labels(state, "DETAILED_LABELS" in options, members))
            reviewers = [
                f'"{kind}":[' + ",".join(["{" + members[a] + "}" for a in ids]) + "]"
                for kind, ids in (("REVIEWER", state.reviewers), ("CC", state.ccs))
                if ids
            ]
            out.append(',"reviewers":{' + ",".join(reviewers) + "}")
        if "MESSAGES" in options:
            out.append(',"messages":[' + self._messages(state, members) + "]")
        out.append(f',"current_revision_number":{current.number}')
        if "CURRENT_REVISION" in options or "ALL_REVISIONS" in options:
            shown = state.patch_sets if "ALL_REVISIONS" in options else [current]
            revisions = [
                f'"{spec.revision(ps.number)}":'
                + self._revision(spec, ps, ps is current, options, members, stats)
                for ps in shown
            ]
            out.append(
                f',"current_revision":"{spec.revision(current.number)}",'
                f'"revisions":{{{",".join(revisions)}}}'
            )
        out.append("}")
        return "".join(out)

    def _labels(self, state: ChangeState, detailed_labels: bool, members: dict[int, str]) -> str:
        by_label: dict[str, dict[int, Approval]] = {label: {} for label in _LABEL_TABLES}
        for (label, voter), approval in state.approvals.items():
            votes = by_label.get(label)
            if votes is not None:
                votes[voter] = approval
        strings = self._strings
        labels = []
        for label, (low, high, values) in _LABEL_TABLES.items():
            votes = by_label[label]
            info = []
            if votes:
                chosen: dict[str, int] = {}
                # Gerrit overwrites the summary while walking the votes: the latest one wins
                for voter, approval in sorted(votes.items(), key=_vote_date):
                    value = approval.value
                    if value == high:
                        chosen["approved"] = voter
                    elif value == low:
                        chosen["rejected"] = voter
                    else:
                        chosen["recommended" if value > 0 else "disliked"] = voter
                info = [
                    f'"{kind}":{{{members[chosen[kind]]}}}'
                    for kind in _SUMMARY_KINDS
                    if kind in chosen
                ]
                if "rejected" in chosen:
                    info.append('"blocking":true')
            info.append('"default_value":0')
            entries = []
            for reviewer in state.reviewers:
                approval = votes.get(reviewer)
                if approval is not None:
                    value, date, tag = approval
                    entry = f'{{"value":{value},"date":"{format_timestamp(date)}",'
                    if tag:
                        entry += f'"tag":{strings[tag]},'
                elif detailed_labels:
                    entry = '{"value":0,'
                else:
                    entry = "{"
                entries.append(entry + members[reviewer] + "}")
            if entries:
                info.append('"all":[' + ",".join(entries) + "]")
            info.append(values)
            labels.append(f'"{label}":{{' + ",".join(info) + "}")
        return "{" + ",".join(labels) + "}"

    def _messages(self, state: ChangeState, members: dict[int, str]) -> str:
        # the members between the id and the date depend on (tag, author) only, and a
        # history has a few hundred such pairs at most: each is written once
        heads = self._heads[members is self._detailed]
        strings = self._strings
        rendered = []
        append = rendered.append
        for message_id, author, date, text, tag, patch_set in state.messages:
            head = heads.get((tag, author))
            if head is None:
                head = f',"tag":{strings[tag]}' if tag else ""
                if author is not None:
                    head += ',"author":{' + members[author] + "}"
                heads[tag, author] = head
            append(  # message ids are hex digests: nothing to escape
                f'{{"id":"{message_id}"{head},"date":"{format_timestamp(date)}",'
                f'"message":{_str(text)},"_revision_number":{patch_set}}}'
            )
        return ",".join(rendered)

    def _revision(
        self,
        spec: ChangeSpec,
        ps: PatchSet,
        current: bool,
        options: frozenset[str],
        members: dict[int, str],
        stats: dict[int, list[FileStat]],
    ) -> str:
        number = spec.number
        out = [
            f'{{"kind":{self._strings[ps.kind]},"_number":{ps.number},'
            f'"created":"{format_timestamp(ps.created)}","uploader":{{{members[ps.uploader]}}},'
            f'"ref":"refs/changes/{number % 100:02d}/{number}/{ps.number}"'
        ]
        commit = "ALL_COMMITS" in options or ("CURRENT_COMMIT" in options and current)
        files = "ALL_FILES" in options or ("CURRENT_FILES" in options and current)
        if commit or files:
            message = spec.commit_message(ps.message_version)
            if commit:
                parent = spec.parent(ps.number)
                out.append(
                    f',"commit":{{"parents":[{{"commit":{_str(parent["commit"])},'
                    f'"subject":{_str(parent["subject"])}}}],'
                    f'"author":{self._git_person(spec.owner, spec.created)},'
                    f'"committer":{self._git_person(ps.uploader, ps.created)},'
                    f'"subject":{_str(spec.subject)},"message":{_str(message)}}}'
                )
            if files:
                listed = [spec.commit_msg_file(message), *_file_stats(spec, ps.code_version, stats)]
                by_path = {f.path: _file_info(f) for f in listed}
                out.append(
                    ',"files":{' + ",".join([f"{_str(p)}:{i}" for p, i in by_path.items()]) + "}"
                )
        out.append("}")
        return "".join(out)

    def _git_person(self, account_id: int, moment: int) -> str:
        """GitPersonInfo as CommitInfo carries it; ``tz`` is minutes east of UTC."""
        person = self._accounts[account_id]
        return (
            f'{{"name":{_str(person.name)},"email":{_str(person.email)},'
            f'"date":"{format_timestamp(moment)}","tz":{person.tz}}}'
        )


def _vote_date(item: tuple[int, Approval]) -> int:
    return item[1].date


def _file_stats(
    spec: ChangeSpec, code_version: int, drawn: dict[int, list[FileStat]]
) -> list[FileStat]:
    files = drawn.get(code_version)
    if files is None:
        files = drawn[code_version] = spec.file_stats(code_version)
    return files


def _file_info(stat: FileStat) -> str:
    out = "{"
    if stat.status:
        out += f'"status":{_str(stat.status)},'
    if stat.inserted:
        out += f'"lines_inserted":{stat.inserted},'
    if stat.deleted:
        out += f'"lines_deleted":{stat.deleted},'
    delta, size = file_size(stat)
    return f'{out}"size_delta":{delta},"size":{size}}}'


def _submittable(state: ChangeState) -> bool:
    """OpenStack's rule: Code-Review +2, Verified +1 and Workflow +1, no minimum vote."""
    if state.status != "NEW" or state.work_in_progress:
        return False
    for label, values in LABELS.items():
        cast = {a.value for a in state.votes(label).values()}
        if max(values) not in cast or min(values) in cast:
            return False
    return True
