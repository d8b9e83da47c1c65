"""Filters of the backlog pages: ages as days."""

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def days(value: timedelta | float | None) -> str:
    """A wait as ``12.5 days`` (one decimal; ``1.0 day``); an em dash for None."""
    if value is None:
        return "—"
    amount = value.total_seconds() / 86400 if isinstance(value, timedelta) else float(value)
    return f"{amount:.1f} day" if round(amount, 1) == 1 else f"{amount:.1f} days"
