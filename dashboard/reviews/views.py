"""Pages that run Gerrit queries: search, my reviews, and linking a Gerrit account.

Search is public (anonymous visitors read everything); queries about "self" need a signed-in
user with a linked Gerrit account, and say so instead of failing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from dashboard.core.htmx import HtmxHttpRequest
from dashboard.gerrit.models import Change
from dashboard.reviews import selectors
from dashboard.reviews.evaluate import SearchContext
from dashboard.reviews.forms import LinkAccountForm, SearchForm
from dashboard.reviews.models import GerritIdentity
from dashboard.reviews.stars import is_starred, set_star

CHANGES_PER_PAGE = 50
ROWS_PER_SECTION = 25

EXAMPLE_QUERIES = (
    ("status:open label:Code-Review>=2 NOT label:Code-Review<=-1", "Approved and not blocked"),
    ("status:open intopic:^bug/.*", "Open changes on a bug topic"),
    ("status:open NOT reviewedby:self", "Open changes you have not reviewed"),
    ("status:merged -age:1w", "Merged in the last week"),
    ("is:open is:wip owner:self", "Your work in progress"),
)

# (title, query) of the "My reviews" page, in the order shown.
MY_REVIEWS: tuple[tuple[str, str], ...] = (
    ("Incoming reviews", "is:open NOT owner:self NOT is:wip reviewer:self NOT reviewedby:self"),
    ("Outgoing reviews", "is:open owner:self"),
    ("Recently closed, mine", "is:closed owner:self -age:4w"),
    ("Starred", "is:starred is:open"),
    (
        "Ready for my +2",
        "is:open NOT owner:self label:Code-Review>=2 NOT label:Code-Review<=-1 "
        "label:Verified>=1 NOT label:Code-Review>=1,self",
    ),
)


@require_GET
@vary_on_headers("HX-Request")
def search(request: HtmxHttpRequest) -> HttpResponse:
    """Changes matching a Gerrit query on one team's server (``?team=``, default the first).

    A query that is wrong (syntax, unsupported operator, unknown group) answers 400 with the
    message; one about "self" from someone Tiller cannot map to a Gerrit account answers 200
    with a prompt to sign in or link an account: nothing is wrong with the query itself.
    """
    form = SearchForm(request.GET)
    form.is_valid()
    text = form.cleaned_data.get("q", "")
    team, teams = selectors.search_teams(name=form.cleaned_data.get("team"))
    if form.cleaned_data.get("team") and team is None:
        raise Http404("Tiller has no team of that name.")
    context = {"form": form, "query": text, "search_team": team, "teams": teams}
    context["examples"] = EXAMPLE_QUERIES
    status = 200
    if text and team is not None:
        search_context = SearchContext.for_user(request.user, server=team.server)
        found = selectors.search_changes(text=text, context=search_context)
        page = Paginator(found.changes, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
        context |= {"found": found, "page_obj": page}
        if found.problem is not None and found.problem.kind != "sign-in":
            status = 400
    template_name = "reviews/search.html" + ("#results" if request.htmx else "")
    return render(request, template_name, context, status=status)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def my_reviews(request: HtmxHttpRequest) -> HttpResponse:
    """The signed-in user's review sections; ``?section=<slug>&sort=<key>`` sorts one
    section, and htmx requests naming a section get only that section's fragment."""
    identity = (
        GerritIdentity.objects.filter(user=request.user).select_related("account__server").first()
    )
    if identity is None:
        return render(request, "reviews/my_reviews.html", {"identity": None})
    slug = request.GET.get("section", "")
    sections = MY_REVIEWS
    if request.htmx and slug:
        sections = tuple(s for s in MY_REVIEWS if selectors.section_slug(s[0]) == slug)
    search_context = SearchContext.for_user(request.user, server=identity.account.server)
    results = selectors.evaluate_sections(
        sections=sections,
        context=search_context,
        per_section=ROWS_PER_SECTION,
        sorts={slug: request.GET.get("sort", "")},
    )
    if request.htmx and slug and len(results) == 1:
        context = {"section": results[0], "sort_words": selectors.SECTION_SORT_WORDS}
        return render(request, "reviews/my_reviews.html#section", context)
    context = {
        "identity": identity,
        "sections": results,
        "sort_words": selectors.SECTION_SORT_WORDS,
    }
    return render(request, "reviews/my_reviews.html", context)


@require_GET
@login_required
def profile(request: HtmxHttpRequest) -> HttpResponse:
    """The signed-in user's linked Gerrit account, with forms to link or unlink one."""
    return _profile(request, LinkAccountForm())


def _profile(request: HtmxHttpRequest, form: LinkAccountForm, status: int = 200) -> HttpResponse:
    identity = (
        GerritIdentity.objects.filter(user=request.user).select_related("account__server").first()
    )
    context = {"identity": identity, "form": form}
    return render(request, "reviews/profile.html", context, status=status)


@require_POST
@login_required
def link_account(request: HtmxHttpRequest) -> HttpResponse:
    """Link (or re-link) the signed-in user to the named synced Gerrit account."""
    form = LinkAccountForm(request.POST)
    if not form.is_valid():
        return _profile(request, form, status=400)
    account = form.cleaned_data["account"]
    # One row per user: a single upsert, no service module needed for it.
    GerritIdentity.objects.update_or_create(user=request.user, defaults={"account": account})
    messages.success(request, f"Your Tiller account is now linked to {account} on Gerrit.")
    return redirect("reviews:profile")


@require_POST
@login_required
def unlink_account(request: HtmxHttpRequest) -> HttpResponse:
    """Forget the signed-in user's Gerrit account ("self" then means nobody)."""
    deleted, _ = GerritIdentity.objects.filter(user=request.user).delete()
    if deleted:
        messages.success(request, "Your Gerrit account is no longer linked.")
    return redirect("reviews:profile")


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def star(request: HtmxHttpRequest, team: str, number: int) -> HttpResponse:
    """The star button of a change page: GET shows it (loaded by htmx, since the change page
    belongs to the gerrit app, which knows nothing of stars), POST ``starred=1|0`` sets it.
    Without htmx the POST returns to the change page."""
    change = get_object_or_404(Change, repository__team__name=team, number=number)
    if request.method == "POST":
        starred = set_star(
            user=request.user, change=change, starred=request.POST.get("starred") == "1"
        )
        if not request.htmx:
            return redirect("gerrit:change", team, number)
    else:
        starred = is_starred(user=request.user, change=change)
    context = {"change": change, "team_name": team, "starred": starred}
    template = "reviews/star.html#star-button" if request.htmx else "reviews/star.html"
    return render(request, template, context)
