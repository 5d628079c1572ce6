"""A written series fit (`simlib calibrate series`) read back, as display tables and a chart for
notebooks (matplotlib; text via simlib.i18n)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.i18n import fmt
from simlib.schema import load_yaml

TABLES = ("summary", "fitted", "holdout", "checks")
WHOLE_UNITS = ("households", "million VND per household")
COLORS = {"observed": "#222222", "fitted": "#1f77b4", "holdout": "#d62728"}


def read_series_fit(folder: str | Path) -> dict:
    """{'transitions': the written document, 'summary', 'fitted', 'holdout', 'checks': tables}."""
    folder = Path(folder)
    out = {"transitions": load_yaml(folder / "transitions.yaml")}
    for name in TABLES:
        try:
            out[name] = pd.read_csv(folder / f"{name}.csv")
        except pd.errors.EmptyDataError:
            out[name] = pd.DataFrame()
    return out


def _geo(code: str, lang: str | None) -> str:
    return i18n.label("geo", code, lang, default=code)


def plot_series(fit: dict, lang: str | None = None):
    """Published figures, their posterior predictive (90 %) and the held-out predictions (from
    the earlier years only), one panel per geography."""
    import matplotlib.pyplot as plt  # local import: pyplot is heavy; loaded only when a chart is drawn

    fitted, hold = fit["fitted"], fit["holdout"]
    geos = list(dict.fromkeys(fitted["geo"]))
    fig, axes = plt.subplots(1, len(geos), figsize=(5.6 * len(geos), 3.8), squeeze=False)
    for ax, geo in zip(axes[0], geos):
        f = fitted[fitted["geo"] == geo]
        h = hold[hold["geo"] == geo] if len(hold) else hold
        ax.plot(f["year"], f["observed"], "o", color=COLORS["observed"], label=i18n.t("cal.observed", lang), zorder=3)
        err = np.vstack([f["predicted"] - f["lo"], f["hi"] - f["predicted"]])
        ax.errorbar(
            f["year"] + 0.1, f["predicted"], yerr=np.maximum(err, 0), fmt="s", mfc="none", color=COLORS["fitted"]
        )
        ax.lines[-1].set_label(i18n.t("cal.series_fitted", lang))
        if len(h):
            err = np.vstack([h["predicted"] - h["lo"], h["hi"] - h["predicted"]])
            ax.errorbar(h["year"] - 0.1, h["predicted"], yerr=np.maximum(err, 0), fmt="D", color=COLORS["holdout"])
            ax.lines[-1].set_label(i18n.t("cal.series_holdout", lang))
        ax.set_title(_geo(geo, lang))
        ax.set_xlabel(i18n.t("cal.year", lang))
        ax.set_ylabel(f"{i18n.t('indicator.poor_rate', lang)} (%)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def holdout_table(fit: dict, lang: str | None = None) -> pd.DataFrame:
    """The held-out back-test, in the reader's language."""
    h = fit["holdout"]
    c = {
        "year": i18n.t("cal.col.year", lang),
        "geo": i18n.t("cal.col.geo", lang),
        "training": i18n.t("cal.col.training", lang),
        "observed": i18n.t("cal.col.observed", lang),
        "projected": i18n.t("cal.col.projected", lang),
        "interval": i18n.t("cal.col.interval", lang),
        "error": i18n.t("cal.col.error", lang),
        "persistence": i18n.t("cal.col.persistence", lang),
        "covered": i18n.t("cal.col.covered", lang),
    }
    return pd.DataFrame(
        {
            c["year"]: h["year"],
            c["geo"]: [_geo(g, lang) for g in h["geo"]],
            c["training"]: h["training_years"],
            c["observed"]: [fmt.number(x, lang, 2) for x in h["observed"]],
            c["projected"]: [fmt.number(x, lang, 2) for x in h["predicted"]],
            c["interval"]: [f"{fmt.number(a, lang, 2)}–{fmt.number(b, lang, 2)}" for a, b in zip(h["lo"], h["hi"])],
            c["error"]: [fmt.signed(x, lang, 2) for x in h["error"]],
            c["persistence"]: [fmt.signed(x, lang, 2) for x in h["persistence_error"]],
            c["covered"]: [i18n.t("cal.yes" if x else "cal.no", lang) for x in h["covered"]],
        }
    )


def shares_table(fit: dict, lang: str | None = None) -> pd.DataFrame:
    """The programme's share of each standard period's fall (posterior 5/50/95 %)."""
    s = fit["summary"].set_index("parameter")
    rows = []
    for seg_id, q in fit["transitions"]["calibration"]["programme_share_of_fall_percent"].items():
        r = s.loc[f"series.segments.{seg_id}.level"]
        rows.append(
            {
                i18n.t("cal.col.standard", lang): seg_id,
                i18n.t("cal.col.start_level", lang): f"{fmt.percent(r['q50'], lang, 1)}",
                i18n.t("cal.col.share", lang): f"{fmt.percent(q['q50'], lang, 0)} "
                f"({fmt.number(q['q05'], lang, 0)}–{fmt.percent(q['q95'], lang, 0)})",
            }
        )
    return pd.DataFrame(rows)


def intervals_table(iv, lang: str | None = None, geo: str = "province") -> pd.DataFrame:
    """A scenario's programme intervals (`simlib.calibrate.intervals.ProgrammeIntervals`) for one
    geography, in the reader's language: per indicator and projected year, the median and the
    90 % interval over the posterior draws."""
    names = {
        "poor_rate": i18n.t("indicator.poor_rate", lang) + " (%)",
        "poor_rate_without_programme": i18n.t("cal.iv.poor_rate_without_programme", lang),
        "poor_rate_decline": i18n.t("cal.iv.poor_rate_decline", lang),
        "programme_points": i18n.t("cal.iv.programme_points", lang),
        "poor_fewer_than_without_programme": i18n.t("indicator.poor_fewer_than_without_programme", lang),
        "programme_share_of_decline": i18n.t("cal.iv.programme_share_of_decline", lang),
        "cost_per_household_lifted": i18n.t("cal.iv.cost_per_household_lifted", lang),
    }
    t = iv.table[iv.table["geo"] == geo]
    dec = [0 if unit in WHOLE_UNITS else 1 for unit in t["unit"]]  # households and money: whole numbers
    return pd.DataFrame(
        {
            i18n.t("cal.col.indicator", lang): [names[k] for k in t["indicator"]],
            i18n.t("cal.col.year", lang): t["year"].to_numpy(),
            i18n.t("cal.col.median", lang): [fmt.number(x, lang, d) for x, d in zip(t["q50"], dec)],
            i18n.t("cal.col.interval", lang): [
                f"{fmt.number(a, lang, d)}–{fmt.number(b, lang, d)}" for a, b, d in zip(t["q05"], t["q95"], dec)
            ],
        }
    )
