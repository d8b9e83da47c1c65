"""The Gerrit REST client against the simulator over real HTTP, faults included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from dashboard.gerrit.client import (
    GerritAuthError,
    GerritBadRequest,
    GerritBadResponse,
    GerritClient,
    GerritError,
    GerritNotFound,
    GerritUnavailable,
    parse_timestamp,
    redact_url,
    strip_xssi,
)

from .conftest import PASSWORD, USER

ALL = "project:openstack/glance OR project:openstack/glance_store"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-02-21 11:16:36.775000000", datetime(2013, 2, 21, 11, 16, 36, 775000, tzinfo=UTC)),
        ("2017-08-30 12:00:00.000000000", datetime(2017, 8, 30, 12, tzinfo=UTC)),
        ("2017-08-30 12:00:00", datetime(2017, 8, 30, 12, tzinfo=UTC)),
        ("2017-08-30", datetime(2017, 8, 30, tzinfo=UTC)),
        ("2017-08-30T12:00:00Z", datetime(2017, 8, 30, 12, tzinfo=UTC)),
    ],
)
def test_gerrit_timestamps_parse_as_utc(text, expected):
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["", "yesterday", "2017-13-01 00:00:00", None])
def test_a_malformed_timestamp_is_a_value_error(text):
    with pytest.raises(ValueError, match="not a Gerrit timestamp"):
        parse_timestamp(text)


def test_xssi_guard_line_is_stripped():
    assert strip_xssi(')]}\'\n[{"a": 1}]') == '[{"a": 1}]'
    assert strip_xssi("[]") == "[]"


def test_credentials_in_a_url_never_reach_messages():
    assert redact_url("https://me:hunter2@review.test/gerrit") == "https://review.test/gerrit"


def test_paging_follows_more_changes_and_sees_every_change_once(gerrit_client, sim):
    pages = list(gerrit_client.iter_change_pages(ALL, page_size=7))
    numbers = [change["_number"] for page in pages for change in page.changes]
    assert len(pages) > 2
    assert all(page.more for page in pages[:-1]) and not pages[-1].more
    assert len(numbers) == len(set(numbers))
    expected = {
        n
        for n in sim.numbers()
        if sim.change(n).spec.project in {"openstack/glance", "openstack/glance_store"}
    }
    assert set(numbers) == expected


def test_count_estimate_matches_the_real_number(gerrit_client):
    total = sum(len(page.changes) for page in gerrit_client.iter_change_pages(ALL, page_size=50))
    assert gerrit_client.count_changes(ALL) == total


def test_server_time_comes_from_the_date_header(gerrit_client, sim):
    gerrit_client.server_version()
    assert gerrit_client.server_time == datetime.fromtimestamp(sim.now, UTC)


def test_authenticated_calls_use_the_a_prefix_and_basic_auth(gerrit):
    client = GerritClient(gerrit.url, username=USER, password=PASSWORD)
    assert client.account("self")["username"] == USER
    assert gerrit.requests.entries()[-1].target.startswith("/a/accounts/self")


def test_digest_auth_works_for_old_servers(sim):
    from dashboard.gerrit.simulator import start_simulator

    with start_simulator(sim, auth_scheme="digest") as server:
        client = GerritClient(server.url, username=USER, password=PASSWORD, auth_scheme="digest")
        assert client.account("self")["username"] == USER


def test_wrong_password_is_one_clear_line_without_the_password(gerrit):
    client = GerritClient(gerrit.url, username=USER, password="wrong-password")
    with pytest.raises(GerritAuthError) as failure:
        client.account("self")
    message = str(failure.value)
    assert "rejected the user name or HTTP password (401)" in message
    assert "wrong-password" not in message and "\n" not in message


def test_unknown_project_is_a_not_found_error(gerrit_client):
    with pytest.raises(GerritNotFound, match=r"\(404\)"):
        gerrit_client.project("openstack/glancee")


def test_bad_query_is_reported_with_gerrit_s_reason(gerrit_client):
    with pytest.raises(GerritBadRequest, match="Unsupported operator"):
        gerrit_client.query_changes("frobnicate:yes")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_with_backoff(gerrit_client, gerrit, sleeps, status):
    gerrit.inject("error", status=status, count=2)
    assert gerrit_client.server_version()
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] * 0.9


def test_rate_limiting_honours_retry_after(gerrit_client, gerrit, sleeps):
    gerrit.inject("rate_limit", retry_after=7)
    assert gerrit_client.server_version()
    assert sleeps == [7.0]


def test_persistent_failure_gives_up_after_the_retries_with_a_clear_message(gerrit_client, gerrit):
    gerrit.inject("error", status=503, count=5)
    with pytest.raises(GerritUnavailable, match=r"failed with HTTP 503: Service Unavailable"):
        gerrit_client.server_version()
    assert len(gerrit.requests.entries()) == 3


@pytest.mark.parametrize(("kind", "words"), [("truncate", "truncated JSON"), ("html", "not JSON")])
def test_unreadable_bodies_are_retried_then_named(gerrit_client, gerrit, kind, words):
    gerrit.inject(kind, count=1)
    assert gerrit_client.query_changes(ALL, page_size=3).changes
    gerrit.inject(kind, count=5)
    with pytest.raises(GerritBadResponse, match=words):
        gerrit_client.query_changes(ALL, page_size=3)


class CannedBodies(requests.adapters.BaseAdapter):
    """A transport that answers every request with the next of ``bodies`` (HTTP 200)."""

    def __init__(self, *bodies: bytes) -> None:
        super().__init__()
        self.bodies = list(bodies)

    def send(self, request, **kwargs):
        response = requests.Response()
        response.status_code, response.url, response.request = 200, request.url, request
        response._content = self.bodies.pop(0)
        return response

    def close(self):
        pass


@pytest.mark.parametrize(
    ("body", "decoded"),
    [
        (b')]}\'\n[{"subject": "caf\xc3\xa9"}]\n', [{"subject": "café"}]),
        (b'[{"subject": "no guard line"}]', [{"subject": "no guard line"}]),
        # bodies the fast decoder refuses but JSON allows: a lone surrogate escape and
        # (after replacement) a byte that is not UTF-8
        (b')]}\'\n[{"subject": "\\ud800"}]', [{"subject": "\ud800"}]),
        (b')]}\'\n[{"subject": "\xff"}]', [{"subject": "\ufffd"}]),
    ],
)
def test_json_bodies_decode_with_or_without_the_fast_decoder(body, decoded):
    session = requests.Session()
    session.mount("http://", CannedBodies(body))
    client = GerritClient("http://gerrit.test", session=session, retries=0)
    assert client.query_changes(ALL).changes == decoded


def test_reset_connection_is_retried(gerrit_client, gerrit):
    gerrit.inject("reset", count=1)
    assert gerrit_client.server_version()


def test_slow_answer_times_out_and_says_so(gerrit_client, gerrit):
    gerrit.inject("slow", delay=2.5, count=5)
    with pytest.raises(GerritUnavailable, match=r"did not answer within 1 s"):
        gerrit_client.server_version()


def test_refused_connection_is_named():
    client = GerritClient("http://127.0.0.1:9", retries=0)
    with pytest.raises(GerritUnavailable, match=r"Cannot connect to Gerrit at http://127.0.0.1:9"):
        client.server_version()


def test_a_url_that_is_not_http_is_refused():
    with pytest.raises(GerritError, match="Not a Gerrit URL"):
        GerritClient("review.opendev.org")
