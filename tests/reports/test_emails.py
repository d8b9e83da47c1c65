"""The priority email: its text pinned byte for byte, the 72-column layout, sending and the
archive, and what happens when the mail server fails."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import date
from pathlib import Path

import pytest
from django.core import mail

from dashboard.governance.models import ItemKind, WeeklyList
from dashboard.reports.emails import (
    WIDTH,
    NothingToSend,
    SendFailed,
    StaleEmail,
    build_priority_email,
    send_priority_email,
    week_of,
    wrap,
)
from dashboard.reports.models import SentEmail, TeamEmailSettings
from tests.gerrit.factories import ChangeFactory, RepositoryFactory
from tests.governance.weekly_factories import WeeklyItemFactory, WeeklyListFactory
from tests.reports.factories import TeamEmailSettingsFactory

GOLDEN = Path(__file__).parent / "golden"
BASE_URL = "https://tiller.example.org"


def _long_lines(text: str) -> list[str]:
    """Lines over 72 columns that are not a URL alone on its line (indent allowed)."""
    return [
        line
        for line in text.splitlines()
        if len(line) > WIDTH and not line.strip().startswith(("http://", "https://"))
    ]


@pytest.mark.parametrize(
    ("meeting", "monday"),
    [
        (date(2017, 4, 13), date(2017, 4, 17)),  # glance met on Thursdays
        (date(2017, 4, 17), date(2017, 4, 17)),  # a Monday meeting names its own week
        (date(2017, 4, 16), date(2017, 4, 17)),  # Sunday
        (date(2017, 4, 18), date(2017, 4, 24)),  # Tuesday: next Monday
    ],
)
def test_the_subjects_week_is_the_monday_on_or_after_the_meeting(meeting, monday):
    assert week_of(meeting) == monday


@pytest.mark.parametrize(
    ("text", "first", "indent", "expected"),
    [
        ("short words", "1. ", "   ", ["1. short words"]),
        (
            "see https://example.org/a/very/long/path for more",
            "",
            "",
            ["see", "https://example.org/a/very/long/path", "for more"],
        ),
        ("https://example.org first", "3. ", "   ", ["3. https://example.org", "   first"]),
        ("one\n\ntwo", "  ", "  ", ["  one", "", "  two"]),
        (
            " ".join(["word"] * 20),
            "10. ",
            "    ",
            [
                "10. " + " ".join(["word"] * 13),
                "    " + " ".join(["word"] * 7),
            ],
        ),
    ],
)
def test_wrap_keeps_urls_whole_on_their_own_lines_with_a_hanging_indent(
    text, first, indent, expected
):
    assert wrap(text, first=first, indent=indent) == expected


def test_the_email_of_a_fixed_simulated_week_is_pinned_byte_for_byte(golden_list, settings):
    settings.TILLER_BASE_URL = BASE_URL
    built = build_priority_email(weekly_list=golden_list, sender_name="Brian Rosmaita")
    expected = (GOLDEN / "glance-2017-04-13.txt").read_text(encoding="utf-8")
    assert built.subject == "[glance] Review priorities for the week of 2017-04-17"
    assert built.text == expected
    assert _long_lines(built.text) == []
    # The HTML alternative is made from the same items: every title and link is in it.
    for item in built.items:
        assert item.title in built.html
        if item.url:
            assert f'href="{item.url}"' in built.html
    assert [item.missing for item in built.items] == [False] * 4 + [True, True, False]


@pytest.fixture
def repo(db):
    return RepositoryFactory(
        name="openstack/glance", team__name="glance", team__server__url="https://review.example"
    )


def _list(repo, **kwargs) -> WeeklyList:
    weekly_list = WeeklyListFactory(team=repo.team, week=date(2017, 4, 13), **kwargs)
    return WeeklyList.objects.select_related("team__server").get(pk=weekly_list.pk)


def test_every_line_but_url_lines_fits_72_columns_whatever_the_lengths(repo):
    long = "A change subject that goes on and on " * 4
    ChangeFactory(repository=repo, number=101, subject=long.strip())
    weekly_list = _list(repo, intro="Intro. " * 40)
    for position in range(1, 13):  # two-digit numbers get a wider hanging indent
        WeeklyItemFactory(
            weekly_list=weekly_list,
            position=position,
            kind=ItemKind.CHANGE,
            change_number=101,
            text="",
            note=("Please look at https://example.org/" + "x" * 90 + " soon. ") * 3,
        )
    text = build_priority_email(weekly_list=weekly_list, sender_name="Petra").text
    assert _long_lines(text) == []
    assert "\n12. A change subject" in text
    assert "\n    https://review.example/c/101\n" in text


def test_an_empty_list_says_so_and_is_not_sent(repo):
    TeamEmailSettingsFactory(team=repo.team)
    weekly_list = _list(repo)
    built = build_priority_email(weekly_list=weekly_list, sender_name="Petra")
    assert built.empty
    assert "No review priorities were set at the glance meeting on 2017-04-13" in built.text
    with pytest.raises(NothingToSend, match="no items"):
        send_priority_email(weekly_list=weekly_list, email=built, sender=None)
    assert mail.outbox == [] and not SentEmail.objects.exists()


def test_the_settings_give_recipients_reply_to_and_the_subject_tag(repo):
    TeamEmailSettingsFactory(
        team=repo.team, reply_to="ptl@example.org", subject_tag="[glance][ptl]"
    )
    weekly_list = _list(repo)
    built = build_priority_email(weekly_list=weekly_list, sender_name="Petra")
    assert built.to == ("openstack-dev@lists.openstack.org",)
    assert built.reply_to == ("ptl@example.org",)
    assert built.subject == "[glance][ptl] Review priorities for the week of 2017-04-17"


def test_a_team_without_settings_has_no_recipient_and_cannot_send(repo):
    weekly_list = _list(repo)
    WeeklyItemFactory(weekly_list=weekly_list, text="Review the import changes")
    built = build_priority_email(weekly_list=weekly_list, sender_name="Petra")
    assert built.to == () and built.subject.startswith("[glance] ")
    assert TeamEmailSettings.objects.count() == 0  # reading never writes defaults
    with pytest.raises(NothingToSend, match="list address"):
        send_priority_email(weekly_list=weekly_list, email=built, sender=None)


@pytest.fixture
def ready(repo):
    TeamEmailSettingsFactory(team=repo.team, reply_to="ptl@example.org")
    weekly_list = _list(repo)
    WeeklyItemFactory(weekly_list=weekly_list, text="Review the import changes")
    return weekly_list


def test_sending_puts_both_alternatives_in_the_outbox_and_archives_them(ready, settings):
    settings.TILLER_BASE_URL = BASE_URL
    built = build_priority_email(weekly_list=ready, sender_name="Petra Ptl")
    sent = send_priority_email(weekly_list=ready, email=built, sender=None)
    (message,) = mail.outbox
    assert message.subject == built.subject
    assert message.to == ["openstack-dev@lists.openstack.org"]
    assert message.reply_to == ["ptl@example.org"]
    assert message.body == built.text
    assert message.alternatives[0].content == built.html
    assert message.alternatives[0].mimetype == "text/html"
    assert message.extra_headers["Message-ID"] == sent.message_id
    assert sent.text == built.text and sent.html == built.html
    assert sent.to == ["openstack-dev@lists.openstack.org"]
    assert (sent.team, sent.weekly_list, sent.week) == (ready.team, ready, ready.week)
    assert sent.list_version == ready.version and sent.sender_name == "Petra Ptl"
    assert sent.message_id.endswith("@tiller.example.org>")


def test_the_archived_raw_message_parses_back_to_what_was_sent(ready):
    built = build_priority_email(weekly_list=ready, sender_name="Petra")
    sent = send_priority_email(weekly_list=ready, email=built, sender=None)
    parsed = email.message_from_bytes(sent.raw.encode(), policy=email.policy.default)
    assert parsed["Subject"] == built.subject
    assert parsed["To"] == "openstack-dev@lists.openstack.org"
    assert parsed["Message-ID"] == sent.message_id
    assert parsed["From"] == "Petra via Tiller <tiller@localhost>"
    assert parsed.get_body(("plain",)).get_content() == built.text
    assert parsed.get_body(("html",)).get_content() == built.html


def test_a_list_changed_after_the_preview_is_not_sent(ready):
    built = build_priority_email(weekly_list=ready, sender_name="Petra")
    WeeklyList.objects.filter(pk=ready.pk).update(version=ready.version + 1)
    with pytest.raises(StaleEmail):
        send_priority_email(
            weekly_list=ready, email=built, sender=None, expected_version=ready.version
        )
    assert mail.outbox == [] and not SentEmail.objects.exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_mail_server_that_refuses_archives_nothing_and_says_why(ready, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 2},
        }
    }
    built = build_priority_email(weekly_list=ready, sender_name="Petra")
    with pytest.raises(SendFailed, match="Nothing was sent or archived"):
        send_priority_email(weekly_list=ready, email=built, sender=None)
    assert not SentEmail.objects.exists()
    assert WeeklyList.objects.get(pk=ready.pk).items.count() == 1
