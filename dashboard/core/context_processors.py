"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dashboard.core.roles import CORE, PTL, has_role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Role flags for the navigation bar (one query per request, cached on the request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_ptl": False, "is_core": False}
    if not hasattr(request, "_tiller_roles"):
        request._tiller_roles = {  # type: ignore[attr-defined]
            "is_ptl": has_role(user, PTL),
            "is_core": has_role(user, PTL, CORE),
        }
    return request._tiller_roles  # type: ignore[attr-defined]
