"""Small HTML building blocks for reports and the batch index, and the page they sit in.

Reports are self-contained: one HTML file with its own stylesheet and every chart embedded as a
PNG data URI; no scripts, no fonts or files fetched from elsewhere; printable (A4, charts and
tables kept whole on a page).
"""

from __future__ import annotations

import base64
import html as _html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CSS = """
:root { --ink: #111; --muted: #555; --rule: #bbb; --soft: #f2f2f2; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink);
  font: 15px/1.5 "Segoe UI", "Noto Sans", "DejaVu Sans", Roboto, Arial, sans-serif; }
main.sl-page { max-width: 1020px; margin: 0 auto; padding: 28px 32px 40px; }
h1 { font-size: 1.65em; line-height: 1.25; margin: 0 0 .2em; }
h2 { font-size: 1.28em; margin: 1.6em 0 .5em; padding-bottom: .2em; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
p { margin: .45em 0; }
.sl-sub { color: var(--muted); margin: 0 0 .8em; }
.sl-note { border-left: 4px solid var(--ink); background: var(--soft); padding: .55em .9em; margin: .8em 0; font-size: .93em; }
.sl-small { font-size: .86em; color: var(--muted); }
.sl-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(215px, 1fr)); gap: 10px; margin: .8em 0; }
.sl-card { border: 1px solid var(--rule); border-radius: 4px; padding: .55em .75em; break-inside: avoid; }
.sl-card .k { font-size: .84em; color: var(--muted); line-height: 1.3; }
.sl-card .v { font-size: 1.35em; font-weight: 700; line-height: 1.25; margin-top: .15em; }
.sl-card .d { font-size: .82em; color: var(--muted); }
table.sl-table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; font-size: .9em; break-inside: auto; table-layout: auto; }
table.sl-table caption { text-align: left; font-weight: 600; padding: .2em 0 .4em; }
table.sl-table th, table.sl-table td { border: 1px solid var(--rule); padding: .3em .5em; vertical-align: top; text-align: left; }
table.sl-table th { background: #e6e6e6; text-align: left; font-weight: 600; }
table.sl-table tr { break-inside: avoid; }
table.sl-table tbody th { background: #fff; font-weight: 500; }
table.sl-table tbody tr:nth-child(even) td, table.sl-table tbody tr:nth-child(even) th { background: #fafafa; }
table.sl-table td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.sl-table td.num .sl-small { white-space: normal; }
table.sl-table th.num { text-align: right; }
table.sl-table tbody th:first-child, table.sl-table td:first-child { min-width: 13em; }
table.sl-table.sl-wide { font-size: .8em; }
table.sl-table.sl-wider { font-size: .72em; }
table.sl-table.sl-wide tbody th:first-child, table.sl-table.sl-wide td:first-child { min-width: 9em; }
table.sl-table th.sub, table.sl-table td.sub { padding-left: 1.6em; color: #333; font-weight: 400; }
.sl-nw { white-space: nowrap; }
table.sl-table td.sub { padding-left: 1.6em; color: #333; }
.sl-met { font-weight: 600; white-space: nowrap; }
.sl-notmet { font-weight: 700; white-space: nowrap; text-decoration: underline; }
.sl-unsure { font-weight: 600; font-style: italic; white-space: nowrap; }
.sl-outlook { color: var(--muted); }
table.sl-table th.sl-outlook-h { background: #f0f0f0; font-weight: 500; font-style: italic; }
.sl-brief { border: 2px solid var(--ink); padding: .7em 1em; margin: 1em 0 1.2em; break-inside: avoid; }
.sl-brief h2 { margin-top: .1em; border: 0; }
.sl-brief ol { margin: .3em 0 .2em 1.3em; padding: 0; }
.sl-brief li { margin: .35em 0; }
.sl-brief-part h3 { margin: .9em 0 .3em; }
.sl-answer { font-size: 1.12em; font-weight: 700; margin: .2em 0 .5em; }
.sl-answer p { margin: 0; }
.sl-answer-notes { font-size: .89em; font-weight: 400; margin: .3em 0 0 1.2em; padding: 0; }
.sl-answer-notes li { margin: .2em 0; }
nav.sl-toc { font-size: .9em; margin: .6em 0 1em; padding: .4em .8em; border: 1px solid var(--rule); break-inside: avoid; }
nav.sl-toc ol { margin: .2em 0 .2em 1.3em; padding: 0; columns: 2; }
nav.sl-toc a, .sl-nav a { text-decoration: none; border-bottom: 1px solid var(--rule); }
.sl-nav { font-size: .85em; margin: 0 0 .6em; }
.sl-up { font-size: .8em; font-weight: 400; float: right; }
.sl-up a { text-decoration: none; }
.sl-fail { font-weight: 700; }
.sl-files td:nth-child(3) { min-width: 12em; }
figure.sl-chart { margin: .8em 0 1.2em; break-inside: avoid; page-break-inside: avoid; }
figure.sl-chart img { max-width: 100%; height: auto; display: block; }
main.sl-page img { max-width: 100%; height: auto; }
figure.sl-chart .sl-fig-title { font-weight: 700; margin: 0 0 .3em; }
figure.sl-chart figcaption { font-size: .86em; color: var(--muted); margin-top: .3em; }
footer.sl-footer { margin-top: 2.4em; border-top: 1px solid var(--rule); padding-top: .6em; font-size: .8em; color: var(--muted); }
footer.sl-footer table { border-collapse: collapse; }
footer.sl-footer td { padding: .1em .8em .1em 0; vertical-align: top; overflow-wrap: anywhere; }
footer.sl-footer td:first-child { white-space: nowrap; word-break: normal; }
code, .mono { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .9em; }
a { color: #000; }
ul.sl-list { margin: .3em 0 .8em 1.2em; padding: 0; }
.cell, .output_wrapper, .output, .output_area, .output_subarea { margin: 0; padding: 0; }
@page { size: A4; margin: 14mm 12mm 16mm;
  @bottom-right { content: "Trang " counter(page) " / " counter(pages); font: 8.5pt "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #555; } }
@page sl-landscape { size: A4 landscape; }
@media print {
  body { font-size: 11pt; }
  main.sl-page { max-width: none; padding: 0; }
  h2, h3, table.sl-table caption { break-after: avoid; }
  h2, h3 { display: flow-root; }
  h2, h3, table.sl-table caption { break-inside: avoid; }
  h2::after, h3::after, table.sl-table caption::after { content: ""; display: block; height: 6em; margin-bottom: -6em; }
  table.sl-table caption::after { height: 10em; margin-bottom: -10em; }
  .sl-brief { break-inside: auto; }
  .sl-brief li, .sl-answer, .sl-brief h2 { break-inside: avoid; }
  .sl-brief-part h3::after { height: 3em; margin-bottom: -3em; }
  .sl-brief-part .sl-answer { break-inside: auto; orphans: 2; widows: 2; }
  .sl-brief li:has(> ul) { break-inside: auto; orphans: 2; widows: 2; }
  .sl-brief li > ul { break-before: avoid; }
  .sl-nav, .sl-screen { display: none; }
  .sl-files th:last-child, .sl-files td:last-child { display: none; }
  .sl-files table.sl-table { border-right: 1px solid var(--rule); }
  .sl-files td:nth-child(3) { min-width: 16em; }
  h3:has(+ .sl-files)::after { height: 16em; margin-bottom: -16em; }
  footer.sl-footer { break-before: avoid; }
  footer.sl-footer td:first-child { white-space: normal; width: 30%; }
  figure.sl-chart img { max-height: 235mm; width: auto; }
  a { text-decoration: none; }
  .sl-up { display: none; }
  table.sl-table.sl-wider, h3:has(+ table.sl-table.sl-wider) { page: sl-landscape; }
  table.sl-table.sl-wider + p.sl-small, section.sl-group table.sl-table.sl-wider ~ p.sl-small { page: sl-landscape; }
  table.sl-table.sl-wide th, table.sl-table.sl-wide td { padding: .2em .25em; }
  table.sl-table tbody th:first-child, table.sl-table td:first-child { min-width: 9em; }
  table.sl-table.sl-wide tbody th:first-child, table.sl-table.sl-wide td:first-child { min-width: 6em; }
  table.sl-table.sl-wide .sl-met, table.sl-table.sl-wide .sl-notmet, table.sl-table.sl-wide .sl-unsure { white-space: normal; }
  table.sl-table.sl-wide, table.sl-table.sl-wider, table.sl-table .sl-small { font-size: 9pt; }
  table.sl-table.sl-wider th, table.sl-table.sl-wider td { padding: .15em .3em; }
  table.sl-table.sl-wider tbody th:first-child, table.sl-table.sl-wider td:first-child { min-width: 4em; }
  table.sl-table.sl-wider td.sl-long { min-width: 11em; }
  h2 + p, h3 + p { break-inside: avoid; break-after: avoid; }
}
"""
#: Printed, a table runs past A4's text width (about 700 CSS pixels) when its columns cannot
#: shrink: the rules at the end of `@media print` above put a table of `WIDER_COLUMNS` columns
#: (the evidence behind the effect sizes: 814 px) on landscape pages, with the notes under it (its
#: own, and in a group of the comparison page those that follow it: read64, each printed alone on
#: a portrait page after its table's landscape one), and let the cells of a table
#: of `WIDE_COLUMNS` (a scorecard of seven years: 880 px) and the scorecard's first column (722 px)
#: take less room, a verdict wrapping within its cell.
#: A heading or caption is kept whole and, through an empty box below it that takes no room on
#: screen (`::after`, its height given back by a negative margin), moves to the next page with what
#: it heads when only a few lines are left (print60). A brief taller than a page breaks between its
#: messages; links and the index's file column (`sl-nav`, `sl-screen`, `sl-files`) are not printed.
#: No printed table text is under 9 pt (brief61: multidim_2030's seven-year scorecard printed its
#: shortfalls at 7.6 pt, its 12-column tables at 7.9 pt); a paragraph right under a heading stays
#: whole and on the page of what follows it (plan_2024's «Vốn đi đâu và mang lại gì» and its one
#: sentence were left at a page's foot, their chart on the next page). A part of the brief starts
#: on the page where the part before it ends when its heading and two lines of its answer fit there
#: (report62: the index's page 1 ended with a fifth of the page empty, the 2024 part's three-line
#: heading and five-line answer, kept whole and together, moved to page 2); a message with a list
#: breaks between its items, its lead-in ending on the page of the first (its page 2 then ended 257 pt
#: empty: message 9, the counterfactual and four scenarios computed differently, kept whole, moved).
#: In a landscape table the columns of long text (`LONG_TEXT`: a parameter's name, its unit, the
#: studies cited) are at least 11 em wide and the row labels («P1.1») may be narrow: the evidence
#: table printed its names five words to a line, 76 rows on 12 landscape pages, 9 after (print65).

#: the page footer of an English page (`@page` has no `:lang()`: `page` adds it after `CSS`)
PAGE_EN = '@page { @bottom-right { content: "Page " counter(page) " of " counter(pages); } }\n'

#: JupyterLab styles rendered HTML tables its own way (cells right-aligned, fixed layout, centred):
#: these rules, more specific than JupyterLab's, keep a report's tables as in the HTML report
LAB_CSS = """
.jp-RenderedHTMLCommon table.sl-table { margin: .6em 0 1em; table-layout: auto; width: 100%; font-size: .9em; }
.jp-RenderedHTMLCommon table.sl-table th, .jp-RenderedHTMLCommon table.sl-table td { text-align: left; vertical-align: top; }
.jp-RenderedHTMLCommon table.sl-table th.num, .jp-RenderedHTMLCommon table.sl-table td.num { text-align: right; }
.jp-RenderedHTMLCommon .sl-card .v { font-size: 1.35em; font-weight: 700; }
"""


def notebook_css() -> str:
    """The report stylesheet for HTML shown inside JupyterLab (report notebooks, the explorer):
    the rules of `CSS` for simlib's own classes (`sl-…`) and its colour variables, without the
    rules for plain elements, the page and printing (they would restyle JupyterLab itself), plus
    `LAB_CSS`."""
    out = []
    for selectors, body in _css_rules(CSS):
        keep = [s for s in selectors if "sl-" in s or s == ":root"]
        if keep:
            out.append(f"{', '.join(keep)} {{{body}}}")
    return "\n".join(out) + LAB_CSS


def _css_rules(css: str) -> list[tuple[list[str], str]]:
    """Top-level rules of a stylesheet as (selectors, body); @-blocks (@page, @media) left out."""
    rules, i = [], 0
    while True:
        start = css.find("{", i)
        if start < 0:
            return rules
        head = css[i:start].strip()
        depth, j = 1, start + 1
        while depth:
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        if not head.startswith("@"):
            rules.append(([s.strip() for s in head.split(",")], css[start + 1 : j - 1].strip()))
        i = j


#: breakable white space before a dash: a browser may wrap there and start a line with "–"
_SPACE_DASH = re.compile(r"[ \t\r\n]+(?=[–—])")


#: a space before a percent sign after a number or "điểm"/"points": "15,8 %" must not wrap
_SPACE_PERCENT = re.compile(r"(?:(?<=[\d)])|(?<=điểm)|(?<=oints)) (?=%)")


def keep_dash(text: str) -> str:
    """Text whose dashes and percent signs never start a line: the space before "–" (an interval
    "a – b", a missing value after a label) and before "%" after a number becomes a no-break
    space. "a–b" without spaces may only wrap after the dash."""
    return _SPACE_PERCENT.sub("\u00a0", _SPACE_DASH.sub("\u00a0", text))


def esc(text) -> str:
    """Escape text for HTML (dashes kept off the start of a line, `keep_dash`)."""
    return keep_dash(_html.escape("" if text is None else str(text), quote=True))


@dataclass
class Chart:
    """A figure with its caption (and alternative text for screen readers)."""

    figure: object
    caption: str = ""
    alt: str = ""
    #: a title above the chart that states its finding ("… giảm 4,69 điểm % năm 2024 …")
    title: str = ""


def img_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure(chart: Chart) -> str:
    """A chart as an embedded PNG inside <figure> with its caption. The figure is then released
    from pyplot (`chart_style.release`): a notebook would otherwise show it again below the cell."""
    # local import: matplotlib (through chart_style) only when a chart is embedded; workbench and index pages use html without charts
    from simlib.chart_style import release, to_png

    png = to_png(chart.figure)
    release(chart.figure)
    alt = esc(chart.alt or chart.caption)
    cap = f"<figcaption>{esc(chart.caption)}</figcaption>" if chart.caption else ""
    head = f'<p class="sl-fig-title">{esc(chart.title)}</p>' if chart.title else ""
    return f'<figure class="sl-chart">{head}<img alt="{alt}" src="{img_data_uri(png)}">{cap}</figure>'


def heading(text: str, level: int = 2, anchor: str | None = None, up: str | None = None) -> str:
    """A heading; `up` is the text of a link back to the table of contents (`#toc`)."""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    back = f'<span class="sl-up"><a href="#toc">↑ {esc(up)}</a></span>' if up else ""
    return f"<h{level}{ident}>{esc(text)}{back}</h{level}>"


def toc(title: str, entries: Iterable[tuple[str, str]]) -> str:
    """A table of contents: (anchor, text) entries as links, under `title`."""
    items = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in entries)
    return f'<nav class="sl-toc" id="toc"><strong>{esc(title)}</strong><ol>{items}</ol></nav>'


def nav(links: Iterable[tuple[str, str]]) -> str:
    """A line of links to the pages around this one: (href, text)."""
    parts = [link(h, t) for h, t in links if h]
    return f'<p class="sl-nav">{" · ".join(parts)}</p>' if parts else ""


def para(text: str, cls: str | None = None) -> str:
    c = f' class="{cls}"' if cls else ""
    return f"<p{c}>{esc(text)}</p>"


#: a web address in a text (a source's), with the colon introducing it («…: https://…»); it ends
#: before a space, a semicolon, a bracket, or a full stop or comma ending the sentence
URL = re.compile(r"(:\s*)?(https?://[^\s;()]+?)(?=[.,]?(?:[\s;()]|$))")


def linked(text: str, label: str) -> str:
    """`text` escaped for HTML, each web address in it shown as a link named `label` («văn bản»)
    in brackets, not as its long address («Kế hoạch 415/KH-UBND …: https://baocaobang.vn/…» →
    «Kế hoạch 415/KH-UBND … (văn bản)»); an address already in brackets keeps its own."""
    out, pos = [], 0
    for m in URL.finditer(text):
        out.append(esc(text[pos : m.start()]))
        a = link(m.group(2), label)
        out.append(f" ({a})" if m.group(1) else a)
        pos = m.end()
    return "".join(out) + esc(text[pos:])


def note(text: str) -> str:
    return f'<div class="sl-note">{esc(text)}</div>'


def cards(items: Iterable[tuple[str, ...]]) -> str:
    """Key-figure cards: (label, value, detail), or (label, value, detail, class) for a card
    with a CSS class of its own (the explorer's money card, greyed while a year switches)."""
    out = []
    for k, v, d, *own in items:
        det = f'<div class="d">{esc(d)}</div>' if d else ""
        cls = esc(" ".join(["sl-card", *own]))
        out.append(f'<div class="{cls}"><div class="k">{esc(k)}</div><div class="v">{esc(v)}</div>{det}</div>')
    return '<div class="sl-cards">' + "".join(out) + "</div>"


def bullet_list(items: Iterable[str], raw: bool = False) -> str:
    lis = "".join(f"<li>{i if raw else esc(i)}</li>" for i in items)
    return f'<ul class="sl-list">{lis}</ul>'


def source_items(sources, note_key: str = "note") -> list[str]:
    """Sources (a dataset's `sources` list: title or id, url, note) as HTML list items, each
    title a link to its address; `note_key` picks the note in the reader's language
    (`note_vi`), falling back to `note`."""
    out = []
    for src in sources or []:
        title = src.get("title", src.get("id", ""))
        text = link(src["url"], title) if src.get("url") else esc(title)
        note = src.get(note_key) or (src.get("note") if note_key == "note" else None)
        if note:
            text += f' <span class="sl-small">({esc(note)})</span>'
        out.append(text)
    return out


def link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


#: a table with this many columns or more is set smaller (`sl-wide`, and `sl-wider` from the second
#: count), so that a year-by-year table (a label, a threshold and seven or eight years, each cell a
#: value, a verdict and a shortfall) fits the text column of a 1280-pixel screen
WIDE_COLUMNS, WIDER_COLUMNS = 8, 10
#: a text column (not the row labels) of a `WIDER_COLUMNS` table with a cell of this many
#: characters or more is a column of long text (`sl-long`: kept at least 11 em wide in print)
LONG_TEXT = 40
#: a tag in a cell given as HTML (`raw_cols`): not counted as text
_TAG = re.compile(r"<[^>]*>")


def long_columns(header: Sequence[str], rows: Sequence[Sequence], numeric: Sequence[bool]) -> set[int]:
    """The columns of long text of a `WIDER_COLUMNS` table (`LONG_TEXT`); none in a narrower one."""
    if len(header) < WIDER_COLUMNS:
        return set()
    return {
        ci
        for ci in range(1, len(header))
        if not numeric[ci] and any(len(_TAG.sub("", str(row[ci]))) >= LONG_TEXT for row in rows if ci < len(row))
    }


def table(
    header: Sequence[str],
    rows: Sequence[Sequence],
    *,
    numeric: Sequence[bool] | None = None,
    caption: str | None = None,
    row_classes: Sequence[str] | None = None,
    raw_cols: Sequence[int] = (),
    row_header: bool = True,
    header_classes: Sequence[str] | None = None,
    raw_header: bool = False,
) -> str:
    """An HTML table from already formatted cells. `numeric[i]` right-aligns column i;
    cells in `raw_cols` are inserted as HTML (already escaped by the caller). The first cell of
    each row is its label (`<th scope="row">`) unless `row_header` is False;
    `header_classes[i]` styles header cell i (e.g. an outlook year); with `raw_header` the
    header cells are HTML already escaped by the caller. A table of `WIDE_COLUMNS` columns or more
    is set in a smaller type; in one of `WIDER_COLUMNS` the cells of long text are `sl-long`
    (`long_columns`)."""
    numeric = list(numeric or [False] * len(header))
    hcls = list(header_classes or [""] * len(header))
    text = (lambda h: h) if raw_header else esc
    th = "".join(
        f'<th class="{" ".join(c for c in ("num" if n else "", k) if c)}">{text(h)}</th>'
        if (n or k)
        else f"<th>{text(h)}</th>"
        for h, n, k in zip(header, numeric, hcls)
    )
    long = long_columns(header, rows, numeric)
    body = []
    for ri, row in enumerate(rows):
        tds = []
        for ci, cell in enumerate(row):
            cls = []
            if numeric[ci]:
                cls.append("num")
            if ci in long:
                cls.append("sl-long")
            if row_classes and row_classes[ri] and ci == 0:
                cls.append(row_classes[ri])
            c = f' class="{" ".join(cls)}"' if cls else ""
            tag = "th" if ci == 0 and row_header else "td"
            scope = ' scope="row"' if tag == "th" else ""
            tds.append(f"<{tag}{scope}{c}>{cell if ci in raw_cols else esc(cell)}</{tag}>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    cls = (
        "sl-table"
        + (" sl-wide" if len(header) >= WIDE_COLUMNS else "")
        + (" sl-wider" if len(header) >= WIDER_COLUMNS else "")
    )
    return f'<table class="{cls}">{cap}<thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table>'


#: a style or script element, or a tag: left as it is by `keep_dash_html`
_NOT_TEXT = re.compile(r"(?is)<(style|script)\b.*?</\1\s*>|<[^>]*>")


def keep_dash_html(body: str) -> str:
    """`keep_dash` on the text of an HTML fragment (not inside tags, styles or scripts): text a
    notebook's markdown or nbconvert wrote without `esc` keeps its dashes off the start of a line."""
    out, i = [], 0
    for m in _NOT_TEXT.finditer(body):
        out += [keep_dash(body[i : m.start()]), m.group(0)]
        i = m.end()
    return "".join(out) + keep_dash(body[i:])


def page(body: str, title: str, lang: str = "vi") -> str:
    """A complete, self-contained HTML page around `body` (its text through `keep_dash_html`)."""
    body = keep_dash_html(body)
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="simlib">\n<title>{esc(title)}</title>\n<style>{CSS}{PAGE_EN if lang == "en" else ""}</style>\n</head>\n'
        f'<body>\n<main class="sl-page">\n{body}\n</main>\n</body>\n</html>\n'
    )
