"""git for the specs importer: cloning a URL, and when each spec file arrived where it is.

Everything runs ``git`` in a subprocess with a timeout; failures become ``GitError`` with
git's own one-line reason, so the command can say what went wrong.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

CLONE_TIMEOUT = 300
LOG_TIMEOUT = 120


class GitError(RuntimeError):
    pass


def _run(args: list[str], *, timeout: int, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin"},
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} took longer than {timeout}s") from exc
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise GitError(lines[-1] if lines else f"git {args[0]} failed ({done.returncode})")
    return done.stdout


def looks_like_git_url(source: str) -> bool:
    """A URL or scp-like address git can clone, as opposed to a local folder."""
    return (
        "://" in source
        or source.endswith(".git")
        or (":" in source and "@" in source.split(":", 1)[0])
    )


def clone(source: str, into: Path) -> Path:
    """A shallow-enough clone of ``source`` in ``into``/repo (history is needed for dates)."""
    target = into / "repo"
    _run(["clone", "--quiet", "--no-tags", source, str(target)], timeout=CLONE_TIMEOUT)
    return target


def is_git_checkout(root: Path) -> bool:
    return (root / ".git").exists()


@dataclass
class GitHistory:
    """``arrivals``: path -> day a file first arrived there; ``renames``: (old, new) moves."""

    arrivals: dict[str, date] = field(default_factory=dict)
    renames: list[tuple[str, str]] = field(default_factory=list)


def specs_history(root: Path) -> GitHistory:
    """For each path under specs/, the author date of the commit that put a file there.

    One ``git log`` for the whole tree (a call per file takes minutes on big repositories):
    additions and renames (moves approved -> implemented are renames), oldest first; a path
    keeps its first arrival. Renames are returned too: they are the moves of specs, as the
    redirect files list them.
    """
    out = _run(
        [
            "log",
            "--reverse",
            "-M",
            "--diff-filter=AR",
            "--name-status",
            "--format=%x00%aI",
            "--",
            "specs",
        ],
        cwd=root,
        timeout=LOG_TIMEOUT,
    )
    history = GitHistory()
    arrivals = history.arrivals
    when: date | None = None
    for line in out.splitlines():
        if line.startswith("\x00"):
            when = datetime.fromisoformat(line[1:].strip()).date()
            continue
        fields = line.split("\t")
        if when is None or len(fields) < 2:
            continue
        path = fields[-1]  # "A\tpath" or "R100\told\tnew"
        arrivals.setdefault(path, when)
        if fields[0].startswith("R") and len(fields) == 3:
            arrivals.setdefault(fields[1], when)
            history.renames.append((fields[1], fields[2]))
    return history
