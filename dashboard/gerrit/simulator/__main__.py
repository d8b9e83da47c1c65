"""``python -m dashboard.gerrit.simulator``: serve a simulated Gerrit until Ctrl-C.

Used by benchmarks that want the server in its own process; the printed URL is the only
line on stdout, so a parent process can read it to learn the port. ``--forge`` serves a
server of many teams (``forge.Forge``, sized by ``--teams``, ``--repositories``,
``--changes`` and ``--accounts``) instead of one team; the startup time and the resident
memory once indexed go to stderr.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from datetime import datetime

from . import forge as forge_sizes
from .auth import BASIC, DIGEST
from .forge import Forge
from .forgesim import ForgeSimulator
from .generator import DEFAULT_END, DEFAULT_SHAPE, SHAPES
from .rendercache import DEFAULT_CACHE_BYTES
from .server import start_simulator
from .simulator import Simulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.gerrit.simulator", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--changes",
        type=int,
        help=f"history size (default 3000; {forge_sizes.DEFAULT_CHANGES:,} with --forge)",
    )
    parser.add_argument("--people", type=int, default=40, help="one team's people")
    parser.add_argument("--companies", type=int, default=8, help="one team's companies")
    parser.add_argument(
        "--forge", action="store_true", help="serve a server of many teams (forge.Forge)"
    )
    parser.add_argument("--teams", type=int, default=forge_sizes.DEFAULT_TEAMS, help="--forge")
    parser.add_argument(
        "--repositories", type=int, default=forge_sizes.DEFAULT_REPOSITORIES, help="--forge"
    )
    parser.add_argument(
        "--accounts", type=int, default=forge_sizes.DEFAULT_ACCOUNTS, help="--forge"
    )
    parser.add_argument(
        "--shape",
        choices=tuple(SHAPES),
        default=DEFAULT_SHAPE,
        help="how many patch sets and reviews a change gets (default: the Glance-like one)",
    )
    parser.add_argument(
        "--end",
        type=datetime.fromisoformat,
        default=DEFAULT_END,
        help="end of the history, ISO 8601 (UTC if no zone)",
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="NAME:PASSWORD",
        help="credentials for /a/ paths; repeatable",
    )
    parser.add_argument("--auth", choices=(BASIC, DIGEST), default=BASIC)
    parser.add_argument(
        "--cache-mb",
        type=int,
        default=DEFAULT_CACHE_BYTES >> 20,
        help="memory for rendered changes, so repeated syncs are cheap; 0 disables",
    )
    parser.add_argument(
        "--no-prefetch",
        action="store_true",
        help="do not render the next page of a query while the client reads one",
    )
    args = parser.parse_args(argv)
    credentials = dict(user.split(":", 1) for user in args.user)
    started = time.perf_counter()
    sim: Simulator
    if args.forge:
        try:
            forge = Forge(
                seed=args.seed,
                teams=args.teams,
                repositories=args.repositories,
                changes=forge_sizes.DEFAULT_CHANGES if args.changes is None else args.changes,
                accounts=args.accounts,
                shape=args.shape,
                end=args.end,
            )
        except ValueError as error:
            parser.error(str(error))
        sim = ForgeSimulator(forge, credentials=credentials)
    else:
        sim = Simulator(
            seed=args.seed,
            changes=3000 if args.changes is None else args.changes,
            people=args.people,
            companies=args.companies,
            end=args.end,
            credentials=credentials,
            shape=args.shape,
        )
    # the index lives as long as the process: frozen, the collector stops rescanning it;
    # and rendering a change allocates thousands of short-lived tuples, all freed by
    # reference counting, so collections run rarer (they took 7% of a full sync's serving)
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    server = start_simulator(
        sim,
        args.host,
        args.port,
        auth_scheme=args.auth,
        cache_bytes=args.cache_mb << 20,
        prefetch=not args.no_prefetch,
    )
    print(server.url, flush=True)
    print(
        f"{len(sim.generator)} changes indexed in {time.perf_counter() - started:.1f}s, "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB resident; "
        "Ctrl-C stops",
        file=sys.stderr,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
