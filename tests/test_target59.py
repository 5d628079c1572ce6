"""A verdict the province has not earned is said where it is shown (target59): a national or
regional 2026–2030 target judged on the province's own rate is marked for reference only, a
proposed target as proposed, on the scorecard's label and area cells (page and Excel/CSV
table); the
province's own targets carry no mark, and no number moves.

Hand-built run: one draw, years 2025 (Plan 415's targets in force) to 2027 (the 2026–2030
targets of params/targets/2026_2030.yaml). Province poor rate 20 → 18 → 16.5 → 15 %, poor units
together 40 → 36 → 33 → 29 %, one poor unit `b` following them.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from verdict_frames import rate_indicators

from simlib.period_targets import evaluate_period_targets
from simlib.report import verdict
from simlib.report.scorecard import scorecard_html, scorecard_table
from simlib.targets import FLAG_COLUMNS

YEARS = (2025, 2026, 2027)
RATE = {
    ("province", "province"): {2024: 20.0, 2025: 18.0, 2026: 16.5, 2027: 15.0},
    ("poor_districts", "poor_districts"): {2024: 40.0, 2025: 36.0, 2026: 33.0, 2027: 29.0},
    ("district", "b"): {2024: 40.0, 2025: 36.0, 2026: 33.0, 2027: 29.0},
}
NATIONAL = {"vi": "đối chiếu nhịp giảm của cả nước", "en": "compared with the national pace"}
PROPOSED = {"vi": "(dự kiến)", "en": "(proposed)"}
LABELS = {
    "national": {"vi": "Tỷ lệ nghèo đa chiều cả nước duy trì mức giảm", "en": "National multidimensional poverty rate"},
    "communes": {"vi": "Tỷ lệ nghèo đa chiều ở xã nghèo giảm ít nhất 3", "en": "Poverty rate in poor communes falls"},
    "own": {"vi": "Tỷ lệ hộ nghèo toàn tỉnh giảm từ 4", "en": "Province poor-household rate falls"},
    "own_poor": {"vi": "Tỷ lệ hộ nghèo ở các huyện nghèo", "en": "Poor-household rate in poor districts"},
}


def indicators() -> pd.DataFrame:
    return rate_indicators(RATE, YEARS)


@pytest.fixture(scope="module")
def verdicts():
    """The verdict table of the hand-built run, its targets read back from CSV as a report does."""
    targets, _ = evaluate_period_targets(indicators(), YEARS, ["b"])
    buf = io.StringIO()
    targets.to_csv(buf, index=False)
    back = pd.read_csv(io.StringIO(buf.getvalue()))
    return back, verdict.verdict_table(back, indicators())


def row_of(html_text: str, words: str) -> str:
    """The table row of `html_text` holding `words`."""
    rows = [r for r in html_text.split("<tr") if words in r]
    assert len(rows) == 1, (words, len(rows))
    return rows[0]


def test_targets_table_flags_each_target():
    targets, _ = evaluate_period_targets(indicators(), YEARS, ["b"])
    flags = targets.drop_duplicates("target_id").set_index("target_id")[FLAG_COLUMNS]
    assert flags.loc["national_poor_rate_change"].tolist() == ["national", False]
    assert flags.loc["poor_communes_poor_rate_change"].tolist() == ["", True]
    assert flags.loc["poor_rate_province"].tolist() == ["", False]  # Plan 415's own, adopted


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_page_marks_national_and_proposed_targets_only(verdicts, lang):
    _, table = verdicts
    page = scorecard_html(table, lang)
    national = row_of(page, LABELS["national"][lang])
    assert NATIONAL[lang] in national and PROPOSED[lang] not in national
    # the verdict is still shown (the hand-built province falls 1.5 points a year: met)
    assert "chỉ để tham khảo" in national or "for reference only" in national
    assert "✓" in national
    communes = row_of(page, LABELS["communes"][lang])
    assert PROPOSED[lang] in communes and NATIONAL[lang] not in communes
    # the label says it once, before the area (the poor units, unmarked)
    assert communes.count(PROPOSED[lang]) == 1 and PROPOSED[lang] + " (" in communes
    # the province's own 2025 target (Plan 415, adopted): no mark
    for key in ("own", "own_poor"):
        own = row_of(page, LABELS[key][lang])
        assert NATIONAL[lang] not in own and PROPOSED[lang] not in own and "; " not in own.split("</th>")[0]
    # a unit's row under the proposed target names the unit only (the mark is on its headline)
    units = [r for r in page.split("<tr") if ">b<" in r]
    assert len(units) == 2 and not any(PROPOSED[lang] in r for r in units)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_table_marks_area_and_label_cells_and_no_number_moves(verdicts, lang):
    back, table = verdicts
    sheet = scorecard_table(table, lang).frame
    label, area = sheet.columns[0], sheet.columns[1]
    tid = table["target_id"].to_numpy()
    national, communes = tid == "national_poor_rate_change", tid == "poor_communes_poor_rate_change"
    assert national.sum() == 2 and communes.sum() == 4
    assert all(NATIONAL[lang] in a for a in sheet.loc[national, area])
    assert all(lb.endswith(PROPOSED[lang]) for lb in sheet.loc[communes, label])
    own = ~(national | communes)
    assert own.sum() == 3
    assert not any(NATIONAL[lang] in a or PROPOSED[lang] in a for a in sheet.loc[own, [label, area]].to_numpy().ravel())
    # without the flags: the same numbers, the same verdicts; only those words differ
    plain = verdict.verdict_table(back.drop(columns=FLAG_COLUMNS), indicators())
    pd.testing.assert_frame_equal(plain.drop(columns=FLAG_COLUMNS), table.drop(columns=FLAG_COLUMNS))
    bare = scorecard_table(plain, lang).frame
    pd.testing.assert_frame_equal(bare.drop(columns=[label, area]), sheet.drop(columns=[label, area]))
    assert ((bare[area] != sheet[area]).to_numpy() == national).all()
    assert ((bare[label] != sheet[label]).to_numpy() == communes).all()
