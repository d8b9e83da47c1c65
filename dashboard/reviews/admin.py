from __future__ import annotations

from django.contrib import admin

from dashboard.reviews.models import Dashboard, DashboardSection, GerritIdentity, Star


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


class DashboardSectionInline(admin.TabularInline):
    model = DashboardSection
    extra = 0
    ordering = ["position"]


@admin.register(Dashboard)
class DashboardAdmin(admin.ModelAdmin):
    """Team dashboards are edited in the site as .dash text; the admin is for staff fixes."""

    list_display = ["title", "slug", "team", "owner", "is_default", "updated"]
    list_filter = ["is_default", "team"]
    list_select_related = ["team", "owner"]
    search_fields = ["title", "slug", "description"]
    raw_id_fields = ["owner"]
    inlines = [DashboardSectionInline]
