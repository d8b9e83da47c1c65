"""The forge: many teams on one simulated Gerrit, shared people, generated as a stream."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from dashboard.gerrit.simulator.forge import Forge
from dashboard.gerrit.simulator.generator import HistoryGenerator

SMALL = {"seed": 7, "teams": 4, "repositories": 10, "changes": 300, "accounts": 60}
OPTIONS = frozenset({"DETAILED_ACCOUNTS", "LABELS", "MESSAGES", "ALL_REVISIONS"})


def _changes(forge: Forge) -> list[dict]:
    return [json.loads(text) for text in forge.render(0, len(forge), OPTIONS)]


def test_the_same_sizes_and_seed_give_the_same_slice_byte_for_byte():
    first, second = Forge(**SMALL), Forge(**SMALL)
    assert first.render(0, 300, OPTIONS) == second.render(0, 300, OPTIONS)
    assert first.render(0, 300, OPTIONS) != Forge(**{**SMALL, "seed": 8}).render(0, 300, OPTIONS)


def test_teams_have_their_own_repositories_and_their_changes_stay_in_them():
    forge = Forge(**SMALL)
    names = [name for team in forge.teams for name in team.repositories]
    assert len(names) == len(set(names)) == 10
    assert len({team.name for team in forge.teams}) == 4
    assert all(team.repositories for team in forge.teams)
    for position, change in enumerate(_changes(forge)):
        assert change["project"] in forge.team_of(position).repositories
    per_team = Counter(forge.team_of(position).name for position in range(len(forge)))
    assert sum(per_team.values()) == 300 and len(per_team) == 4
    assert per_team.most_common()[0][1] > per_team.most_common()[-1][1]  # a big team, a small


def test_numbers_are_unique_on_the_server_and_grow_with_creation_across_teams():
    changes = _changes(Forge(**SMALL))
    numbers = [change["_number"] for change in changes]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert [c["created"] for c in changes] == sorted(c["created"] for c in changes)
    assert len({c["change_id"] for c in changes if c["branch"] == "master"}) == len(
        [c for c in changes if c["branch"] == "master"]
    )


def test_people_come_from_one_pool_and_some_work_in_several_teams():
    forge = Forge(**SMALL)
    humans = {a for a in forge.accounts.values() if not a.tags}
    assert len(humans) == 60
    memberships = Counter(
        account_id
        for team in forge.teams
        for account_id, account in team.people.accounts.items()
        if not account.tags
    )
    assert set(memberships) == {a.account_id for a in humans}  # everyone works somewhere
    assert max(memberships.values()) > 1
    # One Zuul for the whole server, and every team has a core group of its own.
    assert len({team.people.zuul.account_id for team in forge.teams}) == 1
    assert all(len(team.core_members(forge.now)) >= 3 for team in forge.teams)
    voters = {}
    for position, change in enumerate(_changes(forge)):
        for vote in change["labels"]["Code-Review"].get("all", []):
            voters.setdefault(vote["_account_id"], set()).add(forge.team_of(position).name)
    assert any(len(teams) > 1 for teams in voters.values())


def test_a_pool_larger_than_the_invented_names_tells_people_apart():
    forge = Forge(seed=1, teams=2, repositories=2, changes=0, accounts=2500)
    people = [a for a in forge.accounts.values() if not a.tags]
    assert len({a.name for a in people}) == len({a.email for a in people}) == 2500
    assert len({a.username for a in people}) == 2500


def test_changes_are_generated_only_as_they_are_read(monkeypatch):
    generated: list[int] = []
    history = HistoryGenerator.history

    def counting(self, index, skeleton=None):
        generated.append(index)
        return history(self, index, skeleton)

    monkeypatch.setattr(HistoryGenerator, "history", counting)
    forge = Forge(**{**SMALL, "changes": 3000})
    assert generated == []
    pages = forge.rendered_pages(size=25, options=OPTIONS)
    first = next(pages)
    assert len(first) == 25 and len(generated) == 25
    snapshots = forge.snapshots(100)
    next(snapshots)
    assert len(generated) == 26
    assert all(team.generator._cache_size == 0 for team in forge.teams)  # nothing kept


def test_worker_processes_render_the_same_pages_in_order():
    forge = Forge(**{**SMALL, "changes": 120})
    in_process = list(forge.rendered_pages(size=50, options=OPTIONS))
    assert [len(page) for page in in_process] == [50, 50, 20]
    assert list(forge.rendered_pages(size=50, options=OPTIONS, workers=1)) == in_process


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"teams": 0}, "one to 65,535 teams"),
        ({"teams": 5, "repositories": 4}, "a repository per team"),
        ({"teams": 5, "accounts": 19}, "four accounts per team"),
        ({"changes": -1}, "changes must be"),
    ],
)
def test_sizes_that_cannot_make_a_server_are_refused(sizes, message):
    with pytest.raises(ValueError, match=message):
        Forge(**{**SMALL, **sizes})
