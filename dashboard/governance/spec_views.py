"""The specs pages: a searchable list, one spec, the untargeted list, turnaround per cycle.

Read pages, public like the rest of the team pages. The list's state is its query string
(``?q=&cycle=&state=&deliverable=&kind=&page=``); htmx requests get only ``#results``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard.core.htmx import HtmxHttpRequest
from dashboard.gerrit.models import Team
from dashboard.governance import spec_selectors as selectors
from dashboard.governance.models import SpecKind, SpecState

# A spec filed under no deliverable has "-" in its URL (an empty path segment is not one).
NO_DELIVERABLE = "-"


class SpecFilterForm(forms.Form):
    """The list's query string; a value not understood is reported and ignored."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    cycle = forms.ChoiceField(required=False)
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *SpecState.choices])
    deliverable = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *SpecKind.choices])

    def __init__(self, *args: Any, choices: selectors.FilterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [
            ("", "Any cycle"),
            *((name, name.capitalize()) for name in choices.cycles),
            ("none", "No cycle (untargeted)"),
        ]
        self.fields["deliverable"].choices = [("", "Any deliverable")] + [
            (name, name or "(none)") for name in choices.deliverables
        ]

    def filters(self) -> selectors.SpecFilters:
        self.is_valid()
        values = {name: value.strip() for name, value in self.cleaned_data.items() if value}
        return selectors.SpecFilters(**values)


@require_GET
@vary_on_headers("HX-Request")
def spec_list(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Specs of the team, searchable by words and filtered by cycle, state, deliverable, kind."""
    team_obj = get_object_or_404(Team, name=team)
    choices = selectors.filter_choices(team=team_obj)
    form = SpecFilterForm(request.GET, choices=choices)
    filters = form.filters()
    specs = selectors.spec_list(team=team_obj, filters=filters, cycles=choices.cycles)
    page = Paginator(specs, selectors.SPECS_PER_PAGE).get_page(request.GET.get("page"))
    template_name = "governance/spec_list.html"
    if request.htmx:
        template_name += "#results"
    context = {"team": team_obj, "form": form, "filters": filters, "page_obj": page}
    return render(request, template_name, context)


@require_GET
def spec_detail(request: HtmxHttpRequest, team: str, deliverable: str, slug: str) -> HttpResponse:
    """One spec: state, dates, history, its review, implementation changes and its text."""
    team_obj = get_object_or_404(Team, name=team)
    deliverable = "" if deliverable == NO_DELIVERABLE else deliverable
    detail = selectors.spec_detail(team=team_obj, deliverable=deliverable, slug=slug)
    if detail is None:
        raise Http404(
            f"Team {team_obj.name} has no spec {slug} in {deliverable or 'no deliverable'}."
        )
    return render(request, "governance/spec_detail.html", {"team": team_obj, "detail": detail})


@require_GET
def spec_untargeted(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Approved specs waiting for a cycle and someone to implement them."""
    team_obj = get_object_or_404(Team, name=team)
    specs = selectors.untargeted_specs(team=team_obj)
    return render(request, "governance/spec_untargeted.html", {"team": team_obj, "specs": specs})


@require_GET
def spec_turnaround(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Days from a spec's proposal to its approval, per cycle."""
    team_obj = get_object_or_404(Team, name=team)
    rows = selectors.turnaround(team=team_obj)
    return render(request, "governance/spec_turnaround.html", {"team": team_obj, "rows": rows})
