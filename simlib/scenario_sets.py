"""`--set key=value` on a scenario: the overrides parsed, routed to the parameters or the
scenario's fields, applied to the scenario's mapping before it is checked, and the problems they
cause named as the command line's, not the scenario file's (the file does not hold the value)."""

from __future__ import annotations

from typing import Any

from simlib.errors import InputError, raise_if_any, suggestions
from simlib.parameters import PARAM_FILES, parse_value, set_dotted
from simlib.schema import get_schema
from simlib.written_numbers import number_text_error, year_dot_error

PARAM_ROOTS = tuple(PARAM_FILES) + ("standards",)  # top-level keys of parameter overrides
#: scenario fields that decide which years are projected, and so which years need a budget
YEAR_FIELDS = ("start_year", "horizon")


def route_overrides(items: list[tuple[str, Any]]) -> tuple[list, list]:
    """`--set` items split into (parameter overrides, scenario fields) by their first name."""
    to_params, to_scenario = [], []
    for key, value in items:
        (to_params if key.split(".", 1)[0] in PARAM_ROOTS else to_scenario).append((key, value))
    return to_params, to_scenario


def parse_set_args(items: list[str] | None, origin: str = "--set") -> list[tuple[str, Any]]:
    """`["a.b=1", ...]` -> `[("a.b", 1), ...]` with YAML-parsed values."""
    out, errors = [], []
    for item in items or []:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            errors.append(InputError("set_syntax", file=origin, value=item, allowed="dotted.key=value"))
            continue
        out.append((key.strip(), parse_value(text)))
    raise_if_any(errors)
    return out


def apply_scenario_sets(raw: dict, items: list[tuple[str, Any]], made: list[str]) -> list[InputError]:
    """Apply `--set` items that address scenario fields; unknown keys are errors. The budget
    entries made for them (`open_budget_item`) are added to `made`."""
    errors = []
    top_allowed = tuple(get_schema("scenario")["properties"])
    for key, value in items:
        dotted_year = set_key_year_dot(key)
        if dotted_year is not None:
            errors.append(dotted_year)
            continue
        made += open_budget_item(raw, key)
        try:
            set_dotted(raw, key, value, allow_new_top=top_allowed, allow_new_leaf=True)
        except (KeyError, TypeError, IndexError):
            allowed = list(PARAM_ROOTS) + list(top_allowed)
            near = suggestions(key.partition(".")[0], allowed)
            errors.append(InputError("set_unknown", file="--set", field=key, allowed=allowed, suggest=near))
    return errors


def set_key_year_dot(key: str) -> InputError | None:
    """The message a file's `2.025:` key under `years` gets (`year_dot_error`) for a `--set` key
    writing that year with a thousands dot (`budget.years.2.025.lines.P2.local`: split at its dots,
    the year would be read as the key `2` then `025`); None for any other key."""
    parts = key.split(".")
    for i in range(len(parts) - 2):
        if parts[i] == "years" and len(parts[i + 1]) == 1 and parts[i + 2].isdigit() and len(parts[i + 2]) == 3:
            year = f"{parts[i + 1]}.{parts[i + 2]}"
            return year_dot_error(year, "--set", ".".join(parts[: i + 1]))
    return None


def open_budget_item(raw: dict, key: str) -> list[str]:
    """Make room for `--set budget.years.Y.…` as a file's entries would be written: a year Y the
    budget does not list yet (an empty year, for `same_as` or `lines`), and for
    `budget.years.Y.lines.ITEM.SOURCE=…` (or `contents`) an empty entry for ITEM where the year
    does not list it (`set_dotted` alone would make one key of the rest, ITEM holding dots; the
    `lines` themselves only in a year the override made). The checks that follow treat them as a
    file's: an unknown line is reported as one, with the closest names. Returns the paths of the
    entries it made."""
    parts = key.split(".")
    years = raw["budget"].get("years") if isinstance(raw.get("budget"), dict) else None
    if len(parts) < 4 or parts[:2] != ["budget", "years"] or not isinstance(years, dict):
        return []
    made = []
    if parts[2].isdigit() and len(parts[2]) == 4 and parts[2] not in years and int(parts[2]) not in years:
        years[parts[2]], made = {}, [".".join(parts[:3])]
    year = years.get(parts[2])
    sources = tuple(get_schema("scenario")["$defs"]["by_source"]["properties"])
    if len(parts) < 6 or parts[3] not in ("lines", "contents") or parts[-1] not in sources:
        return made
    if made:
        year[parts[3]] = {}
    items = year.get(parts[3]) if isinstance(year, dict) else None
    item = ".".join(parts[4:-1])
    if isinstance(items, dict) and item not in items:
        items[item] = {}
        made.append(".".join(parts[:-1]))
    return made


def set_missing_parts(errors: list[InputError], items: list[tuple[str, Any]]) -> list[InputError]:
    """The schema's `errors`, those of `--set` keys through a part the scenario lacks said so
    (`missing_part`)."""
    keys, values = [k for k, _ in items], dict(items)
    return [x for e in errors for x in (missing_part(e, values) if e.field in keys else [e])]


def name_set_origin(errors: list[InputError], items: list[tuple[str, Any]]) -> list[InputError]:
    """`errors`, those of values given on the command line (`--set key=value`, applied to the
    scenario's fields before they are checked) naming `--set`, not the scenario file, where the
    value is not: the schema's, and those of later checks (`start_year` against the dataset)."""
    keys = [k for k, _ in items]
    for e in errors:
        if e.field and any(e.field == k or e.field.startswith(k + ".") for k in keys):
            e.file = "--set"
            e.args = (e.message("en"),)
    return errors


def years_from_set(errors: list[InputError], items: list[tuple[str, Any]]) -> list[InputError]:
    """`errors`, the budget years missing saying that a `--set` of the projected years
    (`YEAR_FIELDS`) asks for them: the file lacks them only because of the override, and a
    planner would otherwise look for them in a file that never meant to project them."""
    given = [f"--set {k}={v}" for k, v in items if k in YEAR_FIELDS]
    if not given:
        return errors
    out = []
    for e in errors:
        where = dict(file=e.file, field=e.field, year=e.fields.get("year"), option=", ".join(given))
        if e.code == "year_missing":
            e = InputError("year_missing_set", **where)
        elif e.code == "years_missing":
            e = InputError("years_missing_set", **where)
        out.append(e)
    return out


def missing_part(e: InputError, values: dict[str, Any]) -> list[InputError]:
    """A `--set` key going through a part the scenario does not have (`budget.years.2024.lines.…`
    on a year given as an envelope with shares, or a typo: `…2024.shars.P2`) creates one key named
    by the rest of the path (`set_dotted`: names such as `P1.2` hold dots), which the check refuses
    as unknown, listing the part's own name as allowed: said as it is (the part is missing from
    the file), or for a typo with the names closest to the part's. A value written as a person
    writes a number (`12,5`, `1.500.000`) is reported with it, as it would be where the part exists:
    both are fixed in one go."""
    allowed = e.allowed if isinstance(e.allowed, (list, tuple)) else ()
    key = str(e.fields.get("unknown", ""))
    if e.code != "unknown_key" or "." not in key:
        return [e]
    part = key.split(".", 1)[0]
    spelled = number_text_error(values.get(e.field), "--set", e.field)
    if part not in allowed:
        e.suggest = suggestions(part, allowed)
        return [e] + ([spelled] if spelled else [])
    parent = e.field[: -len(key) - 1]
    return [InputError("set_missing_part", field=e.field, parent=parent, part=part)] + ([spelled] if spelled else [])


#: scenario fields with a default whose absence other problems follow from: {field: (the text
#: saying the default is in use, None when those problems' own messages say it; the codes of those
#: problems)} — budget years beyond the default projection or missing in it and the switch of
#: units it does not reach (`horizon`), the switch of units the default model cannot make
#: (`model`), money by `contents` that undated periods do not read (`periods`)
DEFAULT_CONSEQUENCES = {
    "horizon": ("err.default_horizon", ("year_outside", "year_missing", "years_missing", "units_switch_year")),
    "model": ("err.default_model", ("units_switch_model",)),
    "periods": (None, ("contents_not_dated",)),  # its message already says `periods: dated` is missing
}


def defaults_in_use(raw: dict) -> list[str]:
    """The fields of `DEFAULT_CONSEQUENCES` the scenario (with its `--set` items applied) leaves
    to their default."""
    return [k for k in DEFAULT_CONSEQUENCES if k not in raw]


def default_causes(errors: list[InputError], absent: list[str], defaults: dict[str, Any]) -> list[InputError]:
    """`errors`, those that follow from a field left to its default (`absent`, with its value in
    `defaults`) saying so — «the default horizon of 2 years is in use because `horizon` is not
    given» — and, when an unknown top-level key of the file or of `--set` looks like that field
    (`horizn`), that the typo is the likely cause: a planner reading «year 2027 outside the
    projection 2024–2025» would otherwise look for the fault in the budget. Said once, on the
    first problem it causes (seven budget years beyond the default horizon: one note, not seven).
    A year before the projection (`year_outside` of a year no horizon reaches) is not the
    default's doing and is left as it is."""
    typos = {
        near: e.field
        for e in errors
        if e.code in ("unknown_key", "set_unknown") and e.field and "." not in e.field
        for near in e.suggest
    }
    said = set()
    for e in errors:
        key = next((k for k in absent if e.code in DEFAULT_CONSEQUENCES[k][1]), None)
        if key is None or key in said:
            continue
        if e.code == "year_outside" and int(str(e.field).rsplit(".", 1)[-1]) < e.fields["first"]:
            continue
        said.add(key)
        text = DEFAULT_CONSEQUENCES[key][0]
        e.because += [(text, {"default": defaults.get(key), "field": key})] if text else []
        if key in typos:
            e.because.append(("err.default_typo", {"typo": typos[key], "field": key}))
        e.args = (e.message("en"),)
    return errors
