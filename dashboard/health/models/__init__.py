"""Review health: what Tiller keeps besides Gerrit's own data to judge a team's reviewing.

One module per subject; this package only re-exports them.
"""

from __future__ import annotations

from dashboard.health.models.activity import ActivityThresholds, DeclaredBandwidth
from dashboard.health.models.affiliation import Affiliation, AffiliationSource, Organisation
from dashboard.health.models.backlog import (
    AbandonAction,
    AbandonOutcome,
    BacklogSnapshot,
    SnapshotSource,
    StalePolicy,
)

__all__ = [
    "AbandonAction",
    "AbandonOutcome",
    "ActivityThresholds",
    "Affiliation",
    "AffiliationSource",
    "BacklogSnapshot",
    "DeclaredBandwidth",
    "Organisation",
    "SnapshotSource",
    "StalePolicy",
]
