"""The focus rules page: every rule of the cycle and whether it holds; PTL-only editing.

Everyone reads. The PTL declares, edits, lifts and deletes rules; an edit, lift or delete
made from a page loaded before someone else's edit answers 409 with the rule as it is now.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.context_processors import navigation
from dashboard.core.htmx import HtmxHttpRequest
from dashboard.core.roles import PTL, role_required
from dashboard.gerrit.models import Team
from dashboard.gerrit.selectors import team_or_404
from dashboard.governance.models import Cycle, Priority
from dashboard.reports import focus_services as services
from dashboard.reports.focus import focus_checks, focus_cycle
from dashboard.reports.models import DEFAULT_EXCEPTIONS, FocusRule


class FocusRuleForm(forms.Form):
    statement = forms.CharField(
        max_length=500,
        label="The rule",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="In the team's words, e.g. “Nothing else merges until image import lands, "
        "except security fixes.”",
    )
    priority = forms.ModelChoiceField(
        queryset=Priority.objects.none(),
        required=False,
        label="Must land",
        empty_label="(no priority)",
        help_text="Its changes, topics and specs' topics may merge; the rule ends when it is done.",
    )
    since = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        required=False,
        label="Until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Last day in force; leave empty for “until lifted or landed”.",
    )
    exceptions = forms.CharField(
        max_length=1000,
        required=False,
        label="Exceptions",
        help_text="A Gerrit query for what may merge anyway; empty: nothing. The default "
        "finds the security hashtag, topics with “security” and SecurityImpact, OSSA or CVE "
        "in the commit message.",
    )

    def __init__(self, *args: Any, team: Team, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.for_list(
            team_id=team.pk, cycle_id=cycle.pk
        )

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.base_fields if name != "version"}


class EditFocusRuleForm(FocusRuleForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _rule(team: Team, pk: int) -> FocusRule:
    rule = FocusRule.objects.select_related("cycle", "priority").filter(pk=pk, team=team)
    return get_object_or_404(rule)


def _version(request: HtmxHttpRequest) -> int:
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() else -1


def _render_page(
    request: HtmxHttpRequest, team: Team, *, status: int = 200, **extra: Any
) -> HttpResponse:
    today = timezone.localdate()
    checks = focus_checks(team=team, today=today)
    can_edit = navigation(request)["is_ptl"]
    add_form = extra.pop("add_form", None)
    if add_form is None and can_edit and checks.cycle is not None:
        initial = {"since": today, "exceptions": DEFAULT_EXCEPTIONS}
        add_form = FocusRuleForm(team=team, cycle=checks.cycle, initial=initial)
    context = {"team": team, "focus_checks": checks, "can_edit": can_edit, "add_form": add_form}
    template_name = "reports/focus.html" + ("#focus-summary" if request.htmx else "")
    return render(request, template_name, context | extra, status=status)


@require_GET
@vary_on_headers("HX-Request")
def focus(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The cycle's focus rules and whether each holds; htmx gets the summary only."""
    return _render_page(request, team_or_404(team))


@require_POST
@role_required(PTL)
def focus_add(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Declare a rule for the page's cycle; the form comes back with its errors."""
    team_obj = team_or_404(team)
    cycle = focus_cycle(team=team_obj, today=timezone.localdate())
    if cycle is None:
        return _render_page(request, team_obj, status=400, problem="There is no cycle yet.")
    form = FocusRuleForm(request.POST, team=team_obj, cycle=cycle)
    if form.is_valid():
        try:
            rule = services.create_rule(
                team=team_obj, cycle=cycle, actor=request.user, **form.service_fields()
            )
        except services.InvalidFocusRule as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, f"Declared “{rule.statement}”.")
            return redirect(reverse("reports:focus", args=[team_obj.name]) + f"#rule-{rule.pk}")
    return _render_page(request, team_obj, status=400, add_form=form)


def _initial(rule: FocusRule) -> dict[str, Any]:
    fields = ("statement", "priority", "since", "until", "exceptions", "version")
    return {name: getattr(rule, name) for name in fields}


@require_http_methods(["GET", "POST"])
@role_required(PTL)
def focus_edit(request: HtmxHttpRequest, team: str, pk: int) -> HttpResponse:
    """Edit a rule; a form loaded before someone else's edit is refused (409) and shown
    again with the current values."""
    team_obj = team_or_404(team)
    rule = _rule(team_obj, pk)
    form = EditFocusRuleForm(team=team_obj, cycle=rule.cycle, initial=_initial(rule))
    status, notice = 200, ""
    if request.method == "POST":
        posted = EditFocusRuleForm(request.POST, team=team_obj, cycle=rule.cycle)
        form, status = posted, 400
        if posted.is_valid():
            try:
                version = posted.cleaned_data["version"]
                services.edit_rule(
                    rule=rule, version=version, actor=request.user, **posted.service_fields()
                )
            except services.StaleFocusRule as stale:
                rule, status, notice = stale.current, 409, str(stale)
                form = EditFocusRuleForm(team=team_obj, cycle=rule.cycle, initial=_initial(rule))
            except services.InvalidFocusRule as error:
                posted.add_error(error.field, str(error))
            else:
                messages.success(request, "Saved the rule.")
                return redirect(reverse("reports:focus", args=[team_obj.name]) + f"#rule-{pk}")
    context = {"team": team_obj, "rule": rule, "form": form, "notice": notice}
    return render(request, "reports/focus_edit.html", context, status=status)


@require_POST
@role_required(PTL)
def focus_lift(request: HtmxHttpRequest, team: str, pk: int) -> HttpResponse:
    """End a rule today; it stays on the page with its outcome."""
    team_obj = team_or_404(team)
    rule = _rule(team_obj, pk)
    try:
        services.lift_rule(
            rule=rule, version=_version(request), today=timezone.localdate(), actor=request.user
        )
    except services.StaleFocusRule as stale:
        return _render_page(request, team_obj, status=409, problem=str(stale))
    messages.success(request, f"Lifted “{rule.statement}”.")
    return redirect(reverse("reports:focus", args=[team_obj.name]) + f"#rule-{pk}")


@require_POST
@role_required(PTL)
def focus_delete(request: HtmxHttpRequest, team: str, pk: int) -> HttpResponse:
    """Remove a rule altogether (lifting keeps it on record)."""
    team_obj = team_or_404(team)
    rule = _rule(team_obj, pk)
    try:
        services.delete_rule(rule=rule, version=_version(request))
    except services.StaleFocusRule as stale:
        return _render_page(request, team_obj, status=409, problem=str(stale))
    messages.success(request, f"Deleted “{rule.statement}”.")
    return redirect("reports:focus", team_obj.name)
