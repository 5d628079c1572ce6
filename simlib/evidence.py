"""The evidence register (`params/evidence.yaml`): a prior for every programme effect, lag, unit
cost, asset life and the labour-capacity share, citing the studies it rests on or flagged as
having none (`no_evidence: true`, a deliberately wide prior).

Parameter files do not repeat the register's numbers: they refer to a prior by its dotted path in
the register, e.g. `escape: {prior: priors.P2.effects.escape}`. When the parameters are loaded,
`resolve_priors` replaces each reference by the quantity the rest of simlib reads::

    value         the prior's central value
    unit, range   the prior's
    distribution  triangular -> triangular, uniform -> uniform, point -> fixed
    evidence      the cited study ids (keys of the register's `studies`)
    no_evidence   true where nothing was found (the range is then a wide prior)
    source / assumption   a sentence naming the register entry (and its studies)
    prior         the dotted path it came from

so the register is the one source of truth, overrides (`program.lines.P2.effects.escape.value`)
work as before, and the uncertainty sampler draws from the register's distributions. A register
entry `same_as: P1.1` under `priors` stands for that line's priors.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.errors import InputError

#: the register's prior shapes -> quantity distributions (`common.schema.yaml#/$defs/quantity`)
SHAPES = {"triangular": "triangular", "uniform": "uniform", "point": "fixed"}
#: register sections whose priors are effects: zero must lie in their range unless `zero_excluded`
EFFECT_SECTIONS = ("effects", "multidim")


def _step(node: Any, segments: list[str]) -> tuple[Any, list[str]] | None:
    """One step down a mapping whose keys may contain dots (longest key first)."""
    if not isinstance(node, dict):
        return None
    for n in range(len(segments), 0, -1):
        key = ".".join(segments[:n])
        if key in node:
            return node[key], segments[n:]
    return None


def lookup(register: dict, path: str) -> dict | None:
    """The register entry at dotted `path` (keys such as `P1.1` may contain dots), following
    `same_as` between lines of `priors`; None if there is none."""
    node, rest = register, path.split(".")
    while rest:
        if isinstance(node, dict) and "same_as" in node and node is not register:
            priors = register.get("priors", {})
            node = priors.get(node["same_as"])
        found = _step(node, rest)
        if found is None:
            return None
        node, rest = found
    return node if isinstance(node, dict) else None


def is_prior(node: Any) -> bool:
    return isinstance(node, dict) and "central" in node and "unit" in node


def basis_text(prior: dict, path: str) -> str:
    """The sentence a resolved quantity carries as its `source` (or `assumption`)."""
    ids = ", ".join(prior.get("evidence") or [])
    head = f"params/evidence.yaml {path}"
    if prior.get("no_evidence"):
        return f"no evidence - wide prior ({head}{': ' + ids if ids else ''})"
    return f"{head}: {ids}"


def prior_quantity(prior: dict, path: str) -> dict:
    """The quantity a reference to `prior` (at register path `path`) resolves to."""
    q: dict[str, Any] = {"value": prior["central"], "unit": prior["unit"]}
    if "range" in prior:
        q["range"] = list(prior["range"])
    q["distribution"] = SHAPES[prior.get("shape", "triangular")]
    key = "assumption" if prior.get("no_evidence") else "source"
    q[key] = basis_text(prior, path)
    q["evidence"] = list(prior.get("evidence") or [])
    q["no_evidence"] = bool(prior.get("no_evidence", False))
    q["prior"] = path
    if "price_year" in prior:
        q["price_year"] = int(prior["price_year"])
    return q


def resolve_priors(doc: Any, register: dict, file: str, path: tuple = ()) -> list[InputError]:
    """Replace, in `doc` (in place), every `{prior: <path>}` mapping by the quantity of that
    register prior (see the module docstring); unknown paths are errors naming the field."""
    errors: list[InputError] = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, node in list(items):
        here = path + (key,)
        if isinstance(node, dict) and "prior" in node and "value" not in node:
            entry = lookup(register, str(node["prior"]))
            if not is_prior(entry):
                field = ".".join(map(str, here)) + ".prior"
                errors.append(InputError("prior_unknown", file=file, field=field, value=node["prior"]))
                continue
            q = prior_quantity(entry, str(node["prior"]))
            if "note" in node:
                q["note"] = node["note"]
            doc[key] = q
        else:
            errors.extend(resolve_priors(node, register, file, here))
    return errors


def _priors(node: Any, path: tuple = ()):
    """Every prior of the register with its path."""
    if is_prior(node):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            if k != "studies":
                yield from _priors(v, path + (k,))


def check_register(register: dict, file: str) -> list[InputError]:
    """What the schema cannot say: every cited study exists, every prior has a basis (studies or
    the wide-prior flag), its central value lies in its range, an effect's range contains zero
    unless `zero_excluded` says why, and `same_as` names a line of `priors`."""
    errors: list[InputError] = []
    studies = register.get("studies") or {}
    for path, prior in _priors(register):
        field = ".".join(map(str, path))
        for sid in prior.get("evidence") or []:
            if sid not in studies:
                errors.append(InputError("evidence_unknown", file=file, field=field + ".evidence", value=sid))
        if not prior.get("evidence") and not prior.get("no_evidence"):
            errors.append(InputError("prior_no_basis", file=file, field=field))
        lo, hi = prior.get("range", [prior["central"]] * 2)
        if not lo <= prior["central"] <= hi:
            errors.append(
                InputError("range", file=file, field=field + ".central", value=prior["central"], lo=lo, hi=hi)
            )
        effect = len(path) > 2 and path[0] == "priors" and path[2] in EFFECT_SECTIONS
        if effect and lo > 0 and not prior.get("zero_excluded"):
            errors.append(InputError("prior_zero_excluded", file=file, field=field + ".range", value=[lo, hi]))
    for line, entry in (register.get("priors") or {}).items():
        if "same_as" in entry and entry["same_as"] not in register["priors"]:
            errors.append(InputError("unknown_line", file=file, field=f"priors.{line}.same_as", value=entry["same_as"]))
    return errors


def _cited(docs: dict, path: tuple = ()):
    """Every quantity of the parameter documents that came from the register."""
    if isinstance(docs, dict):
        if "prior" in docs and "value" in docs:
            yield path, docs
            return
        for k, v in docs.items():
            yield from _cited(v, path + (k,))
    elif isinstance(docs, list):
        for i, v in enumerate(docs):
            yield from _cited(v, path + (i,))


#: columns of `evidence_table` and the catalogue key of each heading
COLUMNS = {
    "line": "evidence.col_line",
    "parameter": "evidence.col_parameter",
    "value": "evidence.col_value",
    "unit": "evidence.col_unit",
    "central": "evidence.col_central",
    "low": "evidence.col_low",
    "high": "evidence.col_high",
    "distribution": "evidence.col_distribution",
    "strength": "evidence.col_strength",
    "evidence": "evidence.col_evidence",
    "no_evidence": "evidence.col_no_evidence",
    "overridden": "evidence.col_overridden",
    "prior": "evidence.col_prior",
}
#: the register's strength grades (and `unrated` where a prior gives none) -> catalogue keys
STRENGTH = {
    "direct": "evidence.direct",
    "indirect": "evidence.indirect",
    "none": "evidence.none",
    "unrated": "evidence.unrated",
}


def _row(path: tuple, q: dict, prior: dict, lang: str | None) -> dict:
    line = str(path[1]) if path[:1] == ("lines",) else ""
    lo, hi = q.get("range", [q["value"]] * 2)
    central = float(prior.get("central", q["value"]))
    grade = prior.get("strength", "none" if q["no_evidence"] else "unrated")
    return {
        "line": line,
        "parameter": ".".join(map(str, path[2:] if line else path)),
        "value": float(q["value"]),
        "unit": q["unit"],
        "central": central,
        "low": float(lo),
        "high": float(hi),
        "distribution": q.get("distribution", "triangular"),
        "strength": i18n.t(STRENGTH[grade], lang),
        "evidence": ", ".join(q["evidence"]),
        "no_evidence": bool(q["no_evidence"]),
        "overridden": abs(float(q["value"]) - central) > 1e-12,
        "prior": q["prior"],
    }


def evidence_table(params, lang: str | None = None) -> pd.DataFrame:
    """The register as the model uses it: one row per parameter taken from it (programme lines,
    then population), with the value in use (`overridden` where it differs from the prior's
    central value), the prior's range and shape, the strength of the evidence and the studies
    cited (or the wide-prior flag). `params` is a `ParameterSet`; headings are in `lang`."""
    register = params["evidence"]
    rows = []
    for name in ("program", "population"):
        for path, q in _cited(params[name]):
            prior = lookup(register, q["prior"]) or {}
            rows.append(_row(path if name == "program" else (name,) + path, q, prior, lang))
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    return df.rename(columns={c: i18n.t(k, lang) for c, k in COLUMNS.items()})


#: parameters the register gives (`evidence_table`'s parameter column) -> readable names
#: (catalogue keys `evidence.param.<code>`); others are shown by their code
PARAMETERS = (
    "beneficiary.unit_cost",
    "durable.life",
    "effects.deprivation",
    "effects.enabling",
    "effects.escape",
    "effects.new_poverty",
    "effects.relapse",
    "lag",
    "multidim.income",
    "multidim.removal",
    ".".join(("population", "labour_capacity", "without_share")),  # joined: not a catalogue key itself
    "reach.cost_rise",
    "support_cycle",
)
#: the register's units (`unit` of its priors) -> catalogue keys; a unit not listed is shown as written
UNITS = {
    "share": "evidence.unit.share",
    "years": "evidence.unit.years",
    "VND per commune": "evidence.unit.vnd_per_commune",
    "VND per house": "evidence.unit.vnd_per_house",
    "VND per household": "evidence.unit.vnd_per_household",
    "VND per household served": "evidence.unit.vnd_per_household_served",
    "VND per officer": "evidence.unit.vnd_per_officer",
    "VND per person per month": "evidence.unit.vnd_per_person_month",
    "VND per trainee": "evidence.unit.vnd_per_trainee",
    "VND per worker": "evidence.unit.vnd_per_worker",
    "share (probability that a reached household loses the nutrition deprivation in a year)": (
        "evidence.unit.share_nutrition_removed"
    ),
    "share (probability that a served household loses each listed deprivation it has)": (
        "evidence.unit.share_deprivation_removed"
    ),
    "share of poor households without labour capacity": "evidence.unit.share_without_labour",
    "relative rise of the marginal cost per beneficiary at the take-up ceiling": "evidence.unit.cost_rise",
}
#: quantity distributions (`evidence_table`'s distribution column) -> catalogue keys
DISTRIBUTIONS = {
    "triangular": "evidence.dist.triangular",
    "uniform": "evidence.dist.uniform",
    "fixed": "evidence.dist.fixed",
}


def citation(study: dict | None, key: str, lang: str | None = None) -> str:
    """How a page cites a register study: its own `cite` in the page's language when the register
    gives one (bodies, laws and sources without a named author or year, so that a Vietnamese page
    does not read "Ministry of Finance" or "not stated"), else 'first author (year)' (the register's
    `authors` up to its first comma or bracket: the first author, or the body that issued it), its
    id when the register has no authors."""
    if study and study.get("cite"):
        return study["cite"].get(i18n.get_lang(lang)) or study["cite"]["en"]
    if not study or not study.get("authors"):
        return key
    first = re.split(r",\s| \(", str(study["authors"]), maxsplit=1)[0].strip()
    return f"{first} ({study['year']})" if study.get("year") else first


def readable_evidence_table(params, lang: str | None = None) -> pd.DataFrame:
    """`evidence_table` for a reader: rows that belong to no line named (the whole programme, the
    population), parameters, units and distributions by name in `lang` (`UNITS`, `DISTRIBUTIONS`;
    a unit the catalogues lack is shown as the register writes it), studies by authors and year,
    without the register's own keys (column `prior`)."""
    df = evidence_table(params, lang)
    col = {c: i18n.t(k, lang) for c, k in COLUMNS.items()}
    studies = params["evidence"].get("studies") or {}
    codes = df[col["parameter"]]
    whole = np.where(codes.str.startswith("population."), "evidence.row_population", "evidence.row_programme")
    df[col["line"]] = [ln or i18n.t(k, lang) for ln, k in zip(df[col["line"]], whole)]
    df[col["parameter"]] = [i18n.t(f"evidence.param.{c}", lang) if c in PARAMETERS else c for c in codes]
    df[col["unit"]] = [i18n.t(UNITS[u], lang) if u in UNITS else u for u in df[col["unit"]]]
    dist = df[col["distribution"]]
    df[col["distribution"]] = [i18n.t(DISTRIBUTIONS[d], lang) if d in DISTRIBUTIONS else d for d in dist]
    df[col["evidence"]] = [
        "; ".join(citation(studies.get(k), k, lang) for k in filter(None, ids.split(", ")))
        for ids in df[col["evidence"]]
    ]
    for c in (col["no_evidence"], col["overridden"]):  # yes / no in the page's language, not True / False
        df[c] = [i18n.t("evidence.yes" if v else "evidence.no", lang) for v in df[c].astype(bool)]
    return df.drop(columns=[col["prior"]])
