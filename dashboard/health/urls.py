from __future__ import annotations

app_name = "health"
urlpatterns: list = []
