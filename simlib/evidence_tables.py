"""The evidence register (`simlib.evidence`) as the pages show it: `evidence_table`, one row per
parameter taken from the register with the value in use, the prior's range and shape, the strength
of the evidence and the studies cited; `readable_evidence_table`, the same for a reader (parameters,
units and distributions by name, studies by authors and year). They live apart from the
register's reading (`resolve_priors`, `check_register`), so that loading the parameters — which
`simlib list` does — does not load pandas.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.evidence import lookup


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
