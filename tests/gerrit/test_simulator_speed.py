"""What makes the simulator fast must not change what it says.

The rendered-change cache, the next-page prefetch, the resumed index scans, the direct
JSON writer and the hand-inlined random draws are all pinned here against the plain way
of getting the same answer. Small histories keep the module fast; no Django.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import random
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from dashboard.gerrit.simulator import Simulator, start_simulator
from dashboard.gerrit.simulator import api as api_module
from dashboard.gerrit.simulator.api import Request, RestApi
from dashboard.gerrit.simulator.draws import choice, randint
from dashboard.gerrit.simulator.history import blocking_after, fold
from dashboard.gerrit.simulator.query import Query, compile_query
from dashboard.gerrit.simulator.timestamps import format_timestamp

FULL = (
    "DETAILED_LABELS",
    "DETAILED_ACCOUNTS",
    "MESSAGES",
    "ALL_REVISIONS",
    "CURRENT_COMMIT",
    "CURRENT_FILES",
)
QUERY = "project:openstack/glance OR project:openstack/glance_store OR -status:merged"


def page(api: RestApi, skip: int, size: int = 25, options: tuple[str, ...] = FULL) -> bytes:
    params = {"q": [QUERY], "n": [str(size)], "S": [str(skip)], "o": list(options)}
    response = api.handle(Request("GET", "/changes/", params))
    assert response.status == 200, response.body
    return response.body


def every_page(api: RestApi, size: int = 25) -> list[bytes]:
    bodies, skip = [], 0
    while True:
        bodies.append(page(api, skip, size))
        if b'"_more_changes":true' not in bodies[-1][-200:]:
            return bodies
        skip += size


def count_tested_entries(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the index entries every later query tests, in order."""
    tested: list[int] = []
    compile_query = api_module.compile_query

    def counting(*args: Any, **kwargs: Any) -> Query:
        query = compile_query(*args, **kwargs)

        def predicate(entry: Any) -> bool:
            tested.append(entry.number)
            return query.predicate(entry)

        return dataclasses.replace(query, predicate=predicate)

    monkeypatch.setattr(api_module, "compile_query", counting)
    return tested


def test_a_second_full_fetch_is_answered_from_the_cache_with_identical_bytes() -> None:
    api = RestApi(Simulator(seed=5, changes=120), prefetch=False)
    first = every_page(api)
    misses = api.pages.cache.misses
    second = every_page(api)
    assert second == first
    assert api.pages.cache.misses == misses  # every change of the second fetch was a hit
    assert api.pages.cache.hits == sum(len(json.loads(body[5:])) for body in first) > 50


def test_cached_prefetched_and_uncached_servers_give_the_same_bytes() -> None:
    plain = RestApi(Simulator(seed=6, changes=90), cache_bytes=0, prefetch=False)
    fast = RestApi(Simulator(seed=6, changes=90))
    try:
        assert every_page(fast, size=20) == every_page(plain, size=20)
        for options in ((), ("LABELS",), ("CURRENT_REVISION", "SUBMITTABLE", "SKIP_DIFFSTAT")):
            assert page(fast, 10, 30, options) == page(plain, 10, 30, options)
    finally:
        fast.close()


def test_the_page_after_a_served_one_is_rendered_ahead() -> None:
    sim = Simulator(seed=7, changes=80)
    api = RestApi(sim)
    try:
        page(api, 0, 20)
        deadline = time.monotonic() + 10
        while len(api.pages.cache) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)  # the worker renders rows 20-39 in the background
        assert len(api.pages.cache) == 40
        hits = api.pages.cache.hits
        page(api, 20, 20)
        assert api.pages.cache.hits == hits + 20  # all 20 rows were ready
    finally:
        api.close()


def test_a_mutation_gives_a_fresh_rendering_and_a_fresh_scan() -> None:
    sim = Simulator(seed=8, changes=60)
    api = RestApi(sim, prefetch=False)
    before = json.loads(page(api, 0, 60)[5:])
    last = before[-1]["_number"]
    sim.touch(last, message="Ping <now> & then = 'done'")
    after = json.loads(page(api, 0, 60)[5:])
    assert after[0]["_number"] == last  # jumped to the top: the old scan was dropped
    assert after[0]["messages"][-1]["message"].endswith("Ping <now> & then = 'done'")
    assert [c["_number"] for c in after[1:]] == [c["_number"] for c in before[:-1]]


def test_gson_escapes_survive_the_cache_and_the_json_writer() -> None:
    sim = Simulator(seed=9, changes=30)
    number = sim.add_change(subject="Use <b> & 'q' = x\u2028y", topic="t=1")
    api = RestApi(sim)
    try:
        body = page(api, 0, 5)
        assert b"\\u003cb\\u003e \\u0026 \\u0027q\\u0027 \\u003d x\\u2028y" in body
        assert json.loads(body[5:])[0]["subject"] == "Use <b> & 'q' = x\u2028y"
        single = api.handle(Request("GET", f"/changes/{number}", {})).body
        assert single == api.handle(Request("GET", f"/changes/{number}", {})).body
    finally:
        api.close()


def test_http_responses_keep_the_connection_alive_with_a_content_length() -> None:
    with start_simulator(Simulator(seed=10, changes=40)) as server:
        parts = urlsplit(server.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            bodies = []
            for skip in (0, 10, 20):
                connection.request("GET", f"/changes/?q=after:2000-01-01&n=10&S={skip}&o=LABELS")
                response = connection.getresponse()
                body = response.read()
                assert response.status == 200
                assert int(response.headers["Content-Length"]) == len(body)
                assert not response.will_close
                bodies.append(body)
            assert len(set(bodies)) == 3
        finally:
            connection.close()
        with requests.Session() as session:
            first = session.get(server.url + "/changes/?n=5", timeout=10)
            second = session.get(server.url + "/changes/?n=5&S=5", timeout=10)
            assert first.status_code == second.status_code == 200


def test_timestamps_match_strftime() -> None:
    rng = random.Random(1)
    moments = [0, 1, 59, 86399, 86400, 1_504_094_400, 1_451_606_399]
    moments += [rng.randrange(1_400_000_000, 1_600_000_000) for _ in range(5000)]
    for moment in moments:
        expected = time.strftime("%Y-%m-%d %H:%M:%S.000000000", time.gmtime(moment))
        assert format_timestamp(moment) == expected


def test_inlined_draws_take_the_same_bits_as_random() -> None:
    ours, theirs = random.Random(42), random.Random(42)
    for low, high in [(0, 0), (0, 1), (2, 59), (0, 59), (600, 14400), (0, 40_000)] * 200:
        assert randint(ours, low, high) == theirs.randint(low, high)
        items = tuple(range(high - low + 1))[:17] or (0,)
        assert choice(ours, items) == theirs.choice(items)
    assert ours.random() == theirs.random()


def test_blocking_votes_from_the_votes_alone_agree_with_a_full_replay() -> None:
    sim = Simulator(seed=11, changes=200)
    checked = 0
    for number in sim.numbers():
        index = sim.row(number).index
        assert index is not None
        spec, events = sim.generator.history(index)
        for cut in range(1, len(events) + 1, 3):
            prefix = events[:cut]
            state = fold(
                prefix,
                owner=spec.owner,
                created=spec.created,
                topic=spec.topic,
                accounts=sim.accounts,
                message_id=str,
            )
            assert blocking_after(prefix, spec.owner) == state.blocking_votes()
            checked += 1
    assert checked > 500


def test_deep_pages_come_from_a_resumed_scan_in_the_same_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = Simulator(seed=12, changes=150)
    api = RestApi(sim, cache_bytes=0, prefetch=False)
    tested = count_tested_entries(monkeypatch)
    numbers = [c["_number"] for body in every_page(api, size=10) for c in json.loads(body[5:])]
    assert len(tested) <= 150  # each entry tested once, not once per page before it
    everything = json.loads(page(api, 0, 500, ())[5:])
    assert numbers == [c["_number"] for c in everything]


@pytest.mark.parametrize(
    ("query", "floored"),
    [
        ('after:"{t}"', True),
        ('project:openstack/glance since:"{t}"', True),
        ('(after:"{t}" status:open) OR after:"{u}"', True),
        ('after:"{t}" OR status:open', False),
        ('-after:"{t}"', False),
        ('before:"{t}"', False),
    ],
)
def test_a_query_with_an_updated_floor_stops_scanning_there_with_the_same_answer(
    monkeypatch: pytest.MonkeyPatch, query: str, floored: bool
) -> None:
    sim = Simulator(seed=13, changes=200)
    updated = sorted(sim.change(n).state.updated for n in sim.numbers())
    text = query.format(t=format_timestamp(updated[-30]), u=format_timestamp(updated[-60]))
    api = RestApi(sim, cache_bytes=0, prefetch=False)
    tested = count_tested_entries(monkeypatch)
    params = {"q": [text], "n": ["500"], "S": ["0"]}
    answer = json.loads(api.handle(Request("GET", "/changes/", params)).body[5:])
    floorless = RestApi(sim, cache_bytes=0, prefetch=False)
    monkeypatch.setattr(
        api_module,
        "compile_query",
        lambda *a, **k: dataclasses.replace(compile_query(*a, **k), updated_floor=None),
    )
    expected = json.loads(floorless.handle(Request("GET", "/changes/", params)).body[5:])
    assert answer == expected and answer
    assert (len(tested) < 100) is floored  # the floor spares the older 140-170 entries
