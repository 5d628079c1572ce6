"""A series fit written out: a transitions file a scenario selects, with its posterior draws.

Output folder (all or nothing, `simlib.atomic`):

- `transitions.yaml` — the schema of `params/transitions.yaml`: posterior means of the reference
  rates and modifiers, each with its 95 % posterior interval as `range`; growth and the states of
  new households as the prior file has them; an `uncertainty` section for `--uncertainty` runs
  (row concentration matched to the posterior's spread of the escape rate); and a `calibration`
  section: method, the figures used, the spec, scenario and prior files with sha256, the fit
  (ESS, held-out errors) and `posterior` — the draws file, its sha256 and the programme
  signature. A scenario selects it with `transitions: <path>`; `simlib run` then reads the draws
  for the programme's share of the decline and the cost per household lifted out as intervals
  (`simlib.calibrate.intervals`).
- `posterior.csv` — equally weighted posterior draws, one column per parameter (dotted names).
- `summary.csv` — prior and posterior (5/50/95 %, mean) of every parameter, data weight.
- `fitted.csv` — every figure against its posterior predictive; `holdout.csv` — the held-out
  back-test; `checks.csv` — the cross-checks.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from simlib import __version__, i18n
from simlib.atomic import atomic_dir, output_folder
from simlib.calibrate.prior import check_transitions_doc
from simlib.calibrate.result import dump_yaml, quantity
from simlib.calibrate.series import SeriesFit
from simlib.clock import run_time
from simlib.errors import raise_if_any
from simlib.i18n import fmt
from simlib.parameters import sha256_file
from simlib.paths import display_path
from simlib.transitions import RATE_KEYS

HEADER = """# Baseline (no-programme) transition probabilities estimated TOGETHER with the programme's
# effects from published poverty rates, written by `simlib calibrate series`. Same format as
# params/transitions.yaml; every range is a 95 % posterior interval. `calibration` records the
# figures, files (sha256), the fit and the posterior draws (posterior.csv), from which `simlib run`
# gives the programme's share of the decline and the cost per household lifted out as intervals.
# Use it in a scenario with:   transitions: <path to this file>
"""
FILES = ("transitions.yaml", "posterior.csv", "summary.csv", "fitted.csv", "holdout.csv", "checks.csv")


def _source(fit: SeriesFit) -> str:
    years = [o.year for o in fit.spec.observations]
    return f"simlib calibrate series: {fit.spec.name}, published rates {min(years)}–{max(years)} (calibration.data)"


def _reference(fit: SeriesFit, post) -> dict:
    src, out = _source(fit), {}
    for j, (f, t) in enumerate(RATE_KEYS):
        x = post.ref[:, j]
        note = f"posterior sd {x.std():.3g}; prior {fit.prior.prior.ref[j]:.4g} with {fit.prior.prior.ref_kappa[j]:.0f} household-years"
        out.setdefault(f, {})[t] = quantity(x.mean(), x, "probability per year", src, note, "beta", True)
    return out


def _modifiers(fit: SeriesFit, post) -> list:
    src, out = _source(fit), []
    for m, old in enumerate(fit.prior.prior.doc["modifiers"]):
        entry = {"name": old["name"], "applies_to": dict(old["applies_to"])}
        for d, key in enumerate(("upward", "downward")):
            x = post.log_mods[:, m, d]
            note = f"posterior sd of log {x.std():.3g}; prior {np.exp(fit.prior.prior.mod_log0[m, d]):.3g}"
            entry[key] = quantity(np.exp(x.mean()), np.exp(x), "relative risk", src, note, "lognormal", False)
        out.append(entry)
    return out


def _uncertainty(fit: SeriesFit, post) -> dict:
    """Settings for `--uncertainty` draws of this file's rows: the Dirichlet concentration whose
    spread of the reference escape rate is the posterior's; entry shares as the prior file's."""
    p = post.ref[:, 0]
    kappa = float(np.clip(p.mean() * (1 - p.mean()) / max(p.var(), 1e-12) - 1, 2.0, 1e5))
    prior_unc = fit.prior.prior.doc.get("uncertainty") or {}
    basis = f"posterior of the reference escape rate: mean {p.mean():.4g}, sd {p.std():.3g} (simlib calibrate series)"
    out = {"row_concentration": {"value": round(kappa, 1), "unit": "pseudo-observations", "source": basis}}
    if "entry_concentration" in prior_unc:
        out["entry_concentration"] = copy.deepcopy(prior_unc["entry_concentration"])
    return out


def _figures(fit: SeriesFit) -> list[dict]:
    return [
        {"area": o.area, "label": o.label, "review_year": o.year, "geo": o.geo_name, "indicator": o.indicator}
        | {"value": o.value, "sd_extra": o.sd_extra, "segment": fit.spec.segments[o.segment].id}
        for o in fit.spec.observations
    ]


def _fit_record(fit: SeriesFit) -> dict:
    h = fit.holdout
    rec = {
        "prior_draws": len(fit.draws),
        "effective_draws": round(fit.ess, 1),
        "log_evidence": round(fit.weighing.log_evidence, 4),
        "figures": len(fit.spec.observations),
    }
    if len(h):
        rec["holdout_mean_abs_error_points"] = round(float(h["error"].abs().mean()), 4)
        rec["holdout_persistence_mean_abs_error_points"] = round(float(h["persistence_error"].abs().mean()), 4)
        rec["holdout_covered"] = f"{int(h['covered'].sum())} of {len(h)}"
    return rec


def _shares(fit: SeriesFit) -> dict:
    out = {}
    for seg in fit.spec.segments:
        x = fit.derived[f"series.segments.{seg.id}.programme_share_of_fall"].to_numpy(float)
        q = np.nanquantile(x, [0.05, 0.5, 0.95]) if np.isfinite(x).any() else [np.nan] * 3
        out[seg.id] = {"q05": round(float(q[0]), 2), "q50": round(float(q[1]), 2), "q95": round(float(q[2]), 2)}
    return out


def calibration_record(fit: SeriesFit) -> dict:
    """The `calibration` section of the written transitions file (see the module docstring)."""
    spec, scen = fit.spec, fit.spec.scenario
    return {
        "method": "series",
        "structure": "parametric",
        "created_utc": run_time().isoformat(),
        "simlib_version": __version__,
        "spec": {"name": spec.name, "inputs": dict(spec.inputs)},
        "scenario": {"file": display_path(scen.file) if scen.file else scen.name, "inputs": scen.input_hashes()},
        "data": _figures(fit),
        "prior": {"file": spec.prior_file, "reference_scale": spec.reference_scale},
        "fit": _fit_record(fit),
        "programme_share_of_fall_percent": _shares(fit),
        "posterior": {
            "file": "posterior.csv",
            "draws": int(len(fit.posterior)),
            "seed": int(spec.seed),
            "programme_signature": fit.prior.programme_signature(),
        },
        "notes": [n.en for n in spec.notes],
        "notes_vi": [n.vi for n in spec.notes],
    }


def transitions_doc(fit: SeriesFit) -> dict:
    """The posterior as a transitions document (validated when written)."""
    post = fit.posterior_draws()
    pr = fit.prior.prior.doc
    first, last = min(o.year for o in fit.spec.observations), max(o.year for o in fit.spec.observations)
    desc = {
        "description_vi": i18n.t("cal.series_record", "vi", first=first, last=last),
        "description_en": i18n.t("cal.series_record", "en", first=first, last=last),
    }
    return {
        "meta": {"version": f"series-{run_time().date().isoformat()}", **desc},
        "reference": _reference(fit, post),
        "modifiers": _modifiers(fit, post),
        "growth": copy.deepcopy(pr["growth"]),
        "uncertainty": _uncertainty(fit, post),
        "calibration": calibration_record(fit),
    }


def write_series_fit(fit: SeriesFit, out_dir: str | Path) -> Path:
    """Write the files of the module docstring into `out_dir`, all or nothing."""
    out_dir = output_folder(out_dir, kind="calibration")
    doc = transitions_doc(fit)
    with atomic_dir(out_dir, "calibration") as tmp:
        fit.posterior_frame().to_csv(tmp / "posterior.csv", index=False, float_format="%.8g")
        fit.summary.to_csv(tmp / "summary.csv", index=False)
        fit.fitted.to_csv(tmp / "fitted.csv", index=False)
        fit.holdout.to_csv(tmp / "holdout.csv", index=False)
        fit.checks.to_csv(tmp / "checks.csv", index=False)
        doc["calibration"]["posterior"]["sha256"] = sha256_file(tmp / "posterior.csv")
        raise_if_any(check_transitions_doc(doc, display_path(out_dir / "transitions.yaml")))
        (tmp / "transitions.yaml").write_text(HEADER + dump_yaml(doc), encoding="utf-8")
    return out_dir


def _interval(row, lang: str | None, decimals: int, percent: bool = False) -> str:
    """`median (90 %: lo–hi)`, percentages with the sign after the range's upper end only."""
    last = (lambda x: fmt.percent(x, lang, decimals)) if percent else (lambda x: fmt.number(x, lang, decimals))
    return i18n.t(
        "cli.series_interval",
        lang,
        lo=fmt.number(row["q05"], lang, decimals),
        mid=last(row["q50"]),
        hi=last(row["q95"]),
    )


def summary_lines(fit: SeriesFit, lang: str | None = None) -> list[str]:
    """What a user sees after `simlib calibrate series`."""
    s = fit.summary.set_index("parameter")
    out = [
        i18n.t("cli.series_head", lang, name=fit.spec.title(lang), n=len(fit.spec.observations), draws=len(fit.draws)),
        i18n.t("cli.series_ess", lang, ess=fmt.number(fit.ess, lang, 0)),
    ]
    if fit.ess < 200:
        out.append(i18n.t("cli.series_low_ess", lang))
    for key, label, dec in (
        ("transitions.reference.poor.escaped_1", "cli.series_escape", 3),
        ("series.error.sigma", "cli.series_sigma", 2),
    ):
        r = s.loc[key]
        out.append(i18n.t(label, lang, value=_interval(r, lang, dec), w=fmt.number(r["data_weight"], lang, 2)))
    for seg in fit.spec.segments:
        r = s.loc[f"series.segments.{seg.id}.programme_share_of_fall"]
        out.append(i18n.t("cli.series_share", lang, segment=seg.standard, value=_interval(r, lang, 0, percent=True)))
    for _, h in fit.holdout.iterrows():
        out.append(
            i18n.t(
                "cli.series_holdout",
                lang,
                year=h["year"],
                geo=i18n.label("geo", h["geo"], lang, default=h["geo"]),
                obs=fmt.number(h["observed"], lang, 2),
                pred=fmt.number(h["predicted"], lang, 2),
                err=fmt.signed(h["error"], lang, 2),
                lo=fmt.number(h["lo"], lang, 2),
                hi=fmt.number(h["hi"], lang, 2),
                naive=fmt.signed(h["persistence_error"], lang, 2),
            )
        )
    for _, c in fit.checks.iterrows():
        out.append(
            i18n.t(
                "cli.series_check",
                lang,
                title=c[i18n.column("title", lang)],
                obs=fmt.number(c["observed"], lang, 3),
                value=_interval(c, lang, 3),
            )
        )
    return out
