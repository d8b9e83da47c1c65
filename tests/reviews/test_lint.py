"""lint: queries that parse but do not mean what their authors meant (facts §6.6)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dashboard.reviews import lint as rules
from dashboard.reviews.dashfile import parse_dash
from dashboard.reviews.lint import lint
from dashboard.reviews.query import QuerySyntaxError


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("topic:^bug/.* status:open", [(rules.TOPIC_REGEX, 0)]),
        ('status:open topic:"^bp.*"', [(rules.TOPIC_REGEX, 12)]),
        ("intopic:^bug/.*", []),
        ("topic:formal-vote", []),
        ("label:Code-Review<=0", [(rules.LABEL_INCLUDES_ZERO, 0)]),
        ("label:Verified<1,zuul", [(rules.LABEL_INCLUDES_ZERO, 0)]),
        ("label:Code-Review=0", []),  # explicit 0: "no vote", as meant
        ("label:Code-Review>=1 label:Code-Review<=-1", []),
        ("NOT label:Code-Review>=-2", [(rules.LABEL_TAUTOLOGY, 4)]),
        ("status:open NOT label:Code-Review<=2", [(rules.LABEL_TAUTOLOGY, 16)]),
        ("label:Code-Review<=2", [(rules.LABEL_TAUTOLOGY, 0)]),
        ("NOT label:Code-Review>=0,self", [(rules.NEGATED_SELF_RANGE, 4)]),
        ("label:Code-Review>=0,self", [(rules.LABEL_INCLUDES_ZERO, 0)]),
        ("NOT label:Code-Review<=-1,self", []),
        ("label:Review-Priority==1", [(rules.DOUBLE_EQUALS, 0)]),
        ("label:Code-Review", [(rules.BARE_LABEL, 0)]),
        ("NOT label:Code-Review,self", [(rules.BARE_LABEL, 4)]),
        ("label:Code-Review-1 label:Code-Review+2 label:Workflow=ANY", []),
        ("starredby:self", [(rules.REMOVED, 0)]),
        ("starredby:notmyname", [(rules.UNANSWERABLE, 0), (rules.REMOVED, 0)]),
        ("is:watched", [(rules.UNANSWERABLE, 0)]),
        ("is:mergeable", [(rules.REMOVED, 0)]),
        ("is:starred is:wip", []),
        (
            "NOT (reviewerin:nova-core label:Code-Review<=-1)",
            [(rules.REVIEWERIN_UNATTRIBUTED, 5)],
        ),
        ("reviewerin:nova-core label:Code-Review<=-1,nova-core", []),
        ("reviewerin:nova-core OR label:Code-Review<=-1", []),
        ("openstack/os-api-ref", [(rules.BARE_PROJECT, 0)]),
        ("project:openstack/os-api-ref fix", []),
    ],
)
def test_lint_warns_where_the_query_does_not_say_what_it_means(query, expected):
    assert [(w.kind, w.position) for w in lint(query)] == expected


def test_every_warning_explains_itself():
    (warning,) = lint("topic:^bug.*")
    assert "intopic:^bug.*" in warning.message
    (warning,) = lint("NOT label:Code-Review>=0,self")
    assert "NOT label:Code-Review<=-1,self NOT label:Code-Review>=1,self" in warning.message


def test_lint_refuses_queries_that_do_not_parse():
    with pytest.raises(QuerySyntaxError):
        lint("status:open (")


# (file, kind) for every warning in the OpenStack corpus; the counts match facts §6.6 where it
# counts the same thing (topic:^… 15 in 6 files, tautologies 2+3, NOT …>=0,self 2, == 2,
# bare label 1, reviewerin 24 in 10 files, bare project 4, starredby 35 + is:mergeable 12).
CORPUS_KIND_COUNTS = {
    rules.TOPIC_REGEX: 15,
    rules.LABEL_TAUTOLOGY: 5,
    rules.NEGATED_SELF_RANGE: 2,
    rules.DOUBLE_EQUALS: 2,
    rules.BARE_LABEL: 1,
    rules.REVIEWERIN_UNATTRIBUTED: 24,
    rules.BARE_PROJECT: 4,
    rules.REMOVED: 47,
    rules.UNANSWERABLE: 35,
    rules.LABEL_INCLUDES_ZERO: 1,
}
CORPUS_FILE_KINDS = {
    "dashboards/chef_watched.dash": {rules.UNANSWERABLE},
    "dashboards/cinder.dash": {rules.TOPIC_REGEX},
    "dashboards/compute-drivers.dash": {rules.REMOVED},
    "dashboards/config-core.dash": {rules.REMOVED},
    "dashboards/cross-project.dash": {rules.BARE_LABEL},
    "dashboards/designate-ptl-overview.dash": {rules.DOUBLE_EQUALS},
    "dashboards/doc.dash": {rules.BARE_PROJECT},
    "dashboards/fuel-logging-monitoring-alarming.dash": {rules.BARE_PROJECT},
    "dashboards/glance.dash": {rules.TOPIC_REGEX},
    "dashboards/heat.dash": {rules.NEGATED_SELF_RANGE},
    "dashboards/horizon-stable.dash": {rules.REVIEWERIN_UNATTRIBUTED},
    "dashboards/magnum.dash": {rules.NEGATED_SELF_RANGE},
    "dashboards/networking-midonet.dash": {rules.REVIEWERIN_UNATTRIBUTED},
    "dashboards/neutron-subprojects-stable.dash": {rules.REVIEWERIN_UNATTRIBUTED},
    "dashboards/neutron-subprojects.dash": {rules.REVIEWERIN_UNATTRIBUTED},
    "dashboards/neutron.dash": {rules.REVIEWERIN_UNATTRIBUTED},
    "dashboards/new-contributors.dash": {rules.LABEL_INCLUDES_ZERO},  # label:Verified<1,zuul
    "dashboards/nova-specs.dash": {rules.LABEL_TAUTOLOGY},
    "dashboards/nova-stable-by-branch.dash": {rules.REVIEWERIN_UNATTRIBUTED},
    "dashboards/nova-stable.dash": {rules.REVIEWERIN_UNATTRIBUTED},
    "dashboards/octavia.dash": {rules.REVIEWERIN_UNATTRIBUTED},
    "dashboards/openstack-ansible.dash": {rules.REMOVED, rules.UNANSWERABLE},
    "dashboards/oslo.dash": {rules.TOPIC_REGEX},
    "dashboards/rally.dash": {rules.REMOVED, rules.TOPIC_REGEX, rules.UNANSWERABLE},
    "dashboards/stable.dash": {rules.REVIEWERIN_UNATTRIBUTED},
    "dashboards/starred.dash": {rules.TOPIC_REGEX},
    "dashboards/swift-project.dash": {rules.REMOVED, rules.UNANSWERABLE},
    "dashboards/swift.dash": {rules.REMOVED, rules.UNANSWERABLE},
    "dashboards/tap-as-a-service.dash": {rules.REVIEWERIN_UNATTRIBUTED},
    "dashboards/tooz_taskflow.dash": {rules.LABEL_TAUTOLOGY},
    "dashboards/trove.dash": {rules.REMOVED, rules.UNANSWERABLE},
    "dashboards/upgrades-squad.dash": {rules.REMOVED},
    "dashboards/watched.dash": {rules.UNANSWERABLE},
    "dashboards/zaqar.dash": {rules.TOPIC_REGEX},
    "personal/harlowja-misc.dash": {rules.LABEL_TAUTOLOGY},
}


def test_linting_the_corpus_finds_what_facts_6_6_lists(shared_data: Path):
    counts: Counter[str] = Counter()
    found: dict[str, set[str]] = {}
    root = shared_data / "dashboards"
    for path in sorted(root.rglob("*.dash")):
        dashboard = parse_dash(path.read_text(encoding="utf-8"))
        for query in (dashboard.foreach, *(s.query for s in dashboard.sections)):
            for warning in lint(query) if query.strip() else ():
                counts[warning.kind] += 1
                found.setdefault(path.relative_to(root).as_posix(), set()).add(warning.kind)
    assert found == CORPUS_FILE_KINDS
    assert counts == CORPUS_KIND_COUNTS
    assert {f for f, kinds in found.items() if rules.TOPIC_REGEX in kinds} == {
        f"dashboards/{name}.dash"
        for name in ("glance", "cinder", "zaqar", "oslo", "rally", "starred")
    }
    assert len([f for f, kinds in found.items() if rules.REVIEWERIN_UNATTRIBUTED in kinds]) == 10
