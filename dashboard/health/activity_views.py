"""Reviewer activity and core team pages (public reads), and declaring one's bandwidth.

The window, repository and sort live in the query string (``?days=30&repo=…&sort=-reviews``,
``?cycle=ocata``, ``?start=…&end=…``); a value Tiller cannot use answers 400 with the
message on the page (or in the download), never a 500.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.htmx import HtmxHttpRequest
from dashboard.core.roles import PTL, role_required
from dashboard.gerrit.models import Account, Repository, Team
from dashboard.governance.models import Cycle
from dashboard.health import bandwidth, coreteam
from dashboard.health.reviewers import (
    ReviewerActivity,
    clean_sort,
    reviewer_activity,
    window_now,
)
from dashboard.health.window import DAY_PRESETS, Window, WindowError, parse_window


class BandwidthForm(forms.Form):
    """Hours per week, or stepping down (then no hours)."""

    hours_per_week = forms.IntegerField(
        required=False, min_value=0, max_value=80, label="Hours per week for reviews"
    )
    stepping_down = forms.BooleanField(required=False, label="Stepping down from the core team")
    note = forms.CharField(required=False, max_length=200)

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("stepping_down") and data.get("hours_per_week") is None:
            raise forms.ValidationError("Give hours per week, or tick stepping down.")
        return data


class ThresholdsForm(forms.Form):
    """The team's activity lines: reviews in 90 days for active and for occasional."""

    active_reviews = forms.IntegerField(min_value=2, max_value=10_000, label="Active from")
    occasional_reviews = forms.IntegerField(min_value=1, max_value=10_000, label="Occasional from")

    def clean(self) -> dict:
        data = super().clean() or {}
        active, occasional = data.get("active_reviews"), data.get("occasional_reviews")
        if active is not None and occasional is not None and active <= occasional:
            raise forms.ValidationError("Active must take more reviews than occasional.")
        return data


@dataclass(frozen=True)
class ActivityRequest:
    """What a reviewer-activity request asks for, or why it cannot be answered."""

    team: Team
    repositories: list[Repository]
    cycles: list[Cycle]
    repository: Repository | None
    window: Window | None
    sort: str
    error: str | None


def _parse(request: HtmxHttpRequest, team_name: str) -> ActivityRequest:
    team = get_object_or_404(Team, name=team_name)
    repositories = list(team.repositories.order_by("name"))
    cycles = list(Cycle.objects.order_by("-start", "name"))
    repository, window, error = None, None, None
    repo_name = request.GET.get("repo", "").strip()
    if repo_name:
        repository = next((repo for repo in repositories if repo.name == repo_name), None)
        if repository is None:
            error = f"The team {team.name} has no repository {repo_name!r}."
    try:
        dates = {cycle.name: (cycle.start, cycle.end) for cycle in cycles}
        window = parse_window(request.GET, now=window_now(), cycles=dates)
    except WindowError as problem:
        error = error or str(problem)
    if error:
        window = None
    sort = clean_sort(request.GET.get("sort"))
    return ActivityRequest(team, repositories, cycles, repository, window, sort, error)


def _activity(parsed: ActivityRequest) -> ReviewerActivity | None:
    if parsed.window is None:
        return None
    return reviewer_activity(
        team=parsed.team, window=parsed.window, repository=parsed.repository, sort=parsed.sort
    )


# (sort key, heading, what it means), in the table's order.
COLUMNS = (
    ("reviewer", "Reviewer", "Gerrit username"),
    ("reviews", "Reviews", "Patch sets reviewed (Code-Review, latest vote per patch set)"),
    ("minus2", "−2", "Code-Review −2"),
    ("minus1", "−1", "Code-Review −1"),
    ("plus1", "+1", "Code-Review +1"),
    ("plus2", "+2", "Code-Review +2"),
    ("approvals", "+A", "Workflow +1 (approved for merge)"),
    ("ratio", "+/− %", "Share of reviews that were +1 or +2"),
    ("disagreements", "Disagreements", "Votes a core later contradicted on the same patch set"),
    ("share", "Disagr. %", "Disagreements as a share of reviews"),
    ("received", "Received", "Reviews by others on this person's own changes"),
    ("core", "Core", "Core member at the end of the window"),
)


def _columns(sort: str) -> list[dict[str, str]]:
    """Heading links: a click sorts by the column, descending first (ascending for names),
    and a second click reverses it."""
    columns = []
    for key, heading, title in COLUMNS:
        first = key if key == "reviewer" else f"-{key}"
        current = sort.lstrip("-") == key
        following = (key if sort.startswith("-") else f"-{key}") if current else first
        direction = "none"
        if current:
            direction = "descending" if sort.startswith("-") else "ascending"
        columns.append(
            {"key": key, "heading": heading, "title": title, "sort": following, "aria": direction}
        )
    return columns


@require_GET
@vary_on_headers("HX-Request")
def reviewers(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Per-reviewer figures and team totals for a window; htmx gets the ``results`` part."""
    parsed = _parse(request, team)
    activity = _activity(parsed)
    context = {
        "team": parsed.team,
        "parsed": parsed,
        "activity": activity,
        "core_history_short": bool(
            activity and activity.totals.core_history_starts_in(activity.window)
        ),
        "day_presets": DAY_PRESETS,
        "days": request.GET.get("days", ""),
        "columns": _columns(parsed.sort),
    }
    template_name = "health/reviewers.html" + ("#results" if request.htmx else "")
    return render(request, template_name, context, status=400 if parsed.error else 200)


CSV_HEADER = (
    "reviewer",
    "name",
    "reviews",
    "-2",
    "-1",
    "+1",
    "+2",
    "+A",
    "+/- %",
    "disagreements",
    "disagreement %",
    "received",
    "core",
)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


@require_GET
def reviewers_csv(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The page's reviewer table as CSV (same figures, same order)."""
    parsed = _parse(request, team)
    activity = _activity(parsed)
    if activity is None:
        return HttpResponse(parsed.error, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{parsed.team.name}-reviewers.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in activity.reviewers:
        writer.writerow(
            [
                row.reviewer,
                row.name,
                row.reviews,
                row.minus2,
                row.minus1,
                row.plus1,
                row.plus2,
                row.approvals,
                _percent(row.plus_ratio),
                row.disagreements,
                _percent(row.disagreement_share),
                row.received,
                "yes" if row.core else "no",
            ]
        )
    return response


@require_GET
def reviewers_json(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Window, totals and one object per reviewer (keys as ``reviewer_stats`` prints them)."""
    parsed = _parse(request, team)
    activity = _activity(parsed)
    if activity is None:
        return JsonResponse({"error": parsed.error}, status=400)
    return HttpResponse(json.dumps(activity.as_json(), indent=2), content_type="application/json")


@require_GET
def core_team(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Every current core reviewer's recent reviews, activity class, bandwidth and employer."""
    team_obj = get_object_or_404(Team, name=team)
    roster = coreteam.core_team(team=team_obj, now=window_now())
    return _core_team_page(request, team_obj, roster=roster)


def _core_team_page(
    request: HtmxHttpRequest,
    team: Team,
    *,
    roster: coreteam.CoreTeam,
    form: ThresholdsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    editable = bandwidth.editable_accounts(user=request.user, team=team)
    if form is None and editable == "all":
        form = ThresholdsForm(initial=vars(roster.thresholds))
    context = {"team": team, "roster": roster, "editable": editable, "thresholds_form": form}
    context |= {f"{kind}_count": roster.count(kind) for kind in coreteam.ACTIVITY_CLASSES}
    return render(request, "health/core_team.html", context, status=status)


@require_POST
@role_required(PTL)
def set_thresholds(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The PTL moves the team's active/occasional lines."""
    team_obj = get_object_or_404(Team, name=team)
    form = ThresholdsForm(request.POST)
    if not form.is_valid():
        roster = coreteam.core_team(team=team_obj, now=window_now())
        return _core_team_page(request, team_obj, roster=roster, form=form, status=400)
    bandwidth.set_activity_thresholds(team=team_obj, **form.cleaned_data)
    messages.success(request, "Activity thresholds saved.")
    return redirect("health:core-team", team_obj.name)


@require_http_methods(["GET", "POST"])
@login_required
def declare_bandwidth(request: HtmxHttpRequest, team: str, account_id: int) -> HttpResponse:
    """Declare the review time a core reviewer can give: themselves, or the PTL for them."""
    team_obj = get_object_or_404(Team, name=team)
    account = Account.objects.filter(
        server=team_obj.server,
        account_id=account_id,
        core_memberships__team=team_obj,
        core_memberships__left__isnull=True,
    ).first()
    if account is None:
        raise Http404(f"Account {account_id} is not a current core member of {team_obj}.")
    if not bandwidth.can_declare(user=request.user, team=team_obj, account=account):
        raise PermissionDenied("Only the reviewer themselves or the PTL can declare this.")
    form = BandwidthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        bandwidth.declare_bandwidth(
            team=team_obj,
            account=account,
            hours_per_week=form.cleaned_data["hours_per_week"],
            stepping_down=form.cleaned_data["stepping_down"],
            note=form.cleaned_data["note"],
            set_by=request.user,
        )
        messages.success(request, f"Bandwidth of {account} saved.")
        return redirect("health:core-team", team_obj.name)
    current = bandwidth.current_bandwidth(team=team_obj, account=account)
    context = {"team": team_obj, "account": account, "form": form, "current": current}
    status = 400 if form.is_bound else 200
    return render(request, "health/bandwidth.html", context, status=status)
