"""The tables planners hand to simlib (annual-review counts, units, calibration data): CSV or XLSX
read as text, and numbers written by hand read without guessing.

A CSV saved by a spreadsheet set to Vietnamese separates its columns by `;` (the comma is its
decimal mark): `read_table` takes such a file as it takes a comma-separated one. Numbers of
households are read as written, except where reading them would be a guess (`number_text`):
`4.410` is 4 410 households in Vietnamese writing and 4.41 in English, and `4,5` a decimal comma
(read as 45 once the thousands commas are dropped). Those are refused with what to write instead,
never read one way silently. Thousands grouped by commas (`4,410`) or spaces (`4 410`) are read.

What else a spreadsheet saves is read where nothing is guessed: UTF-16 with its byte-order mark
(Excel's «Unicode text», tab-separated), empty rows — blank lines, and lines of separators only
(`;;;;`, what a spreadsheet saves for a row whose contents were deleted) — wherever they are.
Each row keeps the number of its line in the file (`row_numbers`), so that a message sends the
planner to the line a text editor or the spreadsheet shows, empty rows above it or not. A text in another
encoding, a workbook under a `.csv` name or in the old `.xls` format, and a header below a title
row are refused with what to do (`table_text`, `header_row`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.errors import InputError, missing_file
from simlib.file_kinds import OLE2_MAGIC, ZIP_MAGIC
from simlib.i18n.fmt import quote
from simlib.paths import display_path
from simlib.written_numbers import fullwidth_fix

#: a whole number grouped by dots: 4.410, 12.345.678 (a thousands dot, or a decimal point?)
DOT_GROUPS = r"[-+]?\d{1,3}(?:\.\d{3})+"
#: thousands grouped by commas, with or without a decimal part: 4,410 and 1,234.5
COMMA_GROUPS = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
#: the spaces a spreadsheet may group thousands with (space, no-break space, narrow no-break space)
SPACES = "[ \u00a0\u202f]"


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (columns separated by `,`, `;` or, in a UTF-16 file as Excel's «Unicode text» writes
    it, tabs) or XLSX table as text columns, without its empty rows (`without_blank_rows`);
    each row's index is its line in the file less 2 (`row_numbers`: the line, counting the
    header's, as messages say it); unreadable files become `InputError`s (`table_text` says
    which)."""
    shown = display_path(path)
    if not path.is_file():
        raise missing_file(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            if workbook_kind(path) == "xls":
                raise InputError("csv_old_excel", file=shown)
            # every sheet row a row (index + 2); empty cells "" as in a CSV
            df = pd.read_excel(path, dtype=str).fillna("")
        elif path.suffix.lower() in (".yaml", ".yml"):  # a scenario or parameter file given for a table
            raise InputError("table_is_yaml", file=shown)
        else:
            text = table_text(path, shown)
            sep = text_separator(text)
            extra_cells(text, sep, shown)
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
            df.index = text_rows(text, sep, len(df))
    except InputError:
        raise
    except Exception as exc:  # pandas raises many types for unreadable files
        raise unreadable_table(shown, str(exc)) from None
    df.columns = [str(c).strip() for c in df.columns]
    return without_blank_rows(df)


#: pandas' words for a row with more cells than the header has columns
EXTRA_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def unreadable_table(shown: str, detail: str) -> InputError:
    """The error for a table pandas could not read (`detail`, its English words): a row with more
    cells than the header has columns (an unquoted comma in a cell: `1,5`) said in plain words;
    else its words."""
    extra = EXTRA_FIELDS.search(detail)
    if extra is not None:
        columns, line, _ = extra.groups()
        return InputError("csv_extra_cells", file=shown, line=line, columns=columns)
    return InputError("csv_read", file=shown, detail=detail.splitlines()[0][:200])


def extra_cells(text: str, sep: str, shown: str) -> None:
    """Refuse a CSV `text` whose rows hold more cells with content than its header has columns
    (`783,5` in a comma-separated file: a decimal comma makes one cell two), naming those lines;
    pandas would move the extra cells into a row of their own, said wrong at a line that has none.
    Empty cells at a row's end (separators a spreadsheet leaves) are no content."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        columns = next((len(row) for row in reader if any(c.strip(" \t") for c in row)), 0)  # blank lines skipped
        lines = [str(reader.line_num) for row in reader if any(c.strip() for c in row[columns:])]
    except csv.Error:
        return  # a quote left open: pandas' reading says it
    if lines:
        raise InputError("csv_extra_cells", file=shown, line=", ".join(lines[:10]), columns=columns)


def row_numbers(index) -> np.ndarray:
    """The numbers messages give the rows of a table with this `index` (`read_table`'s): each
    row's line in the file, the header's line 1 counted (a spreadsheet's row number); for a frame
    made otherwise (index 0, 1, …), its rows counted from 2, under a header."""
    return np.asarray(index, dtype=np.int64) + 2


def text_rows(text: str, sep: str, count: int) -> pd.Index:
    """The index `read_table` gives the `count` rows pandas read from a CSV `text`: each row's
    first line in the file (1-based, as a text editor counts; a quoted cell may hold line breaks)
    less 2, past the blank lines pandas skips (empty or of spaces and tabs only) above and among
    the rows. Rows counted from line 2 if the file cannot be followed line by line as pandas read
    it (a quote left open)."""
    lines: list[str] = []

    def feed():
        for line in io.StringIO(text, newline=""):
            lines.append(line)
            yield line

    starts, used = [], 0
    try:
        for _ in csv.reader(feed(), delimiter=sep):
            if len(lines) - used > 1 or lines[used].strip(" \t\r\n"):
                starts.append(used + 1)
            used = len(lines)
    except csv.Error:
        starts = []
    rows = starts[1:]  # the first line read is the header's
    return pd.Index(np.array(rows) - 2 if len(rows) == count else np.arange(count))


def workbook_kind(path: Path) -> str | None:
    """'xlsx' for a file holding an Excel workbook (a zip), 'xls' for one of Excel 97–2003 (an
    OLE2 compound file), None for anything else (by the file's first bytes, whatever its name)."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    return "xls" if head == OLE2_MAGIC else None


def table_text(path: Path, shown: str) -> str:
    """The text of a CSV file: UTF-8 (with or without a byte-order mark) or UTF-16 with its
    byte-order mark. A workbook saved under a `.csv` name and a text in another encoding (the
    code page of Windows-1258, TCVN3) are refused, with the line of the first foreign byte: the
    encoding is not guessed."""
    kind = workbook_kind(path)
    if kind is not None:
        raise InputError("csv_is_workbook", file=shown, kind=kind)
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("csv_not_utf8", file=shown, line=data[: exc.start].count(b"\n") + 1) from None


def text_separator(text: str) -> str:
    """The column separator of a table's text, by its first line: `;` with semicolons and no
    comma (a spreadsheet set to Vietnamese), a tab with tabs and neither (Excel's «Unicode
    text»), `,` otherwise."""
    head = text.split("\n", 1)[0]
    if ";" in head and "," not in head:
        return ";"
    return "\t" if "\t" in head and "," not in head and ";" not in head else ","


def without_blank_rows(df: pd.DataFrame) -> pd.DataFrame:
    """`df` without the rows whose every cell is empty or blank, wherever they are: the `,,,,`
    lines a spreadsheet saves after the data or for a row whose contents were deleted (the other
    rows keep their index, hence their numbers)."""
    if df.empty:
        return df
    blank = df.fillna("").astype(str).apply(lambda c: c.str.strip().eq("")).all(axis=1).to_numpy()
    return df[~blank]


def header_row(df: pd.DataFrame, required, look: int = 10) -> int | None:
    """The spreadsheet row (1-based) among the first `look` rows of the table under `df`'s header
    that holds every `required` column name: the header is not on the first row (a title or
    merged heading rows above it); None otherwise."""
    head = df.head(look)
    for row, values in zip(row_numbers(head.index), head.fillna("").astype(str).itertuples(index=False)):
        if set(required) <= {v.strip() for v in values}:
            return int(row)
    return None


def number_text(column: pd.Series, whole: bool = True) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Hand-written numbers of a text column made ready for `pd.to_numeric`, and where they cannot
    be read without a guess. `whole`: a column of counts (whole numbers, perhaps grouped in
    thousands); otherwise rates and shares, which are never grouped: a dot is their decimal point
    and any comma a decimal comma.

    Returns
    -------
    text : pd.Series
        The values with surrounding blanks, grouping spaces and thousands commas removed.
    dots : np.ndarray of bool, shape (n,)
        Whole numbers grouped by dots (`4.410`): thousands in Vietnamese writing, a decimal in
        English (counts only).
    commas : np.ndarray of bool, shape (n,)
        Values with a comma that groups no thousands (`4,5`, `12,34`; any comma in a rate): a
        decimal comma.
    """
    raw = column.fillna("").astype(str).str.strip()
    squeezed = raw.str.replace(rf"(?<=\d){SPACES}(?=\d{{3}}(?!\d))", "", regex=True)
    comma = squeezed.str.contains(",", regex=False)
    if not whole:
        return squeezed, np.zeros(len(raw), bool), comma.to_numpy(bool)
    dots = squeezed.str.fullmatch(DOT_GROUPS).to_numpy(bool)
    commas = (comma & ~squeezed.str.fullmatch(COMMA_GROUPS)).to_numpy(bool)
    return squeezed.str.replace(",", "", regex=False), dots, commas


def example(column: pd.Series, mask: np.ndarray) -> str:
    """The first value of `column` where `mask` is true, as written (stripped)."""
    return str(column[mask].iloc[0]).strip()


def unguessed(column: pd.Series, dots: np.ndarray, commas: np.ndarray, rows, **where) -> list[InputError]:
    """The errors for `number_text`'s values read only by a guess; `rows(mask)` names the rows
    (spreadsheet numbering) as the caller's other errors do; `where`: the errors' file and field."""
    errors = []
    if dots.any():
        shown = example(column, dots)
        errors.append(
            InputError("csv_dot_groups", rows=rows(dots), example=shown, whole=shown.replace(".", ""), **where)
        )
    if commas.any():
        shown = example(column, commas)
        errors.append(
            InputError(
                "csv_decimal_comma",
                rows=rows(commas),
                example=shown,
                fix=shown.replace(".", "").replace(",", "."),
                **where,
            )
        )
    return errors


def fullwidth(column: pd.Series) -> np.ndarray:
    """Where `column`'s values are typed in full-width digits (`４４１０`: an East-Asian input
    method), which `pd.to_numeric` does not read (and `float` would read silently)."""
    return column.map(lambda v: fullwidth_fix(v) is not None).to_numpy(bool)


def fullwidth_column_error(column: pd.Series, mask: np.ndarray, rows: str, whole: bool = True, **where) -> InputError:
    """The error for `column`'s values typed in full-width digits where `mask` is true, at `rows`
    (spreadsheet numbering): the first as written and as it is to be written, a number the table
    is read with (`table_number`: `４４１０` → `4410`, `５５７，５` → `557.5`); `whole`: a column of
    counts (`number_text`); `where`: the error's file and field."""
    shown = example(column, mask)
    fix = table_number(fullwidth_fix(shown), whole)
    return InputError("csv_fullwidth_digits", rows=rows, example=shown, fix=fix, **where)


def table_number(text: str, whole: bool) -> str:
    """`text`, a number in ASCII digits, as `number_text` reads it without a guess: a decimal
    comma as a point (`557,5` → `557.5`), a count grouped by dots without them (`4.410` → `4410`,
    as `unguessed` says it), grouping spaces and thousands commas dropped."""
    read, dots, commas = number_text(pd.Series([text]), whole)
    if commas[0]:
        return text.replace(".", "").replace(",", ".")
    return text.replace(".", "") if dots[0] else str(read.iloc[0])


def fullwidth_by_file(
    df: pd.DataFrame, col: str, values: pd.Series, rows_text, whole: bool = True
) -> tuple[np.ndarray, list[InputError]]:
    """`fullwidth` of `values` (column `col` of a table of several files stacked, each row's file
    in `_file` and its spreadsheet row in `_row`) and one `fullwidth_column_error` per file;
    `rows_text(rows)` writes a list of row numbers; `whole`: a column of counts."""
    wide = fullwidth(values)
    errors = []
    for file in dict.fromkeys(df["_file"].to_numpy()[wide]):
        at = wide & (df["_file"].to_numpy() == file)
        rows = rows_text(df["_row"].to_numpy()[at])
        errors.append(fullwidth_column_error(values, at, rows, whole, file=file, field=col))
    return wide, errors


def unguessed_by_file(df: pd.DataFrame, col: str, dots: np.ndarray, commas: np.ndarray, rows_text) -> list[InputError]:
    """`unguessed` for a table of several files stacked, with each row's file in `_file` and its
    spreadsheet row in `_row`; `rows_text(rows)` writes a list of row numbers."""
    errors = []
    files, rows = df["_file"].to_numpy(), df["_row"].to_numpy()
    for file in dict.fromkeys(files[dots | commas]):
        at = files == file
        where = {"file": file, "field": col}
        errors.extend(unguessed(df[col][at], dots[at], commas[at], lambda m, r=rows[at]: rows_text(r[m]), **where))
    return errors


#: headers a planner's own spreadsheet often has, and the column simlib reads there: named in the
#: message as a rename to make (never applied silently: the file must carry simlib's names)
VIETNAMESE_HEADERS = {
    "mã huyện": "unit_id",
    "mã xã": "unit_id",
    "tên huyện": "unit_id",
    "tên xã": "unit_id",
    "huyện": "unit_id",
    "xã": "unit_id",
    "địa bàn": "unit_id",
    "đơn vị": "unit_id",
    "dân tộc": "ethnic_group",
    "nhóm dân tộc": "ethnic_group",
    "khu vực": "area",
    "vùng": "area",
    "tình trạng": "state",
    "trạng thái": "state",
    "phân loại": "state",
    "loại hộ": "state",
    "số hộ": "households",
    "số lượng hộ": "households",
    "tổng số hộ": "households",
}


def missing_columns_error(have, required, file: str, table: pd.DataFrame | None = None) -> InputError:
    """The message for a table without some `required` columns: the row their names are on when
    it is not the first (`header_row` of `table`), else which are missing, the columns the file
    has, and the renames its Vietnamese headers suggest (`Số hộ` → households)."""
    missing = [c for c in required if c not in have]
    row = header_row(table, required) if table is not None else None
    if row is not None:
        return InputError("csv_header_row", file=file, row=row, allowed=", ".join(required))
    found = [str(h) for h in have]
    keys = {h: " ".join(unicodedata.normalize("NFC", h).lower().split()) for h in found}
    meant = {h: VIETNAMESE_HEADERS.get(k, k.replace(" ", "_")) for h, k in keys.items()}  # `Unit ID` -> unit_id
    renamed = [h for h in found if meant[h] in missing]
    rename = i18n.LocalText(**{lg: ", ".join(f"{quote(h, lg)} → {meant[h]}" for h in renamed) for lg in i18n.LANGS})
    fields = dict(missing=", ".join(missing), found=", ".join(found) or "—", allowed=", ".join(required))
    if renamed:
        return InputError("csv_columns_rename", file=file, rename=rename, **fields)
    return InputError("csv_columns_found", file=file, **fields)
