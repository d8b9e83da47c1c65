"""Dashboards in and out of the database: import a .dash file, export one, and give every team
a default dashboard to start from.

Parsing and writing the text is ``dashfile``'s job (pure); this module only maps it onto
``Dashboard``/``DashboardSection`` rows, in one transaction per call.
"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from dashboard.gerrit.models import Team
from dashboard.reviews import dashfile
from dashboard.reviews.models import Dashboard, DashboardSection

DEFAULT_SLUG = "default"

# The team default, in the spirit of the Glance review dashboard (dashboards/glance.dash) but
# written for current Gerrit: label ranges never include 0 by accident, "not voted by me" is
# spelled with two negated ranges (facts §6.5), topics are matched with intopic:.
_NO_NEGATIVE = "NOT label:Code-Review<=-1 NOT label:Workflow<=-1 NOT is:wip"
DEFAULT_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "Needs final +2",
        f"label:Code-Review>=2 label:Verified>=1 {_NO_NEGATIVE} NOT label:Workflow>=1",
    ),
    (
        "Passed CI, no negative feedback, not reviewed by you",
        f"label:Verified>=1 {_NO_NEGATIVE} NOT label:Code-Review>=2 NOT owner:self "
        "NOT reviewedby:self",
    ),
    (
        "Specs to review",
        f"project:^.*-specs {_NO_NEGATIVE} NOT owner:self "
        "NOT label:Code-Review<=-1,self NOT label:Code-Review>=1,self",
    ),
    ("Stable backports", f"branch:^stable/.* label:Verified>=1 {_NO_NEGATIVE}"),
    (
        "Small changes (delta<=25)",
        f"delta:<=25 label:Verified>=1 {_NO_NEGATIVE} NOT owner:self",
    ),
    (
        "Waiting more than two weeks without a review",
        "age:2w NOT label:Code-Review<=-1 NOT label:Code-Review>=1 NOT is:wip",
    ),
    ("Bug fixes", f"intopic:^bug/.* {_NO_NEGATIVE}"),
    ("My changes", "owner:self"),
)


def team_foreach(team: Team) -> str:
    """``(project:A OR project:B …) status:open`` over the team's repositories, as the corpus
    writes its foreach; just ``status:open`` for a team without repositories."""
    names = sorted(team.repositories.values_list("name", flat=True))
    if not names:
        return "status:open"
    projects = " OR ".join(f"project:{name}" for name in names)
    return f"({projects}) status:open" if len(names) > 1 else f"{projects} status:open"


def _replace(
    *,
    team: Team | None,
    owner: AbstractBaseUser | None,
    slug: str,
    parsed: dashfile.Dashboard,
    is_default: bool = False,
) -> Dashboard:
    if team is None and owner is None:
        raise ValueError("A dashboard belongs to a team or to a user: give team or owner")
    existing = Dashboard.objects.filter(slug=slug)
    existing = (
        existing.filter(owner=owner)
        if owner is not None
        else existing.filter(team=team, owner__isnull=True)
    )
    dashboard = existing.first() or Dashboard(team=team, owner=owner, slug=slug)
    dashboard.title = parsed.title
    dashboard.description = parsed.description
    dashboard.foreach = parsed.foreach
    dashboard.is_default = is_default or dashboard.is_default
    dashboard.save()
    dashboard.sections.all().delete()
    DashboardSection.objects.bulk_create(
        DashboardSection(
            dashboard=dashboard, position=index, name=section.name, query=section.query
        )
        for index, section in enumerate(parsed.sections)
    )
    return dashboard


@transaction.atomic
def import_dashboard(
    *,
    text: str,
    source_name: str,
    team: Team | None = None,
    owner: AbstractBaseUser | None = None,
    slug: str | None = None,
) -> Dashboard:
    """Create a dashboard from .dash text, replacing the team's (or, with ``owner``, that
    user's) dashboard with the same slug, sections and all.

    The slug defaults to the file name's stem (``glance.dash`` → ``glance``), else the
    title's. Raises ``dashfile.DashFileError`` (every problem, ``source_name:LINE: …``) and
    ``ValueError`` when neither team nor owner is given.
    """
    parsed = dashfile.parse_dash(text, source=source_name)
    slug = slugify(slug or PurePath(source_name).stem) or slugify(parsed.title) or "dashboard"
    return _replace(team=team, owner=owner, slug=slug, parsed=parsed)


def to_dashfile(dashboard: Dashboard) -> dashfile.Dashboard:
    """The pure form of a stored dashboard (two queries: the row is given, its sections)."""
    return dashfile.Dashboard(
        title=dashboard.title,
        description=dashboard.description,
        foreach=dashboard.foreach,
        sections=tuple(
            dashfile.DashSection(section.name, section.query)
            for section in dashboard.sections.order_by("position")
        ),
        source=dashboard.slug,
    )


def export_dashboard(*, dashboard: Dashboard) -> str:
    """The .dash text of a stored dashboard; importing it gives the same dashboard back."""
    return dashfile.to_dash_text(to_dashfile(dashboard))


def ensure_default_dashboard(*, team: Team) -> Dashboard:
    """The team's default dashboard, created from ``DEFAULT_SECTIONS`` if it has none.

    An existing default is returned untouched (the team may have edited it). The foreach
    names the team's repositories at creation time.
    """
    existing = Dashboard.objects.filter(team=team, owner__isnull=True, is_default=True).first()
    if existing is not None:
        return existing
    parsed = dashfile.Dashboard(
        title=f"{team.display_name or team.name} review dashboard",
        description="Open changes of the team, by what they need next.",
        foreach=team_foreach(team),
        sections=tuple(dashfile.DashSection(name, query) for name, query in DEFAULT_SECTIONS),
    )
    try:
        with transaction.atomic():
            return _replace(
                team=team, owner=None, slug=DEFAULT_SLUG, parsed=parsed, is_default=True
            )
    except IntegrityError:
        # Two first visits at once: the other request created it (one default per team).
        return Dashboard.objects.get(team=team, owner__isnull=True, is_default=True)
