"""Gerrit's REST endpoints over a Simulator, without any sockets.

Maps a parsed request to a response the way RestApiServlet does (facts §1–§2, §5):
success bodies are ``)]}'`` + newline + compact JSON with Gson's HTML escaping;
errors are newline-terminated plain text without the prefix, with Gerrit's status codes
(400 bad query or option, 403 ``self`` while anonymous, 404 unknown or invisible, 405
wrong method, 409 conflicting state). Authentication is checked by the server before a
request gets here; ``user`` is the authenticated user name or None.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from .changejson import gson_escape, with_more_changes
from .pages import ChangePages
from .people import Account, Group
from .query import Query, QueryError, compile_query
from .render import DETAIL_OPTIONS, OptionError, group_info, parse_options
from .rendercache import DEFAULT_CACHE_BYTES
from .simulator import ChangeConflict, Simulator

JSON_TYPE = "application/json; charset=UTF-8"
TEXT_TYPE = "text/plain; charset=UTF-8"
XSSI_PREFIX = b")]}'\n"
MAX_QUERIES = 10
QUERY_LIMIT = 500  # the default queryLimit capability (facts §2.3)
_INDEX_VERSIONS = {
    "note_db_version": 185,
    "change_index_version": 84,
    "account_index_version": 13,
    "project_index_version": 6,
    "group_index_version": 10,
}


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str  # still percent-encoded, without the query string
    params: dict[str, list[str]]
    body: bytes = b""
    user: str | None = None


@dataclass(slots=True)
class Response:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def json_body(json_bytes: bytes) -> Response:
    """The XSSI-guarded 200 response around already escaped JSON."""
    return Response(200, b"".join((XSSI_PREFIX, json_bytes, b"\n")))


def json_response(value: Any) -> Response:
    """The XSSI-guarded, Gson-escaped JSON body every successful read returns."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return json_body(gson_escape(text).encode())


def text_response(status: int, message: str) -> Response:
    return Response(status, (message.rstrip("\n") + "\n").encode(), TEXT_TYPE)


class RestApi:
    """Routes ``/changes/``, ``/groups/``, ``/accounts/``, ``/projects/`` and
    ``/config/server/version``, anonymous or under ``/a/``.

    Rendered changes are kept in a cache of ``cache_bytes`` (0 disables it), and the page
    after one a client just read is rendered ahead unless ``prefetch`` is false (see
    ``pages``); ``close`` stops that worker.
    """

    def __init__(
        self, sim: Simulator, *, cache_bytes: int = DEFAULT_CACHE_BYTES, prefetch: bool = True
    ) -> None:
        self.sim = sim
        self.pages = ChangePages(sim, cache_bytes=cache_bytes, prefetch=prefetch)
        self._routes: list[tuple[str, tuple[str, ...], Callable[..., Response]]] = [
            ("GET", ("changes", ""), self._query_changes),
            ("GET", ("changes", "*"), self._get_change),
            ("GET", ("changes", "*", "detail"), self._get_change_detail),
            ("POST", ("changes", "*", "abandon"), self._abandon),
            ("GET", ("groups", ""), self._list_groups),
            ("GET", ("groups", "*"), self._get_group),
            ("GET", ("groups", "*", "detail"), self._get_group_detail),
            ("GET", ("groups", "*", "members", ""), self._group_members),
            ("GET", ("accounts", ""), self._query_accounts),
            ("GET", ("accounts", "*"), self._get_account),
            ("GET", ("config", "server", "version"), self._version),
            ("GET", ("projects", ""), self._list_projects),
            ("GET", ("projects", "*"), self._get_project),
        ]

    def handle(self, request: Request) -> Response:
        path = request.path[2:] if request.path.startswith("/a/") else request.path
        raw = path.lstrip("/").split("/")
        if raw in (["changes"], ["groups"], ["accounts"], ["projects"]) or raw[-1] == "members":
            raw.append("")  # Gerrit answers "/changes" like "/changes/"
        segments = [unquote(s) for s in raw]
        allowed = []
        for method, pattern, handler in self._routes:
            if not _route_matches(pattern, segments):
                continue
            if method != request.method:
                allowed.append(method)
                continue
            args = [s for p, s in zip(pattern, segments, strict=True) if p == "*"]
            try:
                return handler(request, *args)
            except HttpError as error:
                return text_response(error.status, error.message)
        if allowed:
            return text_response(405, "Method Not Allowed")
        return text_response(404, "Not found")

    # -- changes -----------------------------------------------------------------------

    def close(self) -> None:
        self.pages.close()

    def _query_changes(self, request: Request) -> Response:
        options = self._options(request.params)
        queries = self._change_queries(request)
        results = []
        for query, skip, limit in queries:
            rows, more = self.sim.search(query, skip=skip, limit=limit)
            changes = [self.pages.render(row, options) for row in rows]
            if more and changes:
                changes[-1] = with_more_changes(changes[-1])
                if len(queries) == 1:
                    self.pages.prefetch(query, skip + len(changes), limit, options)
            results.append(b"[" + b",".join(changes) + b"]")
        return json_body(results[0] if len(results) == 1 else b"[" + b",".join(results) + b"]")

    def disturb_paging(self, request: Request, *, seen: int, unseen: int, close_seen: int) -> None:
        """Update rows around the page a change query just served (the ``paging`` fault)."""
        for query, skip, limit in self._change_queries(request):
            self.sim.disturb_paging(
                query, skip=skip, size=limit, seen=seen, unseen=unseen, close_seen=close_seen
            )

    def _change_queries(self, request: Request) -> list[tuple[Query, int, int]]:
        """(query, rows to skip, page size) per ``q``; the page size is the smallest of
        ``n``, the 500-row query limit and the query's ``limit:`` (facts §2.3)."""
        params = request.params
        texts = params.get("q") or ["status:open"]
        if len(texts) > MAX_QUERIES:
            raise HttpError(400, "limit of 10 queries")
        size = _int_param(params, "n", "limit")
        skip = _int_param(params, "S", "start") or 0
        if skip < 0:
            raise HttpError(400, f"start must be nonnegative: {skip}")
        caller = self._caller(request)
        pages = []
        for text in texts:
            try:
                query = compile_query(
                    text, now=self.sim.now, caller=caller, directory=self.sim.team
                )
            except QueryError as error:
                raise HttpError(error.status, error.message) from None
            limits = [
                QUERY_LIMIT,
                query.limit or QUERY_LIMIT,
                size if size and size > 0 else QUERY_LIMIT,
            ]
            pages.append((query, skip, min(limits)))
        return pages

    def _get_change(self, request: Request, ref: str) -> Response:
        return self._render_change(ref, self._options(request.params))

    def _get_change_detail(self, request: Request, ref: str) -> Response:
        return self._render_change(ref, self._options(request.params) | DETAIL_OPTIONS)

    def _abandon(self, request: Request, ref: str) -> Response:
        caller = self._caller(request)
        if caller is None:
            raise HttpError(403, "Authentication required")
        try:
            message = str(json.loads(request.body or b"{}").get("message") or "")
        except (ValueError, AttributeError):
            raise HttpError(400, "Invalid JSON input") from None
        number = self._number(ref)
        try:
            self.sim.abandon(number, author=caller, message=message)
        except ChangeConflict as error:
            raise HttpError(409, str(error)) from None
        return self._render_change(str(number), frozenset())

    def _render_change(self, ref: str, options: frozenset[str]) -> Response:
        return json_body(self.pages.render(self.sim.row(self._number(ref)), options))

    def _number(self, ref: str) -> int:
        numbers = self.sim.resolve_change(ref)
        if len(numbers) > 1:
            raise HttpError(404, f"Multiple changes found for {ref}")
        if not numbers:
            raise HttpError(404, f"Not found: {ref}")
        return numbers[0]

    @staticmethod
    def _options(params: dict[str, list[str]]) -> frozenset[str]:
        try:
            return parse_options(params.get("o", []), params.get("O", []))
        except OptionError as error:
            raise HttpError(400, str(error)) from None

    def _caller(self, request: Request) -> int | None:
        account = self.sim.team.account_for_username(request.user) if request.user else None
        return account.account_id if account else None

    # -- groups ------------------------------------------------------------------------

    def _list_groups(self, request: Request) -> Response:
        team, now = self.sim.team, self.sim.now
        query = (request.params.get("query") or [None])[0]
        if query is None:
            needle = (request.params.get("m") or [""])[0].lower()
            groups = sorted(
                (g for g in team.groups if needle in g.name.lower()), key=lambda g: g.name
            )
            return json_response(
                {g.name: group_info(g, team, now, with_name=False) for g in groups}
            )
        matches = [g for g in team.groups if _group_matches(g.name, g.uuid, query)]
        start = _int_param(request.params, "start", "S") or 0
        limit = _int_param(request.params, "limit", "n") or len(matches)
        page = [group_info(g, team, now) for g in matches[start : start + limit]]
        if page and start + limit < len(matches):
            page[-1]["_more_groups"] = True
        return json_response(page)

    def _group(self, key: str) -> Group:
        group = self.sim.team.group(key)
        if group is None:
            raise HttpError(404, f"Not found: {key}")
        return group

    def _get_group(self, request: Request, key: str) -> Response:
        return json_response(group_info(self._group(key), self.sim.team, self.sim.now))

    def _get_group_detail(self, request: Request, key: str) -> Response:
        info = group_info(self._group(key), self.sim.team, self.sim.now, detail=True)
        return json_response(info)

    def _group_members(self, request: Request, key: str) -> Response:
        recursive = "recursive" in request.params
        members = self.sim.team.members(self._group(key), self.sim.now, recursive=recursive)
        return json_response([a.info(detailed=True) for a in members])

    # -- accounts, version, projects ---------------------------------------------------

    def _get_account(self, request: Request, key: str) -> Response:
        if key in ("self", "me"):
            caller = self._caller(request)
            if caller is None:
                raise HttpError(403, "Authentication required")
            return json_response(self.sim.accounts[caller].info(detailed=True))
        found = self.sim.team.find_accounts(key)
        if len(found) != 1:
            raise HttpError(404, f"Not found: {key}")
        return json_response(self.sim.accounts[found.pop()].info(detailed=True))

    def _query_accounts(self, request: Request) -> Response:
        params = request.params
        text = (params.get("q") or [""])[0].strip()
        if not text:
            raise HttpError(400, "missing query field")
        suggest = "suggest" in params
        detailed = suggest or bool({"DETAILS", "ALL_EMAILS"} & set(params.get("o", [])))
        terms = text.split()
        accounts = sorted(self.sim.accounts.values(), key=lambda a: a.account_id)
        matches = [a for a in accounts if all(_account_matches(a, t, suggest) for t in terms)]
        skip = _int_param(params, "S", "start") or 0
        size = _int_param(params, "n", "limit") or QUERY_LIMIT
        page = [a.info(detailed=detailed) for a in matches[skip : skip + size]]
        if page and skip + size < len(matches):
            page[-1]["_more_accounts"] = True
        return json_response(page)

    def _version(self, request: Request) -> Response:
        if "verbose" in request.params:
            return json_response({"gerrit_version": self.sim.version, **_INDEX_VERSIONS})
        return json_response(self.sim.version)

    def _list_projects(self, request: Request) -> Response:
        prefix = (request.params.get("p") or [""])[0]
        names = sorted(p for p in self.sim.projects if p.startswith(prefix))
        return json_response({name: _project_info(name, with_name=False) for name in names})

    def _get_project(self, request: Request, name: str) -> Response:
        if name not in self.sim.projects:
            raise HttpError(404, f"Not found: {name}")
        return json_response(_project_info(name))


def _route_matches(pattern: tuple[str, ...], segments: list[str]) -> bool:
    """``*`` stands for one non-empty path segment."""
    if len(pattern) != len(segments):
        return False
    return all((p == "*" and s != "") or p == s for p, s in zip(pattern, segments, strict=True))


def _int_param(params: dict[str, list[str]], *names: str) -> int | None:
    for name in names:
        if name in params:
            value = params[name][0]
            try:
                return int(value)
            except ValueError:
                raise HttpError(400, f'"{value}" is not a valid value for "-{name}"') from None
    return None


def _group_matches(name: str, uuid: str, query: str) -> bool:
    """``name:`` (exact, case-insensitive), ``inname:`` (prefix of a name part), ``uuid:``."""
    operator, _, value = query.partition(":")
    if operator == "name":
        return name.lower() == value.lower()
    if operator == "inname":
        parts = name.lower().replace("_", "-").split("-")
        return any(p.startswith(value.lower()) for p in parts) or name.lower().startswith(
            value.lower()
        )
    if operator == "uuid":
        return uuid == value
    raise HttpError(400, f"Unsupported operator {query}")


def _account_matches(account: Account, term: str, suggest: bool) -> bool:
    """Account query operators of facts §5.1; bare words match names and e-mails."""
    operator, colon, value = term.partition(":")
    if not colon:
        operator, value = "name", term
    value = value.lower()
    if suggest:
        return any(value in s.lower() for s in (account.name, account.username, account.email))
    if operator == "name":
        words = account.name.lower().split()
        return any(w.startswith(value) for w in words) or account.email.lower().startswith(value)
    if operator == "username":
        return account.username.lower() == value
    if operator == "email":
        return account.email.lower().startswith(value)
    if operator == "is" and value in ("active", "inactive"):
        return value == "active"
    raise HttpError(400, f"Unsupported operator {term}")


def _project_info(name: str, *, with_name: bool = True) -> dict[str, Any]:
    info: dict[str, Any] = {"id": quote(name, safe="")}
    if with_name:
        info |= {"name": name, "parent": "All-Projects"}
    return info | {"description": f"{name.split('/')[-1]} (simulated)", "state": "ACTIVE"}
