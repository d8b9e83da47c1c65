from __future__ import annotations

from django.urls import path

from dashboard.reports import cycle_report_views

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
