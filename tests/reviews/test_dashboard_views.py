"""Dashboard pages: list, detail with sections and fragments, import, export, edit, copy,
permissions, lint warnings and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dashboard.core.roles import CONTRIBUTOR, CORE, PTL, ensure_role_groups
from dashboard.reviews.dashboard_views import MAX_ROWS_PER_SECTION, MORE_ROWS, ROWS_PER_SECTION
from dashboard.reviews.dashboards import ensure_default_dashboard, import_dashboard, to_dashfile
from dashboard.reviews.dashfile import parse_dash
from dashboard.reviews.models import Dashboard, GerritIdentity
from tests.gerrit.factories import AccountFactory, ChangeFactory, RepositoryFactory, TeamFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

DASH = """\
[dashboard]
title = Glance reviews
description = What Glance needs next
foreach = project:openstack/glance status:open

[section "Everything open"]
query = is:open

[section "Bug topics"]
query = topic:^bug/.*

[section "Mine"]
query = owner:self
"""

BROKEN = """\
[dashboard]
title = Broken
foreach = status:open

[section "Bad"]
query = foo:bar

[section "No query"]
"""


@pytest.fixture
def team():
    return TeamFactory(name="glance", core_group="glance-core")


@pytest.fixture
def repo(team):
    return RepositoryFactory(team=team, name="openstack/glance")


@pytest.fixture
def dashboard(team):
    return import_dashboard(text=DASH, source_name="glance.dash", team=team)


def _user(name: str, role: str | None = None) -> User:
    user = User.objects.create_user(name, password="pw")
    if role:
        ensure_role_groups()
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def core():
    return _user("cora", CORE)


@pytest.fixture
def contributor():
    return _user("connie", CONTRIBUTOR)


def detail_url(slug: str = "glance") -> str:
    return reverse("reviews:dashboard", args=["glance", slug])


# List


def test_list_creates_the_default_once_and_shows_team_and_own_dashboards(
    client, team, dashboard, contributor
):
    mine = import_dashboard(text=DASH, source_name="own.dash", team=team, owner=contributor)
    html = client.get(reverse("reviews:dashboards", args=["glance"])).content.decode()
    client.get(reverse("reviews:dashboards", args=["glance"]))
    assert Dashboard.objects.filter(team=team, is_default=True).count() == 1
    assert "Glance review dashboard" in html and detail_url() in html
    assert reverse("reviews:my-dashboard", args=["glance", mine.slug]) not in html
    assert "Import a .dash file" not in html
    client.force_login(contributor)
    html = client.get(reverse("reviews:dashboards", args=["glance"])).content.decode()
    assert reverse("reviews:my-dashboard", args=["glance", mine.slug]) in html
    assert "Import a .dash file" not in html


def test_list_shows_the_import_form_to_cores(client, team, core):
    client.force_login(core)
    html = client.get(reverse("reviews:dashboards", args=["glance"])).content.decode()
    assert "Import a .dash file" in html


# Detail


def test_detail_renders_sections_counts_foreach_and_links(client, repo, dashboard):
    ChangeFactory(repository=repo, subject="Fix the image cache")
    ChangeFactory(repository=RepositoryFactory(team=repo.team, name="other"), subject="Elsewhere")
    response = client.get(detail_url())
    assert response.status_code == 200
    html = response.content.decode()
    sections = response.context["panels"]
    assert [p.result.title for p in sections] == ["Everything open", "Bug topics", "Mine"]
    assert sections[0].result.count == 1
    assert "Fix the image cache" in html and "Elsewhere" not in html
    assert "What Glance needs next" in html
    assert "project:openstack/glance status:open" in html
    assert f"{repo.team.server.url}/#/dashboard/?foreach=" in html
    assert reverse("reviews:dashboard-export", args=["glance", "glance"]) in html
    assert 'hx-get="' in html and 'href="' + detail_url() + "?section=everything-open" in html


def test_detail_asks_anonymous_visitors_to_sign_in_for_self_sections(client, repo, dashboard):
    response = client.get(detail_url())
    mine = response.context["panels"][2].result
    assert mine.error is not None and mine.error.kind == "sign-in"
    html = response.content.decode()
    assert "to see this section" in html and reverse("login") in html


def test_detail_htmx_section_returns_only_that_section_sorted(client, repo, dashboard):
    ChangeFactory(repository=repo, number=1)
    ChangeFactory(repository=repo, number=2)
    url = detail_url() + "?section=everything-open&sort=waiting"
    response = client.get(url, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="section-everything-open"')
    assert "Bug topics" not in html
    assert response.context["section"].sort == "waiting"
    assert "Bug topics" in client.get(url).content.decode()


def test_lint_warnings_show_to_cores_not_to_anonymous(client, repo, dashboard, core):
    assert "exact match since Gerrit 2.12" not in client.get(detail_url()).content.decode()
    client.force_login(core)
    html = client.get(detail_url()).content.decode()
    assert "exact match since Gerrit 2.12" in html and "[topic-regex]" in html


def test_unknown_dashboard_is_404(client, team):
    assert client.get(detail_url("nope")).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_detail_query_count_is_a_constant_plus_one_per_section(
    client, repo, dashboard, django_assert_num_queries, count
):
    for _ in range(count):
        ChangeFactory(repository=repo)
    # team, dashboard, its sections, the context's groups; the ids and count of each of the
    # two sections that run (the "self" one stops before SQL for an anonymous visitor), then
    # the shown rows of both in one query
    with django_assert_num_queries(4 + 2 + 1):
        response = client.get(detail_url())
    assert response.context["panels"][0].result.count == count


@pytest.mark.parametrize("count", [1, 30])
def test_detail_query_count_for_a_signed_in_core(
    client, repo, dashboard, core, django_assert_num_queries, count
):
    me = AccountFactory(server=repo.team.server, username="cora")
    GerritIdentity.objects.create(user=core, account=me)
    for _ in range(count):
        ChangeFactory(repository=repo, owner=me)
    client.force_login(core)
    # session, user, team, dashboard, sections, the role checks (2), context (identity,
    # groups), then the ids and count of each of the 3 sections, then their rows together
    with django_assert_num_queries(9 + 3 + 1):
        response = client.get(detail_url())
    assert response.context["panels"][2].result.count == count


# Export and import


def test_export_downloads_dash_text_that_parses_back_to_the_same_dashboard(client, dashboard):
    response = client.get(reverse("reviews:dashboard-export", args=["glance", "glance"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"] == 'attachment; filename="glance.dash"'
    text = response.content.decode()
    assert parse_dash(text) == to_dashfile(dashboard) == parse_dash(DASH)


def test_core_imports_an_uploaded_file(client, team, core):
    client.force_login(core)
    upload = SimpleUploadedFile("glance.dash", DASH.encode(), content_type="text/plain")
    response = client.post(reverse("reviews:dashboard-import", args=["glance"]), {"file": upload})
    assert response.status_code == 302
    assert response["Location"] == detail_url()
    assert Dashboard.objects.get(team=team, slug="glance").sections.count() == 3


def test_core_imports_pasted_text_under_the_title_slug(client, team, core):
    client.force_login(core)
    response = client.post(reverse("reviews:dashboard-import", args=["glance"]), {"text": DASH})
    assert response.status_code == 302
    assert Dashboard.objects.filter(team=team, slug="glance-reviews").exists()


def test_import_of_a_broken_file_lists_file_line_errors_with_400(client, team, core):
    client.force_login(core)
    upload = SimpleUploadedFile("broken.dash", BROKEN.encode())
    response = client.post(reverse("reviews:dashboard-import", args=["glance"]), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "broken.dash:6: query of section" in html
    assert "broken.dash:8: section &quot;No query&quot; has no query" in html
    assert not Dashboard.objects.filter(slug="broken").exists()


def test_import_needs_a_file_or_text(client, team, core):
    client.force_login(core)
    response = client.post(reverse("reviews:dashboard-import", args=["glance"]), {})
    assert response.status_code == 400
    assert "Upload a .dash file or paste its text." in response.content.decode()


def test_only_ptls_and_cores_import_or_edit(client, team, dashboard, contributor):
    import_url = reverse("reviews:dashboard-import", args=["glance"])
    edit_url = reverse("reviews:dashboard-edit", args=["glance", "glance"])
    assert client.post(import_url, {"text": DASH}).status_code == 302
    assert reverse("login") in client.get(edit_url)["Location"]
    client.force_login(contributor)
    assert client.post(import_url, {"text": DASH}).status_code == 403
    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, {"text": DASH}).status_code == 403
    client.force_login(_user("pat", PTL))
    assert client.get(edit_url).status_code == 200


# Editing and copying


def test_core_edits_a_dashboard_as_dash_text(client, dashboard, core):
    client.force_login(core)
    url = reverse("reviews:dashboard-edit", args=["glance", "glance"])
    page = client.get(url)
    assert "[section &quot;Bug topics&quot;]" in page.content.decode()
    edited = DASH.replace("topic:^bug/.*", "intopic:^bug/.*").replace("Glance reviews", "G2")
    response = client.post(url, {"text": edited})
    assert response.status_code == 302 and response["Location"] == detail_url()
    dashboard.refresh_from_db()
    assert dashboard.title == "G2"
    assert dashboard.sections.get(position=1).query == "intopic:^bug/.*"


def test_edit_with_errors_keeps_the_dashboard_and_lists_file_line_errors(client, dashboard, core):
    client.force_login(core)
    url = reverse("reviews:dashboard-edit", args=["glance", "glance"])
    response = client.post(url, {"text": BROKEN})
    assert response.status_code == 400
    assert "glance.dash:6: query of section" in response.content.decode()
    assert to_dashfile(dashboard) == parse_dash(DASH)


def test_copy_to_my_dashboards_never_overwrites_an_earlier_copy(
    client, repo, dashboard, contributor
):
    url = reverse("reviews:dashboard-copy", args=["glance", "glance"])
    assert reverse("login") in client.post(url)["Location"]
    client.force_login(contributor)
    first = client.post(url)
    assert first["Location"] == reverse("reviews:my-dashboard", args=["glance", "glance"])
    second = client.post(url)
    assert second["Location"] == reverse("reviews:my-dashboard", args=["glance", "glance-2"])
    copies = Dashboard.objects.filter(owner=contributor)
    assert sorted(copies.values_list("slug", flat=True)) == ["glance", "glance-2"]
    page = client.get(first["Location"])
    assert page.status_code == 200 and page.context["can_edit"]
    assert "[topic-regex]" in page.content.decode()


def test_owner_edits_a_personal_dashboard_others_cannot_see_it(client, team, contributor):
    mine = import_dashboard(text=DASH, source_name="own.dash", team=team, owner=contributor)
    url = reverse("reviews:my-dashboard-edit", args=["glance", mine.slug])
    client.force_login(_user("other", CORE))
    assert client.get(url).status_code == 404
    assert client.get(reverse("reviews:my-dashboard", args=["glance", "own"])).status_code == 404
    client.force_login(contributor)
    response = client.post(url, {"text": DASH.replace("Glance reviews", "Mine now")})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.title == "Mine now" and mine.owner == contributor
    export = client.get(reverse("reviews:my-dashboard-export", args=["glance", "own"]))
    assert "title = Mine now" in export.content.decode()


def test_the_default_dashboard_renders_for_anonymous_visitors(client, repo):
    old = timezone.now() - timedelta(weeks=3)
    ChangeFactory(repository=repo, subject="Old and unreviewed", created=old, updated=old)
    client.get(reverse("reviews:dashboards", args=["glance"]))
    response = client.get(detail_url("default"))
    assert response.status_code == 200
    panels = response.context["panels"]
    assert len(panels) == 8 and not any(p.warnings for p in panels)
    assert "Old and unreviewed" in response.content.decode()


def test_a_dashboard_named_import_is_not_shadowed_by_the_import_form(client, team):
    import_dashboard(text=DASH, source_name="import.dash", team=team)
    response = client.get(detail_url("import"))
    assert response.status_code == 200


def test_default_dashboard_is_created_once_whoever_asks_first(team):
    first = ensure_default_dashboard(team=team)
    assert ensure_default_dashboard(team=team) == first
    assert Dashboard.objects.filter(team=team, is_default=True).count() == 1


# Narrowing every section


def test_filter_narrows_every_section_and_says_so(client, repo, dashboard):
    store = RepositoryFactory(team=repo.team, name="openstack/glance_store")
    ChangeFactory(repository=repo, subject="Fix the image cache", topic="bug/1")
    ChangeFactory(repository=repo, subject="Refactor the API", topic="bp/refactor")
    ChangeFactory(repository=store, subject="In the store")
    response = client.get(detail_url() + "?filter=topic:bug/1")
    assert response.status_code == 200
    counts = [p.result.count for p in response.context["panels"][:2]]
    assert counts == [1, 0]
    html = response.content.decode()
    assert "Fix the image cache" in html and "Refactor the API" not in html
    assert "Every section below is narrowed to" in html
    # the dashboard's own foreach still applies: the store change was never in it
    assert "In the store" not in html


def test_htmx_filter_returns_all_sections_but_not_the_page(client, repo, dashboard):
    ChangeFactory(repository=repo, subject="Fix the image cache", topic="bug/1")
    response = client.get(detail_url() + "?filter=topic:bug/1", **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="sections">')
    assert "Everything open" in html and "Bug topics" in html
    assert "<html" not in html and "Narrow every section" not in html


def test_sort_links_keep_the_filter(client, repo, dashboard):
    ChangeFactory(repository=repo, topic="bug/1")
    html = client.get(detail_url() + "?filter=topic:bug/1").content.decode()
    assert "filter=topic%3Abug%2F1&amp;section=everything-open&amp;sort=waiting" in html


def test_a_filter_that_does_not_parse_is_shown_with_its_position_and_not_applied(
    client, repo, dashboard
):
    ChangeFactory(repository=repo, subject="Fix the image cache")
    response = client.get(detail_url() + "?filter=status:open+(owner:")
    assert response.status_code == 400
    html = response.content.decode()
    assert "The filter was not applied" in html and "query-caret" in html
    assert response.context["panels"][0].result.count == 1


def test_filtered_detail_runs_no_extra_queries(client, repo, dashboard, django_assert_num_queries):
    for _ in range(5):
        ChangeFactory(repository=repo, topic="bug/1")
    with django_assert_num_queries(4 + 2 + 1):
        client.get(detail_url() + "?filter=topic:bug/1")


def test_rows_implementing_a_spec_link_to_it_at_no_extra_query(
    client, repo, dashboard, django_assert_num_queries
):
    from tests.governance.spec_factories import SpecFactory

    SpecFactory(team=repo.team, slug="image-import", deliverable="glance", title="Image import")
    ChangeFactory(repository=repo, topic="bp/image-import", subject="Add the import API")
    ChangeFactory(repository=repo, topic="bp/no-such-spec", subject="Something else")
    ChangeFactory(repository=repo, topic="image-import", subject="Not a blueprint topic")
    with django_assert_num_queries(4 + 2 + 1):
        html = client.get(detail_url()).content.decode()
    spec_url = reverse("governance:spec", args=["glance", "glance", "image-import"])
    assert html.count(f'href="{spec_url}"') == 1
    assert html.count('class="badge badge-spec"') == 1


def test_rows_on_this_weeks_priorities_are_marked_at_no_extra_query(
    client, repo, dashboard, django_assert_num_queries
):
    from tests.governance.weekly_factories import WeeklyItemFactory, WeeklyListFactory

    today = timezone.localdate()
    in_force = WeeklyListFactory(team=repo.team, week=today - timedelta(days=2))
    WeeklyItemFactory(weekly_list=in_force, kind="change", change_number=700001, text="")
    WeeklyItemFactory(weekly_list=in_force, kind="topic", topic="bp/image-import", text="")
    later = WeeklyListFactory(team=repo.team, week=today + timedelta(days=5))
    WeeklyItemFactory(weekly_list=later, kind="change", change_number=700002, text="")
    ChangeFactory(repository=repo, number=700001)
    ChangeFactory(repository=repo, number=700002)  # only on next meeting's list
    ChangeFactory(repository=repo, number=700003, topic="bp/image-import")
    ChangeFactory(repository=repo, number=700004)
    with django_assert_num_queries(4 + 2 + 1):
        response = client.get(detail_url())
    marked = {
        change.number
        for panel in response.context["panels"]
        for change in panel.result.rows
        if change.weekly_priority
    }
    assert marked == {700001, 700003}
    assert 'class="badge badge-weekly"' in response.content.decode()


# Rows per section, and showing more


def _rows_of(response, index=0):
    return response.context["panels"][index].result.rows


def test_each_section_starts_with_ten_rows_and_a_link_to_show_more(client, repo, dashboard):
    for _ in range(ROWS_PER_SECTION + 5):
        ChangeFactory(repository=repo)
    response = client.get(detail_url())
    assert len(_rows_of(response)) == ROWS_PER_SECTION
    assert response.context["panels"][0].result.count == ROWS_PER_SECTION + 5
    html = response.content.decode()
    more = f"?section=everything-open&amp;sort=updated&amp;rows={ROWS_PER_SECTION + MORE_ROWS}"
    assert html.count("Show more rows") == 1  # the other sections have nothing more
    assert f'href="{detail_url()}{more}" hx-get="{detail_url()}{more}"' in html
    assert "5 more" in html  # the link to Search for the whole query is still there


def test_show_more_expands_only_the_named_section_in_the_same_order(client, repo, team):
    twice = DASH.replace('"Bug topics"]\nquery = topic:^bug/.*', '"Also open"]\nquery = -is:closed')
    import_dashboard(text=twice, source_name="glance.dash", team=team)
    for _ in range(ROWS_PER_SECTION + 5):
        ChangeFactory(repository=repo)
    url = detail_url() + f"?section=everything-open&sort=number&rows={ROWS_PER_SECTION + 25}"
    response = client.get(url)
    expanded, other = _rows_of(response, 0), _rows_of(response, 1)
    assert len(expanded) == ROWS_PER_SECTION + 5 and len(other) == ROWS_PER_SECTION
    numbers = [change.number for change in expanded]
    assert numbers == sorted(numbers, reverse=True)
    html = response.content.decode()
    assert html.count("Show more rows") == 1  # only the section still holding some back
    # sorting the expanded section keeps it expanded; other sections' sort links do not
    assert f"section=everything-open&amp;sort=waiting&amp;rows={ROWS_PER_SECTION + 25}" in html
    assert "section=also-open&amp;sort=waiting&amp;rows" not in html

    fragment = client.get(url, **HTMX)
    assert fragment.content.decode().lstrip().startswith('<section id="section-everything-open"')
    assert len(fragment.context["section"].rows) == ROWS_PER_SECTION + 5


@pytest.mark.parametrize(
    ("rows", "shown"),
    [
        ("abc", ROWS_PER_SECTION),
        ("", ROWS_PER_SECTION),
        ("-3", ROWS_PER_SECTION),
        ("100000", MAX_ROWS_PER_SECTION),
    ],
)
def test_a_rows_value_out_of_range_is_clamped_not_an_error(client, repo, dashboard, rows, shown):
    for _ in range(MAX_ROWS_PER_SECTION + 1):
        ChangeFactory(repository=repo)
    response = client.get(detail_url() + f"?section=everything-open&rows={rows}")
    assert response.status_code == 200
    assert len(_rows_of(response)) == shown
    assert ("Show more rows" in response.content.decode()) == (shown < MAX_ROWS_PER_SECTION)


def test_showing_more_rows_runs_no_extra_queries(
    client, repo, dashboard, django_assert_num_queries
):
    for _ in range(40):
        ChangeFactory(repository=repo)
    with django_assert_num_queries(4 + 2 + 1):
        client.get(detail_url() + "?section=everything-open&rows=35")
