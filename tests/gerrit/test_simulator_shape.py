"""The simulator's JSON entities have the shape of Gerrit's documented examples.

Every key the simulator emits that an example also has must carry the same JSON type, and
the examples' core keys must be present. The examples live in ``../shared/data/gerrit``
(see its README); without them the module skips, visibly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from dashboard.gerrit.simulator import Simulator, SimulatorServer, start_simulator

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "gerrit"
FULL = "&".join(
    f"o={option}"
    for option in (
        "DETAILED_LABELS",
        "DETAILED_ACCOUNTS",
        "MESSAGES",
        "ALL_REVISIONS",
        "CURRENT_COMMIT",
        "CURRENT_FILES",
    )
)
CHANGE_CORE = {
    "id", "project", "branch", "change_id", "subject", "status", "created", "updated",
    "insertions", "deletions", "_number", "owner", "labels", "messages", "current_revision",
    "revisions",
}  # fmt: skip


@pytest.fixture(scope="module")
def examples() -> Path:
    if not EXAMPLES.is_dir():
        pytest.skip(f"../shared/data not present: no Gerrit examples at {EXAMPLES}")
    return EXAMPLES


@pytest.fixture(scope="module")
def server() -> Iterator[SimulatorServer]:
    with start_simulator(Simulator(seed=2, changes=60)) as running:
        yield running


@pytest.fixture(scope="module")
def change(server: SimulatorServer) -> dict[str, Any]:
    """A merged change with several patch sets, fetched with Tiller's sync options."""
    listed = fetch(server, f"/changes/?q=status:merged&n=500&{FULL}")
    return next(c for c in listed if len(c["revisions"]) > 2 and "topic" in c)


def fetch(server: SimulatorServer, path: str) -> Any:
    response = requests.get(server.url + path, timeout=10)
    assert response.status_code == 200
    return json.loads(response.text.removeprefix(")]}'\n"))


def example(examples: Path, name: str) -> Any:
    return json.loads((examples / name).read_text())


def kind(value: Any) -> str:
    """The JSON type of a decoded value (booleans are not numbers)."""
    if isinstance(value, bool):
        return "boolean"
    return {int: "number", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), "null"
    )


def assert_same_types(ours: dict[str, Any], theirs: dict[str, Any], entity: str) -> None:
    mismatched = {
        key: (kind(value), kind(theirs[key]))
        for key, value in ours.items()
        if key in theirs and kind(value) != kind(theirs[key])
    }
    assert mismatched == {}, entity


def test_change_info_matches_the_examples(examples: Path, change: dict[str, Any]) -> None:
    assert set(change) >= CHANGE_CORE
    for name in ("change-detail.json", "change.json", "gerrit-2.13/change-detail.json"):
        assert_same_types(change, example(examples, name), name)
    [queried] = example(examples, "changes-query-current-revision.json")
    assert_same_types(change, queried, "changes-query-current-revision.json")
    assert_same_types(change["owner"], example(examples, "change-detail.json")["owner"], "owner")
    reviewer_example = example(examples, "change-detail.json")["reviewers"]["REVIEWER"][0]
    for reviewer in change["reviewers"]["REVIEWER"]:
        assert_same_types(reviewer, reviewer_example, "reviewers.REVIEWER")


def test_label_and_approval_info_match_the_examples(examples: Path, change: dict[str, Any]) -> None:
    theirs = example(examples, "change-detail.json")["labels"]
    approvals = [a for label in theirs.values() for a in label["all"]]
    for name, label in change["labels"].items():
        assert {"all", "values"} <= set(label)
        assert " 0" in label["values"]
        for reference in theirs.values():
            assert_same_types(label, reference, f"labels.{name}")
        for approval in label["all"]:
            assert {"_account_id", "value"} <= set(approval)
            for reference in approvals:
                assert_same_types(approval, reference, f"labels.{name}.all")
    assert any("date" in a for a in change["labels"]["Code-Review"]["all"])


def test_message_info_matches_the_examples(examples: Path, change: dict[str, Any]) -> None:
    references = [
        *example(examples, "change-messages.json"),
        example(examples, "change-message.json"),
    ]
    for message in change["messages"]:
        assert {"id", "date", "message", "_revision_number"} <= set(message)
        for reference in references:
            assert_same_types(message, reference, "messages")
            if "author" in message:
                assert_same_types(message["author"], reference["author"], "messages.author")


def test_revision_commit_and_file_info_match_the_examples(
    examples: Path, change: dict[str, Any]
) -> None:
    [queried] = example(examples, "changes-query-current-revision.json")
    their_revision = next(iter(queried["revisions"].values()))
    their_commit = example(examples, "revision-commit.json")
    their_files = [
        *their_revision["files"].values(),
        *example(examples, "revision-files.json").values(),
    ]
    current = change["revisions"][change["current_revision"]]
    assert {"kind", "_number", "ref", "commit", "files"} <= set(current)
    assert "/COMMIT_MSG" in current["files"]
    for revision in change["revisions"].values():
        assert_same_types(revision, their_revision, "revisions")
        assert_same_types(revision, example(examples, "change-revision.json"), "change-revision")
    commit = current["commit"]
    assert {"parents", "author", "committer", "subject", "message"} <= set(commit)
    assert_same_types(commit, their_commit, "commit")
    assert_same_types(commit["author"], their_commit["author"], "commit.author")
    assert_same_types(commit["parents"][0], their_commit["parents"][0], "commit.parents")
    for info in current["files"].values():
        assert "size_delta" in info and "size" in info
        for reference in their_files:
            assert_same_types(info, reference, "files")


def test_account_group_and_version_match_the_examples(
    examples: Path, server: SimulatorServer
) -> None:
    someone = server.sim.core_members()[0]
    account = fetch(server, f"/accounts/{someone.account_id}")
    assert {"_account_id", "name", "email", "username"} <= set(account)
    for name in ("account.json", "gerrit-2.13/account.json"):
        assert_same_types(account, example(examples, name), name)
    members = fetch(server, "/groups/glance-core/members/")
    for member in members:
        assert_same_types(member, example(examples, "group-members.json")[0], "group-members")
    group = fetch(server, "/groups/glance-core")
    detail = fetch(server, "/groups/glance-core/detail")
    for ours, name in ((group, "group.json"), (detail, "group-detail.json")):
        theirs = example(examples, name)
        assert set(theirs) <= set(ours), name
        assert_same_types(ours, theirs, name)
    [queried] = fetch(server, "/groups/?query=name:glance-core")
    assert_same_types(queried, example(examples, "groups-query.json")[0], "groups-query")
    listed = fetch(server, "/groups/")
    assert_same_types(
        listed["glance-core"],
        example(examples, "groups-list.json")["Administrators"],
        "groups-list",
    )
    assert kind(fetch(server, "/config/server/version")) == kind(
        example(examples, "server-version.json")
    )
    verbose = fetch(server, "/config/server/version?verbose")
    theirs = example(examples, "server-version-verbose.json")
    assert set(theirs) == set(verbose)
    assert_same_types(verbose, theirs, "server-version-verbose")
