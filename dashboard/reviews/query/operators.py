"""Which operator names exist, what they are called for short, and which Tiller cannot answer.

Three kinds of name, kept apart because they fail differently:

* ``ANSWERED``: evaluated from synced tables (``evaluate.py`` has one handler each).
* ``UNANSWERABLE``: real Gerrit operators whose data Tiller does not have; the query parses
  (so dashboards can still be imported, shown and described) and evaluation raises
  ``UnsupportedOperator`` with the reason given here.
* anything else: not a Gerrit operator at all, a syntax error ("Unsupported operator"),
  exactly as Gerrit answers 400.

Names and aliases are those of ChangeQueryBuilder in Gerrit 3.x (facts §6.4), plus the
operators removed in 3.5 that the 2015–2019 dashboard corpus still uses (``starredby``).
"""

from __future__ import annotations

DEFAULT_FIELD = "default"
"""Operator of a bare word (no ``name:``): Gerrit's "default field" search."""

ANSWERED = frozenset(
    {
        "added",
        "after",
        "age",
        "before",
        "branch",
        "cc",
        "change",
        "comment",
        "commentby",
        "commit",
        "deleted",
        "delta",
        "file",
        "from",
        "has",
        "hashtag",
        "intopic",
        "is",
        "label",
        "limit",
        "mergedafter",
        "mergedbefore",
        "message",
        "owner",
        "ownerin",
        "path",
        "prefixtopic",
        "project",
        "projects",
        "ref",
        "reviewedby",
        "reviewer",
        "reviewerin",
        "starredby",
        "status",
        "topic",
        "uploader",
    }
)

ALIASES = {
    "f": "file",
    "m": "message",
    "o": "owner",
    "p": "project",
    "r": "reviewer",
    "repo": "project",
    "repository": "project",
    "repos": "projects",
    "repositories": "projects",
    "since": "after",
    "size": "delta",
    "until": "before",
}

_NOT_SYNCED = "Tiller does not sync"
UNANSWERABLE = {
    "assignee": "assignees were removed from Gerrit (3.5) and are not synced",
    "attention": f"{_NOT_SYNCED} the attention set",
    "author": f"{_NOT_SYNCED} commit authors (only the change owner and uploaders)",
    "bug": f"{_NOT_SYNCED} tracking ids",
    "cherrypickof": f"{_NOT_SYNCED} cherry-pick origins",
    "committer": f"{_NOT_SYNCED} commit committers",
    "conflicts": "it needs the git repositories, which Tiller does not have",
    "destination": "named destinations live in the user's Gerrit preferences",
    "dir": "directory search is not implemented yet",
    "directory": "directory search is not implemented yet",
    "draftby": "draft comments are private to their author",
    "exactauthor": f"{_NOT_SYNCED} commit authors",
    "exactcommitter": f"{_NOT_SYNCED} commit committers",
    "ext": "file-extension search is not implemented yet",
    "extension": "file-extension search is not implemented yet",
    "footer": f"{_NOT_SYNCED} parsed commit footers",
    "hasfooter": f"{_NOT_SYNCED} parsed commit footers",
    "inhashtag": "fuzzy hashtag search is not implemented yet",
    "onlyexts": "file-extension search is not implemented yet",
    "onlyextensions": "file-extension search is not implemented yet",
    "parentof": "it needs the git repositories, which Tiller does not have",
    "parentproject": f"{_NOT_SYNCED} the project hierarchy",
    "parentrepo": f"{_NOT_SYNCED} the project hierarchy",
    "parentrepository": f"{_NOT_SYNCED} the project hierarchy",
    "pendingreviewer": f"{_NOT_SYNCED} pending reviewers",
    "pendingreviewerbyemail": f"{_NOT_SYNCED} pending reviewers",
    "prefixhashtag": "prefix hashtag search is not implemented yet",
    "query": "named queries live in the user's Gerrit preferences",
    "revertof": f"{_NOT_SYNCED} revert links",
    "rule": f"{_NOT_SYNCED} submit rule results",
    "submissionid": f"{_NOT_SYNCED} submission ids",
    "tr": f"{_NOT_SYNCED} tracking ids",
    "unresolved": f"{_NOT_SYNCED} comment threads",
    "uploaderin": "uploader group search is not implemented yet",
    "visibleto": f"{_NOT_SYNCED} permissions",
    "watchedby": "other people's project watches are not readable (removed from Gerrit in 3.5)",
}

# ``is:`` values with a meaning of their own; anything else is read as ``status:`` (as Gerrit).
IS_ANSWERED = frozenset(
    {"cc", "mergeable", "owner", "private", "reviewed", "reviewer", "starred", "uploader", "wip"}
)
IS_UNANSWERABLE = {
    "assigned": "assignees were removed from Gerrit (3.5) and are not synced",
    "attention": f"{_NOT_SYNCED} the attention set",
    "cherrypick": f"{_NOT_SYNCED} cherry-pick origins",
    "merge": f"{_NOT_SYNCED} parent counts (merge commits)",
    "pure-revert": f"{_NOT_SYNCED} revert links",
    "started": f"{_NOT_SYNCED} whether review has started",
    "submittable": f"{_NOT_SYNCED} submit requirements",
    "unassigned": "assignees were removed from Gerrit (3.5) and are not synced",
    "visible": f"{_NOT_SYNCED} permissions",
    "watched": f"{_NOT_SYNCED} your project watches (they need your Gerrit credentials)",
}
HAS_ANSWERED = frozenset({"hashtag", "star"})
HAS_UNANSWERABLE = {
    "attention": f"{_NOT_SYNCED} the attention set",
    "draft": "draft comments are private to their author",
    "edit": "change edits are private to their author",
    "unresolved": f"{_NOT_SYNCED} comment threads",
}

KNOWN = ANSWERED | UNANSWERABLE.keys()


def canonical(name: str) -> str | None:
    """The operator a name means (aliases resolved), or None if Gerrit has no such operator."""
    name = ALIASES.get(name, name)
    return name if name in KNOWN else None
