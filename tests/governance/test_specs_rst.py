"""Reading one spec file: title, blueprint, authors, safe HTML, and clear errors."""

from __future__ import annotations

import pytest

from dashboard.governance.specs_rst import (
    RstError,
    parse_lite_specs,
    parse_spec,
    render_html,
    slugify_title,
)
from tests.governance.spec_trees import lite_specs_text, spec_text


def test_spec_title_blueprint_and_primary_assignee_come_from_the_text() -> None:
    spec = parse_spec(
        spec_text("Add community images", blueprint="community-images", assignee="rosmaita")
    )

    assert spec.title == "Add community images"
    assert spec.blueprint_url == "https://blueprints.launchpad.net/glance/+spec/community-images"
    assert spec.authors == ("rosmaita",)
    assert "Problem description</h2>" in spec.html
    assert "Something is missing." in spec.html
    assert "Add community images" not in spec.html  # the page shows the title itself


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("Primary assignee:\n  <juan-m-olle>\n", ("juan-m-olle",)),
        (
            "Primary assignee:\n  dansmith or abhishekk\n\nOther contributors:\n  None\n",
            ("dansmith", "abhishekk"),
        ),
        ("Primary assignee:\n  <launchpad-id or None>\n", ()),
        (
            "Primary assignee:\n  alice\n\nOther contributors:\n  bob\n  carol\n",
            ("alice", "bob", "carol"),
        ),
        (":assignee: Mike Fedosin\n", ("Mike Fedosin",)),
    ],
)
def test_authors_are_the_named_assignees_not_placeholders(
    block: str, expected: tuple[str, ...]
) -> None:
    text = "Title\n=====\n\nWork Items\n----------\n\n" + block
    assert parse_spec(text).authors == expected


def test_lite_specs_file_gives_one_spec_per_section_without_the_template() -> None:
    specs = parse_lite_specs(lite_specs_text("Replace mox with mock", "Add vhdx disk format"))

    assert [spec.title for spec in specs] == ["Replace mox with mock", "Add vhdx disk format"]
    assert [spec.slug for spec in specs] == ["replace-mox-with-mock", "add-vhdx-disk-format"]
    assert specs[0].authors == ("Jane Doe",)
    assert "Replace mox with mock is needed" in specs[0].html
    assert "vhdx" not in specs[0].html  # each spec's text is its own section only


def test_lite_specs_file_with_only_the_template_holds_no_spec() -> None:
    assert parse_lite_specs(lite_specs_text()) == []


def test_malformed_rst_names_the_line() -> None:
    text = "Title\n=====\n\nSome text\n\n====\nBad\n======\n"
    with pytest.raises(RstError) as caught:
        parse_spec(text)
    assert caught.value.line == 6
    assert "overline" in caught.value.message.lower()


def test_sphinx_roles_and_directives_are_not_errors() -> None:
    text = "Title\n=====\n\nSee :ref:`other` and :doc:`x`.\n\n.. toctree::\n   :glob:\n\n   *\n"
    assert parse_spec(text).title == "Title"


def test_a_file_without_a_heading_is_an_error() -> None:
    with pytest.raises(RstError, match="no title"):
        parse_spec("just a paragraph\n")


@pytest.mark.parametrize(
    "text",
    [
        "T\n=\n\n.. raw:: html\n\n   <script>alert(1)</script>\n",
        "T\n=\n\n.. include:: /etc/passwd\n",
        "T\n=\n\n`x <javascript:alert(1)>`_\n",
    ],
)
def test_rendered_html_runs_no_script_and_reads_no_file(text: str) -> None:
    html = render_html(text)
    assert "<script" not in html
    assert "root:" not in html
    assert "javascript:" not in html


def test_slug_of_a_title_keeps_words_only() -> None:
    assert slugify_title("Add `vhdx` to list of supported disk formats") == (
        "add-vhdx-to-list-of-supported-disk-formats"
    )


def test_lite_specs_file_with_one_spec_and_no_template_keeps_its_title() -> None:
    specs = parse_lite_specs(lite_specs_text("Replace mox with mock", template=False))
    assert [spec.title for spec in specs] == ["Replace mox with mock"]


def test_lite_specs_file_without_a_file_title_reads_each_section() -> None:
    text = "Only spec\n---------\n\n:problem: x\n\nEnd of Only spec\n++++++++++++++++\n"
    assert [spec.title for spec in parse_lite_specs(text)] == ["Only spec"]
