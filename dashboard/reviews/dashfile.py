"""gerrit-dash-creator ``.dash`` files as pure Python: text to dataclasses, back to text, and
the Gerrit dashboard URL the tool printed for them (no ORM).

A .dash file is INI as Python's ``configparser`` reads it (facts §6.7; the corpus README in
``../shared/data/dashboards``)::

    [dashboard]
    title = Glance Review Dashboard
    description = Glance review requests
    foreach = (project:openstack/glance OR
               project:openstack/glance_store) status:open

    [section "Needs Approval"]
    query = label:Verified>=1 label:Code-Review>=2

The reader here follows configparser's rules (``#``/``;`` comment lines, ``=`` or ``:``
between key and value, lower-cased keys, indented lines continue the previous value and are
joined with newlines, duplicate sections and keys are errors as in its ``strict`` mode) but
keeps line numbers, so every problem is reported as ``FILE:LINE: message``, all of them at
once rather than the first. ``foreach`` and every section query must parse as Gerrit queries;
an empty section query is allowed (the section shows the ``foreach`` results).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from dashboard.reviews.query import QueryError, parse

DEFAULT_BASEURL = "https://review.openstack.org/#/dashboard/?"
"""gerrit-dash-creator's default when the file has no ``baseurl``."""

_HEADER = re.compile(r"\[(?P<header>.+)\]\s*\Z")  # configparser.SECTCRE (trailing space ok)
_SECTION = re.compile(r'section\s*(?P<open>"?)(?P<name>.*?)(?P<close>"?)\Z')
_OPTION = re.compile(r"(?P<key>.*?)\s*[=:]\s*(?P<value>.*)\Z")  # configparser.OPTCRE
_COMMENT_PREFIXES = ("#", ";")
_DASHBOARD_KEYS = ("title", "description", "foreach", "baseurl")


@dataclass(frozen=True)
class DashProblem:
    """One thing wrong with a .dash file: where (1-based line) and what."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class DashFileError(ValueError):
    """A .dash file that cannot be used; ``problems`` lists every problem found, in line order."""

    def __init__(self, problems: list[DashProblem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda problem: problem.line))
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class DashSection:
    """A ``[section "name"]``: its ``query`` as configparser returns it (continuation lines
    stripped and joined with ``\\n``; empty means "only the foreach"). ``line`` is the
    header's line and ``query_line`` the ``query`` key's; neither takes part in equality, so a
    round trip through ``to_dash_text`` compares equal."""

    name: str
    query: str
    line: int = field(default=0, compare=False)
    query_line: int = field(default=0, compare=False)

    def line_of(self, position: int) -> int:
        """The file line holding character ``position`` of ``query``."""
        return _line_of(self.query_line, self.query, position)


@dataclass(frozen=True)
class Dashboard:
    """A parsed .dash file. ``baseurl`` is empty when the file has none; ``source`` (the file
    name errors are reported against), the line numbers and ``warnings`` (things the tool
    accepted but should be written otherwise) do not take part in equality."""

    title: str
    foreach: str
    sections: tuple[DashSection, ...]
    description: str = ""
    baseurl: str = ""
    source: str = field(default="<string>", compare=False)
    foreach_line: int = field(default=0, compare=False)
    warnings: tuple[DashProblem, ...] = field(default=(), compare=False)

    def foreach_line_of(self, position: int) -> int:
        """The file line holding character ``position`` of ``foreach``."""
        return _line_of(self.foreach_line, self.foreach, position)


def _line_of(first_line: int, value: str, position: int) -> int:
    return first_line + value[: max(position, 0)].count("\n")


@dataclass
class _Block:
    header: str
    line: int
    values: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def value(self, key: str) -> str:
        return "\n".join(self.values[key]).rstrip()


def _read_blocks(text: str, source: str, problems: list[DashProblem]) -> list[_Block]:
    """configparser's reading rules, with line numbers."""
    blocks: list[_Block] = []
    seen: dict[str, int] = {}
    block: _Block | None = None
    key: str | None = None
    key_indent = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(_COMMENT_PREFIXES):
            continue
        indent = len(raw) - len(raw.lstrip())
        if block is not None and key is not None and indent > key_indent:
            block.values[key].append(stripped)
            continue
        key = None
        key_indent = indent
        if header := _HEADER.match(stripped):
            name = header["header"]
            if name in seen:
                problems.append(
                    DashProblem(
                        source, number, f"duplicate section [{name}] (first at line {seen[name]})"
                    )
                )
                block = _Block(name, number)  # read it, report it, keep the first
                continue
            seen[name] = number
            block = _Block(name, number)
            blocks.append(block)
        elif block is None:
            problems.append(DashProblem(source, number, "text before the first [section] header"))
        elif option := _OPTION.match(stripped):
            name = option["key"].strip().lower()
            if not name:
                problems.append(DashProblem(source, number, f"no key before '=': {stripped!r}"))
            elif name in block.values:
                problems.append(
                    DashProblem(
                        source,
                        number,
                        f'duplicate key "{name}" in [{block.header}] '
                        f"(first at line {block.lines[name]})",
                    )
                )
            else:
                block.values[name] = [option["value"].strip()]
                block.lines[name] = number
                key = name
        else:
            problems.append(DashProblem(source, number, f"not a 'key = value' line: {stripped!r}"))
    return blocks


def _check_query(
    text: str, what: str, first_line: int, source: str, problems: list[DashProblem]
) -> None:
    try:
        parse(text)
    except QueryError as error:
        position = error.position or 0
        line = _line_of(first_line, text, position)
        column = position - (text.rfind("\n", 0, position) + 1) if position else 0
        problems.append(
            DashProblem(
                source, line, f"{what} does not parse: {error.message} (column {column + 1})"
            )
        )


def parse_dash(text: str, *, source: str = "<string>") -> Dashboard:
    """Read a .dash file. Raises ``DashFileError`` listing every problem with its line:
    no ``[dashboard]``, no ``title`` or ``foreach``, a section without ``query``, a duplicate
    section or key, a header that is neither, a query that does not parse (with the parser's
    message and position)."""
    problems: list[DashProblem] = []
    warnings: list[DashProblem] = []
    blocks = _read_blocks(text, source, problems)
    dashboard_block = next((block for block in blocks if block.header == "dashboard"), None)
    sections: list[DashSection] = []
    for block in blocks:
        if block.header == "dashboard":
            continue
        match = _SECTION.match(block.header)
        if match is None:
            problems.append(
                DashProblem(
                    source,
                    block.line,
                    f'unknown header [{block.header}]: use [dashboard] or [section "Name"]',
                )
            )
            continue
        name = match["name"]
        if not (match["open"] and match["close"]):
            # dashboards/designate-ptl-overview.dash has [section "Backports]: configparser
            # and the tool accept it (the tool then cut the last letter off the name).
            warnings.append(
                DashProblem(
                    source,
                    block.line,
                    f'section header [{block.header}] should be [section "{name}"]',
                )
            )
        if "query" not in block.values:
            problems.append(DashProblem(source, block.line, f'section "{name}" has no query'))
            continue
        query = block.value("query")
        sections.append(DashSection(name, query, block.line, block.lines["query"]))
        if query.strip():
            what = f'query of section "{name}"'
            _check_query(query, what, block.lines["query"], source, problems)

    if dashboard_block is None:
        problems.append(DashProblem(source, 1, "no [dashboard] section"))
        raise DashFileError(problems)
    for required in ("title", "foreach"):
        if required not in dashboard_block.values:
            problems.append(
                DashProblem(source, dashboard_block.line, f'[dashboard] has no "{required}"')
            )
    if not sections and not problems:
        problems.append(DashProblem(source, dashboard_block.line, "the dashboard has no sections"))
    foreach = dashboard_block.value("foreach") if "foreach" in dashboard_block.values else ""
    foreach_line = dashboard_block.lines.get("foreach", dashboard_block.line)
    if foreach.strip():
        _check_query(foreach, "foreach", foreach_line, source, problems)
    else:
        for section in sections:
            if not section.query.strip():
                problems.append(
                    DashProblem(
                        source,
                        section.query_line,
                        f'section "{section.name}" has an empty query and there is no foreach',
                    )
                )
    if problems:
        raise DashFileError(problems)
    return Dashboard(
        title=dashboard_block.value("title"),
        foreach=foreach,
        sections=tuple(sections),
        description=(
            dashboard_block.value("description") if "description" in dashboard_block.values else ""
        ),
        baseurl=dashboard_block.value("baseurl") if "baseurl" in dashboard_block.values else "",
        source=source,
        foreach_line=foreach_line,
        warnings=tuple(warnings),
    )


def _format_value(key: str, value: str) -> str:
    first, *rest = value.split("\n")
    lines = [f"{key} = {first}".rstrip()]
    lines.extend(f"    {line}" for line in rest)
    return "\n".join(lines)


def to_dash_text(dashboard: Dashboard) -> str:
    """The .dash text of ``dashboard``: ``parse_dash(to_dash_text(d)) == d``. Multi-line values
    keep their lines, continued with a four-space indent as the corpus writes them."""
    lines = ["[dashboard]", _format_value("title", dashboard.title)]
    if dashboard.description:
        lines.append(_format_value("description", dashboard.description))
    lines.append(_format_value("foreach", dashboard.foreach))
    if dashboard.baseurl:
        lines.append(_format_value("baseurl", dashboard.baseurl))
    for section in dashboard.sections:
        lines.extend(["", f'[section "{section.name}"]', _format_value("query", section.query)])
    return "\n".join(lines) + "\n"


def _encode(text: str) -> str:
    # Python 2's urllib.urlencode, which the tool used: quote_plus with nothing safe but
    # letters, digits and "_.-" ("~" joined the safe set only in Python 3.7).
    return quote_plus(text, safe="").replace("~", "%7E")


def gerrit_url(dashboard: Dashboard, *, server_url: str | None = None) -> str:
    """The custom-dashboard URL gerrit-dash-creator printed for this file, byte for byte.

    The tool (gerrit_dash_creator/cmd/creator.py, ``generate_dashboard_url``, Python 2):

    * base: ``baseurl`` from the file, else ``https://review.openstack.org/#/dashboard/?``;
      with ``server_url`` (Tiller's Gerrit server) the base is ``<server_url>/#/dashboard/?``;
    * ``urllib.urlencode({'title': …, 'foreach': …})``: a Python 2 dict, which iterates
      ``foreach`` before ``title``; commas of the foreach were first replaced by ``%2c``
      ("Because otherwise Firefox is a sad panda"), which urlencode turns into ``%252c``;
    * then ``&``, then ``&<section name>=<query>`` per section in file order, so the first
      section follows a double ``&&`` (Gerrit ignores the empty parameter).
    """
    if server_url:
        base = f"{server_url.rstrip('/')}/#/dashboard/?"
    else:
        base = dashboard.baseurl or DEFAULT_BASEURL
    foreach = dashboard.foreach.replace(",", "%2c")
    url = f"{base}foreach={_encode(foreach)}&title={_encode(dashboard.title)}&"
    for section in dashboard.sections:
        url += f"&{_encode(section.name)}={_encode(section.query)}"
    return url
