"""Number formatting for reports, tables and chart axes, the local way.

Thin wrappers over `simlib.i18n.fmt_number` (Vietnamese `1.234,5`, English `1,234.5`) that add
units and a true minus sign (−), so every figure a reader sees is formatted in one place.
"""

from __future__ import annotations

import math

from simlib import i18n


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def num(x, lang: str | None = None, decimals: int = 0) -> str:
    """`12.345,6` (vi) / `12,345.6` (en); a dash for missing values; − for negatives."""
    if _missing(x):
        return "–"
    x = float(x)
    if round(x, decimals) == 0:
        x = 0.0  # no "−0"
    text = i18n.fmt_number(abs(x), lang, decimals)
    return ("−" + text) if x < 0 else text


def pct(x, lang: str | None = None, decimals: int = 1) -> str:
    """A percentage already in %, e.g. `24,7 %` (vi) / `24.7%` (en)."""
    if _missing(x):
        return "–"
    return f"{num(x, lang, decimals)} %" if i18n.get_lang(lang) == "vi" else f"{num(x, lang, decimals)}%"


def pts(x, lang: str | None = None, decimals: int = 2) -> str:
    """A change in percentage points with its sign, e.g. `−4,63 điểm %`."""
    if _missing(x):
        return "–"
    sign = "+" if float(x) > 0 and round(float(x), decimals) != 0 else ""
    return f"{sign}{num(x, lang, decimals)} {i18n.t('unit.pts', lang)}"


def households(x, lang: str | None = None) -> str:
    """A household count with its unit, e.g. `12.345 hộ`."""
    if _missing(x):
        return "–"
    return f"{num(x, lang, 0)} {i18n.t('unit.households', lang)}"


def billion_vnd(vnd, lang: str | None = None, decimals: int = 1) -> str:
    """Money given in VND, shown in billion VND, e.g. `712,0 tỷ đồng`."""
    if _missing(vnd):
        return "–"
    return f"{num(float(vnd) / 1e9, lang, decimals)} {i18n.t('unit.billion_vnd', lang)}"


def million_vnd(million, lang: str | None = None, decimals: int = 1) -> str:
    """Money given in million VND, e.g. `245,7 triệu đồng`."""
    if _missing(million):
        return "–"
    return f"{num(million, lang, decimals)} {i18n.t('unit.million_vnd', lang)}"


def span(lo, hi, fmt, lang: str | None = None) -> str:
    """A range `lo – hi` formatted with `fmt(x, lang)`."""
    return f"{fmt(lo, lang)} – {fmt(hi, lang)}"


def decimals_for(step: float) -> int:
    """How many decimals show a quantity that varies in steps of about `step`."""
    if not step or not math.isfinite(step) or step >= 1:
        return 0
    return min(3, max(0, int(math.ceil(-math.log10(step)))))


def axis_formatter(lang: str | None = None, decimals: int | None = None):
    """A matplotlib tick formatter with local separators (decimals chosen from the tick step
    when not given)."""
    from matplotlib.ticker import FuncFormatter

    def _fmt(x, pos=None):
        d = decimals if decimals is not None else (0 if float(x).is_integer() else 1)
        return num(x, lang, d)

    return FuncFormatter(_fmt)
