"""A client for Gerrit's REST API, on requests. The only module that talks to Gerrit.

What it deals with so callers need not (see ../shared/docs/gerrit-rest-facts.md §1-§2):
the ``)]}'`` XSSI line before every JSON body, plain-text error bodies, ``/a/`` paths for
authenticated calls with Basic (or, for Gerrit 2.13 and older, Digest) auth, paging by
``_more_changes`` with ``S``/``n``, timeouts, and retries with exponential backoff on
connection errors, timeouts, 5xx, 429 (honouring ``Retry-After``) and unreadable bodies.

Failures surface as ``GerritError`` subclasses whose message is one line a person can act
on. Messages never contain the password: it is only ever handed to requests' auth object.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import orjson
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

logger = logging.getLogger(__name__)

XSSI_PREFIX = ")]}'"
XSSI_BYTES = XSSI_PREFIX.encode()
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# What the sync asks for on every change (facts §2.4): vote history lives in MESSAGES,
# every approval with its voter in DETAILED_LABELS, patch sets in ALL_REVISIONS, the commit
# message and file list of the current patch set for message:/file:/path: queries.
SYNC_OPTIONS = (
    "DETAILED_LABELS",
    "DETAILED_ACCOUNTS",
    "MESSAGES",
    "ALL_REVISIONS",
    "CURRENT_COMMIT",
    "CURRENT_FILES",
)


class GerritError(Exception):
    """A failure talking to Gerrit, with a one-line message fit for a person."""


class GerritAuthError(GerritError):
    """401 or 403: wrong user name or HTTP password, or not allowed."""


class GerritNotFound(GerritError):
    """404: the project, group or change does not exist or is not visible."""


class GerritBadRequest(GerritError):
    """400/409/422: Gerrit refused the request itself (a bad query, a closed change)."""


class GerritUnavailable(GerritError):
    """The server could not be reached or kept failing after every retry."""


class GerritBadResponse(GerritError):
    """The server answered 200 with a body that is not Gerrit JSON (truncated, HTML...)."""


def parse_timestamp(value: str) -> datetime:
    """Gerrit's ``yyyy-MM-dd HH:mm:ss.fffffffff`` (UTC, no zone) as an aware datetime.

    Nine fractional digits are more than Python keeps; the first 26 characters
    (microseconds) are exact for every server, and whole-second values parse too.
    """
    try:
        # With the offset in the text, fromisoformat builds the aware datetime itself:
        # several times cheaper than ``replace(tzinfo=UTC)``, and a sync parses every
        # message's time. (A bare date takes the offset as junk: hence the check.)
        moment = datetime.fromisoformat(value[:26] + "+00:00")
        if moment.tzinfo is not None:
            return moment
    except (TypeError, ValueError):
        pass
    try:
        return datetime.fromisoformat(value[:26]).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        raise ValueError(f"not a Gerrit timestamp: {value!r}") from None


def format_timestamp(moment: datetime) -> str:
    """A UTC time as Gerrit's search operators take it (``after:"…"``), whole seconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def redact_url(url: str) -> str:
    """The URL without any user:password part, for messages and logs."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def strip_xssi(body: str) -> str:
    """Drop Gerrit's ``)]}'`` guard line if present."""
    if body.startswith(XSSI_PREFIX):
        newline = body.find("\n")
        return "" if newline == -1 else body[newline + 1 :]
    return body


@dataclass(frozen=True)
class ChangePage:
    """One page of a change query. ``more`` mirrors ``_more_changes`` on its last element."""

    changes: list[dict[str, Any]]
    more: bool
    start: int


class GerritClient:
    """A session with one Gerrit server.

    ``requests_made`` counts HTTP requests (retries included) and ``server_time`` holds
    the server's clock from the ``Date`` header of the latest response: the sync takes its
    cursor from Gerrit's clock, never from ours. ``throttle``, when given, is called before
    every request, retries included, and may wait: how a request rate shared by several
    processes is kept (``gerrit.throttle``) without this module touching the database.
    """

    def __init__(
        self,
        base_url: str,
        *,
        username: str = "",
        password: str = "",
        auth_scheme: str = "basic",
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_retry_after: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
        throttle: Callable[[], object] | None = None,
    ) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise GerritError(f"Not a Gerrit URL: {redact_url(base_url)!r} (need http(s)://host)")
        self.base_url = redact_url(base_url.strip()).rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._throttle = throttle
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "Tiller"})
        self.authenticated = bool(username and password)
        self.session.auth = self._auth(username, password, auth_scheme)
        self.requests_made = 0
        self.server_time: datetime | None = None

    @staticmethod
    def _auth(username: str, password: str, scheme: str) -> AuthBase | None:
        if not (username and password):
            return None
        if scheme == "digest":
            return HTTPDigestAuth(username, password)
        if scheme != "basic":
            raise GerritError(f"Unknown auth scheme {scheme!r}: use 'basic' or 'digest'")
        return HTTPBasicAuth(username, password)

    # -- transport -------------------------------------------------------------------

    def url(self, path: str) -> str:
        """Full URL of an API path; authenticated sessions go through ``/a/``."""
        path = path.lstrip("/")
        prefix = "a/" if self.authenticated else ""
        return f"{self.base_url}/{prefix}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Iterable[tuple[str, Any]] | dict[str, Any] | None = None,
        json_body: Any = None,
    ) -> Any:
        """Call the API and return the decoded JSON, retrying what is worth retrying."""
        url = self.url(path)
        where = f"{self.base_url} ({method} /{path.lstrip('/').split('?')[0]})"
        attempt = 0
        while True:
            attempt += 1
            retry_in: float | None = None
            if self._throttle is not None:
                self._throttle()
            try:
                self.requests_made += 1
                response = self.session.request(
                    method, url, params=params, json=json_body, timeout=self.timeout
                )
            except requests.Timeout:
                problem: GerritError = GerritUnavailable(
                    f"Gerrit at {where} did not answer within {self.timeout:g} s"
                )
            except requests.ConnectionError as exc:
                problem = GerritUnavailable(f"Cannot connect to Gerrit at {where}: {_reason(exc)}")
            except requests.RequestException as exc:
                raise GerritError(f"Request to Gerrit at {where} failed: {_reason(exc)}") from None
            else:
                self._note_server_time(response)
                if response.status_code < 300:
                    try:
                        return self._decode(response, where)
                    except GerritBadResponse as exc:
                        problem = exc
                else:
                    problem = self._status_error(response, where)
                    if response.status_code not in RETRY_STATUSES:
                        raise problem
                    retry_in = _retry_after(response)
            if attempt > self.retries:
                raise problem
            delay = self._delay(attempt, retry_in)
            logger.warning("%s; retrying in %.1f s (attempt %d)", problem, delay, attempt + 1)
            self._sleep(delay)

    def get(
        self, path: str, params: Iterable[tuple[str, Any]] | dict[str, Any] | None = None
    ) -> Any:
        return self.request("GET", path, params=params)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        # Exponential backoff with jitter, so many clients do not retry in step.
        return self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random() / 2)

    def _note_server_time(self, response: requests.Response) -> None:
        header = response.headers.get("Date")
        if not header:
            return
        with contextlib.suppress(TypeError, ValueError):
            self.server_time = parsedate_to_datetime(header).astimezone(UTC)

    @staticmethod
    def _decode(response: requests.Response, where: str) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        content = response.content
        start = 0
        if content.startswith(XSSI_BYTES):
            newline = content.find(b"\n")
            start = len(content) if newline == -1 else newline + 1
        try:
            # orjson decodes a page of changes in about 60% of the standard library's
            # time, a tenth of a full sync's CPU; bodies it refuses (invalid UTF-8, lone
            # surrogates, NaN, a truncated body) take the tolerant path below, which also
            # words the error. (It reads integers beyond 64 bits as floats: Gerrit's ids
            # and counts never are.)
            return orjson.loads(memoryview(content)[start:])
        except orjson.JSONDecodeError:
            pass
        body = strip_xssi(content.decode("utf-8", errors="replace"))
        try:
            return json.loads(body)
        except json.JSONDecodeError as exc:
            kind = "truncated JSON" if body.lstrip()[:1] in '[{"' else "not JSON"
            raise GerritBadResponse(
                f"Gerrit at {where} sent a body that is {kind} "
                f"({len(response.content)} bytes, error at character {exc.pos})"
            ) from None

    def _status_error(self, response: requests.Response, where: str) -> GerritError:
        status = response.status_code
        text = " ".join(response.text.split())[:200] if response.text else ""
        detail = f": {text}" if text and not text.lstrip().startswith("<") else ""
        if status == 401:
            if self.authenticated:
                return GerritAuthError(
                    f"Gerrit at {where} rejected the user name or HTTP password (401)"
                )
            return GerritAuthError(f"Gerrit at {where} needs authentication (401)")
        if status == 403:
            return GerritAuthError(f"Gerrit at {where} refused access (403){detail}")
        if status == 404:
            return GerritNotFound(f"Gerrit at {where} found nothing there (404){detail}")
        if status in {400, 405, 409, 412, 422}:
            return GerritBadRequest(f"Gerrit at {where} refused the request ({status}){detail}")
        if status == 429:
            return GerritUnavailable(f"Gerrit at {where} is rate limiting us (429){detail}")
        return GerritUnavailable(f"Gerrit at {where} failed with HTTP {status}{detail}")

    # -- endpoints -------------------------------------------------------------------

    def query_changes(
        self,
        query: str,
        *,
        options: Iterable[str] = SYNC_OPTIONS,
        page_size: int = 250,
        start: int = 0,
    ) -> ChangePage:
        params: list[tuple[str, Any]] = [("q", query), ("n", page_size), ("S", start)]
        params += [("o", option) for option in options]
        result = self.get("changes/", params)
        if not isinstance(result, list):
            raise GerritBadResponse(
                f"Gerrit at {self.base_url} answered a change query with "
                f"{type(result).__name__}, not a list"
            )
        more = bool(result and isinstance(result[-1], dict) and result[-1].get("_more_changes"))
        return ChangePage(changes=result, more=more, start=start)

    def iter_change_pages(
        self,
        query: str,
        *,
        options: Iterable[str] = SYNC_OPTIONS,
        page_size: int = 250,
        start: int = 0,
    ) -> Iterator[ChangePage]:
        """Every page of a query, following ``_more_changes`` with ``S``.

        The next offset advances by what the server actually returned: servers cap page
        sizes (500 by default) whatever ``n`` asks for.
        """
        options = tuple(options)
        while True:
            page = self.query_changes(query, options=options, page_size=page_size, start=start)
            yield page
            if not page.more or not page.changes:
                return
            start += len(page.changes)

    def count_changes(self, query: str, *, ceiling: int = 2_000_000) -> int | None:
        """Estimate how many changes match, for progress bars: Gerrit has no count.

        Probes ``n=1`` at growing offsets, then bisects; about 2·log2(N) tiny requests.
        Returns None when the server refuses deep offsets (``index.maxPages``).
        """

        def exists(offset: int) -> bool:
            return bool(self.query_changes(query, options=(), page_size=1, start=offset).changes)

        try:
            if not exists(0):
                return 0
            low, high = 0, 1
            while exists(high):
                low, high = high, high * 2
                if high > ceiling:
                    return None
            while high - low > 1:
                middle = (low + high) // 2
                if exists(middle):
                    low = middle
                else:
                    high = middle
            return low + 1
        except GerritBadRequest:
            return None

    def group_members(self, group: str) -> list[dict[str, Any]]:
        """Effective members of a group (recursive), as detailed AccountInfo."""
        result = self.get(f"groups/{quote(group, safe='')}/members/", [("recursive", "")])
        if not isinstance(result, list):
            raise GerritBadResponse(f"Gerrit at {self.base_url} sent no member list for {group}")
        return result

    def project(self, name: str) -> dict[str, Any]:
        return self.get(f"projects/{quote(name, safe='')}")

    def server_version(self) -> str:
        return str(self.get("config/server/version"))

    def account(self, account: str | int) -> dict[str, Any]:
        return self.get(f"accounts/{quote(str(account), safe='')}")

    def abandon(self, project: str, number: int, message: str) -> dict[str, Any]:
        """Abandon a change (needs credentials with the Abandon permission)."""
        change = f"{quote(project, safe='')}~{number}"
        return self.request("POST", f"changes/{change}/abandon", json_body={"message": message})


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests error, without the URL noise around it."""
    text = str(exc)
    for marker in ("Failed to establish a new connection: ", "Caused by "):
        if marker in text:
            text = text.split(marker, 1)[1]
    return " ".join(text.rstrip("')").split())[:160]


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
