"""Numbers a planner wrote that YAML reads as text, and what to write instead.

Where a number is wanted (`simlib.schema`'s messages, `--set` values): a decimal comma (`12,5`,
`1.234,5`), thousands separated by dots, spaces or commas (`12.000.000`, `1 500`, `2,030`), a
unit word or the đồng sign (`1,5 tỷ`, `40₫`), a number in quotes (`start_year: "2024"`),
scientific notation without the point and sign YAML 1.1 wants (`4e1` is text, `4.0e+1` a number)
a percentage (`40%` for a share of 0.4) and full-width digits (`５５７`, as an East-Asian input
method types them). Each is a user error naming the field, the value as written and the number to
write.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from simlib.errors import InputError

#: the spaces people and spreadsheets group thousands with (space, and the no-break spaces a
#: spreadsheet copies: U+00A0, U+202F)
SPACES = r"[ \u00a0\u202f]"

#: a number written with a decimal comma, as Vietnamese texts write numbers (`12,5`, `1.234,5`,
#: and thousands grouped by spaces: `1 234,5`)
DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d(?:[\d.]|" + SPACES + r"(?=\d))*,\d+\s*$")


def decimal_comma_fix(text: str) -> str:
    """How to write a decimal-comma number in a file: `1.234,5` -> `1234.5`, `12,5` -> `12.5`,
    `1 234,5` -> `1234.5`."""
    whole, fraction = text.strip().rsplit(",", 1)
    return re.sub(SPACES, "", whole.replace(".", "")) + "." + fraction


#: a whole number written with commas between thousands, as English texts write them (`2,030`)
THOUSANDS_COMMA = re.compile(r"^\s*[+-]?\d{1,3}(,\d{3})+\s*$")


#: a number written with dots between thousands, as Vietnamese texts write them (`12.000.000`);
#: YAML reads it as text (with one dot it is a decimal number: `simlib.money_notes`)
THOUSANDS_DOT = re.compile(r"^\s*[+-]?[1-9]\d{0,2}(\.\d{3}){2,}\s*$")

#: a number written with spaces between thousands (`1 500`, `1 234.5`, also with the no-break
#: spaces of `SPACES`); YAML reads it as text
THOUSANDS_SPACE = re.compile(r"^\s*[+-]?[1-9]\d{0,2}(" + SPACES + r"\d{3})+(\.\d+)?\s*$")

#: a number with commas between thousands and a decimal point, as English texts write it
#: (`1,234.5`); YAML reads it as text
THOUSANDS_COMMA_POINT = re.compile(r"^\s*[+-]?[1-9]\d{0,2}(,\d{3})+\.\d+\s*$")


def thousands_error(text: str, file: str | None, field: str | None) -> InputError | None:
    """The message for a number written with dots, spaces or commas between thousands
    (`12.000.000`, `1 500`, `1,234.5`) where a number is wanted, with how to write it; None for
    any other text."""
    if not isinstance(text, str):
        return None
    if THOUSANDS_DOT.match(text):
        return InputError("thousands_dot", file=file, field=field, value=text, fix=text.strip().replace(".", ""))
    if THOUSANDS_SPACE.match(text):
        return InputError("thousands_space", file=file, field=field, value=text, fix=re.sub(SPACES, "", text.strip()))
    if THOUSANDS_COMMA_POINT.match(text):
        return InputError(
            "thousands_comma_point", file=file, field=field, value=text, fix=text.strip().replace(",", "")
        )
    return None


#: a number followed by a word of money (`1,5 tỷ`, `557 tỷ đồng`, `12 triệu`, `80 billion`)
WORDED = re.compile(r"^\s*([+-]?\d[\d.,]*)\s*(tỷ|tỉ|triệu|nghìn|ngàn|đồng|đ|vnđ|vnd|billion|million|₫)(?!\w).*$", re.I)


def worded_number_error(text: str, file: str | None, field: str | None) -> InputError | None:
    """The message for an amount written with its unit (`1,5 tỷ`) where a bare number is wanted:
    the unit belongs to the file (`budget.unit`), the number alone is to be written (`1.5`, when
    the word is that unit; the message says to convert otherwise: simlib does not guess)."""
    m = WORDED.match(unicodedata.normalize("NFC", text)) if isinstance(text, str) else None
    if m is None:
        return None
    number = m.group(1)
    fix = decimal_comma_fix(number) if DECIMAL_COMMA.match(number) else number
    return InputError("worded_number", file=file, field=field, value=text, fix=fix, word=m.group(2))


#: one comma before three digits (`1,000`, `12,500`): a thousand in English writing, a decimal
#: in Vietnamese writing (1,000 = 1); where a decimal may go, simlib cannot tell which was meant
ONE_GROUP_COMMA = re.compile(r"^\s*[+-]?\d{1,3},\d{3}\s*$")


def decimal_comma_error(text: str, file: str | None, field: str | None) -> InputError:
    """The message for a number written with a decimal comma (`3,5`), with the fix (`3.5`); for
    one comma before three digits (`1,000`) both readings are named (1000, or 1), none is taken."""
    fix = decimal_comma_fix(text)
    if ONE_GROUP_COMMA.match(text):
        whole = text.strip().replace(",", "")
        return InputError(
            "comma_two_readings", file=file, field=field, value=text, whole=whole, decimal=f"{float(fix):g}"
        )
    return InputError("decimal_comma", file=file, field=field, value=text, fix=fix)


def fullwidth_fix(text: object) -> str | None:
    """`text` with its full-width digits and signs (`５５７．５`, typed through an East-Asian input
    method) and the digits of other scripts written as ASCII (`557.5`), blanks around it taken
    off; None when `text` holds no such digit. Python's `float` would read them silently."""
    if not isinstance(text, str) or not any(c.isdecimal() and not c.isascii() for c in text):
        return None
    folded = unicodedata.normalize("NFKC", text)  # full-width digits, point, comma, signs, space
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in folded).strip()


def fullwidth_error(text: object, file: str | None, field: str | None, whole: bool = False) -> InputError | None:
    """The message for a value written in full-width digits (`５５７`), with what to write
    (`557`); None for any other value. What to write is a number YAML reads (`５５７，５` →
    `557.5`, not `557,5`: `ascii_number`); for a comma that may be either mark (`１，０００`), the
    message of both readings (`decimal_comma_error`), with the value as written."""
    fix = fullwidth_fix(text)
    if fix is None:
        return None
    if not whole and ONE_GROUP_COMMA.match(fix):
        found = decimal_comma_error(fix, file, field)
        found.value = text
        found.args = (found.message("en"),)
        return found
    return InputError("fullwidth_digits", file=file, field=field, value=text, fix=ascii_number(fix, whole))


def ascii_number(text: str, whole: bool) -> str:
    """`text`, a number in ASCII digits as a person writes it, as YAML reads it (a whole number if
    `whole`): a decimal comma as a point (`557,5` → `557.5`), without the dots, spaces or commas
    between thousands (`12.000.000`, `1 500`, `2,030` where a whole number goes); `text` as it is
    otherwise."""
    if whole and THOUSANDS_COMMA.match(text):
        return text.strip().replace(",", "")
    if DECIMAL_COMMA.match(text):
        return decimal_comma_fix(text)
    found = thousands_error(text, None, None)
    return str(found.fields["fix"]) if found is not None else text


def number_text_error(text: Any, file: str | None, field: str | None) -> InputError | None:
    """The message for `text` if it is a number written as a person writes it (a decimal comma,
    thousands separated by dots or spaces, full-width digits) where an amount is wanted; None
    otherwise."""
    if not isinstance(text, str):
        return None
    if fullwidth_fix(text) is not None:
        return fullwidth_error(text, file, field)
    if DECIMAL_COMMA.match(text):
        return decimal_comma_error(text, file, field)
    return thousands_error(text, file, field)


#: a plain number, as a quoted value holds it (`"2024"`, `'12.5'`)
PLAIN = re.compile(r"^\s*[+-]?\d+(\.\d+)?\s*$")
#: scientific notation as people and spreadsheets write it (`4e1`, `1.5E3`, `2e-3`): YAML 1.1
#: reads a number only with a point in the mantissa and a sign on the exponent (`4.0e+1`)
EXPONENT = re.compile(r"^\s*([+-]?\d+)(\.\d*)?[eE]([+-]?)(\d+)\s*$")
#: a date as Vietnamese texts write it (`31/12/2024`, `31-12-2024`, `31.12.2024`)
DATE = re.compile(r"^\s*\d{1,2}[/.-]\d{1,2}[/.-](\d{4})\s*$")
#: a percentage (`40%`, `12.5 %`, `12,5%`)
PERCENT = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*%\s*$")
#: a number followed by words (`2 năm`, `400 lần`, `80 (tạm tính)`): a note typed beside the number
WITH_WORDS = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)(\s+[^\W\d_].*|\s*\(.*)$")
#: characters a word processor or a spreadsheet puts in that look like a space or nothing: no-break
#: spaces (U+00A0, U+202F), thin space, zero-width space and joiner, soft hyphen, a byte-order mark
INVISIBLE = "\u00a0\u202f\u2009\u200b\u200c\u200d\u2060\u00ad\ufeff"
#: the quotation marks a word processor types instead of ' and " (“ ” ‘ ’ „ « »)
TYPOGRAPHIC_QUOTES = "\u201c\u201d\u2018\u2019\u201e\u201f\u00ab\u00bb"


def written_number_error(text: object, file: str | None, field: str | None, whole: bool) -> InputError | None:
    """The message for `text`, read as text where a number is wanted (a whole number if
    `whole`), when it is a number written in quotes, in scientific notation or as a percentage;
    None for any other value (the type's own message says it)."""
    year = date_year(text) if whole and is_year(field) else None  # not for a count (horizon)
    if year is not None:
        return InputError("date_for_year", file=file, field=field, value=str(text), fix=year)
    if not isinstance(text, str):
        return None
    if fullwidth_fix(text) is not None:  # before `PLAIN`, whose \d takes them as digits
        return fullwidth_error(text, file, field, whole)
    hidden = hidden_characters_error(text, file, field, whole)
    if hidden is not None:
        return hidden
    if PLAIN.match(text) and not (whole and "." in text):
        return InputError("quoted_number", file=file, field=field, value=text, fix=text.strip())
    m = EXPONENT.match(text)
    if m is not None:  # a value too large then (`1e400`) is said so once written as a number
        fix = f"{m.group(1)}{m.group(2) or '.0'}e{m.group(3) or '+'}{m.group(4)}"
        return InputError("exponent_number", file=file, field=field, value=text, fix=fix)
    m = PERCENT.match(text)
    if m is not None and not whole and not is_money(field):  # 40 % of an amount: not for simlib to guess
        share = float(m.group(1).replace(",", ".")) / 100
        return InputError("percent_number", file=file, field=field, value=text, fix=f"{share:.10g}")
    if m is not None and is_money(field):
        return InputError("percent_amount", file=file, field=field, value=text)
    m = WITH_WORDS.match(text)
    if m is not None and not (whole and "." in m.group(1)):  # words of money: `worded_number_error`
        return InputError(
            "number_with_words", file=file, field=field, value=text, words=m.group(2).strip(), fix=m.group(1)
        )
    return None


def spelled_number_error(text: object, file: str | None, field: str | None, whole: bool) -> InputError | None:
    """The message for `text`, read as text where a number is wanted, when it is a number as a
    person writes it: `thousands_error`, `worded_number_error`, then `written_number_error`."""
    found = thousands_error(text, file, field) or worded_number_error(text, file, field)
    return found or written_number_error(text, file, field, whole)


def hidden_characters_error(text: str, file: str | None, field: str | None, whole: bool) -> InputError | None:
    """The message for a number that carries characters a word processor put in (a no-break
    space, a soft hyphen: `30\u00a0`; typographic quotes: `“7”`), which make YAML read it as text;
    None when `text` is no such number."""
    kept = "".join(c for c in text if c not in INVISIBLE)
    unquoted = kept.strip().strip(TYPOGRAPHIC_QUOTES)
    if not PLAIN.match(unquoted) or (whole and "." in unquoted):
        return None
    fix = unquoted.strip()
    if kept != text:
        names = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(c for c in text if c in INVISIBLE))
        return InputError("hidden_character", file=file, field=field, value=text, chars=names, fix=fix)
    if unquoted != kept.strip():
        return InputError("typographic_quotes", file=file, field=field, value=text, fix=fix)
    return None


def is_money(field: str | None) -> bool:
    """Whether a scenario's `field` holds an amount of money (a year's lines, contents or
    envelope), not a share (`budget.years.2025.shares.P1`) or a parameter."""
    return bool(field) and field.startswith("budget.years.") and ".shares." not in field


def date_year(value: Any) -> int | None:
    """The year of `value` when it is a date (`2024-01-01`, which YAML reads as one, or text such
    as `31/12/2024`); None otherwise."""
    if isinstance(value, datetime.date):
        return value.year
    m = DATE.match(value) if isinstance(value, str) else None
    return int(m.group(1)) if m else None


def year_dot_error(value: object, file: str | None, field: str | None) -> InputError | None:
    """The message for a year written with a thousands dot (`start_year: 2.027`), which YAML
    reads as the decimal number 2.027, with the year to write (2027); None for any other value
    or a field that holds no year. A key of a mapping by year (`budget.years`: `2.025:`) is read
    the same: the scenario's reader holds it as the text '2.025', which the field names."""
    last = (field or "").rsplit(".", 1)[-1]
    by_year = last in ("years", "amounts")  # mappings by year: `budget.years`, `other_programmes.N.amounts`
    number = _as_float(value) if by_year else value
    if not isinstance(number, float) or not 1.9 <= number <= 2.1:
        return None
    horizon = last == "horizon" and number > 2.024  # a count of years, written as a last year (2.030)
    year = round(number * 1000)
    if not (by_year or horizon or is_year(field)) or abs(year - number * 1000) >= 1e-6:
        return None
    if horizon:
        return InputError("horizon_year_dot", file=file, field=field, value=value, fix=year, count=year - 2024 + 1)
    return InputError("year_dot", file=file, field=field, value=value, fix=year)


def year_dot_items(values: object, file: str | None, field: str | None) -> list[InputError]:
    """`year_dot_error` for each item of a list of years (`years: [2.025, 2026]` in an optimiser
    spec), named by its place in the list; empty for anything else."""
    if not isinstance(values, list) or not (field or "").rsplit(".", 1)[-1].endswith("years"):
        return []
    found = (year_dot_error(v, file, f"{field}.{i}") for i, v in enumerate(values))
    return [e for e in found if e is not None]


def _as_float(text: object) -> float | None:
    """`text` read as a decimal number written with a point (`'2.025'`); None for anything else."""
    try:
        return float(text) if isinstance(text, str) and "." in text else None
    except ValueError:
        return None


def is_year(field: str | None) -> bool:
    """Whether `field` holds a calendar year (`start_year`, `same_as`, `…_year`)."""
    parts = (field or "").rsplit(".", 2)
    last = parts[-1]
    in_list = last.isdigit() and len(parts) > 1 and parts[-2].endswith("years")  # `years.0`: an item of a list of years
    return last == "same_as" or last.endswith("year") or in_list
