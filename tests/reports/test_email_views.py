"""The priority email pages: preview, .eml, send with confirmation, settings, archive."""

from __future__ import annotations

import email
import email.policy
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse

from dashboard.core.roles import CORE, PTL
from dashboard.governance.models import WeeklyDelegate, WeeklyList
from dashboard.reports.models import SentEmail, TeamEmailSettings
from tests.gerrit.factories import ChangeFactory, RepositoryFactory
from tests.governance.weekly_factories import WeeklyItemFactory, WeeklyListFactory
from tests.reports.factories import SentEmailFactory, TeamEmailSettingsFactory

pytestmark = pytest.mark.django_db
WEEK = "2017-04-13"


def _user(username: str, *roles: str) -> User:
    user = User.objects.create_user(username, password="pw", first_name=username.title())
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
    return user


@pytest.fixture
def team():
    return RepositoryFactory(
        name="openstack/glance", team__name="glance", team__server__url="https://review.example"
    ).team


@pytest.fixture
def weekly_list(team):
    weekly_list = WeeklyListFactory(team=team, week=date(2017, 4, 13), intro="Hi all,")
    WeeklyItemFactory(weekly_list=weekly_list, position=1, text="Review the import changes")
    return weekly_list


@pytest.fixture
def listed(team, weekly_list):
    TeamEmailSettingsFactory(team=team)
    return weekly_list


def _url(name: str, *args: object) -> str:
    return reverse(f"reports:{name}", args=["glance", *args])


def test_the_preview_shows_the_text_in_pre_and_the_html_alternative(client, listed):
    response = client.get(_url("weekly-email", WEEK))
    assert response.status_code == 200
    page = response.content.decode()
    assert "[glance] Review priorities for the week of 2017-04-17" in page
    assert '<pre id="email-text"' in page and "1. Review the import changes" in page
    assert 'srcdoc="&lt;!doctype html&gt;' in page  # the whole document, escaped, in the frame
    assert "Copy to clipboard" in page and "js/copy.js" in page
    assert "Send…" not in page  # anonymous readers cannot send
    assert "Where Glance" not in page  # nor edit the settings


def test_the_preview_page_runs_a_fixed_number_of_queries(client, listed, django_assert_num_queries):
    ptl = _user("petra", PTL)
    client.force_login(ptl)
    for position in range(2, 30):
        ChangeFactory(repository=listed.team.repositories.first(), number=100 + position)
        WeeklyItemFactory(
            weekly_list=listed, position=position, kind="change", change_number=100 + position
        )
    # team, list, settings, session, user; the status: previous list, items, changes
    # (no topic here); can_compose's role check and the nav's two role flags.
    with django_assert_num_queries(11):
        response = client.get(_url("weekly-email", WEEK))
    assert response.status_code == 200
    assert "29. " in response.content.decode()


@pytest.mark.parametrize("week", ["2017-13-45", "last-week", "2017-04-20"])
def test_a_bad_or_unknown_week_is_a_404_with_a_message(client, listed, week):
    response = client.get(f"/teams/glance/weekly/{week}/email/")
    assert response.status_code == 404
    assert b"YYYY-MM-DD" in response.content or b"no weekly priorities" in response.content


def test_the_eml_download_is_an_attachment_that_parses_back(client, listed):
    response = client.get(_url("weekly-email-eml", WEEK))
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == (
        'attachment; filename="glance-priorities-2017-04-17.eml"'
    )
    parsed = email.message_from_bytes(response.content, policy=email.policy.default)
    assert parsed["To"] == "openstack-dev@lists.openstack.org"
    assert "1. Review the import changes" in parsed.get_body(("plain",)).get_content()
    assert parsed.get_body(("html",)) is not None


@pytest.mark.parametrize(
    ("roles", "delegate", "allowed"),
    [((PTL,), False, True), ((CORE,), True, True), ((CORE,), False, False), ((), False, False)],
)
def test_only_those_who_compose_may_send(client, listed, roles, delegate, allowed):
    user = _user("someone", *roles)
    if delegate:
        WeeklyDelegate.objects.create(team=listed.team, user=user)
    client.force_login(user)
    confirm = client.get(_url("weekly-email-send", WEEK))
    posted = client.post(_url("weekly-email-send", WEEK), {"version": listed.version})
    assert (confirm.status_code, posted.status_code) == ((200, 302) if allowed else (403, 403))
    assert len(mail.outbox) == (1 if allowed else 0)


def test_anonymous_users_cannot_send(client, listed):
    response = client.post(_url("weekly-email-send", WEEK), {"version": listed.version})
    assert response.status_code == 403
    assert mail.outbox == []


def test_the_confirmation_names_the_recipients_then_sending_archives_and_redirects(client, listed):
    client.force_login(_user("petra", PTL))
    confirm = client.get(_url("weekly-email-send", WEEK)).content.decode()
    assert "Send to openstack-dev@lists.openstack.org" in confirm
    response = client.post(_url("weekly-email-send", WEEK), {"version": listed.version})
    sent = SentEmail.objects.get()
    assert response.url == _url("email", sent.pk)
    (message,) = mail.outbox
    assert message.subject == sent.subject and message.to == sent.to
    assert sent.sender.username == "petra" and sent.sender_name == "Petra"
    detail = client.get(response.url).content.decode()
    assert sent.subject in detail and "1. Review the import changes" in detail
    assert sent.message_id.replace("<", "&lt;").replace(">", "&gt;") in detail


def test_a_send_confirmed_on_an_older_version_is_refused_with_409(client, listed):
    client.force_login(_user("petra", PTL))
    WeeklyList.objects.filter(pk=listed.pk).update(version=listed.version + 1)
    response = client.post(_url("weekly-email-send", WEEK), {"version": listed.version})
    assert response.status_code == 409
    assert "The list changed after you previewed it" in response.content.decode()
    assert mail.outbox == [] and not SentEmail.objects.exists()


def test_a_failing_mail_server_shows_a_message_and_archives_nothing(client, listed, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    client.force_login(_user("petra", PTL))
    response = client.post(_url("weekly-email-send", WEEK), {"version": listed.version})
    assert response.status_code == 502
    page = response.content.decode()
    assert "The mail server did not take the email" in page
    assert "Send to openstack-dev@lists.openstack.org" in page  # the user can try again
    assert not SentEmail.objects.exists()


def test_the_ptl_saves_the_teams_email_settings(client, weekly_list):
    client.force_login(_user("petra", PTL))
    response = client.post(
        _url("email-settings", WEEK),
        {"list_address": "glance-dev@example.org", "reply_to": "", "subject_tag": "[glance]"},
    )
    assert response.status_code == 302
    row = TeamEmailSettings.objects.get()
    assert (row.list_address, row.reply_to, row.subject_tag) == ("glance-dev@example.org", "", "")
    assert row.tag == "[glance]" and row.updated_by_name == "Petra"
    page = client.get(_url("weekly-email", WEEK)).content.decode()
    assert "glance-dev@example.org" in page and "Where Glance" in page


def test_a_bad_address_is_refused_with_a_message_and_nothing_saved(client, weekly_list):
    client.force_login(_user("petra", PTL))
    response = client.post(
        _url("email-settings", WEEK), {"list_address": "not an address", "subject_tag": "x"}
    )
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not TeamEmailSettings.objects.exists()


def test_cores_cannot_change_the_email_settings(client, weekly_list):
    client.force_login(_user("carl", CORE))
    response = client.post(_url("email-settings", WEEK), {"list_address": "x@example.org"})
    assert response.status_code == 403
    assert not TeamEmailSettings.objects.exists()


def test_the_archive_is_paginated_newest_first_and_htmx_gets_the_list(
    client, team, django_assert_num_queries
):
    for _ in range(30):
        SentEmailFactory(team=team)
    with django_assert_num_queries(3):  # team, count, page
        response = client.get(_url("emails"))
    page = response.content.decode()
    assert page.count('class="email-list"') == 1 and "Page 1 of 2" in page
    newest = SentEmail.objects.order_by("-pk").first()
    assert page.index(newest.subject) < page.index("Page 1 of 2")
    fragment = client.get(_url("emails") + "?page=2", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="email-list">')
    assert "<html" not in fragment.content.decode()


def test_a_sent_email_keeps_its_permalink_after_its_list_is_deleted(client, team):
    weekly_list = WeeklyListFactory(team=team)
    sent = SentEmailFactory(team=team, weekly_list=weekly_list, raw="Subject: kept\n\nBody\n")
    weekly_list.delete()
    page = client.get(_url("email", sent.pk)).content.decode()
    assert sent.subject in page and "the list no longer exists" in page
    eml = client.get(_url("email-eml", sent.pk))
    assert eml.content == b"Subject: kept\n\nBody\n"
    assert eml["Content-Disposition"].startswith("attachment;")


def test_another_teams_email_is_not_found_under_this_team(client, team):
    sent = SentEmailFactory()
    assert client.get(_url("email", sent.pk)).status_code == 404


def test_a_send_without_the_confirmed_version_is_refused_with_a_message(client, listed):
    client.force_login(_user("petra", PTL))
    response = client.post(_url("weekly-email-send", WEEK), {"version": "x"})
    assert response.status_code == 400
    assert "nothing was sent" in response.content.decode()
    assert mail.outbox == []
