"""Staff editing of what the sync cannot learn (servers, teams, repositories, core lists).

Everything the sync writes is read-only here: an edit would be overwritten by the next sync
and would silently disagree with Gerrit meanwhile. Servers show only the *name* of the
environment variable holding the password; the password itself is never stored.
"""

from __future__ import annotations

from typing import Any

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
