"""The priority email pages: preview (copy, .eml, send), the team's settings, the archive.

Everyone may read a list's email and the archive (the list goes to a public mailing list);
those who compose the list (``can_compose``: the PTL or a delegate) send it, after a
confirmation step naming the recipients; the PTL edits where it goes. A send that fails
shows the mail server's answer and keeps the confirmation page, with nothing archived.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.htmx import HtmxHttpRequest
from dashboard.core.roles import PTL, role_required
from dashboard.gerrit.models import Team
from dashboard.gerrit.selectors import team_or_404
from dashboard.governance.models import WeeklyList
from dashboard.governance.weekly import can_compose
from dashboard.reports.emails import (
    NothingToSend,
    PriorityEmail,
    SendFailed,
    StaleEmail,
    build_priority_email,
    send_priority_email,
    sender_name_of,
    update_email_settings,
)
from dashboard.reports.models import SentEmail, TeamEmailSettings

EMAILS_PER_PAGE = 25
# Why a send did not happen, as HTTP: the user's request, a stale preview, the mail server.
_REFUSED_STATUS = {NothingToSend: 400, StaleEmail: 409, SendFailed: 502}


class EmailSettingsForm(forms.Form):
    list_address = forms.EmailField(
        required=False, help_text="e.g. openstack-dev@lists.openstack.org"
    )
    reply_to = forms.EmailField(required=False, label="Reply-To", help_text="Optional")
    subject_tag = forms.CharField(max_length=100, required=False, help_text="Empty for “[<team>]”")


class SendForm(forms.Form):
    """The version of the list the sender confirmed."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


def _weekly_list(team: Team, week: str) -> WeeklyList:
    try:
        day = date.fromisoformat(week)
    except ValueError:
        raise Http404(f"“{week[:40]}” is not a date: weeks are written YYYY-MM-DD.") from None
    found = WeeklyList.objects.filter(team=team, week=day).first()
    if found is None:
        raise Http404(f"{team} has no weekly priorities for the meeting of {day}.")
    found.team = team  # already loaded with its server: no second query for either
    return found


def _eml(message_bytes: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(message_bytes, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _email_for(request: HtmxHttpRequest, weekly_list: WeeklyList) -> PriorityEmail:
    return build_priority_email(weekly_list=weekly_list, sender_name=sender_name_of(request.user))


@require_GET
def weekly_email(request: HtmxHttpRequest, team: str, week: str) -> HttpResponse:
    """Preview of the week's email (text and HTML), with copy, .eml and send."""
    team_obj = team_or_404(team)
    weekly_list = _weekly_list(team_obj, week)
    email_settings = TeamEmailSettings.for_team(team_obj)
    email = build_priority_email(
        weekly_list=weekly_list,
        sender_name=sender_name_of(request.user),
        email_settings=email_settings,
    )
    context = {
        "team": team_obj,
        "weekly_list": weekly_list,
        "email": email,
        "can_send": can_compose(user=request.user, team=team_obj),
        "settings_form": EmailSettingsForm(initial=_settings_initial(email_settings)),
    }
    return render(request, "reports/email_preview.html", context)


def _settings_initial(row: TeamEmailSettings) -> dict[str, str]:
    return {"list_address": row.list_address, "reply_to": row.reply_to, "subject_tag": row.tag}


@require_GET
def weekly_email_eml(request: HtmxHttpRequest, team: str, week: str) -> HttpResponse:
    """The week's email as an .eml file, to open in a mail client and send from there."""
    weekly_list = _weekly_list(team_or_404(team), week)
    email = _email_for(request, weekly_list)
    filename = f"{weekly_list.team.name}-priorities-{email.week_of:%Y-%m-%d}.eml"
    return _eml(email.message().message().as_bytes(), filename)


@require_http_methods(["GET", "POST"])
def weekly_email_send(request: HtmxHttpRequest, team: str, week: str) -> HttpResponse:
    """GET: confirm, naming the recipients. POST: send, archive, go to the permalink."""
    team_obj = team_or_404(team)
    if not can_compose(user=request.user, team=team_obj):
        raise PermissionDenied("Only the PTL and the PTL's delegates send the priorities.")
    weekly_list = _weekly_list(team_obj, week)
    email, problem, status = _email_for(request, weekly_list), "", 200
    form = SendForm(request.POST or None, initial={"version": weekly_list.version})
    if request.method == "POST" and form.is_valid():
        try:
            sent = send_priority_email(
                weekly_list=weekly_list,
                email=email,
                sender=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except (NothingToSend, StaleEmail, SendFailed) as error:
            problem, status = str(error), _REFUSED_STATUS[type(error)]
            form = SendForm(initial={"version": weekly_list.version})
        else:
            messages.success(request, f"Sent to {', '.join(sent.to)} and archived.")
            return redirect("reports:email", team_obj.name, sent.pk)
    elif request.method == "POST":
        problem, status = "The confirmation was incomplete; nothing was sent. Confirm again.", 400
        form = SendForm(initial={"version": weekly_list.version})
    context = {"team": team_obj, "weekly_list": weekly_list, "email": email, "form": form}
    return render(request, "reports/email_send.html", context | {"problem": problem}, status=status)


@require_POST
@role_required(PTL)
def email_settings(request: HtmxHttpRequest, team: str, week: str) -> HttpResponse:
    """The PTL saves where the team's priorities go; back to the email page."""
    team_obj = team_or_404(team)
    weekly_list = _weekly_list(team_obj, week)
    form = EmailSettingsForm(request.POST)
    if not form.is_valid():
        email = _email_for(request, weekly_list)
        context = {"team": team_obj, "weekly_list": weekly_list, "email": email}
        context |= {"can_send": can_compose(user=request.user, team=team_obj)}
        context |= {"settings_form": form, "settings_open": True}
        return render(request, "reports/email_preview.html", context, status=400)
    data = form.cleaned_data
    tag = "" if data["subject_tag"].strip() == f"[{team_obj.name}]" else data["subject_tag"]
    update_email_settings(
        team=team_obj,
        list_address=data["list_address"],
        reply_to=data["reply_to"],
        subject_tag=tag,
        actor=request.user,
    )
    messages.success(request, "Saved the team's email settings.")
    return redirect("reports:weekly-email", team_obj.name, weekly_list.week.isoformat())


@require_GET
@vary_on_headers("HX-Request")
def sent_emails(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Every priority email the team sent, newest first, 25 a page; htmx gets the list."""
    team_obj = team_or_404(team)
    emails = SentEmail.objects.for_team(team_obj.pk).defer("text", "html", "raw")
    page = Paginator(emails, EMAILS_PER_PAGE).get_page(request.GET.get("page"))
    template_name = "reports/emails.html" + ("#email-list" if request.htmx else "")
    return render(request, template_name, {"team": team_obj, "page": page})


@require_GET
def sent_email(request: HtmxHttpRequest, team: str, pk: int) -> HttpResponse:
    """The permalink of a sent email: exactly what went out, and its .eml."""
    team_obj = team_or_404(team)
    sent = get_object_or_404(SentEmail, pk=pk, team=team_obj)
    weekly_url = ""
    if sent.weekly_list_id:
        weekly_url = reverse("reports:weekly-email", args=[team_obj.name, sent.week.isoformat()])
    context = {"team": team_obj, "sent": sent, "weekly_email_url": weekly_url}
    return render(request, "reports/email_detail.html", context)


@require_GET
def sent_email_eml(request: HtmxHttpRequest, team: str, pk: int) -> HttpResponse:
    """The archived message's bytes as they were handed to the mail backend."""
    team_obj = team_or_404(team)
    sent = get_object_or_404(SentEmail, pk=pk, team=team_obj)
    return _eml(sent.raw.encode("utf-8"), f"{team_obj.name}-priorities-{sent.week}-{pk}.eml")
