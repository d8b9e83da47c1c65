"""Staff editing of organisations (names, aliases, e-mail domains) and affiliations.

People and the PTL edit affiliations on the team's affiliations page; the admin is where
staff rename an organisation or merge spellings into its aliases.
"""

from __future__ import annotations

from django.contrib import admin

from dashboard.health.models import Affiliation, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "aliases", "domains"]
    search_fields = ["name"]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["account", "organisation", "start", "end", "source", "edited_by", "edited"]
    list_filter = ["source", "organisation"]
    search_fields = ["account__name", "account__username", "organisation__name"]
    list_select_related = ["account", "organisation", "edited_by"]
    raw_id_fields = ["account"]
    readonly_fields = ["edited_by", "edited"]
