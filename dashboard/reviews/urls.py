from __future__ import annotations

from django.urls import path

from dashboard.reviews import dashboard_views, views

app_name = "reviews"
urlpatterns = [
    path("search", views.search, name="search"),
    path("my-reviews/", views.my_reviews, name="my-reviews"),
    path("profile/", views.profile, name="profile"),
    path("profile/link/", views.link_account, name="link-account"),
    path("profile/unlink/", views.unlink_account, name="unlink-account"),
    path("teams/<slug:team>/changes/<int:number>/star/", views.star, name="star"),
]

# Dashboards (.dash): the team's, and the signed-in user's own under my-dashboards/.
_team_dashboards = "teams/<slug:team>/dashboards/"
_my_dashboards = "teams/<slug:team>/my-dashboards/<slug:slug>/"
urlpatterns += [
    path(_team_dashboards, dashboard_views.dashboard_list, name="dashboards"),
    # "+import" cannot be a slug, so no dashboard's URL is ever shadowed by this one.
    path(f"{_team_dashboards}+import/", dashboard_views.dashboard_import, name="dashboard-import"),
    path(f"{_team_dashboards}<slug:slug>/", dashboard_views.dashboard_detail, name="dashboard"),
    path(
        f"{_team_dashboards}<slug:slug>/export/",
        dashboard_views.dashboard_export,
        name="dashboard-export",
    ),
    path(
        f"{_team_dashboards}<slug:slug>/edit/",
        dashboard_views.dashboard_edit,
        name="dashboard-edit",
    ),
    path(
        f"{_team_dashboards}<slug:slug>/copy/",
        dashboard_views.dashboard_copy,
        name="dashboard-copy",
    ),
    path(_my_dashboards, dashboard_views.my_dashboard_detail, name="my-dashboard"),
    path(
        f"{_my_dashboards}export/",
        dashboard_views.my_dashboard_export,
        name="my-dashboard-export",
    ),
    path(f"{_my_dashboards}edit/", dashboard_views.my_dashboard_edit, name="my-dashboard-edit"),
]
