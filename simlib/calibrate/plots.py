"""Charts and display tables for calibration and back-tests (matplotlib; text via simlib.i18n)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.calibrate.backtest import BacktestResult, indicator_label
from simlib.calibrate.result import Calibration
from simlib.i18n import fmt
from simlib.transitions import CELL_CLASSES, RATE_KEYS

COLORS = {"observed": "#222222", "fitted": "#1f77b4", "projected": "#d62728", "prior": "#7f7f7f", "truth": "#2ca02c"}


def class_label(i: int, lang: str | None = None) -> str:
    c = CELL_CLASSES[i]
    pdist = i18n.t("cal.poor_district" if c["poor_district"] else "cal.other_district", lang)
    return f"{i18n.label('group', c['ethnic_group'], lang)}, {i18n.label('area', c['area'], lang).lower()}, {pdist}"


def plot_backtest(
    result: BacktestResult, series: str, indicators=("poor_rate", "near_poor_rate"), lang: str | None = None
):
    """Observed (all years), fitted (one step ahead on training years) and projected (held-out
    years, with the 90 % interval) values of one series, one panel per indicator observed."""
    import matplotlib.pyplot as plt  # local import: pyplot is heavy; loaded only when a chart is drawn

    df = result.series[result.series["series"] == series]
    inds = [i for i in indicators if ((df["indicator"] == i) & (df["kind"] == "observed")).any()]
    fig, axes = plt.subplots(1, len(inds), figsize=(5.2 * len(inds), 3.6), squeeze=False)
    for ax, ind in zip(axes[0], inds):
        d = df[df["indicator"] == ind]
        obs = d[d["kind"] == "observed"].sort_values("year")
        ax.plot(obs["year"], obs["value"], "-o", color=COLORS["observed"], label=i18n.t("cal.observed", lang))
        fit = d[d["kind"] == "fitted"]
        if len(fit):
            ax.plot(
                fit["year"],
                fit["value"],
                "s",
                mfc="none",
                color=COLORS["fitted"],
                ms=9,
                label=i18n.t("cal.fitted", lang),
            )
        pr = d[d["kind"] == "projected"]
        if len(pr):
            err = np.vstack([pr["value"] - pr["lo"], pr["hi"] - pr["value"]])
            ax.errorbar(
                pr["year"],
                pr["value"],
                yerr=np.maximum(err, 0),
                fmt="D",
                color=COLORS["projected"],
                capsize=4,
                label=f"{i18n.t('cal.projected', lang)} ({i18n.t('cal.interval', lang)})",
            )
            for T in pr["year"].unique():
                ax.axvline(T - 0.5, color="#bbbbbb", ls="--", lw=1)
        ax.set_title(indicator_label(ind, lang))
        ax.set_xlabel(i18n.t("cal.year", lang))
        ax.set_xticks(sorted(d["year"].unique()))
        ax.set_ylabel("%")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8, loc="best")
    info = result.info["series"].get(series, {})
    name = info.get(i18n.column("title", lang), series)
    fig.suptitle(i18n.t("cal.backtest_title", lang, series=name))
    fig.tight_layout()
    return fig


def errors_table(result: BacktestResult, lang: str | None = None, intervals: bool = True) -> pd.DataFrame:
    """The held-out errors with translated headers and indicator names, rounded for display
    (without the random-draw intervals if `intervals` is False: a deterministic table)."""
    e = result.errors
    if e.empty:
        return e
    rows = []
    for _, r in e.iterrows():
        d = 0 if r["unit"] == "households" else 2
        rows.append(
            {
                i18n.t("cal.col.series", lang): r["series"],
                i18n.t("cal.col.year", lang): int(r["year"]),
                i18n.t("cal.col.indicator", lang): indicator_label(r["indicator"], lang),
                i18n.t("cal.col.observed", lang): fmt.number(r["observed"], lang, d),
                i18n.t("cal.col.projected", lang): fmt.number(r["projected"], lang, d),
                i18n.t("cal.col.error", lang): fmt.signed(r["error"], lang, d),
            }
        )
        if intervals:
            rows[-1][i18n.t("cal.col.interval", lang)] = (
                f"{fmt.number(r['lo'], lang, d)} – {fmt.number(r['hi'], lang, d)}"
            )
            rows[-1][i18n.t("cal.col.covered", lang)] = i18n.t("cal.yes" if r["covered"] else "cal.no", lang)
    return pd.DataFrame(rows)


def summary_table(result: BacktestResult, lang: str | None = None) -> pd.DataFrame:
    s = result.summary
    return pd.DataFrame(
        {
            i18n.t("cal.col.indicator", lang): [indicator_label(x, lang) for x in s["indicator"]],
            i18n.t("cal.col.n", lang): s["n"].astype(int),
            i18n.t("cal.col.bias", lang): s["bias"].round(2),
            i18n.t("cal.col.mae", lang): s["mae"].round(2),
        }
    )


def plot_class_rates(
    cal: Calibration,
    rates=("poor.escaped_1", "near_poor.non_poor", "escaped_1.poor", "non_poor.poor"),
    truth: np.ndarray | None = None,
    lang: str | None = None,
):
    """Estimate (95 % interval), prior and — for synthetic data — the true value of some rates, by
    cell class (classes without data are left out)."""
    import matplotlib.pyplot as plt  # local import: pyplot is heavy; loaded only when a chart is drawn

    names = [f"{f}.{t}" for f, t in RATE_KEYS]
    classes = [i for i in range(len(CELL_CLASSES)) if cal.class_households[i] > 0] or list(range(len(CELL_CLASSES)))
    lo, hi = np.quantile(cal.class_draws, [0.025, 0.975], axis=0)
    fig, axes = plt.subplots(
        1, len(rates), figsize=(4.4 * len(rates), 0.45 * len(classes) + 1.6), squeeze=False, sharey=True
    )
    y = np.arange(len(classes))
    for ax, rate in zip(axes[0], rates):
        j = names.index(rate)
        est = cal.class_rates[classes, j]
        ax.errorbar(
            est,
            y,
            xerr=[est - lo[classes, j], hi[classes, j] - est],
            fmt="o",
            color=COLORS["fitted"],
            capsize=3,
            label=i18n.t("cal.estimate", lang),
        )
        ax.plot(cal.prior.class_rates[classes, j], y, "x", color=COLORS["prior"], ms=8, label=i18n.t("cal.prior", lang))
        if truth is not None:
            ax.plot(truth[classes, j], y, "D", mfc="none", color=COLORS["truth"], label=i18n.t("cal.truth", lang))
        ax.set_title(i18n.t(f"rate.{rate}", lang), fontsize=10)
        ax.set_xlabel(i18n.t("cal.probability", lang))
        ax.grid(alpha=0.3)
    axes[0][0].set_yticks(y)
    axes[0][0].set_yticklabels([class_label(i, lang) for i in classes], fontsize=8)
    axes[0][0].invert_yaxis()
    axes[0][-1].legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig
