"""Cycle pages: the list, a cycle's timeline with its team events and leaders, the feed.

Reading is public; adding or deleting a team event or a leader needs the PTL role. The
forms post with htmx and get their section back as a fragment; without JavaScript they
post normally and come back to the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.htmx import HtmxHttpRequest
from dashboard.core.roles import PTL, has_role, role_required
from dashboard.gerrit.models import Team
from dashboard.governance import selectors, services
from dashboard.governance.calendar import team_calendar
from dashboard.governance.forms import LeaderForm, TeamEventForm
from dashboard.governance.models import Cycle, CycleEvent, Leader

TEMPLATE = "governance/cycle_detail.html"


@require_GET
def cycle_list(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Every cycle, newest first, the current one marked."""
    team_obj = get_object_or_404(Team, name=team)
    current = selectors.current_cycle()
    context = {"team": team_obj, "cycles": selectors.cycle_list(team=team_obj), "current": current}
    return render(request, "governance/cycle_list.html", context)


@require_GET
def cycle_current(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The nav's "Cycle" link: today's cycle, or the list when none is in progress."""
    team_obj = get_object_or_404(Team, name=team)
    current = selectors.current_cycle()
    if current is None:
        return redirect("governance:cycles", team=team_obj.name)
    return redirect("governance:cycle", team=team_obj.name, cycle=current.name)


def _render_cycle(
    request: HtmxHttpRequest,
    team: Team,
    cycle: Cycle,
    *,
    fragment: str = "",
    event_form: TeamEventForm | None = None,
    leader_form: LeaderForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "team": team,
        "cycle": cycle,
        "page": selectors.cycle_page(team=team, cycle=cycle),
        "can_edit": has_role(request.user, PTL),
        "event_form": event_form or TeamEventForm(cycle=cycle),
        "leader_form": leader_form or LeaderForm(),
    }
    name = f"{TEMPLATE}#{fragment}" if fragment and request.htmx else TEMPLATE
    return render(request, name, context, status=status if not request.htmx else 200)


def _team_and_cycle(team: str, cycle: str) -> tuple[Team, Cycle]:
    team_obj = get_object_or_404(Team, name=team)
    cycle_obj = Cycle.objects.filter(name=cycle).first()
    if cycle_obj is None:
        raise Http404(f"There is no cycle named {cycle!r}; import its schedule first.")
    return team_obj, cycle_obj


@require_GET
@vary_on_headers("HX-Request")
def cycle_detail(request: HtmxHttpRequest, team: str, cycle: str) -> HttpResponse:
    """The cycle's weeks (R-N), events, today's week, next freeze, leaders, team events."""
    team_obj, cycle_obj = _team_and_cycle(team, cycle)
    return _render_cycle(request, team_obj, cycle_obj)


def _back(team: Team, cycle: Cycle, anchor: str) -> HttpResponse:
    return redirect(reverse("governance:cycle", args=[team.name, cycle.name]) + anchor)


@require_POST
@role_required(PTL)
def team_event_add(request: HtmxHttpRequest, team: str, cycle: str) -> HttpResponse:
    team_obj, cycle_obj = _team_and_cycle(team, cycle)
    form = TeamEventForm(request.POST, cycle=cycle_obj)
    if not form.is_valid():
        return _render_cycle(
            request, team_obj, cycle_obj, fragment="team-events", event_form=form, status=400
        )
    services.add_team_event(cycle=cycle_obj, team=team_obj, **form.cleaned_data)
    if request.htmx:
        return _render_cycle(request, team_obj, cycle_obj, fragment="team-events")
    messages.success(request, f"Added {form.cleaned_data['title']}.")
    return _back(team_obj, cycle_obj, "#team-events")


@require_POST
@role_required(PTL)
def team_event_delete(request: HtmxHttpRequest, team: str, cycle: str, event: int) -> HttpResponse:
    team_obj, cycle_obj = _team_and_cycle(team, cycle)
    event_obj = get_object_or_404(CycleEvent, pk=event, cycle=cycle_obj, team=team_obj, label="")
    services.delete_team_event(event=event_obj)
    if request.htmx:
        return _render_cycle(request, team_obj, cycle_obj, fragment="team-events")
    messages.success(request, f"Deleted {event_obj.title}.")
    return _back(team_obj, cycle_obj, "#team-events")


@require_POST
@role_required(PTL)
def leader_add(request: HtmxHttpRequest, team: str, cycle: str) -> HttpResponse:
    team_obj, cycle_obj = _team_and_cycle(team, cycle)
    form = LeaderForm(request.POST, instance=Leader(team=team_obj, cycle=cycle_obj))
    if not form.is_valid():
        return _render_cycle(
            request, team_obj, cycle_obj, fragment="leaders", leader_form=form, status=400
        )
    services.save_leader(leader=form.instance)
    if request.htmx:
        return _render_cycle(request, team_obj, cycle_obj, fragment="leaders")
    return _back(team_obj, cycle_obj, "#leaders")


@require_POST
@role_required(PTL)
def leader_delete(request: HtmxHttpRequest, team: str, cycle: str, leader: int) -> HttpResponse:
    team_obj, cycle_obj = _team_and_cycle(team, cycle)
    leader_obj = get_object_or_404(Leader, pk=leader, team=team_obj, cycle=cycle_obj)
    services.delete_leader(leader=leader_obj)
    if request.htmx:
        return _render_cycle(request, team_obj, cycle_obj, fragment="leaders")
    return _back(team_obj, cycle_obj, "#leaders")


@require_GET
def calendar_feed(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """``calendar.ics``: every event concerning the team, for calendar subscriptions."""
    team_obj = get_object_or_404(Team, name=team)
    body = team_calendar(
        team=team_obj,
        events=selectors.calendar_events(team=team_obj),
        page_url=request.build_absolute_uri(reverse("governance:cycles", args=[team_obj.name])),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{team_obj.name}.ics"'
    return response
