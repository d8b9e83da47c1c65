"""The week's review priorities: read by anyone, composed by the PTL or a delegate.

Every write goes through ``governance.weekly`` with the version the page was rendered
from; a write made from an older version answers 409 with the list as it is now and a
message, saving nothing. POSTs answer htmx with the list fragment and redirect otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.context_processors import navigation
from dashboard.core.htmx import HtmxHttpRequest
from dashboard.core.roles import CORE, PTL, has_role, role_required
from dashboard.gerrit.models import Team
from dashboard.gerrit.selectors import team_or_404
from dashboard.governance import weekly as services
from dashboard.governance.models import ItemKind, WeeklyDelegate, WeeklyItem, WeeklyList
from dashboard.governance.weekly_selectors import current_list
from dashboard.reports import weekly_page as selectors
from dashboard.reports.focus import focus_checks

FRAGMENT = "weekly-list"
MAX_PASTED_LINES = 50


def _week(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404(f"“{text[:20]}” is not a meeting date (write it as YYYY-MM-DD).") from None


def _can_compose(request: HtmxHttpRequest, team: Team) -> bool:
    # The navigation's cached PTL flag spares a query; delegates still need one.
    if not request.user.is_authenticated:
        return False
    if navigation(request)["is_ptl"]:
        return True
    return services.can_compose(user=request.user, team=team)


def _composer(request: HtmxHttpRequest, team: Team) -> None:
    if not _can_compose(request, team):
        raise PermissionDenied("Only the PTL and the PTL's delegates compose the weekly list.")


def _list(team: Team, week: date) -> WeeklyList:
    weekly_list = WeeklyList.objects.filter(team=team, week=week).first()
    if weekly_list is None:
        raise Http404(f"{team} has no list for the week of {week:%Y-%m-%d} yet; start it first.")
    weekly_list.team = team
    return weekly_list


def _version(request: HtmxHttpRequest) -> int:
    """The version the client read; unreadable means "not the current one" (refused)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def page_url(team: Team, week: date) -> str:
    return reverse("reports:weekly", args=[team.name, week.isoformat()])


def _render(
    request: HtmxHttpRequest,
    team: Team,
    week: date,
    *,
    fragment: bool = False,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    composing = _can_compose(request, team)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "team": team,
        "page": selectors.weekly_page(team=team, week=week, today=today, composing=composing),
        "can_compose": composing,
        "kinds": ItemKind,
        **extra,
    }
    if not fragment:
        is_ptl = navigation(request)["is_ptl"]
        context["is_ptl"] = is_ptl
        context["delegates"] = selectors.delegates_panel(team=team) if is_ptl else None
        context["focus_checks"] = focus_checks(team=team, today=today)
        query = request.GET.get("q", "")
        kind = request.GET.get("kind", "")
        if composing and query:
            context |= _search_context(team, kind, query)
    template_name = "reports/weekly.html" + (f"#{FRAGMENT}" if fragment else "")
    return render(request, template_name, context, status=status)


def _search_context(team: Team, kind: str, query: str) -> dict[str, Any]:
    if kind == ItemKind.SPEC:
        return {
            "search": {
                "kind": kind,
                "q": query,
                "specs": selectors.search_specs(team=team, text=query),
            }
        }
    return {
        "search": {
            "kind": ItemKind.TOPIC,
            "q": query,
            "topics": selectors.search_topics(team=team, text=query),
        }
    }


def _answer(
    request: HtmxHttpRequest, team: Team, week: date, *, saved: str = "", problem: str = ""
) -> HttpResponse:
    """After a write: htmx gets the fresh fragment; a form post goes back to the page."""
    if request.htmx:
        status = 400 if problem and not saved else 200
        return _render(
            request, team, week, fragment=True, status=status, saved=saved, problem=problem
        )
    if saved:
        messages.success(request, saved)
    if problem:
        messages.error(request, problem)
    return redirect(page_url(team, week) + "#weekly-list")


def _stale(
    request: HtmxHttpRequest, team: Team, week: date, stale: services.StaleWeeklyList
) -> HttpResponse:
    return _render(request, team, week, fragment=bool(request.htmx), status=409, problem=str(stale))


@require_GET
def weekly_current(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The list in force today, or the next meeting's page when there is none."""
    team_obj = team_or_404(team)
    today = timezone.localdate()
    weekly_list = current_list(team=team_obj, today=today)
    week = weekly_list.week if weekly_list else selectors.upcoming_week(team=team_obj, today=today)
    return redirect(page_url(team_obj, week))


@require_GET
@vary_on_headers("HX-Request")
def weekly(request: HtmxHttpRequest, team: str, week: str) -> HttpResponse:
    """One week's list with live statuses, history and neighbours; htmx gets the list."""
    team_obj, day = team_or_404(team), _week(week)
    return _render(request, team_obj, day, fragment=bool(request.htmx))


@require_GET
def weekly_search(request: HtmxHttpRequest, team: str, week: str) -> HttpResponse:
    """Topic or spec search results for the composer's autocomplete (htmx fragment);
    without htmx, the page itself shows the results."""
    team_obj, day = team_or_404(team), _week(week)
    _composer(request, team_obj)
    kind, query = request.GET.get("kind", ""), request.GET.get("q", "")
    if not request.htmx:
        anchor = "add-spec" if kind == ItemKind.SPEC else "add-topic"
        return redirect(
            f"{page_url(team_obj, day)}?{urlencode({'kind': kind, 'q': query})}#{anchor}"
        )
    context = {
        "team": team_obj,
        "page": {"week": day, "version": _version_from(request.GET.get("version", ""))},
        "can_compose": True,
        **_search_context(team_obj, kind, query),
    }
    partial = "spec-results" if kind == ItemKind.SPEC else "topic-results"
    return render(request, f"reports/weekly.html#{partial}", context)


def _version_from(text: str) -> int:
    return int(text) if text.isdigit() else -1


@require_POST
def weekly_start(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Create the list for the chosen meeting date (or open it if it exists)."""
    team_obj = team_or_404(team)
    _composer(request, team_obj)
    try:
        week = date.fromisoformat(request.POST.get("week", ""))
    except ValueError:
        messages.error(request, "Choose the meeting date (YYYY-MM-DD) to start a list for.")
        return redirect("reports:weekly-current", team_obj.name)
    services.open_list(team=team_obj, week=week, actor=request.user)
    messages.success(request, f"The list for the week of {week:%Y-%m-%d} is open.")
    return redirect(page_url(team_obj, week))


def _paste_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@require_POST
def weekly_add(request: HtmxHttpRequest, team: str, week: str) -> HttpResponse:
    """Add items: pasted changes (one per line), a topic, a spec or free text.

    Each good pasted line becomes an item; the bad ones are named in the message, and
    what was added stays added.
    """
    team_obj, day = team_or_404(team), _week(week)
    _composer(request, team_obj)
    weekly_list = _list(team_obj, day)
    kind = request.POST.get("kind", ItemKind.CHANGE)
    value, note = request.POST.get("value", ""), request.POST.get("note", "")
    lines = _paste_lines(value) if kind == ItemKind.CHANGE else [value]
    if not lines:
        return _answer(request, team_obj, day, problem="Paste a change number or URL first.")
    version, added, refused = _version(request), [], []
    try:
        for line in lines[:MAX_PASTED_LINES]:
            try:
                item = services.add_item(
                    weekly_list=weekly_list,
                    version=version,
                    kind=kind,
                    value=line,
                    note=note,
                    actor=request.user,
                )
            except services.InvalidItem as invalid:
                refused.append(str(invalid))
            else:
                added.append(item.label)
                version = weekly_list.version
    except services.StaleWeeklyList as stale:
        return _stale(request, team_obj, day, stale)
    if len(lines) > MAX_PASTED_LINES:
        refused.append(f"Only the first {MAX_PASTED_LINES} lines were read.")
    saved = f"Added {', '.join(added)}." if added else ""
    return _answer(request, team_obj, day, saved=saved, problem=" ".join(refused))


def _item(weekly_list: WeeklyList, pk: int) -> WeeklyItem:
    item = WeeklyItem.objects.filter(weekly_list=weekly_list, pk=pk).first()
    if item is None:
        raise Http404("That item is no longer on the list; reload the page.")
    item.weekly_list = weekly_list
    return item


@require_POST
def weekly_note(request: HtmxHttpRequest, team: str, week: str, pk: int) -> HttpResponse:
    """Replace an item's note (the field is ``note_<pk>`` so every row can hold one)."""
    team_obj, day = team_or_404(team), _week(week)
    _composer(request, team_obj)
    item = _item(_list(team_obj, day), pk)
    note = request.POST.get(f"note_{pk}", request.POST.get("note", ""))
    try:
        services.edit_note(item=item, version=_version(request), note=note, actor=request.user)
    except services.StaleWeeklyList as stale:
        return _stale(request, team_obj, day, stale)
    return _answer(request, team_obj, day, saved=f"Saved the note of {item.label}.")


@require_POST
def weekly_remove(request: HtmxHttpRequest, team: str, week: str, pk: int) -> HttpResponse:
    team_obj, day = team_or_404(team), _week(week)
    _composer(request, team_obj)
    item = _item(_list(team_obj, day), pk)
    label = item.label
    try:
        services.remove_item(item=item, version=_version(request), actor=request.user)
    except services.StaleWeeklyList as stale:
        return _stale(request, team_obj, day, stale)
    return _answer(request, team_obj, day, saved=f"Removed {label}.")


@require_POST
def weekly_reorder(
    request: HtmxHttpRequest, team: str, week: str, pk: int | None = None
) -> HttpResponse:
    """Save a dragged order (``order`` = every item id) or move item ``pk`` one place
    (``direction`` up/down, the buttons that work without JavaScript)."""
    team_obj, day = team_or_404(team), _week(week)
    _composer(request, team_obj)
    weekly_list = _list(team_obj, day)
    words = request.POST.getlist("order")
    if not all(word.isdigit() for word in words):
        return _answer(request, team_obj, day, problem="The new order could not be read.")
    order = [int(word) for word in words]
    if pk is not None:
        order = list(weekly_list.items.order_by("position", "pk").values_list("pk", flat=True))
        if pk not in order:
            raise Http404("That item is no longer on the list; reload the page.")
        at = order.index(pk)
        to = at - 1 if request.POST.get("direction") == "up" else at + 1
        if 0 <= to < len(order):
            order[at], order[to] = order[to], order[at]
    try:
        services.reorder_items(
            weekly_list=weekly_list, version=_version(request), order=order, actor=request.user
        )
    except services.StaleWeeklyList as stale:
        return _stale(request, team_obj, day, stale)
    return _answer(request, team_obj, day, saved="Order saved.")


@require_POST
def weekly_intro(request: HtmxHttpRequest, team: str, week: str) -> HttpResponse:
    team_obj, day = team_or_404(team), _week(week)
    _composer(request, team_obj)
    weekly_list = _list(team_obj, day)
    try:
        services.set_intro(
            weekly_list=weekly_list,
            version=_version(request),
            intro=request.POST.get("intro", ""),
            actor=request.user,
        )
    except services.StaleWeeklyList as stale:
        return _stale(request, team_obj, day, stale)
    return _answer(request, team_obj, day, saved="Saved the introduction.")


@require_POST
def weekly_carry(request: HtmxHttpRequest, team: str, week: str) -> HttpResponse:
    """Copy last week's open items here, saying what stayed behind and why."""
    team_obj, day = team_or_404(team), _week(week)
    _composer(request, team_obj)
    try:
        result = services.carry_forward(
            weekly_list=_list(team_obj, day), version=_version(request), actor=request.user
        )
    except services.StaleWeeklyList as stale:
        return _stale(request, team_obj, day, stale)
    if result.source is None:
        return _answer(request, team_obj, day, problem="There is no earlier list to carry.")
    saved = (
        f"Carried {result.copied} item{'s' if result.copied != 1 else ''} forward "
        f"from the week of {result.source.week:%Y-%m-%d}."
    )
    if result.skipped:
        saved += " Left behind: " + "; ".join(result.skipped) + "."
    return _answer(request, team_obj, day, saved=saved)


def _back(request: HtmxHttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else default


@require_POST
def weekly_bump(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Add a change (from the stale page) to the list in force, else to the next list."""
    team_obj = team_or_404(team)
    _composer(request, team_obj)
    back = _back(request, reverse("health:stale", args=[team_obj.name]))
    today = timezone.localdate()
    weekly_list = current_list(team=team_obj, today=today) or services.open_list(
        team=team_obj,
        week=selectors.upcoming_week(team=team_obj, today=today),
        actor=request.user,
    )
    try:
        item = services.add_item(
            weekly_list=weekly_list,
            version=None,  # a one-line append from another page: nothing to overwrite
            kind=ItemKind.CHANGE,
            value=request.POST.get("change_number", ""),
            actor=request.user,
        )
    except services.InvalidItem as invalid:
        messages.error(request, str(invalid))
    else:
        messages.success(
            request,
            f"Added {item.label} to the priorities for the week of "
            f"{weekly_list.week:%Y-%m-%d} (item {item.position}).",
        )
    return redirect(back)


@require_POST
@role_required(PTL)
def weekly_delegate_add(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Let a core compose the team's lists (PTL only)."""
    team_obj = team_or_404(team)
    back = _back(request, reverse("reports:weekly-current", args=[team_obj.name]))
    user = get_user_model().objects.filter(pk=_version_from(request.POST.get("user", ""))).first()
    if user is None or not has_role(user, CORE):
        messages.error(request, "Choose a user with the core role to delegate to.")
        return redirect(back)
    services.add_delegate(team=team_obj, user=user, actor=request.user)
    messages.success(request, f"{user.get_username()} may now compose the weekly lists.")
    return redirect(back)


@require_POST
@role_required(PTL)
def weekly_delegate_remove(request: HtmxHttpRequest, team: str, user_id: int) -> HttpResponse:
    team_obj = team_or_404(team)
    back = _back(request, reverse("reports:weekly-current", args=[team_obj.name]))
    delegate = WeeklyDelegate.objects.filter(team=team_obj, user_id=user_id).first()
    if delegate is not None:
        services.remove_delegate(team=team_obj, user=delegate.user)
        messages.success(request, f"{delegate.user.get_username()} no longer composes.")
    return redirect(back)
