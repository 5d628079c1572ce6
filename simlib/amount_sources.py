"""A budget amount written without its funding source (`P1.1: 102.5` where the scenario's schema
wants `P1.1: {central_investment: 102.5}`): said as such, with the sources there are and the line
to write, instead of «wrong type, expected a mapping» (`simlib.schema`)."""

from __future__ import annotations

from typing import Any

from simlib.errors import InputError

__all__ = ["source_missing_error"]

#: the mappings of a budget year whose entries are amounts by source (lines or projects, contents)
BY_SOURCE = ("lines", "contents")


def source_missing_error(err: Any, path: list, file: str) -> InputError | None:
    """The error for jsonschema's type error `err` at `path` (its `absolute_path`, a list) when
    it is a number given where a budget year's `lines` or `contents` want amounts by source
    (`amount_without_source`); None for any other type error."""
    value, sources = err.instance, sorted(err.schema.get("properties") or {})
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (number and sources and len(path) >= 4 and path[0] == "budget" and path[-2] in BY_SOURCE):
        return None
    field = ".".join(str(p) for p in path)
    return InputError(
        "amount_without_source", file=file, field=field, value=value, allowed=sources, item=path[-1], amount=value
    )
