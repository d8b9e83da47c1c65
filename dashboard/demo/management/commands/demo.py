"""manage.py demo: a Glance-like team synced from the built-in Gerrit simulator, served.

README command one. Every step is the real thing: the simulator is a Gerrit REST server
on loopback, the team is created by the same import a real team uses, and the sync goes
over HTTP with the production client. Only the Gerrit at the other end is simulated.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Q
from tqdm import tqdm

from dashboard.core.roles import CONTRIBUTOR, CORE, PTL
from dashboard.gerrit.models import (
    Account,
    Approval,
    Change,
    ChangeFile,
    CoreMembership,
    GerritServer,
    Message,
    PatchSet,
    Reviewer,
    SyncRun,
    SyncRunStatus,
    Team,
    Vote,
)
from dashboard.gerrit.simulator.process import SimulatorProcess, SimulatorStartError
from dashboard.gerrit.sync import sync_team
from dashboard.gerrit.teams import import_team, simulated_team
from dashboard.governance.demo import seed_demo_cycles
from dashboard.governance.priorities_demo import seed_demo_priorities
from dashboard.governance.specs_demo import seed_demo_specs
from dashboard.health.bandwidth import seed_demo_bandwidths
from dashboard.health.demo import seed_demo_affiliations
from dashboard.health.snapshots import seed_backlog_history
from dashboard.reports.cycle_report_demo import seed_demo_report_narrative
from dashboard.reports.emails import seed_demo_email_settings
from dashboard.reports.focus_demo import seed_demo_focus
from dashboard.reports.weekly_demo import seed_demo_weekly
from dashboard.reviews.dashboards import ensure_default_dashboard
from dashboard.reviews.models import GerritIdentity

DEMO_TEAM = simulated_team()
# Demo sign-ins: role -> (user name, the simulated Gerrit account they stand for).
DEMO_USERS = ((PTL, "ptl"), (CORE, "core"), (CONTRIBUTOR, "contributor"))
LOOPBACK_URL = r"^http://(127\.0\.0\.1|localhost)(:[0-9]+)?/?$"
# How often the simulated team does some work while the demo runs.
ACTIVITY_EVERY = 30


class Command(BaseCommand):
    help = (
        "Run the demo: migrate the SQLite database, start the Gerrit simulator, sync a "
        "Glance-like team from it over HTTP, create demo users and serve the site."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--changes", type=int, default=3000, help="history size (changes)")
        parser.add_argument("--seed", type=int, default=2017, help="simulator seed")
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="where to serve")
        parser.add_argument("--gerrit-port", type=int, default=8081, help="simulator port")
        parser.add_argument("--no-serve", action="store_true", help="sync, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo resets its data, so it refuses TILLER_ENV=production.")
        self.stdout.write("Migrating the database…")
        call_command("migrate", verbosity=0, interactive=False)

        # The history ends now, so ages and waiting times read as they would on a live team.
        end = datetime.now(UTC).replace(microsecond=0)
        changes, seed = options["changes"], options["seed"]
        self.stdout.write(f"Generating a {changes}-change history (seed {seed})…")
        with _sigterm_as_interrupt() as self.unwinding:
            self._run(changes=changes, seed=seed, end=end, options=options)

    def _run(self, *, changes: int, seed: int, end: datetime, options: dict[str, Any]) -> None:
        try:
            gerrit = SimulatorProcess(
                changes=changes, seed=seed, end=end, port=options["gerrit_port"]
            )
        except SimulatorStartError as exc:
            raise CommandError(f"{exc}. Pick another port with --gerrit-port.") from None
        self.stdout.write(f"Gerrit simulator serving on {gerrit.url}")
        try:
            team = self._reset_team(gerrit.url)
            self._sync(team)
            self.stdout.write("Preparing the demo's cycles, specs, priorities and history…")
            seed_demo_cycles(team)
            self.stdout.write(f"Imported {seed_demo_specs(team=team).created} demo specs.")
            ensure_default_dashboard(team=team)
            seed_backlog_history(team=team)  # the trend charts' past
            seed_demo_priorities(team)
            seed_demo_report_narrative(team)
            seed_demo_weekly(team)
            seed_demo_bandwidths(team=team)
            seed_demo_affiliations(team)
            seed_demo_email_settings(team)
            seed_demo_focus(team)
            self._print_users(self._users(team))
            if options["no_serve"]:
                return
            self._serve(gerrit, options["addrport"])
        finally:
            self.unwinding.set()
            gerrit.stop()

    def _reset_team(self, url: str) -> Team:
        """Start from a clean demo team. The demo owns the Gerrit servers on loopback (its
        earlier runs, whatever their port); it refuses to touch a real team of the same name.
        """
        real = Team.objects.filter(name=DEMO_TEAM.slug).exclude(server__url__regex=LOOPBACK_URL)
        if real.exists():
            raise CommandError(
                f"This database has a real team {DEMO_TEAM.slug!r} on {real.get().server.url}; "
                "run the demo on another database, e.g. DATABASE_URL=sqlite:///demo.sqlite3"
            )
        with transaction.atomic():
            for server in GerritServer.objects.filter(url__regex=LOOPBACK_URL):
                delete_server_data(server)
        return import_team(definition=DEMO_TEAM, gerrit_url=url).team

    def _sync(self, team: Team) -> None:
        bar = tqdm(desc="Syncing glance", unit=" changes", file=sys.stderr, dynamic_ncols=True)

        def progress(run: SyncRun) -> None:
            if run.changes_expected is not None:
                bar.total = max(run.changes_expected, run.changes_fetched)
            bar.update(run.changes_fetched - bar.n)

        run = sync_team(team=team, estimate=True, progress=progress)
        bar.close()
        if run.status != SyncRunStatus.SUCCEEDED:
            raise CommandError(f"The demo sync failed: {run.error}")
        seconds = run.duration_seconds or 0
        self.stdout.write(
            f"Synced {run.changes_fetched} changes, {run.votes_recorded} votes and "
            f"{run.messages_recorded} messages in {seconds:.1f} s "
            f"over {run.requests} HTTP requests."
        )

    def _users(self, team: Team) -> list[tuple[str, str, str, str]]:
        """The three demo users with fresh passwords, each in its role group and linked to
        a synced Gerrit account (what ``self`` means for them): the PTL and the core to the
        two busiest current core reviewers, the contributor to the busiest non-core author.
        """
        cores = list(
            Account.objects.filter(core_memberships__team=team, core_memberships__left__isnull=True)
            .annotate(reviews=Count("votes", filter=Q(votes__label="Code-Review")))
            .order_by("-reviews", "account_id")[:2]
        )
        contributor = (
            Account.objects.filter(server=team.server, is_bot=False)
            .exclude(pk__in=[account.pk for account in cores])
            .exclude(core_memberships__team=team, core_memberships__left__isnull=True)
            .annotate(owned=Count("owned_changes"))
            .order_by("-owned", "account_id")
            .first()
        )
        accounts = {PTL: cores[0] if cores else None, CORE: cores[-1] if cores else None}
        accounts[CONTRIBUTOR] = contributor
        user_model = get_user_model()
        created = []
        for role, username in DEMO_USERS:
            user, _ = user_model.objects.get_or_create(username=username)
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.is_staff = role == PTL
            user.save()
            user.groups.set([Group.objects.get_or_create(name=role)[0]])
            account = accounts[role]
            if account is not None:
                GerritIdentity.objects.update_or_create(user=user, defaults={"account": account})
            created.append((role, username, password, str(account or "no Gerrit account")))
        return created

    def _print_users(self, users: list[tuple[str, str, str, str]]) -> None:
        self.stdout.write("\nDemo users (sign in at /accounts/login/):")
        for role, username, password, account in users:
            self.stdout.write(
                f"  {role:<12} user {username:<12} password {password:<14} Gerrit: {account}"
            )

    def _serve(self, gerrit: SimulatorProcess, addrport: str) -> None:
        stop = threading.Event()

        def keep_working() -> None:
            last = time.monotonic()
            while not stop.wait(ACTIVITY_EVERY):
                now = time.monotonic()
                with contextlib.suppress(OSError, ValueError):
                    # A failed step only means no new activity; the next sync says why.
                    gerrit.advance(int(now - last))
                last = now

        threading.Thread(target=keep_working, name="demo-activity", daemon=True).start()
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker"],
            cwd=settings.BASE_DIR,
            env=os.environ.copy(),
        )
        self.stdout.write(
            f"\nServing Tiller on http://{addrport}/ with a task worker beside it. "
            "Ctrl-C stops both.\n"
        )
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            self.unwinding.set()
            stop.set()
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[threading.Event]:
    """Make SIGTERM (``kill``, a service manager) stop the demo as Ctrl-C does.

    Ctrl-C reaches the whole process group, but SIGTERM reaches this process alone and by
    default ends it on the spot, leaving the simulator and the task worker running. As a
    KeyboardInterrupt it unwinds through the ``finally`` blocks that stop both, which set
    the event this yields. An exception raised while a finalizer (``__del__``) runs is
    printed and dropped, and the signal with it (seen in CI: the demo went on serving), so
    until the unwinding has begun the signal is sent again a second later. The old handler
    comes back afterwards (the tests call the command inside pytest).
    """
    unwinding = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield unwinding  # signal handlers can only be set from the main thread
        return

    def again() -> None:
        if not unwinding.is_set():
            os.kill(os.getpid(), signal.SIGTERM)

    def interrupt(signum: int, frame: object) -> None:
        if unwinding.is_set():
            return  # already stopping: let the cleanup finish
        retry = threading.Timer(1.0, again)
        retry.daemon = True
        retry.start()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield unwinding
    finally:
        unwinding.set()
        signal.signal(signal.SIGTERM, previous)


def delete_server_data(server: GerritServer) -> None:
    """Delete a Gerrit server's teams and synced data, children first (bulk, no cascade walk)."""
    changes = Change.objects.filter(server=server)
    for model in (Vote, Approval, Reviewer, Message, PatchSet, ChangeFile):
        model.objects.filter(change__in=changes).delete()
    changes.delete()
    teams = Team.objects.filter(server=server)
    CoreMembership.objects.filter(team__in=teams).delete()
    SyncRun.objects.filter(team__in=teams).delete()
    teams.delete()
    Account.objects.filter(server=server).delete()
    server.delete()
