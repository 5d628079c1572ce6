"""A series fit on the tiny made-up dataset: figures, spec and scenario files written to a folder.
Every figure here is SYNTHETIC."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import yaml
from conftest import TINY_SCENARIO

#: (area, year label, poor rate %) of the made-up published table
FIGURES = [
    ("Test province", "2019", 35.0),
    ("Test province", "2020", 30.0),
    ("Test province", "2022", 21.0),
    ("Test poor district", "2022", 31.0),
]


def quantity(value, lo, hi, unit="multiple of the stand-in budget", dist="uniform") -> dict:
    return {"value": value, "unit": unit, "range": [lo, hi], "distribution": dist, "assumption": "test"}


def spec_doc(**changes) -> dict:
    doc = {
        "name": "tiny_series",
        "title_vi": "Chuỗi thử",
        "title_en": "Test series",
        "scenario": "scenario.yaml",
        "figures": "figures.csv",
        "draws": 400,
        "posterior_draws": 200,
        "seed": 3,
        "prior": {"reference_scale": 0.2},
        "error": {"sigma": quantity(1.0, 0.25, 2.0, unit="percentage points")},
        "level_step": 5,
        "segments": [
            {
                "id": "s1",
                "standard": "test",
                "start_year": 2019,
                "level_range": [25, 45],
                "observations": [
                    {"area": "Test province", "label": "2019", "value": 35.0, "review_year": 2019},
                    {"area": "Test province", "label": "2020", "value": 30.0, "review_year": 2020},
                    {"area": "Test province", "label": "2022", "value": 21.0, "review_year": 2022},
                    {
                        "area": "Test poor district",
                        "label": "2022",
                        "value": 31.0,
                        "review_year": 2022,
                        "geo": "poor_districts",
                    },
                ],
            }
        ],
        "budgets": [{"id": "b", "years": [2019, 2020, 2021, 2022], "scale": quantity(1.0, 0.5, 1.5)}],
    }
    doc.update(changes)
    return doc


def write_series(folder: Path, doc: dict | None = None, figures=FIGURES) -> Path:
    """Write figures.csv, scenario.yaml (the tiny scenario) and series.yaml; return the spec path."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {"year": y, "area": a, "households_total": "", "poor": "", "near_poor": "", "poor_rate_pct": v}
        | {"near_poor_rate_pct": "", "source_url": "made up", "notes": "SYNTHETIC"}
        for a, y, v in figures
    ]
    pd.DataFrame(rows).to_csv(folder / "figures.csv", index=False)
    (folder / "scenario.yaml").write_text(yaml.safe_dump(copy.deepcopy(TINY_SCENARIO), allow_unicode=True))
    path = folder / "series.yaml"
    path.write_text(yaml.safe_dump(doc or spec_doc(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
