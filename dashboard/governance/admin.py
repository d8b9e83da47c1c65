"""Staff editing of cycles, their events and leaders (the release team's data, mostly
imported, sometimes corrected by hand)."""

from __future__ import annotations

from django.contrib import admin

from dashboard.governance.models import Cycle, CycleEvent, Leader


class CycleEventInline(admin.TabularInline):
    model = CycleEvent
    extra = 0
    fields = ["start", "end", "due", "kind", "label", "title", "team"]
    raw_id_fields = ["team"]


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "release_id", "status", "start", "end"]
    list_filter = ["status"]
    search_fields = ["name", "release_id"]
    inlines = [CycleEventInline]


@admin.register(CycleEvent)
class CycleEventAdmin(admin.ModelAdmin):
    list_display = ["title", "cycle", "kind", "team", "start", "due", "label"]
    list_filter = ["kind", "cycle"]
    search_fields = ["title", "label"]
    list_select_related = ["cycle", "team"]


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "team", "cycle", "irc", "email", "account", "source"]
    list_filter = ["role", "team", "cycle"]
    search_fields = ["name", "irc", "email"]
    raw_id_fields = ["account"]
    list_select_related = ["team", "cycle", "account"]
