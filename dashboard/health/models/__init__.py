"""Review health: what Tiller keeps besides Gerrit's own data to judge a team's reviewing.

One module per subject; this package only re-exports them.
"""

from __future__ import annotations

from dashboard.health.models.affiliation import Affiliation, AffiliationSource, Organisation

__all__ = ["Affiliation", "AffiliationSource", "Organisation"]
