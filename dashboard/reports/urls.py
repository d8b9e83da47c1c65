from __future__ import annotations

from django.urls import path

from dashboard.reports import cycle_report_views, email_views, focus_views, weekly_views

app_name = "reports"
# Cycle names may hold dots ("2026.2"), hence <str:cycle>, as in governance's URLs.
_report = "teams/<slug:team>/cycles/<str:cycle>/report/"
urlpatterns = [
    path(
        "teams/<slug:team>/report/", cycle_report_views.cycle_report_default, name="report-default"
    ),
    path(_report, cycle_report_views.cycle_report_page, name="cycle-report"),
    path(f"{_report}narrative/", cycle_report_views.narrative_save, name="cycle-report-narrative"),
    path(
        f"{_report}download/<slug:fmt>/",
        cycle_report_views.cycle_report_download,
        name="cycle-report-download",
    ),
]

# The priority email (weeks are meeting dates, YYYY-MM-DD; a bad one is a 404 with a message).
_email = "teams/<slug:team>/weekly/<str:week>/email/"
urlpatterns += [
    path(_email, email_views.weekly_email, name="weekly-email"),
    path(f"{_email}eml/", email_views.weekly_email_eml, name="weekly-email-eml"),
    path(f"{_email}send/", email_views.weekly_email_send, name="weekly-email-send"),
    path(f"{_email}settings/", email_views.email_settings, name="email-settings"),
    path("teams/<slug:team>/emails/", email_views.sent_emails, name="emails"),
    path("teams/<slug:team>/emails/<int:pk>/", email_views.sent_email, name="email"),
    path("teams/<slug:team>/emails/<int:pk>/eml/", email_views.sent_email_eml, name="email-eml"),
]

# Focus rules (issue 6, item 3).
urlpatterns += [
    path("teams/<slug:team>/focus/", focus_views.focus, name="focus"),
    path("teams/<slug:team>/focus/add/", focus_views.focus_add, name="focus-add"),
    path("teams/<slug:team>/focus/<int:pk>/edit/", focus_views.focus_edit, name="focus-edit"),
    path("teams/<slug:team>/focus/<int:pk>/lift/", focus_views.focus_lift, name="focus-lift"),
    path("teams/<slug:team>/focus/<int:pk>/delete/", focus_views.focus_delete, name="focus-delete"),
]

urlpatterns += [
    # Weekly review priorities (issue 6, items 1 and 5).
    path("teams/<slug:team>/weekly/", weekly_views.weekly_current, name="weekly-current"),
    path("teams/<slug:team>/weekly/start/", weekly_views.weekly_start, name="weekly-start"),
    path("teams/<slug:team>/weekly/bump/", weekly_views.weekly_bump, name="weekly-bump"),
    path(
        "teams/<slug:team>/weekly/delegates/",
        weekly_views.weekly_delegate_add,
        name="weekly-delegate-add",
    ),
    path(
        "teams/<slug:team>/weekly/delegates/<int:user_id>/remove/",
        weekly_views.weekly_delegate_remove,
        name="weekly-delegate-remove",
    ),
    path("teams/<slug:team>/weekly/<str:week>/", weekly_views.weekly, name="weekly"),
    path(
        "teams/<slug:team>/weekly/<str:week>/search/",
        weekly_views.weekly_search,
        name="weekly-search",
    ),
    path("teams/<slug:team>/weekly/<str:week>/add/", weekly_views.weekly_add, name="weekly-add"),
    path(
        "teams/<slug:team>/weekly/<str:week>/intro/",
        weekly_views.weekly_intro,
        name="weekly-intro",
    ),
    path(
        "teams/<slug:team>/weekly/<str:week>/carry/",
        weekly_views.weekly_carry,
        name="weekly-carry",
    ),
    path(
        "teams/<slug:team>/weekly/<str:week>/reorder/",
        weekly_views.weekly_reorder,
        name="weekly-reorder",
    ),
    path(
        "teams/<slug:team>/weekly/<str:week>/items/<int:pk>/move/",
        weekly_views.weekly_reorder,
        name="weekly-move",
    ),
    path(
        "teams/<slug:team>/weekly/<str:week>/items/<int:pk>/note/",
        weekly_views.weekly_note,
        name="weekly-note",
    ),
    path(
        "teams/<slug:team>/weekly/<str:week>/items/<int:pk>/remove/",
        weekly_views.weekly_remove,
        name="weekly-remove",
    ),
]
