"""A fake Gerrit for tests and benchmarks: deterministic history, real HTTP, faults on demand.

Pure standard library and no Django, so it also runs as a plain subprocess
(``python -m dashboard.gerrit.simulator``). Typical use::

    sim = Simulator(seed=1, changes=3000, credentials={"ptl": "secret"})
    with start_simulator(sim) as server:
        requests.get(server.url + "/changes/?q=project:openstack/glance&n=100")
        sim.advance(3600)                      # an hour of team activity
        server.inject("error", status=503)     # the next request fails

What it mimics, and where it stops, is described in each module's docstring with
references to ``gerrit-rest-facts.md``.
"""

from __future__ import annotations

from .faults import Fault, LoggedRequest
from .generator import DEFAULT_END, DEFAULT_REPOSITORIES
from .people import CORE_GROUP, Account
from .server import SimulatorServer, start_simulator
from .simulator import ChangeConflict, ChangeSnapshot, Simulator

__all__ = [
    "CORE_GROUP",
    "DEFAULT_END",
    "DEFAULT_REPOSITORIES",
    "Account",
    "ChangeConflict",
    "ChangeSnapshot",
    "Fault",
    "LoggedRequest",
    "Simulator",
    "SimulatorServer",
    "start_simulator",
]
