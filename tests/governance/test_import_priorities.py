"""manage.py import_priorities: thin over the parser and the import service."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dashboard.governance.models import Priority
from tests.gerrit.factories import TeamFactory
from tests.governance.priority_factories import CycleFactory

pytestmark = pytest.mark.django_db

GOOD = """Pike
====

.. list-table::
   :header-rows: 1

   * - Priority Item
     - Owner(s)
     - Spec(s)
   * - Image Import Refactor
     - Erno Kuvaja
     - None
"""


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_priorities", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def team():
    return TeamFactory(name="glance")


def test_cycle_defaults_from_the_file_name_and_reimport_is_idempotent(tmp_path, team):
    CycleFactory(name="pike")
    path = tmp_path / "pike-priorities.rst"
    path.write_text(GOOD)
    assert "1 priorities for glance pike: 1 new, 0 updated, 0 unchanged." in run(
        str(path), "--team", "glance"
    )
    assert "0 new, 0 updated, 1 unchanged." in run(str(path), "--team", "glance")
    assert Priority.objects.count() == 1


def test_malformed_file_is_a_command_error_with_file_and_line(tmp_path, team):
    CycleFactory(name="pike")
    path = tmp_path / "pike-priorities.rst"
    path.write_text(GOOD.replace("     - None\n", ""))
    with pytest.raises(CommandError, match=r"pike-priorities\.rst:4: Error parsing"):
        run(str(path), "--team", "glance")
    assert not Priority.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--team", "nope"), "There is no team named 'nope'"),
        (("--team", "glance", "--cycle", "zz"), "There is no cycle named 'zz'"),
    ],
)
def test_unknown_team_or_cycle(tmp_path, team, args, message):
    path = tmp_path / "pike-priorities.rst"
    path.write_text(GOOD)
    with pytest.raises(CommandError, match=message):
        run(str(path), *args)


def test_missing_file_and_unnamed_cycle(tmp_path, team):
    with pytest.raises(CommandError, match="name the cycle with --cycle"):
        run(str(tmp_path / "notes.rst"), "--team", "glance")
    CycleFactory(name="pike")
    with pytest.raises(CommandError, match="cannot read it"):
        run(str(tmp_path / "pike-priorities.rst"), "--team", "glance")


def test_real_todo_file_imports_nothing(shared_data: Path, team):
    CycleFactory(name="stein")
    path = shared_data / "specs" / "glance-specs" / "priorities" / "stein-priorities.rst"
    assert "lists no priorities yet" in run(str(path), "--team", "glance")


def test_real_queens_file_reports_unresolved_specs(shared_data: Path, team):
    CycleFactory(name="queens")
    path = shared_data / "specs" / "glance-specs" / "priorities" / "queens-priorities.rst"
    out = run(str(path), "--team", "glance", "--cycle", "queens")
    assert "10 priorities for glance queens: 10 new" in out
    assert "10 spec references match no spec in Tiller yet" in out
    assert "  Secure Hash Algorithm Support: multihash" in out
