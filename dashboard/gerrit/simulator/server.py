"""The simulator over real HTTP: a ThreadingHTTPServer in a daemon thread.

Transport details follow Gerrit (facts §1): ``/a/…`` requires Basic (or, configured,
Digest) credentials and answers 401 with a ``Gerrit Code Review`` challenge otherwise;
every response carries ``X-Content-Type-Options: nosniff`` and a ``Date`` header that is
the *simulator's* clock, because clients take the server time from it. Injected faults
(see ``faults``) are applied here, before authentication, as a proxy in front of Gerrit
would. A small control API under ``/__sim__/`` (plain JSON, never faulted or logged)
lets a client in another process advance the clock, inject faults and read the log.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .api import Request, Response, RestApi, text_response
from .auth import BASIC, Authenticator
from .faults import Fault, FaultPlan, RequestLog
from .rendercache import DEFAULT_CACHE_BYTES
from .simulator import Simulator
from .timestamps import format_timestamp, http_date

CONTROL_PREFIX = "/__sim__/"
_HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
    b"<body><h1>Sign in</h1><p>Your session has expired.</p></body></html>\n"
)


class _HTTPServer(ThreadingHTTPServer):
    """Quiet about clients that hang up mid-answer (a client timeout, as a slow fault
    provokes on purpose); any other handler error is still printed."""

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class SimulatorServer:
    """A running simulator; ``url`` has no trailing slash. Use as a context manager.

    ``cache_bytes`` bounds the cache of rendered changes and ``prefetch`` renders the next
    page of a query ahead (see ``pages``); neither changes any response.
    """

    def __init__(
        self,
        sim: Simulator,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        auth_scheme: str = BASIC,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        prefetch: bool = True,
    ) -> None:
        self.sim = sim
        self.api = RestApi(sim, cache_bytes=cache_bytes, prefetch=prefetch)
        self.auth = Authenticator(sim.credentials, auth_scheme)
        self.faults = FaultPlan()
        self.requests = RequestLog()
        handler = type("Handler", (_Handler,), {"owner": self})
        self._httpd = _HTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        bound_host, bound_port = self._httpd.server_address[:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # how long stop() may wait for the loop
            daemon=True,
            name="gerrit-simulator",
        )
        self._thread.start()

    def inject(self, kind: str, **params: Any) -> Fault:
        """Queue a fault, e.g. ``inject("error", status=502, count=2, path_prefix="/changes/")``."""
        fault = Fault(kind, **params)
        self.faults.add(fault)
        return fault

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self.api.close()

    def __enter__(self) -> SimulatorServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def answer(
        self, request: Request, target: str, fault: Fault | None, authorization: str | None
    ) -> Response:
        """The response to one REST request, with ``fault`` (if any) applied."""
        if fault is not None and fault.kind == "error":
            return text_response(fault.status, fault.text)
        if fault is not None and fault.kind == "rate_limit":
            response = text_response(429, "Quota limit reached")
            response.headers["Retry-After"] = str(fault.retry_after)
            return response
        if fault is not None and fault.kind == "html":
            return Response(200, _HTML_PAGE, "text/html; charset=UTF-8")
        if request.path.startswith("/a/"):
            user = self.auth.authenticate(request.method, target, authorization)
            if user is None:
                response = text_response(401, "Unauthorized")
                response.headers["WWW-Authenticate"] = self.auth.challenge()
                return response
            request = Request(request.method, request.path, request.params, request.body, user)
        try:
            response = self.api.handle(request)
        except Exception as error:  # as RestApiServlet does: a bug is a 500, not a dead socket
            traceback.print_exc()
            return text_response(500, f"Internal server error: {error}")
        if fault is not None and response.status == 200:
            if fault.kind == "truncate":
                response.body = response.body[: 5 + (len(response.body) - 5) // 2]
            elif fault.kind == "paging" and request.path.rstrip("/").endswith("/changes"):
                self.api.disturb_paging(
                    request, seen=fault.seen, unseen=fault.unseen, close_seen=fault.close_seen
                )
        return response

    def control(self, method: str, path: str, body: bytes) -> Response:
        """``/__sim__/`` endpoints: faults, advance, touch, core, requests, clock."""
        action = path.removeprefix(CONTROL_PREFIX).strip("/")
        try:
            data = json.loads(body) if body else {}
            result = self._control(method, action, data)
        except (ValueError, TypeError, KeyError) as error:
            return text_response(400, str(error))
        if result is None:
            return text_response(404, "Not found")
        return Response(200, json.dumps(result).encode())

    def _control(self, method: str, action: str, data: Any) -> Any:
        sim = self.sim
        if (method, action) == ("POST", "faults"):
            for item in data if isinstance(data, list) else [data]:
                self.faults.add(Fault.from_json(item))
            return {"pending": len(self.faults.pending())}
        if (method, action) == ("GET", "faults"):
            return [dict(fault.as_json(), left=left) for fault, left in self.faults.pending()]
        if (method, action) == ("DELETE", "faults"):
            self.faults.clear()
            return {"pending": 0}
        if (method, action) == ("POST", "advance"):
            changed = sim.advance(int(data["seconds"]), activity=bool(data.get("activity", True)))
            return {"now": format_timestamp(sim.now), "changed": changed}
        if (method, action) == ("POST", "touch"):
            sim.touch(int(data["number"]), message=data.get("message"), votes=data.get("votes"))
            return {"now": format_timestamp(sim.now)}
        if (method, action) == ("POST", "core"):
            return self._set_core(data)
        if (method, action) == ("GET", "requests"):
            return [
                {"method": e.method, "target": e.target, "status": e.status}
                for e in self.requests.entries()
            ]
        if (method, action) == ("DELETE", "requests"):
            self.requests.reset()
            return {"requests": 0}
        if (method, action) == ("GET", "clock"):
            return {"now": format_timestamp(sim.now), "epoch": sim.now}
        return None

    def _set_core(self, data: dict[str, Any]) -> dict[str, Any]:
        """``{"members": [ids]}``, and on a forge ``"team"`` (default: its first team),
        since each forge team has a core group of its own."""
        members = [int(a) for a in data["members"]]
        scope = {"team": str(data["team"])} if "team" in data else {}
        if scope and not hasattr(self.sim, "forge_team"):
            raise ValueError("team: this simulator serves one team; leave it out")
        try:
            self.sim.set_core_members(members, **scope)
        except KeyError as error:
            raise ValueError(f"team: no team called {error}") from None
        return {"members": [a.account_id for a in self.sim.core_members(**scope)]}


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive: a client's session reuses one connection for every page.

    Each response is the buffered headers and then the whole body in one write, with
    Nagle's algorithm off so the tail of a multi-megabyte page is not held back waiting
    for the client's acknowledgement.
    """

    protocol_version = "HTTP/1.1"
    server_version = "Gerrit-Simulator"
    owner: SimulatorServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silent: tests and benchmarks read the request log instead."""

    def version_string(self) -> str:
        return self.server_version

    def date_time_string(self, timestamp: float | None = None) -> str:
        return http_date(self.owner.sim.now)

    def _serve(self) -> None:
        owner = self.owner
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if split.path.startswith(CONTROL_PREFIX):
            self._send(owner.control(self.command, split.path, body))
            return
        fault = owner.faults.take(split.path)
        if fault is not None and fault.kind == "reset":
            owner.requests.record(self.command, self.path, None)
            self._reset()
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        params = parse_qs(split.query, keep_blank_values=True)
        request = Request(self.command, split.path, params, body)
        response = owner.answer(request, self.path, fault, self.headers.get("Authorization"))
        owner.requests.record(self.command, self.path, response.status)
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def start_simulator(
    sim: Simulator,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    auth_scheme: str = BASIC,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
    prefetch: bool = True,
) -> SimulatorServer:
    """Serve ``sim`` on ``host:port`` (0 = any free port) until ``stop()``."""
    return SimulatorServer(
        sim,
        host=host,
        port=port,
        auth_scheme=auth_scheme,
        cache_bytes=cache_bytes,
        prefetch=prefetch,
    )
