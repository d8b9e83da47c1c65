"""JSON entities as Gerrit's REST API returns them (facts §2.4 and §3).

ChangeInfo depends on the ``o`` options exactly as ListChangesOption defines them: without
DETAILED_ACCOUNTS every account is ``{"_account_id": N}``; LABELS gives each label's
summary (approved/rejected/recommended/disliked) and ``all`` with values only for real
votes, DETAILED_LABELS adds ``value: 0`` for reviewers who have not voted; revisions,
commits and files only appear with their options; ``_more_changes`` marks the last element
of a page that has a successor. Fields that Gson would leave out (null, or booleans that
are "not set if false") are absent rather than null/false. Key order follows Gerrit's
Java classes (Gson writes a subclass's fields before its superclass's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from .content import ChangeSpec, FileStat, file_size, git_person
from .history import LABELS, ChangeState, Message, PatchSet
from .people import Account, Group, Team
from .timestamps import format_timestamp

# ListChangesOption names and their bit in the hexadecimal ``O`` parameter
CHANGE_OPTIONS = {
    "LABELS": 0,
    "CURRENT_REVISION": 1,
    "ALL_REVISIONS": 2,
    "CURRENT_COMMIT": 3,
    "ALL_COMMITS": 4,
    "CURRENT_FILES": 5,
    "ALL_FILES": 6,
    "DETAILED_ACCOUNTS": 7,
    "DETAILED_LABELS": 8,
    "MESSAGES": 9,
    "CURRENT_ACTIONS": 10,
    "REVIEWED": 11,
    "DRAFT_COMMENTS": 12,
    "DOWNLOAD_COMMANDS": 13,
    "WEB_LINKS": 14,
    "CHECK": 15,
    "CHANGE_ACTIONS": 16,
    "COMMIT_FOOTERS": 17,
    "PUSH_CERTIFICATES": 18,
    "REVIEWER_UPDATES": 19,
    "SUBMITTABLE": 20,
    "TRACKING_IDS": 21,
    "SKIP_MERGEABLE": 22,
    "SKIP_DIFFSTAT": 23,
    "SUBMIT_REQUIREMENTS": 24,
    "CUSTOM_KEYED_VALUES": 25,
    "STAR": 26,
    "PARENTS": 27,
}
AccountRenderer = Callable[[int], dict[str, Any]]
DETAIL_OPTIONS = frozenset({"LABELS", "DETAILED_LABELS", "DETAILED_ACCOUNTS", "MESSAGES"})


class OptionError(ValueError):
    """An ``o``/``O`` value Gerrit's argument parser would reject with HTTP 400."""


def parse_options(names: Iterable[str], masks: Iterable[str] = ()) -> frozenset[str]:
    """Option names from repeated ``o`` values and hexadecimal ``O`` bit masks."""
    options = set()
    for name in names:
        if name not in CHANGE_OPTIONS:
            raise OptionError(f'"{name}" is not a valid value for "-o"')
        options.add(name)
    for mask in masks:
        try:
            bits = int(mask, 16)
        except ValueError:
            raise OptionError(f'"{mask}" is not a valid value for "-O"') from None
        options.update(name for name, bit in CHANGE_OPTIONS.items() if bits >> bit & 1)
    return frozenset(options)


def change_info(
    spec: ChangeSpec,
    state: ChangeState,
    options: frozenset[str],
    accounts: Mapping[int, Account],
    *,
    more: bool = False,
) -> dict[str, Any]:
    """One ChangeInfo for the given options."""
    detailed = "DETAILED_ACCOUNTS" in options

    def account(account_id: int) -> dict[str, Any]:
        return accounts[account_id].info(detailed=detailed)

    project = quote(spec.project, safe="")
    out: dict[str, Any] = {
        "id": f"{project}~{spec.number}",
        "triplet_id": f"{project}~{quote(spec.branch, safe='')}~{spec.change_id}",
        "project": spec.project,
        "branch": spec.branch,
    }
    if state.topic:
        out["topic"] = state.topic
    out["hashtags"] = list(spec.hashtags)
    out["change_id"] = spec.change_id
    out["subject"] = spec.subject
    out["status"] = state.status
    out["created"] = format_timestamp(spec.created)
    out["updated"] = format_timestamp(state.updated)
    if state.status == "MERGED" and state.submitted is not None:
        out["submitted"] = format_timestamp(state.submitted)
        if state.submitter is not None:
            out["submitter"] = account(state.submitter)
    if state.status == "NEW" and "SKIP_MERGEABLE" not in options:
        out["mergeable"] = spec.mergeable
    if "SUBMITTABLE" in options:
        out["submittable"] = _submittable(state)
    if "SKIP_DIFFSTAT" not in options:
        files = spec.file_stats(state.current.code_version)
        out["insertions"] = sum(f.inserted for f in files)
        out["deletions"] = sum(f.deleted for f in files)
    out["total_comment_count"] = state.comment_count
    out["unresolved_comment_count"] = 0
    if state.work_in_progress:
        out["work_in_progress"] = True
    out["_number"] = spec.number
    out["owner"] = account(spec.owner)
    if options & {"LABELS", "DETAILED_LABELS"}:
        out["labels"] = _labels(state, "DETAILED_LABELS" in options, account)
        reviewers = {"REVIEWER": state.reviewers, "CC": state.ccs}
        out["reviewers"] = {k: [account(a) for a in v] for k, v in reviewers.items() if v}
    if "MESSAGES" in options:
        out["messages"] = [_message(m, account) for m in state.messages]
    out["current_revision_number"] = state.current.number
    if options & {"CURRENT_REVISION", "ALL_REVISIONS"}:
        out["current_revision"] = spec.revision(state.current.number)
        shown = state.patch_sets if "ALL_REVISIONS" in options else [state.current]
        out["revisions"] = {
            spec.revision(ps.number): _revision(spec, state, ps, options, accounts, account)
            for ps in shown
        }
    if more:
        out["_more_changes"] = True
    return out


def _labels(state: ChangeState, detailed: bool, account: AccountRenderer) -> dict[str, Any]:
    labels: dict[str, Any] = {}
    for label, values in LABELS.items():
        votes = state.votes(label)
        low, high = min(values), max(values)
        chosen: dict[str, int] = {}
        # Gerrit overwrites the summary while walking the votes, so the latest vote wins
        for voter, approval in sorted(votes.items(), key=lambda item: item[1].date):
            value = approval.value
            kind = "approved" if value == high else "rejected" if value == low else None
            chosen[kind or ("recommended" if value > 0 else "disliked")] = voter
        info: dict[str, Any] = {
            key: account(chosen[key])
            for key in ("approved", "rejected", "recommended", "disliked")
            if key in chosen
        }
        if "rejected" in chosen:
            info["blocking"] = True
        info["default_value"] = 0
        entries = []
        for reviewer in state.reviewers:
            approval = votes.get(reviewer)
            entry: dict[str, Any] = {}
            if approval is not None:
                entry = {"value": approval.value, "date": format_timestamp(approval.date)}
                if approval.tag:
                    entry["tag"] = approval.tag
            elif detailed:
                entry = {"value": 0}
            entries.append(entry | account(reviewer))
        if entries:
            info["all"] = entries
        info["values"] = {(f"{v:+d}" if v else " 0"): text for v, text in values.items()}
        labels[label] = info
    return labels


def _message(message: Message, account: AccountRenderer) -> dict[str, Any]:
    out: dict[str, Any] = {"id": message.id}
    if message.tag:
        out["tag"] = message.tag
    if message.author is not None:
        out["author"] = account(message.author)
    out["date"] = format_timestamp(message.date)
    out["message"] = message.text
    out["_revision_number"] = message.patch_set
    return out


def _revision(
    spec: ChangeSpec,
    state: ChangeState,
    ps: PatchSet,
    options: frozenset[str],
    accounts: Mapping[int, Account],
    account: AccountRenderer,
) -> dict[str, Any]:
    number = spec.number
    out: dict[str, Any] = {
        "kind": ps.kind,
        "_number": ps.number,
        "created": format_timestamp(ps.created),
        "uploader": account(ps.uploader),
        "ref": f"refs/changes/{number % 100:02d}/{number}/{ps.number}",
    }
    current = ps.number == state.current.number
    message = spec.commit_message(ps.message_version)
    if "ALL_COMMITS" in options or ("CURRENT_COMMIT" in options and current):
        out["commit"] = {
            "parents": [spec.parent(ps.number)],
            "author": git_person(accounts[spec.owner], spec.created),
            "committer": git_person(accounts[ps.uploader], ps.created),
            "subject": spec.subject,
            "message": message,
        }
    if "ALL_FILES" in options or ("CURRENT_FILES" in options and current):
        files = [spec.commit_msg_file(message), *spec.file_stats(ps.code_version)]
        out["files"] = {f.path: _file_info(f) for f in files}
    return out


def _file_info(stat: FileStat) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if stat.status:
        out["status"] = stat.status
    if stat.inserted:
        out["lines_inserted"] = stat.inserted
    if stat.deleted:
        out["lines_deleted"] = stat.deleted
    out["size_delta"], out["size"] = file_size(stat)
    return out


def _submittable(state: ChangeState) -> bool:
    """OpenStack's rule: Code-Review +2, Verified +1 and Workflow +1, no minimum vote."""
    if state.status != "NEW" or state.work_in_progress:
        return False
    for label, values in LABELS.items():
        cast = {a.value for a in state.votes(label).values()}
        if max(values) not in cast or min(values) in cast:
            return False
    return True


def group_info(
    group: Group,
    team: Team,
    at: int,
    *,
    with_name: bool = True,
    detail: bool = False,
) -> dict[str, Any]:
    """GroupInfo (facts §5.2); ``detail`` adds direct members and included groups."""
    out: dict[str, Any] = {"id": quote(group.uuid, safe="")}
    if with_name:
        out["name"] = group.name
    owner = team.group(group.owner_uuid)
    out |= {
        "url": f"#/admin/groups/uuid-{quote(group.uuid, safe='')}",
        "options": {"visible_to_all": True},
        "description": group.description,
        "group_id": group.group_id,
        "owner": owner.name if owner else group.name,
        "owner_id": group.owner_uuid,
        "created_on": format_timestamp(group.created_on),
    }
    if detail:
        out["members"] = [a.info(detailed=True) for a in team.members(group, at)]
        included = [team.group(uuid) for uuid in group.includes]
        out["includes"] = [group_info(g, team, at) for g in included if g is not None]
    return out
