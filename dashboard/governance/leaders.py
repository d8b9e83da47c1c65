"""Read who led a team from OpenStack's governance and election data. No ORM here.

Three sources, most authoritative first:

- ``election/results/<series>/ptl.yaml``: the elected PTL per team (ocata onwards);
- ``election/candidates/<series>/<Team>/``: the candidacy statements; a single candidate
  was elected unopposed. For contested elections with no results file (mitaka, newton),
  the winner is the candidate whom governance's ``projects.yaml`` history names as PTL in
  the middle of that cycle (``history/glance-governance-history.yaml``, when present);
- ``reference/projects.yaml``: today's PTL and liaisons (release, security...), which
  belong to the cycle in progress.

Folders are named by series name up to bobcat and by release id (``2024.1``) after; the
caller maps either to a cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dashboard.governance.schedule import ScheduleError, load_yaml, parse_day


@dataclass(frozen=True)
class LeaderRecord:
    series: str  # a series name or release id; "" for "the cycle in progress"
    role: str  # a LeaderRole value
    name: str
    irc: str = ""
    email: str = ""
    source: str = ""


def _team_key(mapping: dict, team: str) -> str | None:
    for key in mapping:
        if str(key).lower() == team.lower():
            return str(key)
    return None


def election_results(root: Path, *, team: str) -> dict[str, LeaderRecord]:
    """Series -> elected PTL of ``team`` from every ``results/<series>/ptl.yaml``."""
    found: dict[str, LeaderRecord] = {}
    for path in sorted((root / "election" / "results").glob("*/ptl.yaml")):
        data = load_yaml(path)
        candidates = data.get("candidates") if isinstance(data, dict) else None
        if not isinstance(candidates, dict):
            raise ScheduleError(f"{path}:1: expected a mapping with 'candidates'")
        key = _team_key(candidates, team)
        for candidate in candidates.get(key, []) if key else []:
            # Early files mark a sitting PTL re-elected unopposed as INCUMBENT-PTL.
            if candidate.get("elected") in (True, "INCUMBENT-PTL"):
                found[path.parent.name] = LeaderRecord(
                    series=path.parent.name,
                    role="ptl",
                    name=str(candidate.get("fullname", "")).strip(),
                    irc=str(candidate.get("ircname") or "").strip(),
                    email=str(candidate.get("email") or "").strip(),
                    source=f"election results {path.parent.name}",
                )
    return found


def _candidate(file: Path) -> tuple[str, str, str]:
    """(name, irc, email) guessed from a candidacy file's name: ``Nikhil_Komawar.txt``,
    ``rosmaita.txt`` (an IRC nick), or ``jokke@usr.fi`` (an e-mail address).
    """
    stem = file.name.removesuffix(".txt")
    if "@" in stem:
        return stem, "", stem
    if "_" in stem.strip("_"):
        return stem.replace("_", " ").strip().title(), "", ""
    return stem, stem, ""


def ptl_history(path: Path) -> list[tuple[date, str]]:
    """(date, PTL name) of every change of the team entry, oldest first."""
    if not path.is_file():
        return []
    data = load_yaml(path)
    changes = data.get("glance_entry_changes") if isinstance(data, dict) else None
    history = []
    for entry in changes or []:
        if entry.get("ptl"):
            name = re.sub(r"\s*\(.*\)\s*$", "", str(entry["ptl"])).strip()
            day = parse_day(entry["date"], where=f"{path}:{entry.line('date')}", key="date")
            history.append((day, name))
    return sorted(history)


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").lower().split())


def candidacies(
    root: Path, *, team: str, midpoints: dict[str, date], history: list[tuple[date, str]]
) -> dict[str, LeaderRecord]:
    """Series -> PTL from the candidacy folders: the only candidate, or for a contested
    race the candidate the governance history names as PTL at ``midpoints[series]``.
    """
    found: dict[str, LeaderRecord] = {}
    for folder in sorted((root / "election" / "candidates").glob("*/*")):
        if not folder.is_dir() or folder.name.lower() != team.lower():
            continue
        series = folder.parent.name
        files = sorted(f for f in folder.iterdir() if f.is_file() and not f.name.startswith("."))
        people = [_candidate(f) for f in files]
        if len(people) == 1:
            name, irc, email = people[0]
            source = f"only candidate, {series}"
        elif len(people) > 1 and series in midpoints:
            in_office = [name for day, name in history if day <= midpoints[series]]
            winner = next(
                (p for p in people if in_office and _norm(p[0]) == _norm(in_office[-1])), None
            )
            if winner is None:
                continue
            name, irc, email = winner
            source = f"contested {series}, PTL per governance history"
        else:
            continue
        found[series] = LeaderRecord(
            series=series, role="ptl", name=name, irc=irc, email=email, source=source
        )
    return found


def current_leaders(root: Path, *, team: str) -> list[LeaderRecord]:
    """Today's PTL and liaisons of ``team`` from ``reference/projects.yaml``."""
    path = root / "reference" / "projects.yaml"
    if not path.is_file():
        return []
    data = load_yaml(path)
    key = _team_key(data, team) if isinstance(data, dict) else None
    if key is None:
        return []
    entry = data[key]
    records = []
    ptl = entry.get("ptl") or {}
    if ptl.get("name"):
        records.append(
            LeaderRecord(
                series="",
                role="ptl",
                name=str(ptl["name"]),
                irc=str(ptl.get("irc") or ""),
                email=str(ptl.get("email") or ""),
                source="governance projects.yaml",
            )
        )
    known = {"release", "security", "tact-sig", "tc-liaison"}
    for role, people in (entry.get("liaisons") or {}).items():
        for person in people or []:
            if person.get("name"):
                records.append(
                    LeaderRecord(
                        series="",
                        role=role if role in known else "other",
                        name=str(person["name"]),
                        irc=str(person.get("irc") or ""),
                        email=str(person.get("email") or ""),
                        source="governance projects.yaml",
                    )
                )
    return records
