"""Affiliations for the demo team, through the real importer.

The simulator defines each person's company by their e-mail domain
(``simulator.vocabulary.COMPANIES``). This builds a Stackalytics ``default_data.json``-style
document from that definition and the synced accounts, with two people who moved (one to
another company, one to working independently) so the panel shows dated affiliations at
work, and imports it with ``import_default_data`` like any real file.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from dashboard.gerrit.models import Account, Team
from dashboard.gerrit.simulator.vocabulary import COMPANIES
from dashboard.health.default_data import ImportReport, import_default_data, parse_default_data

# How long ago the two demo movers changed employer.
MOVED_DAYS_AGO = 150
WENT_INDEPENDENT_DAYS_AGO = 260


def _stackalytics_date(day: date) -> str:
    return day.strftime("%Y-%b-%d")


def demo_default_data(*, team: Team, today: date) -> dict[str, Any]:
    """The document: every company of the simulator, and the team's human accounts.

    The second and fourth busiest authors are the movers; everyone else stays with the
    company of their e-mail domain for the whole history.
    """
    by_domain = {domain: name for name, domain, _tz in COMPANIES}
    names = [name for name, _domain, _tz in COMPANIES]
    accounts = list(
        Account.objects.filter(server_id=team.server_id, is_bot=False)
        .annotate(owned=Count("owned_changes", filter=Q(owned_changes__repository__team=team)))
        .order_by("-owned", "account_id")
    )
    users = []
    for rank, account in enumerate(accounts):
        company = by_domain.get(account.email.rsplit("@", 1)[-1])
        if company is None:
            continue  # not one of the simulator's people (an extra sign-in account)
        companies: list[dict[str, Any]] = [{"company_name": company, "end_date": None}]
        if rank == 1:
            earlier = names[(names.index(company) + 1) % len(names)]
            companies.insert(
                0,
                {
                    "company_name": earlier,
                    "end_date": _stackalytics_date(today - timedelta(days=MOVED_DAYS_AGO)),
                },
            )
        elif rank == 3:
            companies = [
                {
                    "company_name": company,
                    "end_date": _stackalytics_date(
                        today - timedelta(days=WENT_INDEPENDENT_DAYS_AGO)
                    ),
                },
                {"company_name": "*independent", "end_date": None},
            ]
        users.append(
            {
                "launchpad_id": account.username,
                "user_name": account.name,
                "emails": [account.email],
                "companies": companies,
            }
        )
    return {
        "companies": [
            {"company_name": name, "domains": [domain], "aliases": []}
            for name, domain, _tz in COMPANIES
        ],
        "users": users,
    }


def seed_demo_affiliations(team: Team) -> ImportReport:
    """Give the demo team's people their simulated companies (idempotent)."""
    document = demo_default_data(team=team, today=timezone.now().date())
    data = parse_default_data(json.dumps(document))
    return import_default_data(data=data, server=team.server, team=team)
