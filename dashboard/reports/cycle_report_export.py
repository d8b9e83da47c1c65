"""The cycle report as Markdown, reStructuredText and plain-text email.

One document model (``document``: headings, paragraphs, bullet lists and tables of plain
text and links) is built from the report once; each format only renders those blocks, so
the three exports can never disagree on a figure. Plain text is wrapped at 72 columns for
a mailing list, with each URL on its own line. Site paths (``/teams/…``) become absolute
with ``base_url`` (the page's host, or the command's ``--base-url``).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from dashboard.reports.cycle_report_tree import METHODS, CycleReport, Link, SpecItem
from dashboard.reports.narratives import SECTIONS

WIDTH = 72
FORMATS = {
    "md": ("text/markdown", "Markdown"),
    "rst": ("text/x-rst", "reStructuredText"),
    "txt": ("text/plain", "plain-text email"),
}

Inline = str | Link


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Para:
    parts: tuple[Inline, ...]


@dataclass(frozen=True)
class Bullets:
    items: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Para | Bullets | Table


def _names(names: Iterable[str]) -> str:
    names = list(names)
    return ", ".join(names) if names else "nobody"


def _day(value: object) -> str:
    return f"{value:%Y-%m-%d}" if value else "date unknown"


def _count(n: float, word: str) -> str:
    """``n word`` with the word in the plural unless ``n`` is 1 ("1 review", "2 reviews")."""
    return f"{n:g} {word}" + ("" if n == 1 else "s")


def _user_text(text: str) -> list[Block]:
    """The PTL's words: paragraphs split on blank lines; lines starting "- " or "* " are
    bullets, kept as such so that wrapping does not merge them."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if lines and all(line[:2] in ("- ", "* ") for line in lines):
            blocks.append(Bullets(tuple((line[2:].strip(),) for line in lines)))
        elif lines:
            blocks.append(Para((" ".join(lines),)))
    return blocks


def _spec_items(items: Iterable[SpecItem], *, with_day: bool = True) -> Bullets:
    rows = []
    for item in items:
        extra = []
        if item.deliverable:
            extra.append(item.deliverable)
        if item.now_in:
            extra.append(f"now in {item.now_in}")
        elif with_day:
            extra.append(_day(item.day))
        rows.append((item.spec, f" ({', '.join(extra)})" if extra else ""))
    return Bullets(tuple(rows))


def _or_none(blocks: Bullets, empty: str = "None.") -> Block:
    return blocks if blocks.items else Para((empty,))


def document(report: CycleReport) -> list[Block]:
    """The report as blocks, in the order of the page."""
    out: list[Block] = [Heading(1, report.title)]
    period = f"{report.first_day:%Y-%m-%d} to {report.last_day:%Y-%m-%d}"
    ptl = f" PTL: {_names(report.ptls)}." if report.ptls else " PTL: not recorded."
    out.append(Para((f"{report.team} in the {report.cycle} cycle, {period}.{ptl}",)))
    if report.in_progress:
        out.append(Para(("The cycle is still running: the figures are those to date.",)))
    out.append(Para((f"Figures drafted by Tiller on {report.drafted:%Y-%m-%d %H:%M} UTC.",)))

    for field, title in SECTIONS:
        out.append(Heading(2, title))
        text = getattr(report.narrative, field)
        out.extend(_user_text(text) if text.strip() else [Para(("Not written yet.",))])

    out.append(Heading(2, "Completed features"))
    out.append(_or_none(_spec_items(report.features), "No spec was implemented."))

    prio = report.priorities
    out.append(Heading(2, "Priorities"))
    out.append(
        Para(
            (
                f"{prio.total} priorities: {len(prio.done)} done, {len(prio.missed)} missed, "
                f"{len(prio.deprioritized)} deprioritized, {len(prio.active)} still active.",
            )
        )
    )
    for title, items in (
        ("Done", prio.done),
        ("Missed", prio.missed),
        ("Deprioritized", prio.deprioritized),
        ("Still active", prio.active),
    ):
        if items:
            out.append(Heading(3, title))
            out.append(
                Bullets(
                    tuple((f"{i.title}" + (f": {i.reason}" if i.reason else ""),) for i in items)
                )
            )

    specs = report.specs
    out.append(Heading(2, "Specs"))
    out.append(
        Table(
            ("Specs", "Count"),
            (
                ("Approved for the cycle", str(len(specs.approved))),
                ("Implemented", str(len(specs.implemented))),
                ("Moved to untargeted", str(len(specs.untargeted))),
                ("Moved to another cycle", str(len(specs.moved))),
                ("Approved, not implemented", str(len(specs.not_done))),
            ),
        )
    )
    for title, items in (
        ("Moved to untargeted", specs.untargeted),
        ("Moved to another cycle", specs.moved),
        ("Approved, not implemented", specs.not_done),
    ):
        if items:
            out.append(Heading(3, title))
            out.append(_spec_items(items, with_day=False))

    out.append(Heading(2, "Feature-freeze exceptions"))
    counts = ", ".join(f"{n} {label.lower()}" for label, n in report.ffe_counts.items())
    out.append(Para((f"{len(report.ffes)} requested: {counts}.",)))
    rows = []
    for ffe in report.ffes:
        said = f" ({ffe.decision.lower()}; asked by {ffe.requester} on {_day(ffe.requested)})"
        subject: tuple[Inline, ...] = (
            (" for ", ffe.subject)
            if ffe.subject
            else (" for a spec or change that no longer exists",)
        )
        rows.append((ffe.title, *subject, said + (f": {ffe.note}" if ffe.note else "")))
    if rows:
        out.append(Bullets(tuple(rows)))

    core = report.core
    out.append(Heading(2, "Core team"))
    out.append(
        Para(
            (
                f"{core.size_start} core reviewers at the start, {core.size_end} at the end. "
                f"Joined: {_names(core.joined)}. Left: {_names(core.left)}.",
            )
        )
    )
    if core.history_starts_in_cycle:
        since = f"{core.known_since:%Y-%m-%d}" if core.known_since else "no sync yet"
        out.append(
            Para(
                (
                    f"Tiller knows the core group only since {since}, inside this cycle: "
                    "the size at the start and the joiners are what the first sync saw.",
                )
            )
        )
    out.append(
        Para(
            (
                f"Constant: reviewed in at least {core.constant_min_weeks} of the cycle's "
                f"{core.weeks} weeks; occasional: in fewer; silent: in none.",
            )
        )
    )
    for title, members in (
        ("Constant reviewers", core.constant),
        ("Occasional reviewers", core.occasional),
        ("Silent", core.silent),
    ):
        out.append(Heading(3, f"{title} ({len(members)})"))
        out.append(
            _or_none(
                Bullets(
                    tuple(
                        (
                            f"{m.name}: {m.weeks} of {core.weeks} weeks, "
                            + _count(m.reviews, "review"),
                        )
                        for m in members
                    )
                )
            )
        )

    act = report.activity
    out.append(Heading(2, "Reviewer activity"))
    out.append(
        Para(
            (
                f"{act.reviews} reviews by {act.reviewers} reviewers "
                f"({act.reviews_per_day:.1f} a day), {act.core_reviews} of them by core "
                f"reviewers. Changes: {act.created} created, {act.merged} merged, "
                f"{act.abandoned} abandoned.",
            )
        )
    )
    if act.top:
        out.append(
            Table(
                ("Reviewer", "Reviews", "-2", "-1", "+1", "+2", "+A"),
                tuple(
                    (
                        row.name or row.reviewer,
                        str(row.reviews),
                        str(row.minus2),
                        str(row.minus1),
                        str(row.plus1),
                        str(row.plus2),
                        str(row.approvals),
                    )
                    for row in act.top
                ),
            )
        )

    backlog = report.backlog
    out.append(Heading(2, "Backlog"))
    start, end = backlog.start, backlog.end
    out.append(
        Table(
            ("Backlog", f"{start.day:%Y-%m-%d}", f"{end.day:%Y-%m-%d}"),
            (
                ("Open changes", str(start.open_changes), str(end.open_changes)),
                ("Reviewable", str(start.reviewable), str(end.reviewable)),
                (
                    "Waiting on reviewers",
                    str(start.waiting_on_reviewer),
                    str(end.waiting_on_reviewer),
                ),
                (
                    "Waiting on submitters",
                    str(start.waiting_on_submitter),
                    str(end.waiting_on_submitter),
                ),
            ),
        )
    )
    out.append(Para((f"Start: {start.source}. End: {end.source}.",)))
    out.append(Heading(3, f"Abandoned by the clean-up ({len(backlog.abandoned)})"))
    out.append(
        _or_none(
            Bullets(tuple((a.change, f" ({_day(a.day)})") for a in backlog.abandoned)),
            "Nothing was abandoned through Tiller in the cycle.",
        )
    )

    days = report.review_days
    out.append(Heading(2, "Review days"))
    out.append(Para((f"Median weekday of the cycle: {_count(days.median_weekday, 'review')}.",)))
    out.append(
        _or_none(
            Bullets(
                tuple(
                    (
                        f"{d.title} ({_day(d.start)}"
                        + (f" to {_day(d.end)}" if d.end != d.start else "")
                        + f"): {_count(d.reviews, 'review')}, {d.per_day:.1f} a day, "
                        + (f"{d.ratio:.1f} times the median weekday" if d.ratio else "no median")
                        + ".",
                    )
                    for d in days.days
                )
            ),
            "No review day was held.",
        )
    )

    div = report.diversity
    out.append(Heading(2, "Diversity"))
    out.append(Para((f"The 180 days {div.start:%Y-%m-%d} to {div.last_day:%Y-%m-%d}.",)))
    out.append(
        Table(
            ("Measure", "Total", "Top 1", "Top 2", "Largest"),
            tuple(
                (m.title, str(m.total), m.top1, m.top2, ", ".join(m.top_names) or "none")
                for m in div.measures
            ),
        )
    )

    out.append(Heading(2, "How the figures are made"))
    out.append(Bullets(tuple((text,) for text in METHODS.values())))
    return out


def _url(link: Link, base_url: str) -> str:
    if link.url.startswith("/"):
        return base_url.rstrip("/") + link.url
    return link.url


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]|<>#])", r"\\\1", text)


def _md_inline(parts: Iterable[Inline], base_url: str) -> str:
    out = []
    for part in parts:
        if isinstance(part, Link):
            url = _url(part, base_url)
            out.append(f"[{_md_escape(part.text)}]({url})" if url else _md_escape(part.text))
        else:
            out.append(_md_escape(part))
    return "".join(out)


def to_markdown(report: CycleReport, *, base_url: str = "") -> str:
    lines: list[str] = []
    for block in document(report):
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + _md_escape(block.text), ""]
        elif isinstance(block, Para):
            lines += [_md_inline(block.parts, base_url), ""]
        elif isinstance(block, Bullets):
            lines += [f"- {_md_inline(item, base_url)}" for item in block.items] + [""]
        else:
            lines.append("| " + " | ".join(_md_escape(h) for h in block.headers) + " |")
            lines.append("|" + "|".join(" --- " for _ in block.headers) + "|")
            lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in block.rows]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _rst_escape(text: str) -> str:
    return re.sub(r"([\\`*_|])", r"\\\1", text)


def _rst_inline(parts: Iterable[Inline], base_url: str) -> str:
    out = []
    for part in parts:
        if isinstance(part, Link) and _url(part, base_url):
            # Anonymous targets (two underscores): link texts may repeat.
            text = part.text.replace("`", "'").replace("<", "(").replace(">", ")")
            out.append(f"`{text} <{_url(part, base_url)}>`__")
        else:
            out.append(_rst_escape(part.text if isinstance(part, Link) else part))
    return "".join(out)


RST_UNDERLINES = {1: "=", 2: "-", 3: "~"}


def _rst_table(block: Table) -> list[str]:
    widths = [
        max(len(cell) for cell in column) for column in zip(block.headers, *block.rows, strict=True)
    ]
    border = "  ".join("=" * w for w in widths)

    def row(cells: tuple[str, ...]) -> str:
        # A leading empty cell would read as a continuation line, so none is empty.
        return "  ".join(
            (_rst_escape(c) or "..").ljust(w) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    return [border, row(block.headers), border, *(row(r) for r in block.rows), border, ""]


def to_rst(report: CycleReport, *, base_url: str = "") -> str:
    lines: list[str] = []
    for block in document(report):
        if isinstance(block, Heading):
            text = _rst_escape(block.text)
            rule = RST_UNDERLINES[block.level] * len(text)
            lines += ([rule] if block.level == 1 else []) + [text, rule, ""]
        elif isinstance(block, Para):
            lines += [_rst_inline(block.parts, base_url), ""]
        elif isinstance(block, Bullets):
            lines += [f"- {_rst_inline(item, base_url)}" for item in block.items] + [""]
        else:
            lines += _rst_table(block)
    return "\n".join(lines).rstrip("\n") + "\n"


def _text_inline(parts: Iterable[Inline], base_url: str) -> tuple[str, list[str]]:
    """The words, and the URLs to print after them, one a line."""
    words, urls = [], []
    for part in parts:
        if isinstance(part, Link):
            words.append(part.text)
            if _url(part, base_url):
                urls.append(_url(part, base_url))
        else:
            words.append(part)
    return "".join(words), urls


def _text_table(block: Table) -> list[str]:
    widths = [
        max(len(c) for c in column) for column in zip(block.headers, *block.rows, strict=True)
    ]
    if sum(widths) + 2 * (len(widths) - 1) > WIDTH:
        # Too wide for an email: one wrapped line per row instead of columns.
        lines = []
        for row in block.rows:
            pairs = "; ".join(f"{h}: {c}" for h, c in zip(block.headers[1:], row[1:], strict=True))
            lines += textwrap.wrap(f"{row[0]}: {pairs}", WIDTH, subsequent_indent="  ")
        return [*lines, ""]

    def line(cells: tuple[str, ...]) -> str:
        # Text left, figures right: the first column is a label.
        out = [cells[0].ljust(widths[0])]
        out += [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(block.headers), rule, *(line(r) for r in block.rows), ""]


def to_text(report: CycleReport, *, base_url: str = "") -> str:
    lines: list[str] = []
    for block in document(report):
        if isinstance(block, Heading):
            # Titles and sections are underlined; subsections stand on their own line.
            rule = {1: "=", 2: "-"}.get(block.level)
            lines += [block.text] + ([rule * min(len(block.text), WIDTH)] if rule else []) + [""]
        elif isinstance(block, Para):
            words, urls = _text_inline(block.parts, base_url)
            lines += textwrap.wrap(words, WIDTH, break_on_hyphens=False)
            lines += urls + [""]
        elif isinstance(block, Bullets):
            for item in block.items:
                words, urls = _text_inline(item, base_url)
                lines += textwrap.wrap(
                    words,
                    WIDTH,
                    initial_indent="- ",
                    subsequent_indent="  ",
                    break_on_hyphens=False,
                )
                lines += [f"  {url}" for url in urls]
            lines.append("")
        else:
            lines += _text_table(block)
    return "\n".join(lines).rstrip("\n") + "\n"


RENDERERS = {"md": to_markdown, "rst": to_rst, "txt": to_text}


def export(report: CycleReport, *, fmt: str, base_url: str = "") -> str:
    """The report in ``fmt`` ("md", "rst" or "txt"); KeyError for any other."""
    return RENDERERS[fmt](report, base_url=base_url)


def filename(report: CycleReport, fmt: str) -> str:
    return f"{report.team.name}-{report.cycle.name}-cycle-report.{fmt}"
