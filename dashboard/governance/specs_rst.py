"""Reading one spec file: its title, blueprint, authors and HTML, from reStructuredText.

Pure functions over text (docutils and nh3, no ORM), so they are tested by tables. The
docutils settings are the safe ones for text written by anyone who can push a review: no
file inclusion, no raw HTML, nothing printed to stderr; the HTML is sanitised again by nh3
before it is stored, because a spec is shown to every visitor.
"""

from __future__ import annotations

import copy
import functools
import io
import re
from dataclasses import dataclass

import nh3
from docutils import frontend, nodes
from docutils.core import publish_from_doctree, publish_parts
from docutils.parsers.rst import Parser as RstParser
from docutils.readers.standalone import Reader as StandaloneReader
from docutils.utils import SystemMessage, new_document
from docutils.writers.html5_polyglot import Writer as Html5Writer

# Sphinx adds roles and directives docutils does not know (:ref:, :doc:, toctree...): specs
# use them legitimately, so their "unknown" errors are not the author's mistakes.
_SPHINX_ISMS = re.compile(r'Unknown (interpreted text role|directive type) "')
BLUEPRINT_URL = re.compile(r"https?://blueprints\.launchpad\.net/[\w.+-]+/\+spec/[\w.+-]+")
_TEMPLATE_TITLE = re.compile(r"^\s*<.*>\s*$")


def _settings() -> dict[str, object]:
    return {
        "file_insertion_enabled": False,
        "raw_enabled": False,
        "report_level": 5,
        "halt_level": 5,
        "_disable_config": True,
        "warning_stream": io.StringIO(),
        "doctitle_xform": True,
        "input_encoding": "unicode",
        "output_encoding": "unicode",
        "embed_stylesheet": False,
        "initial_header_level": 2,
    }


class RstError(ValueError):
    """The text is not reStructuredText docutils can make sense of; ``line`` is 1-based."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class RstSpec:
    """One spec's parsed text. ``slug`` is empty for a whole file (the caller uses its name)."""

    title: str
    blueprint_url: str
    authors: tuple[str, ...]
    html: str
    slug: str = ""


def slugify_title(title: str) -> str:
    """A lite spec's slug from its section title: lower case words joined by hyphens."""
    words = re.findall(r"[a-z0-9_]+", title.lower())
    return "-".join(words)[:200] or "untitled"


@functools.cache
def _base_settings() -> frontend.Values:
    """Parser, reader and writer settings, built once (optparse makes them slowly)."""
    settings = frontend.get_default_settings(RstParser, StandaloneReader, Html5Writer)
    for name, value in _settings().items():
        setattr(settings, name, value)
    return settings


def _doctree(text: str, *, title_transform: bool = True) -> nodes.document:
    """Parse ``text`` as publish_doctree does, stopping at the first real error.

    Errors are collected as the parser reports them (an observer), not by walking the
    tree afterwards: a long spec has tens of thousands of nodes.
    """
    settings = copy.copy(_base_settings())
    settings.doctitle_xform = title_transform
    settings.warning_stream = io.StringIO()
    document = new_document("<spec>", settings)
    errors: list[nodes.system_message] = []

    def observe(message: nodes.system_message) -> None:
        if message["level"] >= 3 and not _SPHINX_ISMS.search(message.astext()):
            errors.append(message)

    document.reporter.attach_observer(observe)
    parser = RstParser()
    try:
        parser.parse(text, document)
        document.transformer.populate_from_components((StandaloneReader(), parser))
        document.transformer.apply_transforms()
    except SystemMessage as exc:  # halt_level is 5, so only docutils' own failures land here
        raise RstError(str(exc), None) from exc
    if errors:
        first = errors[0]
        paragraph = first.next_node(nodes.paragraph)
        raise RstError(paragraph.astext() if paragraph else first.astext(), first.get("line"))
    return document


def render_html(text: str) -> str:
    """The body HTML of RST ``text``, sanitised (links get rel="noopener noreferrer")."""
    parts = publish_parts(text, writer=Html5Writer(), settings_overrides=_settings())
    return _clean(parts["docinfo"] + parts["body"])


def _clean(html: str) -> str:
    return nh3.clean(html, link_rel="noopener noreferrer")


def _render_doctree(document: nodes.document) -> str:
    """HTML of an already parsed document (parsing is the slow half: do it once).

    Without the document title: the page shows it as its own heading.
    """
    writer = Html5Writer()
    publish_from_doctree(document, writer=writer, settings_overrides=_settings())
    return _clean(writer.parts["docinfo"] + writer.parts["body"])


_ASSIGNEE_HEADS = re.compile(r"^(Primary assignee|Other contributors)\s*:?\s*$", re.IGNORECASE)
_NOBODY = {"none", "n/a", "tbd", "open", "nobody", "", "<launchpad-id or none>"}


def _authors(text: str) -> tuple[str, ...]:
    """Names under "Primary assignee:" / "Other contributors:", or a lite spec's :assignee:.

    Specs write one name per indented line, sometimes in <angle brackets>, sometimes
    "a or b" or "a, b"; template placeholders and "None" are not authors.
    """
    names: list[str] = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        field = re.match(r"^:assignee:\s*(.*)$", line.strip())
        if _ASSIGNEE_HEADS.match(line.strip()):
            block = []
            for following in lines[index + 1 :]:
                if not following.strip():
                    if block:
                        break
                    continue
                if not following.startswith((" ", "\t")):
                    break
                block.append(following.strip())
        elif field:
            block = [field.group(1)]
        else:
            continue
        for entry in block:
            if entry.startswith("<") and entry.endswith(">") and " " in entry:
                continue  # the template's "<launchpad-id or None>"
            for name in re.split(r",|\bor\b|\band\b|/", entry):
                name = name.strip().strip("<>").strip()
                if name.lower() not in _NOBODY and name not in names and len(name) < 100:
                    names.append(name)
    return tuple(names)


def _blueprint(text: str) -> str:
    found = BLUEPRINT_URL.search(text)
    return found.group(0).rstrip(".") if found else ""


def parse_spec(text: str) -> RstSpec:
    """A whole-file spec: the document title is the spec's title. Raises RstError."""
    document = _doctree(text)
    title = document.get("title") or ""
    if not title:
        first = document.next_node(nodes.title)
        title = first.astext() if first else ""
    if not title.strip():
        raise RstError("no title: a spec starts with a section heading", 1)
    return RstSpec(
        title=" ".join(title.split()),
        blueprint_url=_blueprint(text),
        authors=_authors(text),
        html=_render_doctree(document),
    )


def parse_lite_specs(text: str) -> list[RstSpec]:
    """The specs of a lite-specs file: each top-level section but the template's "<Title>".

    A lite-specs file is a document titled e.g. "Glance Spec Lite" whose sections are one
    spec each; sections below them ("End of ...") belong to the spec. Raises RstError.
    """
    # Without the title transform: with it, docutils makes a lone spec the subtitle.
    document = _doctree(text, title_transform=False)
    lines = text.splitlines()
    sections = [child for child in document.children if isinstance(child, nodes.section)]
    own_fields = len(sections) == 1 and any(
        isinstance(child, nodes.field_list) for child in sections[0].children
    )
    if len(sections) == 1 and not own_fields:  # the file's title ("Glance Spec Lite")
        sections = [child for child in sections[0].children if isinstance(child, nodes.section)]
    starts: list[int] = []
    for section in sections:
        underline = section[0].line or 1  # docutils gives a title the line of its underline
        start = underline - 2  # 0-based index of the title text
        if start > 0 and set(lines[start - 1].strip()) == set(lines[underline - 1].strip()):
            start -= 1  # an overline
        starts.append(max(start, 0))
    specs = []
    for index, section in enumerate(sections):
        title = " ".join(section[0].astext().split())
        if _TEMPLATE_TITLE.match(title):
            continue
        end = starts[index + 1] if index + 1 < len(sections) else len(lines)
        source = "\n".join(lines[starts[index] : end])
        specs.append(
            RstSpec(
                title=title,
                blueprint_url=_blueprint(source),
                authors=_authors(source),
                html=render_html(source),
                slug=slugify_title(title),
            )
        )
    return specs
