"""Numbers, percentages, points, money, household counts and dates as a reader of `lang` expects.

The one formatter for everything a user reads (reports, tables, chart axes, CLI). Built on Babel
(separators, month names) with these rules, the same in every function:

- separators: Vietnamese `1.234,5`, English `1,234.5` (Babel's `vi` / `en` locales);
- sign: a true minus sign `−` (U+2212) for negative values in both languages, never a hyphen;
  a value that rounds to zero shows no sign (`0,0`, not `−0,0`); changes (`points`) carry `+`
  when they round above zero;
- rounding: one rule for every number a reader sees, on the page, in a report table's CSV and in
  its workbook (`shown`, `plain`): half away from zero on the value's shortest decimal form, the
  digits Python, numpy, pandas and Excel print for it (`repr`: 1.15, not 1.149999…). That is the
  rule a reader applies by hand and the one Vietnamese school and statistics use (a 5 rounds
  up), and Excel's (`ROUND`, and what a cell of the workbook shows): 1.15 → 1,2, 2.675 → 2,68,
  0.125 → 0,13, −1.15 → −1,2. Python's own (`f"{x:.1f}"`: half to even on the exact binary value:
  1,1, 2,67, 0,12) and numpy's (`np.round`: half to even after scaling: 1,2, 2,68, 0,12) each
  disagree with it, and with each other, on some of these;
- percentages: Vietnamese `24,7 %` (a space before %, as the glossary writes it), English `24.7%`;
  a share strictly between 0 and 100 % never reads as 0 or 100 % (`percent_shown`: 99.6 % with
  no decimals is `99,6 %`, not `100 %`);
- percentage points: `−4,23 điểm %` / `−4.23 percentage points`;
- money: `1.424,0 tỷ đồng`, `262,4 triệu đồng` / `1,424.0 billion VND`;
- dates: `ngày 02 tháng 12 năm 2026` / `2 December 2026`, in Vietnam's time zone
  (Asia/Ho_Chi_Minh): a time stamp written in UTC late in the evening is already the next day
  there. A naive datetime is taken as UTC (simlib writes its manifests in UTC);
- missing values (None, NaN, text that is not a number): an en dash `–`;
- text cut to a width: after a whole word (`cut_after_word`), never inside one.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
from collections.abc import Callable
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import get_decimal_symbol, get_group_symbol

from simlib.i18n import LANGS, LocalText, get_lang, t

MINUS = "\u2212"
DASH = "–"
VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_LOCALES = {"vi": Locale.parse("vi"), "en": Locale.parse("en")}
#: (group, decimal) separators of each language, Babel's: `str.translate` tables from Python's `,` / `.`
_SEPARATORS = {
    lang: str.maketrans({",": get_group_symbol(loc), ".": get_decimal_symbol(loc)}) for lang, loc in _LOCALES.items()
}
_PERCENT = {"vi": "{} %", "en": "{}%"}
_DATE_PATTERNS = {"vi": "'ngày' dd 'tháng' MM 'năm' y", "en": "d MMMM y"}


def is_missing(x) -> bool:
    """None, NaN or anything that is not a number."""
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


#: half away from zero, with room for every digit of a double (1e308 to 16 decimals)
_ROUNDING = decimal.Context(prec=400, rounding=decimal.ROUND_HALF_UP, Emax=999, Emin=-999)
#: 1, 0.1, 0.01, …: the quanta of `shown_decimal` (made once: a tenth of its time)
_QUANTA = tuple(decimal.Decimal((0, (1,), -d)) for d in range(17))


def shown_decimal(x: float, decimals: int) -> decimal.Decimal:
    """`x` (finite) rounded to `decimals` as every output writes it (the module docstring's
    rounding): half away from zero on its shortest decimal form (`repr`), exactly."""
    quantum = _QUANTA[decimals] if decimals < len(_QUANTA) else decimal.Decimal((0, (1,), -decimals))
    return decimal.Decimal(repr(float(x))).quantize(quantum, context=_ROUNDING)


def shown(x: float, decimals: int) -> float:
    """`x` rounded to `decimals` as every output writes it (`shown_decimal`), a float; a value
    that rounds to zero is 0.0, never −0.0; a value that is not finite is returned as it is."""
    x = float(x)
    return float(shown_decimal(x, decimals)) + 0.0 if math.isfinite(x) else x


def plain(x: float, decimals: int) -> str:
    """`x` rounded as `shown` in plain digits for a CSV file: `-` for negatives, `.` as the decimal
    sign, no grouping, exactly `decimals` decimals (`-1294`, `2.68`, `0.0` for −0.04)."""
    d = shown_decimal(x, decimals)
    return format(d.copy_abs() if d.is_zero() else d, "f")


def _digits(x: float, lang: str, decimals: int) -> tuple[str, int]:
    """|x| rounded to `decimals` (`shown_decimal`) with the language's separators, and the sign
    of the rounded value (-1, 0 or 1): Python's grouping (groups of three) with Babel's
    separators put in, the text Babel's `format_decimal` gives with the pattern `#,##0.0…`
    (tested over many values), without its cost (85 against about 10 us a call of `number`: the
    explorer formats about 200 numbers a change, reports thousands)."""
    sign = (x > 0) - (x < 0)
    if not math.isfinite(x):
        return "∞", sign
    d = shown_decimal(abs(x), decimals)
    return format(d, ",f").translate(_SEPARATORS[lang]), 0 if d.is_zero() else sign


def number(x, lang: str | None = None, decimals: int = 0, trim: bool = False) -> str:
    """`12.345,6` (vi) / `12,345.6` (en); `−` for negatives; `–` for a missing value; with `trim`,
    no trailing zeros after the decimal sign (`0,075`, `12,5`, `2`)."""
    if is_missing(x):
        return DASH
    lang = get_lang(lang)
    text, sign = _digits(float(x), lang, max(0, int(decimals)))
    if trim and decimals > 0:
        text = text.rstrip("0").rstrip(get_decimal_symbol(_LOCALES[lang]))
    return MINUS + text if sign < 0 else text


def signed(x, lang: str | None = None, decimals: int = 0) -> str:
    """A change with its sign: `+1,2`, `−3,4`, `0,0`."""
    if is_missing(x):
        return DASH
    text, sign = _digits(float(x), get_lang(lang), max(0, int(decimals)))
    return {-1: MINUS, 0: "", 1: "+"}[sign] + text


#: a share this close to 0 or 100 % is 0 or 100 % (a sum of shares off in its last bits)
PERCENT_NOISE = 1e-9
#: decimals a share inside 0–100 % may take beyond those asked, not to read as 0 or 100 %
PERCENT_EXTRA = 2


def percent_shown(x: float, decimals: int) -> tuple[float, int]:
    """(value, decimals) a percentage `x` is written with: `x` with `decimals`, unless `x` lies
    strictly between 0 and 100 and would be written as 0 or 100 (99.6 -> «100 %»: a target of
    every officer trained would look met; 0.4 -> «0 %»): then with one more decimal (99,6 %), or
    two (99,96 %); a share closer still is written as the nearest value of those decimals inside
    (99.997 -> 99,99 %, 0.001 -> 0,01 %). Values within `PERCENT_NOISE` of 0 or 100, and values
    outside 0–100, are written as asked."""
    if not PERCENT_NOISE < x < 100 - PERCENT_NOISE:
        return x, decimals
    for d in range(decimals, decimals + PERCENT_EXTRA + 1):
        if 0 < shown(x, d) < 100:
            return x, d
    step = 10.0**-d
    return (step if x < 50 else 100 - step), d


def percent(x, lang: str | None = None, decimals: int = 1) -> str:
    """A percentage given in % (24.7 -> `24,7 %` / `24.7%`); a share inside 0–100 % never reads
    as 0 or 100 % (`percent_shown`: 99.6 with no decimals is `99,6 %`)."""
    if is_missing(x):
        return DASH
    value, d = percent_shown(float(x), max(0, int(decimals)))
    return _PERCENT[get_lang(lang)].format(number(value, lang, d))


def points(x, lang: str | None = None, decimals: int = 2) -> str:
    """A change in percentage points with its sign: `−4,23 điểm %` / `−4.23 percentage points`."""
    if is_missing(x):
        return DASH
    return f"{signed(x, lang, decimals)} {t('unit.pts', lang)}"


def households(x, lang: str | None = None) -> str:
    """A household count with its unit: `12.345 hộ` / `12,345 households` (whole households)."""
    if is_missing(x):
        return DASH
    return f"{number(x, lang, 0)} {t('unit.households', lang)}"


def billion_vnd(vnd, lang: str | None = None, decimals: int = 1) -> str:
    """Money given in VND, shown in billion VND: `712,0 tỷ đồng`."""
    if is_missing(vnd):
        return DASH
    return f"{number(float(vnd) / 1e9, lang, decimals)} {t('unit.billion_vnd', lang)}"


def million_vnd(million, lang: str | None = None, decimals: int = 1) -> str:
    """Money given in million VND: `245,7 triệu đồng`."""
    if is_missing(million):
        return DASH
    return f"{number(million, lang, decimals)} {t('unit.million_vnd', lang)}"


def span(lo, hi, fmt: Callable[[object, str | None], str], lang: str | None = None) -> str:
    """A range `lo – hi`, each end formatted with `fmt(x, lang)`."""
    return f"{fmt(lo, lang)} – {fmt(hi, lang)}"


def _vietnam_time(value) -> _dt.datetime | _dt.date | None:
    """A date as is; a datetime (naive: UTC) or an ISO text in Vietnam's time zone; None if unreadable."""
    if isinstance(value, str):
        try:
            value = _dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, _dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=_dt.UTC)
        return aware.astimezone(VIETNAM_TZ)
    return value if isinstance(value, _dt.date) else None


def date(value, lang: str | None = None) -> str:
    """`ngày 02 tháng 12 năm 2026` / `2 December 2026` (the day in Vietnam); `–` if unreadable."""
    when = _vietnam_time(value)
    if when is None:
        return DASH
    lang = get_lang(lang)
    return format_date(when, _DATE_PATTERNS[lang], locale=_LOCALES[lang])


def timestamp(value, lang: str | None = None) -> str:
    """Date and time in Vietnam: `ngày 02 tháng 12 năm 2026, 05:05 (giờ Việt Nam)`."""
    when = _vietnam_time(value)
    if not isinstance(when, _dt.datetime):
        return date(value, lang)
    lang = get_lang(lang)
    clock = format_time(when, "HH:mm", locale=_LOCALES[lang])
    return f"{date(when, lang)}, {clock} ({t('unit.vietnam_time', lang)})"


def local_text(format_fn: Callable[..., str], x, **kw) -> LocalText:
    """`format_fn(x, lang, **kw)` in every language, e.g. a figure for a field of
    `LocalText.of(key, growth=local_text(percent, 0.512, decimals=3))`."""
    return LocalText(**{lang: format_fn(x, lang, **kw) for lang in LANGS})


def decimals_for(step: float) -> int:
    """How many decimals show a quantity that varies in steps of about `step`."""
    if not step or not math.isfinite(step) or step >= 1:
        return 0
    return min(3, max(0, int(math.ceil(-math.log10(step)))))


def axis_formatter(lang: str | None = None, decimals: int | None = None) -> Callable[[float, object], str]:
    """A tick formatter for matplotlib axes (`ax.yaxis.set_major_formatter(axis_formatter(lang))`):
    local separators and sign; decimals from the tick value when not given."""

    def tick(x, pos=None):
        d = decimals if decimals is not None else (0 if float(x).is_integer() else 1)
        return number(x, lang, d)

    return tick


#: what a cut text does not end with before its «…»
CUT_TRAILING = " ,;:–—-("


def cut_after_word(text: str, room: int, keep_from: int = 1) -> str:
    """The first `room` characters of `text`, cut back after its last whole word when `room`
    falls inside a word («… cho các đồn biên phòng» → «… cho các», never «… các đồn»: a word cut
    short reads as another word) and that word starts at or after `keep_from`; a first word
    longer than that is cut where it must be. Trailing spaces and punctuation (`CUT_TRAILING`)
    dropped; the caller adds the «…»."""
    cut = text[:room]
    inside = room < len(text) and not (text[room].isspace() or cut[-1:].isspace())
    if inside and cut.rstrip().rfind(" ") >= keep_from:
        cut = cut.rstrip().rsplit(" ", 1)[0]
    return cut.rstrip(CUT_TRAILING)


#: the quotation marks of each language: «…» in Vietnamese, “…” in English (one style a language)
QUOTES = {"vi": ("«", "»"), "en": ("“", "”")}


def quote(text, lang: str | None = None) -> str:
    """`text` in the quotation marks of `lang` (`QUOTES`): «Tỷ lệ nghèo …», “National …”."""
    left, right = QUOTES.get(lang or "vi", QUOTES["vi"])
    return f"{left}{text}{right}"
