"""The gerrit pages: what they show, their htmx fragments, permissions and query counts."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.contrib.auth.models import User
from django.tasks import default_task_backend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.gerrit.models import (
    ChangeStatus,
    CoreMembership,
    GerritServer,
    SyncRun,
    SyncRunStatus,
    Team,
    VoteSource,
)
from tests.gerrit.factories import (
    AccountFactory,
    ApprovalFactory,
    ChangeFactory,
    ChangeFileFactory,
    CoreMembershipFactory,
    GerritServerFactory,
    MessageFactory,
    PatchSetFactory,
    RepositoryFactory,
    SyncRunFactory,
    TeamFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team() -> Team:
    return TeamFactory(name="glance", display_name="Glance")


@pytest.fixture
def repo(team):
    return RepositoryFactory(team=team, name="openstack/glance")


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(User.objects.create_user("ptl", password="pw", is_staff=True))
    return client


@pytest.fixture
def dummy_tasks(settings):
    """Enqueued tasks are recorded, not run."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def page_html(client: Client, url: str) -> str:
    return client.get(url).content.decode()


def changes_url(team: Team, query: str = "") -> str:
    return reverse("gerrit:changes", args=[team.name]) + query


# Team overview ------------------------------------------------------------------------------


def test_overview_shows_numbers_repositories_recent_changes_and_core_members(client, team, repo):
    now = timezone.now()
    ChangeFactory(repository=repo, subject="Fix image cache race")
    ChangeFactory(repository=repo, status=ChangeStatus.MERGED, closed=now - timedelta(1))
    ChangeFactory(repository=repo, status=ChangeStatus.ABANDONED, closed=now - timedelta(2))
    CoreMembershipFactory(team=team, account__name="Abhishek Kekane")
    SyncRunFactory(team=team)

    response = client.get(reverse("gerrit:team", args=["glance"]))

    assert response.status_code == 200
    overview = response.context["overview"]
    assert (overview.open_count, overview.merged_recently, overview.abandoned_recently) == (
        1,
        1,
        1,
    )
    html = response.content.decode()
    assert "Fix image cache race" in html
    assert "openstack/glance" in html
    assert "Abhishek Kekane" in html
    assert 'href="/teams/glance/changes/?status=merged"' in html
    assert "never been synced" not in html
    assert "<time datetime=" in html


def test_overview_shows_the_ten_most_recently_updated_open_changes(client, team, repo):
    now = timezone.now()
    for hours in range(12):
        ChangeFactory(repository=repo, number=100 + hours, updated=now - timedelta(hours=hours))

    response = client.get(reverse("gerrit:team", args=["glance"]))

    shown = [change.number for change in response.context["overview"].recent_changes]
    assert shown == list(range(100, 110))


def test_overview_of_an_empty_team_says_so(client, team):
    response = client.get(reverse("gerrit:team", args=["glance"]))

    html = response.content.decode()
    assert "This team has never been synced" in html
    assert "No open changes." in html
    assert "No repositories yet" in html
    assert "No core reviewers known yet" in html


def test_overview_warns_when_the_last_sync_failed(client, team):
    SyncRunFactory(team=team, status=SyncRunStatus.FAILED, error="Gerrit answered 503")

    html = client.get(reverse("gerrit:team", args=["glance"])).content.decode()

    assert "The last sync failed" in html
    assert "Gerrit answered 503" in html


def test_overview_links_the_sync_page_for_staff_only(client, staff_client, team):
    SyncRunFactory(team=team)
    url = reverse("gerrit:team", args=["glance"])
    sync_link = f'href="{reverse("gerrit:sync-status")}?team=glance"'

    assert sync_link not in page_html(client, url)
    assert sync_link in page_html(staff_client, url)


def test_overview_of_an_unknown_team_is_a_friendly_404(client):
    response = client.get(reverse("gerrit:team", args=["nope"]))

    assert response.status_code == 404
    assert "Not found" in response.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_overview_query_count_does_not_grow_with_the_data(
    client, team, django_assert_num_queries, count
):
    repos = [RepositoryFactory(team=team) for _ in range(3)]
    for i in range(count):
        ChangeFactory(repository=repos[i % 3])
        CoreMembershipFactory(team=team)
    SyncRunFactory(team=team)

    # team, repositories with their counts, recent changes, core members, last run
    with django_assert_num_queries(5):
        response = client.get(reverse("gerrit:team", args=["glance"]))
    assert response.status_code == 200


# Change list --------------------------------------------------------------------------------


def test_change_list_row_shows_what_a_reviewer_needs(client, team, repo):
    owner = AccountFactory(server=team.server, name="Jane Roe")
    change = ChangeFactory(
        repository=repo,
        number=123456,
        subject="Add image conversion plugin",
        owner=owner,
        branch="stable/2024.2",
        current_patch_set=4,
        verified=-1,
        cr_max=2,
        cr_min=-1,
        cr_plus2_count=1,
        workflow=1,
        mergeable=False,
        work_in_progress=True,
        updated=timezone.now() - timedelta(days=3, hours=2),
        current_patch_set_created=timezone.now() - timedelta(days=5, hours=2),
    )

    html = client.get(changes_url(team)).content.decode()

    assert f'href="{reverse("gerrit:change", args=["glance", 123456])}"' in html
    assert f'href="{change.gerrit_url}"' in html
    assert "Add image conversion plugin" in html
    assert "stable/2024.2" in html
    assert "Jane Roe" in html
    assert "3\xa0days" in html  # humanized age (Django joins with a no-break space)
    # Waiting: since the current patch set, humanised, the exact instant in <time datetime>.
    assert '<abbr title="Time since the current patch set was uploaded">Waiting</abbr>' in html
    waiting = change.current_patch_set_created.astimezone(UTC).isoformat(timespec="seconds")
    assert f'<td data-label="Waiting" class="nowrap col-waiting"><time datetime="{waiting}"' in html
    assert "5\xa0days</time>" in html
    assert "✗" in html and "Failed," in html  # symbol plus a text alternative
    assert "+2 ×1" in html and "-1" in html
    assert "Merge conflict" in html
    assert "WIP" in html


def test_change_list_row_shows_a_dash_when_the_patch_set_upload_time_is_unknown(client, team, repo):
    ChangeFactory(repository=repo, current_patch_set_created=None)

    html = client.get(changes_url(team)).content.decode()

    cell = html.split('<td data-label="Waiting"', 1)[1].split("</td>", 1)[0]
    assert "<time" not in cell
    assert '<span aria-hidden="true">–</span><span class="sr-only">Unknown</span>' in cell


def test_change_list_hides_the_branch_when_it_is_master(client, team, repo):
    ChangeFactory(repository=repo, branch="master")

    assert 'class="branch"' not in page_html(client, changes_url(team))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"open-master", "stable", "store"}),
        ("?status=merged", {"merged"}),
        ("?status=abandoned", {"abandoned"}),
        ("?status=all", {"open-master", "merged", "abandoned", "stable", "store"}),
        ("?repository=openstack/glance_store", {"store"}),
        ("?branch=stable/2024.2", {"stable"}),
        ("?status=all&owner=jroe", {"merged"}),
        ("?status=all&owner=Roe", {"merged"}),
        ("?status=all&topic=quota", {"abandoned", "store"}),
    ],
)
def test_change_list_filters(client, team, repo, query, expected):
    store = RepositoryFactory(team=team, name="openstack/glance_store")
    jane = AccountFactory(server=team.server, username="jroe", name="Jane Roe")
    ChangeFactory(repository=repo, subject="open-master")
    ChangeFactory(repository=repo, subject="merged", status=ChangeStatus.MERGED, owner=jane)
    ChangeFactory(
        repository=repo, subject="abandoned", status=ChangeStatus.ABANDONED, topic="quota"
    )
    ChangeFactory(repository=repo, subject="stable", branch="stable/2024.2")
    ChangeFactory(repository=store, subject="store", topic="quota")

    response = client.get(changes_url(team, query))

    assert {change.subject for change in response.context["page_obj"]} == expected


def test_change_list_paginates_by_fifty_and_page_links_keep_the_filters(client, team, repo):
    now = timezone.now()
    for i in range(51):
        ChangeFactory(repository=repo, topic="quota", updated=now - timedelta(minutes=i))
    ChangeFactory(repository=repo, topic="other")

    first = client.get(changes_url(team, "?topic=quota&sort=updated"))
    second = client.get(changes_url(team, "?topic=quota&sort=updated&page=2"))

    assert len(first.context["page_obj"].object_list) == 50
    assert 'href="?topic=quota&amp;sort=updated&amp;page=2"' in first.content.decode()
    assert len(second.context["page_obj"].object_list) == 1
    assert 'href="?topic=quota&amp;sort=updated&amp;page=1"' in second.content.decode()
    assert "Showing 51–51 of 51" in second.content.decode()


def test_change_list_htmx_request_gets_only_the_results_fragment(client, team, repo):
    ChangeFactory(repository=repo, subject="Fix it")

    full = client.get(changes_url(team))
    fragment = client.get(changes_url(team), **HX)

    assert "<html" in full.content.decode()
    html = fragment.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<section id="results"')
    assert "Fix it" in html
    assert "HX-Request" in fragment["Vary"]


def test_change_list_filter_form_swaps_results_and_pushes_the_url(client, team):
    html = page_html(client, changes_url(team))

    assert 'hx-get="/teams/glance/changes/"' in html
    assert 'action="/teams/glance/changes/"' in html  # works without JavaScript too
    assert 'hx-target="#results"' in html
    assert 'hx-push-url="true"' in html
    assert "keyup changed delay:" in html


def test_change_list_without_matches_offers_a_reset(client, team, repo):
    ChangeFactory(repository=repo)

    html = page_html(client, changes_url(team, "?owner=nobody"))

    assert "No changes match these filters" in html
    assert 'href="/teams/glance/changes/">reset the filters' in html


def test_change_list_ignores_a_bad_filter_with_a_message(client, team, repo):
    ChangeFactory(repository=repo, subject="still shown")

    response = client.get(changes_url(team, "?status=bogus&repository=nope&page=x"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were not understood" in html
    assert "still shown" in html


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_change_list_query_count_does_not_grow_with_the_rows(
    client, team, django_assert_num_queries, count, headers
):
    repos = [RepositoryFactory(team=team) for _ in range(3)]
    for i in range(count):
        ChangeFactory(repository=repos[i % 3])  # each with its own owner

    # team, repository choices, count, page of rows (owner, repository, server joined)
    with django_assert_num_queries(4):
        response = client.get(changes_url(team), **headers)
    assert len(response.context["page_obj"].object_list) == count


# Change page --------------------------------------------------------------------------------


@pytest.fixture
def reviewed_change(team, repo):
    """A change with two patch sets, a removal, a copied vote, a bot and an automatic message."""
    change = ChangeFactory(
        repository=repo,
        number=4242,
        subject="Use oslo.limit for quotas",
        topic="quota",
        hashtags=["priority"],
        current_patch_set=2,
        insertions=120,
        deletions=7,
        mergeable=False,
    )
    jane = AccountFactory(server=team.server, name="Jane Roe")
    dan = AccountFactory(server=team.server, name="Dan Smith")
    zuul = AccountFactory(server=team.server, name="Zuul", username="zuul", is_bot=True)
    PatchSetFactory(change=change, number=1, uploader=change.owner, kind="REWORK")
    PatchSetFactory(change=change, number=2, uploader=change.owner, kind="TRIVIAL_REBASE")
    VoteFactory(change=change, patch_set=1, account=dan, label="Code-Review", value=-1)
    VoteFactory(change=change, patch_set=1, account=zuul, label="Verified", value=1)
    VoteFactory(
        change=change,
        patch_set=1,
        account=dan,
        label="Code-Review",
        value=0,
        removal=True,
        removed_by=jane,
    )
    VoteFactory(
        change=change,
        patch_set=2,
        account=jane,
        label="Code-Review",
        value=2,
        source=VoteSource.LABEL,
    )
    ApprovalFactory(change=change, account=jane, label="Code-Review", value=2)
    MessageFactory(
        change=change,
        author=None,
        text="Uploaded patch set 2.",
        tag="autogenerated:gerrit:newPatchSet",
    )
    MessageFactory(
        change=change, author=dan, text="Patch Set 1: Code-Review-1\n\nLine one\nLine two"
    )
    ChangeFileFactory(change=change, path="glance/quota.py")
    return change


def test_change_page_shows_the_header_and_links_to_gerrit(client, team, reviewed_change):
    response = client.get(reverse("gerrit:change", args=["glance", 4242]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Use oslo.limit for quotas" in html
    assert f'href="{reviewed_change.gerrit_url}"' in html
    assert "Open in Gerrit" in html
    assert "#priority" in html
    assert "+120" in html and "−7" in html
    assert "Merge conflict" in html
    assert "glance/quota.py" in html


def test_change_page_groups_votes_by_patch_set_and_marks_removals_copies_and_bots(
    client, reviewed_change
):
    response = client.get(reverse("gerrit:change", args=["glance", 4242]))

    groups = response.context["detail"].patch_sets
    assert [group.number for group in groups] == [2, 1]
    assert [(v.label, v.value, v.removal) for v in groups[1].votes] == [
        ("Code-Review", -1, False),
        ("Verified", 1, False),
        ("Code-Review", 0, True),
    ]
    html = response.content.decode()
    ps1 = html[html.index('id="ps1"') :]
    ps2 = html[html.index('id="ps2"') : html.index('id="ps1"')]
    assert "<del>Code-Review</del> <strong>removed</strong>" in ps1
    assert "by Jane Roe" in ps1  # who removed it
    assert "badge-bot" in ps1
    assert ">copied<" in ps2
    assert ">copied<" not in ps1
    assert "trivial rebase" in ps2


def test_change_page_shows_messages_with_line_breaks_and_quiet_automatic_ones(
    client, reviewed_change
):
    html = page_html(client, reverse("gerrit:change", args=["glance", 4242]))

    assert "Line one\nLine two" in html  # kept for white-space: pre-wrap
    assert "<strong>Gerrit</strong>" in html  # a message without author
    assert 'class="message-item is-automatic"' in html


def test_change_page_without_votes_or_messages_says_so(client, team, repo):
    ChangeFactory(repository=repo, number=7)

    html = page_html(client, reverse("gerrit:change", args=["glance", 7]))

    assert "No votes on the current patch set." in html
    assert "No patch sets or votes recorded." in html
    assert "No messages." in html
    assert "No files recorded" in html


def test_change_page_of_an_unknown_or_foreign_change_is_404(client, team):
    foreign = ChangeFactory()

    assert client.get(reverse("gerrit:change", args=["glance", 1])).status_code == 404
    response = client.get(reverse("gerrit:change", args=["glance", foreign.number]))
    assert response.status_code == 404
    assert "has no change" in response.content.decode()


@pytest.mark.parametrize("votes", [1, 30])
def test_change_page_query_count_does_not_grow_with_the_history(
    client, team, repo, django_assert_num_queries, votes
):
    change = ChangeFactory(repository=repo, number=99)
    for ps in range(1, 4):
        PatchSetFactory(change=change, number=ps)
    for i in range(votes):
        VoteFactory(change=change, patch_set=i % 3 + 1, removed_by=AccountFactory())
        MessageFactory(change=change)
        ApprovalFactory(change=change, label=f"Label-{i}")
        ChangeFileFactory(change=change)

    # team, change, approvals, votes, patch sets, messages, files
    with django_assert_num_queries(7):
        response = client.get(reverse("gerrit:change", args=["glance", 99]))
    assert response.status_code == 200


# Sync status --------------------------------------------------------------------------------


def test_sync_status_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("gerrit:sync-status"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_sync_poll_after_the_session_ended_redirects_the_whole_page_to_login(client, team):
    run = SyncRunFactory(team=team, status=SyncRunStatus.RUNNING)

    response = client.get(
        reverse("gerrit:sync-run", args=[run.pk]),
        HTTP_HX_CURRENT_URL="http://testserver/sync/?team=glance",
        **HX,
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/sync/%3Fteam%3Dglance"


def test_sync_pages_are_forbidden_to_signed_in_non_staff(client, team):
    client.force_login(User.objects.create_user("contributor", password="pw"))
    run = SyncRunFactory(team=team)

    forbidden = client.get(reverse("gerrit:sync-status"))
    assert forbidden.status_code == 403
    assert "Not allowed" in forbidden.content.decode()
    assert "The sync pages are for staff." in forbidden.content.decode()
    assert client.post(reverse("gerrit:sync-now", args=["glance"])).status_code == 403
    assert client.get(reverse("gerrit:sync-run", args=[run.pk]), **HX).status_code == 403


def test_sync_status_shows_runs_with_counts_and_errors_as_text(staff_client, team):
    SyncRunFactory(team=team, changes_fetched=321, votes_recorded=654)
    SyncRunFactory(
        team=team,
        status=SyncRunStatus.FAILED,
        started=timezone.now() - timedelta(minutes=5),
        error="Gerrit said <b>no</b>",
    )

    html = page_html(staff_client, reverse("gerrit:sync-status"))

    assert "321" in html and "654" in html
    assert "Gerrit said &lt;b&gt;no&lt;/b&gt;" in html
    assert "Traceback" not in html
    assert 'Last sync <span class="run-status run-failed">failed</span>' in html


def test_sync_status_shows_at_most_twenty_runs_per_team(staff_client, team):
    now = timezone.now()
    for i in range(25):
        SyncRunFactory(team=team, started=now - timedelta(hours=i + 1))

    response = staff_client.get(reverse("gerrit:sync-status"))

    assert len(response.context["panels"][0].runs) == 20


def test_sync_status_without_runs_or_teams_says_so(staff_client):
    assert "No team yet" in page_html(staff_client, reverse("gerrit:sync-status"))
    TeamFactory(name="glance")
    html = page_html(staff_client, reverse("gerrit:sync-status"))
    assert "No sync yet" in html


def test_sync_status_for_one_team_over_htmx_is_that_teams_panel(staff_client, team):
    TeamFactory(name="nova")

    response = staff_client.get(reverse("gerrit:sync-status") + "?team=glance", **HX)

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="sync-glance"' in html
    assert "sync-nova" not in html


def test_sync_now_enqueues_a_sync_of_the_team(
    staff_client, team, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("gerrit:sync-now", args=["glance"]), **HX)

    assert response.status_code == 200
    assert [result.kwargs for result in dummy_tasks.results] == [{"team_id": team.pk}]
    assert dummy_tasks.results[0].task.name == "sync_team_task"
    html = response.content.decode()
    assert "<html" not in html
    assert "Sync requested" in html
    assert "Waiting for a worker" in html
    assert 'hx-trigger="every 2s"' in html  # polls until the worker starts the run
    assert not SyncRun.objects.exists()  # enqueued, not run


def test_sync_now_does_not_enqueue_while_a_sync_is_running(
    staff_client, team, dummy_tasks, django_capture_on_commit_callbacks
):
    now = timezone.now()
    run = SyncRunFactory(team=team, status=SyncRunStatus.RUNNING, started=now, heartbeat=now)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("gerrit:sync-now", args=["glance"]), **HX)

    assert dummy_tasks.results == []
    html = response.content.decode()
    assert "already running" in html
    assert "disabled" in html
    assert reverse("gerrit:sync-run", args=[run.pk]) in html


def test_sync_now_without_htmx_redirects_back_with_a_message(
    staff_client, team, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("gerrit:sync-now", args=["glance"]), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("gerrit:sync-status") + "?team=glance")
    assert "Sync requested" in response.content.decode()
    assert len(dummy_tasks.results) == 1


def test_sync_now_only_accepts_post(staff_client, team):
    assert staff_client.get(reverse("gerrit:sync-now", args=["glance"])).status_code == 405


def test_sync_now_with_immediate_tasks_runs_the_sync_and_its_failure_is_shown(
    staff_client, team, django_capture_on_commit_callbacks
):
    # The team has no repositories, so the sync fails before any request to Gerrit.
    with django_capture_on_commit_callbacks(execute=True):
        waiting = staff_client.post(reverse("gerrit:sync-now", args=["glance"]), **HX)

    run = SyncRun.objects.get()
    assert run.status == SyncRunStatus.FAILED
    # The panel's poll (after=0: no run existed when the button was pressed) now finds it.
    assert 'after=0" hx-trigger="every 2s"' in waiting.content.decode()
    html = page_html(staff_client, reverse("gerrit:sync-status") + "?team=glance&after=0")
    assert "has no repositories to sync" in html
    assert "Waiting for a worker" not in html


def test_running_sync_fragment_polls_with_progress(staff_client, team):
    now = timezone.now()
    run = SyncRunFactory(
        team=team,
        status=SyncRunStatus.RUNNING,
        started=now - timedelta(seconds=30),
        heartbeat=now,
        changes_fetched=50,
        changes_expected=200,
    )

    response = staff_client.get(reverse("gerrit:sync-run", args=[run.pk]), **HX)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'hx-get="{reverse("gerrit:sync-run", args=[run.pk])}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert '<progress max="200" value="50"' in html
    assert "50 of 200 changes fetched" in html


def test_sync_run_fragment_stops_polling_and_shows_the_outcome_once_finished(staff_client, team):
    run = SyncRunFactory(team=team, status=SyncRunStatus.SUCCEEDED, changes_fetched=77)

    response = staff_client.get(reverse("gerrit:sync-run", args=[run.pk]), **HX)

    assert response.status_code == 286  # htmx swaps it, then cancels the poll
    html = response.content.decode()
    assert "every 2s" not in html
    assert 'Last sync <span class="run-status run-succeeded">succeeded</span>' in html
    assert "77" in html
    assert '<button type="submit">Sync now</button>' in html


def test_sync_run_without_htmx_redirects_to_the_status_page(staff_client, team):
    run = SyncRunFactory(team=team)

    response = staff_client.get(reverse("gerrit:sync-run", args=[run.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("gerrit:sync-status") + "?team=glance#sync-glance"


def test_sync_status_is_for_staff_in_navigation(client, staff_client, team):
    home = reverse("gerrit:team", args=["glance"])
    assert reverse("gerrit:sync-status") not in page_html(client, home)
    assert reverse("gerrit:sync-status") in page_html(staff_client, home)


# Admin --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["gerritserver", "team", "account", "change", "syncrun", "coremembership"]
)
def test_admin_changelist_loads(admin_client, model):
    change = ChangeFactory()
    SyncRunFactory(team=change.repository.team)
    CoreMembershipFactory(team=change.repository.team)

    response = admin_client.get(reverse(f"admin:gerrit_{model}_changelist"))

    assert response.status_code == 200


def test_admin_change_search_accepts_numbers_and_words(admin_client):
    ChangeFactory(number=4242, subject="Quota rework")
    url = reverse("admin:gerrit_change_changelist")

    assert "Quota rework" in admin_client.get(url + "?q=4242").content.decode()
    assert admin_client.get(url + "?q=quota").status_code == 200


def test_admin_change_pages_are_read_only_for_synced_rows(admin_client):
    change = ChangeFactory()
    run = SyncRunFactory()

    change_page = admin_client.get(reverse("admin:gerrit_change_change", args=[change.pk]))
    assert change_page.status_code == 200
    assert 'name="subject"' not in change_page.content.decode()
    assert admin_client.get(reverse("admin:gerrit_change_add")).status_code == 403
    run_page = admin_client.get(reverse("admin:gerrit_syncrun_change", args=[run.pk]))
    assert 'name="status"' not in run_page.content.decode()


def test_admin_edits_teams_with_their_repositories(admin_client, team, repo):
    response = admin_client.get(reverse("admin:gerrit_team_change", args=[team.pk]))

    html = response.content.decode()
    assert 'name="name"' in html
    assert 'value="openstack/glance"' in html  # the repository inline


def test_no_page_shows_the_gerrit_password(admin_client, monkeypatch):
    secret = "s3cret-http-password"
    monkeypatch.setenv("TILLER_TEST_GERRIT_PASSWORD", secret)
    server = GerritServerFactory(username="tiller", password_env="TILLER_TEST_GERRIT_PASSWORD")
    team = TeamFactory(name="glance", server=server)
    SyncRunFactory(team=team, status=SyncRunStatus.FAILED, error="401 Unauthorized")
    change = ChangeFactory(repository=RepositoryFactory(team=team))
    CoreMembership.objects.create(
        team=team, account=AccountFactory(server=server), joined=timezone.now()
    )

    urls = [
        reverse("core:home"),
        reverse("gerrit:team", args=["glance"]),
        reverse("gerrit:changes", args=["glance"]),
        reverse("gerrit:change", args=["glance", change.number]),
        reverse("gerrit:sync-status"),
        reverse("admin:gerrit_gerritserver_changelist"),
        reverse("admin:gerrit_gerritserver_change", args=[server.pk]),
        reverse("admin:gerrit_team_change", args=[team.pk]),
    ]
    for url in urls:
        response = admin_client.get(url, follow=True)
        assert response.status_code == 200, url
        assert secret not in response.content.decode(), url
    server_page = admin_client.get(reverse("admin:gerrit_gerritserver_change", args=[server.pk]))
    assert "TILLER_TEST_GERRIT_PASSWORD" in server_page.content.decode()
    assert GerritServer.objects.filter(pk=server.pk).exists()
