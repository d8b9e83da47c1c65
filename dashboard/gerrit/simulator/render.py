"""The ``o``/``O`` change options and the small JSON entities (facts §2.4, §3, §5.2).

ChangeInfo itself, whose shape depends on these options, is written by ``changejson``.
Fields that Gson would leave out (null, or booleans that are "not set if false") are
absent rather than null/false, and key order follows Gerrit's Java classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from .people import Group, Team
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
