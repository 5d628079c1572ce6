"""A series fit as a file says it (`params/series/*.yaml`, schema `series.schema.yaml`): which
published figures, read as which review years, under which poverty standard, with which money.

`load_series_spec(path)` validates the file, finds every figure in the published-figures table
(the row of the `area` and year `label` whose `column` holds `value` — quoting the value is a
check that the right row is read) and resolves the scenario that gives the cells, the priors of
effects, unit costs and disbursement, and the stand-in budget. `series_spec(doc, base, scenario)`
does the same from a document (tests, other front-ends). Every problem of a file is reported at
once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simlib.dataset import read_table
from simlib.errors import InputError, excel_code, excel_code_error, raise_if_any
from simlib.i18n import LocalText
from simlib.parameters import sha256_file
from simlib.paths import display_path
from simlib.scenario import Scenario, load_scenario
from simlib.schema import load_yaml, validate

DEFAULTS = {"draws": 4000, "posterior_draws": 1000, "seed": 0, "level_step": 3.0, "reference_scale": 1.0}
#: the table columns an observation may read, and the indicator each one is
COLUMNS = {"poor_rate_pct": "poor_rate", "near_poor_rate_pct": "near_poor_rate"}


@dataclass(frozen=True)
class Observation:
    """One published figure: `value` (percent) of `indicator` in `geo` at the review of `year`."""

    segment: int
    year: int
    geo: str | tuple[str, ...]  # province | poor_districts | unit ids
    indicator: str
    value: float
    sd_extra: float
    area: str
    label: str
    note: str = ""

    @property
    def geo_name(self) -> str:
        return self.geo if isinstance(self.geo, str) else "+".join(self.geo)


@dataclass(frozen=True)
class Segment:
    """The figures of one poverty standard: a projection from `start_year` with a free start level
    (a flat prior over `level_range`, percent poor in the province)."""

    id: str
    standard: str
    start_year: int
    end_year: int
    level_range: tuple[float, float]
    note: LocalText | None = None


@dataclass(frozen=True)
class BudgetBlock:
    """The stand-in budget times `scale` (a quantity: its range is the scale's uniform prior)
    acts in `years`."""

    id: str
    years: tuple[int, ...]
    scale: dict


@dataclass(frozen=True)
class CrossCheck:
    id: str
    segment: int
    quantity: str
    observed: float
    title: LocalText
    note: str = ""


@dataclass(frozen=True)
class SeriesSpec:
    """A validated series fit (see the module docstring and `params/series/caobang.yaml`)."""

    name: str
    title: LocalText
    scenario: Scenario
    prior_transitions: dict
    prior_file: str | None
    reference_scale: float
    sigma: dict
    level_step: float
    segments: tuple[Segment, ...]
    observations: tuple[Observation, ...]
    budgets: tuple[BudgetBlock, ...]
    cross_checks: tuple[CrossCheck, ...] = ()
    draws: int = 4000
    posterior_draws: int = 1000
    seed: int = 0
    notes: tuple[LocalText, ...] = ()
    inputs: dict = field(default_factory=dict)  # file -> sha256 of the spec, figures, prior

    def segment_observations(self, s: int) -> list[int]:
        """Indices of the observations of segment s."""
        return [i for i, o in enumerate(self.observations) if o.segment == s]

    def block_of(self, year: int) -> int | None:
        """Index of the budget block acting in `year`, or None (no programme money)."""
        return next((b for b, blk in enumerate(self.budgets) if year in blk.years), None)


def _find_row(table, area: str, label: str, column: str, value: float, field_name: str, shown: str):
    """The table row of an observation, or the error that says why it is not there."""
    areas = sorted(set(table["area"]))
    if area not in areas:
        return None, InputError("cal_area", file=shown, field=f"{field_name}.area", value=area, allowed=areas)
    rows = table[(table["area"] == area) & (table["year"] == str(label))]
    vals = [float(v) if v.strip() else np.nan for v in rows[column]] if len(rows) else []
    hits = [i for i, v in enumerate(vals) if np.isfinite(v) and abs(v - value) < 1e-9]
    if len(hits) != 1:
        found = ", ".join(f"{v:g}" for v in vals if np.isfinite(v)) or "—"
        return None, InputError(
            "series_row", file=shown, field=f"{field_name}.value", value=value, area=area, label=label, found=found
        )
    return rows.iloc[hits[0]], None


def _geo(raw, scen: Scenario, shown: str, field_name: str) -> tuple[str | tuple[str, ...], list[InputError]]:
    if raw is None or raw == "province":
        return "province", []
    if raw == "poor_districts":
        ok = bool(np.asarray(scen.dataset.poor_district).any())
        return "poor_districts", [] if ok else [InputError("series_no_poor_districts", file=shown, field=field_name)]
    units = tuple(str(u) for u in raw)
    ids = scen.dataset.unit_ids
    bad = [u for u in units if u not in ids]
    saved = [u for u in bad if excel_code(u)]  # `1290.0`: a code a spreadsheet saved as a number
    errs = [excel_code_error(saved, None, ids, shown, field_name, listed=True)] if saved else []
    errs += [
        InputError("series_unit", file=shown, field=field_name, value=u, allowed=ids) for u in bad if u not in saved
    ]
    return units, errs


def _observations(doc: dict, table, scen: Scenario, shown: str) -> tuple[list[Observation], list[InputError]]:
    out, errors = [], []
    for s, seg in enumerate(doc["segments"]):
        for j, o in enumerate(seg["observations"]):
            f = f"segments.{s}.observations.{j}"
            column = o.get("column", "poor_rate_pct")
            _, err = _find_row(table, o["area"], str(o["label"]), column, float(o["value"]), f, shown)
            geo, geo_errs = _geo(o.get("geo"), scen, shown, f"{f}.geo")
            errors += ([err] if err else []) + geo_errs
            if o["review_year"] < seg["start_year"]:
                errors.append(
                    InputError(
                        "series_before_start",
                        file=shown,
                        field=f"{f}.review_year",
                        value=o["review_year"],
                        start=seg["start_year"],
                    )
                )
            out.append(
                Observation(
                    segment=s,
                    year=int(o["review_year"]),
                    geo=geo,
                    indicator=COLUMNS[column],
                    value=float(o["value"]),
                    sd_extra=float(o.get("sd_extra", 0.0)),
                    area=o["area"],
                    label=str(o["label"]),
                    note=o.get("note", ""),
                )
            )
    return out, errors


def _segment_errors(doc: dict, obs: list[Observation], shown: str) -> list[InputError]:
    """Each segment starts at a province poor-rate figure inside its level range."""
    errors = []
    for s, seg in enumerate(doc["segments"]):
        lo, hi = seg["level_range"]
        start = [
            o
            for o in obs
            if o.segment == s and o.year == seg["start_year"] and o.geo == "province" and o.indicator == "poor_rate"
        ]
        if not start:
            errors.append(
                InputError("series_start", file=shown, field=f"segments.{s}.start_year", value=seg["start_year"])
            )
        elif not lo < start[0].value < hi or lo >= hi:
            errors.append(
                InputError(
                    "series_level_range",
                    file=shown,
                    field=f"segments.{s}.level_range",
                    value=[lo, hi],
                    start=start[0].value,
                )
            )
    ids = [seg["id"] for seg in doc["segments"]]
    for s, i in enumerate(ids):
        if i in ids[:s]:
            errors.append(
                InputError(
                    "duplicate_id", file=shown, field=f"segments.{s}.id", value=i, other=f"segments.{ids.index(i)}"
                )
            )
    return errors


def _budget_errors(doc: dict, shown: str) -> list[InputError]:
    errors = []
    blocks = doc.get("budgets") or []
    for (_, ba), (b, bb) in itertools.combinations(enumerate(blocks), 2):
        for y in sorted(set(ba["years"]) & set(bb["years"])):
            errors.append(
                InputError("series_budget_year", file=shown, field=f"budgets.{b}.years", value=y, other=ba["id"])
            )
    sigma = doc["error"]["sigma"] if "error" in doc else None
    if sigma is not None and (not sigma.get("range") or sigma["range"][0] <= 0):
        errors.append(InputError("series_sigma", file=shown, field="error.sigma.range", value=sigma.get("range")))
    return errors


def _cross_checks(doc: dict, shown: str) -> tuple[list[CrossCheck], list[InputError]]:
    ids = [seg["id"] for seg in doc["segments"]]
    out, errors = [], []
    for k, c in enumerate(doc.get("cross_checks") or []):
        if c["segment"] not in ids:
            errors.append(
                InputError(
                    "series_segment", file=shown, field=f"cross_checks.{k}.segment", value=c["segment"], allowed=ids
                )
            )
            continue
        title = LocalText.from_fields(c, "title")
        out.append(
            CrossCheck(c["id"], ids.index(c["segment"]), c["quantity"], float(c["observed"]), title, c.get("note", ""))
        )
    return out, errors


DEFAULT_SIGMA = {
    "value": 1.0,
    "unit": "percentage points",
    "range": [0.25, 3.0],
    "distribution": "uniform",
    "assumption": "default model and review error of a published rate",
}


def series_spec(doc: dict, base: Path, scenario: Scenario | None = None, shown: str = "<series>") -> SeriesSpec:
    """A validated `SeriesSpec` from a document whose paths are relative to `base`; `scenario`
    replaces the document's own when given."""
    raise_if_any(validate(doc, "series", shown))
    scen = scenario or load_scenario(base / doc["scenario"])
    figures = base / doc["figures"]
    table = read_table(figures)
    missing = [c for c in ("year", "area", *COLUMNS) if c not in table.columns]
    raise_if_any([InputError("missing", file=display_path(figures), name=c) for c in missing])
    obs, errors = _observations(doc, table, scen, shown)
    checks, check_errors = _cross_checks(doc, shown)
    raise_if_any(errors + _segment_errors(doc, obs, shown) + _budget_errors(doc, shown) + check_errors)
    pri = doc.get("prior", {})
    prior_path = (base / pri["transitions"]) if "transitions" in pri else scen.params.folder / "transitions.yaml"
    return SeriesSpec(
        name=doc["name"],
        title=LocalText.from_fields(doc, "title"),
        scenario=scen,
        prior_transitions=load_yaml(prior_path),
        prior_file=display_path(prior_path),
        reference_scale=float(pri.get("reference_scale", DEFAULTS["reference_scale"])),
        sigma=dict((doc.get("error") or {}).get("sigma", DEFAULT_SIGMA)),
        level_step=float(doc.get("level_step", DEFAULTS["level_step"])),
        segments=tuple(_segments(doc, obs)),
        observations=tuple(obs),
        budgets=tuple(BudgetBlock(b["id"], tuple(b["years"]), dict(b["scale"])) for b in doc.get("budgets") or []),
        cross_checks=tuple(checks),
        draws=int(doc.get("draws", DEFAULTS["draws"])),
        posterior_draws=int(doc.get("posterior_draws", DEFAULTS["posterior_draws"])),
        seed=int(doc.get("seed", DEFAULTS["seed"])),
        notes=tuple(_notes(doc)),
        inputs={display_path(figures): sha256_file(figures), display_path(prior_path): sha256_file(prior_path)},
    )


def _segments(doc: dict, obs: list[Observation]) -> list[Segment]:
    out = []
    for s, seg in enumerate(doc["segments"]):
        end = max(o.year for o in obs if o.segment == s)
        note = LocalText(vi=seg.get("note_vi", seg.get("note", "")), en=seg.get("note", seg.get("note_vi", "")))
        out.append(Segment(seg["id"], seg["standard"], int(seg["start_year"]), end, tuple(seg["level_range"]), note))
    return out


def _notes(doc: dict) -> list[LocalText]:
    en, vi = list(doc.get("notes", [])), list(doc.get("notes_vi", []))
    return [LocalText(vi=v or e, en=e or v) for e, v in itertools.zip_longest(en, vi, fillvalue="")]


def load_series_spec(path: str | Path, scenario: Scenario | None = None) -> SeriesSpec:
    """Read and validate a series-fit file (see the module docstring)."""
    path = Path(path)
    shown = display_path(path)
    spec = series_spec(load_yaml(path), path.resolve().parent, scenario, shown)
    spec.inputs[shown] = sha256_file(path)
    return spec
