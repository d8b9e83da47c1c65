from __future__ import annotations

from django.urls import path

from dashboard.governance import priority_views, spec_views, views

app_name = "governance"
# Cycle names are OpenStack's series names, and since 2023 also "2026.2": <str:> takes dots.
_cycle = "teams/<slug:team>/cycles/<str:cycle>/"
urlpatterns = [
    path("teams/<slug:team>/cycles/", views.cycle_list, name="cycles"),
    path("teams/<slug:team>/cycle/", views.cycle_current, name="cycle-current"),
    path("teams/<slug:team>/calendar.ics", views.calendar_feed, name="calendar"),
    path(_cycle, views.cycle_detail, name="cycle"),
    path(f"{_cycle}events/", views.team_event_add, name="team-event-add"),
    path(f"{_cycle}events/<int:event>/delete/", views.team_event_delete, name="team-event-delete"),
    path(f"{_cycle}leaders/", views.leader_add, name="leader-add"),
    path(f"{_cycle}leaders/<int:leader>/delete/", views.leader_delete, name="leader-delete"),
    path(
        "teams/<slug:team>/priorities/",
        priority_views.priorities_default,
        name="priorities-default",
    ),
    path(f"{_cycle}priorities/", priority_views.priorities, name="priorities"),
    path(f"{_cycle}priorities/add/", priority_views.priority_add, name="priority-add"),
    path(
        f"{_cycle}priorities/reorder/", priority_views.priorities_reorder, name="priorities-reorder"
    ),
    path(
        f"{_cycle}priorities/<int:pk>/move/",
        priority_views.priorities_reorder,
        name="priority-move",
    ),
    path(f"{_cycle}priorities/<int:pk>/edit/", priority_views.priority_edit, name="priority-edit"),
    path(
        f"{_cycle}priorities/<int:pk>/delete/",
        priority_views.priority_delete,
        name="priority-delete",
    ),
    path(f"{_cycle}ffe/", priority_views.ffe_list, name="ffes"),
    path(f"{_cycle}ffe/request/", priority_views.ffe_request, name="ffe-request"),
    path(f"{_cycle}ffe/<int:pk>/decide/", priority_views.ffe_decide, name="ffe-decide"),
    path("teams/<slug:team>/specs/", spec_views.spec_list, name="specs"),
    path(
        "teams/<slug:team>/specs/untargeted/", spec_views.spec_untargeted, name="specs-untargeted"
    ),
    path(
        "teams/<slug:team>/specs/turnaround/", spec_views.spec_turnaround, name="specs-turnaround"
    ),
    path(
        "teams/<slug:team>/specs/<str:deliverable>/<str:slug>/",
        spec_views.spec_detail,
        name="spec",
    ),
]
