"""What Gerrit tells us, stored: servers, teams, accounts, changes and their whole history.

Everything else in Tiller reads these tables, so they are shaped for the questions pages
ask: "who voted what, on which patch set, when" is one indexed query on ``Vote``; the
current label state of a change is ``Approval`` (plus a few denormalised summary columns on
``Change``) so dashboards need no per-row work.

Times are timezone-aware UTC. Gerrit's own identifiers (``_number``, ``_account_id``) are
unique per server, so they are unique together with the server here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.lookups import In


class AuthScheme(models.TextChoices):
    BASIC = "basic", "HTTP Basic (Gerrit 2.14 and later)"
    DIGEST = "digest", "HTTP Digest (Gerrit 2.13 and earlier)"


class GerritServer(models.Model):
    """A Gerrit site. Several teams may share one (OpenDev serves hundreds).

    The HTTP password is never stored: ``password_env`` names the environment variable
    that holds it, so it stays out of the database, the admin, pages and logs.
    """

    url = models.URLField(unique=True, help_text="Base URL, e.g. https://review.opendev.org")
    username = models.CharField(max_length=150, blank=True)
    password_env = models.CharField(
        "password environment variable",
        max_length=100,
        blank=True,
        help_text="Name of the environment variable holding the HTTP password.",
    )
    auth_scheme = models.CharField(
        max_length=10, choices=AuthScheme.choices, default=AuthScheme.BASIC
    )
    requests_per_second = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01)],
        help_text=(
            "Most requests a second Tiller sends this server, every sync and task worker "
            "together (empty: no limit). A new limit applies from each team's next sync, "
            "a changed one at once."
        ),
    )
    # The throttle's state (see gerrit.throttle): when the next request may go, in seconds
    # since the epoch on the database's clock. Written by one UPDATE per request, so code
    # that saves a server names its fields (save(update_fields=...)).
    next_request_at = models.FloatField(default=0.0, editable=False)

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url

    def change_url(self, number: int) -> str:
        """Link to a change in Gerrit's own web UI."""
        return f"{self.url.rstrip('/')}/c/{number}"


class Team(models.Model):
    """A review team: its repositories, its core group and its Gerrit server."""

    name = models.SlugField(max_length=100, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    server = models.ForeignKey(GerritServer, on_delete=models.RESTRICT, related_name="teams")
    core_group = models.CharField(
        max_length=200,
        blank=True,
        help_text="Gerrit group holding the core reviewers, e.g. glance-core.",
    )
    core_usernames = models.JSONField(
        default=list,
        blank=True,
        help_text="Core reviewers by Gerrit username, for teams without a Gerrit group.",
    )
    bot_usernames = models.JSONField(
        default=list,
        blank=True,
        help_text="Extra accounts to treat as bots (CI systems) besides Gerrit's service users.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name or self.name


class Repository(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="repositories")
    name = models.CharField(max_length=255, help_text="Gerrit project name, e.g. openstack/glance")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "repositories"
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="repository_unique_per_team")
        ]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """A Gerrit account. Details arrive with DETAILED_ACCOUNTS; bare ids are kept too."""

    server = models.ForeignKey(GerritServer, on_delete=models.CASCADE, related_name="accounts")
    account_id = models.IntegerField()
    username = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=255, blank=True)
    is_bot = models.BooleanField(
        default=False, help_text="CI or other service account (SERVICE_USER or named by a team)."
    )
    inactive = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "username", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["server", "account_id"], name="account_unique_per_server"
            )
        ]
        indexes = [models.Index(fields=["server", "username"], name="account_username")]

    def __str__(self) -> str:
        return self.name or self.username or f"account {self.account_id}"


# The labels whose current votes ``Change`` summarises, by the column holding the bit set.
VALUE_SET_COLUMNS = {
    "Code-Review": "cr_values",
    "Verified": "verified_values",
    "Workflow": "workflow_values",
}
LABEL_VALUE_MIN, LABEL_VALUE_MAX = -4, 4


def value_set(values: Iterable[int]) -> int:
    """The bit set of ``values`` (bit v + 4 for each), ignoring 0 and values out of range."""
    bits = 0
    for value in values:
        if value and LABEL_VALUE_MIN <= value <= LABEL_VALUE_MAX:
            bits |= 1 << (value - LABEL_VALUE_MIN)
    return bits


class ChangeStatus(models.TextChoices):
    NEW = "NEW", "Open"
    MERGED = "MERGED", "Merged"
    ABANDONED = "ABANDONED", "Abandoned"


class ChangeQuerySet(models.QuerySet["Change"]):
    def open(self) -> ChangeQuerySet:
        return self.filter(status=ChangeStatus.NEW)

    def merged(self) -> ChangeQuerySet:
        return self.filter(status=ChangeStatus.MERGED)

    def in_team(self, team: Team) -> ChangeQuerySet:
        return self.filter(repository__team=team)

    def with_row_data(self) -> ChangeQuerySet:
        """What a change row shows (repository, owner, server for links), in one query."""
        return self.select_related("repository", "owner", "server")


class Change(models.Model):
    """A Gerrit change with its current patch set and a summary of its current votes.

    The ``cr_*``, ``verified``, ``workflow`` and ``*_values`` columns summarise ``Approval``
    rows so that lists and dashboards filter and sort on them without joins; the sync
    rewrites them with the approvals.
    """

    # No single-column indexes on these keys: each leads a composite index below (server:
    # change_unique_per_server, repository: change_repo_status, owner: change_owner_status),
    # and every index costs each synced change about 7 us on SQLite.
    server = models.ForeignKey(
        GerritServer, on_delete=models.CASCADE, related_name="changes", db_index=False
    )
    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="changes", db_index=False
    )
    number = models.IntegerField()
    change_id = models.CharField(max_length=64, db_index=True)
    branch = models.CharField(max_length=255)
    topic = models.CharField(max_length=255, blank=True)
    hashtags = models.JSONField(default=list, blank=True)
    subject = models.TextField()
    commit_message = models.TextField(blank=True)
    owner = models.ForeignKey(
        Account, on_delete=models.RESTRICT, related_name="owned_changes", db_index=False
    )
    status = models.CharField(max_length=10, choices=ChangeStatus.choices)
    created = models.DateTimeField()
    updated = models.DateTimeField()
    submitted = models.DateTimeField(null=True, blank=True)
    closed = models.DateTimeField(
        null=True, blank=True, help_text="When it was merged or (last) abandoned; None if open."
    )
    mergeable = models.BooleanField(null=True, help_text="None when the server does not say.")
    work_in_progress = models.BooleanField(default=False)
    is_private = models.BooleanField(default=False)
    insertions = models.IntegerField(default=0)
    deletions = models.IntegerField(default=0)
    current_patch_set = models.IntegerField(default=1)
    current_revision = models.CharField(max_length=64, blank=True)
    current_patch_set_created = models.DateTimeField(null=True, blank=True)
    # Denormalised current label state (see class docstring). Zero means no vote.
    cr_max = models.SmallIntegerField(default=0)
    cr_min = models.SmallIntegerField(default=0)
    cr_plus2_count = models.SmallIntegerField(default=0)
    verified = models.SmallIntegerField(
        default=0, help_text="Most negative CI vote if any, else the highest."
    )
    workflow = models.SmallIntegerField(default=0, help_text="Same rule as verified.")
    # Which values the current votes of each label hold, as a bit set: bit (v + 4) is set
    # when some current vote has value v (-4 <= v <= 4, Gerrit's label range). Any
    # unattributed label test ("some vote in this set of values", facts §6.5) is then one
    # bitwise AND on the change row instead of a subquery per change.
    cr_values = models.SmallIntegerField(default=0)
    verified_values = models.SmallIntegerField(default=0)
    workflow_values = models.SmallIntegerField(default=0)
    synced_at = models.DateTimeField()

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-updated", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["server", "number"], name="change_unique_per_server")
        ]
        indexes = [
            models.Index(fields=["repository", "status", "-updated"], name="change_repo_status"),
            models.Index(fields=["status", "-updated"], name="change_status_updated"),
            models.Index(fields=["owner", "status"], name="change_owner_status"),
            models.Index(fields=["topic"], name="change_topic"),
            models.Index(fields=["created"], name="change_created"),
            models.Index(fields=["status", "closed"], name="change_status_closed"),
            # A team's changes created, and merged or abandoned, in a window (the reviewer
            # activity totals): one index range per repository, never the team's history.
            models.Index(fields=["repository", "created"], name="change_repo_created"),
            models.Index(fields=["repository", "status", "closed"], name="change_repo_closed"),
            # Open changes with every column a dashboard section filters or sorts on, so
            # a section's count reads this index alone instead of each change's full row
            # (commit message included). Partial: closed changes never pay for it. Led by
            # the repository: a team's sections read its own open changes, not those of
            # every team on the server (queries name repositories by id, see
            # reviews.evaluate.terms._in_repositories). The last three make it cover the
            # open-reviews report's scope and split too (health.openreviews), which read
            # each open change's whole row otherwise: most of that page's SQL time.
            models.Index(
                fields=[
                    "status",
                    "repository",
                    "-updated",
                    "-number",
                    "server",
                    "owner",
                    "cr_values",
                    "verified_values",
                    "workflow_values",
                    "work_in_progress",
                    "mergeable",
                    "insertions",
                    "deletions",
                    "current_patch_set_created",
                    "created",
                    "branch",
                    "topic",
                    "workflow",
                    "cr_min",
                    "verified",
                ],
                name="change_open_rows",
                condition=Q(status="NEW"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.subject}"

    @property
    def gerrit_url(self) -> str:
        return self.server.change_url(self.number)

    @property
    def is_open(self) -> bool:
        return self.status == ChangeStatus.NEW


class Overlaps(models.Lookup):
    """``cr_values__overlaps=bits``: some current vote's value has its bit in ``bits``
    (SQL ``(column & bits) > 0``), the test behind every unattributed label query.

    A lookup, not ``F(column).bitand(bits)`` compared to 0: Django builds it in about a
    third of the time, and a ten-section dashboard builds some forty of them per page.
    """

    lookup_name = "overlaps"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, column_params = self.process_lhs(compiler, connection)
        bits, bits_params = self.process_rhs(compiler, connection)
        return f"({column} & {bits}) > 0", [*column_params, *bits_params]


for _column in VALUE_SET_COLUMNS.values():
    Change._meta.get_field(_column).register_lookup(Overlaps)


class InIdsOf(In):
    """``column IN (subquery)``, which PostgreSQL gets as ``column = ANY(ARRAY(subquery))``.

    For a team's repositories on a server shared by many teams (dashboards, reviewer
    activity): PostgreSQL turns ``IN (subquery)`` into a join, cannot tell how many rows
    the few repositories hold, and reads the whole server's instead (a dashboard section of
    a 300,000-change server walked every open change by date: 62 to 100 ms).
    ``ARRAY(subquery)`` is computed once, before the scan, and the repository-led indexes
    answer ``= ANY`` (7 to 12 ms). SQLite already runs ``IN (subquery)`` that way.
    """

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, column_params = self.process_lhs(compiler, connection)
        subquery, subquery_params = self.process_rhs(compiler, connection)
        return f"{column} = ANY(ARRAY{subquery})", [*column_params, *subquery_params]


def in_team_repositories(team: Team) -> Q:
    """Rows (changes, patch sets, reviews…) of one of ``team``'s repositories: its repository
    ids first, then its rows by the repository-led indexes (``InIdsOf``), never a join that
    reads the whole server's."""
    return Q(InIdsOf(F("repository_id"), Repository.objects.filter(team=team).values("pk")))


def in_team_repositories_sql(alias: str) -> str:
    """``in_team_repositories`` in raw SQL, for the row ``alias``: one parameter, the team's
    id. The same form per database as ``InIdsOf``."""
    ids = f"SELECT id FROM {Repository._meta.db_table} WHERE team_id = %s"
    if connection.vendor == "postgresql":
        return f"{alias}.repository_id = ANY(ARRAY({ids}))"
    return f"{alias}.repository_id IN ({ids})"


def unchecked_key(to: type[models.Model], **options: Any) -> models.ForeignKey:
    """A foreign key Django keeps and the database does not check, and no index of its own
    unless ``db_index=True`` (a composite index or unique constraint leads with it).

    For the rows a sync writes by the thousand per page (patch sets, messages, votes,
    reviews, approvals, reviewers, files). PostgreSQL checks a constraint with one lookup
    per row and key at commit: some 140 lookups per change, which measured 30% of a full
    sync's time (1,071 changes/s with them, 1,522 without, 20,000 changes). Nothing is lost
    that the database would have caught: ``gerrit.store`` is their only writer and inserts
    them after their change in the same transaction, from keys it has just read or written,
    and deletes go through the ORM, which still cascades and still refuses to delete a
    referenced account. ``tests/gerrit/test_store.py`` checks that a sync leaves no row
    pointing nowhere.
    """
    options.setdefault("db_index", False)
    return models.ForeignKey(to, db_constraint=False, **options)


class ChangeFile(models.Model):
    """A file path of the current patch set, so `file:` and `path:` queries run in SQL."""

    change = unchecked_key(Change, on_delete=models.CASCADE, related_name="files", db_index=True)
    path = models.CharField(max_length=1024)

    class Meta:
        indexes = [models.Index(fields=["path"], name="changefile_path")]

    def __str__(self) -> str:
        return self.path


class ReviewClocks(models.Model):
    """When each open-reviews clock of an open change starts: one row per open change.

    Derived from the change's patch sets and votes by ``gerrit.clocks`` (which says how),
    whenever the store writes the change; a closed change has no row. A table of its own
    rather than columns on ``Change``: rewriting a change row a second time per sync page
    (a dozen indexes) cost PostgreSQL several times what inserting these narrow rows does.
    """

    change = models.OneToOneField(
        Change, on_delete=models.CASCADE, primary_key=True, related_name="review_clocks"
    )
    current = models.DateTimeField(help_text="Date of the current patch set.")
    first = models.DateTimeField(help_text="Date of the first patch set.")
    no_negative = models.DateTimeField(
        help_text="Date of the oldest patch set since the last standing -1/-2."
    )

    class Meta:
        verbose_name_plural = "review clocks"


class PatchSet(models.Model):
    """One uploaded revision of a change.

    ``repository`` is copied from the change (as on ``Vote`` and ``Review``) so that
    "patch sets uploaded to the team's repositories in a window" reads one range of the
    (repository, created, change) index instead of joining every change of the team.
    """

    change = unchecked_key(  # indexed by the unique constraint
        Change, on_delete=models.CASCADE, related_name="patch_sets"
    )
    repository = unchecked_key(  # indexed by patchset_repo_created
        Repository, on_delete=models.CASCADE, related_name="+"
    )
    number = models.IntegerField()
    revision = models.CharField(max_length=64, blank=True)
    uploader = unchecked_key(
        Account, null=True, on_delete=models.RESTRICT, related_name="uploaded_patch_sets"
    )
    created = models.DateTimeField()
    kind = models.CharField(max_length=40, blank=True, help_text="REWORK, TRIVIAL_REBASE…")

    class Meta:
        ordering = ["change", "number"]
        constraints = [models.UniqueConstraint(fields=["change", "number"], name="patchset_unique")]
        # No index on created alone: patch sets are read by change (patchset_unique) or by
        # repository and time (below), never by time across every team.
        indexes = [
            # Covers the window totals (count and distinct changes) without the table.
            models.Index(fields=["repository", "created", "change"], name="patchset_repo_created"),
        ]

    def __str__(self) -> str:
        return f"{self.change_id},{self.number}"


class VoteSource(models.TextChoices):
    MESSAGE = "message", "Change message"
    LABEL = "label", "Current labels (copied or not announced in a message)"


class VoteQuerySet(models.QuerySet["Vote"]):
    def between(self, start: datetime, end: datetime) -> VoteQuerySet:
        """Votes cast in [start, end): the window every review statistic starts from."""
        return self.filter(granted__gte=start, granted__lt=end)

    def humans(self) -> VoteQuerySet:
        return self.filter(is_bot=False)

    def code_review(self) -> VoteQuerySet:
        return self.filter(label="Code-Review")


class Vote(models.Model):
    """One vote event: a vote cast or removed, on one patch set, at one moment.

    Recovered from change messages ("Patch Set 3: Code-Review+2 Workflow+1",
    "-Verified", "Removed Code-Review-1 by …") and completed from the current labels
    (votes copied forward by Gerrit, which no message announces). ``value`` 0 with
    ``removal`` set is a removal. ``repository`` and ``is_bot`` are copied from the change
    and the account so window statistics filter without joins.
    """

    # Single-column FK indexes would duplicate the composite ones below (each costs writes).
    change = unchecked_key(Change, on_delete=models.CASCADE, related_name="votes")
    repository = unchecked_key(Repository, on_delete=models.CASCADE, related_name="+")
    patch_set = models.IntegerField()
    label = models.CharField(max_length=100)
    value = models.SmallIntegerField()
    account = unchecked_key(Account, on_delete=models.RESTRICT, related_name="votes")
    granted = models.DateTimeField()
    removal = models.BooleanField(default=False)
    is_bot = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=VoteSource.choices)
    removed_by = unchecked_key(
        Account, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["granted", "id"]
        indexes = [
            models.Index(fields=["granted"], name="vote_granted"),
            models.Index(fields=["repository", "granted"], name="vote_repo_granted"),
            models.Index(fields=["account", "granted"], name="vote_account_granted"),
            models.Index(fields=["change", "patch_set"], name="vote_change_ps"),
        ]

    def __str__(self) -> str:
        sign = "+" if self.value > 0 else ""
        return f"{self.label}{sign}{self.value} by {self.account_id} on {self.change_id}"


class Review(models.Model):
    """One review: an account's latest counted vote on one label of one patch set.

    Derived from ``Vote`` by ``gerrit.reviews.rebuild_reviews`` (the sync calls it once per
    page), so statistics read one row per review instead of grouping raw events at query
    time. Counted votes are human (``is_bot`` False), announced in a message
    (``source`` "message": a vote Gerrit copies forward on a rebase is nobody's review),
    not a removal, not 0, on Code-Review or Workflow, and not on one's own change.
    ``value`` and ``granted`` are the latest such vote's (a tie on the time goes to the
    later Vote id), ``first_granted`` the first one's time. ``repository`` and ``owner``
    are copied from the change so window statistics filter without joins.

    ``by_core`` and ``disagreed_at`` answer, once per review instead of once per page view,
    the two questions that otherwise cost a correlated subquery per review of a window:
    "was the reviewer core when voting?" (a ``CoreMembership`` stretch of the repository's
    team with ``joined <= granted < left``) and "when did a core first contradict this
    Code-Review?" (the earliest later opposite-sign Code-Review on the same patch set whose
    ``by_core`` is set; None if none, and always None on Workflow rows).
    ``gerrit.reviews`` keeps both right on every write to votes or to memberships.
    """

    change = unchecked_key(  # indexed by review_change_ps
        Change, on_delete=models.CASCADE, related_name="+"
    )
    repository = unchecked_key(Repository, on_delete=models.CASCADE, related_name="+")
    patch_set = models.IntegerField()
    label = models.CharField(max_length=100)
    account = unchecked_key(Account, on_delete=models.RESTRICT, related_name="+")
    owner = unchecked_key(Account, on_delete=models.RESTRICT, related_name="+")
    value = models.SmallIntegerField()
    granted = models.DateTimeField()
    first_granted = models.DateTimeField()
    by_core = models.BooleanField(
        default=False,
        help_text="The reviewer was in the repository's team's core group at ``granted``.",
    )
    disagreed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Code-Review only: when a core first voted the other way on the patch set.",
    )

    class Meta:
        # Window statistics and the per-patch-set lookups (disagreements) read only these
        # indexes, never the table: covering them halves the reviewer query on SQLite. No
        # unique constraint: rebuild_reviews writes one row per (change, patch set, label,
        # account) by its GROUP BY, and another index would slow the sync.
        indexes = [
            # A team's reviews of a window, with every column reviewer activity counts:
            # without value and disagreed_at PostgreSQL read 18,000 table pages for nova's
            # 62,000 reviews of 180 days (80 ms; 22 ms from the index alone).
            models.Index(
                fields=[
                    "repository",
                    "granted",
                    "label",
                    "account",
                    "by_core",
                    "value",
                    "disagreed_at",
                ],
                name="review_repo_granted",
            ),
            models.Index(
                fields=["change", "patch_set", "label", "granted", "value", "account", "by_core"],
                name="review_change_ps",
            ),
            # One reviewer's reviews of a window, per label, in order (reviewer activity
            # aggregates them without sorting the window; the core team page reads a
            # member's latest review), and the reviews of one person's changes ("received").
            models.Index(
                fields=[
                    "account",
                    "label",
                    "granted",
                    "repository",
                    "value",
                    "by_core",
                    "disagreed_at",
                ],
                name="review_account_label",
            ),
            models.Index(
                fields=["owner", "label", "granted", "repository"], name="review_owner_label"
            ),
        ]

    def __str__(self) -> str:
        sign = "+" if self.value > 0 else ""
        return f"{self.label}{sign}{self.value} by {self.account_id} on {self.change_id}"


class Approval(models.Model):
    """A non-zero vote standing on a change's current patch set (Gerrit's labels.all)."""

    change = unchecked_key(  # indexed by the unique constraint
        Change, on_delete=models.CASCADE, related_name="approvals"
    )
    label = models.CharField(max_length=100)
    # No index of its own: lookups go by change (the unique index), and a lone account index
    # tempts SQLite into scanning someone's every approval for each change of a dashboard.
    account = unchecked_key(Account, on_delete=models.RESTRICT, related_name="approvals")
    value = models.SmallIntegerField()
    granted = models.DateTimeField(null=True, blank=True)
    tag = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "label", "account"], name="approval_unique")
        ]
        indexes = [
            models.Index(fields=["label", "value"], name="approval_label_value"),
            # ``label:…,self`` (and ``,user``): the per-change probe "this change's votes by
            # these accounts" uses both leading columns, and label and value make it
            # covering, instead of reading every approval of the change.
            models.Index(
                fields=["account", "change", "label", "value"], name="approval_account_change"
            ),
        ]


class ReviewerState(models.TextChoices):
    REVIEWER = "REVIEWER", "Reviewer"
    CC = "CC", "CC"


class Reviewer(models.Model):
    change = unchecked_key(  # indexed by the unique constraint
        Change, on_delete=models.CASCADE, related_name="reviewers"
    )
    account = unchecked_key(  # looked up by change first, as Approval.account
        Account, on_delete=models.RESTRICT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=ReviewerState.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "account"], name="reviewer_unique")
        ]


class Message(models.Model):
    change = unchecked_key(  # indexed by the unique constraint
        Change, on_delete=models.CASCADE, related_name="messages"
    )
    gerrit_id = models.CharField(max_length=100)
    author = unchecked_key(
        Account, null=True, blank=True, on_delete=models.RESTRICT, related_name="messages"
    )
    date = models.DateTimeField()
    patch_set = models.IntegerField(null=True, blank=True)
    text = models.TextField()
    tag = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "gerrit_id"], name="message_unique")
        ]
        # No index on date alone: messages are only ever read by change (message_unique) or
        # by author and change (below), and a history has some fifteen messages a change.
        indexes = [
            # ``reviewedby:self`` probes, per candidate change, "my latest message on this
            # change" and then "the owner's messages on it after that": seeks in this index
            # (the date lets both stop at once, reading no message row) instead of reading
            # every message of the change through message_unique.
            models.Index(fields=["author", "change", "date"], name="message_author_change_date"),
        ]

    @property
    def is_automatic(self) -> bool:
        return self.tag.startswith("autogenerated:")


class SyncRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    INTERRUPTED = "interrupted", "Interrupted"


class SyncRunQuerySet(models.QuerySet["SyncRun"]):
    def running(self) -> SyncRunQuerySet:
        return self.filter(status=SyncRunStatus.RUNNING)

    def succeeded(self) -> SyncRunQuerySet:
        return self.filter(status=SyncRunStatus.SUCCEEDED)


class SyncRun(models.Model):
    """One sync of one team: the lock, the cursor, the progress and the outcome.

    At most one running row per team (a conditional unique constraint) is the lock that
    keeps two syncs of a team apart. ``server_time`` is the Gerrit clock when the run began;
    a later run continues from the last succeeded run's ``server_time``. Every change
    updated between ``covered_from`` and ``covered_to`` is stored (the checkpoint), so a
    later run completes an unfinished one instead of starting again.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sync_runs")
    status = models.CharField(
        max_length=12, choices=SyncRunStatus.choices, default=SyncRunStatus.RUNNING
    )
    full = models.BooleanField(default=False)
    since = models.DateTimeField(null=True, blank=True, help_text="Lower bound asked for.")
    window_start = models.DateTimeField(
        null=True, blank=True, help_text="Lower bound actually queried (None: all history)."
    )
    repositories = models.JSONField(default=list, blank=True)
    server_time = models.DateTimeField(null=True, blank=True)
    covered_from = models.DateTimeField(null=True, blank=True)
    covered_to = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField()
    heartbeat = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    changes_expected = models.IntegerField(null=True, blank=True)
    changes_fetched = models.IntegerField(default=0)
    changes_created = models.IntegerField(default=0)
    votes_recorded = models.IntegerField(default=0)
    messages_recorded = models.IntegerField(default=0)
    requests = models.IntegerField(default=0)
    core_joined = models.IntegerField(default=0)
    core_left = models.IntegerField(default=0)
    error = models.TextField(blank=True)

    objects = SyncRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started"]
        get_latest_by = "started"
        indexes = [models.Index(fields=["team", "-started"], name="syncrun_team_started")]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(status="running"),
                name="one_running_sync_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} sync at {self.started:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished is None:
            return None
        return (self.finished - self.started).total_seconds()


class CoreMembership(models.Model):
    """A stretch of core-group membership as observed by syncs.

    Gerrit keeps no membership history over REST (the audit log is for group owners only),
    so ``joined``/``left`` are the times of the syncs that first saw the person in, and then
    out of, the group. History before a team's first sync is estimated from +2 votes
    (``inferred``; see ``gerrit.corehistory``). An open stretch (``left`` is None) is
    current membership.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="core_memberships")
    account = models.ForeignKey(Account, on_delete=models.RESTRICT, related_name="core_memberships")
    joined = models.DateTimeField()
    joined_sync = models.ForeignKey(
        SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    left = models.DateTimeField(null=True, blank=True)
    left_sync = models.ForeignKey(
        SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inferred = models.BooleanField(
        default=False,
        help_text="Dates estimated from the person's first and last +2 votes, not observed.",
    )

    class Meta:
        ordering = ["joined"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "account"],
                condition=Q(left__isnull=True),
                name="one_open_membership",
            )
        ]
        # "Was this account core when it voted?" is asked once per review of a window
        # (core reviews, disagreements): a seek on this index, not a walk of the team's
        # every stretch per review.
        indexes = [
            models.Index(fields=["team", "account", "joined", "left"], name="coremembership_at")
        ]

    def __str__(self) -> str:
        return f"{self.account} in {self.team}"
