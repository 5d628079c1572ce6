"""How an optimisation result names its lines, without charts (the CLI and the report share it).

`line_labels` gives each row of `lines.csv` its label: «P1.1 its 2021–2025 name», and for a dated
scenario's line whose money stands for a 2026–2035 content from a year on, «; từ 2026: C1 – the
content's name» (`short`: «P1.1 (từ 2026: C1)»). `ranked` lays out the highest marginal values one
per line, the value first (the CLI's summary). `reads_as_zero` says whether an amount of money
is shown as 0,00 billion VND, the rule by which money that rounds to nothing is not said (the
CLI, the report's tables, the binding rules). `unmeasured` lists the items whose effect on households
the model does not measure (catalogue `population: none`: facilities, information systems,
maintenance, repairs): their marginal value is no judgement of their use, and the report marks
them (`UNMEASURED_MARK`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simlib import i18n
from simlib.i18n import fmt

if TYPE_CHECKING:  # annotations only: the command line names its lines without loading pandas
    import pandas as pd

#: decimals money is shown with, in billion VND (0,01 = 10 million VND)
MONEY_DECIMALS = 2
#: the mark after the label of an item whose effect on households the model does not measure
UNMEASURED_MARK = " (*)"


def reads_as_zero(bn: float) -> bool:
    """Whether `bn` billion VND is shown as «0,00» (less than 5 million VND either way, rounded
    as `simlib.i18n.fmt.number` rounds it): such money is not said — «0,00 tỷ đồng không đến
    được …», «Còn 0,00 tỷ đồng chưa phân bổ» say nothing. A missing value is not zero."""
    return round(float(bn), MONEY_DECIMALS) == 0


def shown_code(code: str) -> str:
    """How a reader sees an item's `code`: a content of a line («P1.1.maintenance»: the line's
    code, then an identifier in lower-case English words) as «P1.1 –», the start of «P1.1 – its
    name»; a line («P1.1», «P6.2») as itself. The catalogue's codes of contents are identifiers,
    not the province's names."""
    parts = str(code).split(".")
    words = [k for k, part in enumerate(parts) if k > 0 and part[:1].islower()]
    return ".".join(parts[: words[0]]) + " –" if words else str(code)


def named(code: str, name: str) -> str:
    """An item named in a sentence: a line by its code and name in brackets («P2 (Đa dạng hóa sinh
    kế …)»), a content by its line and name as the report names it (`shown_code`: «P4.1 – Đầu tư
    cơ sở vật chất …», not «P4.1.facilities (…)»)."""
    shown = shown_code(code)
    return f"{code} ({name})" if shown == code else f"{shown} {name}"


def line_labels(lines: pd.DataFrame, lang: str | None = None, short: bool = False) -> list[str]:
    """Each line's label: «P1.1 its 2021–2025 name» (`short`: the code), and for a line whose
    money stands for a 2026–2035 content from a year on (lines.csv `content`), «; từ 2026: C1 –
    the content's name» (`short`: «P1.1 (từ 2026: C1)»)."""
    lang = i18n.get_lang(lang)
    out = []
    for _, row in lines.reset_index(drop=True).iterrows():
        label = row["line"] if short else f"{row['line']} {row[i18n.column('name', lang)]}"
        content = row.get("content")
        if isinstance(content, str) and content:
            title = str(row[i18n.column("content", lang)])
            then = i18n.t("alloc.dated.from", lang, first=int(row["content_from"]), content=title)
            label = f"{label} ({then.split(' – ')[0]})" if short else f"{label}; {then}"
        out.append(label)
    return out


def unmeasured(catalogue) -> frozenset[str]:
    """Codes of the items of `catalogue` (`simlib.catalogue.Catalogue`) whose money buys no
    household benefit in the model (`population: none`, `Line.money_only`): the model does not
    measure their effect on households, so it cannot weigh them against the other lines."""
    return frozenset(code for code, line in catalogue.lines.items() if line.money_only)


def marked(labels: list[str], codes, unmeasured_codes=frozenset()) -> list[str]:
    """`labels` of the rows whose item `codes` are, each followed by `UNMEASURED_MARK` when its
    item is one of `unmeasured_codes` (`unmeasured`)."""
    return [label + (UNMEASURED_MARK if code in unmeasured_codes else "") for label, code in zip(labels, codes)]


def ranked(items: list[tuple[str, float]], lang: str | None = None, indent: str = "      ") -> list[str]:
    """Lines of text «  2,56  label», one per (label, value), the values (2 decimals, in `lang`'s
    numbers) right-aligned in a column before the labels so that a long label does not hide the
    ranking."""
    values = [fmt.number(v, lang, 2) for _, v in items]
    width = max((len(v) for v in values), default=0)
    return [f"{indent}{v.rjust(width)}  {label}" for (label, _), v in zip(items, values)]


def legal_notes(legal: dict, message: str, lang: str) -> list[str]:
    """The notes of an optimum's legal record `legal` (`notes_<lang>`, `summary.json` → `legal`)
    that its `message` does not already say."""
    return [n for n in (legal or {}).get(f"notes_{lang}") or [] if n not in message]
