"""Small specs trees written in tmp_path for the importer's tests: real RST, few files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

LICENSE = """..
 This work is licensed under a Creative Commons Attribution 3.0 Unported
 License.

"""


def spec_text(title: str, *, blueprint: str = "", assignee: str = "") -> str:
    """A full spec in the OpenStack template's shape."""
    bar = "=" * len(title)
    lines = [LICENSE, bar, title, bar, ""]
    if blueprint:
        lines += [f"https://blueprints.launchpad.net/glance/+spec/{blueprint}", ""]
    lines += ["Problem description", "===================", "", "Something is missing.", ""]
    if assignee:
        lines += ["Assignee(s)", "-----------", "", "Primary assignee:", f"  {assignee}", ""]
    return "\n".join(lines) + "\n"


def lite_specs_text(*titles: str, template: bool = True) -> str:
    """A lite-specs file: the template section, then one section per title."""
    out = ["================", "Glance Spec Lite", "================", ""]
    if template:
        out += ["<Title of your Spec Lite>", "-------------------------", "", ":problem: <Why>", ""]
    for title in titles:
        out += [
            title,
            "-" * len(title),
            "",
            f":problem: {title} is needed.",
            "",
            ":assignee: Jane Doe",
            "",
            f"End of {title}",
            "+" * (len(f"End of {title}")),
            "",
        ]
    return "\n".join(out) + "\n"


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def link(root: Path, relative: str, target: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def git(root: Path, *args: str, when: str = "2017-01-02T10:00:00+00:00") -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "HOME": str(root),
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
