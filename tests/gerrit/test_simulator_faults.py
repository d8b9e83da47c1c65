"""Fault injection, the control endpoints and the request log of the Gerrit simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from dashboard.gerrit.simulator import Fault, Simulator, SimulatorServer, start_simulator

EVERYTHING = "/changes/?q=after:2000-01-01"


@pytest.fixture
def server() -> Iterator[SimulatorServer]:
    with start_simulator(Simulator(seed=9, changes=60, credentials={"ptl": "secret"})) as running:
        yield running


def get(server: SimulatorServer, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(server.url + path, timeout=kwargs.pop("timeout", 10), **kwargs)


def page(server: SimulatorServer, skip: int, size: int) -> list[dict[str, Any]]:
    response = get(server, f"{EVERYTHING}&n={size}&S={skip}")
    assert response.status_code == 200
    return json.loads(response.text[5:])


def test_server_errors_answer_plain_text_for_the_next_k_requests(server: SimulatorServer) -> None:
    server.inject("error", status=502, count=2, path_prefix="/changes/")
    assert get(server, "/config/server/version").status_code == 200  # other paths unaffected
    for _ in range(2):
        failed = get(server, "/a/changes/?n=1")  # the prefix ignores /a
        assert (failed.status_code, failed.text) == (502, "Bad Gateway\n")
        assert failed.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert get(server, "/changes/?n=1").status_code == 200


def test_rate_limit_sends_retry_after(server: SimulatorServer) -> None:
    server.inject("rate_limit", retry_after=3)
    limited = get(server, "/changes/?n=1")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")


def test_slow_answers_trip_client_timeouts(server: SimulatorServer) -> None:
    server.inject("slow", delay=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        get(server, "/changes/?n=1", timeout=0.2)
    assert get(server, "/changes/?n=1").status_code == 200


def test_truncated_json_keeps_status_and_prefix(server: SimulatorServer) -> None:
    whole = get(server, EVERYTHING).content
    server.inject("truncate")
    cut = get(server, EVERYTHING)
    assert cut.status_code == 200 and cut.content.startswith(b")]}'\n")
    assert whole.startswith(cut.content) and len(cut.content) < len(whole)
    with pytest.raises(ValueError):
        json.loads(cut.text[5:])


def test_html_page_arrives_with_status_200(server: SimulatorServer) -> None:
    server.inject("html")
    page_response = get(server, "/changes/?n=1")
    assert page_response.status_code == 200
    assert page_response.headers["Content-Type"].startswith("text/html")
    assert not page_response.text.startswith(")]}'")


def test_reset_closes_the_connection_without_an_answer(server: SimulatorServer) -> None:
    server.inject("reset")
    with pytest.raises(requests.exceptions.ConnectionError):
        get(server, "/changes/?n=1")
    assert get(server, "/changes/?n=1").status_code == 200
    assert [e.status for e in server.requests.entries()] == [None, 200]


def test_updates_during_paging_repeat_a_row_and_hide_a_jumped_one(server: SimulatorServer) -> None:
    server.inject("paging", path_prefix="/changes/", seen=1, unseen=1)
    first = [c["_number"] for c in page(server, 0, 10)]
    second = [c["_number"] for c in page(server, 10, 10)]
    jumped = {c["_number"] for c in page(server, 0, 2)}
    seen_jump, unseen_jump = jumped & set(first), jumped - set(first)
    assert len(seen_jump) == len(unseen_jump) == 1
    assert second[0] in first  # everything shifted down: the boundary row comes again
    assert not unseen_jump & set(second)  # and the row that jumped ahead is missed


def test_a_status_query_skips_a_row_when_a_seen_change_closes(server: SimulatorServer) -> None:
    server.inject("paging", seen=0, unseen=0, close_seen=1)
    first = json.loads(get(server, "/changes/?q=status:open&n=5").text[5:])
    rest = json.loads(get(server, "/changes/?q=status:open&n=500&S=5").text[5:])
    now_open = json.loads(get(server, "/changes/?q=status:open&n=500").text[5:])
    fetched = {c["_number"] for c in first + rest}
    assert len({c["_number"] for c in now_open} - fetched) == 1


def test_request_log_counts_paths_and_keeps_query_strings(server: SimulatorServer) -> None:
    get(server, "/changes/?n=1")
    get(server, "/changes/?n=2")
    get(server, "/groups/glance-core")
    assert server.requests.counts() == {"/changes/": 2, "/groups/glance-core": 1}
    assert [e.target for e in server.requests.entries()][:2] == ["/changes/?n=1", "/changes/?n=2"]
    server.requests.reset()
    assert server.requests.entries() == []


def test_control_endpoints_drive_a_server_in_another_process(server: SimulatorServer) -> None:
    control = server.url + "/__sim__/"
    faults = [{"kind": "error", "status": 500}, {"kind": "rate_limit", "retry_after": 2}]
    assert requests.post(control + "faults", json=faults, timeout=10).json() == {"pending": 2}
    assert get(server, "/changes/?n=1").status_code == 500
    assert get(server, "/changes/?n=1").status_code == 429
    bad = requests.post(control + "faults", json={"kind": "meteor"}, timeout=10)
    assert bad.status_code == 400
    before = server.sim.now
    advanced = requests.post(control + "advance", json={"seconds": 7200}, timeout=10).json()
    assert server.sim.now == before + 7200 and advanced["changed"]
    logged = requests.get(control + "requests", timeout=10).json()
    assert [e["status"] for e in logged] == [500, 429]  # control calls are not logged
    assert requests.delete(control + "requests", timeout=10).json() == {"requests": 0}
    assert server.requests.entries() == []


def test_fault_validation() -> None:
    with pytest.raises(ValueError):
        Fault("error", status=404)
    with pytest.raises(ValueError):
        Fault.from_json({"kind": "slow", "seconds": 3})
