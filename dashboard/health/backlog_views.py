"""Pages of the backlog area: open reviews, backlog trends and the stale-patch policy.

Read pages are public like every team page; the stale policy's writes (thresholds, the
abandon flow) are for the PTL.
"""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard.core.htmx import HtmxHttpRequest
from dashboard.gerrit.models import Team
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
