from __future__ import annotations

from django.urls import path

from dashboard.governance import views

app_name = "governance"
_cycle = "teams/<slug:team>/cycles/<slug:cycle>/"
urlpatterns = [
    path("teams/<slug:team>/cycles/", views.cycle_list, name="cycles"),
    path("teams/<slug:team>/cycle/", views.cycle_current, name="cycle-current"),
    path("teams/<slug:team>/calendar.ics", views.calendar_feed, name="calendar"),
    path(_cycle, views.cycle_detail, name="cycle"),
    path(f"{_cycle}events/", views.team_event_add, name="team-event-add"),
    path(f"{_cycle}events/<int:event>/delete/", views.team_event_delete, name="team-event-delete"),
    path(f"{_cycle}leaders/", views.leader_add, name="leader-add"),
    path(f"{_cycle}leaders/<int:leader>/delete/", views.leader_delete, name="leader-delete"),
]
