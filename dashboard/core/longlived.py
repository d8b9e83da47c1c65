"""Keeping full garbage collections short in a process that serves pages."""

from __future__ import annotations

import gc


def freeze_long_lived_objects() -> int:
    """Collect what is garbage now, then put every object still alive out of the cyclic
    collector's reach (``gc.freeze``); returns how many objects are frozen in all.

    A web process holds some 120,000 objects once Django, the URLconf and the templates
    are loaded, and a full (generation 2) collection walks every one: on the 2-core
    machines here that took 65 to 70 ms, and it landed on about one request in ten (open
    reviews on the 300,000-change forge: 41 ms at the median, 104 to 117 ms for those
    requests). Objects that live as long as the process never become garbage; frozen, they
    are no longer walked, while what each request allocates is collected as before. The
    served site's workers call this once their application is loaded
    (``dashboard/gunicorn.conf.py``), and the page benchmarks after their warm-ups, so
    that both time the same thing.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
