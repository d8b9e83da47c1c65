from __future__ import annotations

app_name = "governance"
urlpatterns: list = []
