"""Money amounts in a scenario file that look written the Vietnamese way, with a dot between
groups of thousands (`central_investment: 1.093` for one thousand and ninety-three billion).

YAML reads `1.093` as the number 1.093 before simlib sees it, and the same text is a correct
amount in the documented convention (the dot is the decimal point), so such an amount cannot be
refused. It is pointed out instead where the decimal reading is unlikely: `grouped_amounts`
finds, in the file's own text, every money amount of the budget written as digits in groups of
three after a dot that is either in million VND or VND (a fraction of a million đồng, or of a
đồng, is no budget amount: `330.000` million is 330 thousand million) or, in billion VND, ends in
a zero (`12.500`, `1.000`: a decimal is not written with a trailing zero). An amount in billion VND
such as `23.909` (23 billion and 909 million, as `equal_split` has) or `1.093` is a usual decimal
and gets no note: the two readings cannot be told apart there. The commands print a note for each
amount found (`GroupedAmount.message`) naming the file, the line, the field, how it was read and
what to write if thousands were meant. An amount given on the command line (`--set
budget.years.2024.lines.P1.2.central_investment=12.500`) is read the same way and gets the same
note, naming the override instead of a line (`grouped_amounts(..., set_items=...)`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from simlib import i18n
from simlib.budget import SOURCES
from simlib.budget_bounds import UNIT_KEYS
from simlib.i18n import fmt
from simlib.yaml_strict import compose_fast

__all__ = ["GroupedAmount", "grouped_amounts"]

#: digits in groups of three after a dot, the first group not starting with 0 (`0.125` is read
#: as a decimal by anyone)
GROUPED = re.compile(r"[1-9]\d{0,2}(\.\d{3})+")
#: the unit of a budget's amounts when the file does not say (`simlib.budget.parse_budget` refuses
#: a budget without one; the notes are made before that check)
DEFAULT_UNIT = "billion VND"
#: how deep under `budget:` amounts are looked for (a budget's amounts are 4-5 levels down)
MAX_DEPTH = 12


@dataclass(frozen=True)
class GroupedAmount:
    """One amount: its file, line (1-based; None for a `--set` override of the command line),
    dotted field, text as written and the budget's unit."""

    file: str
    line: int | None
    field: str
    text: str
    unit: str

    def message(self, lang: str | None = None) -> str:
        """The note in `lang`: how the amount is read, and how to write it if thousands were meant."""
        value = float(self.text)
        unit = i18n.t(f"money.{UNIT_KEYS.get(self.unit, 'billion')}", lang)
        return i18n.t(
            "cli.grouped_amount" if self.line is not None else "cli.grouped_amount_set",
            lang,
            file=self.file,
            line=self.line,
            field=self.field,
            text=self.text,
            value=fmt.number(value, lang, decimals=3, trim=True),
            unit=unit,
            whole=fmt.number(float(self.text.replace(".", "")), lang),
            digits=self.text.replace(".", ""),
        )


def grouped_amounts(
    path: str | Path, shown: str | None = None, set_items: Sequence[str] = ()
) -> tuple[GroupedAmount, ...]:
    """Every money amount of the budget of the scenario file `path` likely written with a dot
    between groups of thousands (the module's rule), in the file's order, then those of the
    command line's overrides `set_items` (`"budget.….central_investment=12.500"`, as typed) in
    theirs, read in the budget's unit (the file's, or an override's `budget.unit`); `shown` is
    the file's name in the notes (the path by default). A file the strict YAML reader refuses
    gives none: loading it reports the problem. Never raises: the notes are a help, not a check."""
    try:
        root = compose_fast(Path(path).read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - any file the strict reader refuses (syntax, nesting too deep,
        return ()  # unreadable): loading the scenario reports it; the notes are only a help
    budget = _child(root, "budget")
    unit_node = _child(budget, "unit")
    unit = unit_node.value if isinstance(unit_node, yaml.ScalarNode) else DEFAULT_UNIT
    overrides = [(key.strip(), text.strip()) for key, sep, text in (str(i).partition("=") for i in set_items) if sep]
    unit = next((text for key, text in reversed(overrides) if key == "budget.unit"), unit)
    if unit not in UNIT_KEYS:  # loading reports the unit: no amount is read in it
        return ()
    found = []
    for field, node in _scalars(budget, "budget") if budget is not None else ():
        if field.rsplit(".", 1)[-1] in SOURCES and node.tag.endswith((":float", ":int")):
            if _suspicious(node.value.strip().lstrip("+-"), unit):
                found.append(GroupedAmount(shown or str(path), node.start_mark.line + 1, field, node.value, unit))
    for key, text in overrides:
        money = key.startswith("budget.") and key.rsplit(".", 1)[-1] in SOURCES
        if money and _suspicious(text.lstrip("+-"), unit) and _number(text):
            found.append(GroupedAmount("--set", None, key, text, unit))
    return tuple(found)


def _number(text: str) -> bool:
    """Whether YAML reads `text` as a number (as `--set` values are read): `12.000.000` is text,
    which loading refuses; only a number can be read in the wrong way."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _suspicious(text: str, unit: str) -> bool:
    """Whether an amount written `text` in `unit` is likely thousands with a dot between groups."""
    return GROUPED.fullmatch(text) is not None and (unit != "billion VND" or text.endswith("0"))


def _child(node, key: str):
    """The value node of `key` in the mapping `node`, or None."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _scalars(node, where: str, seen: set | None = None, depth: int = 0):
    """(dotted field, scalar node) of every scalar value under the mapping `node`, in order, each
    node once (an alias shares its node: an alias bomb or an alias into itself is walked once) and
    no deeper than `MAX_DEPTH` (a budget is about 6 deep)."""
    seen = set() if seen is None else seen
    if not isinstance(node, yaml.MappingNode) or id(node) in seen or depth > MAX_DEPTH:
        return
    seen.add(id(node))
    for k, v in node.value:
        if not isinstance(k, yaml.ScalarNode):
            continue
        field = f"{where}.{k.value}"
        if isinstance(v, yaml.ScalarNode):
            yield field, v
        else:
            yield from _scalars(v, field, seen, depth + 1)
