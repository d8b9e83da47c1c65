"""seed_demo_affiliations: the simulator's companies, through the real importer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.gerrit.models import Account
from dashboard.gerrit.simulator import Simulator, start_simulator
from dashboard.gerrit.simulator.vocabulary import COMPANIES
from dashboard.gerrit.sync import sync_team
from dashboard.gerrit.teams import import_team, simulated_team
from dashboard.health.demo import MOVED_DAYS_AGO, WENT_INDEPENDENT_DAYS_AGO, seed_demo_affiliations
from dashboard.health.diversity import team_diversity
from dashboard.health.models import Affiliation


@pytest.fixture
def synced_team(db):
    with start_simulator(Simulator(seed=5, changes=80)) as server:
        team = import_team(definition=simulated_team(), gerrit_url=server.url).team
        sync_team(team=team)
    return team


def test_demo_people_get_their_simulated_company_and_two_move(synced_team, client):
    report = seed_demo_affiliations(synced_team)

    by_domain = {domain: name for name, domain, _ in COMPANIES}
    humans = Account.objects.filter(server=synced_team.server, is_bot=False)
    today = timezone.now().date()
    moved = independent = 0
    for account in humans:
        rows = list(Affiliation.objects.filter(account=account))
        assert rows, account
        current = rows[-1]
        assert current.end is None
        if current.organisation is None:
            independent += 1
            assert rows[0].organisation.name == by_domain[account.email.split("@")[1]]
            assert current.start == today - timedelta(days=WENT_INDEPENDENT_DAYS_AGO)
        else:
            assert current.organisation.name == by_domain[account.email.split("@")[1]]
            if len(rows) == 2:
                moved += 1
                assert rows[0].organisation != current.organisation
                assert current.start == today - timedelta(days=MOVED_DAYS_AGO)
    assert (moved, independent) == (1, 1)
    assert report.people_created == humans.count() and not report.unknown_users

    again = seed_demo_affiliations(synced_team)
    assert again.people_unchanged == humans.count()

    figures = team_diversity(team=synced_team, at=today + timedelta(days=1))
    assert figures.unaffiliated == ()
    response = client.get(reverse("health:diversity", args=[synced_team.name]))
    assert response.status_code == 200
