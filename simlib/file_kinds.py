"""What kind of file was given where a YAML file is expected, when it is none (a table, a
document, text in another encoding): told as such, instead of what the YAML reader makes of it.
Moved out of `simlib.errors` (mend64)."""

from __future__ import annotations

from pathlib import Path

from simlib.errors import InputError

#: a file's first bytes: a zip (Office's .docx/.xlsx, OpenDocument) and an OLE2 compound file
#: (the older Office files: .doc/.xls; `table_files.workbook_kind` tells them apart)
ZIP_MAGIC, OLE2_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: the first bytes of documents that are no text: those two and PDF
DOCUMENT_MAGIC = (ZIP_MAGIC, OLE2_MAGIC[:4], b"%PDF")
#: what a document is called by its suffix (the name is the same in both languages)
DOCUMENT_KINDS = {
    ".doc": "Word",
    ".docx": "Word",
    ".odt": "OpenDocument",
    ".ods": "OpenDocument",
    ".pdf": "PDF",
    ".xls": "Excel",
    ".xlsm": "Excel",
    ".xlsx": "Excel",
}
#: the suffixes of tables of values (comma- or tab-separated)
TABLE_SUFFIXES = (".csv", ".tsv")


def not_yaml_error(path: Path, data: bytes, shown: str) -> InputError | None:
    """The error for a file that is no YAML text at all — a table (`.csv`, `.tsv`) or a document
    (Word, Excel, PDF, a zip: known by its first bytes, whatever its suffix) given where a scenario
    or parameter file is expected: what it is and what is expected, instead of what the YAML reader
    makes of it (a CSV reads as one line of text, «not a mapping»; a .docx as bytes that are not
    UTF-8). None for anything else."""
    suffix = path.suffix.lower()
    if data.startswith(DOCUMENT_MAGIC):
        kind = DOCUMENT_KINDS.get(suffix, "PDF" if data.startswith(b"%PDF") else "zip / Office")
        return InputError("not_yaml_document", file=shown, kind=kind)
    if suffix in TABLE_SUFFIXES:
        return InputError("not_yaml_table", file=shown, kind=suffix[1:].upper())
    return None


def utf16_without_bom(data: bytes) -> bool:
    """Whether `data` looks like UTF-16 text without its byte-order mark (a NUL byte in every
    other place of its start, as Latin letters take in UTF-16): text is never that."""
    head = data[:200]
    return len(head) >= 4 and max(head[0::2].count(0), head[1::2].count(0)) * 4 >= len(head)


def not_utf8_error(data: bytes, start: int, shown: str) -> InputError:
    """The error for text `data` that is not UTF-8 from byte `start`: saved as UTF-16 (a byte-order
    mark first: Notepad's «Unicode»), or the line of the first wrong byte (another encoding)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return InputError("not_utf8_utf16", file=shown)
    return InputError("not_utf8", file=shown, line=data[:start].count(b"\n") + 1)


#: the separators of a table saved as text (Excel's «CSV» writes `;` where the decimal mark is a comma)
_TABLE_SEPARATORS = (",", ";", "\t")


def not_mapping_error(data: object, shown: str) -> InputError:
    """The error for a YAML file whose content is no mapping: rows of a comma-separated table
    saved under a .yaml name (Excel's «Save as» with the wrong suffix: read as one long text, the
    separators still in it) are said as such, with what a scenario file looks like; anything else
    is `not_mapping`."""
    text = data if isinstance(data, str) else None
    if isinstance(data, list) and data and all(isinstance(r, str) for r in data):
        text = " ".join(data)
    if text is not None and any(text.count(sep) >= 2 for sep in _TABLE_SEPARATORS):
        return InputError("not_mapping_table", file=shown, start=text[:40])
    return InputError("not_mapping", file=shown)


#: the top-level fields of an optimiser spec (params/schema/optimize.schema.yaml), and those
#: a scenario cannot do without (none of which a spec has)
SPEC_KEYS = frozenset(
    "by_district by_year counterpart_min_share draws earmarks effort envelope frontier lines objective robust"
    " sampler seed targets unit years".split()
)
SCENARIO_REQUIRED = frozenset(("name", "title_vi", "title_en", "dataset", "budget"))


def scenario_or_spec(raw: dict, shown: str) -> dict:
    """`raw`, a scenario file's content, unless it is an optimiser spec (`simlib optimize --spec`:
    only a spec's fields, none a scenario needs; left in a folder of scenarios given to `simlib
    batch`), which is refused with one message saying what it is and to move it out, instead
    of an «unknown key» for each of its fields and a «missing field» for each of a scenario's."""
    keys = set(raw)
    if keys and keys <= SPEC_KEYS and not keys & SCENARIO_REQUIRED and keys - {"seed", "unit", "years"}:
        raise InputError("spec_not_scenario", file=shown)
    return raw
