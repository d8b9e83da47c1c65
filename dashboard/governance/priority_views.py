"""Cycle priorities and feature-freeze exception pages.

Everyone reads; the PTL adds, edits, sets status, deletes and reorders (by dragging, or
with the up/down buttons that work without JavaScript); cores and the PTL request
feature-freeze exceptions and the PTL decides them. A reorder made from a list that
someone else changed meanwhile answers 409 with the current list and a message.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.context_processors import navigation
from dashboard.core.htmx import HtmxHttpRequest
from dashboard.core.roles import CORE, PTL, role_required
from dashboard.gerrit.models import Change, Team
from dashboard.gerrit.selectors import team_or_404
from dashboard.governance import priorities as services
from dashboard.governance import priority_selectors as selectors
from dashboard.governance.models import (
    Cycle,
    FeatureFreezeException,
    FFEDecision,
    Priority,
    PriorityStatus,
    Spec,
)
from dashboard.governance.selectors import cycle_or_404


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]


class PriorityForm(forms.Form):
    """An item's fields; lists are typed as comma- or line-separated text."""

    title = forms.CharField(max_length=300)
    owners = forms.CharField(
        required=False,
        help_text="Names, separated by commas; names of synced Gerrit accounts are linked.",
    )
    topics = forms.CharField(
        required=False, help_text="Gerrit topics, separated by commas or spaces: bp/…"
    )
    changes = forms.CharField(
        required=False, label="Changes", help_text="Change numbers, separated by commas or spaces"
    )
    specs = forms.ModelMultipleChoiceField(
        queryset=Spec.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    target = forms.CharField(max_length=50, required=False, label="Target milestone")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, team: Team, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The cycle's specs first; untargeted and other cycles' specs can be priorities too.
        self.fields["specs"].queryset = Spec.objects.filter(team=team).order_by(
            "-cycle_id", "title"
        )
        self.cycle = cycle

    def clean_owners(self) -> list[str]:
        return _split(self.cleaned_data["owners"])

    def clean_topics(self) -> list[str]:
        return [t for t in re.split(r"[\s,]+", self.cleaned_data["topics"]) if t]

    def clean_changes(self) -> list[int]:
        words = [w.lstrip("#") for w in re.split(r"[\s,]+", self.cleaned_data["changes"]) if w]
        bad = [w for w in words if not w.isdigit()]
        if bad:
            raise forms.ValidationError(f"Not change numbers: {', '.join(bad)}.")
        return list(dict.fromkeys(int(w) for w in words))

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "owner_names": data["owners"],
            "topics": data["topics"],
            "change_numbers": data["changes"],
            "specs": list(data["specs"]),
            "target": data["target"],
        }


class EditPriorityForm(PriorityForm):
    status = forms.ChoiceField(choices=PriorityStatus.choices)
    status_reason = forms.CharField(
        required=False,
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for missed and deprioritized.",
    )
    status_date = forms.DateField(
        required=False,
        label="Status date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Defaults to today when the status changes.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") in services.REASON_REQUIRED and not data.get("status_reason"):
            self.add_error("status_reason", "Say why; the team will want to know.")
        return data


class ReorderForm(forms.Form):
    """``version`` of the list read, and either ``order`` (every item id, dragged) or a
    ``direction`` for the item in the URL (the buttons)."""

    version = forms.IntegerField(min_value=0)
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")], required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        words = self.data.getlist("order") if hasattr(self.data, "getlist") else []
        if not all(word.isdigit() for word in words):
            raise forms.ValidationError("The order holds something other than item ids.")
        # Any ids: the service refuses an order that is not exactly the list's items.
        data["order"] = [int(word) for word in words]
        return data


def _page_url(team: Team, cycle: Cycle) -> str:
    return reverse("governance:priorities", args=[team.name, cycle.name])


def _render_page(
    request: HtmxHttpRequest,
    team: Team,
    cycle: Cycle,
    *,
    fragment: bool = False,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    page = selectors.priorities_page(
        team=team, cycle=cycle, history_page=request.GET.get("history")
    )
    context = {
        "team": team,
        "page": page,
        "can_edit": navigation(request)["is_ptl"],
        "add_form": extra.pop("add_form", None) or PriorityForm(team=team, cycle=cycle),
        "statuses": PriorityStatus,
        **extra,
    }
    template_name = "governance/priorities.html" + ("#priority-list" if fragment else "")
    return render(request, template_name, context, status=status)


@require_GET
def priorities_default(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The team's priorities for the current cycle (or the latest one with any)."""
    team_obj = team_or_404(team)
    cycle = selectors.default_cycle(team=team_obj)
    if cycle is None:
        return render(request, "governance/no_cycles.html", {"team": team_obj})
    return redirect("governance:priorities", team_obj.name, cycle.name)


@require_GET
@vary_on_headers("HX-Request")
def priorities(request: HtmxHttpRequest, team: str, cycle: str) -> HttpResponse:
    """The ordered list with badges and links, and its history; htmx gets the list only."""
    team_obj, cycle_obj = team_or_404(team), cycle_or_404(cycle)
    return _render_page(request, team_obj, cycle_obj, fragment=bool(request.htmx))


@require_POST
@role_required(PTL)
def priority_add(request: HtmxHttpRequest, team: str, cycle: str) -> HttpResponse:
    """Append an item to the list; the form comes back with its errors when invalid."""
    team_obj, cycle_obj = team_or_404(team), cycle_or_404(cycle)
    form = PriorityForm(request.POST, team=team_obj, cycle=cycle_obj)
    if not form.is_valid():
        return _render_page(request, team_obj, cycle_obj, status=400, add_form=form)
    item = services.create_priority(
        team=team_obj, cycle=cycle_obj, actor=request.user, **form.service_fields()
    )
    messages.success(request, f"Added “{item.title}” at position {item.position}.")
    return redirect(_page_url(team_obj, cycle_obj) + f"#priority-{item.pk}")


def _item(team: Team, cycle: Cycle, pk: int) -> Priority:
    return get_object_or_404(Priority, pk=pk, team=team, cycle=cycle)


def _initial(item: Priority) -> dict[str, Any]:
    return {
        "title": item.title,
        "owners": ", ".join(item.owner_names),
        "topics": ", ".join(item.topics),
        "changes": ", ".join(str(n) for n in item.change_numbers),
        "specs": list(item.specs.all()),
        "target": item.target,
        "description": item.description,
        "status": item.status,
        "status_reason": item.status_reason,
        "status_date": item.status_date,
        "version": item.version,
    }


@require_http_methods(["GET", "POST"])
@role_required(PTL)
def priority_edit(request: HtmxHttpRequest, team: str, cycle: str, pk: int) -> HttpResponse:
    """Edit an item, its status included; a form loaded before someone else's edit is
    refused (409) and shown again with the current values."""
    team_obj, cycle_obj = team_or_404(team), cycle_or_404(cycle)
    item = _item(team_obj, cycle_obj, pk)
    status, notice = 200, ""
    form = EditPriorityForm(team=team_obj, cycle=cycle_obj, initial=_initial(item))
    if request.method == "POST":
        posted = EditPriorityForm(request.POST, team=team_obj, cycle=cycle_obj)
        if not posted.is_valid():
            form, status = posted, 400
        else:
            data = posted.cleaned_data
            try:
                services.edit_priority(
                    priority=item,
                    actor=request.user,
                    expected_version=data["version"],
                    status=data["status"],
                    status_reason=data["status_reason"],
                    status_date=data["status_date"],
                    **posted.service_fields(),
                )
            except services.StalePriority as stale:
                item, status, notice = stale.current, 409, str(stale)
                form = EditPriorityForm(team=team_obj, cycle=cycle_obj, initial=_initial(item))
            else:
                messages.success(request, f"Saved “{data['title']}”.")
                return redirect(_page_url(team_obj, cycle_obj) + f"#priority-{item.pk}")
    context = {"team": team_obj, "cycle": cycle_obj, "item": item, "form": form}
    context |= {"notice": notice, "page_url": _page_url(team_obj, cycle_obj)}
    return render(request, "governance/priority_edit.html", context, status=status)


@require_POST
@role_required(PTL)
def priority_delete(request: HtmxHttpRequest, team: str, cycle: str, pk: int) -> HttpResponse:
    team_obj, cycle_obj = team_or_404(team), cycle_or_404(cycle)
    item = _item(team_obj, cycle_obj, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.delete_priority(priority=item, actor=request.user, expected_version=version)
    except services.StalePriority as stale:
        messages.error(request, str(stale))
        return redirect("governance:priority-edit", team_obj.name, cycle_obj.name, item.pk)
    messages.success(request, f"Removed “{item.title}”.")
    return redirect(_page_url(team_obj, cycle_obj))


@require_POST
@role_required(PTL)
def priorities_reorder(
    request: HtmxHttpRequest, team: str, cycle: str, pk: int | None = None
) -> HttpResponse:
    """Save a new order (``order`` = every item id, from a drag) or move item ``pk`` one
    place (``direction``, from a button). Answers the list fragment to htmx, else
    redirects; a stale ``version`` answers 409 with the current list, saving nothing."""
    team_obj, cycle_obj = team_or_404(team), cycle_or_404(cycle)
    form = ReorderForm(request.POST)
    if not form.is_valid():
        return _render_page(
            request, team_obj, cycle_obj, fragment=bool(request.htmx), status=400,
            problem="The new order could not be read; nothing was saved.",
        )  # fmt: skip
    data = form.cleaned_data
    try:
        if pk is not None:
            offset = -1 if data["direction"] == "up" else 1
            services.move_priority(
                priority=_item(team_obj, cycle_obj, pk),
                actor=request.user,
                offset=offset,
                expected_version=data["version"],
            )
        else:
            services.reorder_priorities(
                team=team_obj,
                cycle=cycle_obj,
                actor=request.user,
                order=data["order"],
                expected_version=data["version"],
            )
    except services.StaleList as stale:
        if not request.htmx:
            messages.error(request, str(stale))
            return redirect(_page_url(team_obj, cycle_obj))
        return _render_page(
            request, team_obj, cycle_obj, fragment=True, status=409, problem=str(stale)
        )
    if not request.htmx:
        return redirect(_page_url(team_obj, cycle_obj) + (f"#priority-{pk}" if pk else ""))
    return _render_page(request, team_obj, cycle_obj, fragment=True, saved="Order saved.")


# Feature-freeze exceptions


class FFERequestForm(forms.Form):
    title = forms.CharField(max_length=300, label="What would land late")
    spec = forms.ModelChoiceField(queryset=Spec.objects.none(), required=False)
    change = forms.IntegerField(required=False, min_value=1, label="Change number")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["spec"].queryset = Spec.objects.filter(team=team).order_by("title")

    def clean_change(self) -> Change | None:
        number = self.cleaned_data.get("change")
        if number is None:
            return None
        change = (
            Change.objects.filter(repository__team=self.team, number=number)
            .select_related("repository")
            .first()
        )
        if change is None:
            raise forms.ValidationError(
                f"{self.team} has no synced change {number}; sync first, or name the spec."
            )
        return change

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("spec") and not data.get("change"):
            raise forms.ValidationError("Name the spec or the change the exception is for.")
        return data


class FFEDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=FFEDecision.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _render_ffe(
    request: HtmxHttpRequest, team: Team, cycle: Cycle, form: FFERequestForm, status: int = 200
) -> HttpResponse:
    roles = navigation(request)
    context = {
        "team": team,
        "page": selectors.ffe_page(team=team, cycle=cycle),
        "form": form,
        "can_request": roles["is_core"],
        "can_decide": roles["is_ptl"],
        "decisions": FFEDecision,
    }
    return render(request, "governance/ffe.html", context, status=status)


@require_GET
def ffe_list(request: HtmxHttpRequest, team: str, cycle: str) -> HttpResponse:
    """The cycle's feature-freeze exception requests, with a request form for cores."""
    team_obj, cycle_obj = team_or_404(team), cycle_or_404(cycle)
    return _render_ffe(request, team_obj, cycle_obj, FFERequestForm(team=team_obj))


@require_POST
@role_required(PTL, CORE)
def ffe_request(request: HtmxHttpRequest, team: str, cycle: str) -> HttpResponse:
    team_obj, cycle_obj = team_or_404(team), cycle_or_404(cycle)
    form = FFERequestForm(request.POST, team=team_obj)
    if not form.is_valid():
        return _render_ffe(request, team_obj, cycle_obj, form, status=400)
    data = form.cleaned_data
    ffe = services.request_ffe(
        team=team_obj,
        cycle=cycle_obj,
        requester=request.user,
        title=data["title"],
        reason=data["reason"],
        spec=data["spec"],
        change=data["change"],
    )
    messages.success(request, f"Requested an exception for “{ffe.title}”; the PTL decides.")
    return redirect("governance:ffes", team_obj.name, cycle_obj.name)


@require_POST
@role_required(PTL)
def ffe_decide(request: HtmxHttpRequest, team: str, cycle: str, pk: int) -> HttpResponse:
    team_obj, cycle_obj = team_or_404(team), cycle_or_404(cycle)
    ffe = get_object_or_404(FeatureFreezeException, pk=pk, team=team_obj, cycle=cycle_obj)
    form = FFEDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose granted, denied or pending.")
    else:
        services.decide_ffe(
            ffe=ffe,
            decider=request.user,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"“{ffe.title}”: {form.cleaned_data['decision']}.")
    return redirect(
        reverse("governance:ffes", args=[team_obj.name, cycle_obj.name]) + f"#ffe-{ffe.pk}"
    )
