"""Every table a sync or a load writes, as comparable rows: how two ways of filling the
database are shown to write the same thing (``test_bulkload``, ``test_forge_http``)."""

from __future__ import annotations

from django.db.models import Model

from dashboard.gerrit.models import (
    Account,
    Approval,
    Change,
    ChangeFile,
    CoreMembership,
    GerritServer,
    Message,
    PatchSet,
    Repository,
    Review,
    ReviewClocks,
    Reviewer,
    SyncRun,
    Team,
    Vote,
)

# Each related model by its natural key, so two loads compare without surrogate ids.
NATURAL_KEYS = {
    GerritServer: "url",
    Team: "name",
    Repository: "name",
    Account: "account_id",
    Change: "number",
    SyncRun: "pk",
}
# Set by the clock of the load itself, not by the history.
UNCOMPARED = {(Change, "synced_at")}
TABLES = (
    Team,
    Repository,
    Account,
    Change,
    PatchSet,
    Message,
    Vote,
    Review,
    Approval,
    Reviewer,
    ChangeFile,
    CoreMembership,
    ReviewClocks,
)


def stored_rows(
    uncompared: frozenset[tuple[type[Model], str]] = frozenset(),
) -> dict[str, list[tuple[object, ...]]]:
    """Every table the loaders write, as sorted rows, foreign keys by natural key."""
    contents = {}
    for model in TABLES:
        columns = []
        for field in model._meta.concrete_fields:
            # A primary key that is a relation (ReviewClocks.change) compares by its key.
            surrogate = field.primary_key and not field.is_relation
            if surrogate or (model, field.name) in UNCOMPARED | uncompared:
                continue
            if field.is_relation:
                columns.append(f"{field.name}__{NATURAL_KEYS[field.related_model]}")
            else:
                columns.append(field.name)
        rows = model.objects.order_by().values_list(*columns)
        contents[model.__name__] = sorted(rows, key=repr)
    return contents
