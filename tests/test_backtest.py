"""Back-testing: the fit never sees the held-out year, errors are reported on held-out years
only and equal projected minus observed, and the bundled back-test against the published Cao
Bằng and regional figures runs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from simlib.calibrate.backtest import Series, backtest_series, run_backtest, write_backtest
from simlib.calibrate.io import read_aggregate
from simlib.calibrate.prior import load_prior
from simlib.dataset import load_dataset
from simlib.errors import SimlibError
from simlib.i18n import LocalText

SYN = ROOT / "data" / "synthetic_review" / "aggregate_2021_2023.csv"
PUBLISHED = ROOT / "data" / "published" / "poverty_figures.csv"


@pytest.fixture(scope="module")
def series():
    ds = load_dataset("caobang")
    return Series("syn", LocalText("Tổng hợp", "Synthetic"), read_aggregate([SYN], ds), ds, {})


def test_held_out_year_never_reaches_the_fit(series):
    prior = load_prior()
    rows, errs, fits = backtest_series(series, (2023,), prior, draws=40, seed=1)
    # scramble everything observed in 2023: the fit and the projection must not move
    panel = series.panel
    stock = panel.stock.copy()
    stock[2, :, 1:] = np.floor(stock[2, :, 1:] * 0.5)
    flows = panel.flows.copy()
    flows[2] = 0.0
    changed = replace(series, panel=replace(panel, stock=stock, flows=flows))
    rows2, errs2, fits2 = backtest_series(changed, (2023,), prior, draws=40, seed=1)
    np.testing.assert_array_equal(fits[("syn", 2023)].class_rates, fits2[("syn", 2023)].class_rates)
    e1, e2 = pd.DataFrame(errs), pd.DataFrame(errs2)
    np.testing.assert_array_equal(e1["projected"], e2["projected"])
    assert not np.array_equal(e1["observed"], e2["observed"])
    # errors only on the held-out year, and they are projected - observed
    assert set(e1["year"]) == {2023}
    np.testing.assert_allclose(e1["error"], e1["projected"] - e1["observed"])
    # the training fit saw 2021 -> 2022 only
    assert fits[("syn", 2023)].years == (2021, 2022)


def test_held_out_year_must_exist(series):
    with pytest.raises(SimlibError) as info:
        backtest_series(series, (2025,), load_prior(), draws=20)
    assert "held-out year" in info.value.message("en")


def test_published_backtest(tmp_path):
    res = run_backtest(ROOT / "params" / "backtest" / "published_2023.yaml", draws=40)
    e = res.errors
    assert set(e["year"]) == {2023} and set(e["series"]) == {"caobang", "region"}
    fig = pd.read_csv(PUBLISHED)
    cb = e[(e["series"] == "caobang") & (e["indicator"] == "poor_rate")].iloc[0]
    assert cb["observed"] == pytest.approx(
        float(fig.query("area == 'Cao Bang (province)' and year == '2023'")["poor_rate_pct"].iloc[0])
    )
    # Cao Bằng publishes rates only: no comparison of household counts derived from estimated totals
    assert set(e[e["series"] == "caobang"]["indicator"]) == {"poor_rate", "poor_rate_change"}
    reg = fig.query("area == 'Northern Midlands and Mountains (region)' and year == '2023'").iloc[0]
    near = e[(e["series"] == "region") & (e["indicator"] == "near_poor")].iloc[0]
    assert near["observed"] == pytest.approx(float(reg["near_poor"]))
    # the region has no year before 2022 under this standard: its 'fit' is the prior itself
    np.testing.assert_allclose(res.fits[("region", 2023)].class_rates, load_prior().class_rates, rtol=1e-7)
    assert res.fits[("caobang", 2023)].years == (2021, 2022)
    assert set(res.summary["indicator"]) >= {"poor_rate", "near_poor_rate"}
    out = write_backtest(res, tmp_path / "bt")
    for f in ("series.csv", "errors.csv", "summary.csv", "manifest.json", "fits/caobang_2023.yaml"):
        assert (out / f).is_file()
