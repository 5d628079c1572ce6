"""Loading YAML parameter files and validating them against the schemas in `params/schema/`.

Validation reports every problem at once as `InputError`s that name the file, the dotted field,
the offending value and what is allowed. Beyond the JSON schema, every quantity
(`{value, unit, ...}`) must carry a `source` or an `assumption`, its value must lie inside its
`range`, and probabilities and shares must lie in [0, 1].
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import io
import json
import math
import sys
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from referencing import Registry, Resource

from simlib import i18n
from simlib.amount_sources import source_missing_error
from simlib.errors import InputError, closest_names, missing_file, pattern_error
from simlib.file_kinds import not_mapping_error, not_utf8_error, not_yaml_error, utf16_without_bom
from simlib.i18n import LANGS, LocalText
from simlib.paths import display_path, params_dir
from simlib.written_numbers import (
    DECIMAL_COMMA,
    THOUSANDS_COMMA,
    decimal_comma_error,
    spelled_number_error,
    thousands_error,
    year_dot_error,
    year_dot_items,
)
from simlib.yaml_strict import MAX_YAML_DEPTH, MAX_YAML_NODES, DuplicateKey, TooDeep, TooLarge, parse_strict, yaml_error


def _stringify_keys(obj: Any) -> Any:
    """YAML reads `2024:` as an int key; schemas and dotted paths want strings."""
    if isinstance(obj, dict):
        return {str(k): _stringify_keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_stringify_keys(v) for v in obj]
    return obj


def load_yaml(path: str | Path) -> dict:
    """Read a YAML mapping; missing files, syntax errors and aliases that expand beyond
    `MAX_YAML_NODES` values (or into themselves) become `InputError`s."""
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise missing_file(path)
    data = path.read_bytes()
    wrong = not_yaml_error(path, data, shown)
    if wrong is not None:
        raise wrong
    return copy.deepcopy(_parsed(data, shown))


@functools.lru_cache(maxsize=256)
def _parsed(data: bytes, shown: str) -> dict:
    """A file's mapping parsed once per process for the same bytes (and the name messages show):
    a batch worker reads the same catalogue, legal frames, standards and transitions for every
    scenario and page, and a report's uncertainty page loads its scenario again. Keyed by the
    content, so an edited file is parsed anew; `load_yaml` hands out copies, so what a caller
    changes never reaches the next one; a file that fails is not kept (its error is raised
    again, the same)."""
    if utf16_without_bom(data):  # else read as UTF-8 with a NUL after each letter
        raise InputError("not_utf8_utf16", file=shown)
    try:
        data.decode("utf-8")  # the whole text first: the line of a wrong byte can be said
    except UnicodeDecodeError as exc:
        raise not_utf8_error(data, exc.start, shown) from None
    with io.TextIOWrapper(io.BytesIO(data), encoding="utf-8") as fh:
        return parse_yaml(fh, shown)


def parse_yaml(stream, shown: str) -> dict:
    """A YAML mapping from text or an open file (shown as `shown` in messages), read as
    `load_yaml` reads files."""
    try:
        data = parse_strict(stream)
    except DuplicateKey as exc:
        raise InputError("duplicate_key", file=shown, field=exc.key, line=exc.line) from None
    except TooLarge as exc:
        code = "yaml_recursive" if exc.nodes is None else "yaml_too_large"
        raise InputError(code, file=shown, limit=MAX_YAML_NODES) from None
    except yaml.YAMLError as exc:
        raise yaml_error(exc, shown) from None
    except UnicodeDecodeError as exc:
        raise not_utf8_error(exc.object, exc.start, shown) from None
    except (TooDeep, RecursionError):
        raise InputError("yaml_too_deep", file=shown, limit=MAX_YAML_DEPTH) from None
    if data is None:  # nothing at all (only comments, blank lines, `---`): said so
        raise InputError("yaml_no_content", file=shown)
    if not isinstance(data, dict):
        raise not_mapping_error(data, shown)
    return _stringify_keys(data)


def schema_dir() -> Path:
    return params_dir() / "schema"


@functools.cache
def _registry_and_schemas(folder: str) -> tuple[Registry, dict[str, dict]]:
    schemas: dict[str, dict] = {}
    resources = []
    for f in sorted(Path(folder).glob("*.schema.yaml")):
        with open(f, encoding="utf-8") as fh:
            doc = yaml.load(fh, Loader=yaml.CSafeLoader)  # the project's own schemas: libyaml's reader
        schemas[f.name.removesuffix(".schema.yaml")] = doc
        resources.append((doc.get("$id", f.name), Resource.from_contents(doc)))
    return Registry().with_resources(resources), schemas


def get_schema(name: str) -> dict:
    """The schema named `name` (file `params/schema/<name>.schema.yaml`)."""
    _, schemas = _registry_and_schemas(str(schema_dir()))
    return schemas[name]


def _join(path) -> str:
    return ".".join(str(p) for p in path)


def _type_names(expected) -> LocalText:
    """JSON schema type names ('integer', ['number', 'null']) as the reader's words."""
    names = [expected] if isinstance(expected, str) else list(expected)
    return LocalText(**{lg: ", ".join(i18n.label("type", n, lg, default=n) for n in names) for lg in LANGS})


def _whole_number_only(err) -> bool:
    """Whether `err` refused its value where only a whole number is allowed (`integer`, not
    `number`): a comma there separates thousands (`2,030` is the year 2030), not decimals."""
    wanted = [err.validator_value] if isinstance(err.validator_value, str) else list(err.validator_value)
    return err.validator == "type" and "integer" in wanted and "number" not in wanted


def _comma_error(err, file: str, field) -> InputError | None:
    """The message for a number written with a comma: a whole number without its thousands
    separators (`2,030` -> 2030) where only whole numbers go, else the decimal comma's fix. None
    for a decimal (`3,5`) where only whole numbers go: the type's own message says so."""
    text = err.instance
    if _whole_number_only(err):
        if not THOUSANDS_COMMA.match(text):
            return None
        return InputError("thousands_comma", file=file, field=field, value=text, fix=text.strip().replace(",", ""))
    return decimal_comma_error(text, file, field)


def _expects_number(err) -> bool:
    """Whether `err` refused its value because a number was wanted there (directly, or in every
    branch of a `oneOf` / `anyOf` of which one wants a number at the same place)."""
    if err.validator == "type":
        wanted = [err.validator_value] if isinstance(err.validator_value, str) else list(err.validator_value)
        return bool({"number", "integer"} & set(wanted))
    if err.validator in ("oneOf", "anyOf"):
        here = list(err.absolute_path)
        return any(_expects_number(c) for c in err.context or () if list(c.absolute_path) == here)
    return False


def _convert(err, file: str) -> list[InputError]:
    """One jsonschema error -> one or more InputErrors with our wording."""
    path = list(err.absolute_path)
    field = _join(path) or None
    v = err.validator
    if (year := year_dot_error(err.instance, file, field)) is not None:  # `2.027`: both bound and type
        return [year]
    if years := year_dot_items(err.instance, file, field):  # `years: [2.025, 2026]`
        return years
    if isinstance(err.instance, str) and DECIMAL_COMMA.match(err.instance) and _expects_number(err):
        comma = _comma_error(err, file, field)
        if comma is not None:
            return [comma]
    if isinstance(err.instance, (str, datetime.date)) and _expects_number(err):  # a date: YAML reads 2024-01-01
        spelled = spelled_number_error(err.instance, file, field, _whole_number_only(err))
        if spelled is not None:
            return [spelled]
    if v == "additionalProperties":
        props = set(err.schema.get("properties", {}))
        unknown = [k for k in err.instance if k not in props]
        split = [split_number_error(err.instance, k, path, file) for k in unknown]
        if any(split):
            return [e for e in split if e is not None]
        return [
            InputError(
                "unknown_key",
                file=file,
                field=_join(path + [k]),
                allowed=sorted(props) or "—",
                suggest=closest_names(k, props),
                unknown=k,
            )
            for k in unknown
        ]
    if v == "required":
        missing = [r for r in err.validator_value if r not in err.instance]
        return [InputError("missing", file=file, field=field, name=m) for m in missing]
    if v == "type":
        wanted, no_source = _type_names(err.validator_value), source_missing_error(err, path, file)
        return [no_source or InputError("type", file=file, field=field, value=err.instance, expected=wanted)]
    if v == "enum":
        return [InputError("enum", file=file, field=field, value=err.instance, allowed=err.validator_value)]
    if v in ("minimum", "maximum", "exclusiveMinimum"):
        return [_bound_error(err, file, field, v)]
    if v == "pattern":
        return [pattern_error(err.instance, err.validator_value, file, field)]
    if v == "minLength":
        code = "empty" if err.validator_value == 1 else "too_short"
        return [InputError(code, file=file, field=field, value=err.instance, limit=err.validator_value)]
    if v == "oneOf":
        return _one_of(err, file, field)
    if v in ("minItems", "maxItems", "minProperties"):
        return [InputError("length", file=file, field=field, value=err.instance, allowed=f"{v} {err.validator_value}")]
    return [InputError("schema", file=file, field=field, detail=err.message)]


def _bound_error(err, file: str, field: str | None, v: str) -> InputError:
    """A number beyond its schema's bound: a share of a split (`district_split`, `shares`: a
    number from 0 to 1, never money) below 0, money below 0, a year written for `horizon`, or the
    bound (a share above 1 keeps it: `simlib.budget` says when the shares are percentages)."""
    bounds = (err.schema.get("minimum"), err.schema.get("maximum"))
    share = bounds == (0, 1) and field and ("district_split." in field or ".shares." in field)
    if share and v == "minimum":
        return InputError("share_range", file=file, field=field, value=err.instance, allowed="0 ≤ … ≤ 1")
    if field and field.startswith("budget.") and v == "minimum" and err.validator_value == 0:
        return InputError("negative_money", file=file, field=field, value=err.instance, allowed="≥ 0")
    if horizon_as_year(field, err.instance, v):
        return InputError("horizon_year", file=file, field=field, value=err.instance, limit=err.validator_value)
    code = {"minimum": "minimum", "maximum": "maximum", "exclusiveMinimum": "exclusive_minimum"}[v]
    suggest = two_digit_year(field, err.instance, err.validator_value) if v == "minimum" else None
    return InputError(code, file=file, field=field, value=err.instance, limit=err.validator_value, suggest=suggest)


def horizon_as_year(field: str | None, value: Any, bound: str) -> bool:
    """Whether `horizon` above its maximum holds a year of this era (`horizon: 2030` for «up to
    2030»): the field counts projected years, so the message says how to count them instead of
    only the limit."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    return field == "horizon" and bound == "maximum" and whole and 1900 <= value <= 2200


def two_digit_year(field: str | None, value: Any, limit: Any) -> list[str] | None:
    """The year meant by a year written with two digits (`start_year: 24`: 2024), suggested when
    a year field (its name ends in `year`) whose least value is a year of this era (≥ 1900) holds a
    whole number 0–99; None otherwise (the limit alone is said)."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not field or not field.endswith("year") or not whole or not 0 <= value <= 99:
        return None
    return [str(2000 + value)] if isinstance(limit, (int, float)) and limit >= 1900 else None


def _one_of(err, file: str, field) -> list[InputError]:
    """A value none of the forms of a `oneOf` takes: the problems inside the one form of its
    type (a district split `{ha_quang: 50, bao_lam: 50}`: each share above 1), else that it
    takes none of them."""
    branches: dict[Any, list] = {}
    for c in err.context or ():
        branches.setdefault(c.relative_schema_path[0], []).append(c)
    here = list(err.absolute_path)
    fitting = [
        found
        for found in branches.values()
        if not any(c.validator == "type" and list(c.absolute_path) == here for c in found)
    ]
    if len(branches) == len(err.validator_value) and len(fitting) == 1:
        return [e for c in fitting[0] for e in _convert(c, file)]
    return [InputError("one_of", file=file, field=field, value=err.instance)]


def split_number_error(mapping: dict, key: Any, path: list, file: str) -> InputError | None:
    """The message for an unknown `key` that is the tail of a number a comma cut in two inside a
    YAML flow mapping: `{central_recurrent: 36,35}` is read as `central_recurrent: 36` and a key
    `35` without value (a comma separates entries there), so the decimal comma would silently
    drop the decimals were the key not refused; so is `{central_investment: 1 234,5}` (read as
    the text `1 234` and a key `5`). None for any other unknown key."""
    keys = list(mapping)
    at = keys.index(key)
    if at == 0 or mapping[key] is not None or not str(key)[:1].isdigit():
        return None
    before, value = keys[at - 1], mapping[keys[at - 1]]
    grouped = thousands_error(value, None, None) is not None  # `{central_investment: 1 234,5}`
    if not (isinstance(value, (int, float)) or grouped) or isinstance(value, bool):
        return None
    # the text after the comma is not told back as written: YAML 1.1 reads `05` as the octal 5
    return InputError("flow_comma", file=file, field=_join(path + [before]), read=value, tail=key)


def _is_quantity(obj: Any) -> bool:
    return isinstance(obj, dict) and "value" in obj and "unit" in obj


def iter_quantities(obj: Any, path: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """Every `{value, unit, ...}` mapping in a parameter tree, with its path."""
    if _is_quantity(obj):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from iter_quantities(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from iter_quantities(v, path + (i,))


def _bounded_unit(unit: str) -> bool:
    u = unit.lower()
    return u.startswith("probability") or u.startswith("share")


def check_quantities(doc: dict, file: str) -> list[InputError]:
    """Semantic checks on every quantity: basis given, value inside range, probabilities in [0,1]."""
    errors: list[InputError] = []
    for path, q in iter_quantities(doc):
        field = _join(path)
        if not isinstance(q.get("value"), (int, float)) or isinstance(q.get("value"), bool):
            continue  # the schema reports the type
        if "source" not in q and "assumption" not in q:
            errors.append(InputError("no_source", file=file, field=field, allowed="source: … | assumption: …"))
        val = q["value"]
        if _bounded_unit(str(q.get("unit", ""))) and not 0.0 <= val <= 1.0:
            errors.append(InputError("probability", file=file, field=field + ".value", value=val, allowed="0 ≤ p ≤ 1"))
        rng = q.get("range")
        if isinstance(rng, list) and len(rng) == 2 and all(isinstance(r, (int, float)) for r in rng):
            lo, hi = rng
            if lo > hi:
                errors.append(InputError("range_order", file=file, field=field + ".range", value=rng))
            elif not lo <= val <= hi:
                errors.append(InputError("range", file=file, field=field + ".value", value=val, lo=lo, hi=hi))
            if _bounded_unit(str(q.get("unit", ""))) and (lo < 0 or hi > 1):
                errors.append(
                    InputError("probability", file=file, field=field + ".range", value=rng, allowed="0 ≤ p ≤ 1")
                )
    return errors


def _is_whole(checker, instance) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def decline_iri_grammar() -> None:
    """Keep jsonschema from importing `rfc3987_syntax` in this process, unless jsonschema is
    imported already.

    That package (installed with the notebook stack) builds a grammar when imported: about 1.2 s
    of CPU. It serves only jsonschema's "iri" formats, which no simlib schema uses (formats are
    not checked here at all). Called only for processes simlib owns: the command line
    (`simlib.cli.main`) and the local executor's workers, never when simlib is imported, so
    that another program importing simlib (a planner's notebook kernel) keeps its iri formats
    checked."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


@functools.cache
def _validator_class() -> type:
    """jsonschema's Draft 2020-12 validator whose `integer` refuses 2.0 (JSON Schema's accepts
    it), so that such a value is found and turned into the integer 2 (`_coerce_whole`) instead
    of reaching code that needs an int."""
    # jsonschema is imported when a file is first validated, not with simlib, so that the command
    # line can decline its `rfc3987_syntax` import before (decline_iri_grammar)
    # local import: jsonschema at the first validation, after the CLI's decline_iri_grammar
    from jsonschema import Draft202012Validator, validators

    checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_whole)
    return validators.extend(Draft202012Validator, type_checker=checker)


def _whole_float_paths(errors) -> Iterator[list]:
    """Paths of integral floats (2.0) where the schema asks for an integer, at any depth."""
    for err in errors:
        types = err.validator_value if err.validator == "type" else ()
        types = [types] if isinstance(types, str) else list(types or ())
        inst = err.instance
        if "integer" in types and isinstance(inst, float) and math.isfinite(inst) and inst.is_integer():
            yield list(err.absolute_path)
        yield from _whole_float_paths(err.context or ())


def _coerce_whole(doc: Any, errors) -> list[list]:
    """Replace, in `doc`, every integral float the schema wants as an integer; the paths replaced."""
    return _set_whole(doc, [path for path in _whole_float_paths(errors) if path])


def _set_whole(doc: Any, paths: list[list]) -> list[list]:
    """The values at `paths` of `doc` turned into integers (`_coerce_whole`); `paths` returned."""
    for path in paths:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = int(node[path[-1]])
    return paths


def finite_problems(obj: Any, file: str, path: tuple = ()) -> list[InputError]:
    """Every number that is not finite (`.nan`, `.inf`, or a literal too large for a float such
    as `1e400`) anywhere in a document."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return [InputError("not_finite", file=file, field=_join(path) or None, value=obj)]
    if isinstance(obj, dict):
        return [e for k, v in obj.items() for e in finite_problems(v, file, path + (k,))]
    if isinstance(obj, list):
        return [e for i, v in enumerate(obj) for e in finite_problems(v, file, path + (i,))]
    return []


#: documents found valid in this process: content key (`validation_key`) -> the paths of the
#: integral floats the validation turned into integers; at most `VALIDATED_MAX`, oldest dropped
_VALIDATED: OrderedDict[tuple, list[list]] = OrderedDict()
VALIDATED_MAX = 512


def validation_key(doc: Any, schema_name: str, shown: str, quantities: bool) -> tuple | None:
    """What a validation's result depends on: the document's content (a SHA-256 of its `repr`,
    which tells 2 from 2.0, True from 1 and "2" from 2, keys in their order), the schema's name
    and folder, the name messages show and `quantities`. None (never kept) for a document holding
    anything but mappings, lists, strings, numbers, booleans and nulls (JSON's types, whose
    `repr` is their content; a date, for one, is validated every time)."""
    try:
        json.dumps(doc, allow_nan=True, default=_not_plain)
        text = repr(doc)
    except (TypeError, ValueError, RecursionError):
        return None
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return (digest, schema_name, str(schema_dir()), shown, bool(quantities))


def _not_plain(obj: Any):
    raise TypeError(type(obj).__name__)


def validate(doc: dict, schema_name: str, file: str | Path, quantities: bool = True) -> list[InputError]:
    """All problems of `doc` against schema `schema_name`, as InputErrors (empty if valid).

    Integral floats (`horizon: 2.0`) where the schema asks for an integer are turned into
    integers in `doc` itself; numbers that are not finite are errors wherever they are.

    A document found valid is validated once per process: the same content (the same file, or
    the same parameters re-checked with a few overrides, a twin's other files) is answered from
    `_VALIDATED` (its integral floats turned into integers again); any change of content, schema
    or name is validated anew, and a document with problems always is."""
    shown = display_path(file) if isinstance(file, Path) else str(file)
    key = validation_key(doc, schema_name, shown, quantities)
    if key is not None and key in _VALIDATED:
        _VALIDATED.move_to_end(key)
        _set_whole(doc, _VALIDATED[key])
        return []
    errors, coerced = _validate(doc, schema_name, shown, quantities)
    if key is not None and not errors:
        _VALIDATED[key] = coerced
        while len(_VALIDATED) > VALIDATED_MAX:
            _VALIDATED.popitem(last=False)
    return errors


def _validate(doc: dict, schema_name: str, shown: str, quantities: bool) -> tuple[list[InputError], list[list]]:
    """`validate` without its memory: the problems, and the paths of integral floats coerced."""
    registry, schemas = _registry_and_schemas(str(schema_dir()))
    validator = _validator_class()(schemas[schema_name], registry=registry)
    found = list(validator.iter_errors(doc))
    coerced = _coerce_whole(doc, found)
    if coerced:
        found = list(validator.iter_errors(doc))
    errors: list[InputError] = finite_problems(doc, shown)
    raw = sorted(found, key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    for err in raw:
        if finite_problems(err.instance, shown):
            continue  # reported once, as not finite
        errors.extend(_convert(err, shown))
    cut = {e.field for e in errors if e.code == "flow_comma"}  # its value's own message would mislead
    errors = [e for e in errors if e.code == "flow_comma" or e.field not in cut]
    if quantities and not errors:
        errors.extend(check_quantities(doc, shown))
    # de-duplicate identical messages (oneOf branches repeat themselves)
    seen, unique = set(), []
    for e in errors:
        key = e.message("en")
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique, coerced


def qv(q: Any) -> float:
    """The value of a quantity mapping (or a bare number)."""
    return float(q["value"]) if isinstance(q, dict) else float(q)
