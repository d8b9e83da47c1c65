"""Display filters shared by every page: times, ages, signed votes, durations.

Formatting only, no queries and no decisions: every time is shown in UTC inside a
``<time datetime=…>`` element, so readers in any zone know what they see and scripts or
assistive tools get the exact instant.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def utc(value: datetime | None) -> SafeString | str:
    """``2025-03-04 05:06 UTC`` in a ``<time>`` element; an em dash for None."""
    if value is None:
        return "—"
    value = value.astimezone(UTC)
    return format_html(
        '<time datetime="{}">{} UTC</time>',
        value.isoformat(timespec="seconds"),
        value.strftime("%Y-%m-%d %H:%M"),
    )


@register.filter
def ago(value: datetime | None) -> SafeString | str:
    """Age in its largest unit ("3 days"), with the exact UTC time as the tooltip."""
    if value is None:
        return "—"
    value = value.astimezone(UTC)
    return format_html(
        '<time datetime="{}" title="{} UTC">{}</time>',
        value.isoformat(timespec="seconds"),
        value.strftime("%Y-%m-%d %H:%M"),
        timesince(value, depth=1),
    )


@register.filter
def signed(value: int | None) -> str:
    """A vote value as Gerrit writes it: ``+2``, ``-1``, ``0``."""
    if value is None:
        return ""
    return f"+{value}" if value > 0 else str(value)


@register.filter
def words(value: str) -> str:
    """Gerrit's enum names as words: ``TRIVIAL_REBASE`` -> ``trivial rebase``."""
    return value.replace("_", " ").lower()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as ``42 s``, ``3 min 05 s`` or ``1 h 02 min``; an em dash for None."""
    if seconds is None:
        return "—"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
