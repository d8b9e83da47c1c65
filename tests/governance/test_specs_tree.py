"""Walking specs trees: every layout variation on small trees, then the real glance-specs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path, PurePosixPath

import pytest

from dashboard.governance.specs_tree import (
    SpecsTree,
    TreeSpec,
    classify,
    cycle_order,
    read_specs_tree,
)
from tests.conftest import SHARED_DATA
from tests.governance.spec_trees import link, lite_specs_text, spec_text, write


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("specs/newton/approved/glance_store/x.rst", ("newton", "approved", "glance_store")),
        ("specs/ocata/implemented/glance/x.rst", ("ocata", "implemented", "glance")),
        ("specs/mitaka/approved/x.rst", ("mitaka", "approved", "glance")),
        ("specs/kilo/x.rst", ("kilo", "approved", "glance")),
        ("specs/liberty/glanceclient/x.rst", ("liberty", "approved", "glanceclient")),
        ("specs/2023.1/approved/glance/x.rst", ("2023.1", "approved", "glance")),
        ("specs/antelope/approved/x.rst", ("2023.1", "approved", "glance")),
        ("specs/untargeted/glance_store/x.rst", (None, "untargeted", "glance_store")),
        ("specs/backlog/approved/x.rst", (None, "untargeted", "glance")),
        ("specs/abandoned/x.rst", (None, "abandoned", "glance")),
        ("specs/rocky/approved/glance/image-import/x.rst", ("rocky", "approved", "glance")),
        ("specs/keystonemiddleware/rocky/x.rst", ("rocky", "approved", "keystonemiddleware")),
        ("specs/keystone/backlog/x.rst", (None, "untargeted", "keystone")),
        ("specs/backlog/kilo/x.rst", (None, "untargeted", "glance")),
        ("specs/approved/x.rst", (None, "approved", "glance")),
        ("specs/kilo-implemented/x.rst", ("kilo", "implemented", "glance")),
    ],
)
def test_classify_reads_cycle_state_and_deliverable_from_the_path(
    path: str, expected: tuple[str | None, str, str]
) -> None:
    location = classify(PurePosixPath(path), default_deliverable="glance")
    assert location is not None
    assert (location.cycle, location.state, location.deliverable) == expected


@pytest.mark.parametrize(
    "path",
    [
        "specs/newton/approved/glance/template.rst",
        "specs/rocky/approved/glance/spec-lite-template.rst",
        "specs/kilo/index.rst",
        "specs/juno/example.rst",
        "specs/api/v2/image-api-v2.rst",
        "specs/zed-template.rst",
        "specs/keystone/ongoing/x.rst",
        "specs/template.rst",
        "README.rst",
    ],
)
def test_templates_indexes_and_non_cycle_folders_are_not_specs(path: str) -> None:
    assert classify(PurePosixPath(path), default_deliverable="glance") is None


def test_cycles_sort_in_release_order_names_before_ids() -> None:
    names = ["2023.1", "zed", "juno", "2024.2", "newton", "2024.1"]
    assert sorted(names, key=cycle_order) == ["juno", "newton", "zed", "2023.1", "2024.1", "2024.2"]


def _summary(root: Path) -> Counter[tuple[str | None, str, str]]:
    tree = read_specs_tree(root, default_deliverable="glance")
    return Counter((s.current.cycle, s.current.state, s.kind) for s in tree.specs)


def test_each_layout_variation_in_one_small_tree(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "specs/template.rst": spec_text("Template"),
            "specs/kilo/index.rst": "Kilo\n====\n\n.. toctree::\n   :glob:\n\n   *\n",
            "specs/kilo/flat-one.rst": spec_text("Flat one"),
            "specs/kilo/flat-two.rst": spec_text("Flat two"),
            "specs/ocata/approved/glance/big.rst": spec_text("Big"),
            "specs/ocata/approved/glance/lite-specs.rst": lite_specs_text("Small A", "Small B"),
            "specs/ocata/implemented/glance_store/done.rst": spec_text("Done"),
            "specs/ocata/implemented/glance/spec-lite-quick.rst": spec_text("Spec Lite: Quick"),
            "specs/ocata/implemented/glance/titled.rst": spec_text("Lite Spec: Titled as lite"),
            "specs/untargeted/glance/someday.rst": spec_text("Someday"),
            "specs/api/v2/images.rst": spec_text("Images API"),
            "specs/ocata/approved/glance/data.json": "{}",
        },
    )
    link(tmp_path, "specs/ocata/approved/glance_store/template.rst", "../../../template.rst")

    assert _summary(tmp_path) == {
        ("kilo", "approved", "spec"): 2,
        ("ocata", "approved", "spec"): 1,
        ("ocata", "approved", "lite"): 2,
        ("ocata", "implemented", "spec"): 1,
        ("ocata", "implemented", "lite"): 2,
        (None, "untargeted", "spec"): 1,
    }
    assert read_specs_tree(tmp_path, default_deliverable="glance").skipped == [
        "specs/api/ (not a cycle folder)"
    ]


def test_the_specs_folder_itself_can_be_given(tmp_path: Path) -> None:
    write(tmp_path, {"specs/kilo/one.rst": spec_text("One")})
    tree = read_specs_tree(tmp_path / "specs", default_deliverable="glance")
    assert [spec.current.path for spec in tree.specs] == ["specs/kilo/one.rst"]


@pytest.mark.parametrize("as_text", [False, True], ids=["symlink", "git-text-stand-in"])
def test_a_spec_linked_into_a_later_cycle_is_one_spec_in_the_later_cycle(
    tmp_path: Path, as_text: bool
) -> None:
    write(tmp_path, {"specs/mitaka/approved/reader.rst": spec_text("Buffered reader")})
    target = "../../../mitaka/approved/reader.rst"
    if as_text:  # what git writes with core.symlinks=false, or a copy that lost its links
        write(tmp_path, {"specs/newton/approved/glance_store/reader.rst": target})
    else:
        link(tmp_path, "specs/newton/approved/glance_store/reader.rst", target)

    tree = read_specs_tree(tmp_path, default_deliverable="glance")

    assert len(tree.specs) == 1
    spec = tree.specs[0]
    assert (spec.title, spec.current.cycle, spec.current.deliverable) == (
        "Buffered reader",
        "newton",
        "glance_store",
    )
    assert [loc.path for loc in spec.locations] == [
        "specs/mitaka/approved/reader.rst",
        "specs/newton/approved/glance_store/reader.rst",
    ]


def test_a_spec_moved_to_implemented_is_recorded_once_with_its_old_place(tmp_path: Path) -> None:
    old = "/openstack/glance-specs/specs/rocky/approved/glance/multihash.html"
    new = "/openstack/glance-specs/specs/rocky/implemented/glance/multihash.html"
    older = "/openstack/glance-specs/specs/queens/approved/glance/multihash.html"
    write(
        tmp_path,
        {
            "specs/rocky/implemented/glance/multihash.rst": spec_text("Multihash"),
            "doc/source/_extra/.htaccess": (
                f"# moved\nRedirect 301 {older} {old}\nRedirect 301 {old} {new}\n"
            ),
        },
    )
    tree = read_specs_tree(tmp_path, default_deliverable="glance")

    assert len(tree.specs) == 1
    assert [(loc.cycle, loc.state) for loc in tree.specs[0].locations] == [
        ("queens", "approved"),
        ("rocky", "approved"),
        ("rocky", "implemented"),
    ]


def test_nova_style_redirects_file_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "specs/zed/implemented/x.rst": spec_text("X"),
            "specs/zed/redirects": "approved/x.rst ../zed/implemented/x.rst\n",
        },
    )
    spec = read_specs_tree(tmp_path, default_deliverable="nova").specs[0]
    assert [loc.path for loc in spec.locations] == [
        "specs/zed/approved/x.rst",
        "specs/zed/implemented/x.rst",
    ]


def test_a_re_proposed_spec_is_one_spec_in_its_latest_cycle(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "specs/liberty/approved/signing.rst": spec_text("Signing, first try"),
            "specs/mitaka/implemented/signing.rst": spec_text("Image signing"),
        },
    )
    tree = read_specs_tree(tmp_path, default_deliverable="glance")
    assert [(s.title, s.current.cycle, s.current.state, len(s.locations)) for s in tree.specs] == [
        ("Image signing", "mitaka", "implemented", 2)
    ]


def test_a_later_lite_spec_with_a_full_specs_file_name_is_another_spec(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "specs/newton/approved/glance/deprecate-registry.rst": spec_text("Deprecate registry"),
            "specs/queens/implemented/glance/deprecate-registry.rst": spec_text(
                "Spec Lite: Actually deprecate registry"
            ),
        },
    )
    tree = read_specs_tree(tmp_path, default_deliverable="glance")
    assert sorted((s.slug, s.kind, s.current.cycle) for s in tree.specs) == [
        ("deprecate-registry", "lite", "queens"),
        ("deprecate-registry-newton", "spec", "newton"),
    ]


def test_malformed_file_is_reported_with_its_line_and_the_rest_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "specs/pike/approved/glance/good.rst": spec_text("Good"),
            "specs/pike/approved/glance/bad.rst": "Bad\n===\n\ntext\n\n====\nOops\n======\n",
            "specs/pike/approved/glance/latin1.rst": "T\n=\n\ncaf\xe9\n".encode("latin-1").decode(
                "latin-1"
            ),
        },
    )
    (tmp_path / "specs/pike/approved/glance/latin1.rst").write_bytes(b"T\n=\n\ncaf\xe9\n")

    tree = read_specs_tree(tmp_path, default_deliverable="glance")

    assert [spec.title for spec in tree.specs] == ["Good"]
    problems = sorted(str(problem) for problem in tree.problems)
    assert problems[0].startswith("specs/pike/approved/glance/bad.rst:6: ")
    assert problems[1].startswith("specs/pike/approved/glance/latin1.rst: not UTF-8")


def test_a_folder_without_specs_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    tree = read_specs_tree(tmp_path, default_deliverable="glance")
    assert tree.specs == []
    assert "no specs/ folder" in str(tree.problems[0])


# Counted by reading ../shared/data/specs/glance-specs by hand (ls and grep), with the rules
# of specs_tree: templates, index and example files are not specs; specs/api/ is API docs;
# a file whose title starts "Spec Lite"/"Lite Spec" or whose name starts spec-lite-/
# lite-spec- is a lite spec, and lite-specs.rst holds one per section after the template;
# newton/approved/glance_store links to two mitaka/approved specs (so mitaka has no
# approved spec left and newton has them); a name re-proposed in a later cycle counts once,
# in the latest (liberty/approved and mitaka/implemented image-signing...: mitaka); the
# queens lite spec deprecate-registry is not newton's full spec of that name (both count).
GLANCE_SPECS = {
    ("juno", "approved", "spec"): 5,
    ("kilo", "approved", "spec"): 19,
    ("liberty", "approved", "spec"): 9,  # 10 files, image-signing moved on to mitaka
    ("mitaka", "implemented", "spec"): 10,
    ("newton", "approved", "spec"): 7,
    ("newton", "approved", "lite"): 5,  # glance/lite-specs.rst: 5 sections after the template
    ("ocata", "approved", "spec"): 1,
    ("ocata", "approved", "lite"): 1,
    ("ocata", "implemented", "spec"): 3,
    ("ocata", "implemented", "lite"): 4,
    ("pike", "approved", "lite"): 3,
    ("pike", "implemented", "spec"): 1,
    ("pike", "implemented", "lite"): 2,
    ("queens", "implemented", "spec"): 1,
    ("queens", "implemented", "lite"): 3,
    ("rocky", "approved", "spec"): 1,
    ("rocky", "approved", "lite"): 3,
    ("rocky", "implemented", "spec"): 5,
    ("rocky", "implemented", "lite"): 3,
    ("stein", "implemented", "spec"): 1,
    ("stein", "implemented", "lite"): 5,
    ("train", "approved", "spec"): 1,
    ("train", "approved", "lite"): 5,
    ("ussuri", "approved", "spec"): 4,
    ("ussuri", "approved", "lite"): 3,
    ("victoria", "approved", "spec"): 4,
    ("wallaby", "approved", "spec"): 2,
    ("xena", "approved", "spec"): 4,
    ("xena", "approved", "lite"): 3,
    ("yoga", "approved", "spec"): 3,
    ("zed", "approved", "spec"): 4,
    ("zed", "approved", "lite"): 1,
    ("2023.1", "approved", "lite"): 2,
    ("2023.2", "approved", "spec"): 2,
    ("2024.1", "approved", "spec"): 2,
    ("2024.1", "approved", "lite"): 2,
    ("2024.2", "approved", "spec"): 2,
    ("2024.2", "approved", "lite"): 1,
    ("2025.1", "approved", "spec"): 5,
    ("2025.2", "approved", "spec"): 1,
    ("2026.1", "approved", "spec"): 4,
    ("2026.1", "approved", "lite"): 2,
    (None, "untargeted", "lite"): 4,
}


@pytest.fixture(scope="module")
def glance_tree() -> SpecsTree:
    """The real tree, read once for the module (the shared_data fixture is per test)."""
    root = SHARED_DATA / "specs" / "glance-specs"
    if not root.is_dir():
        pytest.skip(f"{root} not present: shared reference data test")
    return read_specs_tree(root, default_deliverable="glance")


def test_glance_specs_counts_per_cycle_state_and_kind(glance_tree: SpecsTree) -> None:
    counts = Counter((s.current.cycle, s.current.state, s.kind) for s in glance_tree.specs)
    assert dict(counts) == GLANCE_SPECS
    assert sum(GLANCE_SPECS.values()) == 153
    assert glance_tree.problems == []
    assert glance_tree.skipped == ["specs/api/ (not a cycle folder)"]


def _spec(tree: SpecsTree, slug: str) -> TreeSpec:
    return next(spec for spec in tree.specs if spec.slug == slug)


def test_glance_community_visibility_field_by_field(glance_tree: SpecsTree) -> None:
    spec = _spec(glance_tree, "community_visibility")
    assert spec.title == "Add community-level image sharing"
    assert spec.kind == "spec"
    assert (spec.current.cycle, spec.current.state, spec.current.deliverable) == (
        "ocata",
        "implemented",
        "glance",
    )
    assert spec.blueprint_url == (
        "https://blueprints.launchpad.net/glance/+spec/community-level-v2-image-sharing"
    )
    assert spec.authors == ("timothy-symanczyk",)
    assert "This feature will allow image owners to share images" in spec.html


def test_glance_buffered_reader_is_newtons_glance_store_spec(glance_tree: SpecsTree) -> None:
    spec = _spec(glance_tree, "buffered-reader-for-swift-driver")
    assert (spec.current.cycle, spec.current.state, spec.current.deliverable) == (
        "newton",
        "approved",
        "glance_store",
    )
    assert [loc.path for loc in spec.locations] == [
        "specs/mitaka/approved/buffered-reader-for-swift-driver.rst",
        "specs/newton/approved/glance_store/buffered-reader-for-swift-driver.rst",
    ]


def test_glance_lite_spec_from_a_lite_specs_file(glance_tree: SpecsTree) -> None:
    spec = _spec(glance_tree, "replace-mox-with-mock-for-unit-test")
    assert spec.title == "Replace mox with mock for unit test"
    assert spec.kind == "lite"
    assert (spec.current.cycle, spec.current.state) == ("ocata", "approved")
    assert spec.current.path == "specs/ocata/approved/glance/lite-specs.rst"
    assert spec.authors == ("Howard Lee",)


def test_glance_untargeted_spec_moved_from_queens(glance_tree: SpecsTree) -> None:
    spec = _spec(glance_tree, "no-schema-validation")
    assert spec.kind == "lite"
    assert (spec.current.cycle, spec.current.state, spec.current.deliverable) == (
        None,
        "untargeted",
        "python-glanceclient",
    )
    assert [loc.path for loc in spec.locations] == [
        "specs/queens/approved/python-glanceclient/no-schema-validation.rst",
        "specs/untargeted/python-glanceclient/no-schema-validation.rst",
    ]


def test_glance_multihash_moved_twice_keeps_both_old_places(glance_tree: SpecsTree) -> None:
    spec = _spec(glance_tree, "multihash")
    assert [(loc.cycle, loc.state) for loc in spec.locations] == [
        ("queens", "approved"),
        ("rocky", "approved"),
        ("rocky", "implemented"),
    ]
