"""The notes and sources of a run's period record (`simlib.period_record`) in the report's language:
the record keeps them as written in the parameter files (English, file paths); known ones are said
in the locale, notes of several years once for them all."""

from __future__ import annotations

import re

from simlib import i18n

_UNITS_NOTE = re.compile(
    r"^(\d{4}): counts computed on (commune|district) units while (district|commune) units were in force"
)
#: the note's key by the units the counts are on (`simlib.period_record.geography_entry`)
UNITS_NOTE_KEYS = {"commune": "report.periods.note_units", "district": "report.periods.note_units_districts"}


def period_note(note: str, lang: str) -> str:
    """A note of the run's period record in the report's language (known notes; others as written):
    counts on the new communes while districts were in force, or on the 2024 districts while the
    communes were (a run keeping its districts across 1 July 2025, or crossing_2024_2027's end-2025
    review)."""
    m = _UNITS_NOTE.match(note)
    return i18n.t(UNITS_NOTE_KEYS[m.group(2)], lang, year=m.group(1)) if m else note


def period_notes(notes, lang: str) -> list[str]:
    """`period_note` of each note, a note said of several years said once for them all («Năm 2023
    và 2024: …», not the same sentence for 2023 and for 2024)."""
    years: dict[str, list[str]] = {}
    for n in notes:
        m = _UNITS_NOTE.match(n)
        years.setdefault(UNITS_NOTE_KEYS[m.group(2)] if m else n, []).append(m.group(1) if m else "")
    joined = {
        k: i18n.t("report.periods.years_and", lang, years=", ".join(y[:-1]), last=y[-1]) for k, y in years.items()
    }
    return [i18n.t(k, lang, year=joined[k] if len(y) > 1 else y[0]) if y[0] else k for k, y in years.items()]


def period_source(kind: str, code: str, entry: dict, lang: str) -> str:
    """The source of a period record's entry (with its assumption in brackets) in the report's
    language: the record keeps the parameter files' notes, written in English or as file paths
    (``data/caobang/units.csv``); a known entry's is in the locale (``report.periods.source.*``,
    ``report.periods.assumption.*``), any other as recorded."""
    source = i18n.label(f"report.periods.source.{kind}", str(code), lang, default=entry["source"])
    if not entry.get("assumption"):
        return source
    assumption = i18n.label(f"report.periods.assumption.{kind}", str(code), lang, default=entry["assumption"])
    return f"{source} ({assumption})"
