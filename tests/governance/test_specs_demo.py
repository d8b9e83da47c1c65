"""The demo's specs: generated from the synced team's reviews, imported through git."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dashboard.gerrit.models import ChangeStatus
from dashboard.governance.models import Spec, SpecKind, SpecState
from dashboard.governance.specs_demo import seed_demo_specs
from tests.gerrit.factories import (
    ChangeFactory,
    ChangeFileFactory,
    RepositoryFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def _at(day: int, month: int = 6) -> datetime:
    return datetime(2025, month, day, 12, tzinfo=UTC)


def test_demo_specs_follow_the_teams_spec_reviews_and_blueprint_work() -> None:
    team = TeamFactory(name="glance")
    specs_repo = RepositoryFactory(team=team, name="openstack/glance-specs")
    code = RepositoryFactory(team=team, name="openstack/glance")
    for slug, merged_day in (("multiple-stores", 2), ("hidden-images", 3), ("quota", 4)):
        review = ChangeFactory(
            repository=specs_repo,
            status=ChangeStatus.MERGED,
            created=_at(1),
            closed=_at(merged_day),
            subject=f"Spec for {slug}",
        )
        ChangeFileFactory(change=review, path=f"specs/rocky/approved/glance/{slug}.rst")
    # multiple-stores: three merged changes, nothing open -> implemented on the last merge.
    for day in (10, 20, 30):
        ChangeFactory(
            repository=code,
            topic="bp/multiple-stores",
            status=ChangeStatus.MERGED,
            created=_at(day - 5),
            closed=_at(day),
        )
    ChangeFactory(repository=code, topic="bp/hidden-images", created=_at(6))
    open_proposal = ChangeFactory(repository=specs_repo, subject="Spec for web download")
    ChangeFileFactory(change=open_proposal, path="specs/rocky/approved/glance/web-download.rst")

    result = seed_demo_specs(team=team)

    assert result.problems == []
    specs = {spec.slug: spec for spec in Spec.objects.filter(team=team)}
    implemented = specs["multiple-stores"]
    assert implemented.state == SpecState.IMPLEMENTED
    assert [(s.state, s.date) for s in implemented.history.order_by("date", "id")] == [
        (SpecState.PROPOSED, date(2025, 6, 1)),
        (SpecState.APPROVED, date(2025, 6, 2)),
        (SpecState.IMPLEMENTED, date(2025, 6, 30)),
    ]
    assert implemented.blueprint_url.endswith("/+spec/multiple-stores")
    assert "Operators asked for multiple stores" in implemented.html
    assert "<h1>" not in implemented.html  # the page's own heading is the title
    # The two least-worked blueprints go back to untargeted: quota (no change) and
    # hidden-images (one open change); multiple-stores has three.
    assert specs["quota"].state == SpecState.UNTARGETED
    assert specs["hidden-images"].state == SpecState.UNTARGETED
    assert specs["web-download"].state == SpecState.PROPOSED
    lite = [spec for spec in specs.values() if spec.kind == SpecKind.LITE]
    assert len(lite) == 2 and all(spec.cycle.name == "rocky" for spec in lite)
