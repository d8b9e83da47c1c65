"""The PTL's cycle report: the printable page, its downloads, and the narrative form.

Everyone reads the report; only the PTL edits the narrative. A save names the version it
was written from; one from an older version answers 409 with the newer text and the
unsaved words kept beside it, so two people editing never silently overwrite each other.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.context_processors import navigation
from dashboard.core.htmx import HtmxHttpRequest
from dashboard.core.roles import PTL, role_required
from dashboard.gerrit.models import Team
from dashboard.gerrit.selectors import team_or_404
from dashboard.governance.models import Cycle
from dashboard.governance.selectors import cycle_or_404
from dashboard.reports import narratives
from dashboard.reports.cycle_report import ReportUnavailable, cycle_report
from dashboard.reports.cycle_report_export import FORMATS, export, filename
from dashboard.reports.cycle_report_tree import METHODS

TEMPLATE = "reports/cycle_report.html"


class NarrativeForm(forms.Form):
    highlights = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))
    problems = forms.CharField(
        required=False, label="What went wrong", widget=forms.Textarea(attrs={"rows": 6})
    )
    advice = forms.CharField(
        required=False, label="Advice to the next PTL", widget=forms.Textarea(attrs={"rows": 6})
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


def _form_for(narrative: Any) -> NarrativeForm:
    return NarrativeForm(
        initial={
            "highlights": narrative.highlights,
            "problems": narrative.problems,
            "advice": narrative.advice,
            "version": narrative.version,
        }
    )


def _render(
    request: HtmxHttpRequest,
    team: Team,
    cycle: Cycle,
    *,
    fragment: bool = False,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    try:
        report = cycle_report(team=team, cycle=cycle)
    except ReportUnavailable as problem:
        context = {"team": team, "cycle": cycle, "problem": str(problem)}
        return render(request, TEMPLATE, context, status=status)
    context = {
        "team": team,
        "cycle": cycle,
        "report": report,
        "formats": FORMATS,
        "methods": tuple(METHODS.values()),
        "can_edit": navigation(request)["is_ptl"],
        "form": extra.pop("form", None) or _form_for(report.narrative),
        **extra,
    }
    return render(request, TEMPLATE + ("#narrative" if fragment else ""), context, status=status)


@require_GET
def cycle_report_default(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The report of the latest cycle that has ended (a PTL writes it then), else of the
    running one."""
    team_obj = team_or_404(team)
    today = timezone.localdate()
    cycle = (
        Cycle.objects.filter(end__lt=today).order_by("-end").first()
        or Cycle.objects.filter(start__lte=today).order_by("-start").first()
    )
    if cycle is None:
        return render(request, "governance/no_cycles.html", {"team": team_obj})
    return redirect("reports:cycle-report", team_obj.name, cycle.name)


@require_GET
@vary_on_headers("HX-Request")
def cycle_report_page(request: HtmxHttpRequest, team: str, cycle: str) -> HttpResponse:
    """The whole report, printable; htmx gets the narrative section only."""
    return _render(request, team_or_404(team), cycle_or_404(cycle), fragment=bool(request.htmx))


@require_GET
def cycle_report_download(
    request: HtmxHttpRequest, team: str, cycle: str, fmt: str
) -> HttpResponse:
    """The report as .md, .rst or .txt, links made absolute with this site's address."""
    if fmt not in FORMATS:
        raise Http404(f"There is no “{fmt}” export; try " + ", ".join(FORMATS) + ".")
    team_obj, cycle_obj = team_or_404(team), cycle_or_404(cycle)
    try:
        report = cycle_report(team=team_obj, cycle=cycle_obj)
    except ReportUnavailable as problem:
        return HttpResponse(str(problem), status=404, content_type="text/plain; charset=utf-8")
    text = export(report, fmt=fmt, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(text, content_type=f"{FORMATS[fmt][0]}; charset=utf-8")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename(report, fmt)}"'
    return response


@require_POST
@role_required(PTL)
def narrative_save(request: HtmxHttpRequest, team: str, cycle: str) -> HttpResponse:
    """Save the narrative as a new version; a form from an older version is refused (409)
    and the newer text shown, with the unsaved words kept in the form."""
    team_obj, cycle_obj = team_or_404(team), cycle_or_404(cycle)
    form = NarrativeForm(request.POST)
    if not form.is_valid():
        return _render(
            request, team_obj, cycle_obj, fragment=bool(request.htmx), status=400, form=form
        )
    data = form.cleaned_data
    try:
        narrative = narratives.save_narrative(
            team=team_obj,
            cycle=cycle_obj,
            actor=request.user,
            expected_version=data["version"],
            highlights=data["highlights"],
            problems=data["problems"],
            advice=data["advice"],
        )
    except narratives.StaleNarrative as stale:
        mine = NarrativeForm(initial={**data, "version": stale.current.version})
        return _render(
            request,
            team_obj,
            cycle_obj,
            fragment=bool(request.htmx),
            status=409,
            form=mine,
            conflict=stale.current,
            notice=str(stale),
        )
    saved = f"Saved at {narrative.saved_at:%H:%M} by {narrative.saved_by_name}."
    if not request.htmx:
        messages.success(request, saved)
        return redirect(reverse("reports:cycle-report", args=[team_obj.name, cycle_obj.name]))
    return _render(request, team_obj, cycle_obj, fragment=True, saved=saved)
