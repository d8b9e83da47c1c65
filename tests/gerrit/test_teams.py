"""Team definitions from openstack/reviewstats project files."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dashboard.gerrit.models import Repository, Team
from dashboard.gerrit.teams import TeamDefinitionError, parse_team_definition


def test_group_definition_is_read():
    definition = parse_team_definition(
        json.dumps(
            {
                "name": "glance",
                "subprojects": ["openstack/glance", "openstack/glance_store"],
                "core-team-gerrit-group": "glance-core",
            }
        ),
        slug="glance",
    )
    assert definition.name == "glance"
    assert definition.repositories == ("openstack/glance", "openstack/glance_store")
    assert definition.core_group == "glance-core"


def test_core_team_list_is_read_when_there_is_no_group():
    definition = parse_team_definition(
        '{"name": "x", "subprojects": ["a/b"], "core-team": ["alice", "bob"]}', slug="x"
    )
    assert definition.core_usernames == ("alice", "bob")
    assert definition.core_group == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"name": "glance", "subprojects": [', "not valid JSON: Expecting value at line 1"),
        ("[]", "must hold a JSON object"),
        ('{"subprojects": ["a/b"]}', "'name' must be a non-empty string"),
        ('{"name": "glance"}', "'subprojects' must be a non-empty list"),
        ('{"name": "glance", "subprojects": []}', "'subprojects' must be a non-empty list"),
        ('{"name": "g", "subprojects": ["a"], "core-team": "alice"}', "'core-team' must be a list"),
    ],
)
def test_broken_definitions_are_refused_with_the_reason(text, message):
    with pytest.raises(TeamDefinitionError, match=message):
        parse_team_definition(text, slug="glance", source="glance.json")


@pytest.mark.django_db
def test_every_real_reviewstats_project_file_imports(shared_data):
    files = sorted((shared_data / "reviewstats-projects").glob("*.json"))
    assert len(files) > 50
    for path in files:
        call_command(
            "import_team",
            str(path),
            "--gerrit-url",
            "https://review.example.org",
            stdout=StringIO(),
        )
    assert Team.objects.count() == len(files)
    assert Team.objects.get(name="app-catalog").display_name == "Community App Catalog"
    assert Team.objects.filter(name="oslo-messaging").exists()
    glance = Team.objects.get(name="glance")
    assert glance.core_group == "glance-core"
    assert sorted(glance.repositories.values_list("name", flat=True)) == [
        "openstack/glance",
        "openstack/glance-specs",
        "openstack/glance_store",
        "openstack/python-glanceclient",
    ]


@pytest.mark.django_db
def test_reimport_updates_the_team_and_keeps_repositories_the_file_dropped(tmp_path):
    path = tmp_path / "team.json"
    path.write_text('{"name": "t", "subprojects": ["a/one", "a/two"], "core-team": ["alice"]}')
    call_command("import_team", str(path), "--gerrit-url", "http://gerrit.test", stdout=StringIO())
    path.write_text(
        '{"name": "T", "subprojects": ["a/one", "a/three"], "core-team-gerrit-group": "t-c"}'
    )
    out = StringIO()
    call_command("import_team", str(path), "--gerrit-url", "http://gerrit.test", stdout=out)
    team = Team.objects.get(name="team")
    assert (team.display_name, team.core_group, team.core_usernames) == ("T", "t-c", [])
    assert set(Repository.objects.filter(team=team).values_list("name", flat=True)) == {
        "a/one",
        "a/two",
        "a/three",
    }
    assert "a/two is no longer in team.json; kept" in out.getvalue()


@pytest.mark.django_db
def test_import_command_reports_a_missing_file_without_a_traceback(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.json: No such file"):
        call_command("import_team", str(tmp_path / "missing.json"), "--gerrit-url", "http://g.test")
