"""Teams from openstack/reviewstats project definitions.

A reviewstats file (``projects/glance.json``) names the team, its repositories
(``subprojects``) and its core reviewers, either as a Gerrit group
(``core-team-gerrit-group``) or as a list of user names (``core-team``). Reading is a pure
function so that a broken file is reported precisely before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from dashboard.gerrit.models import AuthScheme, GerritServer, Repository, Team


class TeamDefinitionError(ValueError):
    """The file is not a usable team definition; the message says where and why."""


@dataclass(frozen=True)
class TeamDefinition:
    """``slug`` is the team's key in URLs and commands; ``name`` is how people call it."""

    slug: str
    name: str
    repositories: tuple[str, ...]
    core_group: str = ""
    core_usernames: tuple[str, ...] = ()


def simulated_team() -> TeamDefinition:
    """The team the built-in Gerrit simulator serves: the demo's, the benchmarks' and the
    tests' (its repositories and core group come from the simulator itself)."""
    from dashboard.gerrit.simulator import CORE_GROUP, DEFAULT_REPOSITORIES

    return TeamDefinition(
        slug="glance",
        name="Glance",
        repositories=tuple(sorted(name for name, _ in DEFAULT_REPOSITORIES)),
        core_group=CORE_GROUP,
    )


@dataclass(frozen=True)
class TeamImport:
    team: Team
    created: bool
    repositories_added: list[str] = field(default_factory=list)
    repositories_kept: list[str] = field(default_factory=list)


def team_slug(file_stem: str) -> str:
    """reviewstats keys a team by its file name (``oslo.messaging.json``): that, as a slug."""
    return slugify(file_stem.replace(".", "-"))


def parse_team_definition(text: str, *, slug: str, source: str = "the file") -> TeamDefinition:
    """Read a reviewstats project definition, or raise ``TeamDefinitionError``."""
    if not slug:
        raise TeamDefinitionError(f"{source}: cannot make a team key from the file name")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TeamDefinitionError(
            f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise TeamDefinitionError(f"{source} must hold a JSON object, not {type(data).__name__}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TeamDefinitionError(f"{source}: 'name' must be a non-empty string (got {name!r})")
    repositories = data.get("subprojects")
    if (
        not isinstance(repositories, list)
        or not repositories
        or not all(isinstance(r, str) and r.strip() for r in repositories)
    ):
        raise TeamDefinitionError(
            f"{source}: 'subprojects' must be a non-empty list of repository names"
        )
    group = data.get("core-team-gerrit-group", "")
    usernames = data.get("core-team", [])
    if not isinstance(group, str):
        raise TeamDefinitionError(f"{source}: 'core-team-gerrit-group' must be a string")
    if not isinstance(usernames, list) or not all(isinstance(u, str) for u in usernames):
        raise TeamDefinitionError(f"{source}: 'core-team' must be a list of user names")
    return TeamDefinition(
        slug=slug,
        name=name.strip(),
        repositories=tuple(dict.fromkeys(r.strip() for r in repositories)),
        core_group=group.strip(),
        core_usernames=tuple(usernames),
    )


@transaction.atomic
def import_team(
    *,
    definition: TeamDefinition,
    gerrit_url: str,
    username: str = "",
    password_env: str = "",
    auth_scheme: str = AuthScheme.BASIC,
    requests_per_second: float | None = None,
) -> TeamImport:
    """Create or update the team. Repositories missing from the file are kept, not
    deleted: deleting one would delete its synced history, which is a decision for a
    person in the admin, not for an import. Server settings left empty (None, "") keep
    the server's current values; ``requests_per_second`` 0 removes its rate limit."""
    server, _ = GerritServer.objects.get_or_create(url=gerrit_url.rstrip("/"))
    wanted: dict[str, object] = {
        "username": username,
        "password_env": password_env,
        "auth_scheme": auth_scheme if (username or password_env) else "",
    }
    wanted = {name: value for name, value in wanted.items() if value}
    if requests_per_second is not None:
        wanted["requests_per_second"] = requests_per_second or None  # 0: no limit
    changed = [name for name, value in wanted.items() if getattr(server, name) != value]
    for name in changed:
        setattr(server, name, wanted[name])
    if changed:
        # Only the changed fields: the throttle's slot on this row moves on every request.
        server.save(update_fields=changed)
    team, created = Team.objects.update_or_create(
        name=definition.slug,
        defaults={
            "display_name": definition.name,
            "server": server,
            "core_group": definition.core_group,
            "core_usernames": list(definition.core_usernames),
        },
    )
    existing = set(team.repositories.values_list("name", flat=True))
    added = [name for name in definition.repositories if name not in existing]
    Repository.objects.bulk_create([Repository(team=team, name=name) for name in added])
    kept = sorted(existing - set(definition.repositories))
    return TeamImport(team=team, created=created, repositories_added=added, repositories_kept=kept)
