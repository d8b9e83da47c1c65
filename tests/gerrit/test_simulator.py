"""The Gerrit simulator's REST surface over real HTTP: framing, queries, paging, auth.

Small histories (60 changes) keep the module fast. The simulator needs no Django.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.auth import HTTPDigestAuth

from dashboard.gerrit.simulator import Simulator, SimulatorServer, start_simulator
from dashboard.gerrit.simulator.timestamps import format_timestamp

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
EVERYTHING = "q=after:2000-01-01"


@pytest.fixture(scope="module")
def server() -> Iterator[SimulatorServer]:
    sim = Simulator(seed=7, changes=60, credentials={"ptl": "secret"})
    with start_simulator(sim) as running:
        yield running


def payload(response: requests.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.text.startswith(")]}'\n")
    return json.loads(response.text[5:])


def get(server: SimulatorServer, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(server.url + path, timeout=10, **kwargs)


def all_changes(server: SimulatorServer) -> list[dict[str, Any]]:
    return payload(get(server, f"/changes/?{EVERYTHING}&n=500"))


def test_same_seed_gives_identical_bytes_and_another_seed_differs() -> None:
    bodies = []
    for seed in (3, 3, 4):
        with start_simulator(Simulator(seed=seed, changes=40)) as running:
            bodies.append(get(running, f"/changes/?{EVERYTHING}&{FULL}").content)
    assert bodies[0] == bodies[1]
    assert bodies[0] != bodies[2]


def test_success_is_xssi_guarded_json_dated_by_the_simulator_clock(server: SimulatorServer) -> None:
    response = get(server, "/changes/?n=1")
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b")]}'\n[")
    served_at = parsedate_to_datetime(response.headers["Date"])
    assert int(served_at.timestamp()) == server.sim.now


def test_errors_are_newline_terminated_plain_text_without_prefix(server: SimulatorServer) -> None:
    for path, status, text in [
        ("/nowhere", 404, "Not found\n"),
        ("/changes/999", 404, "Not found: 999\n"),
        ("/changes/?q=foo:bar", 400, "Unsupported operator foo:bar\n"),
        ("/changes/?o=NOT_AN_OPTION", 400, '"NOT_AN_OPTION" is not a valid value for "-o"\n'),
        ("/changes/?S=-1", 400, "start must be nonnegative: -1\n"),
        ("/groups/nobody", 404, "Not found: nobody\n"),
    ]:
        response = get(server, path)
        assert (response.status_code, response.text) == (status, text)
        assert response.headers["Content-Type"] == "text/plain; charset=UTF-8"


def test_query_syntax_errors_are_400(server: SimulatorServer) -> None:
    for query in ["(project:x", "project:x OR", "NOT", 'topic:"open', "Project:x"]:
        response = get(server, "/changes/", params={"q": query})
        assert response.status_code == 400, query
        assert not response.text.startswith(")]}'")


def test_paging_with_n_and_s_visits_every_change_once_newest_first(server: SimulatorServer) -> None:
    seen: list[dict[str, Any]] = []
    while True:
        page = payload(get(server, f"/changes/?{EVERYTHING}&n=7&S={len(seen)}"))
        assert all("_more_changes" not in c for c in page[:-1])
        seen += page
        if not page or "_more_changes" not in page[-1]:
            break
    assert sorted(c["_number"] for c in seen) == server.sim.numbers()
    order = [(c["updated"], c["_number"]) for c in seen]
    assert order == sorted(order, reverse=True)


def test_page_size_is_the_smallest_of_n_limit_operator_and_500(server: SimulatorServer) -> None:
    assert len(payload(get(server, f"/changes/?{EVERYTHING}&n=1000"))) == 60
    limited = payload(get(server, f"/changes/?{EVERYTHING}+limit:5&n=20"))
    assert len(limited) == 5 and limited[-1]["_more_changes"] is True
    aliases = payload(get(server, f"/changes/?{EVERYTHING}&limit=4&start=2"))
    plain = payload(get(server, f"/changes/?{EVERYTHING}&n=4&S=2"))
    assert aliases == plain


def test_several_queries_answer_an_array_per_query(server: SimulatorServer) -> None:
    result = payload(get(server, "/changes/?q=status:merged&q=status:abandoned&n=3"))
    assert [len(r) for r in result] == [3, 3]
    assert {c["status"] for c in result[0]} == {"MERGED"}
    assert {c["status"] for c in result[1]} == {"ABANDONED"}


def test_after_and_before_include_their_bound(server: SimulatorServer) -> None:
    middle = all_changes(server)[30]
    stamp = middle["updated"][:19]
    after = payload(get(server, "/changes/", params={"q": f'after:"{stamp}"', "n": 500}))
    before = payload(get(server, "/changes/", params={"q": f"before:{{{stamp}}}", "n": 500}))
    assert middle["_number"] in {c["_number"] for c in after}
    assert middle["_number"] in {c["_number"] for c in before}
    assert all(c["updated"][:19] >= stamp for c in after)
    assert all(c["updated"][:19] <= stamp for c in before)
    later = format_timestamp(server.sim.change(middle["_number"]).state.updated + 1)[:19]
    after_later = payload(get(server, "/changes/", params={"q": f'since:"{later}"', "n": 500}))
    assert middle["_number"] not in {c["_number"] for c in after_later}


def test_age_counts_back_from_the_simulator_clock(server: SimulatorServer) -> None:
    changes = all_changes(server)
    cutoff = format_timestamp(server.sim.now - 30 * 86400)
    old = payload(get(server, "/changes/?q=age:30d&n=500"))
    fresh = payload(get(server, "/changes/?q=-age:1mon&n=500"))
    assert {c["_number"] for c in old} == {c["_number"] for c in changes if c["updated"] <= cutoff}
    assert {c["_number"] for c in fresh} == {c["_number"] for c in changes} - {
        c["_number"] for c in old
    }


def test_boolean_operators_follow_gerrit_precedence(server: SimulatorServer) -> None:
    changes = all_changes(server)

    def numbers(query: str) -> set[int]:
        return {
            c["_number"] for c in payload(get(server, "/changes/", params={"q": query, "n": 500}))
        }

    def where(test: Any) -> set[int]:
        return {c["_number"] for c in changes if test(c)}

    glance, client = "openstack/glance", "openstack/python-glanceclient"
    # NOT binds tighter than AND, AND tighter than OR
    assert numbers(f"project:{glance} status:merged OR project:{client}") == where(
        lambda c: (c["project"] == glance and c["status"] == "MERGED") or c["project"] == client
    )
    assert numbers(f"project:{glance} (status:merged OR project:{client})") == where(
        lambda c: c["project"] == glance and c["status"] == "MERGED"
    )
    assert numbers(f"NOT project:{glance} AND -status:merged") == where(
        lambda c: c["project"] != glance and c["status"] != "MERGED"
    )
    assert numbers("project:^openstack/glance.* status:open") == where(
        lambda c: (
            c["project"] in (glance, "openstack/glance_store", "openstack/glance-specs")
            and c["status"] == "NEW"
        )
    )
    assert numbers("projects:openstack/glance") == where(lambda c: c["project"] != client)
    assert (
        numbers("branch:^stable/.*")
        == numbers("-branch:master")
        == where(lambda c: c["branch"] != "master")
    )
    assert numbers("branch:refs/heads/master") == where(lambda c: c["branch"] == "master")


def test_status_values_are_prefix_matched_like_gerrit(server: SimulatorServer) -> None:
    changes = all_changes(server)
    merged = {c["_number"] for c in changes if c["status"] == "MERGED"}
    closed = {c["_number"] for c in changes if c["status"] != "NEW"}
    assert {c["_number"] for c in payload(get(server, "/changes/?q=status:mer&n=500"))} == merged
    assert {c["_number"] for c in payload(get(server, "/changes/?q=is:closed&n=500"))} == closed
    assert get(server, "/changes/?q=status:bogus").text == "Unrecognized value: bogus\n"


def test_owner_change_and_topic_operators(server: SimulatorServer) -> None:
    change = next(c for c in all_changes(server) if "topic" in c)
    owner = server.sim.accounts[change["owner"]["_account_id"]]
    for who in (owner.username, owner.email, str(owner.account_id)):
        found = payload(get(server, "/changes/", params={"q": f"owner:{who}", "n": 500}))
        assert change["_number"] in {c["_number"] for c in found}
        assert {c["owner"]["_account_id"] for c in found} == {owner.account_id}
    for query in (str(change["_number"]), change["change_id"], f"change:{change['_number']}"):
        found = payload(get(server, "/changes/", params={"q": query}))
        assert change["_number"] in {c["_number"] for c in found}
    tagged = payload(get(server, "/changes/", params={"q": f'topic:"{change["topic"]}"', "n": 500}))
    assert {c.get("topic") for c in tagged} == {change["topic"]}


def test_owner_self_needs_a_signed_in_caller(server: SimulatorServer) -> None:
    anonymous = get(server, "/changes/?q=owner:self")
    assert (anonymous.status_code, anonymous.text) == (
        403,
        "Must be signed-in to use this operator\n",
    )
    assert payload(get(server, "/a/changes/?q=owner:self", auth=("ptl", "secret"))) == []


def test_accounts_are_bare_ids_unless_detailed_accounts_is_asked(server: SimulatorServer) -> None:
    plain = payload(get(server, "/changes/?q=status:merged&n=3&o=LABELS&o=MESSAGES"))
    accounts = [plain[0]["owner"], *[m["author"] for m in plain[0]["messages"] if "author" in m]]
    accounts += [a for label in plain[0]["labels"].values() for a in label.get("all", [])]
    assert all(set(a) <= {"_account_id", "value", "date", "tag"} for a in accounts)
    detailed = payload(get(server, "/changes/?q=status:merged&n=1&o=DETAILED_ACCOUNTS"))
    assert {"_account_id", "name", "email", "username"} <= set(detailed[0]["owner"])


def test_changes_are_found_by_number_triplet_and_change_id(server: SimulatorServer) -> None:
    change = all_changes(server)[0]
    project = change["project"].replace("/", "%2F")
    for ref in (str(change["_number"]), change["id"], change["triplet_id"], change["change_id"]):
        assert payload(get(server, f"/changes/{ref}"))["_number"] == change["_number"]
    detail = payload(get(server, f"/changes/{project}~{change['_number']}/detail"))
    assert {"labels", "messages", "reviewers"} <= set(detail)
    assert "email" in detail["owner"]
    assert get(server, f"/changes/{project}~1").status_code == 404


def test_basic_auth_guards_the_a_prefix_only(server: SimulatorServer) -> None:
    assert get(server, "/a/changes/?n=1").status_code == 401
    wrong = get(server, "/a/changes/?n=1", auth=("ptl", "nope"))
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == 'Basic realm="Gerrit Code Review"'
    assert not wrong.text.startswith(")]}'")
    assert len(payload(get(server, "/a/changes/?n=1", auth=("ptl", "secret")))) == 1
    assert len(payload(get(server, "/changes/?n=1"))) == 1
    me = payload(get(server, "/a/accounts/self", auth=("ptl", "secret")))
    assert me["username"] == "ptl"
    assert get(server, "/accounts/self").status_code == 403


def test_digest_auth_as_requests_sends_it() -> None:
    sim = Simulator(seed=7, changes=5, credentials={"ptl": "secret"})
    with start_simulator(sim, auth_scheme="digest") as running:
        challenge = get(running, "/a/changes/?n=1").headers["WWW-Authenticate"]
        assert (
            challenge.startswith('Digest realm="Gerrit Code Review"') and 'qop="auth"' in challenge
        )
        assert get(running, "/a/changes/?n=1", auth=("ptl", "secret")).status_code == 401
        with requests.Session() as session:
            session.auth = HTTPDigestAuth("ptl", "secret")
            for _ in range(2):  # the second request reuses the nonce with a higher nc
                found = session.get(f"{running.url}/a/changes/?{EVERYTHING}&n=1", timeout=10)
                assert len(payload(found)) == 1
            session.auth = HTTPDigestAuth("ptl", "wrong")
            assert session.get(running.url + "/a/changes/?n=1", timeout=10).status_code == 401


def test_core_group_is_found_by_query_name_and_uuid(server: SimulatorServer) -> None:
    [group] = payload(get(server, "/groups/?query=name:glance-core"))
    assert group["name"] == "glance-core" and len(group["id"]) == 40
    listing = payload(get(server, "/groups/"))
    assert list(listing) == sorted(listing) and "name" not in listing["glance-core"]
    assert payload(get(server, f"/groups/{group['id']}"))["name"] == "glance-core"
    members = payload(get(server, "/groups/glance-core/members/"))
    assert 8 <= len(members) <= 12
    assert [m["name"] for m in members] == sorted(m["name"] for m in members)
    assert {m["_account_id"] for m in members} == {a.account_id for a in server.sim.core_members()}
    detail = payload(get(server, "/groups/glance-stable-maint/detail"))
    assert [g["name"] for g in detail["includes"]] == ["glance-core"]
    direct = payload(get(server, "/groups/glance-stable-maint/members/"))
    recursive = payload(get(server, "/groups/glance-stable-maint/members/?recursive"))
    assert len(recursive) == len(direct) + len(members)


def test_accounts_query_and_lookup(server: SimulatorServer) -> None:
    someone = server.sim.core_members()[0]
    ids = payload(get(server, "/accounts/", params={"q": f"username:{someone.username}"}))
    assert ids == [{"_account_id": someone.account_id}]
    detailed = payload(
        get(server, "/accounts/", params={"q": f"email:{someone.email}", "o": "DETAILS"})
    )
    assert detailed[0]["name"] == someone.name
    page = payload(get(server, "/accounts/?q=is:active&n=5"))
    assert len(page) == 5 and page[-1]["_more_accounts"] is True
    assert payload(get(server, f"/accounts/{someone.email}"))["username"] == someone.username


def test_server_version_and_projects(server: SimulatorServer) -> None:
    assert get(server, "/config/server/version").text == ')]}\'\n"3.10.2"\n'
    assert payload(get(server, "/config/server/version?verbose"))["gerrit_version"] == "3.10.2"
    assert payload(get(server, "/projects/openstack%2Fglance"))["name"] == "openstack/glance"
    assert get(server, "/projects/openstack%2Fnova").status_code == 404
    assert list(payload(get(server, "/projects/?p=openstack/glance"))) == [
        "openstack/glance",
        "openstack/glance-specs",
        "openstack/glance_store",
    ]


def test_abandon_needs_credentials_and_an_open_change() -> None:
    sim = Simulator(seed=7, changes=60, credentials={"ptl": "secret"})
    with start_simulator(sim) as running:
        change = payload(get(running, "/changes/?q=status:open&n=1"))[0]
        url = f"{running.url}/a/changes/{change['id']}/abandon"
        body = {"message": "Superseded"}
        assert requests.post(url, json=body, timeout=10).status_code == 401
        abandoned = payload(requests.post(url, json=body, auth=("ptl", "secret"), timeout=10))
        assert abandoned["status"] == "ABANDONED"
        assert abandoned["updated"] == format_timestamp(sim.now)
        again = requests.post(url, json=body, auth=("ptl", "secret"), timeout=10)
        assert (again.status_code, again.text) == (409, "change is abandoned\n")
        messages = sim.change(change["_number"]).state.messages
        assert messages[-1].text == "Abandoned\n\nSuperseded"
        assert messages[-1].tag == "autogenerated:gerrit:abandon"


def test_command_line_serves_in_a_process_of_its_own() -> None:
    command = [sys.executable, "-m", "dashboard.gerrit.simulator", "--port", "0", "--changes", "20"]
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            version = requests.get(url + "/config/server/version", timeout=10)
            assert version.text == ')]}\'\n"3.10.2"\n'
        finally:
            process.terminate()
