"""Read a specs repository's ``priorities/<cycle>-priorities.rst`` (pure: no ORM).

The files are reStructuredText written by hand over ten years, so their shapes vary: grid
tables (mitaka, newton) or ``list-table`` directives (ocata onwards) with the columns
Priority / Priority Item, Owner(s), Spec(s)/Specs and sometimes a target milestone; owners
as comma-separated or bulleted named links, or plain words ("unassigned"); specs as named
links to specs.openstack.org, Gerrit reviews or bugs, Sphinx ``:doc:`` roles, or words
("None", "No Spec yet"). Other tables (the "Important dates" schedule) are ignored, and a
file with no table at all but a top-level bullet list (train) gives one priority per item.

docutils parses the file, so a table is read as a table (cells spanning lines, bullets
inside cells, links resolved to their targets), never by matching lines. A file docutils
cannot read as a table reports ``FILE:LINE: message``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import roles

# Owner cells that name nobody, and spec cells that link nothing.
_NOBODY = re.compile(r"^(unassigned|none|nobody|tbd|n/?a|-+|\?)$", re.IGNORECASE)
_NO_SPEC = re.compile(r"^(none|no spec( yet)?|not needed|n/?a|tbd|-+)$", re.IGNORECASE)
# docutils messages that do not make a table unreadable: a link to a target the file forgot
# to define keeps its words, which is what the importer shows for unresolved references.
_TOLERATED = ("Unknown target name", "Duplicate explicit target name", "Unknown interpreted")
# Gerrit change URLs as the files write them: /#/c/232371/, /c/openstack/x/+/880030, /669201
_CHANGE_URL = re.compile(r"^(?:/#)?/(?:c/(?:[^+]+/\+/)?)?(\d+)/?$")


class PriorityFileError(ValueError):
    """The file cannot be read; ``str()`` is ``FILE:LINE: message`` (LINE omitted if unknown)."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Link:
    """A reference in a cell: its words and where it points ("" when it points nowhere)."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class ParsedPriority:
    """One row of a priorities table (or one item of a bullet-list file).

    ``owners`` are the names as written; a cell with more than names ("was X, seeking new
    owner") is kept whole as one entry rather than guessed at. ``section`` is the heading
    the table sits under ("" for the file's main list, "Side Priorities" for newton's
    second table). ``extra`` holds other columns, e.g. {"Target release milestone": "M2"}.
    """

    title: str
    line: int
    owners: tuple[str, ...] = ()
    specs: tuple[Link, ...] = ()
    section: str = ""
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PriorityFile:
    title: str
    priorities: tuple[ParsedPriority, ...]


def _doc_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Any,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """Sphinx's ``:doc:`` role, enough to read it: ``:doc:`title <path>``` or ``:doc:`path```."""
    match = re.match(r"^(.*?)\s*<([^<>]+)>$", text, re.DOTALL)
    title, target = (match.group(1), match.group(2)) if match else (text, text)
    node = nodes.reference(rawtext, title or target, refuri=target, doc_path=target)
    return [node], []


roles.register_local_role("doc", _doc_role)


def _words(node: nodes.Node) -> str:
    return " ".join(node.astext().split())


def _line(node: nodes.Node) -> int | None:
    for child in node.findall(include_self=True):
        if getattr(child, "line", None):
            return int(child.line)
    return None


def _links(entry: nodes.Element) -> list[Link]:
    links = []
    for ref in entry.findall(lambda n: isinstance(n, nodes.reference | nodes.problematic)):
        if isinstance(ref, nodes.problematic):
            # A link whose target is missing: keep its words, drop the rst punctuation.
            links.append(Link(_words(ref).strip("`_ ")))
        else:
            links.append(Link(_words(ref), ref.get("refuri", "")))
    return links


def _items(entry: nodes.Element) -> list[str]:
    """A cell's entries: its bullet items, else its comma/semicolon-separated words."""
    bullets = list(entry.findall(nodes.list_item))
    if bullets:
        return [_words(item) for item in bullets if _words(item)]
    return [part.strip() for part in re.split(r"[,;]", _words(entry)) if part.strip()]


def _owners(entry: nodes.Element) -> tuple[str, ...]:
    if next(iter(entry.findall(nodes.list_item)), None) is not None:
        return tuple(item for item in _items(entry) if not _NOBODY.match(item))
    names = [link.text for link in _links(entry)]
    text = _words(entry)
    if not names:
        return tuple(item for item in _items(entry) if not _NOBODY.match(item))
    leftover = text
    for name in names:
        leftover = leftover.replace(name, "", 1)
    if re.sub(r"[\s,;&*`_]+|\band\b", "", leftover):
        return (text,)
    return tuple(names)


def _specs(entry: nodes.Element) -> tuple[Link, ...]:
    links = _links(entry)
    if links:
        return tuple(links)
    return tuple(Link(item) for item in _items(entry) if not _NO_SPEC.match(item))


def _rows(table: nodes.table) -> tuple[list[str], list[tuple[nodes.row, list[nodes.entry]]]]:
    head = next(iter(table.findall(nodes.thead)), None)
    body = next(iter(table.findall(nodes.tbody)), None)
    header = []
    if head is not None:
        first = next(iter(head.findall(nodes.row)), None)
        header = [_words(e) for e in first.findall(nodes.entry)] if first is not None else []
    rows = []
    if body is not None:
        for row in body.children:
            if isinstance(row, nodes.row):
                rows.append((row, [e for e in row.children if isinstance(e, nodes.entry)]))
    return header, rows


def _column(header: list[str], word: str) -> int | None:
    return next((i for i, name in enumerate(header) if word in name.lower()), None)


def _section_of(node: nodes.Node) -> str:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.section):
            title = next(iter(parent.findall(nodes.title)), None)
            return _words(title) if title is not None else ""
        parent = parent.parent
    return ""


def _section_texts(document: nodes.document) -> dict[str, str]:
    """Section title (lower case) -> its paragraphs: mitaka describes each priority so."""
    texts = {}
    for section in document.findall(nodes.section):
        title = next(iter(section.findall(nodes.title)), None)
        paragraphs = [_words(p) for p in section.children if isinstance(p, nodes.paragraph)]
        if title is not None and paragraphs:
            texts[_words(title).lower()] = "\n\n".join(paragraphs)
    return texts


def _table_priorities(path: str, document: nodes.document) -> list[ParsedPriority]:
    descriptions = _section_texts(document)
    found = []
    for table in document.findall(nodes.table):
        header, rows = _rows(table)
        title_col, owner_col = _column(header, "priority"), _column(header, "owner")
        if title_col is None or owner_col is None:
            continue  # the schedule ("Important dates") and any other table
        spec_col = _column(header, "spec")
        known = {title_col, owner_col, spec_col}
        section = _section_of(table)
        for row, entries in rows:
            line = _line(row) or _line(table) or 0
            if len(entries) != len(header):
                raise PriorityFileError(
                    path, line, f"row has {len(entries)} cells, the header has {len(header)}"
                )
            title = _words(entries[title_col])
            if not title:
                if any(_words(e) for e in entries):
                    raise PriorityFileError(path, line, "row without a priority title")
                continue
            found.append(
                ParsedPriority(
                    title=title,
                    line=line,
                    owners=_owners(entries[owner_col]),
                    specs=_specs(entries[spec_col]) if spec_col is not None else (),
                    section=section,
                    description=descriptions.get(title.lower(), ""),
                    extra={
                        header[i]: _words(e)
                        for i, e in enumerate(entries)
                        if i not in known and _words(e)
                    },
                )
            )
    return found


def _list_priorities(document: nodes.document) -> list[ParsedPriority]:
    """A file without a table: the first bullet list outside any section, one item each."""
    bullets = next((c for c in document.children if isinstance(c, nodes.bullet_list)), None)
    if bullets is None:
        return []
    found = []
    for item in bullets.children:
        paragraph = next((c for c in item.children if isinstance(c, nodes.paragraph)), None)
        if paragraph is None:
            continue
        nested = [
            _words(next(iter(sub.findall(nodes.paragraph)), sub))
            for sublist in item.children
            if isinstance(sublist, nodes.bullet_list)
            for sub in sublist.children
        ]
        title = _words(paragraph).rstrip(":").strip()
        found.append(
            ParsedPriority(title=title, line=_line(item) or 0, description="\n".join(nested))
        )
    return found


def parse_priorities(text: str, *, path: str = "<text>") -> PriorityFile:
    """Parse a priorities file; raises PriorityFileError for a file it cannot read.

    Rows keep the file's order, main list first (tables in document order).
    """
    warnings = io.StringIO()
    document = publish_doctree(
        text,
        source_path=path,
        settings_overrides={
            "report_level": 3,  # keep errors in the tree to report them with their line
            "halt_level": 5,
            "warning_stream": warnings,
            "file_insertion_enabled": False,
            "raw_enabled": False,
            "doctitle_xform": True,
        },
    )
    for message in document.findall(nodes.system_message):
        words = _words(message.children[0]) if message.children else ""
        if message["level"] >= 3 and not words.startswith(_TOLERATED):
            line = message.get("line") or _line(message.parent) if message.parent else None
            raise PriorityFileError(path, line, words or "unreadable reStructuredText")
    title = " ".join(str(document.get("title", "")).split())
    priorities = _table_priorities(path, document) or _list_priorities(document)
    return PriorityFile(title=title, priorities=tuple(priorities))


@dataclass(frozen=True)
class LinkTarget:
    """What a spec link may name in Tiller: spec slugs to look up, or a Gerrit change."""

    slugs: tuple[str, ...] = ()
    deliverable: str = ""
    change_number: int | None = None


def link_target(link: Link) -> LinkTarget:
    """Where a spec link points, as far as the URL says.

    specs.openstack.org/.../specs/<cycle>/approved/<deliverable>/<slug>.html names a spec by
    file name (and a lite spec by its ``#anchor``); a ``:doc:`` path by its last part; a
    Gerrit review URL names a change (the spec under review). Bug links name nothing.
    """
    url = link.url
    if not url:
        return LinkTarget()
    parts = urlsplit(url)
    if not parts.scheme:  # a :doc: path such as ../specs/ocata/approved/glance/rolling-upgrades
        segments = [s for s in url.split("/") if s and s not in {".", ".."}]
        slug = segments[-1].removesuffix(".rst") if segments else ""
        return LinkTarget(slugs=(slug,) if slug else (), deliverable=_deliverable(segments))
    if "review." in parts.netloc:
        match = _CHANGE_URL.match(parts.path + (f"#{parts.fragment}" if parts.fragment else ""))
        match = match or _CHANGE_URL.match(f"/#{parts.fragment}" if parts.fragment else parts.path)
        return LinkTarget(change_number=int(match.group(1)) if match else None)
    if "specs" in parts.path and parts.path.endswith((".html", "/")):
        segments = [s for s in parts.path.split("/") if s]
        name = segments[-1].removesuffix(".html") if segments else ""
        slugs = tuple(s for s in (parts.fragment, name) if s and s != "index")
        return LinkTarget(slugs=slugs, deliverable=_deliverable(segments))
    return LinkTarget()


def _deliverable(segments: list[str]) -> str:
    """The folder after approved/implemented/... in a specs path, when there is one."""
    for state in ("approved", "implemented", "proposed", "backlog", "untargeted"):
        if state in segments:
            index = segments.index(state)
            if index + 2 < len(segments):
                return segments[index + 1]
    return ""
