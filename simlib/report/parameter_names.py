"""Plain names for the parameters the uncertainty space still names by their key (allocation rules,
the welfare weights, the counterpart floor, the rise of the marginal cost, labour capacity), for
pages: rules "when a target is missed" are written with the space's labels, and a label that is
its own dotted key (`allocation.district_rules.statutory.criteria.3.points`) must not reach a
reader. `readable` replaces every such key in a text by its name in the report's language."""

from __future__ import annotations

import re

from simlib import i18n

#: keys named by one catalogue entry (`report.param.<name>`); written as their parts, since a dotted
#: literal such as population.… reads as a catalogue key to tests/test_i18n_catalogue.py
SIMPLE = {
    ".".join(parts): name
    for parts, name in (
        (("program", "reach", "cost_rise"), "cost_rise"),
        (("population", "labour_capacity", "without_share"), "without_labour"),
        (("allocation", "money", "counterpart", "min_local_share_of_central"), "counterpart"),
        (("allocation", "welfare", "ethnic_minority_weight"), "weight_ethnic_minority"),
        (("allocation", "welfare", "poor_district_weight"), "weight_poor_district"),
        (("allocation", "welfare", "near_poor_weight"), "weight_near_poor"),
    )
}
#: the district rules of params/allocation.yaml and the statutory rule's criteria, in its order
RULES = ("equal_plus_need", "statutory")
CRITERIA = (
    "households",
    "ethnic_minority_households",
    "poor_households",
    "poverty_rate",
    "poor_district",
    "natural_area",
    "communes",
    "border_communes",
)
_BASE = re.compile(r"^allocation\.district_rules\.(\w+)\.base_share$")
_CRITERION = re.compile(r"^allocation\.district_rules\.(\w+)\.criteria\.(\d+)\.points$")
#: a dotted parameter key inside a text
KEY = re.compile(r"\b(?:allocation|program|population)(?:\.[A-Za-z0-9_]+){2,}")


def _rule(rule: str, lang: str) -> str:
    return i18n.t(f"report.param.rule.{rule}", lang) if rule in RULES else rule


def parameter_name(key: str, lang: str, criteria: tuple[str, ...] = CRITERIA) -> str | None:
    """The plain name of `key`, or None when it is not one of the keys named here. `criteria`: the
    ids of the statutory rule's criteria in the scenario's order."""
    if key in SIMPLE:
        return i18n.t(f"report.param.{SIMPLE[key]}", lang)
    m = _BASE.match(key)
    if m:
        return i18n.t("report.param.base_share", lang, rule=_rule(m.group(1), lang))
    m = _CRITERION.match(key)
    if m:
        i = int(m.group(2))
        cid = criteria[i] if i < len(criteria) else ""
        what = i18n.t(f"report.param.criterion.{cid}", lang) if cid in CRITERIA else str(i + 1)
        return i18n.t("report.param.criterion_points", lang, criterion=what, rule=_rule(m.group(1), lang))
    return None


def readable(text: str, lang: str, criteria: tuple[str, ...] = CRITERIA) -> str:
    """`text` with every parameter key named here replaced by its plain name."""
    if not isinstance(text, str):
        return text
    return KEY.sub(lambda m: parameter_name(m.group(0), lang, criteria) or m.group(0), text)


def criteria_of(params) -> tuple[str, ...]:
    """The ids of the statutory rule's criteria in a parameter set's allocation document, in order
    (the bundled order when it has none)."""
    try:
        rule = params["allocation"]["district_rules"]["statutory"]
        return tuple(str(c.get("id", "")) for c in rule["criteria"])
    except (KeyError, TypeError):
        return CRITERIA
