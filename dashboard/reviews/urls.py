from __future__ import annotations

from django.urls import path

from dashboard.reviews import views

app_name = "reviews"
urlpatterns = [
    path("search", views.search, name="search"),
    path("my-reviews/", views.my_reviews, name="my-reviews"),
    path("profile/", views.profile, name="profile"),
    path("profile/link/", views.link_account, name="link-account"),
    path("profile/unlink/", views.unlink_account, name="unlink-account"),
]
