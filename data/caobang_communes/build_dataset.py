#!/usr/bin/env python3
"""Build the commune-level baseline `data/caobang_communes/` from the district dataset `data/caobang/`.

    python data/caobang_communes/build_dataset.py          # writes dataset.yaml, units.csv, baseline_2023.csv
    python data/caobang_communes/build_dataset.py --check  # exit 1 if the files differ from a rebuild

The end-2023 review counts of `data/caobang/` (10 districts) are moved to the 56 commune-level
units in force from 1 July 2025 (Nghị quyết 1657/NQ-UBTVQH15) with `simlib.geography.commune_baseline`:
population weights, whole households by largest remainder, every district's count in every cell
kept exactly. The result is an ESTIMATE (flagged in every row) until the province's commune-level
review is imported (`simlib import-review --level commune`). Unit flags are derived, not official:
`poor_district` = the unit holds an old commune of a 2024 poor district (`former_poor_district_area`),
`exit_scheme_district` = it holds an old commune of a district of the exit scheme (QĐ 880/QĐ-TTg).
Deterministic; needs only simlib.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from simlib.dataset import AREAS, GROUPS, load_dataset
from simlib.geography import commune_baseline, dataset_units, load_geography
from simlib.states import STATES

HERE = Path(__file__).resolve().parent
SOURCE = "caobang"
EXIT_BASIS = (
    "derived: the unit holds an old commune of a 2024 exit-scheme district (data/caobang/units.csv "
    "exit_scheme_district, QĐ 880/QĐ-TTg); the scheme named districts, which no longer exist"
)


def units_table(geo, district) -> pd.DataFrame:
    """The 56 units as a dataset's units.csv, with the derived poor and exit-scheme flags."""
    units = dataset_units(geo.period(geo.transition["to_period"]))
    exit_ids = set(district.units.loc[district.unit_flag("exit_scheme_district"), "unit_id"])
    in_exit = geo.mapping.assign(hit=geo.mapping["old_district_id"].isin(exit_ids)).groupby("new_code")["hit"].any()
    units["exit_scheme_district"] = units["code"].map(in_exit).fillna(False).astype(bool)
    units["exit_scheme_district_basis"] = EXIT_BASIS
    return units


def counts_table(counts: np.ndarray, unit_ids: tuple[str, ...], method: str) -> pd.DataFrame:
    """(C, 2, 2, 6) counts as baseline rows, each flagged estimated with the method."""
    c, g, a, s = np.indices(counts.shape)
    return pd.DataFrame(
        {
            "unit_id": np.array(unit_ids)[c.ravel()],
            "ethnic_group": np.array(GROUPS)[g.ravel()],
            "area": np.array(AREAS)[a.ravel()],
            "state": np.array(STATES)[s.ravel()],
            "households": counts.ravel().astype(int),
            "estimated": True,
            "basis": f"EST: data/caobang end-2023 counts moved to the 2025 units. {method}",
        }
    )


def meta(district, geo, period_id: str) -> dict:
    w = geo.transition["weights"]
    return {
        "name": "caobang_communes",
        "province_vi": district.meta["province_vi"],
        "province_en": district.meta["province_en"],
        "baseline_year": district.baseline_year,
        "version": f"{district.version}-communes",
        "standard": district.meta["standard"],
        "baseline_file": f"baseline_{district.baseline_year}.csv",
        "description_vi": (
            "Số hộ cuối năm 2023 của bộ dữ liệu tỉnh Cao Bằng theo 10 huyện chuyển sang 56 đơn vị hành chính cấp xã "
            "từ ngày 1/7/2025 (Nghị quyết 1657/NQ-UBTVQH15). " + " ".join(w["method_vi"].split())
        ),
        "description_en": (
            "The end-2023 counts of the caobang dataset (10 districts) moved to the 56 commune-level units "
            "in force from 1 July 2025 (Resolution 1657/NQ-UBTVQH15). " + " ".join(w["method_en"].split())
        ),
        "geography": {
            "period": period_id,
            "level": "commune",
            "units_file": "data/geography/caobang/units_2025.csv",
            "moved_from": "data/caobang (districts_2020)",
            "estimated": bool(w["estimated"]),
        },
        "files": [
            {"path": "units.csv", "what": "the 56 units with derived poor and exit-scheme flags (basis columns)"},
            {"path": "baseline_2023.csv", "what": "households by unit x ethnic group x area x state, all estimated"},
            {"path": "build_dataset.py", "what": "regenerates both from data/caobang and data/geography"},
            {
                "path": "README.md",
                "what": "the method, what is estimated, and how the multidimensional model uses the units",
            },
        ],
        "sources": [
            {
                "id": "district_dataset",
                "title": "Cao Bằng households at the end-2023 review by district (the tool's district-level dataset, estimated)",
                "title_vi": "Số hộ tỉnh Cao Bằng theo huyện tại kỳ rà soát cuối năm 2023 (bộ dữ liệu theo đơn vị cấp huyện kèm theo công cụ, số ước tính)",
            },
            {
                "id": "nq1657",
                "title": geo.transition["source"]["title_en"],
                "title_vi": geo.transition["source"]["title_vi"],
                "url": geo.transition["source"]["url"],
            },
        ],
    }


def build() -> dict[str, str]:
    district = load_dataset(SOURCE)
    geo = load_geography("caobang")
    base = commune_baseline(district.counts, district.unit_ids, geo)
    units = units_table(geo, district)
    counts = counts_table(base.counts, tuple(units["unit_id"]), base.method_en)
    doc = meta(district, geo, base.period)
    buf = io.StringIO()
    counts.to_csv(buf, index=False, lineterminator="\n")
    return {
        "dataset.yaml": "# Written by build_dataset.py: do not edit by hand.\n"
        + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100),
        "units.csv": units.to_csv(index=False, lineterminator="\n"),
        doc["baseline_file"]: buf.getvalue(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files differ from a rebuild")
    args = parser.parse_args(argv)
    files = build()
    stale = [n for n, text in files.items() if not (HERE / n).is_file() or (HERE / n).read_text("utf-8") != text]
    if args.check:
        print("up to date" if not stale else f"differ from a rebuild: {stale}")
        return 1 if stale else 0
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(files)} in {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
