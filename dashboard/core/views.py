"""The front door: one team goes straight to its overview, several get a list."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from dashboard.core.htmx import HtmxHttpRequest


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Teams with a one-line summary each, in one query.

    core imports no sibling app (the layering rule), so the gerrit models are looked up by
    label; the summary is simple enough not to deserve a selector in gerrit.
    """
    team_model = apps.get_model("gerrit", "Team")
    change_model = apps.get_model("gerrit", "Change")
    runs = apps.get_model("gerrit", "SyncRun").objects.filter(team=OuterRef("pk"))
    latest_run = runs.order_by("-started")
    open_changes = (
        change_model.objects.filter(repository__team=OuterRef("pk"), status="NEW")
        .order_by()
        .values("repository__team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    teams = list(
        team_model.objects.annotate(
            repository_count=Count("repositories", distinct=True),
            open_count=Coalesce(Subquery(open_changes), 0),
            last_sync_started=Subquery(latest_run.values("started")[:1]),
            last_sync_status=Subquery(latest_run.values("status")[:1]),
        ).order_by("name")
    )
    if len(teams) == 1:
        return redirect("gerrit:team", team=teams[0].name)
    return render(request, "core/home.html", {"teams": teams})
