"""manage.py bench_specs at a tiny size: the report's shape and query counts that do not grow.

The command works in child processes on its own scratch SQLite file, so no test database;
no time is asserted (printing times is the command's job).
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.governance.spec_trees import lite_specs_text, spec_text, write


def bench(path: Path, specs: int) -> dict[str, Any]:
    out = StringIO()
    call_command(
        "bench_specs",
        "--path",
        str(path),
        "--specs",
        str(specs),
        "--runs",
        "2",
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, Any]]:
    tree = write(
        tmp_path_factory.mktemp("glance-specs"),
        {
            "specs/pike/approved/glance/one.rst": spec_text("One"),
            "specs/pike/approved/glance/lite-specs.rst": lite_specs_text("Two", "Three"),
        },
    )
    return {specs: bench(tree, specs) for specs in (200, 600)}


def test_report_has_the_import_and_page_figures(reports: dict[int, dict[str, Any]]) -> None:
    report = reports[200]
    assert report["specs"] == 200
    assert report["database"] == "sqlite"
    assert (report["import"]["specs"], report["import"]["problems"]) == (3, 0)
    assert report["import"]["seconds"] >= 0
    assert set(report["pages"]) == {
        "list",
        "list ?q=cache",
        "list filtered, htmx",
        "spec",
        "untargeted",
        "turnaround",
    }
    for figures in report["pages"].values():
        assert figures["p50_ms"] <= figures["p95_ms"]
        assert figures["queries"] > 0


def test_page_queries_do_not_grow_with_the_number_of_specs(
    reports: dict[int, dict[str, Any]],
) -> None:
    small, large = reports[200]["pages"], reports[600]["pages"]
    assert {name: page["queries"] for name, page in small.items()} == {
        name: page["queries"] for name, page in large.items()
    }


def test_a_missing_tree_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such folder"):
        call_command("bench_specs", "--path", str(tmp_path / "nope"))
