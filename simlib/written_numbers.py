"""Numbers a planner wrote that YAML reads as text, and what to write instead.

`simlib.schema` says a number written with a decimal comma, thousands separators or a unit word
(`12,5`, `12.000.000`, `1,5 tỷ`); this module says the other spellings a scenario file meets: a
number in quotes (`start_year: "2024"`), in scientific notation without the point and sign YAML
1.1 wants (`4e1`, read as text; `4.0e+1` is a number) and a percentage (`40%` for a share of
0.4). Each is a user error naming the field, the value as written and the number to write.
"""

from __future__ import annotations

import re

from simlib.errors import InputError

#: a plain number, as a quoted value holds it (`"2024"`, `'12.5'`)
PLAIN = re.compile(r"^\s*[+-]?\d+(\.\d+)?\s*$")
#: scientific notation as people and spreadsheets write it (`4e1`, `1.5E3`, `2e-3`): YAML 1.1
#: reads a number only with a point in the mantissa and a sign on the exponent (`4.0e+1`)
EXPONENT = re.compile(r"^\s*([+-]?\d+)(\.\d*)?[eE]([+-]?)(\d+)\s*$")
#: a percentage (`40%`, `12.5 %`, `12,5%`)
PERCENT = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*%\s*$")


def written_number_error(text: object, file: str | None, field: str | None, whole: bool) -> InputError | None:
    """The message for `text`, read as text where a number is wanted (a whole number if
    `whole`), when it is a number written in quotes, in scientific notation or as a percentage;
    None for any other value (the type's own message says it)."""
    if not isinstance(text, str):
        return None
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
    return None


def is_money(field: str | None) -> bool:
    """Whether a scenario's `field` holds an amount of money (a year's lines, contents or
    envelope), not a share (`budget.years.2025.shares.P1`) or a parameter."""
    return bool(field) and field.startswith("budget.years.") and ".shares." not in field
