"""Generate the SYNTHETIC household review lists of this folder from a known transition model.

Nothing here is real data. The "truth" is params/transitions.yaml with four values changed (see
TRUTH_CHANGES), written to truth_transitions.yaml; the households start from the bundled Cao Bằng
baseline composition scaled down to about 3 %, and move for two years (2021 -> 2022 -> 2023)
without any programme. Deterministic (fixed seed): `--check` verifies the files are what this
script produces.

    python data/synthetic_review/generate.py           # (re)write the files
    python data/synthetic_review/generate.py --check   # exit 1 if they differ
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from simlib.calibrate.panel import template_cells, template_counts  # noqa: E402
from simlib.calibrate.result import dump_yaml  # noqa: E402
from simlib.calibrate.synthetic import aggregate_from_register, cell_rates, simulate_register  # noqa: E402
from simlib.dataset import load_dataset  # noqa: E402
from simlib.schema import load_yaml  # noqa: E402

SEED = 20240415
YEARS = (2021, 2022, 2023)
SCALE = 0.03  # share of the Cao Bằng baseline households simulated
GROWTH, ATTRITION = 0.01, 0.003
ENTRY = np.array([0.10, 0.10, 0.0, 0.0, 0.0, 0.80])  # poor, near-poor, -, -, -, non-poor
#: where the known model departs from params/transitions.yaml: (dotted path, value)
TRUTH_CHANGES = (
    ("reference.poor.escaped_1", 0.085),
    ("reference.near_poor.non_poor", 0.13),
    ("reference.escaped_1.poor", 0.06),
    ("modifiers.0.upward", 1.8),  # kinh
)
FLOWS = ("escapes", "relapses", "new_poor", "near_poor_to_poor")


def truth_doc() -> dict:
    doc = copy.deepcopy(load_yaml(ROOT / "params" / "transitions.yaml"))
    for path, value in TRUTH_CHANGES:
        node = doc
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[int(k)] if isinstance(node, list) else node[k]
        q = node[keys[-1]]
        q["value"] = value
        q.pop("assumption", None)
        q["source"] = "SYNTHETIC: the known model behind data/synthetic_review (generate.py)"
        q["range"] = [min(q["range"][0], value), max(q["range"][1], value)]
    doc["meta"] = {
        "version": "synthetic-truth",
        "description_en": "SYNTHETIC known model (not an estimate of anything real).",
        "description_vi": "Mô hình đã biết dùng để sinh DỮ LIỆU TỔNG HỢP (không phải ước lượng thực tế).",
    }
    return doc


def build() -> dict[str, str]:
    """File name -> content."""
    ds = load_dataset("caobang")
    cells = template_cells(ds)
    counts = np.round(template_counts(ds) * SCALE).astype(int)
    truth = truth_doc()
    rng = np.random.default_rng(SEED)
    reg = simulate_register(
        cells, counts, cell_rates(truth, cells), YEARS, rng, growth=GROWTH, entry=ENTRY, attrition=ATTRITION
    )
    out = {"households_2021_2023.csv": reg.drop(columns="state").to_csv(index=False, lineterminator="\n")}
    # the same households counted per cell and year, with flows: exercises the aggregate path
    out["aggregate_2021_2023.csv"] = aggregate_from_register(reg, FLOWS).to_csv(index=False, lineterminator="\n")
    out["truth_transitions.yaml"] = (
        "# SYNTHETIC known model behind this folder's review lists (generate.py). Not real data.\n" + dump_yaml(truth)
    )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the files differ from what this script produces")
    args = ap.parse_args()
    files = build()
    if args.check:
        bad = [
            n for n, text in files.items() if not (HERE / n).is_file() or (HERE / n).read_text(encoding="utf-8") != text
        ]
        for n in bad:
            print(f"differs: {n}")
        return 1 if bad else 0
    for n, text in files.items():
        (HERE / n).write_text(text, encoding="utf-8")
        print(f"wrote {n} ({len(text.encode()) / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
