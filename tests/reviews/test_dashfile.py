"""dashfile: .dash text to dataclasses and back, errors with lines, the dash-creator URL."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from dashboard.reviews.dashfile import (
    Dashboard,
    DashFileError,
    DashSection,
    gerrit_url,
    parse_dash,
    to_dash_text,
)

GOOD = """\
[dashboard]
title = Glance Review Dashboard
description = Glance review requests
foreach = (project:openstack/glance OR
           project:openstack/glance_store) status:open

# a comment
[section "Needs Approval"]
query = label:Verified>=1 label:Code-Review>=2

[section "Everything"]
query =
"""


def corpus_files(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "dashboards").rglob("*.dash"))


def test_a_dash_file_becomes_a_dashboard_with_lines():
    dashboard = parse_dash(GOOD, source="glance.dash")
    assert dashboard == Dashboard(
        title="Glance Review Dashboard",
        description="Glance review requests",
        foreach="(project:openstack/glance OR\nproject:openstack/glance_store) status:open",
        sections=(
            DashSection("Needs Approval", "label:Verified>=1 label:Code-Review>=2"),
            DashSection("Everything", ""),
        ),
    )
    assert dashboard.foreach_line == 4
    assert dashboard.foreach_line_of(dashboard.foreach.index("status")) == 5
    assert [(s.line, s.query_line) for s in dashboard.sections] == [(8, 9), (11, 12)]


def test_export_round_trips():
    dashboard = parse_dash(GOOD)
    assert parse_dash(to_dash_text(dashboard)) == dashboard
    assert to_dash_text(dashboard).startswith("[dashboard]\ntitle = Glance Review Dashboard\n")


def problems(text: str) -> list[str]:
    with pytest.raises(DashFileError) as caught:
        parse_dash(text, source="bad.dash")
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[section "A"]\nquery = status:open\n',
            ["bad.dash:1: no [dashboard] section"],
        ),
        (
            '[dashboard]\nforeach = status:open\n\n[section "A"]\nquery = owner:self\n',
            ['bad.dash:1: [dashboard] has no "title"'],
        ),
        (
            '[dashboard]\ntitle = T\nforeach = status:open\n\n[section "A"]\nlimit = 5\n',
            ['bad.dash:5: section "A" has no query'],
        ),
        (
            '[dashboard]\ntitle = T\nforeach = status:open\n[section "A"]\nquery = x:y\n'
            '[section "A"]\nquery = owner:self\n',
            [
                'bad.dash:5: query of section "A" does not parse: Unsupported operator "x" at '
                "position 0 (column 1)",
                'bad.dash:6: duplicate section [section "A"] (first at line 4)',
            ],
        ),
        (
            '[dashboard]\ntitle = T\nforeach = status:open\n\n[section "A"]\n'
            "query = owner:self\n  age:5x\n",
            [
                'bad.dash:7: query of section "A" does not parse: Invalid age "5x" at position '
                "11: use a number and a unit, e.g. 5d, 2weeks, 3h (column 1)"
            ],
        ),
        (
            "title = T\n[dashboard]\ntitle = T\ntitle = U\n",
            [
                "bad.dash:1: text before the first [section] header",
                'bad.dash:2: [dashboard] has no "foreach"',
                'bad.dash:4: duplicate key "title" in [dashboard] (first at line 3)',
            ],
        ),
        (
            "[dashboard]\ntitle = T\nforeach = status:open (\n[bogus]\nquery = a\n",
            [
                'bad.dash:3: foreach does not parse: Expected a search term after "(" at '
                "position 12, found the end of the query (position 13) (column 14)",
                'bad.dash:4: unknown header [bogus]: use [dashboard] or [section "Name"]',
            ],
        ),
    ],
    ids=[
        "no-dashboard",
        "no-title",
        "no-query",
        "duplicate-and-bad-query",
        "bad-continuation",
        "several",
        "bad-foreach-and-header",
    ],
)
def test_every_problem_is_reported_with_its_line(text, expected):
    assert problems(text) == expected


def test_an_unterminated_section_name_is_read_as_configparser_does_with_a_warning():
    dashboard = parse_dash('[dashboard]\ntitle = T\nforeach = status:open\n[section "B]\nquery =\n')
    assert dashboard.sections == (DashSection("B", ""),)
    assert [str(w) for w in dashboard.warnings] == [
        '<string>:4: section header [section "B] should be [section "B"]'
    ]


def test_every_corpus_file_parses_as_configparser_reads_it_and_round_trips(shared_data):
    files = corpus_files(shared_data)
    assert len(files) == 83
    sections = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        dashboard = parse_dash(text, source=path.name)
        reference = configparser.ConfigParser()
        reference.read_string(text)
        assert dashboard.title == reference["dashboard"]["title"], path
        assert dashboard.foreach == reference["dashboard"]["foreach"], path
        assert [(s.name, s.query) for s in dashboard.sections] == [
            (name.removeprefix("section ").strip('"'), reference[name]["query"])
            for name in reference.sections()
            if name.startswith("section")
        ], path
        assert parse_dash(to_dash_text(dashboard)) == dashboard, path
        assert parse_dash(to_dash_text(parse_dash(to_dash_text(dashboard)))) == dashboard
        sections += len(dashboard.sections)
    assert sections == 566


def test_the_gerrit_url_is_the_one_gerrit_dash_creator_printed(shared_data):
    # creator.py (Python 2): urlencode of a dict iterates foreach before title; foreach
    # commas become %2c first and are encoded again (%252c); "&" then "&name=query".
    dashboard = parse_dash(
        (shared_data / "dashboards/dashboards/neutron-infra.dash").read_text(encoding="utf-8")
    )
    assert gerrit_url(dashboard) == (
        "https://review.openstack.org/#/dashboard/?"
        "foreach=%28project%3Aopenstack-infra%2Fproject-config+OR+"
        "project%3Aopenstack-infra%2Fopenstack-zuul-jobs+OR+"
        "project%3Aopenstack-infra%2Fdevstack-gate%29+status%3Aopen+NOT+owner%3Aself+"
        "NOT+label%3AWorkflow%3C%3D-1+label%3AVerified%3E%3D1%252czuul+NOT+reviewedby%3Aself"
        "&title=Neutron+Infra+Review+Inbox"
        "&&Neutron+related+infra+reviews="
        "%28message%3A%22neutron%22+OR+message%3A%22networking-%22+OR+message%3A%22n8g-%22+OR+"
        "message%3A%22ovsdbapp%22+OR+%28comment%3A%22neutron%22+%28comment%3A%22liaison%22+OR+"
        "comment%3A%22liason%22%29%29%29"
    )


def test_the_gerrit_url_uses_the_server_given_then_the_file_baseurl():
    dashboard = parse_dash(
        GOOD.replace("[section", "baseurl = https://g.example/#/dashboard/?\n[section", 1)
    )
    assert gerrit_url(dashboard).startswith("https://g.example/#/dashboard/?foreach=")
    assert gerrit_url(dashboard, server_url="https://review.opendev.org/").startswith(
        "https://review.opendev.org/#/dashboard/?foreach=%28project"
    )
    assert gerrit_url(dashboard).endswith(
        "&title=Glance+Review+Dashboard&&Needs+Approval="
        "label%3AVerified%3E%3D1+label%3ACode-Review%3E%3D2&Everything="
    )
