"""Both readings of a target judged for each unit (issue 19) on the uncertainty page and the
comparison table: hand-worked synthetic verdicts, the same helpers as the report's headline."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simlib import i18n
from simlib.report import compare as C
from simlib.report import uncertainty_page as U
from simlib.report.levels import Levels
from simlib.report.scorecard import verdict_cell
from tests.test_verdict_readings import _run


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compare_cell_states_both_readings(lang):
    # together −3.2 meets −3; units −4.0, −2.5, −1.0: one of three meets, so "each" is not met
    v = _run(-3.2, {"a": -4.0, "b": -2.5, "c": -1.0})
    head = v[~v["detail"]].set_index("target_id")
    cell = C.readings_cell(head.loc["u"], lang, Levels("commune"))
    extra = cell[len(verdict_cell(head.loc["u"], lang)) :]
    together, each = {
        "vi": ("tính chung cho các xã nghèo: đạt;", "tính từng xã nghèo: không đạt"),
        "en": ("poor communes together: met;", "each poor commune on its own: not met"),
    }[lang]
    assert together in extra and each in extra
    assert ("1/3" in extra) or ("1 of 3" in extra)
    # a target without units keeps the plain cell
    assert C.readings_cell(head.loc["p"], lang, Levels("commune")) == verdict_cell(head.loc["p"], lang)


def test_uncertainty_bars_show_both_probabilities():
    v = _run(-3.2, {"a": -4.0, "b": -2.5})
    head = v[~v["detail"]].copy()
    # hand-set draws: the units together 0.9, in every unit 0.3 (the verdict's probability)
    head["probability"] = np.where(head["target_id"] == "u", 0.3, 0.95)
    unc = pd.DataFrame(
        {
            "target_id": ["u", "u", "u", "p"],
            "geo_type": ["poor_districts", "district", "district", "province"],
            "geo": ["poor_districts", "a", "b", "province"],
            "year": 2027,
            "probability_met": [0.9, 0.8, 0.35, 0.95],
        }
    )
    bars = U.reading_bars(head, unc, Levels("commune")).set_index("target_id")
    assert list(bars.index) == ["p", "u", "u/each_unit"]
    assert bars["probability_met"].to_dict() == {"p": 0.95, "u": 0.9, "u/each_unit": 0.3}
    assert bars.loc["u", "label_en"].endswith("(poor communes together)")
    assert bars.loc["u/each_unit", "label_vi"].endswith("(tính từng xã nghèo)")
    # without units: one bar per target, unchanged
    plain = _run(-3.5, {})
    assert len(U.reading_bars(plain[~plain["detail"]], unc, Levels("commune"))) == 2


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_uncertainty_page_states_both_readings(lang):
    v = _run(-3.2, {"a": -4.0, "b": -2.5})
    units = pd.DataFrame({"unit_id": ["a", "b"], "name_vi": ["Xã A", "Xã B"], "name_en": ["A", "B"]})
    scen = SimpleNamespace(dataset=SimpleNamespace(level="commune", units=units), units_switch=None)
    ctx = U.PageContext(SimpleNamespace(uncertainty=None, manifest=None), v, scen, lang)
    text = " ".join(b for b in U.verdicts(ctx) if isinstance(b, str))
    # 2/2 targets met together, 1 met and 1 not met one by one; 1 of the 2 communes reaches −3
    assert ("1/2" in text) or ("1 of 2" in text)
    assert i18n.t("geo.poor_communes", lang).lower() in text.lower()
