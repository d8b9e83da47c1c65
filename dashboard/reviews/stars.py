"""Stars: the changes a Tiller user follows, the source of ``is:starred`` and ``has:star``."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from dashboard.gerrit.models import Change
from dashboard.reviews.models import Star


def is_starred(*, user: AbstractBaseUser, change: Change) -> bool:
    return Star.objects.filter(user=user, change=change).exists()


@transaction.atomic
def set_star(*, user: AbstractBaseUser, change: Change, starred: bool) -> bool:
    """Star or unstar ``change`` for ``user``; returns the new state.

    Setting a state rather than toggling it keeps a repeated POST (a double click, a
    resubmitted form) from undoing itself.
    """
    if starred:
        Star.objects.get_or_create(user=user, change=change)
    else:
        Star.objects.filter(user=user, change=change).delete()
    return starred
