"""Pages of the backlog area: open reviews, backlog trends and the stale-patch policy.

Read pages are public like every team page; the stale policy's writes (thresholds, the
abandon flow) are for the PTL.
"""

from __future__ import annotations

from collections import Counter

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.charts import Series, bar_chart, line_chart
from dashboard.core.htmx import HtmxHttpRequest
from dashboard.core.roles import PTL, has_role, role_required
from dashboard.gerrit.models import Team
from dashboard.governance import weekly
from dashboard.health import stale, trends
from dashboard.health.models import StalePolicy
from dashboard.health.openreviews import DEFAULT_DAYS, open_reviews


class OpenReviewsQuery(forms.Form):
    days = forms.IntegerField(required=False, min_value=1, max_value=3650)

    def days_or_default(self) -> int:
        return (self.cleaned_data.get("days") if self.is_valid() else None) or DEFAULT_DAYS


@require_GET
@vary_on_headers("HX-Request")
def open_reviews_page(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """reviewstats' open-reviews report; ``?days=N`` sets the "waiting more than" bar."""
    team_obj = get_object_or_404(Team, name=team)
    query = OpenReviewsQuery(request.GET)
    report = open_reviews(team=team_obj, days=query.days_or_default())
    template_name = "health/open_reviews.html"
    if request.htmx:
        template_name += "#results"
    return render(request, template_name, {"team": team_obj, "query": query, "report": report})


class TrendsQuery(forms.Form):
    weeks = forms.IntegerField(required=False, min_value=4, max_value=260)

    def weeks_or_default(self) -> int:
        return (self.cleaned_data.get("weeks") if self.is_valid() else None) or DEFAULT_WEEKS


DEFAULT_WEEKS = 26


@require_GET
@vary_on_headers("HX-Request")
def trends_page(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The backlog, core reviews, time to first review and flow over ``?weeks=N`` weeks."""
    team_obj = get_object_or_404(Team, name=team)
    query = TrendsQuery(request.GET)
    weeks = query.weeks_or_default()
    window = trends.Window.last_weeks(weeks)
    context = {"team": team_obj, "query": query, "weeks": weeks, **_trend_charts(team_obj, window)}
    template_name = "health/trends.html"
    if request.htmx:
        template_name += "#results"
    return render(request, template_name, context)


def _trend_charts(team: Team, window: trends.Window) -> dict[str, object]:
    backlog = trends.backlog_series(team=team, window=window)
    core = trends.core_reviews_per_week(team=team, window=window)
    first = trends.time_to_first_review(team=team, window=window)
    flow = trends.opened_and_closed_per_week(team=team, window=window)
    return {
        "backlog": backlog,
        "first_review": first,
        "core_reviewers": trends.reviews_by_core_reviewer(team=team, window=window),
        "backlog_chart": line_chart(
            title="Open backlog per day",
            y_label="changes",
            series=[
                Series("Open changes", backlog.open_changes),
                Series("Reviewable (Verified, Workflow 0, no -2)", backlog.reviewable),
                Series("Waiting on reviewers", backlog.waiting_on_reviewer),
                Series("Waiting on the submitter", backlog.waiting_on_submitter),
            ],
        ),
        "core_chart": bar_chart(
            title="Reviews by core reviewers per week",
            y_label="reviews",
            series=[Series("Core reviews", core.reviews)],
        ),
        "per_core_chart": line_chart(
            title="Reviews per week per core reviewer",
            y_label="reviews per core",
            series=[Series("Reviews per core reviewer", core.per_core)],
        ),
        "first_review_chart": line_chart(
            title="Time to first review (median per week of upload)",
            y_label="days",
            series=[Series("Median days to first review", first.median_days)],
        ),
        "flow_chart": bar_chart(
            title="Opened, merged and abandoned per week",
            y_label="changes",
            series=[
                Series("Opened", flow.opened),
                Series("Merged", flow.merged),
                Series("Abandoned", flow.abandoned),
            ],
        ),
    }


STALE_PER_PAGE = 50


@require_GET
def stale_page(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Abandon candidates and starved changes under the team's policy, and the action log."""
    team_obj = get_object_or_404(Team, name=team)
    report = stale.stale_report(team=team_obj)
    is_ptl = has_role(request.user, PTL)
    context = {
        "team": team_obj,
        "report": report,
        "candidates": Paginator(report.candidates, STALE_PER_PAGE).get_page(
            request.GET.get("page")
        ),
        "starved": Paginator(report.starved, STALE_PER_PAGE).get_page(
            request.GET.get("starved_page")
        ),
        "is_ptl": is_ptl,
        # The "Bump to weekly priorities" buttons (reports:weekly-bump) need this.
        "can_compose": is_ptl or weekly.can_compose(user=request.user, team=team_obj),
        "policy_form": StalePolicyForm(instance=report.policy) if is_ptl else None,
    }
    return render(request, "health/stale.html", context)


class StalePolicyForm(forms.ModelForm):
    class Meta:
        model = StalePolicy
        fields = ["abandon_after_days", "starved_after_days", "abandon_message"]
        widgets = {"abandon_message": forms.Textarea(attrs={"rows": 3})}

    def clean_abandon_after_days(self) -> int:
        return _days_between(self.cleaned_data["abandon_after_days"])

    def clean_starved_after_days(self) -> int:
        return _days_between(self.cleaned_data["starved_after_days"])


def _days_between(value: int) -> int:
    if not 1 <= value <= 3650:
        raise forms.ValidationError("Use a number of days from 1 to 3650.")
    return value


@require_POST
@role_required(PTL)
def stale_policy_edit(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Save the team's thresholds (PTL only); a bad value is reported and nothing changes."""
    team_obj = get_object_or_404(Team, name=team)
    form = StalePolicyForm(request.POST, instance=stale.policy_for(team_obj))
    if form.is_valid():
        stale.update_stale_policy(team=team_obj, **form.cleaned_data)
        messages.success(request, "The stale-patch policy is saved.")
    else:
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        messages.error(request, f"The policy was not changed. {problems}")
    return redirect("health:stale", team=team_obj.name)


class AbandonForm(forms.Form):
    """The abandon step's options; the change numbers are read (and re-checked) apart."""

    message = forms.CharField(required=False, max_length=10_000)
    dry_run = forms.BooleanField(required=False)
    confirmed = forms.BooleanField(required=False)


@require_POST
@role_required(PTL)
def abandon_confirm(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Two steps on one URL: without ``confirmed``, list the exact changes and what would be
    sent; with it, abandon them (a dry run unless the box was unticked) and log each one."""
    team_obj = get_object_or_404(Team, name=team)
    policy = stale.policy_for(team_obj)
    asked = [int(n) for n in request.POST.getlist("change") if n.isdigit()]
    candidates = stale.abandon_candidates(
        team=team_obj, days=policy.abandon_after_days, numbers=asked
    )
    form = AbandonForm(request.POST)
    if not candidates or not form.is_valid():
        messages.warning(
            request, "None of the selected changes is an abandon candidate any more; pick again."
        )
        return redirect("health:stale", team=team_obj.name)
    chosen = [c.change for c in candidates]
    if not form.cleaned_data["confirmed"]:
        context = {
            "team": team_obj,
            "candidates": candidates,
            "message": form.cleaned_data["message"] or policy.abandon_message,
            "problem": stale.credentials_problem(team_obj),
            "dropped": sorted(set(asked) - {c.number for c in chosen}),
        }
        return render(request, "health/abandon_confirm.html", context)
    actions = stale.abandon_changes(
        team=team_obj,
        changes=chosen,
        message=form.cleaned_data["message"],
        dry_run=form.cleaned_data["dry_run"],
        user=request.user,
    )
    for outcome, count in Counter(action.get_outcome_display() for action in actions).items():
        messages.info(request, f"{outcome}: {count} change{'s' if count != 1 else ''}.")
    return redirect(reverse("health:stale", args=[team_obj.name]) + "#actions")
