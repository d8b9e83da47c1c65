"""The dashboard and query commands: thin, compiler-like messages, never a traceback."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from dashboard.reviews.models import Dashboard, GerritIdentity
from tests.gerrit.factories import AccountFactory, ChangeFactory, RepositoryFactory, TeamFactory

HEAD = "[dashboard]\ntitle = T\nforeach = status:open\n"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_exit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run as ``manage.py`` does, returning the exit status and output."""
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", *args])
    captured = capsys.readouterr()
    return exited.value.code, captured.out, captured.err


# --- check_dashboard ---------------------------------------------------------------------


def test_check_dashboard_accepts_the_whole_corpus_with_pinned_warnings(shared_data: Path):
    out = run("check_dashboard", str(shared_data / "dashboards"))
    lines = out.splitlines()
    assert lines[-1] == "83 files, 566 sections, 0 errors, 137 warnings"
    warnings = [line for line in lines[:-1] if ": warning: " in line]
    assert len(warnings) == len(lines) - 1 == 137
    glance = str(shared_data / "dashboards/dashboards/glance.dash")
    assert (
        f'{glance}:16: warning: "Bug Fixes without Negative Feedback": topic:^bug.* is an exact '
        "match since Gerrit 2.12"
    ) in out
    designate = str(shared_data / "dashboards/dashboards/designate-ptl-overview.dash")
    assert (
        f'{designate}:13: warning: section header [section "Backports] should be '
        '[section "Backports"]'
    ) in out


def test_check_dashboard_lists_every_error_with_file_and_line(tmp_path, capsys):
    files = {
        "no_query.dash": HEAD + '\n[section "A"]\nquery = owner:self\n[section "B"]\n',
        "bad_query.dash": HEAD + '[section "A"]\nquery = status:open\n    age:5x\n',
        "no_dashboard.dash": '[section "A"]\nquery = status:open\n',
        "duplicate.dash": HEAD + '[section "A"]\nquery = is:open\n[section "A"]\nquery = x\n',
        "fine.dash": HEAD + '[section "A"]\nquery = topic:^bug.*\n',
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    status, out, err = run_exit(
        capsys, "check_dashboard", *sorted(str(tmp_path / f) for f in files)
    )
    assert status == 1
    listing = [line.replace(f"{tmp_path}/", "") for line in out.splitlines()]
    assert listing == [
        'bad_query.dash:6: query of section "A" does not parse: Invalid age "5x" at position '
        "12: use a number and a unit, e.g. 5d, 2weeks, 3h (column 1)",
        'duplicate.dash:6: duplicate section [section "A"] (first at line 4)',
        'fine.dash:5: warning: "A": topic:^bug.* is an exact match since Gerrit 2.12: it '
        'matches only a topic spelled "^bug.*" literally; use intopic:^bug.* for a regular '
        "expression [topic-regex]",
        "no_dashboard.dash:1: no [dashboard] section",
        'no_query.dash:7: section "B" has no query',
    ]
    assert err.strip() == "CommandError: 5 files, 1 sections, 4 errors, 1 warning"


def test_check_dashboard_reports_an_unreadable_file(tmp_path):
    with pytest.raises(CommandError, match="1 file, 0 sections, 1 error, 0 warnings"):
        run("check_dashboard", str(tmp_path / "missing.dash"))


# --- import_dashboard / export_dashboard -------------------------------------------------


@pytest.mark.django_db
def test_import_then_export_a_dashboard(tmp_path):
    team = TeamFactory(name="glance")
    path = tmp_path / "glance.dash"
    text = HEAD + '\n[section "Mine"]\nquery = owner:self\n'
    path.write_text(text)
    assert run("import_dashboard", str(path), "--team", "glance") == (
        f"Imported {path} as 'glance': T (1 sections)\n"
    )
    assert Dashboard.objects.get().team == team
    assert run("export_dashboard", "--team", "glance", "glance") == text


@pytest.mark.django_db
def test_import_and_export_mistakes_are_command_errors(tmp_path):
    TeamFactory(name="glance")
    bad = tmp_path / "bad.dash"
    bad.write_text('[section "A"]\nquery = is:open\n')
    with pytest.raises(CommandError, match=r"bad.dash:1: no \[dashboard\] section"):
        run("import_dashboard", str(bad), "--team", "glance")
    with pytest.raises(CommandError, match='No team named "nova"'):
        run("import_dashboard", str(bad), "--team", "nova")
    with pytest.raises(CommandError, match=r'No dashboard "x" for team "glance" \(team dashboards'):
        run("export_dashboard", "--team", "glance", "x")


# --- gerrit_query ------------------------------------------------------------------------


@pytest.fixture
def glance(db):
    team = TeamFactory(name="glance")
    repository = RepositoryFactory(team=team, name="openstack/glance")
    owner = AccountFactory(server=team.server, username="ana")
    changes = [
        ChangeFactory(repository=repository, owner=owner, subject="Fix the cache"),
        ChangeFactory(repository=repository, branch="stable/zed", subject="Backport"),
    ]
    other = RepositoryFactory(team=TeamFactory(server=team.server), name="openstack/nova")
    ChangeFactory(repository=other, subject="Not Glance")
    return team, owner, changes


def test_gerrit_query_prints_json_rows(glance):
    team, owner, (fix, backport) = glance
    rows = json.loads(run("gerrit_query", "status:open", "--team", "glance", "--format", "json"))
    assert sorted(row["number"] for row in rows) == [fix.number, backport.number]
    row = next(row for row in rows if row["number"] == fix.number)
    assert row == {
        "number": fix.number,
        "project": "openstack/glance",
        "branch": "master",
        "status": "NEW",
        "subject": "Fix the cache",
        "updated": fix.updated.isoformat(),
        "owner": "ana",
        "url": f"{team.server.url}/c/{fix.number}",
    }
    limited = json.loads(
        run("gerrit_query", "branch:^stable/.*", "--team", "glance", "--format", "json")
    )
    assert [row["number"] for row in limited] == [backport.number]
    capped = json.loads(
        run("gerrit_query", "is:open", "--team", "glance", "--format", "json", "--limit", "1")
    )
    assert len(capped) == 1


def test_gerrit_query_uses_the_user_as_self(glance):
    team, owner, (fix, _) = glance
    user = User.objects.create_user("ana")
    GerritIdentity.objects.create(user=user, account=owner)
    out = run("gerrit_query", "owner:self", "--team", "glance", "--user", "ana")
    assert out.splitlines()[-1] == "1 change"
    assert str(fix.number) in out and "Fix the cache" in out


def test_gerrit_query_with_self_needs_a_user(glance):
    with pytest.raises(CommandError) as caught:
        run("gerrit_query", "status:open owner:self", "--team", "glance")
    assert str(caught.value) == (
        "this query uses self: pass --user\n  status:open owner:self\n              ^"
    )


def test_gerrit_query_points_at_a_syntax_error(glance, capsys):
    status, out, err = run_exit(capsys, "gerrit_query", "status:open age:5x", "--team", "glance")
    assert status == 1
    assert err.splitlines()[1:] == ["  status:open age:5x", "              ^"]
    assert err.startswith('CommandError: Invalid age "5x" at position 12')


def test_gerrit_query_needs_a_known_team(glance):
    with pytest.raises(CommandError, match='No team named "nova"'):
        run("gerrit_query", "is:open", "--team", "nova")


def test_gerrit_query_says_when_the_user_has_no_gerrit_account(glance):
    User.objects.create_user("bob")
    with pytest.raises(CommandError, match='owner:self: user "bob" has no Gerrit account linked'):
        run("gerrit_query", "owner:self", "--team", "glance", "--user", "bob")
    with pytest.raises(CommandError, match='No Tiller user named "carol"'):
        run("gerrit_query", "owner:self", "--team", "glance", "--user", "carol")
