"""Tiller's roles: Django groups named PTL, core and contributor.

Anonymous visitors read every public page; editing needs a role; the admin is for staff.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

PTL = "PTL"
CORE = "core"
CONTRIBUTOR = "contributor"
ROLES = (PTL, CORE, CONTRIBUTOR)


def ensure_role_groups() -> None:
    """Create the role groups if missing (migrations and the demo call this)."""
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    """True when the user is signed in and belongs to one of ``roles`` (staff always do)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=roles).exists()


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: anonymous users go to the login page, others without a role get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied("This needs the role " + " or ".join(roles) + ".")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
