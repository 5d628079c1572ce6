"""Money that reaches no one: one figure everywhere — the run record's total (manifest
`absorption.unallocatable`, the sum of absorption.csv) in the sentence, the table's last row, the
comparison and the index — with the table's small rows grouped (how many, their sum), its money
column adding up to its total, and every share of money disbursed, the sentence's base.

Hand-worked case (crossing_2024_2027 of 6 December 2026, absorption.csv, billion VND): P1.1
5,919680 + 10,514684 = 16,434364; P6.2 1 + 1; P7.2 1,56 + 1,56; under 0,5 a row: P1.2 0,407068,
P2 0,007950 + 0,004078, P3.1 0,084986 + 0,044375 → 0,548457 in 3 rows; total 22,102821 → «22,1»
(the page said 21,6: the rows under 0,5 per project-year left out)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simlib import i18n
from simlib.paths import params_dir
from simlib.report import decision_money as DM
from simlib.report import table as T
from simlib.report.money import round_to_total, unallocated_sentence, unallocated_table
from simlib.scenario import load_scenario

CELLS = [
    ("P1.1", 2024, 5.919680e9),
    ("P1.1", 2025, 10.514684e9),
    ("P6.2", 2024, 1.0e9),
    ("P6.2", 2025, 1.0e9),
    ("P7.2", 2024, 1.56e9),
    ("P7.2", 2025, 1.56e9),
    ("P1.2", 2024, 0.407068e9),
    ("P2", 2024, 0.007950e9),
    ("P2", 2025, 0.004078e9),
    ("P3.1", 2024, 0.084986e9),
    ("P3.1", 2025, 0.044375e9),
]
SPENT = 100e9  # every (line, year) of plan_2024 disburses this much


def context():
    """plan_2024 (undated) with the hand-worked absorption table and a programme table spending
    `SPENT` on each of its (line, year) cells."""
    scen = load_scenario(params_dir() / "scenarios" / "plan_2024.yaml")
    cells = [(c, int(y)) for c in scen.catalogue.codes for y in scen.years]
    prog = pd.DataFrame([dict(draw=0, line=c, year=y, spend_vnd=SPENT, reached=0.0, eligible=0.0) for c, y in cells])
    absorption = pd.DataFrame(CELLS, columns=["line", "year", "unallocatable_vnd"])
    return SimpleNamespace(
        scenario=scen, lang="vi", tables=SimpleNamespace(programme=prog), result=SimpleNamespace(absorption=absorption)
    ), len(cells)


def test_rounding_keeps_the_rows_adding_up():
    assert list(round_to_total([16.434364, 2.0, 3.12, 0.548457])) == [16.4, 2.0, 3.1, 0.6]
    rng = np.random.default_rng(3)
    for _ in range(200):
        v = rng.uniform(0, 20, rng.integers(1, 9))
        r = round_to_total(v)
        assert round(r.sum(), 1) == round(v.sum(), 1) and np.all(np.abs(r - v) < 0.1 + 1e-9)


def test_the_table_groups_small_rows_and_ends_with_the_run_record_total():
    ctx, n_cells = context()
    table = unallocated_table(ctx)
    f = table.frame
    labels = f.iloc[:, 0].tolist()
    assert [x.split()[0] for x in labels[:3]] == ["P1.1", "P6.2", "P7.2"]
    assert labels[3] == "Các dự án, tiểu dự án khác, mỗi dòng dưới 0,5 tỷ đồng (3 dòng)"
    assert labels[4].startswith("Tổng số")
    money = f.iloc[:, 2].to_numpy()
    assert list(money) == [16.4, 2.0, 3.1, 0.6, 22.1]  # rows add up to the total row
    assert sum(v for _, _, v in CELLS) / 1e9 == pytest.approx(22.102821, abs=1e-6)
    spent = f.iloc[:, 1].to_numpy()
    assert spent[0] == pytest.approx(200.0) and spent[3] == pytest.approx(500.0)  # P1.2 one year, P2 and P3.1 two each
    assert spent[4] == pytest.approx(n_cells * SPENT / 1e9)  # all the money disbursed
    share = f.iloc[:, 3].to_numpy()
    assert share[0] == pytest.approx(100 * 16.434364 / 200.0)
    assert share[4] == pytest.approx(100 * 22.102821 / (n_cells * SPENT / 1e9), rel=1e-6)
    assert "làm tròn" in table.note


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_sentence_states_the_total_of_money_disbursed(lang):
    ctx, n_cells = context()
    ctx.lang = lang
    text = unallocated_sentence(unallocated_table(ctx), lang)
    spent = i18n.fmt.number(n_cells * SPENT / 1e9, lang, 1)
    share = i18n.fmt.percent(100 * 22.102821 / (n_cells * SPENT / 1e9), lang, 1)
    unit = "tỷ đồng" if lang == "vi" else "billion VND"
    assert f"22{',' if lang == 'vi' else '.'}1 {unit}" in text and f"{spent} {unit}" in text and share in text
    assert ("giải ngân" in text) if lang == "vi" else ("disbursed" in text)
    assert "kế hoạch" not in text and "planned" not in text


def test_the_comparison_reads_the_same_total(tmp_path):
    """From absorption.csv (every cell counted) and, without one, from the table's total row."""
    folder = tmp_path / "crossing"
    folder.mkdir()
    pd.DataFrame(CELLS, columns=["line", "year", "unallocatable_vnd"]).to_csv(folder / "absorption.csv", index=False)
    run = SimpleNamespace(name="crossing", tables=SimpleNamespace(folder=folder, manifest={}))
    assert DM.unallocated_by_run([run])["crossing"] == pytest.approx(22.102821, abs=1e-6)
    (folder / "absorption.csv").unlink()
    ctx, _ = context()
    T.export([unallocated_table(ctx)], folder, "vi")
    assert DM.unallocated_by_run([run])["crossing"] == pytest.approx(22.1)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_note_under_the_table_is_whole_sentences(lang):
    """The note under the table starts with a capital letter, says what the money column is, and
    ends its sentences with a full stop (it read «vốn giải ngân vượt …; số vốn … như câu trên»)."""
    ctx, _ = context()
    ctx.lang = lang
    note = unallocated_table(ctx).note
    sentences = [s for s in note.split(". ") if s]
    assert note.endswith(".") and all(s[0].isupper() for s in sentences) and len(sentences) == 3
    assert note.startswith("Vốn không phân bổ được là" if lang == "vi" else "Money reaching no one is")
    assert ("0,1 tỷ đồng" in note) if lang == "vi" else ("0.1 billion VND" in note)


def test_the_english_with_and_without_sentences_name_households_once():
    """«2,496 households fewer poor households» said households twice (fmt.households carries it)."""
    fewer = i18n.fmt.households(2496, "en")
    title = i18n.t("report.finding.with_without", "en", fewer=fewer, y1=2025)
    assert title == "At the end of 2025, 2,496 households fewer in poverty than without the programme."
    text = i18n.t("report.money.cost_sentence", "en", fewer=fewer, y1=2025, money="1,093.1", cost="437.9 million VND")
    assert text.startswith("By the end of 2025 there are 2,496 households fewer in poverty than without the programme")
    assert text.count("households") == 1
