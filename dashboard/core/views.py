"""The front door: one team goes straight to its overview, several get a list."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from dashboard.core.htmx import HtmxHttpRequest


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    from django.apps import apps

    team_model = apps.get_model("gerrit", "Team")
    teams = list(team_model.objects.all()[:2])
    if len(teams) == 1:
        return redirect("gerrit:team", team=teams[0].name)
    return render(request, "core/home.html", {"teams": team_model.objects.all()})
