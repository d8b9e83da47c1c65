"""Stale-patch policy by hand: each reason and its "since", starved changes, and abandoning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.gerrit.client import GerritError
from dashboard.gerrit.models import ChangeStatus, Repository
from dashboard.health.models import AbandonAction, AbandonOutcome
from dashboard.health.stale import (
    CI_NEGATIVE,
    CONFLICT,
    CORE_NEGATIVE,
    abandon_candidates,
    abandon_changes,
    credentials_problem,
    stale_report,
    starved_changes,
)
from tests.gerrit.factories import (
    AccountFactory,
    ApprovalFactory,
    ChangeFactory,
    CoreMembershipFactory,
    RepositoryFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def ago(days: float):
    return NOW - timedelta(days=days)


@pytest.fixture
def repo() -> Repository:
    return RepositoryFactory(team=TeamFactory(name="glance"), name="openstack/glance")


def change(repo: Repository, ps_days: float, subject: str, **kwargs: object):
    return ChangeFactory(
        repository=repo,
        created=ago(ps_days + 5),
        current_patch_set_created=ago(ps_days),
        subject=subject,
        **kwargs,
    )


def test_abandon_candidates_each_reason_with_its_since(repo):
    team, server = repo.team, repo.team.server
    core, other = AccountFactory(server=server), AccountFactory(server=server)
    late_core, ci = AccountFactory(server=server), AccountFactory(server=server, is_bot=True)
    CoreMembershipFactory(team=team, account=core, joined=ago(400))
    CoreMembershipFactory(team=team, account=late_core, joined=ago(30))
    conflict = change(repo, 70, "conflict", mergeable=False)
    change(repo, 30, "young conflict", mergeable=False)
    core_minus = change(repo, 80, "core -1")
    ApprovalFactory(change=core_minus, account=core, value=-1, granted=ago(65))
    not_core = change(repo, 90, "non-core -2")
    ApprovalFactory(change=not_core, account=other, value=-2, granted=ago(90))
    copied = change(repo, 20, "-2 copied onto a new patch set")
    ApprovalFactory(change=copied, account=core, value=-2, granted=ago(100))
    ci_minus = change(repo, 62, "CI -1")
    ApprovalFactory(change=ci_minus, account=ci, label="Verified", value=-1, granted=ago(61))
    before_core = change(repo, 75, "voted before becoming core")
    ApprovalFactory(change=before_core, account=late_core, value=-1, granted=ago(70))
    change(repo, 90, "merged", mergeable=False, status=ChangeStatus.MERGED, closed=ago(1))
    change(repo, 90, "plus one only", cr_max=1)

    candidates = abandon_candidates(team=team, days=60, now=NOW)
    assert [c.change.subject for c in candidates] == ["conflict", "core -1", "CI -1"]
    assert [(r.kind, r.since) for r in candidates[0].reasons] == [(CONFLICT, ago(70))]
    assert [(r.kind, r.since) for r in candidates[1].reasons] == [(CORE_NEGATIVE, ago(65))]
    assert [(r.kind, r.since) for r in candidates[2].reasons] == [(CI_NEGATIVE, ago(61))]
    assert round(candidates[1].days) == 65
    assert conflict.number == candidates[0].change.number
    assert [c.change.subject for c in abandon_candidates(team=team, days=64, now=NOW)] == [
        "conflict",
        "core -1",
    ]


def test_a_change_stuck_for_several_reasons_lists_those_old_enough(repo):
    ci = AccountFactory(server=repo.team.server, is_bot=True)
    both = change(repo, 90, "both", mergeable=False)
    ApprovalFactory(change=both, account=ci, label="Verified", value=-1, granted=ago(10))
    [stale] = abandon_candidates(team=repo.team, days=60, now=NOW)
    assert [r.kind for r in stale.reasons] == [CONFLICT]


def test_starved_changes_have_no_negative_feedback_and_wait_long_enough(repo):
    change(repo, 40, "nobody looked")
    change(repo, 35, "one +1", cr_max=1)
    change(repo, 50, "a -1", cr_min=-1)
    change(repo, 50, "CI failed", verified=-1)
    change(repo, 50, "conflict", mergeable=False)
    change(repo, 10, "too recent")
    change(repo, 50, "WIP", work_in_progress=True)
    change(repo, 50, "approved", workflow=1)
    starved = starved_changes(team=repo.team, days=30, now=NOW)
    assert [s.change.subject for s in starved] == ["nobody looked", "one +1"]
    assert round(starved[0].days) == 40


def test_stale_report_uses_the_teams_policy(repo):
    from dashboard.health.models import StalePolicy

    StalePolicy.objects.create(team=repo.team, abandon_after_days=10, starved_after_days=5)
    change(repo, 12, "conflict", mergeable=False)
    change(repo, 6, "starved")
    report = stale_report(team=repo.team, now=NOW)
    assert [c.change.subject for c in report.candidates] == ["conflict"]
    assert [c.change.subject for c in report.starved] == ["starved"]


def test_credentials_problem_names_what_is_missing(repo, monkeypatch):
    server = repo.team.server
    assert "no user name" in credentials_problem(repo.team)
    server.username = "tiller"
    server.save()
    assert "names no environment variable" in credentials_problem(repo.team)
    server.password_env = "TILLER_TEST_PASSWORD"
    server.save()
    monkeypatch.delenv("TILLER_TEST_PASSWORD", raising=False)
    assert "TILLER_TEST_PASSWORD" in credentials_problem(repo.team)
    monkeypatch.setenv("TILLER_TEST_PASSWORD", "pw")
    assert credentials_problem(repo.team) is None


class Recorder:
    """Stands in for GerritClient: records abandons, fails on the numbers it is told to."""

    def __init__(self, fail: set[int] = frozenset()) -> None:
        self.sent: list[tuple[str, int, str]] = []
        self.fail = fail

    def abandon(self, project: str, number: int, message: str) -> dict[str, str]:
        if number in self.fail:
            raise GerritError(f"Gerrit at x (POST /changes/{number}/abandon) refused (409)")
        self.sent.append((project, number, message))
        return {"status": "ABANDONED"}


def test_dry_run_sends_nothing_and_logs_what_it_would_send(repo):
    stuck = change(repo, 90, "stuck", mergeable=False)
    client = Recorder()
    [action] = abandon_changes(
        team=repo.team, changes=[stuck], message="Bye", dry_run=True, user=None, client=client
    )
    assert client.sent == []
    assert action.outcome == AbandonOutcome.DRY_RUN
    assert f"openstack/glance~{stuck.number}/abandon" in action.detail and "Bye" in action.detail
    stuck.refresh_from_db()
    assert stuck.status == ChangeStatus.NEW


def test_real_run_without_credentials_is_refused_and_logged(repo):
    stuck = change(repo, 90, "stuck", mergeable=False)
    client = Recorder()
    [action] = abandon_changes(
        team=repo.team, changes=[stuck], message="Bye", dry_run=False, user=None, client=client
    )
    assert client.sent == [] and action.outcome == AbandonOutcome.REFUSED
    assert "no user name" in action.detail


def test_an_empty_message_is_refused(repo):
    stuck = change(repo, 90, "stuck", mergeable=False)
    [action] = abandon_changes(
        team=repo.team, changes=[stuck], message="  ", dry_run=True, user=None, client=Recorder()
    )
    assert action.outcome == AbandonOutcome.REFUSED and "needs a message" in action.detail


def test_a_gerrit_error_on_one_change_is_logged_and_the_others_go_through(repo, monkeypatch):
    server = repo.team.server
    server.username, server.password_env = "tiller", "TILLER_TEST_PASSWORD"
    server.save()
    monkeypatch.setenv("TILLER_TEST_PASSWORD", "pw")
    first, second = change(repo, 90, "a", mergeable=False), change(repo, 80, "b", mergeable=False)
    client = Recorder(fail={first.number})
    actions = abandon_changes(
        team=repo.team,
        changes=[first, second],
        message="Bye",
        dry_run=False,
        user=None,
        client=client,
    )
    assert [a.outcome for a in actions] == [AbandonOutcome.FAILED, AbandonOutcome.ABANDONED]
    assert "refused (409)" in actions[0].detail
    assert client.sent == [("openstack/glance", second.number, "Bye")]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ChangeStatus.NEW, ChangeStatus.ABANDONED)
    assert AbandonAction.objects.count() == 2
