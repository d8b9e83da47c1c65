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
    while len(times) < changes:
        moment = rng.randint(start, latest)
        if rng.random() * 1.8 < _activity(moment):
            times.append(moment)
    times.sort()
    gap = max(1, 180000 // max(changes, 1))
    numbers = itertools.accumulate(1 + int(rng.expovariate(1 / gap)) for _ in times)
    return [(t, FIRST_NUMBER - 1 + n) for t, n in zip(times, numbers, strict=True)]


def _activity(moment: int) -> float:
    weekday = (moment // _DAY + 3) % 7  # 1970-01-01 was a Thursday
    hour = moment % _DAY // 3600
    weight = (1.0 if weekday < 5 else 0.3) * (1.0 if 7 <= hour <= 21 else 0.45)
    for _, release in CYCLES:
        freeze = release - 35 * _DAY
        weight += 0.7 * math.exp(-(((moment - freeze) / (15 * _DAY)) ** 2))
        weight -= 0.35 * math.exp(-(((moment - release - 7 * _DAY) / (7 * _DAY)) ** 2))
    return weight
