"""The weekly priority email: the week's list as a mailing-list post, and sending it.

One model (``PriorityEmail``) feeds both bodies: the plain text is laid out here, for a
mailing list read in a terminal (72 columns, numbered items with a hanging indent, every
URL alone on its own line so it is never broken and stays clickable), and the HTML
alternative comes from templates/reports/email/weekly_priorities.html given the same items.

Sending goes through Django's mail API (``settings.MAILERS``: the console in the demo, SMTP
when SMTP_HOST is set). A send that fails (SMTP error, refused connection, timeout) raises
``SendFailed`` and archives nothing; a send that succeeds leaves a ``SentEmail`` row holding
exactly the subject, bodies, recipients and raw message that went out.
"""

from __future__ import annotations

import re
import smtplib
import textwrap
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from dashboard.gerrit.models import Team
from dashboard.governance.models import ItemKind, WeeklyList
from dashboard.governance.weekly_selectors import ItemStatus, weekly_status
from dashboard.reports.models import SentEmail, TeamEmailSettings

WIDTH = 72
TILLER = "Tiller"  # the sender's name when no person sends (the command, the demo)
_URL = re.compile(r"^<?https?://", re.IGNORECASE)


class NothingToSend(ValueError):
    """The email cannot go out as it is (no items, no recipient); the message says why."""


class SendFailed(Exception):
    """The mail backend refused or timed out; nothing was archived, the list is unchanged."""


class StaleEmail(Exception):
    """The list changed after the sender previewed it; they should look at it again."""


@dataclass(frozen=True)
class EmailItem:
    """One numbered entry of the email, as the reader sees it.

    ``url`` is "" when there is nothing to link (a text item, a deleted spec); ``missing``
    is True when the item points at something Tiller no longer has, shown as such.
    """

    number: int
    kind: str
    title: str
    url: str
    note: str
    status: str
    missing: bool


@dataclass(frozen=True)
class PriorityEmail:
    """A week's list rendered as an email, ready to preview, download or send.

    ``week`` is the meeting date (the list's); ``week_of`` the Monday the priorities are
    for. ``to`` may be empty (no list address set yet): such an email can be previewed and
    downloaded, not sent.
    """

    team_name: str
    week: date
    week_of: date
    list_version: int
    subject: str
    intro: str
    items: tuple[EmailItem, ...]
    permalink: str
    sender_name: str
    from_email: str
    to: tuple[str, ...]
    reply_to: tuple[str, ...]
    text: str
    html: str

    @property
    def empty(self) -> bool:
        return not self.items

    @property
    def signature(self) -> str:
        """Who sent it, for the footer ("Sent by Tiller." when a command sent it)."""
        if self.sender_name == TILLER:
            return "Sent by Tiller."
        return f"Sent by {self.sender_name} with Tiller."

    def message(
        self, *, message_id: str | None = None, sent_at: datetime | None = None
    ) -> EmailMultiAlternatives:
        """The email as Django's message, text first with the HTML as its alternative."""
        headers = {}
        if message_id:
            headers["Message-ID"] = message_id
        if sent_at is not None:
            headers["Date"] = sent_at
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text,
            from_email=self.from_email,
            to=list(self.to),
            reply_to=list(self.reply_to),
            headers=headers,
        )
        message.attach_alternative(self.html, "text/html")
        return message


def week_of(meeting: date) -> date:
    """The Monday on or after the meeting: the week the priorities are for.

    Glance met on Thursdays, so the list set on Thursday 2017-04-13 is mailed as the
    priorities "for the week of 2017-04-17"; a team meeting on a Monday names that day.
    """
    return meeting + timedelta(days=(7 - meeting.weekday()) % 7)


def list_permalink(*, team: Team, week: date) -> str:
    """The weekly list's page in Tiller, as an absolute URL (TILLER_BASE_URL + path).

    The path is the one agreed for the weekly page (reports:weekly), written out rather
    than reversed so the email works whether or not that page is installed.
    """
    return f"{settings.TILLER_BASE_URL}/teams/{team.name}/weekly/{week.isoformat()}/"


def wrap(text: str, *, first: str = "", indent: str = "") -> list[str]:
    """``text`` wrapped at 72 columns, paragraphs kept, every URL alone on its own line.

    ``first`` opens the first line (e.g. "3. ") and ``indent`` every other one, for a
    hanging indent. Words are never split, so a word longer than a line overflows it
    rather than being cut (a path or a Change-Id must stay copyable).
    """
    lines: list[str] = []

    def flush(words: list[str]) -> None:
        if words:
            lines.extend(
                textwrap.wrap(
                    " ".join(words),
                    width=WIDTH,
                    initial_indent=indent if lines else first,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )

    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if lines:
            lines.append("")
        words: list[str] = []
        for word in paragraph.split():
            if _URL.match(word):
                flush(words)
                lines.append((indent if lines else first) + word)
                words = []
            else:
                words.append(word)
        flush(words)
    return [line.rstrip() for line in lines]


def _item(status: ItemStatus, number: int) -> EmailItem:
    item = status.item
    title = status.title
    if item.kind == ItemKind.SPEC:
        title = f"Spec: {title}"
    return EmailItem(
        number=number,
        kind=item.kind,
        title=title or item.label,
        url=status.url,
        note=item.note.strip(),
        status=status.summary,
        missing=status.missing,
    )


def render_text(email: PriorityEmail) -> str:
    """The plain-text body: intro, numbered items, footer; every line within 72 columns
    except a URL's own line."""
    team_name = email.team_name
    lines: list[str] = []
    if email.intro:
        lines += [*wrap(email.intro), ""]
    if email.empty:
        lines += wrap(
            f"No review priorities were set at the {team_name} meeting on "
            f"{email.week:%Y-%m-%d}: the week of {email.week_of:%Y-%m-%d} has no list."
        )
    else:
        lines += wrap(
            f"Review priorities for the week of {email.week_of:%Y-%m-%d}, set at the "
            f"{team_name} meeting on {email.week:%Y-%m-%d}. Cores, please review these first:"
        )
    for item in email.items:
        prefix = f"{item.number}. "
        hang = " " * len(prefix)
        lines += ["", *wrap(item.title, first=prefix, indent=hang)]
        if item.url:
            lines.append(hang + item.url)
        if item.note:
            lines += wrap(item.note, first=hang, indent=hang)
        if item.status:
            lines += wrap(f"Status: {item.status}", first=hang, indent=hang)
    lines += [
        "",
        "-- ",
        "This list in Tiller:",
        email.permalink,
        email.signature,
    ]
    return "\n".join(lines) + "\n"


def build_priority_email(
    *,
    weekly_list: WeeklyList,
    sender_name: str,
    to: tuple[str, ...] | None = None,
    email_settings: TeamEmailSettings | None = None,
) -> PriorityEmail:
    """Render ``weekly_list`` as its email (five queries: four for the items' status, one
    for the team's email settings unless given).

    ``to`` overrides the team's list address (the command's --to); ``sender_name`` is who
    the footer says sent it.
    """
    team = weekly_list.team
    if email_settings is None:
        email_settings = TeamEmailSettings.for_team(team)
    status = weekly_status(weekly_list=weekly_list)
    items = tuple(_item(s, n) for n, s in enumerate(status.items, start=1))
    monday = week_of(weekly_list.week)
    recipients = to if to is not None else tuple(filter(None, [email_settings.list_address]))
    email = PriorityEmail(
        team_name=team.name,
        week=weekly_list.week,
        week_of=monday,
        list_version=weekly_list.version,
        subject=f"{email_settings.tag} Review priorities for the week of {monday:%Y-%m-%d}",
        intro=weekly_list.intro.strip(),
        items=items,
        permalink=list_permalink(team=team, week=weekly_list.week),
        sender_name=sender_name,
        from_email=formataddr((f"{sender_name} via Tiller", settings.DEFAULT_FROM_EMAIL)),
        to=tuple(recipients),
        reply_to=tuple(filter(None, [email_settings.reply_to])),
        text="",
        html="",
    )
    text = render_text(email)
    html = render_to_string("reports/email/weekly_priorities.html", {"email": email})
    return replace(email, text=text, html=html)


def sender_name_of(user: AbstractBaseUser | None) -> str:
    """The name the footer gives: the user's full name, else username; "Tiller" if none."""
    if user is None or not user.is_authenticated:
        return TILLER
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return (full or str(user.get_username()))[:150]


def send_priority_email(
    *,
    weekly_list: WeeklyList,
    email: PriorityEmail,
    sender: AbstractBaseUser | None,
    expected_version: int | None = None,
) -> SentEmail:
    """Send ``email`` through the default mailer and archive it; return the archive row.

    Refused (``NothingToSend``) for an empty list or no recipient, and (``StaleEmail``)
    when ``expected_version`` is not the list's version any more: the sender confirmed
    something else than what would go out. A backend failure raises ``SendFailed`` and
    archives nothing. The archive row is written only after the backend accepted the
    message, in its own transaction, so the row exists if and only if the mail went out.
    """
    if email.empty:
        raise NothingToSend("This week's list has no items: there is nothing to send.")
    if not email.to:
        raise NothingToSend("No recipient: set the team's list address first.")
    current = WeeklyList.objects.filter(pk=weekly_list.pk).values_list("version", flat=True).first()
    if current is None:
        raise StaleEmail("This list was deleted after you opened it; nothing was sent.")
    if expected_version is not None and current != expected_version:
        raise StaleEmail(
            "The list changed after you previewed it; nothing was sent. "
            "Check the email below and confirm again."
        )
    sent_at = timezone.now().replace(microsecond=0)
    host = urlsplit(settings.TILLER_BASE_URL).hostname or "localhost"
    message_id = make_msgid(domain=host)
    message = email.message(message_id=message_id, sent_at=sent_at)
    raw = message.message().as_bytes().decode("utf-8", "replace")
    try:
        accepted = message.send(using="default")
    except (smtplib.SMTPException, OSError) as error:
        raise SendFailed(
            f"The mail server did not take the email ({error.__class__.__name__}: {error}). "
            "Nothing was sent or archived; try again later."
        ) from error
    if accepted != 1:
        raise SendFailed("The mail backend accepted no message; nothing was archived.")
    with transaction.atomic():
        return SentEmail.objects.create(
            team=weekly_list.team,
            weekly_list=weekly_list,
            week=email.week,
            list_version=email.list_version,
            subject=email.subject,
            text=email.text,
            html=email.html,
            to=list(email.to),
            reply_to=list(email.reply_to),
            from_email=email.from_email,
            sender=sender if sender is not None and sender.pk else None,
            sender_name=email.sender_name,
            sent_at=sent_at,
            message_id=message_id,
            raw=raw,
        )


@transaction.atomic
def update_email_settings(
    *,
    team: Team,
    list_address: str,
    reply_to: str,
    subject_tag: str,
    actor: AbstractBaseUser | None,
) -> TeamEmailSettings:
    """Save the team's list address, Reply-To and subject tag (the PTL's form)."""
    row, _ = TeamEmailSettings.objects.update_or_create(
        team=team,
        defaults={
            "list_address": list_address.strip(),
            "reply_to": reply_to.strip(),
            "subject_tag": subject_tag.strip(),
            "updated": timezone.now(),
            "updated_by_name": sender_name_of(actor),
        },
    )
    return row


DEMO_LIST_ADDRESS = "openstack-dev@lists.openstack.org"


def seed_demo_email_settings(team: Team) -> TeamEmailSettings:
    """The demo team mails the OpenStack list, as glance did (the demo's mailer is the
    console, so "Send" prints the email instead of mailing anyone). Keeps a PTL's edit."""
    row, _ = TeamEmailSettings.objects.get_or_create(
        team=team, defaults={"list_address": DEMO_LIST_ADDRESS, "updated_by_name": TILLER}
    )
    return row
