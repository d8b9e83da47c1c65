"""Walking an OpenStack specs repository: which files are specs, and where each one sits.

Pure (no ORM, no git): ``read_specs_tree(root)`` returns what the files say, and the
importer (specs_import.py) writes it. The layout rules, learnt from glance-specs and the
other OpenStack specs repositories that copy it with variations:

- specs live under ``specs/`` (or ``root`` is that folder itself);
- ``specs/<cycle>/`` is a release series ("newton") or id ("2023.1"); inside it either
  ``approved/`` and ``implemented/`` (the state), each optionally split by deliverable
  (``approved/glance_store/x.rst``), or, in older cycles, a flat list of files (approved:
  the repository only holds merged specs) and possibly deliverable folders;
- ``specs/untargeted/`` and ``specs/backlog/`` hold approved specs no cycle has taken on;
  ``specs/abandoned/`` (nova) holds abandoned ones; other folders (``specs/api/``) are not
  specs and are listed as skipped;
- ``index.rst``, ``template.rst``, ``example.rst`` and ``*-template.rst`` are not specs;
- ``lite-specs.rst`` holds several lite specs, one per section; ``spec-lite-*.rst`` and
  ``lite-spec-*.rst`` are one lite spec each;
- a spec reachable from several places (a symbolic link, or the text file git leaves
  instead of one when links are off, or the same deliverable/file name re-proposed in a
  later cycle) is one spec: it is where its latest location says, and the earlier places
  are its history;
- redirects for moved specs (doc/source/_extra/.htaccess ``Redirect 301 old new``, nova's
  ``specs/<cycle>/redirects``) add the old places to the moved spec's history.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from dashboard.governance.specs_rst import RstError, RstSpec, parse_lite_specs, parse_spec

# OpenStack's series in order; a folder whose name is here, or a release id like 2023.1,
# is a cycle. Names after zed are also accepted for repositories that use them for folders.
SERIES = [
    "austin",
    "bexar",
    "cactus",
    "diablo",
    "essex",
    "folsom",
    "grizzly",
    "havana",
    "icehouse",
    "juno",
    "kilo",
    "liberty",
    "mitaka",
    "newton",
    "ocata",
    "pike",
    "queens",
    "rocky",
    "stein",
    "train",
    "ussuri",
    "victoria",
    "wallaby",
    "xena",
    "yoga",
    "zed",
]
LATER_SERIES = {
    "antelope": "2023.1",
    "bobcat": "2023.2",
    "caracal": "2024.1",
    "dalmatian": "2024.2",
    "epoxy": "2025.1",
    "flamingo": "2025.2",
    "gazpacho": "2026.1",
    "hibiscus": "2026.2",
    "indri": "2027.1",
}
RELEASE_ID = re.compile(r"^(\d{4})\.(\d)$")
UNTARGETED_FOLDERS = {"untargeted", "backlog"}
ABANDONED_FOLDERS = {"abandoned", "not-implemented"}
STATE_FOLDERS = {"approved": "approved", "implemented": "implemented"}
IMPLEMENTED_CYCLE = re.compile(r"^[\w.]+-implemented$")
NOT_SPECS = re.compile(r"^(index|template|example|readme|.*-template)\.rst$", re.IGNORECASE)
LITE_FILE = re.compile(r"^(spec-lite|lite-spec|specs?-lite)[-_]", re.IGNORECASE)
LITE_SPECS_FILE = re.compile(r"^lite-specs?\.rst$", re.IGNORECASE)
# Many lite specs are single files named like full ones; their title says what they are.
LITE_TITLE = re.compile(r"^(spec[ -]?lite|lite[ -]?spec)\b", re.IGNORECASE)
_STATE_RANK = {"abandoned": 0, "untargeted": 1, "approved": 2, "implemented": 3}


def cycle_order(name: str | None) -> tuple[int, str]:
    """Sort key putting cycles in release order; None (no cycle) first."""
    if name is None:
        return (-1, "")
    if name in SERIES:
        return (SERIES.index(name), name)
    release = LATER_SERIES.get(name, name)
    if match := RELEASE_ID.match(release):
        return (len(SERIES) + int(match.group(1)) * 10 + int(match.group(2)), name)
    return (-1, name)


def is_cycle_name(name: str) -> bool:
    return name in SERIES or name in LATER_SERIES or bool(RELEASE_ID.match(name))


@dataclass(frozen=True)
class Location:
    """Where a spec file sits: ``path`` relative to the repository root (posix)."""

    path: str
    cycle: str | None
    state: str
    deliverable: str
    is_link: bool = False

    @property
    def rank(self) -> tuple[tuple[int, str], int, int]:
        return (cycle_order(self.cycle), _STATE_RANK[self.state], 0 if self.is_link else 1)


@dataclass(frozen=True)
class TreeSpec:
    """One spec as the tree gives it; ``locations`` are oldest first, the last is current."""

    slug: str
    kind: str  # "spec" or "lite"
    title: str
    blueprint_url: str
    authors: tuple[str, ...]
    html: str
    locations: tuple[Location, ...]

    @property
    def current(self) -> Location:
        return self.locations[-1]

    @property
    def key(self) -> tuple[str, str]:
        return (self.current.deliverable, self.slug)


@dataclass(frozen=True)
class TreeProblem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class SpecsTree:
    specs: list[TreeSpec] = field(default_factory=list)
    problems: list[TreeProblem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _is_special(folder: str) -> bool:
    return (
        folder in UNTARGETED_FOLDERS
        or folder in ABANDONED_FOLDERS
        or folder in STATE_FOLDERS
        or is_cycle_name(folder)
        or bool(IMPLEMENTED_CYCLE.match(folder) and is_cycle_name(folder.rsplit("-", 1)[0]))
    )


def classify(relative: PurePosixPath, *, default_deliverable: str) -> Location | None:
    """The cycle, state and deliverable of ``specs/...`` path ``relative``; None if not a spec.

    For example specs/newton/approved/glance_store/x.rst is newton, approved, glance_store.
    A deliverable folder may also come first (keystone-specs: specs/keystonemiddleware/
    rocky/x.rst), and a backlog may be split by cycle (neutron: specs/backlog/kilo/x.rst).
    """
    parts = relative.parts
    if len(parts) < 3 or parts[0] != "specs" or NOT_SPECS.match(parts[-1]):
        return None
    folders = list(parts[1:-1])
    deliverable = ""
    if not _is_special(folders[0]) and len(folders) > 1 and _is_special(folders[1]):
        deliverable, folders = folders[0], folders[1:]
    folder, rest = folders[0], folders[1:]
    if folder in UNTARGETED_FOLDERS or folder in ABANDONED_FOLDERS:
        state = "untargeted" if folder in UNTARGETED_FOLDERS else "abandoned"
        cycle = None
        if rest and (rest[0] in STATE_FOLDERS or is_cycle_name(rest[0])):
            rest = rest[1:]  # nova: specs/backlog/approved/; neutron: specs/backlog/kilo/
    elif folder in STATE_FOLDERS:  # ironic: specs/approved/ with no cycle
        cycle, state = None, STATE_FOLDERS[folder]
    elif is_cycle_name(folder):
        cycle = LATER_SERIES.get(folder, folder)
        state = "approved"
        if rest and rest[0] in STATE_FOLDERS:
            state = STATE_FOLDERS[rest[0]]
            rest = rest[1:]
    elif IMPLEMENTED_CYCLE.match(folder) and is_cycle_name(folder.rsplit("-", 1)[0]):
        name = folder.rsplit("-", 1)[0]  # ironic: specs/kilo-implemented/
        cycle, state = LATER_SERIES.get(name, name), "implemented"
    else:
        return None
    deliverable = deliverable or (rest[0] if rest else default_deliverable)
    return Location(path=str(relative), cycle=cycle, state=state, deliverable=deliverable)


_LINK_TEXT = re.compile(r"^(\.\./|\./)?[\w./+-]+\.rst$")


def _link_target(path: Path, root: Path) -> Path | None:
    """The file a link points to: a symbolic link, or git's text stand-in for one.

    With ``core.symlinks=false`` (or a copy that lost its links) a link is a one-line file
    holding the relative target; such a file is taken as a link when that target exists.
    """
    if path.is_symlink():
        target = path.resolve()
        return target if target.is_file() and target.is_relative_to(root.resolve()) else None
    if path.stat().st_size > 300:
        return None
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    if "\n" in text or not _LINK_TEXT.match(text):
        return None
    target = (path.parent / text).resolve()
    return target if target.is_file() and target.is_relative_to(root.resolve()) else None


def read_redirects(root: Path) -> list[tuple[str, str]]:
    """(old path, new path) pairs of moved specs, as ``specs/...rst`` paths."""
    pairs: list[tuple[str, str]] = []
    htaccess = root / "doc" / "source" / "_extra" / ".htaccess"
    if htaccess.is_file():
        for line in htaccess.read_text(encoding="utf-8", errors="replace").splitlines():
            fields = line.split()
            if len(fields) >= 4 and fields[0].lower() == "redirect" and "/specs/" in fields[2]:
                old, new = (
                    "specs/" + url.split("/specs/", 1)[1].removesuffix(".html") + ".rst"
                    for url in fields[2:4]
                )
                pairs.append((old, new))
    specs_dir = root / "specs"
    if specs_dir.is_dir():
        for redirects in sorted(specs_dir.glob("*/redirects")):
            base = PurePosixPath("specs") / redirects.parent.name
            for line in redirects.read_text(encoding="utf-8", errors="replace").splitlines():
                fields = line.split()
                if len(fields) == 2 and not line.startswith("#"):
                    old = os.path.normpath(str(base / fields[0]))
                    new = os.path.normpath(str(base / fields[1]))
                    pairs.append((old.replace(os.sep, "/"), new.replace(os.sep, "/")))
    return pairs


def specs_root(path: Path) -> Path:
    """The repository root: ``path`` itself, or its parent when given the specs/ folder."""
    if (path / "specs").is_dir():
        return path
    if path.name == "specs" and path.is_dir():
        return path.parent
    return path


def _parse(text: str, name: str) -> tuple[str, list[RstSpec]]:
    if LITE_SPECS_FILE.match(name):
        return "lite", parse_lite_specs(text)
    spec = parse_spec(text)
    kind = "lite" if LITE_FILE.match(name) or LITE_TITLE.match(spec.title) else "spec"
    return kind, [spec]


def read_specs_tree(
    path: Path,
    *,
    default_deliverable: str,
    moves: Sequence[tuple[str, str]] = (),
) -> SpecsTree:
    """Every spec under ``path`` (a repository checkout or its specs/ folder).

    ``moves`` are (old path, new path) renames known from elsewhere (git history); they
    count as redirects.

    Files that do not parse are in ``problems`` (path and line) and the rest is read.
    Links and folders are never followed outside the repository, and linked folders
    (doc/source/specs -> ../../specs) are not walked, so nothing is seen twice.
    """
    root = specs_root(path)
    tree = SpecsTree()
    # Content file (resolved) -> the locations that show it.
    shown: dict[Path, list[Location]] = defaultdict(list)
    specs_dir = root / "specs"
    if not specs_dir.is_dir():
        tree.problems.append(TreeProblem(str(path), None, "no specs/ folder here"))
        return tree
    for folder in sorted(child.name for child in specs_dir.iterdir() if child.is_dir()):
        inner = [child.name for child in (specs_dir / folder).iterdir() if child.is_dir()]
        if not _is_special(folder) and not any(_is_special(name) for name in inner):
            tree.skipped.append(f"specs/{folder}/ (not a cycle folder)")
    for directory, dirnames, filenames in os.walk(specs_dir):
        dirnames[:] = sorted(d for d in dirnames if not (Path(directory) / d).is_symlink())
        for filename in sorted(filenames):
            if not filename.endswith(".rst"):
                continue
            file = Path(directory) / filename
            relative = PurePosixPath(file.relative_to(root).as_posix())
            location = classify(relative, default_deliverable=default_deliverable)
            if location is None:
                continue
            target = _link_target(file, root)
            if target is not None:
                if NOT_SPECS.match(target.name):
                    continue
                shown[target].append(replace(location, is_link=True))
            else:
                shown[file.resolve()].append(location)
    parsed: list[TreeSpec] = []
    for content, locations in sorted(shown.items()):
        locations.sort(key=lambda loc: loc.rank)
        relative = content.relative_to(root.resolve()).as_posix()
        try:
            text = content.read_text(encoding="utf-8")
            kind, rst_specs = _parse(text, content.name)
        except UnicodeDecodeError as exc:
            tree.problems.append(TreeProblem(relative, None, f"not UTF-8 text ({exc.reason})"))
            continue
        except RstError as exc:
            tree.problems.append(TreeProblem(relative, exc.line, exc.message))
            continue
        for rst in rst_specs:
            parsed.append(
                TreeSpec(
                    slug=rst.slug or content.stem,
                    kind=kind,
                    title=rst.title,
                    blueprint_url=rst.blueprint_url,
                    authors=rst.authors,
                    html=rst.html,
                    locations=tuple(locations),
                )
            )
    redirects = read_redirects(root) + list(moves)
    tree.specs = _merge(parsed, redirects, default_deliverable=default_deliverable)
    return tree


def _merge(
    parsed: list[TreeSpec], redirects: list[tuple[str, str]], *, default_deliverable: str
) -> list[TreeSpec]:
    """One spec per (deliverable, slug): re-proposals in later cycles join the earlier text.

    The newest text wins (it is the one people read); a redirect's old place joins the
    history of the spec now at its new place.
    """
    by_key: dict[tuple[str, str], list[TreeSpec]] = defaultdict(list)
    for spec in parsed:
        by_key[spec.key].append(spec)
    moved_from: dict[str, list[str]] = defaultdict(list)
    for old, new in redirects:
        moved_from[new].append(old)
    groups: list[list[TreeSpec]] = []
    for group in by_key.values():
        # A later file of the same name but another kind is another document (glance's
        # queens lite spec deprecate-registry follows newton's full spec of that name):
        # the newest keeps the slug, older ones get their cycle appended.
        group.sort(key=lambda spec: spec.current.rank)
        newest_kind = group[-1].kind
        same = [spec for spec in group if spec.kind == newest_kind]
        groups.append(same)
        by_kind: dict[str, list[TreeSpec]] = defaultdict(list)
        for spec in group:
            if spec.kind != newest_kind:
                by_kind[spec.kind].append(spec)
        for others in by_kind.values():
            suffix = others[-1].current.cycle or others[-1].current.state
            groups.append([replace(spec, slug=f"{spec.slug}-{suffix}") for spec in others])
    merged = []
    for group in groups:
        newest = group[-1]
        locations = {loc.path: loc for spec in group for loc in spec.locations}
        for path in list(locations):
            pending = list(moved_from.get(path, []))
            while pending:  # chains: queens/approved -> rocky/approved -> rocky/implemented
                old = pending.pop()
                if old in locations:
                    continue
                where = classify(PurePosixPath(old), default_deliverable=default_deliverable)
                if where is not None:
                    locations[old] = where
                    pending.extend(moved_from.get(old, []))
        ordered = tuple(sorted(locations.values(), key=lambda loc: loc.rank))
        if ordered[-1] != newest.current:  # a redirect never outranks where the file is now
            ordered = tuple(loc for loc in ordered if loc != newest.current) + (newest.current,)
        merged.append(replace(newest, locations=ordered))
    merged.sort(key=lambda spec: (cycle_order(spec.current.cycle), spec.key))
    return merged
