"""The ``change_path`` filter: the change page's path, as ``{% url %}`` would give it."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

from dashboard.core.templatetags.tiller import change_path


@pytest.mark.parametrize(
    ("team", "number"),
    [("glance", 1), ("glance", 345678), ("nova", 987654321), ("987654321", 12)],
)
def test_change_path_is_the_reversed_change_url(team: str, number: int) -> None:
    assert change_path(number, team) == reverse("gerrit:change", args=[team, number])


def test_change_path_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/tiller/")
        assert change_path(42, "glance") == "/tiller/teams/glance/changes/42/"
    finally:
        set_script_prefix("/")
    assert change_path(42, "glance") == "/teams/glance/changes/42/"


def test_change_path_in_a_template_matches_the_url_tag() -> None:
    template = engines["django"].from_string(
        "{% load tiller %}{{ n|change_path:t }}|{% url 'gerrit:change' t n %}"
    )
    mine, django = template.render({"n": 1234, "t": "glance"}).split("|")
    assert mine == django
