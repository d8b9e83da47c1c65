"""Release cycles and what a team plans in them: the schedule, priorities and specs.

One module per subject; this package only re-exports them so that Django (and callers)
find every model as ``dashboard.governance.models.X``.
"""

from __future__ import annotations

from dashboard.governance.models.cycles import Cycle, CycleEvent, CycleStatus, EventKind
from dashboard.governance.models.leaders import Leader, LeaderRole
from dashboard.governance.models.priorities import (
    FeatureFreezeException,
    FFEDecision,
    Priority,
    PriorityAction,
    PriorityChange,
    PriorityStatus,
)
from dashboard.governance.models.specs import Spec, SpecKind, SpecState, SpecStateChange
from dashboard.governance.models.weekly import (
    ItemKind,
    WeeklyDelegate,
    WeeklyEdit,
    WeeklyItem,
    WeeklyList,
)

__all__ = [
    "Cycle",
    "CycleEvent",
    "CycleStatus",
    "EventKind",
    "ItemKind",
    "Leader",
    "LeaderRole",
    "FFEDecision",
    "FeatureFreezeException",
    "Priority",
    "PriorityAction",
    "PriorityChange",
    "PriorityStatus",
    "Spec",
    "SpecKind",
    "SpecState",
    "SpecStateChange",
    "WeeklyDelegate",
    "WeeklyEdit",
    "WeeklyItem",
    "WeeklyList",
]
