"""The per-server request rate: slots reserved in the database, shared by every process.

Nothing here asserts how long something took. The slots a reservation hands out are
deterministic (each one interval after the last), and so are the bounds checked on the
simulator's side: a request is never logged before its slot began.
"""

from __future__ import annotations

import time
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.sites import site
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from dashboard.gerrit.client import GerritClient
from dashboard.gerrit.models import GerritServer
from dashboard.gerrit.throttle import ServerThrottle, reserve_request_slot, throttle_for

from .conftest import Sleeps
from .factories import GerritServerFactory
from .processes import (
    assert_never_ahead_of,
    record_arrivals,
    run_python,
    shared_database,
    start_at,
)

# Float seconds since the epoch keep about 0.2 µs; the slots are compared to 1 µs.
EPSILON = 1e-6


@pytest.fixture
def limited(db: None) -> GerritServer:
    """Two seconds between requests: far longer than the test takes between them."""
    return GerritServerFactory(requests_per_second=0.5)


def test_a_server_without_a_rate_gets_no_throttle_and_no_slots(db):
    server = GerritServerFactory(requests_per_second=None)

    assert throttle_for(server) is None
    assert reserve_request_slot(server_id=server.pk) is None


def test_slots_reserved_back_to_back_are_one_interval_apart(limited):
    slots = [reserve_request_slot(server_id=limited.pk) for _ in range(6)]

    starts = [slot.start for slot in slots]
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert gaps == pytest.approx([2.0] * 5, abs=EPSILON)
    # A server never used before: the first slot begins at once, the others wait their turn.
    assert slots[0].start == pytest.approx(slots[0].now, abs=EPSILON)
    assert slots[0].wait == 0
    assert slots[-1].wait > slots[1].wait > 0
    limited.refresh_from_db()
    assert limited.next_request_at == pytest.approx(starts[-1] + 2.0, abs=EPSILON)


def test_a_server_idle_for_a_while_starts_again_from_now_without_a_burst(limited):
    GerritServer.objects.filter(pk=limited.pk).update(next_request_at=time.time() - 3600)

    first, second = (reserve_request_slot(server_id=limited.pk) for _ in range(2))

    assert first.start == pytest.approx(first.now, abs=EPSILON)
    assert first.wait == 0
    assert second.start - first.start == pytest.approx(2.0, abs=EPSILON)


def test_the_throttle_sleeps_until_its_slot(limited):
    sleeps = Sleeps()
    throttle = ServerThrottle(limited.pk, sleep=sleeps)

    slots = [throttle() for _ in range(3)]

    assert sleeps == pytest.approx([slot.wait for slot in slots[1:]])
    assert sleeps[-1] > sleeps[0] > 0


def test_a_changed_rate_applies_to_the_next_request_and_a_removed_one_stops_waiting(limited):
    throttle = ServerThrottle(limited.pk, sleep=Sleeps())
    first = throttle()
    GerritServer.objects.filter(pk=limited.pk).update(requests_per_second=1.0)
    second = throttle()
    third = throttle()
    GerritServer.objects.filter(pk=limited.pk).update(requests_per_second=None)

    # The first reservation already set the second slot two seconds on; the third is one
    # second after the second.
    assert second.start - first.start == pytest.approx(2.0, abs=EPSILON)
    assert third.start - second.start == pytest.approx(1.0, abs=EPSILON)
    assert throttle() is None


def test_the_client_waits_for_the_throttle_before_every_attempt_retries_included(gerrit):
    calls: list[int] = []
    gerrit.inject("error", status=503, count=2)
    client = GerritClient(
        gerrit.url, retries=3, sleep=Sleeps(), throttle=lambda: calls.append(len(calls))
    )

    client.server_version()

    assert len(calls) == 3 == client.requests_made == len(gerrit.requests.entries())


def test_saving_a_server_in_the_admin_keeps_the_throttle_s_slot(limited, admin_user):
    request = RequestFactory().post("/")
    request.user = admin_user
    model_admin = site._registry[GerritServer]
    form_class = model_admin.get_form(request, limited, change=True)
    form = form_class(
        data={"url": limited.url, "auth_scheme": "basic", "requests_per_second": "2"},
        instance=GerritServer.objects.get(pk=limited.pk),
    )
    assert form.is_valid(), form.errors
    reserve_request_slot(server_id=limited.pk)  # a sync's request while the page was open
    reserved = GerritServer.objects.get(pk=limited.pk).next_request_at

    model_admin.save_model(request, form.save(commit=False), form, change=True)

    limited.refresh_from_db()
    assert limited.requests_per_second == 2.0
    assert limited.next_request_at == reserved


@pytest.mark.parametrize("rate", ["-1", "0.001", "nan", "inf"])
def test_import_team_refuses_a_rate_that_is_not_one(db, tmp_path, rate):
    definition = tmp_path / "glance.json"
    definition.write_text('{"name": "Glance", "subprojects": ["openstack/glance"]}')

    with pytest.raises(CommandError, match="--requests-per-second"):
        call_command(
            "import_team", str(definition), "--gerrit-url", "https://review.example.org",
            "--requests-per-second", rate,
        )  # fmt: skip


def test_import_team_sets_and_removes_the_server_s_rate(db, tmp_path):
    definition = tmp_path / "glance.json"
    definition.write_text('{"name": "Glance", "subprojects": ["openstack/glance"]}')
    url = "https://review.example.org"
    out = StringIO()

    call_command(
        "import_team", str(definition), "--gerrit-url", url, "--requests-per-second", "2.5",
        stdout=out,
    )  # fmt: skip
    rate_after_setting = GerritServer.objects.get(url=url).requests_per_second
    call_command("import_team", str(definition), "--gerrit-url", url, stdout=StringIO())
    rate_after_omitting = GerritServer.objects.get(url=url).requests_per_second
    call_command(
        "import_team", str(definition), "--gerrit-url", url, "--requests-per-second", "0",
        stdout=StringIO(),
    )  # fmt: skip

    assert rate_after_setting == rate_after_omitting == 2.5
    assert "at most 2.5 requests a second" in out.getvalue()
    assert GerritServer.objects.get(url=url).requests_per_second is None


# Each child: THREADS threads, each with its own client and throttle, make REQUESTS
# requests to the simulator at once; the child prints every slot it was given.
CLIENTS = """
import json, sys, threading, time, traceback
from django.db import connections
from dashboard.gerrit.client import GerritClient
from dashboard.gerrit.throttle import ServerThrottle

url, server_id, threads, requests, start = sys.argv[1:]
slots = []
failures = []

def client_thread():
    try:
        throttle = ServerThrottle(int(server_id))
        def recording():
            slots.append(throttle().start)
        client = GerritClient(url, throttle=recording)
        time.sleep(max(0.0, float(start) - time.time()))
        for _ in range(int(requests)):
            client.server_version()
    except BaseException:
        failures.append(traceback.format_exc())
    finally:
        connections.close_all()

workers = [threading.Thread(target=client_thread) for _ in range(int(threads))]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
if failures:
    sys.exit("\\n".join(failures))
print(json.dumps(slots))
"""


@pytest.mark.django_db(transaction=True)
def test_processes_and_threads_sharing_a_server_never_exceed_its_rate(
    gerrit, tmp_path: Path
) -> None:
    rate, processes, threads, requests = 20.0, 3, 2, 6
    server = GerritServerFactory(url=gerrit.url, requests_per_second=rate)
    arrivals = record_arrivals(gerrit)
    began = time.time()

    with shared_database(tmp_path) as database_url:
        answers = run_python(
            database_url,
            CLIENTS,
            [[gerrit.url, server.pk, threads, requests, start_at()]] * processes,
        )

    slots = sorted(slot for answer in answers for slot in answer)
    total = processes * threads * requests
    # Every request the simulator saw had a slot of its own...
    assert len(slots) == len(arrivals) == len(gerrit.requests.entries()) == total
    # ...the slots are at least one interval apart, whichever process or thread took them,
    gaps = [later - earlier for earlier, later in zip(slots, slots[1:], strict=False)]
    assert min(gaps) >= 1 / rate - EPSILON
    # ...and counted from the start, the simulator never received more than the rate allows.
    assert_never_ahead_of(arrivals, since=began, rate=rate)
