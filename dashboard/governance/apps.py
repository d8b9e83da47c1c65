from __future__ import annotations

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "dashboard.governance"
    label = "governance"
    verbose_name = "Cycles, priorities and specs"
