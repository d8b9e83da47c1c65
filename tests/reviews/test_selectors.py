"""evaluate_sections and search_changes: rows, counts, isolation of a broken section."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from dashboard.gerrit.models import ChangeStatus
from dashboard.reviews.evaluate import SearchContext
from dashboard.reviews.models import GerritIdentity
from dashboard.reviews.selectors import evaluate_sections, search_changes
from tests.gerrit.factories import AccountFactory, ChangeFactory, RepositoryFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo():
    return RepositoryFactory(team=TeamFactory(name="glance"), name="openstack/glance")


@pytest.fixture
def me(repo):
    return AccountFactory(server=repo.team.server, username="jroe")


@pytest.fixture
def context(repo, me):
    user = User.objects.create_user("jane")
    GerritIdentity.objects.create(user=user, account=me)
    return SearchContext.for_user(user, server=repo.team.server)


def test_evaluate_sections_isolates_a_broken_section(repo, me, context):
    mine = ChangeFactory(repository=repo, owner=me)
    sections = [
        ("Broken", "status:open ("),
        ("Unsupported", "is:watched"),
        ("Mine", "is:open owner:self"),
    ]
    broken, unsupported, ok = evaluate_sections(sections=sections, context=context)
    assert broken.error is not None and broken.error.kind == "syntax"
    assert broken.rows == [] and broken.count == 0
    assert unsupported.error is not None and unsupported.error.kind == "unsupported"
    assert ok.error is None
    assert [change.pk for change in ok.rows] == [mine.pk]
    assert ok.count == 1
    assert ok.description.startswith("open changes")
    assert ok.slug == "mine"


def test_evaluate_sections_caps_rows_but_counts_all(repo, me, context):
    ChangeFactory.create_batch(5, repository=repo, owner=me)
    (section,) = evaluate_sections(
        sections=[("Mine", "owner:self")], context=context, per_section=2
    )
    assert len(section.rows) == 2
    assert section.count == 5
    assert section.more == 3


def test_evaluate_sections_honours_limit_and_sort(repo, me, context):
    ChangeFactory.create_batch(4, repository=repo, owner=me)
    (section,) = evaluate_sections(
        sections=[("Mine", "owner:self limit:3")],
        context=context,
        sorts={"mine": "number"},
    )
    assert section.count == 3
    assert [c.number for c in section.rows] == sorted(
        (c.number for c in section.rows), reverse=True
    )
    assert len(section.rows) == 3
    assert section.sort == "number"


def test_evaluate_sections_costs_one_query_per_section_and_one_for_all_rows(
    repo, me, context, django_assert_num_queries
):
    for _ in range(30):
        ChangeFactory(repository=repo, owner=me)
    sections = [("Mine", "owner:self"), ("Closed", "is:closed"), ("Bad", "foo:bar")]
    with django_assert_num_queries(2 + 1):
        results = evaluate_sections(sections=sections, context=context)
    assert [r.count for r in results] == [30, 0, 0]


def test_search_changes_applies_limit(repo, me, context):
    ChangeFactory.create_batch(3, repository=repo, owner=me, status=ChangeStatus.NEW)
    found = search_changes(text="status:open limit:2", context=context)
    assert found.problem is None
    assert found.changes.count() == 2
    assert "(at most 2)" in found.description


def test_search_changes_reports_problem_with_position(context):
    found = search_changes(text="status:open )", context=context)
    assert found.problem is not None
    assert found.problem.kind == "syntax"
    assert found.problem.position == 12
    assert found.problem.marker == " " * 12 + "^"
    assert list(found.changes) == []


def test_a_change_in_two_sections_is_shown_and_counted_in_both(repo, me, context):
    mine = ChangeFactory(repository=repo, owner=me, status=ChangeStatus.NEW)
    ChangeFactory.create_batch(2, repository=repo, status=ChangeStatus.NEW)
    sections = [("Mine", "owner:self"), ("Open", "status:open"), ("Nothing", "is:closed")]
    own, everything, nothing = evaluate_sections(sections=sections, context=context)
    assert [c.number for c in own.rows] == [mine.number]
    assert own.count == 1
    assert mine.number in [c.number for c in everything.rows]
    assert everything.count == 3
    assert (nothing.rows, nothing.count) == ([], 0)
