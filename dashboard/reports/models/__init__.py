"""What the PTL writes and sends: weekly priority emails, focus rules, cycle reports.

One module per subject; this package only re-exports them so that Django (and callers)
find every model as ``dashboard.reports.models.X``.
"""

from __future__ import annotations

from dashboard.reports.models.cycle_report import ReportNarrative, ReportNarrativeVersion
from dashboard.reports.models.emails import SentEmail, TeamEmailSettings
from dashboard.reports.models.focus import DEFAULT_EXCEPTIONS, FocusRule

__all__: list[str] = [
    "DEFAULT_EXCEPTIONS",
    "FocusRule",
    "ReportNarrative",
    "ReportNarrativeVersion",
    "SentEmail",
    "TeamEmailSettings",
]
