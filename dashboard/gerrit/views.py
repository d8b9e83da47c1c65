"""Pages over synced Gerrit data: team overview, change list and page, and sync status.

Read pages are public (anonymous visitors read everything, see core.roles); the sync pages
are for staff because starting a sync spends the Gerrit server's capacity.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling

from dashboard.core.htmx import HtmxHttpRequest
from dashboard.gerrit import selectors
from dashboard.gerrit.models import SyncRun, Team
from dashboard.gerrit.tasks import sync_team_task

CHANGES_PER_PAGE = 50


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page, signed-in non-staff get 403.

    Unlike ``staff_member_required`` (which sends everyone to the admin login), a signed-in
    contributor learns the page exists but is not for them. An htmx poll whose session
    expired gets a client redirect, so the login page replaces the page, not a fragment.
    """

    @wraps(view)
    def wrapped(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            # For a poll, come back to the page that polled, not to the fragment's URL.
            next_path = (request.htmx and request.htmx.current_url_abs_path) or (
                request.get_full_path()
            )
            login = redirect_to_login(next_path)
            return HttpResponseClientRedirect(login.url) if request.htmx else login
        if not request.user.is_staff:
            raise PermissionDenied("The sync pages are for staff.")
        return view(request, *args, **kwargs)

    return wrapped


class ChangeFilterForm(forms.Form):
    """The change list's query string; invalid fields fall back to their defaults."""

    repository = forms.ChoiceField(required=False)
    branch = forms.CharField(required=False, max_length=255)
    status = forms.ChoiceField(
        required=False, choices=[(key, key.title()) for key in selectors.STATUS_FILTERS]
    )
    owner = forms.CharField(required=False, max_length=255)
    topic = forms.CharField(required=False, max_length=255)
    sort = forms.ChoiceField(
        required=False,
        choices=[("updated", "Last updated"), ("created", "Newest"), ("number", "Number")],
    )

    def __init__(self, *args: Any, repositories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["repository"].choices = [("", "All repositories")] + [
            (name, name) for name in repositories
        ]

    def filters(self) -> selectors.ChangeFilters:
        self.is_valid()
        values = {key: value for key, value in self.cleaned_data.items() if value}
        return selectors.ChangeFilters(**{k: v.strip() for k, v in values.items()})


@require_GET
def team_overview(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The team's headline numbers, latest open changes and core members."""
    team_obj = get_object_or_404(Team, name=team)
    overview = selectors.team_overview(team=team_obj)
    return render(request, "gerrit/team.html", {"team": team_obj, "overview": overview})


@require_GET
@vary_on_headers("HX-Request")
def change_list(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Filterable, paginated changes; htmx requests get only the ``results`` fragment."""
    team_obj = get_object_or_404(Team, name=team)
    repositories = list(team_obj.repositories.order_by("name").values_list("name", flat=True))
    form = ChangeFilterForm(request.GET, repositories=repositories)
    filters = form.filters()
    changes = selectors.change_list(team=team_obj, filters=filters)
    page = Paginator(changes, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    template_name = "gerrit/change_list.html"
    if request.htmx:
        template_name += "#results"
    context = {"team": team_obj, "form": form, "filters": filters, "page_obj": page}
    return render(request, template_name, context)


@require_GET
def change_detail(request: HtmxHttpRequest, team: str, number: int) -> HttpResponse:
    """One change: header, current votes, vote history per patch set, messages, files."""
    team_obj = get_object_or_404(Team, name=team)
    detail = selectors.change_detail(team=team_obj, number=number)
    if detail is None:
        raise Http404(f"Team {team_obj.name} has no change {number} (or it is not synced yet).")
    return render(request, "gerrit/change_detail.html", {"team": team_obj, "detail": detail})


class SyncStatusQuery(forms.Form):
    team = forms.SlugField(required=False)
    after = forms.IntegerField(required=False, min_value=0)


@require_GET
@staff_required
@vary_on_headers("HX-Request")
def sync_status(request: HtmxHttpRequest) -> HttpResponse:
    """Recent sync runs per team (``?team=`` narrows to one; htmx gets that team's panel).

    ``after`` is the newest run id the page knew when someone pressed "Sync now": while no
    newer run exists the panel keeps polling, waiting for the worker to start it.
    """
    query = SyncStatusQuery(request.GET)
    query.is_valid()
    teams = Team.objects.all()
    if name := query.cleaned_data.get("team"):
        teams = teams.filter(name=name)
    panels = selectors.sync_panels(teams=teams, after=query.cleaned_data.get("after"))
    if request.htmx and name and len(panels) == 1:
        return render(request, "gerrit/sync_status.html#sync-panel", {"panel": panels[0]})
    return render(request, "gerrit/sync_status.html", {"panels": panels, "team_filter": name})


def _sync_status_url(team: Team) -> str:
    return f"{reverse('gerrit:sync-status')}?team={team.name}#sync-{team.name}"


@require_POST
@staff_required
def sync_now(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Enqueue a sync of the team unless one is running; answer with the team's panel."""
    team_obj = get_object_or_404(Team, name=team)
    before = selectors.sync_panel(team=team_obj)
    if before.can_start:
        # After the commit, so a worker never looks for a request that rolled back.
        transaction.on_commit(partial(sync_team_task.enqueue, team_id=team_obj.pk))
        notice = "Sync requested; it starts as soon as a worker picks it up."
    else:
        notice = "A sync of this team is already running; no new one was started."
    if not request.htmx:
        messages.info(request, notice)
        return redirect(_sync_status_url(team_obj))
    panel = selectors.sync_panel(team=team_obj, after=before.latest_id)
    context = {"panel": panel, "notice": notice}
    return render(request, "gerrit/sync_status.html#sync-panel", context)


@require_GET
@staff_required
@vary_on_headers("HX-Request")
def sync_run(request: HtmxHttpRequest, run_id: int) -> HttpResponse:
    """The polled panel of a run's team; status 286 (stop polling) once the run is over.

    htmx 2 still swaps a 286 answer before it cancels the poll (its default
    ``responseHandling`` swaps every 2xx), so the final state is what stays on screen.
    """
    run = get_object_or_404(SyncRun.objects.select_related("team"), pk=run_id)
    if not request.htmx:
        return redirect(_sync_status_url(run.team))
    panel = selectors.sync_panel(team=run.team)
    response = render(request, "gerrit/sync_status.html#sync-panel", {"panel": panel})
    if panel.current is None or panel.current.run.pk != run.pk or panel.current.stale:
        return HttpResponseStopPolling(response.content)
    return response
