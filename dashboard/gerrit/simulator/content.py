"""What a change contains: subject, commit message, files per patch set, commit SHAs.

Content never influences queries, so it is derived lazily from the change number and a few
drawn parameters, each with its own seeded ``random.Random``; the same inputs always give
the same text. Shapes follow what Gerrit returns (facts §3.5): commit messages end with a
``Change-Id:`` footer and a newline, OpenStack footers (``Closes-Bug: #N``,
``Implements: blueprint x``) precede it, a stable backport ends with ``(cherry picked from
commit …)``, and the file list of a revision includes the magic ``/COMMIT_MSG`` file.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from . import vocabulary
from .draws import choice, randint

SPECS_PROJECT = "openstack/glance-specs"
CODE, SPEC, REQUIREMENTS = "code", "spec", "requirements"
# OpenStack's release series after rocky: two a year, released around the start of April
# and of October; from 2023 each also has an id (2023.1 is antelope). After the last name
# known here, series go by their id alone.
_LATER_SERIES = (
    "stein", "train", "ussuri", "victoria", "wallaby", "xena", "yoga", "zed",
    "antelope", "bobcat", "caracal", "dalmatian", "epoxy", "flamingo", "gazpacho",
    "hibiscus", "indri",
)  # fmt: skip


def _release_wednesday(year: int, half: int) -> int:
    """Epoch seconds of noon on the Wednesday of the week of 1 April (or 1 October)."""
    first = datetime(year, 4 if half == 1 else 10, 1, 12, tzinfo=UTC)
    return int((first + timedelta(days=2 - first.weekday())).timestamp())


def _calendar() -> tuple[tuple[str, str, int], ...]:
    named = (
        ("mitaka", "", 1459987200),  # 2016-04-07
        ("newton", "", 1475712000),  # 2016-10-06
        ("ocata", "", 1487721600),  # 2017-02-22
        ("pike", "", 1504051200),  # 2017-08-30
        ("queens", "", 1519776000),  # 2018-02-28
        ("rocky", "", 1535587200),  # 2018-08-30
    )
    later = []
    for index, (year, half) in enumerate((y, h) for y in range(2019, 2041) for h in (1, 2)):
        release_id = f"{year}.{half}" if year >= 2023 else ""
        name = _LATER_SERIES[index] if index < len(_LATER_SERIES) else release_id
        later.append((name, release_id, _release_wednesday(year, half)))
    return named + tuple(later)


# (series, release id or "", release date as epoch seconds), oldest first: a date belongs
# to the first series released after it. One calendar for the simulated history (spec
# paths, the feature-freeze rush) and for the demo's cycles, whatever the history's dates.
SERIES = _calendar()
CYCLES = tuple((name, release) for name, _, release in SERIES)
_BYTES_PER_LINE = 38


@dataclass(frozen=True, slots=True)
class Theme:
    """The drawn parameters content is made from; a backport shares its source's theme."""

    source_number: int
    project: str
    flavor: str
    feature: int
    bug: int
    topic: str | None
    created: int


class FileStat(NamedTuple):
    """One file of a revision (a named tuple: cheap, and a page lists thousands)."""

    path: str
    status: str  # "A", "D" or "" (modified), as FileInfo.status
    inserted: int
    deleted: int


@dataclass(frozen=True, slots=True)
class ChangeSpec:
    """The static part of a change; everything that happens to it is an event."""

    seed: int
    number: int
    change_id: str
    project: str
    branch: str
    owner: int
    created: int
    topic: str | None
    hashtags: tuple[str, ...]
    mergeable: bool
    subject: str
    body: str
    footers: tuple[str, ...]
    cherry_picked_from: str | None
    files: tuple[FileStat, ...]

    def commit_message(self, edits: int) -> str:
        """Full message of a patch set after ``edits`` commit-message-only uploads."""
        body = self.body
        if edits:
            extra = " ".join(vocabulary.MESSAGE_EDITS[: min(edits, len(vocabulary.MESSAGE_EDITS))])
            body = f"{body} {extra}".strip()
        parts = [self.subject]
        if body:
            parts.append(body)
        parts.append("\n".join([*self.footers, f"Change-Id: {self.change_id}"]))
        message = "\n\n".join(parts) + "\n"
        if self.cherry_picked_from:
            message += f"(cherry picked from commit {self.cherry_picked_from})\n"
        return message

    def revision(self, patch_set: int) -> str:
        """The commit SHA of a patch set."""
        return _sha(f"commit:{self.seed}:{self.number}:{patch_set}")

    def parent(self, patch_set: int) -> dict[str, str]:
        """The parent commit of a patch set (each upload sits on some branch tip)."""
        rng = random.Random(f"parent:{self.seed}:{self.number}:{patch_set}")
        template = choice(rng, vocabulary.SUBJECTS)
        return {
            "commit": _sha(f"parent:{self.seed}:{self.number}:{patch_set}"),
            "subject": _fill(template, rng, self.project),
        }

    def file_stats(self, code_version: int) -> list[FileStat]:
        """Files of the code as of patch set ``code_version`` (rebases reuse it)."""
        if code_version <= 1:
            return list(self.files)
        rng = random.Random(f"files:{self.seed}:{self.number}:{code_version}")
        return [
            FileStat(f.path, f.status, _scale(rng, f.inserted), _scale(rng, f.deleted))
            if f.status != "D"
            else f
            for f in self.files
        ]

    @staticmethod
    def commit_msg_file(message: str) -> FileStat:
        """Gerrit's ``/COMMIT_MSG``: a six-line header (parent, author, committer) + the text."""
        return FileStat("/COMMIT_MSG", "A", 6 + message.count("\n"), 0)


def cycle_at(moment: int) -> str:
    """The release cycle in development at ``moment`` (specs target the next one late on)."""
    for index, (name, release) in enumerate(CYCLES):
        if moment < release:
            late = release - moment < 42 * 86400 and index + 1 < len(CYCLES)
            return CYCLES[index + 1][0] if late else name
    return CYCLES[-1][0]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def is_specs(project: str) -> bool:
    """Whether a repository holds design specs (``openstack/nova-specs``), not code."""
    return project == SPECS_PROJECT or project.endswith("-specs")


def vocabulary_of(project: str) -> str:
    """The repository whose components and files a change of ``project`` is written
    with: itself for the Glance-like ones; for the repositories of the forge's other
    teams, the Glance repository of the same role (a client, a service, a library)."""
    if project in vocabulary.FILES or is_specs(project):
        return SPECS_PROJECT if is_specs(project) else project
    short = project.rsplit("/", 1)[-1]
    if short.startswith("python-") and short.endswith("client"):
        return "openstack/python-glanceclient"
    return "openstack/glance" if "-" not in short else "openstack/glance_store"


def change_id_for(seed: int, number: int) -> str:
    return "I" + _sha(f"change-id:{seed}:{number}")


def make_spec(
    *,
    seed: int,
    number: int,
    change_id: str,
    branch: str,
    owner: int,
    hashtags: tuple[str, ...],
    mergeable: bool,
    theme: Theme,
    topic: str | None,
    created: int,
    subject: str | None = None,
) -> ChangeSpec:
    """Build a change's content; a backport (``theme.source_number != number``) reuses the
    source's subject, body and files and records the cherry-pick."""
    rng = random.Random(f"content:{seed}:{theme.source_number}")
    project = theme.project
    feature = vocabulary.FEATURES[theme.feature % len(vocabulary.FEATURES)]
    footers: list[str] = []
    body = ""
    if theme.flavor == REQUIREMENTS:
        drawn = "Updated from global requirements"
        files = [FileStat(p, "", 1, 1) for p in vocabulary.REQUIREMENTS_FILES[: randint(rng, 1, 2)]]
    elif theme.flavor == SPEC:
        cycle = cycle_at(theme.created)
        drawn = choice(rng, vocabulary.SPEC_SUBJECTS).format(feature=feature, cycle=cycle)
        spec_dir = choice(rng, vocabulary.SPEC_DIRS)
        files = [
            FileStat(
                f"specs/{cycle}/approved/{spec_dir}/{slug(feature)}.rst",
                "A",
                randint(rng, 120, 420),
                0,
            )
        ]
        body = f"This spec proposes {feature} for the {cycle.capitalize()} cycle."
    else:
        component = choice(rng, vocabulary.COMPONENTS[vocabulary_of(project)])
        drawn = _fill(choice(rng, vocabulary.SUBJECTS), rng, project, component)
        body = choice(rng, vocabulary.BODIES).format(component=component)
        body = body[0].upper() + body[1:]
        files = _code_files(rng, project, drawn)
    if theme.flavor != REQUIREMENTS:
        if theme.topic and theme.topic.startswith("bp/"):
            verb = "Implements" if rng.random() < 0.7 else "Partially-Implements"
            footers.append(f"{verb}: blueprint {theme.topic[3:]}")
        if (theme.topic and theme.topic.startswith("bug/")) or rng.random() < 0.25:
            verb = "Closes-Bug" if rng.random() < 0.8 else "Partial-Bug"
            footers.append(f"{verb}: #{theme.bug}")
    backport = theme.source_number != number
    return ChangeSpec(
        seed=seed,
        number=number,
        change_id=change_id,
        project=project,
        branch=branch,
        owner=owner,
        created=created,
        topic=topic,
        hashtags=hashtags,
        mergeable=mergeable,
        subject=subject or drawn,
        body=body,
        footers=tuple(footers),
        cherry_picked_from=_sha(f"merged:{seed}:{theme.source_number}") if backport else None,
        files=tuple(files),
    )


def _code_files(rng: random.Random, project: str, subject: str) -> list[FileStat]:
    project = vocabulary_of(project)
    paths = rng.sample(vocabulary.FILES[project], choice(rng, (1, 1, 2, 2, 3, 4)))
    files = [FileStat(p, "", _lines(rng), _lines(rng) // 2) for p in paths]
    if rng.random() < 0.7:
        test = choice(rng, vocabulary.TEST_FILES[project])
        if test not in paths:
            files.append(FileStat(test, "", _lines(rng) * 2, _lines(rng) // 3))
    if rng.random() < 0.25:
        note = f"releasenotes/notes/{slug(subject)[:40]}-{rng.getrandbits(64):016x}.yaml"
        files.append(FileStat(note, "A", randint(rng, 4, 14), 0))
    if rng.random() < 0.05:
        files.append(
            FileStat(choice(rng, vocabulary.OBSOLETE_FILES), "D", 0, randint(rng, 20, 240))
        )
    return sorted(files, key=lambda f: f.path)


def _fill(template: str, rng: random.Random, project: str, component: str | None = None) -> str:
    components = vocabulary.COMPONENTS.get(project) or vocabulary.COMPONENTS["openstack/glance"]
    new_lib, old_lib = choice(rng, vocabulary.LIBRARY_SWAPS)
    return template.format(
        bug=choice(rng, vocabulary.BUG_PHRASES),
        component=component or choice(rng, components),
        feature=choice(rng, vocabulary.FEATURES),
        option=choice(rng, vocabulary.OPTIONS),
        new_lib=new_lib,
        old_lib=old_lib,
    )


def _lines(rng: random.Random) -> int:
    return max(1, int(rng.lognormvariate(2.8, 1.0)))


def _scale(rng: random.Random, lines: int) -> int:
    return max(0, round(lines * rng.uniform(0.6, 1.5))) if lines else 0


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def file_size(stat: FileStat) -> tuple[int, int]:
    """(size_delta, size) in bytes, derived from line counts at a typical line length."""
    delta = (stat.inserted - stat.deleted) * _BYTES_PER_LINE
    if stat.status == "A":
        return delta, delta
    if stat.status == "D":
        return delta, stat.deleted * _BYTES_PER_LINE
    return delta, _untouched_size(stat.path) + max(delta, 0)


@lru_cache(maxsize=4096)
def _untouched_size(path: str) -> int:
    """Bytes of a modified file outside the change; paths repeat across changes."""
    return 400 + int(hashlib.sha1(path.encode()).hexdigest()[:4], 16) % 400 * 40
