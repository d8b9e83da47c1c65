"""Writes to affiliations: who may edit, and the add / edit / end / remove services.

A person's stretches never overlap, so "which organisation at date D" has one answer. The
PTL may edit anyone's affiliations; everyone else only their own (the Gerrit account a
Tiller user is linked to through ``reviews.GerritIdentity``), since people know best
where they worked and Stackalytics' biggest complaint was affiliations nobody could fix.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from dashboard.core.roles import PTL, has_role
from dashboard.gerrit.models import Account
from dashboard.health.models import Affiliation, AffiliationSource, Organisation

INDEPENDENT_NAMES = frozenset({"", "independent", "*independent", "none"})


class AffiliationError(ValueError):
    """A change to affiliations that would make them inconsistent; the message says why."""


def can_edit_affiliations(*, user: AbstractBaseUser | AnonymousUser, account: Account) -> bool:
    """True for the PTL (and staff), and for the user linked to ``account`` itself."""
    if not user.is_authenticated:
        return False
    if has_role(user, PTL):
        return True
    identity = getattr(user, "gerrit_identity", None)
    return identity is not None and identity.account_id == account.pk


def find_organisation(name: str) -> Organisation | None:
    """The organisation called ``name`` or having it as an alias (case-insensitive)."""
    name = name.strip()
    found = Organisation.objects.filter(name__iexact=name).first()
    if found is not None:
        return found
    folded = name.casefold()
    for organisation in Organisation.objects.exclude(aliases=[]):
        if folded in (alias.casefold() for alias in organisation.aliases):
            return organisation
    return None


def organisation_for(name: str | None) -> Organisation | None:
    """The organisation a typed name means, created if new; None for an independent."""
    if name is None or name.strip().casefold() in INDEPENDENT_NAMES:
        return None
    return find_organisation(name) or Organisation.objects.create(name=name.strip())


def _overlapping(
    account: Account, start: date | None, end: date | None, exclude: int | None = None
) -> QuerySet[Affiliation]:
    rows = Affiliation.objects.filter(account=account)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if end is not None:
        rows = rows.filter(Q(start__isnull=True) | Q(start__lt=end))
    if start is not None:
        rows = rows.filter(Q(end__isnull=True) | Q(end__gt=start))
    return rows


def describe_stretch(affiliation: Affiliation) -> str:
    start = affiliation.start.isoformat() if affiliation.start else "the beginning"
    end = affiliation.end.isoformat() if affiliation.end else "now"
    return f"{affiliation.organisation_name} from {start} to {end}"


def _check(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end <= start:
        raise AffiliationError(f"The end ({end}) must be after the start ({start}).")


@transaction.atomic
def add_affiliation(
    *,
    account: Account,
    organisation: str | None,
    start: date | None,
    end: date | None = None,
    by: AbstractBaseUser | None = None,
    source: str = AffiliationSource.EDIT,
) -> Affiliation:
    """Record that ``account`` worked for ``organisation`` (None/"independent") in [start, end).

    A move is the common case: if the only overlap is an open-ended stretch that began
    before ``start``, that stretch is ended at ``start``. Any other overlap is refused.
    """
    _check(start, end)
    overlaps = list(_overlapping(account, start, end))
    if (
        len(overlaps) == 1
        and start is not None
        and overlaps[0].end is None
        and (overlaps[0].start is None or overlaps[0].start < start)
    ):
        ended = overlaps[0]
        ended.end = start
        # Its end is now someone's word, which a later import must not overwrite.
        ended.source = AffiliationSource.EDIT if source == AffiliationSource.EDIT else ended.source
        ended.edited_by, ended.edited = by, timezone.now()
        ended.save(update_fields=["end", "source", "edited_by", "edited"])
    elif overlaps:
        raise AffiliationError(
            f"{account} already has {describe_stretch(overlaps[0])}; "
            "end or change that stretch first."
        )
    return Affiliation.objects.create(
        account=account,
        organisation=organisation_for(organisation),
        start=start,
        end=end,
        source=source,
        edited_by=by,
        edited=timezone.now(),
    )


@transaction.atomic
def edit_affiliation(
    *,
    affiliation: Affiliation,
    organisation: str | None,
    start: date | None,
    end: date | None,
    by: AbstractBaseUser | None = None,
) -> Affiliation:
    """Change one stretch's organisation and dates; refuses an overlap with another."""
    _check(start, end)
    other = _overlapping(affiliation.account, start, end, exclude=affiliation.pk).first()
    if other is not None:
        raise AffiliationError(
            f"That would overlap {describe_stretch(other)}; change that stretch first."
        )
    affiliation.organisation = organisation_for(organisation)
    affiliation.start, affiliation.end = start, end
    affiliation.source = AffiliationSource.EDIT
    affiliation.edited_by, affiliation.edited = by, timezone.now()
    affiliation.save()
    return affiliation


@transaction.atomic
def end_affiliation(
    *, affiliation: Affiliation, end: date, by: AbstractBaseUser | None = None
) -> Affiliation:
    """Close a stretch at ``end`` (exclusive): the person left on that day."""
    return edit_affiliation(
        affiliation=affiliation,
        organisation=affiliation.organisation.name if affiliation.organisation else None,
        start=affiliation.start,
        end=end,
        by=by,
    )


@transaction.atomic
def remove_affiliation(*, affiliation: Affiliation) -> None:
    """Delete a stretch recorded by mistake (the dates then fall back to "no record")."""
    affiliation.delete()
