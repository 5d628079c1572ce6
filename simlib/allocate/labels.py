"""How an optimisation result names its lines, without charts (the CLI and the report share it).

`line_labels` gives each row of `lines.csv` its label: «P1.1 its 2021–2025 name», and for a dated
scenario's line whose money stands for a 2026–2035 content from a year on, «; từ 2026: C1 – the
content's name» (`short`: «P1.1 (từ 2026: C1)»). `ranked` lays out the highest marginal values one
per line, the value first (the CLI's summary).
"""

from __future__ import annotations

import pandas as pd

from simlib import i18n
from simlib.i18n import fmt


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


def ranked(items: list[tuple[str, float]], lang: str | None = None, indent: str = "      ") -> list[str]:
    """Lines of text «  2,56  label», one per (label, value), the values (2 decimals, in `lang`'s
    numbers) right-aligned in a column before the labels so that a long label does not hide the
    ranking."""
    values = [fmt.number(v, lang, 2) for _, v in items]
    width = max((len(v) for v in values), default=0)
    return [f"{indent}{v.rjust(width)}  {label}" for (label, _), v in zip(items, values)]
