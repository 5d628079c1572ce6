"""One word for one notion across the Vietnamese catalogue (../shared/reference/glossary-vi.md):

- a run of the model counted (the optimiser's, the sensitivity analysis's) is a «lần chạy mô
  hình», as the optimiser's progress and certificate say; «lượt» is a parameter draw («lượt rút
  tham số») or one run of simlib («lượt chạy này», «mã lượt chạy»);
- a change of a rate is in «điểm %» (`unit.pts`), the reports' word, not «điểm phần trăm»;
- a plan's target is met or missed: «đạt chỉ tiêu» («mục tiêu» is the optimiser's objective, «Mục
  tiêu: ít hộ nghèo nhất»)."""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT

VI = sorted((ROOT / "simlib" / "locale" / "vi").glob("*.yaml"))


def vi_texts() -> dict[str, str]:
    out = {}
    for path in VI:
        out |= {k: str(v) for k, v in yaml.safe_load(path.read_text(encoding="utf-8")).items()}
    return out


@pytest.mark.parametrize(
    "avoid", ["lượt chạy mô hình", "điểm phần trăm", "lượt, mỗi lượt", "đạt mục tiêu", "mục tiêu luôn"]
)
def test_the_vietnamese_catalogue_keeps_one_word_for_a_notion(avoid):
    texts = vi_texts()
    assert "lần chạy mô hình" in texts["cli.optimize_done"] and texts["unit.pts"] == "điểm %"
    assert [k for k, v in texts.items() if avoid in v] == []
