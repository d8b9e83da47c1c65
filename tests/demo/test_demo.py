"""The demo command (README command one), minus serving: the real path, shrunk."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from dashboard.gerrit.models import (
    Change,
    CoreMembership,
    GerritServer,
    SyncRun,
    SyncRunStatus,
    Team,
)
from dashboard.reviews.models import Dashboard, GerritIdentity

pytestmark = pytest.mark.django_db(transaction=True)


def run_demo() -> str:
    out = StringIO()
    call_command(
        "demo", "--no-serve", "--changes", "60", "--gerrit-port", "0", stdout=out, stderr=StringIO()
    )
    return out.getvalue()


def test_demo_syncs_a_team_over_http_and_creates_the_three_users(client):
    output = run_demo()
    team = Team.objects.get(name="glance")
    assert team.repositories.count() == 4
    assert Change.objects.filter(repository__team=team).count() == 60
    assert SyncRun.objects.get(team=team).status == SyncRunStatus.SUCCEEDED
    assert "Synced 60 changes" in output
    users = get_user_model().objects.order_by("username")
    assert [(u.username, [g.name for g in u.groups.all()]) for u in users] == [
        ("contributor", ["contributor"]),
        ("core", ["core"]),
        ("ptl", ["PTL"]),
    ]
    password = next(line.split()[4] for line in output.splitlines() if "user ptl " in line)
    assert client.login(username="ptl", password=password)
    # Each demo user acts as a synced Gerrit account, so "self" queries work in the demo.
    identities = {
        i.user.username: i.account for i in GerritIdentity.objects.select_related("user", "account")
    }
    core_accounts = set(
        CoreMembership.objects.filter(left__isnull=True).values_list("account", flat=True)
    )
    assert identities["ptl"].pk in core_accounts and identities["core"].pk in core_accounts
    assert identities["contributor"].pk not in core_accounts
    assert Dashboard.objects.filter(team=team, is_default=True).exists()


def test_running_the_demo_again_replaces_its_data_and_keeps_others():
    run_demo()
    GerritServer.objects.filter(url__startswith="http://127.0.0.1").update(
        url="http://127.0.0.1:1"  # as if the earlier demo had used another port
    )
    other = GerritServer.objects.create(url="https://review.example.org")
    Team.objects.create(name="nova", server=other)
    run_demo()
    assert Team.objects.filter(name="glance").count() == 1
    assert Change.objects.count() == 60
    assert GerritServer.objects.count() == 2
    assert Team.objects.filter(name="nova").exists()


def test_the_demo_refuses_to_touch_a_real_team_of_the_same_name():
    real = GerritServer.objects.create(url="https://review.opendev.org")
    Team.objects.create(name="glance", server=real)
    with pytest.raises(
        CommandError, match="has a real team 'glance' on https://review.opendev.org"
    ):
        run_demo()
    assert Team.objects.get(name="glance").server == real


def _children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its exit status is left


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_sigterm_stops_the_demo_with_its_simulator_and_task_worker(tmp_path):
    root = Path(__file__).resolve().parents[2]
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env.pop("TILLER_ENV", None)
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--changes", "30", "--gerrit-port", "0"]
        + ["--addrport", f"127.0.0.1:{port}"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    children: set[int] = set()
    try:
        assert demo.stdout is not None
        for line in demo.stdout:
            if "Serving Tiller" in line:
                break
        else:
            pytest.fail(f"the demo ended before serving (exit status {demo.wait()})")
        # Keep reading: a pipe nobody reads fills up and blocks whoever writes to it next
        # (the demo, or the task worker that shares its output), and the stop with it.
        rest: list[str] = []
        reader = threading.Thread(target=rest.extend, args=(demo.stdout,), daemon=True)
        reader.start()
        children.update(_children(demo.pid))
        assert len(children) >= 2  # the simulator and the task worker
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(timeout=120)  # generous: a loaded CI machine is slow to stop
        except subprocess.TimeoutExpired:
            tail = "".join(rest[-30:])
            pytest.fail(f"the demo did not stop within 120 s; its last output:\n{tail}")
        deadline = time.monotonic() + 60
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if _alive(pid)]
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        for pid in children:  # what a failed run left behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
