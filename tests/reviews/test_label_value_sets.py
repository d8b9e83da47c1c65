"""Unattributed label tests answered from the change's bit set of current vote values must
match what Gerrit's rule says on the votes themselves ("some current vote in the set, or
nobody voted for 0"), for every comparison form."""

from __future__ import annotations

import pytest

from dashboard.gerrit.models import Change, value_set
from dashboard.reviews.evaluate import SearchContext, search
from dashboard.reviews.query.labels import parse_label
from tests.gerrit.factories import ApprovalFactory, ChangeFactory, RepositoryFactory

pytestmark = pytest.mark.django_db

VOTE_SETS: tuple[tuple[tuple[str, int], ...], ...] = (
    (),
    (("Code-Review", 1),),
    (("Code-Review", 2),),
    (("Code-Review", -1),),
    (("Code-Review", -2), ("Code-Review", 2)),
    (("Code-Review", 1), ("Code-Review", -1)),
    (("Verified", 1),),
    (("Verified", -1), ("Verified", 1)),
    (("Workflow", 1), ("Code-Review", 2), ("Code-Review", 2)),
    (("Workflow", -1),),
)

LABELS = [
    "Code-Review>=1",
    "Code-Review>=2",
    "Code-Review=1",
    "Code-Review<=-1",
    "Code-Review=0",
    "Code-Review>=0",
    "Code-Review<1",
    "Code-Review>-2",
    "Code-Review+1",
    "Code-Review-2",
    "code-review>=2",
    "Code-Review=ANY",
    "Verified>=1",
    "Verified<=-1",
    "Verified=0",
    "Workflow>=1",
    "Workflow=-1",
    "Workflow<=0",
]


@pytest.fixture
def changes():
    repository = RepositoryFactory()
    made = []
    for votes in VOTE_SETS:
        change = ChangeFactory(repository=repository)
        for label, value in votes:
            ApprovalFactory(change=change, label=label, value=value)
        made.append((change, votes))
    return repository.team.server, made


def expected(label_text: str, votes: tuple[tuple[str, int], ...]) -> bool:
    test = parse_label(label_text)
    held = {value for label, value in votes if label.lower() == test.label.lower()}
    return bool(held & test.values) or (0 in test.values and not held)


@pytest.mark.parametrize("label_text", LABELS)
def test_value_set_answer_equals_the_rule_on_the_votes(changes, label_text):
    server, made = changes
    context = SearchContext(server=server)
    found = set(search(f"label:{label_text}", context=context).changes.values_list("pk", flat=True))
    assert found == {change.pk for change, votes in made if expected(label_text, votes)}
    negated = search(f"NOT label:{label_text}", context=context).changes
    assert set(negated.values_list("pk", flat=True)) == {c.pk for c, _ in made} - found


def test_an_unattributed_code_review_test_runs_without_a_vote_subquery(changes):
    server, _ = changes
    sql = str(search("label:Code-Review>=2", context=SearchContext(server=server)).changes.query)
    assert "gerrit_approval" not in sql
    attributed = search("label:Code-Review>=2,owner", context=SearchContext(server=server))
    assert "gerrit_approval" in str(attributed.changes.query)


@pytest.mark.parametrize(
    ("values", "bits"),
    [((), 0), ((1,), 0b100000), ((-2, 2), 0b1000100), ((0, 5, -5), 0), ((-4, 4), 0b100000001)],
)
def test_value_set_sets_bit_v_plus_four_and_ignores_zero_and_out_of_range(values, bits):
    assert value_set(values) == bits


def test_changes_from_the_factory_carry_the_bits_of_their_approvals(changes):
    _, made = changes
    change, _ = made[4]  # -2 and +2
    assert Change.objects.get(pk=change.pk).cr_values == value_set([-2, 2])


@pytest.mark.parametrize(
    ("value", "prefix"),
    [
        ("^stable/.*", "stable/"),
        ("^bug/.*", "bug/"),
        ("^.*", ""),
        ("^bug/.*$", "bug/"),
        ("^bug/[0-9]+", None),
        ("^bug.*/x", None),
        ("^a.b.*", None),
        ("^bug\\/.*", None),
    ],
)
def test_literal_prefix_only_for_plain_text_then_anything(value, prefix):
    """A regex of plain text after anything is a suffix test the same way (see below)."""
    from dashboard.reviews.query.regex import literal_prefix

    assert literal_prefix(value) == prefix


def test_prefix_regexes_match_what_the_regex_engine_matches():
    repository = RepositoryFactory()
    branches = ["master", "stable/ocata", "stable", "Stable/pike", "refs/meta/config", "stablex"]
    for branch in branches:
        ChangeFactory(repository=repository, branch=branch, topic=f"bug/{branch}")
    ChangeFactory(repository=repository, branch="master", topic="bugs")
    context = SearchContext(server=repository.team.server)

    def found(query):
        return sorted(search(query, context=context).changes.values_list("branch", "topic"))

    assert [b for b, _ in found("branch:^stable/.*")] == ["stable/ocata"]
    assert [b for b, _ in found("ref:^refs/meta/.*")] == ["refs/meta/config"]
    assert len(found("ref:^refs/heads/.*")) == 6  # every branch but refs/meta/config
    assert len(found("intopic:^bug/.*")) == len(branches)
    # the same answers as the general regex path, which a character class forces
    assert found("branch:^stable/.*") == found('branch:"^stabl[e]/.*"')
    assert found("intopic:^bug/.*") == found('intopic:"^bu[g]/.*"')


@pytest.mark.parametrize(
    ("value", "suffix"),
    [("^.*-specs", "-specs"), ("^.*-specs$", "-specs"), ("^.*", ""), ("^.*-spec[s]", None)],
)
def test_literal_suffix_only_for_anything_then_plain_text(value, suffix):
    from dashboard.reviews.query.regex import literal_suffix

    assert literal_suffix(value) == suffix


def test_suffix_regexes_match_what_the_regex_engine_matches():
    team = RepositoryFactory(name="openstack/glance").team
    for name in ("openstack/glance-specs", "openstack/nova-SPECS", "openstack/specs-glance"):
        ChangeFactory(repository=RepositoryFactory(team=team, name=name))
    context = SearchContext(server=team.server)

    def found(query):
        return sorted(search(query, context=context).changes.values_list("repository__name"))

    assert found("project:^.*-specs") == [("openstack/glance-specs",)]
    assert found("project:^.*-specs") == found('project:"^.*-spec[s]"')
