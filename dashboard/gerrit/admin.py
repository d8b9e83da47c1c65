"""Staff editing of what the sync cannot learn (servers, teams, repositories, core lists).

Everything the sync writes is read-only here: an edit would be overwritten by the next sync
and would silently disagree with Gerrit meanwhile. Servers show only the *name* of the
environment variable holding the password; the password itself is never stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from dashboard.gerrit.models import (
    Account,
    Change,
    CoreMembership,
    GerritServer,
    Repository,
    SyncRun,
    Team,
)
from dashboard.gerrit.reviews import refresh_review_flags


class ReadOnlyAdmin(admin.ModelAdmin):
    """Synced rows: browse and search, never add or edit (delete stays for cleanup)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(GerritServer)
class GerritServerAdmin(admin.ModelAdmin):
    list_display = ["url", "username", "password_env", "auth_scheme", "requests_per_second"]
    fields = ["url", "username", "password_env", "auth_scheme", "requests_per_second"]
    search_fields = ["url"]

    def save_model(self, request: HttpRequest, obj: GerritServer, form: Any, change: bool) -> None:
        # Running syncs move the throttle's slot (next_request_at) on every request: write
        # only the form's fields, never the slot as it was when this page loaded.
        obj.save(update_fields=list(form.fields) if change else None)


class RepositoryInline(admin.TabularInline):
    model = Repository
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name", "server", "core_group", "repository_count"]
    list_select_related = ["server"]
    search_fields = ["name", "display_name", "repositories__name"]
    inlines = [RepositoryInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(repository_total=Count("repositories"))

    @admin.display(description="repositories", ordering="repository_total")
    def repository_count(self, team: Team) -> int:
        return team.repository_total  # type: ignore[attr-defined]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["__str__", "username", "email", "account_id", "server", "is_bot", "inactive"]
    list_select_related = ["server"]
    list_filter = ["is_bot", "inactive", "server"]
    search_fields = ["username", "name", "email"]
    readonly_fields = ["server", "account_id", "username", "name", "email", "inactive"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts come from Gerrit with the sync


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "repository", "branch", "status", "owner", "updated"]
    list_select_related = ["repository", "owner"]
    list_filter = ["status", "repository"]
    search_fields = ["=number", "subject"]
    date_hierarchy = "updated"
    # Counting every change for "N of M" is a full scan on big teams; the pager does without.
    show_full_result_count = False
    readonly_fields = ["gerrit_link"]

    @admin.display(description="Gerrit")
    def gerrit_link(self, change: Change) -> SafeString:
        return format_html('<a href="{0}">{0}</a>', change.gerrit_url)


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started",
        "team",
        "status",
        "full",
        "changes_fetched",
        "changes_created",
        "votes_recorded",
        "requests",
        "finished",
    ]
    list_select_related = ["team"]
    list_filter = ["status", "team", "full"]
    date_hierarchy = "started"


@admin.register(CoreMembership)
class CoreMembershipAdmin(admin.ModelAdmin):
    list_display = ["account", "team", "joined", "left"]
    list_select_related = ["account", "team"]
    list_filter = ["team", ("left", admin.EmptyFieldListFilter)]
    search_fields = ["account__username", "account__name"]
    autocomplete_fields = ["account"]
    raw_id_fields = ["joined_sync", "left_sync"]

    # Who was core when decides the stored review flags (``Review.by_core`` and
    # ``disagreed_at``), so every edit here recomputes them for the accounts it touched,
    # in the team it left as well as the one it names now.

    def save_model(
        self, request: HttpRequest, obj: CoreMembership, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        touched = [(obj.team_id, obj.account_id)]
        if change:
            touched.append((form.initial.get("team"), form.initial.get("account")))
        _refresh_flags(touched)

    def delete_model(self, request: HttpRequest, obj: CoreMembership) -> None:
        touched = [(obj.team_id, obj.account_id)]
        super().delete_model(request, obj)
        _refresh_flags(touched)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CoreMembership]) -> None:
        touched = list(queryset.values_list("team", "account"))
        super().delete_queryset(request, queryset)
        _refresh_flags(touched)


def _refresh_flags(touched: Iterable[tuple[int | None, int | None]]) -> None:
    """Recompute the review flags of each (team, account) pair, one call per team."""
    accounts: dict[int, set[int]] = defaultdict(set)
    for team_id, account_id in touched:
        if team_id is not None and account_id is not None:
            accounts[team_id].add(account_id)
    for team in Team.objects.filter(pk__in=accounts):
        refresh_review_flags(team=team, account_ids=accounts[team.pk])
