"""The simulator in a process of its own: for the demo and the benchmarks.

In-process, the simulator's rendering competes with the caller for the interpreter lock;
in its own process it uses the other core, and a sync or a web server beside it measures
and behaves as it would against a real Gerrit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

_PROJECT_ROOT = Path(__file__).resolve().parents[3]
# Forge parameters the command line takes besides --changes, --seed, --shape and --end.
_FORGE_OPTIONS = {
    "teams": "--teams",
    "repositories": "--repositories",
    "accounts": "--accounts",
    "changes": "--changes",
    "seed": "--seed",
    "shape": "--shape",
    "end": "--end",
}


class SimulatorStartError(RuntimeError):
    """The simulator process did not come up; the message says why (e.g. port in use)."""


class SimulatorProcess:
    """A running ``python -m dashboard.gerrit.simulator``; ``url`` has no trailing slash.

    ``forge`` serves a server of many teams instead of one: ``Forge``'s keyword arguments
    (``teams``, ``repositories``, ``changes``, ``accounts``, ``seed``, ``shape``, ``end``),
    any left out at their defaults; ``changes``, ``seed``, ``shape`` and ``end`` given
    directly are used when the dict does not name them. Starting the default forge
    (300,000 changes) takes a minute or two: the constructor waits for it.
    """

    def __init__(
        self,
        *,
        changes: int | None = None,
        seed: int = 1,
        port: int = 0,
        end: datetime | None = None,
        host: str = "127.0.0.1",
        shape: str | None = None,
        forge: Mapping[str, Any] | None = None,
    ) -> None:
        command = [sys.executable, "-m", "dashboard.gerrit.simulator", "--host", host]
        command += ["--port", str(port)]
        if forge is not None:
            unknown = set(forge) - set(_FORGE_OPTIONS)
            if unknown:
                raise ValueError(f"unknown forge parameters: {', '.join(sorted(unknown))}")
            given = {"changes": changes, "seed": seed, "shape": shape, "end": end}
            parameters = {**{k: v for k, v in given.items() if v is not None}, **forge}
            changes, seed = parameters.pop("changes", None), parameters.pop("seed")
            shape, end = parameters.pop("shape", None), parameters.pop("end", None)
            command.append("--forge")
            for name, value in parameters.items():
                command += [_FORGE_OPTIONS[name], str(value)]
        if changes is not None:
            command += ["--changes", str(changes)]
        command += ["--seed", str(seed)]
        if shape is not None:
            command += ["--shape", shape]
        if end is not None:
            command += ["--end", end if isinstance(end, str) else end.isoformat()]
        self.process = subprocess.Popen(
            command, cwd=_PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.process.wait(timeout=10)
            said = self.process.stderr.read().strip().splitlines()
            reason = said[-1] if said else f"exit status {self.process.returncode}"
            raise SimulatorStartError(f"the simulator did not start on {host}:{port}: {reason}")

    def advance(self, seconds: int) -> list[int]:
        """Let the simulated team work for ``seconds``; returns the changes it touched."""
        request = urllib.request.Request(
            f"{self.url}/__sim__/advance",
            data=json.dumps({"seconds": seconds}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read()).get("changed", [])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> SimulatorProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
