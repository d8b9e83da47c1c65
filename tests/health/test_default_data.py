"""import_affiliations: a default_data.json-style file to dated affiliations."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dashboard.health.models import Affiliation, AffiliationSource, Organisation
from tests.gerrit.factories import AccountFactory, ChangeFactory, RepositoryFactory, TeamFactory
from tests.health.factories import AffiliationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "companies": [
        {"company_name": "Red Co", "domains": ["red.example"], "aliases": ["Red Company"]},
        {"company_name": "Blue Co", "domains": ["blue.example", "blue-cloud.example"]},
        {"company_name": "Blue Labs", "domains": ["labs.blue.example"]},
    ],
    "users": [
        {
            "launchpad_id": "mover",
            "emails": ["mover@red.example"],
            "companies": [
                {"company_name": "Red Company", "end_date": "2016-Mar-01"},
                {"company_name": "Blue Co", "end_date": "2017-01-15"},
                {"company_name": "*independent", "end_date": None},
            ],
        },
        {
            "user_name": "Someone",
            "emails": ["ByMail@Blue.Example"],
            "companies": [{"company_name": "Green Co", "end_date": None}],
        },
        {"launchpad_id": "stranger", "companies": [{"company_name": "Red Co", "end_date": None}]},
    ],
}


@pytest.fixture
def team():
    return RepositoryFactory(team=TeamFactory(name="glance"), name="openstack/glance").team


@pytest.fixture
def accounts(team):
    mover = AccountFactory(server=team.server, username="mover", email="m@elsewhere.example")
    by_mail = AccountFactory(server=team.server, username="sam", email="bymail@blue.example")
    return mover, by_mail


def run(tmp_path, document, *args: str) -> str:
    path = tmp_path / "default_data.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=2))
    out = StringIO()
    call_command("import_affiliations", str(path), *args, stdout=out)
    return out.getvalue()


def stretches(account) -> list[tuple[str | None, date | None, date | None]]:
    return [
        (a.organisation.name if a.organisation else None, a.start, a.end)
        for a in Affiliation.objects.filter(account=account)
    ]


def test_import_creates_dated_stretches_from_end_dates(tmp_path, team, accounts):
    mover, by_mail = accounts

    out = run(tmp_path, DOCUMENT, "--team", "glance")

    assert stretches(mover) == [
        ("Red Co", None, date(2016, 3, 1)),  # an alias resolves to its company
        ("Blue Co", date(2016, 3, 1), date(2017, 1, 15)),
        (None, date(2017, 1, 15), None),  # *independent
    ]
    assert stretches(by_mail) == [("Green Co", None, None)]  # matched by e-mail
    assert Organisation.objects.get(name="Red Co").aliases == ["Red Company"]
    blue = Organisation.objects.get(name="Blue Co")
    assert blue.domains == ["blue-cloud.example", "blue.example"]
    assert "People: 2 added, 0 updated, 0 unchanged" in out
    assert "1 users match no account" in out and "stranger" in out


def test_import_is_idempotent(tmp_path, team, accounts):
    run(tmp_path, DOCUMENT, "--team", "glance")
    before = list(Affiliation.objects.values_list("account", "organisation", "start", "end"))

    out = run(tmp_path, DOCUMENT, "--team", "glance")

    assert "0 added, 0 updated, 2 unchanged; 0 organisations created" in out
    after = list(Affiliation.objects.values_list("account", "organisation", "start", "end"))
    assert sorted(after, key=str) == sorted(before, key=str)


def test_import_replaces_imported_stretches_but_keeps_edits_made_in_tiller(
    tmp_path, team, accounts
):
    mover, by_mail = accounts
    run(tmp_path, DOCUMENT, "--team", "glance")
    AffiliationFactory(
        account=by_mail, organisation=OrganisationFactory(name="Mine"), start=date(2020, 1, 1)
    )
    Affiliation.objects.filter(account=by_mail, organisation__name="Mine").update(
        source=AffiliationSource.EDIT
    )
    changed = json.loads(json.dumps(DOCUMENT))
    changed["users"][0]["companies"] = [{"company_name": "Blue Co", "end_date": None}]

    out = run(tmp_path, changed, "--team", "glance")

    assert stretches(mover) == [("Blue Co", None, None)]
    assert ("Mine", date(2020, 1, 1), None) in stretches(by_mail)
    assert "1 updated" in out and "Kept 1 people's affiliations edited in Tiller" in out


def test_team_people_without_a_record_are_placed_by_the_most_specific_domain(tmp_path, team):
    labs = AccountFactory(server=team.server, username="lab", email="x@labs.blue.example")
    plain = AccountFactory(server=team.server, username="plain", email="y@blue.example")
    idle = AccountFactory(server=team.server, username="idle", email="z@blue.example")
    for account in (labs, plain):
        ChangeFactory(repository=team.repositories.get(), owner=account)

    out = run(tmp_path, {"companies": DOCUMENT["companies"], "users": []}, "--team", "glance")

    assert stretches(labs) == [("Blue Labs", None, None)]
    assert stretches(plain) == [("Blue Co", None, None)]
    assert stretches(idle) == []  # not one of the team's people
    assert Affiliation.objects.get(account=labs).source == AffiliationSource.DOMAIN
    assert "2 people placed by their e-mail domain" in out


def test_import_by_server_matches_that_servers_accounts(tmp_path, team, accounts):
    run(tmp_path, DOCUMENT, "--server", team.server.url)

    assert Affiliation.objects.count() == 4


def test_malformed_json_names_the_file_and_line(tmp_path, team):
    with pytest.raises(CommandError, match=r"default_data\.json: line 3: not valid JSON"):
        run(tmp_path, '{\n  "users": [\n    {"launchpad_id": "x",,}\n  ]\n}', "--team", "glance")
    assert Affiliation.objects.count() == 0


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ({"launchpad_id": "x"}, r"users\[0\] \(x\): companies must be a non-empty list"),
        (
            {"launchpad_id": "x", "companies": [{"company_name": "A", "end_date": "March"}]},
            r"users\[0\] \(x\) companies\[0\]: end_date 'March' is not a date",
        ),
        (
            {
                "launchpad_id": "x",
                "companies": [{"company_name": "A"}, {"company_name": "B", "end_date": None}],
            },
            r"companies\[0\] has no end_date but is not the last",
        ),
    ],
)
def test_bad_entries_are_refused_with_the_entry_named(tmp_path, team, user, message):
    with pytest.raises(CommandError, match=message):
        run(tmp_path, {"users": [user]}, "--team", "glance")


def test_unknown_team_and_missing_file_are_one_line_errors(tmp_path, team):
    with pytest.raises(CommandError, match="No team called 'nova'"):
        run(tmp_path, DOCUMENT, "--team", "nova")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_affiliations", str(tmp_path / "missing.json"), "--team", "glance")
