"""Loading YAML parameter files and validating them against the schemas in `params/schema/`.

Validation reports every problem at once as `InputError`s that name the file, the dotted field,
the offending value and what is allowed. Beyond the JSON schema, every quantity
(`{value, unit, ...}`) must carry a `source` or an `assumption`, its value must lie inside its
`range`, and probabilities and shares must lie in [0, 1].
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from simlib import i18n
from simlib.errors import InputError
from simlib.i18n import LANGS, LocalText
from simlib.paths import display_path, params_dir


def _stringify_keys(obj: Any) -> Any:
    """YAML reads `2024:` as an int key; schemas and dotted paths want strings."""
    if isinstance(obj, dict):
        return {str(k): _stringify_keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_stringify_keys(v) for v in obj]
    return obj


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int):
        self.key, self.line = key, line


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: str | Path) -> dict:
    """Read a YAML mapping; missing files and syntax errors become `InputError`s."""
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise InputError("file_missing", file=shown)
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise InputError("duplicate_key", file=shown, field=exc.key, line=exc.line) from None
    except yaml.YAMLError as exc:
        detail = str(exc).replace("\n", " ")
        raise InputError("yaml", file=shown, detail=detail) from None
    except UnicodeDecodeError as exc:
        raise InputError("not_utf8", file=shown, reason=exc.reason) from None
    if not isinstance(data, dict):
        raise InputError("not_mapping", file=shown)
    return _stringify_keys(data)


def schema_dir() -> Path:
    return params_dir() / "schema"


@functools.cache
def _registry_and_schemas(folder: str) -> tuple[Registry, dict[str, dict]]:
    schemas: dict[str, dict] = {}
    resources = []
    for f in sorted(Path(folder).glob("*.schema.yaml")):
        with open(f, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
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


def _convert(err, file: str) -> list[InputError]:
    """One jsonschema error -> one or more InputErrors with our wording."""
    path = list(err.absolute_path)
    field = _join(path) or None
    v = err.validator
    if v == "additionalProperties":
        props = set(err.schema.get("properties", {}))
        unknown = [k for k in err.instance if k not in props]
        return [
            InputError("unknown_key", file=file, field=_join(path + [k]), allowed=sorted(props) or "—") for k in unknown
        ]
    if v == "required":
        missing = [r for r in err.validator_value if r not in err.instance]
        return [InputError("missing", file=file, field=field, name=m) for m in missing]
    if v == "type":
        return [
            InputError("type", file=file, field=field, value=err.instance, expected=_type_names(err.validator_value))
        ]
    if v == "enum":
        return [InputError("enum", file=file, field=field, value=err.instance, allowed=err.validator_value)]
    if v in ("minimum", "maximum", "exclusiveMinimum"):
        code = {"minimum": "minimum", "maximum": "maximum", "exclusiveMinimum": "exclusive_minimum"}[v]
        if field and field.startswith("budget.") and v == "minimum" and err.validator_value == 0:
            return [InputError("negative_money", file=file, field=field, value=err.instance, allowed="≥ 0")]
        return [InputError(code, file=file, field=field, value=err.instance, limit=err.validator_value)]
    if v == "pattern":
        return [InputError("pattern", file=file, field=field, value=err.instance, allowed=err.validator_value)]
    if v == "minLength":
        code = "empty" if err.validator_value == 1 else "too_short"
        return [InputError(code, file=file, field=field, value=err.instance, limit=err.validator_value)]
    if v == "oneOf":
        return [InputError("one_of", file=file, field=field, value=err.instance)]
    if v in ("minItems", "maxItems", "minProperties"):
        return [InputError("length", file=file, field=field, value=err.instance, allowed=f"{v} {err.validator_value}")]
    return [InputError("schema", file=file, field=field, detail=err.message)]


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


def validate(doc: dict, schema_name: str, file: str | Path, quantities: bool = True) -> list[InputError]:
    """All problems of `doc` against schema `schema_name`, as InputErrors (empty if valid)."""
    shown = display_path(file) if isinstance(file, Path) else str(file)
    registry, schemas = _registry_and_schemas(str(schema_dir()))
    validator = Draft202012Validator(schemas[schema_name], registry=registry)
    errors: list[InputError] = []
    raw = sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    for err in raw:
        errors.extend(_convert(err, shown))
    if quantities and not errors:
        errors.extend(check_quantities(doc, shown))
    # de-duplicate identical messages (oneOf branches repeat themselves)
    seen, unique = set(), []
    for e in errors:
        key = e.message("en")
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique


def qv(q: Any) -> float:
    """The value of a quantity mapping (or a bare number)."""
    return float(q["value"]) if isinstance(q, dict) else float(q)
