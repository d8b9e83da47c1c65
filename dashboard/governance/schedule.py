"""Read the release team's schedule files (openstack/releases doc/source/<series>/).

``schedule.yaml`` gives the weeks and the event labels in each; the sibling ``schedule.rst``
gives each label's title and description (a ``.. _label:`` target, then a heading, then
paragraphs). ``series_status.yaml`` gives each series' status and release date. No ORM
here: this module turns files into dataclasses, or raises ``ScheduleError`` naming the
file and line, so the command can say exactly what is wrong.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from dashboard.governance.weeks import deadline_day, monday_of


class ScheduleError(ValueError):
    """A schedule file that cannot be read; the message names the file and the line."""


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings remember the line of each key and each raw scalar.

    Line numbers let errors point at the entry that is wrong; raw scalars let callers
    read ``release-id: 2026.2`` as the text it is rather than the float YAML makes of it.
    """


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    lines = {"": node.start_mark.line + 1}
    raw = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        lines[str(key)] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode):
            raw[str(key)] = value_node.value
    return _Mapping(mapping, lines=lines, raw=raw)


class _Mapping(dict[str, Any]):
    def __init__(self, data: dict[str, Any], *, lines: dict[str, int], raw: dict[str, str]):
        super().__init__(data)
        self.lines = lines
        self.raw = raw

    def line(self, key: str = "") -> int:
        return self.lines.get(key, self.lines[""])


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


# Unquoted dates stay text, parsed by parse_day: YAML's own constructor raises a bare
# ValueError on 2017-02-31, with no line to report.
_LineLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


def load_yaml(path: Path) -> Any:
    """Parse ``path`` with line-tracking mappings; bad YAML becomes a ScheduleError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ScheduleError(f"{path}: not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise ScheduleError(f"{path}{line}: not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ScheduleError(f"{path}: not valid YAML: {exc}") from None


def parse_day(value: Any, *, where: str, key: str) -> date:
    """A ``YYYY-MM-DD`` string or a YAML date (unquoted in older files) as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ScheduleError(f"{where}: {key} {value!r} is not a date (expected YYYY-MM-DD)")


@dataclass(frozen=True)
class ScheduleWeek:
    """One entry of ``cycle``: its Monday, its Friday, its R-name if any, its labels."""

    start: date
    end: date
    name: str
    line: int
    cross_project: tuple[str, ...]
    project_specific: tuple[str, ...]


@dataclass(frozen=True)
class Schedule:
    path: Path
    start_week: date
    release_week: date
    weeks: tuple[ScheduleWeek, ...]


def _labels(entry: _Mapping, key: str, *, where: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ScheduleError(f"{where}:{entry.line(key)}: {key} must be a list of event labels")
    return tuple(v.strip() for v in value)


def parse_schedule(path: Path) -> Schedule:
    """Read one ``schedule.yaml``; every problem is a ScheduleError naming file and line."""
    data = load_yaml(path)
    where = str(path)
    if not isinstance(data, _Mapping):
        raise ScheduleError(f"{where}:1: expected a mapping with start-week, release-week, cycle")
    for key in ("start-week", "release-week", "cycle"):
        if key not in data:
            raise ScheduleError(f"{where}:{data.line()}: missing key {key!r}")
    start_week = parse_day(
        data["start-week"], where=f"{where}:{data.line('start-week')}", key="start-week"
    )
    release_week = parse_day(
        data["release-week"], where=f"{where}:{data.line('release-week')}", key="release-week"
    )
    if release_week <= start_week:
        raise ScheduleError(
            f"{where}:{data.line('release-week')}: release-week {release_week} is not after "
            f"start-week {start_week}"
        )
    if not isinstance(data["cycle"], list):
        raise ScheduleError(f"{where}:{data.line('cycle')}: cycle must be a list of weeks")
    weeks = []
    for entry in data["cycle"]:
        if not isinstance(entry, _Mapping):
            raise ScheduleError(f"{where}:{data.line('cycle')}: each week must be a mapping")
        for key in ("start", "end"):
            if key not in entry:
                raise ScheduleError(f"{where}:{entry.line()}: week without {key!r}")
        start = parse_day(entry["start"], where=f"{where}:{entry.line('start')}", key="start")
        end = parse_day(entry["end"], where=f"{where}:{entry.line('end')}", key="end")
        if not start <= end < start + timedelta(days=7):
            raise ScheduleError(f"{where}:{entry.line('end')}: week {start}..{end} is not one week")
        name = entry.get("name") or ""
        if not isinstance(name, str):
            raise ScheduleError(f"{where}:{entry.line('name')}: name must be text like R-12")
        weeks.append(
            ScheduleWeek(
                start=start,
                end=end,
                name=name.strip(),
                line=entry.line(),
                cross_project=_labels(entry, "x-project", where=where),
                project_specific=_labels(entry, "project-specific", where=where),
            )
        )
    # Not every file is in date order (ocata's is not): sort, so callers need not care.
    weeks.sort(key=lambda week: week.start)
    return Schedule(path=path, start_week=start_week, release_week=release_week, weeks=tuple(weeks))


@dataclass(frozen=True)
class EventText:
    title: str
    description: str


_TARGET = re.compile(r"^\.\. _([A-Za-z0-9_.-]+):\s*$")
_UNDERLINE = re.compile(r"^([=\-^~\"'`#*+])\1{2,}\s*$")


def parse_event_texts(path: Path) -> dict[str, EventText]:
    """Titles and descriptions of the labels a ``schedule.rst`` defines.

    A target is followed by its section: the heading's text (over an underline of
    punctuation) is the title, the paragraphs up to the next target or heading the
    description. Targets stacked on one section share it. Missing file: no texts.
    """
    if not path.is_file():
        return {}
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    texts: dict[str, EventText] = {}
    pending: list[str] = []
    index = 0
    while index < len(lines):
        target = _TARGET.match(lines[index])
        if not target:
            index += 1
            continue
        pending.append(target.group(1))
        index += 1
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index < len(lines) and _TARGET.match(lines[index]):
            continue
        if index + 1 >= len(lines) or not _UNDERLINE.match(lines[index + 1]):
            pending.clear()
            continue
        title = lines[index].strip()
        index += 2
        body: list[str] = []
        while index < len(lines) and not _TARGET.match(lines[index]):
            if (
                index + 1 < len(lines)
                and lines[index].strip()
                and _UNDERLINE.match(lines[index + 1])
            ):
                break
            body.append(lines[index].rstrip())
            index += 1
        paragraphs = "\n".join(body).strip().split("\n\n")
        description = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
        for label in pending:
            texts[label] = EventText(title=title, description=description)
        pending.clear()
    return texts


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august")
        + ("september", "october", "november", "december"),
        start=1,
    )
}
_MONTH = "|".join(_MONTHS)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTH}),? (\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b", re.I)


def due_day(*, week_start: date, description: str) -> date:
    """The day a deadline falls on: a date the description names inside the week, else
    the week's Thursday (the release team's stated default).
    """
    monday = monday_of(week_start)
    found: list[date] = []
    for match in _DAY_MONTH_YEAR.finditer(description):
        found.append(_safe_date(match.group(3), match.group(2), match.group(1)))
    for match in _MONTH_DAY_YEAR.finditer(description):
        found.append(_safe_date(match.group(3), match.group(1), match.group(2)))
    for day in found:
        if day and monday <= day < monday + timedelta(days=7):
            return day
    return deadline_day(week_start)


def _safe_date(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), _MONTHS[month.lower()], int(day))
    except ValueError:
        return date.min


@dataclass(frozen=True)
class SeriesStatus:
    name: str
    release_id: str
    status: str
    initial_release: date | None
    line: int


SERIES_STATUSES = {
    "future": "future",
    "development": "development",
    "maintained": "maintained",
    "extended maintenance": "extended",
    "unmaintained": "unmaintained",
    "end of life": "eol",
}


def parse_series_status(path: Path) -> list[SeriesStatus]:
    """Read ``data/series_status.yaml``; ``release-id`` is read as written (2026.2 is text)."""
    data = load_yaml(path)
    where = str(path)
    if not isinstance(data, list):
        raise ScheduleError(f"{where}:1: expected a list of series")
    series = []
    for entry in data:
        if not isinstance(entry, _Mapping) or not entry.get("name"):
            line = entry.line() if isinstance(entry, _Mapping) else 1
            raise ScheduleError(f"{where}:{line}: each series needs a name")
        status = str(entry.get("status", "")).strip().lower()
        if status not in SERIES_STATUSES:
            raise ScheduleError(
                f"{where}:{entry.line('status')}: unknown status {entry.get('status')!r} "
                f"(expected one of: {', '.join(SERIES_STATUSES)})"
            )
        release = entry.get("initial-release")
        initial = (
            parse_day(
                release, where=f"{where}:{entry.line('initial-release')}", key="initial-release"
            )
            if release
            else None
        )
        series.append(
            SeriesStatus(
                name=str(entry["name"]).strip().lower(),
                release_id=entry.raw.get("release-id", "").strip(),
                status=SERIES_STATUSES[status],
                initial_release=initial,
                line=entry.line(),
            )
        )
    return series


# Label slugs (after the series letter and the team name, if any) -> EventKind values.
_KIND_BY_SLUG = {
    "1": "milestone",
    "2": "milestone",
    "3": "milestone",
    "spec-prop": "spec-proposal-freeze",
    "spec-proposal-freeze": "spec-proposal-freeze",
    "spec-freeze": "spec-freeze",
    "bp-freeze": "spec-freeze",  # mitaka's "Blueprints Freeze", its spec freeze
    "ff": "feature-freeze",
    "ffreeze": "feature-freeze",
    "feature-freeze": "feature-freeze",
    "soft-sf": "string-freeze",
    "hard-sf": "string-freeze",
    "rf": "requirements-freeze",
    "rc1": "rc",
    "finalrc": "rc",
    "release": "final-release",
    "final": "final-release",
    "review-day": "team",
    "spec-review-day": "team",
    "mid-cycle": "team",
    "midcycle": "team",
    "bugsquash": "team",
}


def label_kind(*, label: str, series: str, team: str = "") -> str:
    """The EventKind value of a schedule label of ``series`` (concerning ``team``, if any).

    Only labels of the series itself get a freeze or release kind: ``g-final`` in the
    hibiscus schedule is Gazpacho's release, not Hibiscus's, so it is ``other``.
    """
    prefix, _, slug = label.partition("-")
    if not slug or prefix.lower() != series[:1].lower():
        return "other"
    if team and slug.startswith(f"{team}-"):
        slug = slug[len(team) + 1 :]
    return _KIND_BY_SLUG.get(slug, "other")


def label_team(*, label: str, teams: list[str]) -> str | None:
    """The team a project-specific label names (``o-glance-spec-freeze`` -> glance), if any
    of ``teams``; the longest name wins so ``glance-store`` beats ``glance``.
    """
    _, _, slug = label.partition("-")
    for team in sorted(teams, key=len, reverse=True):
        if slug.startswith(f"{team}-"):
            return team
    return None


def is_election_label(label: str) -> bool:
    """PTL and TC election labels (``p-ptl-nomination``) concern every team, even where a file
    lists them as project-specific (ocata, pike and queens do).
    """
    _, _, slug = label.partition("-")
    return slug.startswith(("ptl-", "tc-", "election-", "email-deadline"))


_REF = re.compile(r":ref:`([^`<>]+)`")
_R_LABEL = re.compile(r"^R([+-])(\d+)$")
_WEEK_CELL = re.compile(r"^([A-Z][a-z]{2})\w* (\d{1,2})\b")


def _grid_day(cell: str, *, release_week: date, where: str) -> date:
    """``Oct 19-23`` (no year) as a date: the year that puts it nearest the release week."""
    match = _WEEK_CELL.match(cell)
    months = {name[:3]: number for name, number in _MONTHS.items()}
    month = months.get(match.group(1).lower()[:3]) if match else None
    if not match or month is None:
        raise ScheduleError(f"{where}: week {cell!r} is not like 'Oct 19-23'")
    candidates = []
    for year in (release_week.year - 1, release_week.year, release_week.year + 1):
        with contextlib.suppress(ValueError):  # Feb 29 of a common year
            candidates.append(date(year, month, int(match.group(2))))
    if not candidates:
        raise ScheduleError(f"{where}: week {cell!r} names no real day")
    return min(candidates, key=lambda day: abs((day - release_week).days))


def parse_grid_schedule(path: Path, *, release_week: date) -> Schedule:
    """Read the grid table of a ``schedule.rst`` that has no YAML (mitaka, newton).

    Rows give the week as ``Oct 19-23`` (month and day, no year: ``release_week``, the
    Monday of the release week, supplies it), the R-label (``R-0`` in mitaka, ``R+0``
    later; blank for the previous release's week) and the events as ``:ref:`label```
    in the cross-project and project-specific columns, continued on the following lines.
    A row whose date disagrees with its R-label is an error naming its line.
    """
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    border = next((i for i, line in enumerate(lines) if line.startswith("+===")), None)
    if border is None:
        raise ScheduleError(f"{path}: no schedule grid table (a header line of +===)")
    cols = [i for i, char in enumerate(lines[border]) if char == "+"]
    if len(cols) != 5:
        raise ScheduleError(
            f"{path}:{border + 1}: expected 4 columns (week, R-label, cross-project, "
            f"project-specific), found {len(cols) - 1}"
        )
    release = monday_of(release_week)
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines[border + 1 :], start=border + 2):
        if not line.startswith(("|", "+")):
            break
        if line.startswith("+"):
            continue
        week_cell = line[cols[0] + 1 : cols[1]].strip()
        label_cell = line[cols[1] + 1 : cols[2]].strip()
        if week_cell:
            where = f"{path}:{number}"
            day = _grid_day(week_cell, release_week=release, where=where)
            name = ""
            if label_cell:
                match = _R_LABEL.match(label_cell)
                if not match:
                    raise ScheduleError(f"{where}: {label_cell!r} is not an R-label like R-12")
                offset = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
                if day != release + timedelta(weeks=offset):
                    raise ScheduleError(
                        f"{where}: week {week_cell!r} is not {label_cell} of a release in the "
                        f"week of {release} (that is {release + timedelta(weeks=offset)})"
                    )
                name = f"R-{-offset}" if offset < 0 else f"R+{offset}"
            day = monday_of(day)
            rows.append({"start": day, "name": name, "line": number, "x": [], "p": []})
        if not rows:
            continue
        for ref in _REF.finditer(line):
            rows[-1]["x" if ref.start() < cols[3] else "p"].append(ref.group(1).strip())
    if not rows:
        raise ScheduleError(f"{path}:{border + 1}: the grid table has no weeks")
    named = [row["start"] for row in rows if row["name"]]
    weeks = tuple(
        ScheduleWeek(
            start=row["start"],
            end=row["start"] + timedelta(days=4),
            name=row["name"],
            line=row["line"],
            cross_project=tuple(row["x"]),
            project_specific=tuple(row["p"]),
        )
        for row in sorted(rows, key=lambda row: row["start"])
    )
    return Schedule(
        path=path, start_week=min(named or [release]), release_week=release, weeks=weeks
    )
