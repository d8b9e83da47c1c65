"""The priorities-file parser: cell shapes by table, errors with FILE:LINE, real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.governance.priorities_rst import (
    Link,
    LinkTarget,
    PriorityFileError,
    link_target,
    parse_priorities,
)


def _list_table(*rows: tuple[str, str, str]) -> str:
    lines = [
        "Title",
        "=====",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - Priority Item",
        "     - Owner(s)",
        "     - Spec(s)",
    ]
    for title, owners, specs in rows:
        lines += [f"   * - {title}", f"     - {owners}", f"     - {specs}"]
    lines += ["", ".. _Ann Example: https://launchpad.net/~ann", ".. _spec a: https://x.org/a"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("owners", "expected"),
    [
        ("`Ann Example`_", ("Ann Example",)),
        ("`Ann Example`_, `Bo Nyberg`_", ("Ann Example", "Bo Nyberg")),
        ("unassigned", ()),
        ("Unassigned", ()),
        ("Ann, Bo", ("Ann", "Bo")),
        ("was `Ann Example`_, seeking new owner", ("was Ann Example, seeking new owner",)),
    ],
)
def test_owner_cells_give_names_as_written(owners, expected):
    parsed = parse_priorities(_list_table(("Thing", owners, "None")))
    assert parsed.priorities[0].owners == expected


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        ("`spec a`_", (Link("spec a", "https://x.org/a"),)),
        ("None", ()),
        ("No Spec yet", ()),
        ("No Spec Yet", ()),
        ("a bug somewhere", (Link("a bug somewhere"),)),
        (
            ":doc:`../specs/ocata/approved/glance/rolling-upgrades`",
            (
                Link(
                    "../specs/ocata/approved/glance/rolling-upgrades",
                    "../specs/ocata/approved/glance/rolling-upgrades",
                ),
            ),
        ),
        ("`missing target`_", (Link("missing target"),)),
    ],
)
def test_spec_cells_give_links_or_words(specs, expected):
    parsed = parse_priorities(_list_table(("Thing", "Ann", specs)))
    assert parsed.priorities[0].specs == expected


def test_bulleted_cells_give_one_entry_per_bullet():
    text = _list_table(("Thing", "* `Ann Example`_\n       * Bo Nyberg", "* `spec a`_"))
    item = parse_priorities(text).priorities[0]
    assert item.owners == ("Ann Example", "Bo Nyberg")
    assert item.specs == (Link("spec a", "https://x.org/a"),)


def test_grid_table_cells_spanning_lines_are_joined_and_side_sections_kept():
    text = """Title
=====

+------------------+--------------+-------+
| Priority         | Owner(s)     | Specs |
+==================+==============+=======+
| Improved Help    | Ann,         |       |
| Text             | Bo           |       |
+------------------+--------------+-------+

Side Priorities
---------------

+------------------+--------------+-------+
| Priority         | Owner(s)     | Specs |
+==================+==============+=======+
| Later thing      | Cy           |       |
+------------------+--------------+-------+
"""
    items = parse_priorities(text).priorities
    assert [(i.title, i.owners, i.section) for i in items] == [
        ("Improved Help Text", ("Ann", "Bo"), ""),
        ("Later thing", ("Cy",), "Side Priorities"),
    ]


def test_other_tables_and_extra_columns():
    text = """T
=

.. list-table::
   :header-rows: 1

   * - Priority Item
     - Owner(s)
     - Spec(s)
     - Target release milestone
   * - One
     - Ann
     - None
     - M2

.. list-table::
   :header-rows: 1

   * - Milestone
     - Week of
   * - R-5
     - Jan 22
"""
    items = parse_priorities(text).priorities
    assert [(i.title, i.extra, i.line) for i in items] == [
        ("One", {"Target release milestone": "M2"}, 11)
    ]


def test_a_file_without_table_gives_its_top_level_bullets():
    text = "T\n=\n\nTop:\n\n* First thing\n* Second:\n\n  * detail a\n  * detail b\n"
    items = parse_priorities(text).priorities
    assert [(i.title, i.description) for i in items] == [
        ("First thing", ""),
        ("Second", "detail a\ndetail b"),
    ]


def test_a_todo_file_has_no_priorities():
    parsed = parse_priorities("T\n=\n\nTODO: fill this in after the PTG\n")
    assert parsed.title == "T"
    assert parsed.priorities == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _list_table(("One", "Ann", "None")).replace("     - None\n", ""),
            "x.rst:4: Error parsing content block",
        ),
        (
            "T\n=\n\n+-----+-----+\n| Priority | Owner(s) |\n+=====+=====+\n| a   | b   |\n"
            "+-----+-----+\n",
            "x.rst:5: Malformed table",
        ),
        (
            _list_table(("", "Ann", "None")),
            "x.rst:11: row without a priority title",  # the row's first words
        ),
    ],
)
def test_malformed_files_report_file_and_line(text, message):
    with pytest.raises(PriorityFileError) as error:
        parse_priorities(text, path="x.rst")
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://specs.openstack.org/openstack/glance-specs/specs/ocata/approved/glance/"
            "rolling-upgrades.html",
            LinkTarget(slugs=("rolling-upgrades",), deliverable="glance"),
        ),
        (
            "https://specs.openstack.org/openstack/glance-specs/specs/pike/approved/glance/"
            "lite-specs.html#community-goal-support-python-3-5",
            LinkTarget(
                slugs=("community-goal-support-python-3-5", "lite-specs"), deliverable="glance"
            ),
        ),
        ("https://review.openstack.org/#/c/232371/", LinkTarget(change_number=232371)),
        (
            "https://review.opendev.org/c/openstack/glance-specs/+/880030",
            LinkTarget(change_number=880030),
        ),
        ("https://review.opendev.org/669201", LinkTarget(change_number=669201)),
        ("https://bugs.launchpad.net/glance/+bug/1570946", LinkTarget()),
        (
            "../specs/ocata/approved/glance/rolling-upgrades",
            LinkTarget(slugs=("rolling-upgrades",), deliverable="glance"),
        ),
        ("", LinkTarget()),
    ],
)
def test_link_targets(url, expected):
    assert link_target(Link("words", url)) == expected


# The real files of glance-specs, read by hand: (file, count, first titles, owners of one).
REAL = [
    (
        "mitaka",
        3,
        ["DefCore Updates", "Image Import Refactor"],
        1,
        ("Brian Rosmaita", "Stuart Mclaren"),
    ),
    (
        "newton",
        6,
        ["DefCore Updates", "Image Import Refactor"],
        2,
        ("Flavio Percoco", "Mike Fedosin", "Sudipta Biswas", "Nikhil Komawar"),
    ),
    (
        "ocata",
        4,
        ['OpenStack "Community" Goal', "Community Images"],
        3,
        ("Hemanth Makkapati", "Alexander Bashmakov"),
    ),
    (
        "pike",
        3,
        ["Image Import Refactor", 'OpenStack Pike "Community" Goal 1'],
        1,
        ("was Alexander Bashmakov, seeking new owner",),
    ),
    ("queens", 10, ["Image Import Refactor", "Inject Metadata Automatically"], 4, ()),
    ("rocky", 0, [], None, None),
    ("stein", 0, [], None, None),
    (
        "train",
        5,
        ["Release glance_store 1.0.0", "Getting multi-store moved away from Experimental"],
        4,
        (),
    ),
    (
        "ussuri",
        15,
        ["Remove native ssl support", "Import image in multiple stores"],
        1,
        ("Grégoire Unbekandt",),
    ),
    ("victoria", 0, [], None, None),
    ("2023.1", 0, [], None, None),
    ("2023.2", 8, ["New Location APIs", "RBD Trash"], 1, ("Eric Harney",)),
    ("2024.1", 7, ["New Location APIs", "Centralize DB for cache"], 6, ("Josephine Seifert",)),
    (
        "2024.2",
        7,
        ["Deprecate metadata_encryption_key", "New Location APIs"],
        4,
        ("Cyril Roelandt",),
    ),
    ("2026.2", 0, [], None, None),
]


@pytest.mark.parametrize(("cycle", "count", "first", "index", "owners"), REAL)
def test_real_priorities_files(shared_data: Path, cycle, count, first, index, owners):
    path = shared_data / "specs" / "glance-specs" / "priorities" / f"{cycle}-priorities.rst"
    parsed = parse_priorities(path.read_text(), path=path.name)
    assert len(parsed.priorities) == count
    assert [p.title for p in parsed.priorities[:2]] == first
    if index is not None:
        assert parsed.priorities[index].owners == owners


def test_real_newton_side_priority_and_ocata_specs(shared_data: Path):
    folder = shared_data / "specs" / "glance-specs" / "priorities"
    newton = parse_priorities((folder / "newton-priorities.rst").read_text())
    side = newton.priorities[-1]
    assert (side.title, side.section) == (
        "Improved Help Text For Config Options",
        "Side Priorities",
    )
    assert side.specs == (Link("helptext", "https://bugs.launchpad.net/glance/+bug/1570946"),)
    ocata = parse_priorities((folder / "ocata-priorities.rst").read_text())
    rolling = ocata.priorities[3]
    assert [s.text for s in rolling.specs] == [
        "rolling upgrades",
        "database strategy",
        "alembic migrations",
    ]
    ussuri = parse_priorities((folder / "ussuri-priorities.rst").read_text())
    assert ussuri.priorities[11].title == "image-import.conf parsing issue with uwsgi"
    assert ussuri.priorities[11].owners == ()
    assert ussuri.priorities[14].extra == {"Target release milestone": "M3"}
