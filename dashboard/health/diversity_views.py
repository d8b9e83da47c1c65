"""The diversity panel and the affiliations page (people, their organisations, edit forms).

Both pages are public, like every read page; editing an affiliation needs the PTL role or
being the person (see health.affiliations.can_edit_affiliations).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.charts import Series, line_chart
from dashboard.core.htmx import HtmxHttpRequest
from dashboard.core.roles import PTL, has_role
from dashboard.gerrit.models import Account, Team
from dashboard.health import affiliations as services
from dashboard.health.diversity import (
    MEASURES,
    SINGLE_VENDOR_BAR,
    TOP1_BAR,
    TOP2_BAR,
    team_diversity,
    trend_series,
)
from dashboard.health.models import Affiliation
from dashboard.health.people import stretches, team_people

PEOPLE_PER_PAGE = 50


class DiversityQuery(forms.Form):
    at = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def clean_at(self) -> date | None:
        at = self.cleaned_data.get("at")
        if at is not None and at > timezone.now().date() + timedelta(days=1):
            raise forms.ValidationError("That date is in the future.")
        return at


def _charts(diversity: Any) -> dict[str, Any]:
    references = [
        (100 * TOP1_BAR, "top one 50%"),
        (100 * TOP2_BAR, "top two 80%"),
        (100 * SINGLE_VENDOR_BAR, "single vendor 90%"),
    ]
    return {
        key: line_chart(
            title=f"{title}: share of the top organisations, 180-day windows",
            series=[Series(name, points) for name, points in trend_series(diversity, key).items()],
            y_label="share",
            reference_lines=references,
            percent=True,
        )
        for key, title in MEASURES
    }


@require_GET
@vary_on_headers("HX-Request")
def diversity(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The four measures now, six months before, and their trend (``?at=`` moves the end)."""
    team_obj = get_object_or_404(Team, name=team)
    query = DiversityQuery(request.GET)
    at = (query.cleaned_data.get("at") if query.is_valid() else None) or timezone.now().date()
    figures = team_diversity(team=team_obj, at=at)
    context = {
        "team": team_obj,
        "query": query,
        "at": at,
        "diversity": figures,
        "charts": _charts(figures),
        "bars": {"top1": TOP1_BAR, "top2": TOP2_BAR, "single": SINGLE_VENDOR_BAR},
    }
    template_name = "health/diversity.html"
    if request.htmx:
        template_name += "#diversity-panel"
    return render(request, template_name, context)


class PeopleQuery(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    missing = forms.BooleanField(required=False)


class AffiliationForm(forms.Form):
    organisation = forms.CharField(
        required=False,
        max_length=200,
        help_text="Leave empty, or write “independent”, for someone working on their own.",
    )
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


def _errors(form: forms.Form) -> str:
    return " ".join(
        f"{form.fields[name].label or name.title()}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )


def _editor(request: HtmxHttpRequest) -> dict[str, Any]:
    """Who may edit what, worked out once per page (not once per row)."""
    identity = None
    if request.user.is_authenticated:
        identity = getattr(request.user, "gerrit_identity", None)
    return {
        "is_ptl": has_role(request.user, PTL),
        "own_account_id": identity.account_id if identity else None,
    }


@require_GET
@vary_on_headers("HX-Request")
def affiliations(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The team's people with their organisations over time; edit forms for who may edit."""
    team_obj = get_object_or_404(Team, name=team)
    query = PeopleQuery(request.GET)
    query.is_valid()
    people = team_people(
        team=team_obj,
        search=(query.cleaned_data.get("q") or "").strip(),
        missing_only=bool(query.cleaned_data.get("missing")),
    )
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.now().date()
    rows = [{"account": a, "stretches": stretches(a, today=today)} for a in page]
    context = {
        "team": team_obj,
        "query": query,
        "page_obj": page,
        "rows": rows,
        **_editor(request),
    }
    template_name = "health/affiliations.html"
    if request.htmx:
        template_name += "#results"
    return render(request, template_name, context)


def _person_response(
    request: HtmxHttpRequest, team: Team, account: Account, *, form: Any = None, error: str = ""
) -> HttpResponse:
    """The person's row (htmx) or back to the page; errors are shown in the row."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("health:affiliations", args=[team.name]) + f"#person-{account.pk}")
    account.stretches = list(  # type: ignore[attr-defined]
        Affiliation.objects.filter(account=account)
        .select_related("organisation", "edited_by")
        .order_by(F("start").asc(nulls_first=True), "pk")
    )
    row = {"account": account, "stretches": stretches(account, today=timezone.now().date())}
    context = {"team": team, "row": row, "form": form, "error": error, **_editor(request)}
    return render(request, "health/affiliations.html#person-row", context)


def _editable(request: HtmxHttpRequest, team: Team, account: Account) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied("Sign in to edit affiliations.")
    if not services.can_edit_affiliations(user=request.user, account=account):
        raise PermissionDenied("Only the PTL or the person themselves can edit affiliations.")


@require_POST
def affiliation_add(request: HtmxHttpRequest, team: str, account_id: int) -> HttpResponse:
    """Add a stretch to a person (a move ends their open stretch on the new start date)."""
    team_obj = get_object_or_404(Team, name=team)
    account = get_object_or_404(Account, pk=account_id, server_id=team_obj.server_id)
    _editable(request, team_obj, account)
    form = AffiliationForm(request.POST)
    if not form.is_valid():
        return _person_response(request, team_obj, account, form=form, error=_errors(form))
    try:
        services.add_affiliation(account=account, by=request.user, **form.cleaned_data)
    except services.AffiliationError as exc:
        return _person_response(request, team_obj, account, form=form, error=str(exc))
    return _person_response(request, team_obj, account)


@require_POST
def affiliation_change(request: HtmxHttpRequest, team: str, pk: int) -> HttpResponse:
    """Edit (``action=save``) or remove (``action=remove``) one stretch."""
    team_obj = get_object_or_404(Team, name=team)
    affiliation = get_object_or_404(
        Affiliation.objects.select_related("account", "organisation"),
        pk=pk,
        account__server_id=team_obj.server_id,
    )
    account = affiliation.account
    _editable(request, team_obj, account)
    if request.POST.get("action") == "remove":
        services.remove_affiliation(affiliation=affiliation)
        return _person_response(request, team_obj, account)
    form = AffiliationForm(request.POST)
    if not form.is_valid():
        return _person_response(request, team_obj, account, error=_errors(form))
    try:
        services.edit_affiliation(affiliation=affiliation, by=request.user, **form.cleaned_data)
    except services.AffiliationError as exc:
        return _person_response(request, team_obj, account, error=str(exc))
    return _person_response(request, team_obj, account)
