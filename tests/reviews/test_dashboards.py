"""dashboards: .dash files in and out of the database, and the team default dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from dashboard.reviews.dashboards import (
    DEFAULT_SECTIONS,
    ensure_default_dashboard,
    export_dashboard,
    import_dashboard,
)
from dashboard.reviews.dashfile import DashFileError, parse_dash
from dashboard.reviews.evaluate import SearchContext, search
from dashboard.reviews.lint import lint
from dashboard.reviews.models import Dashboard, DashboardSection, GerritIdentity
from dashboard.reviews.query import combine
from tests.gerrit.factories import (
    AccountFactory,
    ApprovalFactory,
    ChangeFactory,
    RepositoryFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

TEXT = """\
[dashboard]
title = Glance
description = Glance reviews
foreach = project:openstack/glance status:open

[section "Approved"]
query = label:Workflow>=1

[section "Mine"]
query = owner:self
"""


def test_import_creates_a_team_dashboard_named_after_the_file():
    team = TeamFactory()
    dashboard = import_dashboard(text=TEXT, source_name="dashboards/glance.dash", team=team)
    assert (dashboard.slug, dashboard.team, dashboard.owner) == ("glance", team, None)
    assert list(dashboard.sections.values_list("position", "name", "query")) == [
        (0, "Approved", "label:Workflow>=1"),
        (1, "Mine", "owner:self"),
    ]


def test_import_replaces_the_dashboard_with_the_same_slug():
    team = TeamFactory()
    first = import_dashboard(text=TEXT, source_name="glance.dash", team=team)
    shorter = TEXT.split('[section "Mine"]')[0].replace("title = Glance", "title = Glance 2")
    second = import_dashboard(text=shorter, source_name="glance.dash", team=team)
    assert second.pk == first.pk
    assert second.title == "Glance 2"
    assert list(second.sections.values_list("name", flat=True)) == ["Approved"]
    assert Dashboard.objects.count() == 1


def test_a_personal_dashboard_does_not_replace_the_team_one():
    team = TeamFactory()
    user = User.objects.create_user("ana")
    import_dashboard(text=TEXT, source_name="glance.dash", team=team)
    mine = import_dashboard(text=TEXT, source_name="glance.dash", team=team, owner=user)
    assert mine.owner == user
    assert Dashboard.objects.count() == 2


def test_a_broken_file_imports_nothing():
    with pytest.raises(DashFileError, match=r"bad.dash:2: \[dashboard\] has no"):
        import_dashboard(
            text="\n[dashboard]\ntitle = T\n", source_name="bad.dash", team=TeamFactory()
        )
    assert not Dashboard.objects.exists()


def test_import_needs_a_team_or_an_owner():
    with pytest.raises(ValueError, match="team or owner"):
        import_dashboard(text=TEXT, source_name="glance.dash")


def test_export_gives_back_what_was_imported():
    dashboard = import_dashboard(text=TEXT, source_name="glance.dash", team=TeamFactory())
    assert parse_dash(export_dashboard(dashboard=dashboard)) == parse_dash(TEXT)


def test_the_whole_corpus_imports_and_exports_unchanged(shared_data: Path):
    team = TeamFactory()
    root = shared_data / "dashboards"
    for path in sorted(root.rglob("*.dash")):
        text = path.read_text(encoding="utf-8")
        dashboard = import_dashboard(text=text, source_name=path.name, team=team)
        assert parse_dash(export_dashboard(dashboard=dashboard)) == parse_dash(text), path
    assert Dashboard.objects.filter(team=team).count() == 83
    assert DashboardSection.objects.count() == 566


def test_the_default_dashboard_is_created_once_for_the_team_repositories():
    team = TeamFactory()
    RepositoryFactory(team=team, name="openstack/glance")
    RepositoryFactory(team=team, name="openstack/glance-specs")
    dashboard = ensure_default_dashboard(team=team)
    assert dashboard.is_default and dashboard.slug == "default"
    assert dashboard.foreach == (
        "(project:openstack/glance OR project:openstack/glance-specs) status:open"
    )
    assert [s.name for s in dashboard.sections.all()] == [name for name, _ in DEFAULT_SECTIONS]
    assert ensure_default_dashboard(team=team) == dashboard
    assert Dashboard.objects.count() == 1


def test_the_default_queries_mean_what_they_say():
    for name, query in DEFAULT_SECTIONS:
        assert lint(query) == [], name


def test_every_default_section_evaluates_in_one_sql_query(django_assert_num_queries):
    team = TeamFactory()
    repository = RepositoryFactory(team=team, name="openstack/glance")
    reviewer = AccountFactory(server=team.server)
    user = User.objects.create_user("reviewer")
    GerritIdentity.objects.create(user=user, account=reviewer)
    ready = ChangeFactory(repository=repository, insertions=10, deletions=2)
    ApprovalFactory(change=ready, label="Code-Review", value=2)
    ApprovalFactory(change=ready, label="Verified", value=1)
    ChangeFactory(repository=repository, owner=reviewer)
    dashboard = ensure_default_dashboard(team=team)
    context = SearchContext.for_user(user, server=team.server)

    results = {}
    for section in dashboard.sections.all():
        result = search(combine(dashboard.foreach, section.query), context=context)
        with django_assert_num_queries(1):
            results[section.name] = [change.number for change in result]
    assert results["Needs final +2"] == [ready.number]
    assert results["Small changes (delta<=25)"] == [ready.number]
    assert len(results["My changes"]) == 1
