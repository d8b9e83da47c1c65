"""When changes are created, and which numbers they get.

One RNG seeded by the simulator's seed draws every creation time, so change ``i`` of a
history is the ``i``-th change created. Times follow the rhythm of an OpenStack team:
weekdays over weekends, office hours across time zones, a rush before each cycle's feature
freeze (about five weeks before release) and a lull just after the release. Numbers grow
with creation time, with gaps, because a real server numbers the changes of all its
projects in one sequence (facts §1.5: ``_number`` is server-unique).
"""

from __future__ import annotations

import itertools
import math
import random

from .content import CYCLES

FIRST_NUMBER = 300000
_DAY = 86400


def creation_schedule(seed: int, changes: int, start: int, end: int) -> list[tuple[int, int]]:
    """(created, number) for every change, in creation order.

    Creation times follow weekdays, office hours and the rush before each feature freeze;
    numbers grow with creation time with gaps, as on a server shared by many projects.
    """
    rng = random.Random(f"schedule:{seed}")
    times: list[int] = []
    latest = end - 60
    rushes = _rushes(start, latest)
    while len(times) < changes:
        moment = rng.randint(start, latest)
        if rng.random() * 1.8 < _activity(moment, rushes):
            times.append(moment)
    times.sort()
    gap = max(1, 180000 // max(changes, 1))
    numbers = itertools.accumulate(1 + int(rng.expovariate(1 / gap)) for _ in times)
    return [(t, FIRST_NUMBER - 1 + n) for t, n in zip(times, numbers, strict=True)]


def _rushes(start: int, end: int) -> list[tuple[int, int, float]]:
    """(centre, width, height) of the bell curves of activity that can reach [start, end]:
    the rush before each feature freeze and the lull after each release, in calendar order.

    Farther curves add exactly 0.0 there (``math.exp`` of less than -800 underflows to
    zero), so leaving them out changes no sum and no draw; it saves a hundred ``exp``
    calls a draw, which were most of a large schedule's time.
    """
    reach = math.sqrt(800)
    curves = []
    for _, release in CYCLES:
        curves.append((release - 35 * _DAY, 15 * _DAY, 0.7))
        curves.append((release + 7 * _DAY, 7 * _DAY, -0.35))
    return [c for c in curves if start - reach * c[1] <= c[0] <= end + reach * c[1]]


def _activity(moment: int, rushes: list[tuple[int, int, float]]) -> float:
    weekday = (moment // _DAY + 3) % 7  # 1970-01-01 was a Thursday
    hour = moment % _DAY // 3600
    weight = (1.0 if weekday < 5 else 0.3) * (1.0 if 7 <= hour <= 21 else 0.45)
    for centre, width, height in rushes:
        if height > 0:
            weight += height * math.exp(-(((moment - centre) / width) ** 2))
        else:
            weight -= -height * math.exp(-(((moment - centre) / width) ** 2))
    return weight
