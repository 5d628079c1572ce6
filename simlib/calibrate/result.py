"""A calibration's result, and how it is written: a transitions file that plugs into the
parameter system, plus posterior draws and a fitted-versus-observed table.

Output folder (written atomically):

- `transitions.yaml` — same schema as `params/transitions.yaml` (reference rates, modifiers,
  growth; per-class `cells` when estimated from household lists) with every value's 95 % posterior
  interval as its `range`, and a `calibration` section: data files and sha256, method, prior,
  programme budgets used, fit statistics, draws. A scenario uses it with
  `transitions: <path to this file>`.
- `draws.csv` — posterior draws, tidy: `draw, parameter, ethnic_group, area, poor_district,
  value` (class rates, growth, entry shares, effect multiplier) for uncertainty analysis;
  `rates_for_model` turns them into the `rates` argument (S, G, 12) of the expected engine.
- `fitted.csv` — observed versus fitted values, for checking the fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simlib import __version__, i18n
from simlib.atomic import atomic_dir, output_folder
from simlib.calibrate.prior import ENTRY_STATES, N_CLASSES, Prior, check_transitions_doc, class_index, class_key
from simlib.clock import run_time
from simlib.errors import raise_if_any
from simlib.i18n import LocalText, fmt
from simlib.parameters import sha256_file
from simlib.paths import display_path
from simlib.transitions import CELL_CLASSES, RATE_KEYS

REFERENCE_CLASS = 0  # ethnic minority, rural, poor district: the reference cell of transitions.yaml
#: headline rates: escape, exit from near-poverty, relapse in the first year, new poverty
KEY_RATES = (0, 2, 4, 10)


def _r(x: float) -> float:
    return float(f"{float(x):.6g}")


def quantity(
    value: float, draws: np.ndarray, unit: str, source: str, note: str, distribution: str, bounded: bool
) -> dict:
    """A `{value, unit, range, distribution, source, note}` quantity; the range is the central
    95 % interval of the draws, widened if needed so it contains the value after rounding."""
    v = _r(value)
    lo, hi = np.quantile(draws, [0.025, 0.975]) if len(draws) else (value, value)
    lo, hi = min(_r(lo), v), max(_r(hi), v)
    if bounded:
        lo, hi = max(lo, 0.0), min(hi, 1.0)
    return {"value": v, "unit": unit, "range": [lo, hi], "distribution": distribution, "source": source, "note": note}


@dataclass
class Calibration:
    """Estimated baseline rates with their uncertainty and provenance (see module docstring).

    Class arrays follow `CELL_CLASSES` (8) and `RATE_KEYS` (12); draws have a leading axis S.
    """

    method: str  # "aggregate" | "household"
    structure: str  # "parametric" | "per_class"
    prior: Prior
    years: tuple[int, ...]
    class_rates: np.ndarray
    class_draws: np.ndarray
    class_households: np.ndarray  # (8,) household-years of data behind each class
    growth: float
    growth_draws: np.ndarray
    entry: np.ndarray
    entry_draws: np.ndarray
    ref: np.ndarray | None = None
    ref_draws: np.ndarray | None = None
    mods: np.ndarray | None = None  # (M, 2) upward, downward
    mod_draws: np.ndarray | None = None
    effect_multiplier: float | None = None
    effect_draws: np.ndarray | None = None
    data_weight: dict = field(default_factory=dict)
    fit: dict = field(default_factory=dict)
    fitted: pd.DataFrame = field(default_factory=pd.DataFrame)
    data: list = field(default_factory=list)
    template: dict | None = None
    exposure: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # LocalText: what was estimated or left out
    seed: int = 0
    entry_estimated: bool = False

    def __post_init__(self):
        if self.growth < 0:  # the model forms households but never dissolves them
            growth = fmt.local_text(fmt.number, self.growth, decimals=4)
            self.notes = list(self.notes) + [LocalText.of("cal.note.growth_negative", growth=growth)]
            self.growth = 0.0
        self.growth_draws = np.maximum(np.asarray(self.growth_draws, float), 0.0)

    @property
    def sd(self) -> np.ndarray:
        """(8, 12) posterior sd of the class rates."""
        return self.class_draws.std(axis=0)

    def class_table(self) -> pd.DataFrame:
        """Point estimate, 95 % interval and prior of every class rate (tidy)."""
        lo, hi = np.quantile(self.class_draws, [0.025, 0.975], axis=0)
        rows = []
        for i in range(N_CLASSES):
            c = CELL_CLASSES[i]
            for j, (f, t) in enumerate(RATE_KEYS):
                rows.append(
                    {
                        "ethnic_group": c["ethnic_group"],
                        "area": c["area"],
                        "poor_district": c["poor_district"],
                        "rate": f"{f}.{t}",
                        "estimate": self.class_rates[i, j],
                        "lo": lo[i, j],
                        "hi": hi[i, j],
                        "prior": self.prior.class_rates[i, j],
                        "households": self.class_households[i],
                    }
                )
        return pd.DataFrame(rows)

    # --- the parameter file ---------------------------------------------------------------

    def _source(self) -> str:
        span = f"{self.years[0]}–{self.years[-1]}" if self.years else "—"
        what = "aggregate review counts" if self.method == "aggregate" else "household review lists"
        return f"simlib calibrate: {what}, reviews {span} (files and sha256 under calibration.data)"

    def transitions_doc(self) -> dict:
        """The estimate as a transitions document (validated by `write_calibration`)."""
        pr = self.prior.doc
        src = self._source()
        today = run_time().date().isoformat()
        what = LocalText.of(f"cli.cal_what_{self.method}")
        description = LocalText.of("cal.record_description", what=what, first=self.years[0], last=self.years[-1])
        doc: dict = {"meta": {"version": f"calibrated-{today}", **description.to_fields("description")}}
        if self.structure == "parametric":
            doc["reference"], doc["modifiers"] = self._reference_doc(src), self._modifiers_doc(src)
        else:
            doc["reference"] = pr["reference"]
            doc["modifiers"] = pr["modifiers"]
        doc["growth"] = self._growth_doc(src)
        if self.structure == "per_class":
            doc["cells"] = self._cells_doc(src)
        doc["calibration"] = self.provenance()
        return doc

    def _reference_doc(self, src: str) -> dict:
        """The reference rates estimated by the parametric structure, as quantities."""
        ref = {}
        for j, (f, t) in enumerate(RATE_KEYS):
            sd = float(self.ref_draws[:, j].std())
            note = (
                f"posterior sd {sd:.3g}; prior {self.prior.ref[j]:.4g} ({self.prior.ref_kappa[j]:.0f} household-years); "
                f"data weight {self.data_weight.get(f'reference.{f}.{t}', 0.0):.2f}"
            )
            ref.setdefault(f, {})[t] = quantity(
                self.ref[j], self.ref_draws[:, j], "probability per year", src, note, "beta", True
            )
        return ref

    def _modifiers_doc(self, src: str) -> list:
        """The relative-risk modifiers estimated by the parametric structure, as quantities."""
        pr = self.prior.doc
        mods = []
        for m, old in enumerate(pr["modifiers"]):
            entry = {"name": old["name"], "applies_to": dict(old["applies_to"])}
            for d, key in enumerate(("upward", "downward")):
                w = self.data_weight.get(f"modifiers.{old['name']}.{key}", 0.0)
                note = f"posterior sd of log {np.log(self.mod_draws[:, m, d]).std():.3g}; prior {np.exp(self.prior.mod_log0[m, d]):.3g}; data weight {w:.2f}"
                entry[key] = quantity(
                    self.mods[m, d], self.mod_draws[:, m, d], "relative risk", src, note, "lognormal", False
                )
            mods.append(entry)
        return mods

    def _growth_doc(self, src: str) -> dict:
        """Household growth and the entry shares of new households, as quantities."""
        pr = self.prior.doc
        gsrc = (
            src
            if self.fit.get("growth_pairs", 0)
            else f"prior: {self.prior.file or 'transitions'} (no household totals to estimate it from)"
        )
        growth = {
            "rate": quantity(
                self.growth,
                self.growth_draws,
                "share per year",
                gsrc,
                f"net growth of households; posterior sd {self.growth_draws.std():.3g}",
                "normal",
                False,
            )
        }
        if self.entry_estimated:
            shares = [_r(x) for x in self.entry]
            shares[-1] = _r(1.0 - sum(shares[:-1]))
            growth["entry_states"] = {
                s: quantity(
                    shares[i],
                    self.entry_draws[:, i],
                    "share",
                    src,
                    "state of new households at their first review",
                    "beta",
                    True,
                )
                for i, s in enumerate(ENTRY_STATES)
            }
        else:
            growth["entry_states"] = pr["growth"]["entry_states"]
        return growth

    def _cells_doc(self, src: str) -> list:
        """The prior's class-rate entries, then one per class with households (per-class structure)."""
        pr = self.prior.doc
        cells = list(pr.get("cells") or [])  # the prior's own class rates stay where no data
        for i in range(N_CLASSES):
            if self.class_households[i] <= 0:
                continue
            rates = {}
            for j, (f, t) in enumerate(RATE_KEYS):
                note = f"posterior sd {self.class_draws[:, i, j].std():.3g}; prior {self.prior.class_rates[i, j]:.4g}"
                rates.setdefault(f, {})[t] = quantity(
                    self.class_rates[i, j],
                    self.class_draws[:, i, j],
                    "probability per year",
                    src,
                    note,
                    "beta",
                    True,
                )
            cells.append(
                {"applies_to": dict(CELL_CLASSES[i]), "households": float(self.class_households[i]), "rates": rates}
            )
        return cells

    def provenance(self) -> dict:
        prog = {"budgets": self.exposure}
        if not self.exposure:
            prog["note"] = (
                "no budget given: the rates include whatever the programme did in the observed years "
                "(gross rates); a scenario that adds the programme on top double-counts it"
            )
        if self.effect_multiplier is not None:
            prog["effect_multiplier"] = {
                "value": _r(self.effect_multiplier),
                "range": [_r(x) for x in np.quantile(self.effect_draws, [0.025, 0.975])],
                "data_weight": round(self.data_weight.get("effect_multiplier", 0.0), 3),
                "identified": bool(self.data_weight.get("effect_multiplier", 0.0) >= 0.5),
                "note": "all line effects in program.yaml times this multiplier explain the data best; apply it "
                "with overrides only if 'identified' (the data, not the prior, determine it)",
            }
        return {
            "method": self.method,
            "structure": self.structure,
            "created_utc": run_time().isoformat(),
            "simlib_version": __version__,
            "years": list(self.years),
            "data": self.data,
            "template": self.template,
            "prior": {
                "file": self.prior.file,
                "sha256": self.prior.sha256,
                "scale": self.prior.scale,
                "pseudo_counts": self.prior.pseudo_counts(),
            },
            "programme": prog,
            "fit": self.fit,
            "data_weight": {k: round(float(v), 3) for k, v in self.data_weight.items()},
            "draws": {"file": "draws.csv", "n": int(len(self.class_draws)), "seed": int(self.seed)},
            "notes": [n.en for n in self.notes],
            "notes_vi": [n.vi for n in self.notes],
        }

    def draws_frame(self) -> pd.DataFrame:
        """Posterior draws, tidy (see module docstring)."""
        S = len(self.class_draws)
        s, i, j = (x.ravel() for x in np.indices(self.class_draws.shape))
        cls = [CELL_CLASSES[k] for k in range(N_CLASSES)]
        names = np.array([f"{f}.{t}" for f, t in RATE_KEYS])
        df = pd.DataFrame(
            {
                "draw": s,
                "parameter": names[j],
                "ethnic_group": np.array([c["ethnic_group"] for c in cls])[i],
                "area": np.array([c["area"] for c in cls])[i],
                "poor_district": np.array([c["poor_district"] for c in cls])[i],
                "value": self.class_draws.ravel(),
            }
        )
        extra = [("growth.rate", self.growth_draws)]
        extra += [(f"growth.entry_states.{st}", self.entry_draws[:, k]) for k, st in enumerate(ENTRY_STATES)]
        if self.effect_draws is not None:
            extra.append(("effect_multiplier", self.effect_draws))
        rest = [
            pd.DataFrame(
                {
                    "draw": np.arange(S),
                    "parameter": name,
                    "ethnic_group": "",
                    "area": "",
                    "poor_district": "",
                    "value": v,
                }
            )
            for name, v in extra
        ]
        return pd.concat([df] + rest, ignore_index=True)


HEADER = """# Calibrated baseline (no-programme) annual transition probabilities, written by `simlib calibrate`.
# Same format as params/transitions.yaml; every range is a 95 % posterior interval. The
# `calibration` section records the data files (sha256), method, prior, programme budgets and fit.
# Use it in a scenario with:   transitions: <path to this file>
"""


class _Dumper(yaml.SafeDumper):
    """Quantities on one line each, as in the hand-written parameter files."""


def _represent_dict(dumper, data):
    flow = "value" in data and "unit" in data or set(data) <= {"ethnic_group", "area", "poor_district"}
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow or None)


def _represent_list(dumper, data):
    flow = all(isinstance(x, (int, float, str)) for x in data) and len(data) <= 12
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow or None)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def dump_yaml(doc: dict) -> str:
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)


def write_calibration(cal: Calibration, out_dir: str | Path) -> Path:
    """Write transitions.yaml, draws.csv and fitted.csv into `out_dir`, all or nothing."""
    out_dir = output_folder(out_dir, kind="calibration")
    doc = cal.transitions_doc()
    draws = cal.draws_frame()
    with atomic_dir(out_dir, "calibration") as tmp:
        draws.to_csv(tmp / "draws.csv", index=False)
        cal.fitted.to_csv(tmp / "fitted.csv", index=False)
        doc["calibration"]["draws"]["sha256"] = sha256_file(tmp / "draws.csv")
        raise_if_any(check_transitions_doc(doc, display_path(out_dir / "transitions.yaml")))
        text = HEADER + dump_yaml(doc)
        (tmp / "transitions.yaml").write_text(text, encoding="utf-8")
    return out_dir


def read_draws(path: str | Path) -> pd.DataFrame:
    """A `draws.csv` written by `write_calibration` (or the folder holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / "draws.csv"
    return pd.read_csv(path, keep_default_na=False)


def class_draws_array(draws: pd.DataFrame) -> np.ndarray:
    """(S, 8, 12) class-rate draws from a draws table."""
    d = draws[draws["ethnic_group"].astype(str) != ""]
    pd_flag = d["poor_district"].astype(str).str.lower().isin(["true", "1"])
    eth = d["ethnic_group"].map({"ethnic_minority": 0, "kinh": 1}).to_numpy()
    area = d["area"].map({"rural": 0, "urban": 1}).to_numpy()
    k = class_index(eth, area, pd_flag.to_numpy())
    j = d["parameter"].map({f"{f}.{t}": i for i, (f, t) in enumerate(RATE_KEYS)}).to_numpy()
    s = d["draw"].to_numpy(int)
    out = np.full((s.max() + 1, N_CLASSES, len(RATE_KEYS)), np.nan)
    out[s, k, j] = d["value"].to_numpy(float)
    return out


def rates_for_model(draws: pd.DataFrame | np.ndarray, model) -> np.ndarray:
    """Baseline rates (S, G, 12) for every group of a compiled model, one set per posterior draw —
    the `rates` argument of `simlib.engines.run_expected`."""
    arr = class_draws_array(draws) if isinstance(draws, pd.DataFrame) else np.asarray(draws)
    k = class_index(model.g_eth, model.g_area, model.poor_district[model.g_unit])
    return arr[:, k, :]


def summary_lines(cal: Calibration, lang: str | None = None, max_classes: int = 8) -> list[str]:
    """What a user should see after a calibration: data, method, the main rates against their
    prior with intervals and data weights, the effect multiplier, the gross-rates warning."""
    what = i18n.t(f"cli.cal_what_{cal.method}", lang)
    span = f"{cal.years[0]}–{cal.years[-1]}"
    out = [
        i18n.t(
            "cli.cal_summary",
            lang,
            years=span,
            hh=fmt.number(cal.class_households.sum(), lang),
            method=f"{what}, {cal.structure}",
        )
    ]
    lo, hi = np.quantile(cal.class_draws, [0.025, 0.975], axis=0)

    def line(i, j):
        f, t = RATE_KEYS[j]
        w = cal.data_weight.get(f"reference.{f}.{t}", cal.data_weight.get(f"{class_key(i)}.{f}.{t}", 0.0))
        return i18n.t(
            "cli.cal_rate_line",
            lang,
            rate=i18n.t(f"rate.{f}.{t}", lang),
            prior=fmt.number(cal.prior.class_rates[i, j], lang, 4),
            est=fmt.number(cal.class_rates[i, j], lang, 4),
            lo=fmt.number(lo[i, j], lang, 4),
            hi=fmt.number(hi[i, j], lang, 4),
            w=fmt.number(w, lang, 2),
        )

    if cal.structure == "parametric":  # the reference class carries the fitted structure
        classes, rates = [REFERENCE_CLASS], range(len(RATE_KEYS))
    else:  # per class: the headline moves (escape, near-poverty exit, first-year relapse, new poverty)
        classes, rates = [i for i in range(N_CLASSES) if cal.class_households[i] > 0], KEY_RATES
    for i in classes[:max_classes]:
        out.append(i18n.t("cli.cal_class_head", lang, cls=class_key(i), hh=fmt.number(cal.class_households[i], lang)))
        out.extend(line(i, j) for j in rates)
    if cal.effect_multiplier is not None:
        elo, ehi = np.quantile(cal.effect_draws, [0.025, 0.975])
        ok = cal.data_weight.get("effect_multiplier", 0.0) >= 0.5
        out.append(
            i18n.t(
                "cli.cal_effect",
                lang,
                value=fmt.number(cal.effect_multiplier, lang, 2),
                lo=fmt.number(elo, lang, 2),
                hi=fmt.number(ehi, lang, 2),
                verdict=i18n.t("cli.cal_identified" if ok else "cli.cal_not_identified", lang),
            )
        )
    if not cal.exposure:
        out.append(i18n.t("cli.cal_gross", lang))
    return out
