"""Random draws for hot paths that take exactly the bits ``random.Random`` would.

``Random.randint`` goes through ``randrange`` and ``_randbelow``, three Python-level calls
for one ``getrandbits``; the generator makes hundreds of thousands of such draws per page
of history. These helpers implement CPython's algorithm (rejection sampling over
``getrandbits(n.bit_length())``) directly, so a history stays byte for byte the one
``Random``'s own methods would give, only cheaper to produce.
"""

from __future__ import annotations

import random
from collections.abc import Sequence


def below(rng: random.Random, n: int) -> int:
    """``rng.randrange(n)``: a uniform integer in [0, n)."""
    if n <= 0:
        raise ValueError("empty range for randrange()")
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return r


def randint(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint(low, high)``: a uniform integer in [low, high]."""
    n = high - low + 1  # below() inlined, as in choice()
    if n <= 0:
        raise ValueError(f"empty range in randrange({low}, {high + 1})")
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return low + r


def choice[T](rng: random.Random, seq: Sequence[T]) -> T:
    """``rng.choice(seq)`` for a non-empty sequence."""
    n = len(seq)
    if not n:
        raise IndexError("Cannot choose from an empty sequence")
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return seq[r]
