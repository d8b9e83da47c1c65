"""The demo's specs repository: generated from the synced demo team, imported for real.

``seed_demo_specs(team=...)`` writes a small glance-specs-like git repository in a
temporary folder, from what the simulator made the team do: each blueprint topic
(``bp/<slug>``) whose spec review merged gets its spec file at the path that review added,
committed on the day it merged; a spec whose implementation changes all merged moves to
``implemented/`` on the day the last one merged (when merged ones outnumber open ones two
to one); the two blueprints with the least work move back to ``untargeted/``, as do
blueprints nobody wrote a spec for; and a lite-specs file holds two small specs. The
importer then reads it through the same code path as a real repository (dates from git
history, proposals from the open reviews in the synced specs repository). It never reads
../shared.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from django.utils import timezone

from dashboard.gerrit.models import Change, ChangeFile, ChangeStatus, Team
from dashboard.governance.specs_import import ImportResult, import_specs_folder
from dashboard.governance.specs_tree import classify, cycle_order

LITE_SPECS = (
    (
        "Deprecate the show_multiple_locations option",
        "The option exposes image locations to every user.",
        "Deprecate it in this cycle and remove it two cycles later.",
    ),
    (
        "Add the vhdx disk format",
        "Operators upload vhdx images that Glance refuses.",
        "Add ``vhdx`` to the list of supported disk formats.",
    ),
)


def _title(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def spec_rst(*, slug: str, title: str, assignee: str, cycle: str) -> str:
    """A full spec in the OpenStack template's shape, with its blueprint link."""
    bar = "=" * len(title)
    return f"""..
 This work is licensed under a Creative Commons Attribution 3.0 Unported
 License.

 http://creativecommons.org/licenses/by/3.0/legalcode

{bar}
{title}
{bar}

https://blueprints.launchpad.net/glance/+spec/{slug}

Glance should support {title.lower()}, so that operators can rely on it in {cycle.capitalize()}.

Problem description
===================

Operators asked for {title.lower()} at the last summit; today they patch Glance
themselves, and each deployment does it differently.

Proposed change
===============

* Add the behaviour behind a configuration option, off by default.
* Document it in the admin guide.
* Turn it on by default one cycle later if nothing breaks.

Alternatives
------------

Keep the status quo and let each operator carry a patch.

Implementation
==============

Assignee(s)
-----------

Primary assignee:
  {assignee}

Work Items
----------

#. Code, with unit and functional tests.
#. Documentation and a release note.

References
==========

* The blueprint: https://blueprints.launchpad.net/glance/+spec/{slug}
"""


def _lite_specs_rst() -> str:
    out = ["================", "Glance Spec Lite", "================", ""]
    for title, problem, solution in LITE_SPECS:
        out += [title, "-" * len(title), "", f":problem: {problem}", "", f":solution: {solution}"]
        out += ["", ":assignee: Open", "", f"End of {title}", "+" * len(f"End of {title}"), ""]
    return "\n".join(out)


def _git(root: Path, *args: str, when: datetime) -> None:
    stamp = when.isoformat()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "GIT_AUTHOR_NAME": "Tiller demo",
        "GIT_AUTHOR_EMAIL": "demo@tiller.invalid",
        "GIT_COMMITTER_NAME": "Tiller demo",
        "GIT_COMMITTER_EMAIL": "demo@tiller.invalid",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, timeout=60)


def _commit(root: Path, files: dict[str, str], message: str, when: datetime) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _git(root, "add", "-A", when=when)
    _git(root, "commit", "-q", "-m", message, when=when)


def seed_demo_specs(*, team: Team) -> ImportResult:
    """Generate the demo team's specs repository and import it (see the module docstring)."""
    specs_files = (
        ChangeFile.objects.filter(
            change__repository__team=team,
            change__repository__name__endswith="-specs",
            change__status=ChangeStatus.MERGED,
            path__startswith="specs/",
            path__endswith=".rst",
        )
        .select_related("change__owner")
        .order_by("change__closed")
    )
    first_merge: dict[str, ChangeFile] = {}
    for row in specs_files:
        first_merge.setdefault(PurePosixPath(row.path).stem, row)
    work: dict[str, list[Change]] = defaultdict(list)
    code = Change.objects.in_team(team).filter(topic__startswith="bp/")
    for change in code.exclude(repository__name__endswith="-specs").order_by("created"):
        work[change.topic.removeprefix("bp/")].append(change)

    start = timezone.now() - timedelta(days=540)
    with tempfile.TemporaryDirectory(prefix="tiller-demo-specs-") as tmp:
        root = Path(tmp) / "glance-specs"
        root.mkdir()
        _git(root, "init", "-q", when=start)
        readme = "=====================\nGlance Specifications\n=====================\n"
        _commit(root, {"README.rst": readme}, "Initial layout", start)
        steps: list[tuple[datetime, str, dict[str, str] | tuple[str, str]]] = []
        latest_cycle = ""
        # The two blueprints with the least work were approved, then put back in untargeted/.
        idle = set(sorted(first_merge, key=lambda name: (len(work.get(name, [])), name))[:2])
        for slug_, row in first_merge.items():
            where = classify(PurePosixPath(row.path), default_deliverable="glance")
            if where is None or row.change.closed is None or "/approved/" not in row.path:
                continue
            approved = row.change.closed
            latest_cycle = max(
                latest_cycle, where.cycle or "", key=lambda c: cycle_order(c or None)
            )
            owner = row.change.owner.username or row.change.owner.name or "open"
            text = spec_rst(
                slug=slug_, title=_title(slug_), assignee=owner, cycle=where.cycle or ""
            )
            steps.append((approved, f"Add spec {slug_}", {row.path: text}))
            changes = work.get(slug_, [])
            merged = [c.closed for c in changes if c.status == ChangeStatus.MERGED and c.closed]
            still_open = sum(1 for c in changes if c.status == ChangeStatus.NEW)
            if slug_ in idle:
                moved = f"specs/untargeted/{where.deliverable}/{slug_}.rst"
                steps.append(
                    (approved + timedelta(days=90), "Nobody took it on", (row.path, moved))
                )
            elif merged and len(merged) >= 2 * still_open:
                done = max(max(merged), approved + timedelta(days=1))
                moved = row.path.replace("/approved/", "/implemented/")
                steps.append((done, f"{slug_} is implemented", (row.path, moved)))
        for slug_ in sorted(set(work) - set(first_merge)):
            path = f"specs/untargeted/glance/{slug_}.rst"
            text = spec_rst(slug=slug_, title=_title(slug_), assignee="None", cycle="untargeted")
            steps.append((start + timedelta(days=30), f"Add untargeted spec {slug_}", {path: text}))
        if latest_cycle:
            lite = {f"specs/{latest_cycle}/approved/glance/lite-specs.rst": _lite_specs_rst()}
            steps.append((start + timedelta(days=60), "Add lite specs", lite))
        for when, message, what in sorted(steps, key=lambda step: step[0]):
            if isinstance(what, tuple):
                old, new = what
                (root / new).parent.mkdir(parents=True, exist_ok=True)
                _git(root, "mv", old, new, when=when)
                _git(root, "commit", "-q", "-m", message, when=when)
            else:
                _commit(root, what, message, when)
        return import_specs_folder(team=team, root=root, deliverable="glance")
