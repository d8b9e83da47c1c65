from __future__ import annotations

from django.contrib import admin

from dashboard.reviews.models import GerritIdentity, Star


@admin.register(GerritIdentity)
class GerritIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "server"]
    list_select_related = ["user", "account__server"]
    search_fields = ["user__username", "user__email", "account__username", "account__email"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["account"]

    @admin.display(ordering="account__server__url")
    def server(self, obj: GerritIdentity) -> str:
        return str(obj.account.server)


@admin.register(Star)
class StarAdmin(admin.ModelAdmin):
    """Stars are the users' own; staff look, and delete when cleaning up."""

    list_display = ["user", "change", "created"]
    list_select_related = ["user", "change"]
    search_fields = ["user__username", "change__number", "change__subject"]
    readonly_fields = ["user", "change", "created"]

    def has_add_permission(self, request: object) -> bool:
        return False
