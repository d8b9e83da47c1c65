"""Dashboards in the browser: the team's (and the visitor's own) .dash dashboards, each section
a Gerrit query evaluated like My reviews; import, export, edit and copy.

Team dashboards are public to read and edited by PTLs and cores; personal dashboards (``owner``
set) live under ``my-dashboards/`` and only their owner sees or edits them. Editing is the
whole .dash text in one textarea, so a mistake comes back as ``FILE:LINE: message`` exactly as
``check_dashboard`` prints it, and the stored dashboard is only ever replaced by a valid one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.context_processors import navigation
from dashboard.core.htmx import HtmxHttpRequest
from dashboard.core.roles import CORE, PTL, role_required
from dashboard.gerrit.models import Team
from dashboard.gerrit.selectors import team_or_404
from dashboard.reviews import selectors
from dashboard.reviews.dashboards import (
    ensure_default_dashboard,
    export_dashboard,
    import_dashboard,
    to_dashfile,
)
from dashboard.reviews.dashfile import DashFileError, gerrit_url, parse_dash
from dashboard.reviews.evaluate import SearchContext
from dashboard.reviews.lint import LintWarning, lint
from dashboard.reviews.models import Dashboard
from dashboard.reviews.query import QueryError, combine, describe, parse

# A ten-section dashboard showed 250 rows, more than anyone reads on one page and most of
# its server time; each section now starts with 10 and "Show more rows" adds MORE_ROWS
# (``?section=<slug>&rows=<n>``, so the expanded section is a shareable URL) up to
# MAX_ROWS_PER_SECTION, past which the section's link to Search pages through the rest.
ROWS_PER_SECTION = 10
MORE_ROWS = 25
MAX_ROWS_PER_SECTION = 100
PASTED_SOURCE = "pasted.dash"


class ImportDashboardForm(forms.Form):
    """A .dash file, uploaded or pasted; ``slug`` defaults to the file name, else the title."""

    file = forms.FileField(required=False, label="Upload a .dash file")
    text = forms.CharField(
        required=False,
        label="or paste its text",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    slug = forms.SlugField(required=False, label="Slug (optional)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError("The file is not UTF-8 text.") from exc
            data["source"] = upload.name
        elif data.get("text", "").strip():
            data["source"] = PASTED_SOURCE
        else:
            raise forms.ValidationError("Upload a .dash file or paste its text.")
        return data


class EditDashboardForm(forms.Form):
    text = forms.CharField(
        label=".dash text",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
    )


@dataclass(frozen=True)
class SectionPanel:
    """A section's results and, for those who may edit it, the lint warnings of its query."""

    result: selectors.SectionResult
    warnings: tuple[LintWarning, ...] = ()
    rows_param: int | None = None

    @property
    def show_more(self) -> int:
        """The ``rows`` of the "Show more rows" link; 0 when there is nothing more to show
        here (everything is shown, or the section is at its maximum)."""
        shown = len(self.result.rows)
        if self.result.more == 0 or shown >= MAX_ROWS_PER_SECTION:
            return 0
        return min(shown + MORE_ROWS, MAX_ROWS_PER_SECTION)


def _team_dashboard(team: Team, slug: str) -> Dashboard:
    return get_object_or_404(Dashboard, team=team, owner__isnull=True, slug=slug)


def _my_dashboard(request: HtmxHttpRequest, team: Team, slug: str) -> Dashboard:
    mine = Dashboard.objects.filter(Q(team=team) | Q(team__isnull=True), owner=request.user)
    return get_object_or_404(mine, slug=slug)


def _urls(team: Team, dashboard: Dashboard) -> dict[str, str]:
    prefix = "reviews:my-dashboard" if dashboard.owner_id else "reviews:dashboard"
    args = [team.name, dashboard.slug]
    return {
        "page_url": reverse(prefix, args=args),
        "export_url": reverse(f"{prefix}-export", args=args),
        "edit_url": reverse(f"{prefix}-edit", args=args),
    }


def _lint(text: str) -> tuple[LintWarning, ...]:
    try:
        return tuple(lint(text)) if text.strip() else ()
    except QueryError:  # the section reports the error itself
        return ()


def _foreach_words(foreach: str) -> str:
    try:
        return describe(parse(foreach)) if foreach.strip() else ""
    except QueryError:
        return ""


# The list, and importing into it


def _render_list(
    request: HtmxHttpRequest, team: Team, form: ImportDashboardForm, **extra: Any
) -> HttpResponse:
    context = {
        "team": team,
        "dashboards": Dashboard.objects.filter(team=team, owner__isnull=True).order_by(
            "-is_default", "title"
        ),
        "mine": (
            Dashboard.objects.filter(Q(team=team) | Q(team__isnull=True), owner=request.user)
            if request.user.is_authenticated
            else Dashboard.objects.none()
        ),
        "can_edit": navigation(request)["is_core"],
        "form": form,
        **extra,
    }
    return render(request, "reviews/dashboard_list.html", context, status=400 if extra else 200)


@require_GET
def dashboard_list(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """The team's dashboards, default first, then the visitor's own; cores get an import form.

    The default dashboard is created on first view: ``ensure_default_dashboard`` is
    idempotent (it returns an existing default untouched), so this GET is safe to repeat.
    """
    team_obj = team_or_404(team)
    ensure_default_dashboard(team=team_obj)
    return _render_list(request, team_obj, ImportDashboardForm())


@require_POST
@role_required(PTL, CORE)
def dashboard_import(request: HtmxHttpRequest, team: str) -> HttpResponse:
    """Create or replace (same slug) a team dashboard from a .dash file; 400 with every
    ``FILE:LINE: message`` when the file is wrong."""
    team_obj = team_or_404(team)
    form = ImportDashboardForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_list(request, team_obj, form, form_invalid=True)
    data = form.cleaned_data
    try:
        slug = data["slug"] or None
        if slug is None and data["source"] == PASTED_SOURCE:
            slug = slugify(parse_dash(data["text"], source=data["source"]).title)
        dashboard = import_dashboard(
            text=data["text"], source_name=data["source"], team=team_obj, slug=slug
        )
    except DashFileError as error:
        return _render_list(request, team_obj, form, problems=error.problems)
    messages.success(request, f"Imported “{dashboard.title}”.")
    return redirect("reviews:dashboard", team_obj.name, dashboard.slug)


# One dashboard


def _narrowing(request: HtmxHttpRequest) -> tuple[str, str, selectors.QueryProblem | None]:
    """The visitor's ``?filter=`` query for every section, its plain words, and the problem
    when it does not parse (the sections are then shown unfiltered, and the page says so)."""
    text = request.GET.get("filter", "").strip()
    if not text:
        return "", "", None
    try:
        return text, describe(parse(text)), None
    except QueryError as error:
        return "", "", selectors.QueryProblem.from_error(text, error)


def _rows_wanted(request: HtmxHttpRequest) -> int | None:
    """``?rows=`` for the named section, clamped to what a section may show; None when it
    is absent or not a number (the section then shows the default)."""
    try:
        wanted = int(request.GET.get("rows", ""))
    except ValueError:
        return None
    return max(ROWS_PER_SECTION, min(wanted, MAX_ROWS_PER_SECTION))


def _render_detail(request: HtmxHttpRequest, team: Team, dashboard: Dashboard) -> HttpResponse:
    parsed = to_dashfile(dashboard)
    can_edit = bool(dashboard.owner_id) or navigation(request)["is_core"]
    slug = request.GET.get("section", "")
    narrowing, narrowing_words, narrowing_problem = _narrowing(request)
    foreach = combine(parsed.foreach, narrowing)
    sections = [(s.name, combine(foreach, s.query)) for s in parsed.sections]
    own_queries = {selectors.section_slug(s.name): s.query for s in parsed.sections}
    if request.htmx and slug:
        sections = [s for s in sections if selectors.section_slug(s[0]) == slug]
    results = selectors.evaluate_sections(
        sections=sections,
        context=SearchContext.for_user(request.user, server=team.server),
        per_section=ROWS_PER_SECTION,
        sorts={slug: request.GET.get("sort", "")},
        rows={slug: wanted} if (wanted := _rows_wanted(request)) else {},
    )
    panels = [
        SectionPanel(
            r,
            _lint(own_queries.get(r.slug, "")) if can_edit else (),
            wanted if r.slug == slug else None,
        )
        for r in results
    ]
    context = {"team": team, "dashboard": dashboard, "can_edit": can_edit, "panels": panels}
    context |= _urls(team, dashboard) | {"sort_words": selectors.SECTION_SORT_WORDS}
    context |= {
        "narrowing": narrowing,
        "narrowing_words": narrowing_words,
        "narrowing_problem": narrowing_problem,
        "filter_text": request.GET.get("filter", ""),
    }
    if request.htmx and slug and len(panels) == 1:
        context |= {"section": panels[0].result, "warnings": panels[0].warnings}
        context |= {"panel": panels[0]}
        return render(request, "reviews/dashboard_detail.html#dashboard-section", context)
    if request.htmx and not slug:
        return render(
            request,
            "reviews/dashboard_detail.html#sections",
            context,
            status=400 if narrowing_problem else 200,
        )
    context |= {
        "foreach_words": _foreach_words(parsed.foreach),
        "foreach_warnings": _lint(parsed.foreach) if can_edit else (),
        "gerrit_url": gerrit_url(parsed, server_url=team.server.url),
    }
    return render(
        request, "reviews/dashboard_detail.html", context, status=400 if narrowing_problem else 200
    )


@require_GET
@vary_on_headers("HX-Request")
def dashboard_detail(request: HtmxHttpRequest, team: str, slug: str) -> HttpResponse:
    """A team dashboard: one table per section (the section's query ANDed with the
    ``foreach``); ``?section=<slug>&sort=<key>`` sorts one section, and htmx requests naming
    a section get only that section's fragment, ``&rows=<n>`` shows more of its rows
    (10 by default, at most 100). ``?filter=<query>`` narrows every section
    (htmx requests without a section get all sections). PTLs and cores also see lint
    warnings."""
    team_obj = team_or_404(team)
    return _render_detail(request, team_obj, _team_dashboard(team_obj, slug))


@require_GET
@login_required
@vary_on_headers("HX-Request")
def my_dashboard_detail(request: HtmxHttpRequest, team: str, slug: str) -> HttpResponse:
    """One of the signed-in user's own dashboards, run on ``team``'s server."""
    team_obj = team_or_404(team)
    return _render_detail(request, team_obj, _my_dashboard(request, team_obj, slug))


def _export(dashboard: Dashboard) -> HttpResponse:
    response = HttpResponse(
        export_dashboard(dashboard=dashboard), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{dashboard.slug}.dash"'
    return response


@require_GET
def dashboard_export(request: HtmxHttpRequest, team: str, slug: str) -> HttpResponse:
    """The dashboard as a .dash file download (importing it gives the same dashboard)."""
    return _export(_team_dashboard(team_or_404(team), slug))


@require_GET
@login_required
def my_dashboard_export(request: HtmxHttpRequest, team: str, slug: str) -> HttpResponse:
    return _export(_my_dashboard(request, team_or_404(team), slug))


# Editing and copying


def _edit(request: HtmxHttpRequest, team: Team, dashboard: Dashboard) -> HttpResponse:
    problems: tuple[Any, ...] = ()
    if request.method == "POST":
        form = EditDashboardForm(request.POST)
        if form.is_valid():
            owner = request.user if dashboard.owner_id else None
            try:
                import_dashboard(
                    text=form.cleaned_data["text"],
                    source_name=f"{dashboard.slug}.dash",
                    team=team,
                    owner=owner,
                    slug=dashboard.slug,
                )
            except DashFileError as error:
                problems = error.problems
            else:
                messages.success(request, f"Saved “{dashboard.title}”.")
                return redirect(_urls(team, dashboard)["page_url"])
    else:
        form = EditDashboardForm(initial={"text": export_dashboard(dashboard=dashboard)})
    context = {"team": team, "dashboard": dashboard, "form": form, "problems": problems}
    context |= _urls(team, dashboard)
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/dashboard_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(PTL, CORE)
def dashboard_edit(request: HtmxHttpRequest, team: str, slug: str) -> HttpResponse:
    """Edit a team dashboard as .dash text (PTLs and cores); the slug stays the same."""
    team_obj = team_or_404(team)
    return _edit(request, team_obj, _team_dashboard(team_obj, slug))


@require_http_methods(["GET", "POST"])
@login_required
def my_dashboard_edit(request: HtmxHttpRequest, team: str, slug: str) -> HttpResponse:
    """Edit one of the signed-in user's own dashboards."""
    team_obj = team_or_404(team)
    return _edit(request, team_obj, _my_dashboard(request, team_obj, slug))


@require_POST
@login_required
def dashboard_copy(request: HtmxHttpRequest, team: str, slug: str) -> HttpResponse:
    """Copy a team dashboard to the signed-in user's dashboards, under a slug they do not
    use yet (``glance``, ``glance-2``…), so an earlier, edited copy is never overwritten."""
    team_obj = team_or_404(team)
    source = _team_dashboard(team_obj, slug)
    taken = set(Dashboard.objects.filter(owner=request.user).values_list("slug", flat=True))
    new_slug = next(s for n in range(1, 1000) if (s := _numbered(source.slug, n)) not in taken)
    copy = import_dashboard(
        text=export_dashboard(dashboard=source),
        source_name=f"{new_slug}.dash",
        team=team_obj,
        owner=request.user,
        slug=new_slug,
    )
    messages.success(request, f"Copied “{source.title}” to your dashboards.")
    return redirect("reviews:my-dashboard", team_obj.name, copy.slug)


def _numbered(slug: str, n: int) -> str:
    return slug if n == 1 else f"{slug[:95]}-{n}"
