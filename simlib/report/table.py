"""A report table for people, and the three forms it takes: an HTML table in the page, a sheet of
the report's workbook and a CSV file for Excel — the same rows and numbers in all three.

A `ReportTable` holds a DataFrame whose first column labels the rows and whose headers are in the
report's language (with their units), and a format code per column:

| code    | shown as (vi)        | Excel number format             |
|---------|----------------------|---------------------------------|
| text    | as written           | text                            |
| year    | 2024                 | 0                               |
| int     | 1.234 (whole number) | #,##0                           |
| num1    | 1.234,5              | #,##0.0                         |
| num2    | 1.234,56             | #,##0.00                        |
| pct0    | 98 % (value in %)    | #,##0" %"                       |
| pct1    | 24,7 % (value in %)  | #,##0.0 "%"                     |
| pts2    | −4,23 (points)       | +#,##0.00;-#,##0.00;0.00        |
| general | 25.000.000 · 0,0125  | #,##0 (whole) · #,##0.0### cell |

CSV files for people are written the way Excel in the report's language opens them: UTF-8 with a
byte-order mark, and in Vietnamese `;` between fields and `,` as the decimal sign (Vietnamese
Windows uses `,` for decimals, so Excel splits on `;`); in English `,` and `.`. Values are rounded
to the decimals shown and written with them (`csv_frame`: every number of a column with the
same decimals), by the one rounding of every number a reader sees (`fmt.shown`: half away from
zero on the value's shortest decimal form), so that each cell of the page reads as its CSV cell
and its workbook cell (1.15 is 1,2 in all three, −0.04 is 0,0). A share in a percentage column (`pct0`, `pct1`) that would read 0 or 100 % while
inside them is written with the decimals that keep it off (`percent_cell`: 99,6 % in a column
of whole percents, in the page, the CSV and the workbook). Machine-readable tables (codes, full precision, `,`) are written elsewhere
(`simlib.runner.write_outputs`, `verdicts.csv`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.atomic import atomic_file
from simlib.clock import run_time, zip_time
from simlib.i18n import fmt
from simlib.report import html

FORMATS = ("text", "year", "int", "num1", "num2", "pct0", "pct1", "pts2", "general")
#: `general`: up to 4 decimals, trailing zeros dropped (values of very different sizes in one column)
_DECIMALS = {"int": 0, "num1": 1, "num2": 2, "pct0": 0, "pct1": 1, "pts2": 2, "year": 0, "general": 4}
_EXCEL = {
    "text": "@",
    "year": "0",
    "int": "#,##0",
    "num1": "#,##0.0",
    "num2": "#,##0.00",
    "pct0": '#,##0" %"',
    "pct1": '#,##0.0" %"',
    "pts2": "+#,##0.00;-#,##0.00;0.00",
    "general": "#,##0",
}
#: a `general` cell that is not whole: up to 4 decimals, as the page shows it (Excel's General
#: format would show 25000000 with no thousands separator)
_EXCEL_GENERAL_DECIMALS = "#,##0.0###"
#: CSV conventions of Excel in each language: (field separator, decimal sign)
CSV_STYLE = {"vi": (";", ","), "en": (",", ".")}
CSV_ENCODING = "utf-8-sig"


@dataclass
class ReportTable:
    """One table of a report: `key` names its files (`table_<key>.csv`), `title` is its caption
    and sheet name, `frame` its rows (first column: the row labels), `formats` a code per column
    (`FORMATS`; text when absent), `note` a line under it."""

    key: str
    title: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    note: str = ""
    #: columns whose row cells are indented detail rows (e.g. districts under their target)
    detail: Sequence[bool] | None = None
    #: per row, the code its decimal columns (`ROW_CODED`) are shown with in the page and the
    #: workbook (None: the column's): expected households whole in a column of rates; the CSV
    #: keeps the column's decimals (its values)
    row_formats: Sequence[str | None] | None = None

    def fmt_of(self, column: str) -> str:
        return self.formats.get(column, "text")

    def shown_as(self, column: str, row: int) -> str:
        """The code of a cell as the page and the workbook show it (`row_formats`)."""
        code = self.fmt_of(column)
        own = self.row_formats[row] if self.row_formats is not None else None
        return own if own and code in ROW_CODED else code


#: the column codes a row's own code (`ReportTable.row_formats`) replaces
ROW_CODED = ("num1", "num2", "general")


def cell_text(value, code: str, lang: str) -> str:
    """One value as the page shows it."""
    if code == "text":
        return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    if fmt.is_missing(value):
        return fmt.DASH
    if code == "year":
        return str(int(value))
    if code in ("pct0", "pct1"):
        return fmt.percent(value, lang, _DECIMALS[code])
    if code == "pts2":
        return fmt.signed(value, lang, 2)
    if code == "general":
        return fmt.number(value, lang, 4, trim=True)
    return fmt.number(value, lang, _DECIMALS[code])


def page_value(table: ReportTable, value, column: str, row: int):
    """The value a page cell is written from: `value`, or for a cell its row shows with its own
    code (`row_formats`: expected households whole in a column of rates) the value as its CSV and
    workbook cell hold it (rounded to the column's decimals), so that the page reads as Excel
    shows that cell (1234.4951: 1234,50 in the CSV, 1.235 on the page and in the workbook)."""
    code = table.fmt_of(column)
    if table.shown_as(column, row) == code or code not in _DECIMALS or fmt.is_missing(value):
        return value
    return fmt.shown(value, _DECIMALS[code])


def to_html(table: ReportTable, lang: str, caption: bool = True) -> str:
    """The table in a page (numbers right-aligned, the first column labelling the rows)."""
    df = table.frame
    codes = [table.fmt_of(c) for c in df.columns]
    rows = [
        [cell_text(page_value(table, v, c, i), table.shown_as(c, i), lang) for v, c in zip(row, df.columns)]
        for i, row in enumerate(df.itertuples(index=False))
    ]
    classes = ["sub" if d else "" for d in table.detail] if table.detail is not None else None
    out = html.table(
        [str(c) for c in df.columns],
        rows,
        numeric=[c != "text" for c in codes],
        caption=table.title if caption else None,
        row_classes=classes,
    )
    return out + (html.para(table.note, "sl-small") if table.note else "")


#: the percentage codes: a share inside 0–100 % keeps the decimals that stop it reading 0 or 100 %
PERCENT_CODES = ("pct0", "pct1")


def percent_cell(value, code: str) -> tuple[float, int]:
    """(value, decimals) of a cell of a percentage column as written everywhere (page, CSV,
    workbook): `fmt.percent_shown` (99.6 in a whole-percent column is 99,6, not 100)."""
    return fmt.percent_shown(float(value), _DECIMALS[code])


def _percent_rounded(raw: pd.Series, v: pd.Series, code: str) -> pd.Series:
    """`v` (`raw` rounded to the column's decimals) with each share that would read 0 or 100 %
    rounded as `percent_cell` writes it; the others as they were (byte for byte)."""
    own = [None if pd.isna(x) else percent_cell(x, code) for x in raw]
    more = [o is not None and o[1] != _DECIMALS[code] for o in own]
    return pd.Series([fmt.shown(*o) if m else x for x, o, m in zip(v, own, more)], index=v.index, dtype=float)


def _shown(raw: pd.Series, decimals: int) -> pd.Series:
    """Each number of `raw` rounded as the page writes it (`fmt.shown`); missing ones stay NaN."""
    return pd.Series([x if pd.isna(x) else fmt.shown(x, decimals) for x in raw], index=raw.index, dtype=float)


def rounded(table: ReportTable) -> pd.DataFrame:
    """The frame with every number rounded to the decimals it is shown with (a percentage cell
    with its own, `percent_cell`)."""
    df = table.frame.copy()
    for c in df.columns:
        code = table.fmt_of(c)
        if code in _DECIMALS:
            raw = pd.to_numeric(df[c], errors="coerce")
            v = _shown(raw, _DECIMALS[code])
            if code in PERCENT_CODES:
                v = _percent_rounded(raw, v, code)
            whole = _DECIMALS[code] == 0 and v.notna().all() and bool((v == v.round()).all())
            df[c] = v.astype("Int64") if whole else v
    return df


#: formats written in a CSV with their fixed number of decimals (`general` trims its zeros)
FIXED_DECIMALS = ("year", "int", "num1", "num2", "pct0", "pct1", "pts2")


def csv_frame(table: ReportTable, lang: str) -> pd.DataFrame:
    """`rounded(table)` with each number of a fixed-decimals column (`FIXED_DECIMALS`) written
    with its column's decimals and the language's decimal sign: a whole number in a column of
    households with a missing cell is «-1294», not «-1294,0», and a two-decimals column says
    «32443,00» beside «28422,04» — the values as rounded, one number of decimals per column."""
    dec = CSV_STYLE[i18n.get_lang(lang)][1]
    df = rounded(table)
    for c in df.columns:
        code = table.fmt_of(c)
        if code in FIXED_DECIMALS:
            values = pd.to_numeric(df[c], errors="coerce")
            df[c] = ["" if pd.isna(x) else fmt.plain(x, _cell_decimals(code, x)).replace(".", dec) for x in values]
    return df


def _cell_decimals(code: str, value) -> int:
    """The decimals one (rounded) number of a fixed-decimals column is written with: the column's,
    or a percentage cell's own (`percent_cell`)."""
    return percent_cell(value, code)[1] if code in PERCENT_CODES else _DECIMALS[code]


def write_csv(table: ReportTable, path: str | Path, lang: str) -> Path:
    """`table` as a CSV file Excel in `lang` opens correctly (see the module docstring)."""
    sep, dec = CSV_STYLE[i18n.get_lang(lang)]
    path = Path(path)
    with atomic_file(path, "w", encoding=CSV_ENCODING, newline="") as fh:
        csv_frame(table, lang).to_csv(fh, index=False, sep=sep, decimal=dec, quoting=csv.QUOTE_MINIMAL)
    return path


def read_csv(path: str | Path, lang: str) -> pd.DataFrame:
    """A CSV file written by `write_csv` in `lang`, read back."""
    sep, dec = CSV_STYLE[i18n.get_lang(lang)]
    return pd.read_csv(path, sep=sep, decimal=dec, encoding=CSV_ENCODING)


_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


#: Excel's longest sheet name
SHEET_CHARS = 31


def shorten_words(text: str, limit: int) -> str:
    """`text` if it has at most `limit` characters, else its whole words that fit with «…» after
    them (a single overlong word is cut)."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = len(head) if text[limit - 1].isspace() else head.rfind(" ")
    return (head[:cut] if cut > 0 else head).rstrip(" ,;–-(") + "…"


def sheet_name(title: str, used: set) -> str:
    """An Excel sheet name from a title: at most 31 characters, none of []:*?/\\, unique. A longer
    title ends after its last whole word that fits, with «…» (never «… theo huyện, thàn»)."""
    clean = _BAD_SHEET.sub("", title).strip() or "Sheet"
    name, i = shorten_words(clean, SHEET_CHARS), 1
    while name.lower() in used:
        i += 1
        name = f"{shorten_words(clean, SHEET_CHARS - len(str(i)) - 1)} {i}"
    used.add(name.lower())
    return name


def _info_sheet(wb, title: str, rows: Sequence[tuple[str, str]]) -> None:
    # local import: openpyxl (about 0.2 s CPU to import) only when a workbook is written
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(title, 0)
    for r, (k, v) in enumerate(rows, start=1):
        ws.cell(row=r, column=1, value=k).font = Font(bold=True)
        ws.cell(row=r, column=2, value=v).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 110


def _table_sheet(wb, name: str, table: ReportTable, lang: str) -> None:
    # local import: openpyxl (about 0.2 s CPU to import) only when a workbook is written
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    df = rounded(table)
    ws.append([str(c) for c in df.columns])
    for row in df.itertuples(index=False):
        ws.append([None if (v is pd.NA or (isinstance(v, float) and np.isnan(v))) else _plain(v) for v in row])
    for ci, col in enumerate(df.columns, start=1):
        letter = get_column_letter(ci)
        head = ws.cell(row=1, column=ci)
        head.font, head.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        code = table.fmt_of(col)
        for i, cell in enumerate(ws[letter][1:]):
            cell.number_format = excel_format(table.shown_as(col, i), cell.value)
        ws.column_dimensions[letter].width = column_width(
            str(col), [cell_text(v, code, lang) for v in table.frame[col].head(200)]
        )
    ws.freeze_panes = "B2"
    if len(df):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{len(df) + 1}"


#: characters a wrapped header takes in a column of short cells (its words on a few lines)
HEADER_CHARS = 16


def column_width(header: str, cells: Sequence[str]) -> int:
    """A sheet column's width (characters): its longest cell, and its header wrapped in
    `HEADER_CHARS` (never narrower than the header's longest word) — a column of numbers under
    «Chi phí cho mỗi hộ giảm nghèo nhờ Chương trình (triệu đồng/hộ)» is 18 wide, not 60; 9 to 60."""
    longest = max((len(c) for c in cells), default=0)
    head = max(min(len(header), HEADER_CHARS), max((len(w) for w in header.split()), default=0))
    return min(60, max(9, longest + 2, head + 2))


def excel_format(code: str, value) -> str:
    """The Excel number format of one cell of format `code` holding `value`: the column's
    (`_EXCEL`), a `general` value with its thousands separated like the page's (`cell_text`):
    whole as `#,##0`, else with up to 4 decimals."""
    if code == "general" and isinstance(value, float) and not value.is_integer():
        return _EXCEL_GENERAL_DECIMALS
    if code in PERCENT_CODES and isinstance(value, (int, float)) and not isinstance(value, bool):
        d = percent_cell(value, code)[1]
        return _EXCEL[code] if d == _DECIMALS[code] else f'#,##0.{"0" * d}" %"'
    return _EXCEL[code]


def _plain(v):
    """Numpy scalars as Python ones (openpyxl writes Python numbers)."""
    return v.item() if isinstance(v, np.generic) else v


def write_xlsx(
    tables: Sequence[ReportTable],
    path: str | Path,
    lang: str,
    info: Sequence[tuple[str, str]] = (),
    prefix: str = "table_",
    files: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """One workbook: an information sheet first (`info` rows: label, text), then one sheet per
    table with its headers bold and frozen with the row labels, filters, and each column's
    number format. The information sheet names each sheet's CSV file: `files[key]`, else
    `<prefix><key>.csv`. Returns {table key: sheet name}."""
    # local import: openpyxl (about 0.2 s CPU to import) only when a workbook is written
    from openpyxl import Workbook

    lang = i18n.get_lang(lang)
    wb = Workbook()
    wb.remove(wb.active)
    used: set = set()
    info_title = sheet_name(i18n.t("xlsx.info_sheet", lang), used)
    names = {t.key: sheet_name(t.title, used) for t in tables}
    rows = list(info) + [(i18n.t("xlsx.sheets", lang), "")]
    files = files or {}
    rows += [
        (names[t.key], files.get(t.key, f"{prefix}{t.key}.csv") + (f" — {t.note}" if t.note else "")) for t in tables
    ]
    _info_sheet(wb, info_title, rows)
    for t in tables:
        _table_sheet(wb, names[t.key], t, lang)
    with atomic_file(Path(path), "wb") as fh:
        fh.write(stamped_workbook(wb))
    return names


def stamped_workbook(wb) -> bytes:
    """The workbook's bytes with one time in them, the run's (`simlib.clock.run_time`): its
    document properties' created and modified times and every part's zip date (openpyxl would
    write the moment of saving), so that a run with `SOURCE_DATE_EPOCH` set writes the same bytes."""
    # local import: openpyxl (about 0.2 s CPU to import) only when a workbook is written
    from openpyxl.xml.functions import tostring

    when = run_time()
    buf = io.BytesIO()
    wb.save(buf)
    wb.properties.created = wb.properties.modified = when.replace(tzinfo=None)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = tostring(wb.properties.to_tree()) if info.filename == "docProps/core.xml" else src.read(info)
            part = zipfile.ZipInfo(info.filename, date_time=zip_time(when))
            part.compress_type, part.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            dst.writestr(part, data)
    return out.getvalue()


def export(
    tables: Sequence[ReportTable],
    folder: str | Path,
    lang: str,
    xlsx_name: str = "tables.xlsx",
    info: Sequence[tuple[str, str]] = (),
    prefix: str = "table_",
) -> list[str]:
    """Every table as `<prefix><key>.csv` and all of them in one workbook; returns the file names."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for t in tables:
        write_csv(t, folder / f"{prefix}{t.key}.csv", lang)
        written.append(f"{prefix}{t.key}.csv")
    write_xlsx(tables, folder / xlsx_name, lang, info, prefix)
    return written + [xlsx_name]


def frame_of(rows: Sequence[Mapping], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame from row dicts, with exactly `columns` in that order."""
    return pd.DataFrame(list(rows), columns=list(columns))


def round_to_total(values, digits: int = 1, total: float | None = None) -> np.ndarray:
    """`values` rounded to `digits` decimals so that they add up to `total` (default: their sum
    rounded the same way) by largest remainder: each rounded down, the units left given to the
    largest remainders (taken from the smallest when `total` is below the rounded-down sum)."""
    scale = 10**digits
    v = np.asarray(values, float) * scale
    down = np.floor(v + 1e-9)
    target = round(float(v.sum())) if total is None else round(float(total) * scale)
    left = int(round(target - down.sum()))
    order = np.argsort(-(v - down), kind="stable")
    if left >= 0:
        down[order[:left]] += 1
    else:
        down[order[::-1][:-left]] -= 1
    return down / scale
