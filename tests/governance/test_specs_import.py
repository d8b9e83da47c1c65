"""Importing specs into the database: idempotence, dated history, Gerrit proposals, errors."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dashboard.gerrit.models import ChangeStatus, Team
from dashboard.governance.models import Cycle, Spec, SpecKind, SpecState, SpecStateChange
from dashboard.governance.specs_import import (
    SpecsImportError,
    default_deliverable,
    import_specs,
    specs_summary,
)
from tests.gerrit.factories import (
    ChangeFactory,
    ChangeFileFactory,
    RepositoryFactory,
    TeamFactory,
)
from tests.governance.spec_trees import git, lite_specs_text, spec_text, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def team() -> Team:
    return TeamFactory(name="glance")


def _tree(root: Path) -> Path:
    return write(
        root,
        {
            "specs/pike/approved/glance/multihash.rst": spec_text(
                "Multihash", blueprint="multihash"
            ),
            "specs/pike/approved/glance/lite-specs.rst": lite_specs_text("Add a flag"),
            "specs/pike/implemented/glance_store/done.rst": spec_text("Done thing"),
            "specs/untargeted/glance/later.rst": spec_text("Later"),
        },
    )


def _history(spec: Spec) -> list[tuple[str, str | None, date | None]]:
    return [
        (step.state, step.cycle.name if step.cycle else None, step.date)
        for step in spec.history.select_related("cycle").order_by("date", "id")
    ]


def test_default_deliverable_is_the_repository_name_without_specs() -> None:
    assert default_deliverable("/src/glance-specs") == "glance"
    assert default_deliverable("https://opendev.org/openstack/nova-specs.git") == "nova"
    assert default_deliverable("/src/glance-specs/specs/") == "specs"  # --deliverable then


def test_plain_folder_import_creates_specs_cycles_and_dated_today_history(
    team: Team, tmp_path: Path
) -> None:
    result = import_specs(team=team, source=str(_tree(tmp_path / "glance-specs")))

    assert result.created == 4
    assert any("not a git checkout" in note for note in result.notes)
    assert Cycle.objects.filter(name="pike").exists()
    multihash = Spec.objects.get(team=team, slug="multihash")
    assert (multihash.cycle.name, multihash.state, multihash.deliverable) == (
        "pike",
        "approved",
        "glance",
    )
    assert multihash.blueprint_url.endswith("/+spec/multihash")
    assert multihash.kind == SpecKind.SPEC
    assert _history(multihash) == [("approved", "pike", timezone.localdate())]
    lite = Spec.objects.get(team=team, slug="add-a-flag")
    assert (lite.kind, lite.path) == (SpecKind.LITE, "specs/pike/approved/glance/lite-specs.rst")
    assert Spec.objects.get(team=team, slug="later").cycle is None


def test_re_import_changes_nothing(team: Team, tmp_path: Path) -> None:
    root = _tree(tmp_path / "glance-specs")
    import_specs(team=team, source=str(root))
    steps = SpecStateChange.objects.count()

    again = import_specs(team=team, source=str(root))

    assert (again.created, again.updated, again.unchanged, again.state_changes) == (0, 0, 4, 0)
    assert SpecStateChange.objects.count() == steps
    assert Spec.objects.filter(team=team).count() == 4


def test_history_reads_proposed_approved_implemented_with_their_dates(
    team: Team, tmp_path: Path
) -> None:
    """Gerrit gives the proposal, git the approval (merge) and the move to implemented."""
    repo = RepositoryFactory(team=team, name="openstack/glance-specs")
    review = ChangeFactory(
        repository=repo,
        status=ChangeStatus.MERGED,
        created=datetime(2017, 3, 2, 9, tzinfo=UTC),
        closed=datetime(2017, 4, 11, 15, tzinfo=UTC),
        subject="Add multihash spec",
    )
    ChangeFileFactory(change=review, path="specs/pike/approved/glance/multihash.rst")
    root = tmp_path / "glance-specs"
    write(root, {"specs/pike/approved/glance/multihash.rst": spec_text("Multihash")})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Add multihash spec", when="2017-04-11T15:00:00+00:00")
    import_specs(team=team, source=str(root))

    (root / "specs/pike/implemented/glance").mkdir(parents=True)
    git(root, "mv", "specs/pike/approved/glance/multihash.rst", "specs/pike/implemented/glance/")
    git(root, "commit", "-qm", "Move multihash to implemented", when="2017-08-01T10:00:00+00:00")
    result = import_specs(team=team, source=str(root))

    spec = Spec.objects.get(team=team)  # moved, still one spec
    assert (spec.state, spec.path) == ("implemented", "specs/pike/implemented/glance/multihash.rst")
    assert _history(spec) == [
        ("proposed", "pike", date(2017, 3, 2)),
        ("approved", "pike", date(2017, 4, 11)),
        ("implemented", "pike", date(2017, 8, 1)),
    ]
    assert (spec.proposed_on, spec.approved_on, spec.implemented_on) == (
        date(2017, 3, 2),
        date(2017, 4, 11),
        date(2017, 8, 1),
    )
    assert spec.turnaround_days == 40
    assert spec.review == review
    assert (result.updated, result.state_changes) == (1, 1)


def test_plain_folder_move_is_recorded_once_dated_at_the_import(team: Team, tmp_path: Path) -> None:
    root = write(tmp_path / "glance-specs", {"specs/pike/approved/glance/x.rst": spec_text("X")})
    import_specs(team=team, source=str(root))
    (root / "specs/pike/implemented/glance").mkdir(parents=True)
    (root / "specs/pike/approved/glance/x.rst").rename(root / "specs/pike/implemented/glance/x.rst")

    import_specs(team=team, source=str(root))
    import_specs(team=team, source=str(root))

    spec = Spec.objects.get(team=team)
    assert [state for state, _cycle, _date in _history(spec)] == ["approved", "implemented"]


def test_git_url_is_cloned_and_dated_from_its_history(team: Team, tmp_path: Path) -> None:
    work = write(tmp_path / "work", {"specs/queens/approved/glance/x.rst": spec_text("X")})
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "Add x", when="2017-10-20T12:00:00+00:00")
    bare = tmp_path / "glance-specs.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)

    result = import_specs(team=team, source=f"file://{bare}")

    spec = Spec.objects.get(team=team)
    assert (spec.deliverable, spec.approved_on) == ("glance", date(2017, 10, 20))
    assert result.notes == []


def test_git_failure_is_one_clear_error(team: Team, tmp_path: Path) -> None:
    with pytest.raises(SpecsImportError, match=r"git clone file://.*nothing\.git failed: "):
        import_specs(team=team, source=f"file://{tmp_path}/nothing.git")
    with pytest.raises(CommandError, match="no such folder"):
        call_command("import_specs", str(tmp_path / "missing"), team="glance")


def test_open_review_adding_a_spec_file_is_a_proposed_spec(team: Team, tmp_path: Path) -> None:
    repo = RepositoryFactory(team=team, name="openstack/glance-specs")
    proposal = ChangeFactory(
        repository=repo, subject="Spec for hidden images", created=datetime(2017, 5, 2, tzinfo=UTC)
    )
    ChangeFileFactory(change=proposal, path="specs/queens/approved/glance/hidden-images.rst")
    dropped = ChangeFactory(repository=repo, status=ChangeStatus.ABANDONED, subject="Old idea")
    ChangeFileFactory(change=dropped, path="specs/pike/approved/glance/old-idea.rst")
    edit = ChangeFactory(repository=repo, subject="Fix typo in multihash")
    ChangeFileFactory(change=edit, path="specs/pike/approved/glance/multihash.rst")
    move = ChangeFactory(repository=repo, subject="Move done to implemented")
    ChangeFileFactory(change=move, path="specs/pike/implemented/glance/moved.rst")
    code = ChangeFactory(repository=RepositoryFactory(team=team, name="openstack/glance"))
    ChangeFileFactory(change=code, path="specs/pike/approved/glance/not-a-spec-repo.rst")

    import_specs(team=team, source=str(_tree(tmp_path / "glance-specs")))

    proposed = Spec.objects.get(team=team, state=SpecState.PROPOSED)
    assert (proposed.slug, proposed.title, proposed.cycle.name) == (
        "hidden-images",
        "Spec for hidden images",
        "queens",
    )
    assert (proposed.review, proposed.proposed_on) == (proposal, date(2017, 5, 2))
    assert Spec.objects.get(team=team, slug="old-idea").state == SpecState.ABANDONED
    assert Spec.objects.get(team=team, slug="multihash").state == SpecState.APPROVED
    assert not Spec.objects.filter(slug__in=["not-a-spec-repo", "moved"]).exists()


def test_spec_gone_from_the_tree_becomes_abandoned_once(team: Team, tmp_path: Path) -> None:
    root = _tree(tmp_path / "glance-specs")
    import_specs(team=team, source=str(root))
    (root / "specs/untargeted/glance/later.rst").unlink()

    import_specs(team=team, source=str(root))
    import_specs(team=team, source=str(root))

    later = Spec.objects.get(team=team, slug="later")
    assert later.state == SpecState.ABANDONED
    assert [state for state, _c, _d in _history(later)] == ["untargeted", "abandoned"]


def test_malformed_file_is_reported_by_the_command_and_the_rest_imported(
    team: Team, tmp_path: Path
) -> None:
    root = _tree(tmp_path / "glance-specs")
    write(root, {"specs/pike/approved/glance/bad.rst": "Bad\n===\n\nx\n\n====\nOops\n======\n"})
    out, err = StringIO(), StringIO()

    call_command("import_specs", str(root), team="glance", stdout=out, stderr=err)

    assert err.getvalue().startswith("specs/pike/approved/glance/bad.rst:6: ")
    assert "(not imported)" in err.getvalue()
    assert "4 specs created" in out.getvalue()
    assert Spec.objects.filter(team=team).count() == 4


def test_json_summary_counts_states_per_cycle_with_lite_listed_apart(
    team: Team, tmp_path: Path
) -> None:
    out = StringIO()
    call_command(
        "import_specs",
        str(_tree(tmp_path / "glance-specs")),
        team="glance",
        format="json",
        stdout=out,
    )

    assert json.loads(out.getvalue()) == {
        "none": {"untargeted": 1, "lite": {}},
        "pike": {"approved": 2, "implemented": 1, "lite": {"approved": 1}},
    }


def test_unknown_team_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No team named 'nope'"):
        call_command("import_specs", str(tmp_path), team="nope")


def test_glance_specs_import_summary(team: Team, shared_data: Path) -> None:
    import_specs(team=team, source=str(shared_data / "specs" / "glance-specs"))
    summary = specs_summary(team=team)

    assert summary["newton"] == {"approved": 12, "lite": {"approved": 5}}
    assert summary["none"] == {"untargeted": 4, "lite": {"untargeted": 4}}
    assert summary["mitaka"] == {"implemented": 10, "lite": {}}
    assert Spec.objects.filter(team=team).count() == 153
    assert list(summary)[:3] == ["none", "juno", "kilo"]
    assert list(summary)[-1] == "2026.1"


def test_first_import_after_a_git_move_still_knows_the_approval(team: Team, tmp_path: Path) -> None:
    root = write(tmp_path / "glance-specs", {"specs/pike/approved/glance/x.rst": spec_text("X")})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Add x", when="2017-04-11T15:00:00+00:00")
    (root / "specs/pike/implemented/glance").mkdir(parents=True)
    git(root, "mv", "specs/pike/approved/glance/x.rst", "specs/pike/implemented/glance/")
    git(root, "commit", "-qm", "Move x", when="2017-08-01T10:00:00+00:00")

    import_specs(team=team, source=str(root))

    assert _history(Spec.objects.get(team=team)) == [
        ("approved", "pike", date(2017, 4, 11)),
        ("implemented", "pike", date(2017, 8, 1)),
    ]


def test_a_local_bare_repository_is_cloned_like_a_url(team: Team, tmp_path: Path) -> None:
    work = write(tmp_path / "work", {"specs/queens/approved/glance/x.rst": spec_text("X")})
    git(work, "init", "-q")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "Add x", when="2017-10-20T12:00:00+00:00")
    bare = tmp_path / "glance-specs.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)

    import_specs(team=team, source=str(bare))

    assert Spec.objects.get(team=team).approved_on == date(2017, 10, 20)


@pytest.mark.parametrize("folder", ["2025.2", "flamingo"])
def test_a_cycle_folder_finds_the_scheduled_series_by_name_or_release_id(
    team: Team, tmp_path: Path, folder: str
) -> None:
    flamingo = Cycle.objects.create(name="flamingo", release_id="2025.2")
    root = write(
        tmp_path / "glance-specs",
        {f"specs/{folder}/approved/glance/image-cache.rst": spec_text("Image cache")},
    )
    import_specs(team=team, source=str(root))
    assert Spec.objects.get(team=team, slug="image-cache").cycle == flamingo
    assert Cycle.objects.count() == 1
