"""manage.py priority_email: prints the week's text email, or sends and archives it."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from dashboard.reports.models import SentEmail
from tests.gerrit.factories import TeamFactory
from tests.governance.weekly_factories import WeeklyItemFactory, WeeklyListFactory
from tests.reports.factories import TeamEmailSettingsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def weekly_list():
    team = TeamFactory(name="glance")
    TeamEmailSettingsFactory(team=team)
    weekly_list = WeeklyListFactory(team=team, week=date(2017, 4, 13))
    WeeklyItemFactory(weekly_list=weekly_list, position=1, text="Review the import changes")
    return weekly_list


def _run(*args: str) -> str:
    out = StringIO()
    call_command("priority_email", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_subject_and_text_and_sends_nothing(weekly_list):
    out = _run("--team", "glance", "--week", "2017-04-13")
    assert out.startswith("Subject: [glance] Review priorities for the week of 2017-04-17\n\n")
    assert "\n1. Review the import changes\n" in out
    assert out.endswith("\nSent by Tiller.\n")
    assert mail.outbox == [] and not SentEmail.objects.exists()


def test_send_mails_the_list_address_and_archives(weekly_list):
    out = _run("--team", "glance", "--week", "2017-04-13", "--send")
    sent = SentEmail.objects.get()
    assert out.strip() == (
        f"Sent “{sent.subject}” to openstack-dev@lists.openstack.org; archived as email {sent.pk}."
    )
    assert mail.outbox[0].to == ["openstack-dev@lists.openstack.org"]
    assert sent.sender is None and sent.sender_name == "Tiller"


def test_to_overrides_the_list_address_and_sender_names_the_footer(weekly_list):
    _run(
        "--team", "glance", "--week", "2017-04-13", "--send", "--to", "me@example.org",
        "--sender", "Brian Rosmaita",
    )  # fmt: skip
    assert mail.outbox[0].body.endswith("\nSent by Brian Rosmaita with Tiller.\n")
    assert mail.outbox[0].to == ["me@example.org"]
    assert SentEmail.objects.get().to == ["me@example.org"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "nova", "--week", "2017-04-13"], "No team called 'nova'"),
        (["--team", "glance", "--week", "2017-04-20"], "no weekly list for the meeting"),
        (["--team", "glance", "--week", "13/04/2017"], "is not a date"),
    ],
)
def test_user_mistakes_are_command_errors(weekly_list, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_sending_an_empty_list_is_refused(weekly_list):
    weekly_list.items.all().delete()
    with pytest.raises(CommandError, match="nothing to send"):
        _run("--team", "glance", "--week", "2017-04-13", "--send")
    assert mail.outbox == []
