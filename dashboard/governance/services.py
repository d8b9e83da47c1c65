"""Writes of the governance app: schedule and series imports, team events, leaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction

from dashboard.gerrit.models import Account, Team
from dashboard.governance import schedule as schedule_files
from dashboard.governance.models import Cycle, CycleEvent, EventKind, Leader
from dashboard.governance.weeks import monday_of


@dataclass
class ScheduleImport:
    """What ``import_schedule`` did: counts for the command's summary."""

    cycle: Cycle
    created: int = 0
    updated: int = 0
    removed: int = 0
    # Project-specific labels naming a team this database does not have.
    other_teams: list[str] = field(default_factory=list)


@transaction.atomic
def import_schedule(
    *, path: Path, cycle_name: str, release_week: date | None = None
) -> ScheduleImport:
    """Create or update ``cycle_name`` and its schedule events from a schedule.yaml, or
    from the grid table of a schedule.rst for series without YAML (mitaka, newton).

    A grid table has no years: ``release_week`` (or, when None, the release week the
    cycle already has from ``import_series``) dates it.

    Titles and descriptions come from the sibling schedule.rst when it has the label.
    Cross-project events get ``team=None`` (they concern every team); project-specific
    ones go to the team their label names, and are skipped when this database has no such
    team. Re-importing is idempotent: events are matched on (team, label, week), events
    the file no longer lists are removed, and events added in the app (no label) stay.
    Raises ``schedule.ScheduleError`` (naming file and line) for a malformed file.
    """
    name = cycle_name.strip().lower()
    cycle = Cycle.objects.filter(release_id=name).first() if "." in name else None
    if cycle is None:
        cycle, _ = Cycle.objects.get_or_create(name=name)
    if path.suffix == ".rst":
        release_week = release_week or cycle.end
        if release_week is None:
            raise schedule_files.ScheduleError(
                f"{path}: a grid-table schedule gives no years; pass --release-week "
                "YYYY-MM-DD or run import_series first"
            )
        parsed = schedule_files.parse_grid_schedule(path, release_week=release_week)
    else:
        parsed = schedule_files.parse_schedule(path)
    texts = schedule_files.parse_event_texts(path.with_name("schedule.rst"))
    cycle.start, cycle.end = parsed.start_week, parsed.release_week
    cycle.save(update_fields=["start", "end"])
    result = ScheduleImport(cycle=cycle)

    teams = {team.name: team for team in Team.objects.all()}
    existing = {
        (event.team_id, event.label, event.start): event for event in cycle.events.exclude(label="")
    }
    seen: set[tuple[int | None, str, date]] = set()
    for week in parsed.weeks:
        entries = [(label, None) for label in week.cross_project]
        for label in week.project_specific:
            team_name = schedule_files.label_team(label=label, teams=list(teams))
            if team_name is None and schedule_files.is_election_label(label):
                entries.append((label, None))
            elif team_name is None:
                result.other_teams.append(label)
            else:
                entries.append((label, teams[team_name]))
        for label, team in entries:
            key = (team.pk if team else None, label, week.start)
            if key in seen:  # ocata lists one week twice
                continue
            seen.add(key)
            text = texts.get(label)
            values = {
                "kind": schedule_files.label_kind(
                    label=label, series=cycle.name, team=team.name if team else ""
                ),
                "title": (text.title if text else label)[:200],
                "description": text.description if text else "",
                "end": week.end,
                "due": schedule_files.due_day(
                    week_start=week.start, description=text.description if text else ""
                ),
            }
            event = existing.get(key)
            if event is None:
                CycleEvent.objects.create(
                    cycle=cycle, team=team, label=label, start=week.start, **values
                )
                result.created += 1
            elif any(getattr(event, k) != v for k, v in values.items()):
                for attr, value in values.items():
                    setattr(event, attr, value)
                event.save()
                result.updated += 1
    stale = [event.pk for key, event in existing.items() if key not in seen]
    result.removed = len(stale)
    CycleEvent.objects.filter(pk__in=stale).delete()
    return result


@dataclass
class SeriesImport:
    created: int = 0
    updated: int = 0


@transaction.atomic
def import_series(*, path: Path) -> SeriesImport:
    """Create or update every cycle of a series_status.yaml: release id, status, and the
    release week's Monday as ``end`` when no schedule import has set it yet.
    """
    result = SeriesImport()
    for series in schedule_files.parse_series_status(path):
        cycle, created = Cycle.objects.get_or_create(name=series.name)
        cycle.release_id = series.release_id
        cycle.status = series.status
        if cycle.end is None and series.initial_release:
            cycle.end = monday_of(series.initial_release)
        cycle.save()
        result.created += created
        result.updated += not created
    return result


@transaction.atomic
def add_team_event(
    *, cycle: Cycle, team: Team, title: str, start: date, end: date, description: str = ""
) -> CycleEvent:
    """A team's own event (a virtual midcycle, a review day), added by its PTL in the app."""
    return CycleEvent.objects.create(
        cycle=cycle,
        team=team,
        kind=EventKind.TEAM,
        title=title,
        description=description,
        start=start,
        end=end,
        due=start,
    )


@transaction.atomic
def delete_team_event(*, event: CycleEvent) -> None:
    """Remove a team event; schedule events are the release team's and are not deleted."""
    if event.label or event.team_id is None:
        raise ValueError("Only a team's own events can be deleted.")
    event.delete()


@transaction.atomic
def save_leader(*, leader: Leader) -> Leader:
    """Store a leader edited in the app, linking the Gerrit account their e-mail or IRC
    nick names on the team's server when there is one.
    """
    if leader.account_id is None:
        leader.account = find_account(team=leader.team, email=leader.email, irc=leader.irc)
    leader.source = leader.source or "edited in app"
    leader.save()
    return leader


@transaction.atomic
def delete_leader(*, leader: Leader) -> None:
    leader.delete()


def find_account(*, team: Team, email: str, irc: str) -> Account | None:
    """The team server's account with this e-mail, else with this user name (OpenStack
    people's Gerrit user name is usually their IRC nick), else None.
    """
    accounts = Account.objects.filter(server_id=team.server_id)
    if email:
        account = accounts.filter(email__iexact=email).first()
        if account:
            return account
    if irc:
        return accounts.filter(username__iexact=irc).first()
    return None


@dataclass
class LeadersImport:
    created: int = 0
    updated: int = 0
    # Series named in the data that have no cycle here (run import_series first).
    unknown_series: list[str] = field(default_factory=list)
    current_cycle: Cycle | None = None


@transaction.atomic
def import_leaders(*, root: Path, team: Team, at: date | None = None) -> LeadersImport:
    """PTLs per cycle and today's liaisons of ``team`` from governance/election data.

    Election results win over candidacies; projects.yaml's PTL and liaisons go to the
    cycle in progress on ``at`` (today by default), its PTL only where no election did.
    Re-running updates in place; leaders edited in the app are kept.
    """
    from dashboard.governance import leaders as leader_files
    from dashboard.governance.selectors import current_cycle

    result = LeadersImport()
    cycles = {cycle.name: cycle for cycle in Cycle.objects.all()}
    cycles.update({cycle.release_id: cycle for cycle in cycles.values() if cycle.release_id})
    midpoints = {key: cycle.end - timedelta(weeks=13) for key, cycle in cycles.items() if cycle.end}
    history = leader_files.ptl_history(
        root / "history" / f"{team.name.lower()}-governance-history.yaml"
    )
    ptls = leader_files.candidacies(root, team=team.name, midpoints=midpoints, history=history)
    ptls.update(leader_files.election_results(root, team=team.name))
    records = list(ptls.values())
    result.current_cycle = current_cycle(at)
    if result.current_cycle is not None:
        has_ptl = any(cycles.get(r.series) == result.current_cycle for r in records)
        for record in leader_files.current_leaders(root, team=team.name):
            if record.role == "ptl" and has_ptl:
                continue
            records.append(record)
    for record in records:
        cycle = cycles.get(record.series) if record.series else result.current_cycle
        if cycle is None:
            result.unknown_series.append(record.series)
            continue
        leader, created = Leader.objects.update_or_create(
            team=team,
            cycle=cycle,
            role=record.role,
            name=record.name,
            defaults={"irc": record.irc, "email": record.email, "source": record.source},
        )
        if leader.account_id is None:
            leader.account = find_account(team=team, email=record.email, irc=record.irc)
            leader.save(update_fields=["account"])
        result.created += created
        result.updated += not created
    return result
