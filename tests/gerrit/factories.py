"""factory_boy factories for the gerrit models.

Related rows stay on one Gerrit server: a change's server is its repository's team's
server, and its owner, voters and message authors are accounts of that same server, as the
sync would store them. Times are aware UTC and relative to now, so "last 30 days" tests
need no frozen clock.
"""

from __future__ import annotations

from datetime import timedelta

import factory
from django.db.models import F
from django.utils import timezone
from factory.django import DjangoModelFactory

from dashboard.gerrit.models import (
    VALUE_SET_COLUMNS,
    Account,
    Approval,
    Change,
    ChangeFile,
    ChangeStatus,
    CoreMembership,
    GerritServer,
    Message,
    PatchSet,
    Repository,
    SyncRun,
    SyncRunStatus,
    Team,
    Vote,
    VoteSource,
    value_set,
)
from dashboard.gerrit.reviews import rebuild_reviews, refresh_review_flags


def _ago(**kwargs: float) -> factory.LazyFunction:
    return factory.LazyFunction(lambda: timezone.now() - timedelta(**kwargs))


class GerritServerFactory(DjangoModelFactory):
    class Meta:
        model = GerritServer

    url = factory.Sequence(lambda n: f"https://review{n}.example.org")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"team{n}")
    display_name = factory.LazyAttribute(lambda team: team.name.title())
    server = factory.SubFactory(GerritServerFactory)


class RepositoryFactory(DjangoModelFactory):
    class Meta:
        model = Repository

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"openstack/project-{n}")


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account

    server = factory.SubFactory(GerritServerFactory)
    account_id = factory.Sequence(lambda n: 10_000 + n)
    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda account: f"{account.username}@example.org")


def _account_on(path: str) -> factory.SubFactory:
    """An account on the server found at ``path`` from the object being built."""
    return factory.SubFactory(AccountFactory, server=factory.SelfAttribute(path))


class ChangeFactory(DjangoModelFactory):
    class Meta:
        model = Change

    repository = factory.SubFactory(RepositoryFactory)
    server = factory.LazyAttribute(lambda change: change.repository.team.server)
    number = factory.Sequence(lambda n: 900_000 + n)
    change_id = factory.Sequence(lambda n: f"I{n:040x}")
    branch = "master"
    subject = factory.Sequence(lambda n: f"Fix the thing number {n}")
    owner = _account_on("..server")
    status = ChangeStatus.NEW
    created = _ago(days=10)
    updated = _ago(days=1)
    current_patch_set = 1
    synced_at = factory.LazyFunction(timezone.now)


class ChangeFileFactory(DjangoModelFactory):
    class Meta:
        model = ChangeFile

    change = factory.SubFactory(ChangeFactory)
    path = factory.Sequence(lambda n: f"glance/module_{n}.py")


class PatchSetFactory(DjangoModelFactory):
    class Meta:
        model = PatchSet

    change = factory.SubFactory(ChangeFactory)
    repository = factory.LazyAttribute(lambda patch_set: patch_set.change.repository)
    number = 1
    revision = factory.Sequence(lambda n: f"{n:040x}")
    uploader = _account_on("..change.server")
    created = _ago(days=9)
    kind = "REWORK"


class VoteFactory(DjangoModelFactory):
    """A vote event; the change's ``Review`` rows follow, as the sync keeps them."""

    class Meta:
        model = Vote
        skip_postgeneration_save = True

    change = factory.SubFactory(ChangeFactory)
    repository = factory.LazyAttribute(lambda vote: vote.change.repository)
    patch_set = 1
    label = "Code-Review"
    value = 1
    account = _account_on("..change.server")
    granted = _ago(days=2)
    is_bot = factory.LazyAttribute(lambda vote: vote.account.is_bot)
    source = VoteSource.MESSAGE

    @factory.post_generation
    def reviews(vote: Vote, create: bool, extracted: object, **kwargs: object) -> None:
        """Keep ``gerrit.Review`` in step, as the sync does after storing a page's votes."""
        if create:
            rebuild_reviews([vote.change_id])


class ApprovalFactory(DjangoModelFactory):
    """A current vote; the change's bit set of current values (``cr_values``…) follows, as
    the sync keeps it. The other summary columns are left as the test sets them."""

    class Meta:
        model = Approval
        skip_postgeneration_save = True

    change = factory.SubFactory(ChangeFactory)
    label = "Code-Review"
    account = _account_on("..change.server")
    value = 1
    granted = _ago(days=2)

    @factory.post_generation
    def value_sets(approval: Approval, create: bool, extracted: object, **kwargs: object) -> None:
        column = VALUE_SET_COLUMNS.get(approval.label)
        if not create or column is None:
            return
        bits = value_set([approval.value])
        Change.objects.filter(pk=approval.change_id).update(**{column: F(column).bitor(bits)})
        setattr(approval.change, column, getattr(approval.change, column) | bits)


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    change = factory.SubFactory(ChangeFactory)
    gerrit_id = factory.Sequence(lambda n: f"msg{n:08x}")
    author = _account_on("..change.server")
    date = _ago(days=2)
    patch_set = 1
    text = "Patch Set 1:\n\nLooks good to me."


class SyncRunFactory(DjangoModelFactory):
    class Meta:
        model = SyncRun

    team = factory.SubFactory(TeamFactory)
    status = SyncRunStatus.SUCCEEDED
    started = _ago(hours=1)
    heartbeat = factory.LazyAttribute(lambda run: run.started + timedelta(seconds=40))
    finished = factory.LazyAttribute(
        lambda run: (
            None if run.status == SyncRunStatus.RUNNING else run.started + timedelta(seconds=42)
        )
    )
    changes_fetched = 120
    changes_created = 3
    votes_recorded = 250
    messages_recorded = 310
    requests = 4


class CoreMembershipFactory(DjangoModelFactory):
    """A core stretch; the stored review flags follow, as every membership write keeps them."""

    class Meta:
        model = CoreMembership
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    account = _account_on("..team.server")
    joined = _ago(days=200)

    @factory.post_generation
    def review_flags(
        membership: CoreMembership, create: bool, extracted: object, **kwargs: object
    ) -> None:
        if create:
            refresh_review_flags(team=membership.team, account_ids=[membership.account_id])
