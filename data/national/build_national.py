#!/usr/bin/env python3
"""Build a SYNTHETIC national baseline: 63 provinces, about 27.8 million households (end-2023).

    python data/national/build_national.py                 # writes data/national/generated/
    python data/national/build_national.py --scale 0.001   # a reduced copy (tests, CI)
    python data/national/build_national.py --out DIR

The output (dataset.yaml, units.csv, baseline_2023.csv) is deterministic and gitignored. It is a
test bed for national-scale runs, NOT an estimate of any province: only the national and the
Northern Midlands and Mountains (NMM) totals are published figures; everything per province is
an assumption, said below and in the generated dataset.yaml.

Published [V] (data/published/poverty_figures.csv, from /reference):
- Vietnam end-2023: 815,101 poor (2.93 %), 771,235 near-poor (2.78 %)  -> 27.82 million households
- NMM end-2023: 364,681 poor (11.29 %), 223,271 near-poor (6.91 %)     -> 3.23 million households
- Cao Bằng end-2023: 24.71 % poor; 131,296 households (the bundled baseline's estimate)
Assumptions [A]:
- 14 NMM provinces (the region as the General Statistics Office defines it) and 49 others; Cao
  Bằng has its bundled household total and rate; the other NMM provinces share the rest of the
  region's households equally, and each of the two groups of provinces shares its poor and
  near-poor households in proportion to households x a linear ramp of relative rates (0.4 to
  1.6, in the order listed), so both group totals match the published counts exactly (up to
  rounding).
- Every province is one unit; `poor_district` is true for provinces whose poor rate is at least
  10 % (provinces that have poor districts); communes: 150 per NMM province, 170 otherwise.
- Ethnic-minority share of households: 75 % in NMM provinces, 8 % elsewhere; urban share: 18 %
  in NMM provinces, 40 % elsewhere; relative risk of being poor or near-poor: x3 for ethnic
  minorities, x0.4 in urban areas (cells then rescaled to the province's totals).
- Newly escaped households (left poverty at the 2023, 2022, 2021 reviews): 25 %, 20 %, 15 % of
  the province's poor households, spread over cells like the poor.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
NATIONAL = {"households": 815_101 / 0.0293, "poor": 815_101, "near_poor": 771_235}
NMM = {"households": 364_681 / 0.1129, "poor": 364_681, "near_poor": 223_271}
CAOBANG = {"households": 131_296, "poor_rate": 0.2471}
NMM_PROVINCES = [
    "Hà Giang",
    "Cao Bằng",
    "Bắc Kạn",
    "Tuyên Quang",
    "Lào Cai",
    "Yên Bái",
    "Thái Nguyên",
    "Lạng Sơn",
    "Bắc Giang",
    "Phú Thọ",
    "Điện Biên",
    "Lai Châu",
    "Sơn La",
    "Hòa Bình",
]
N_PROVINCES = 63
ESCAPED_SHARES = (0.25, 0.20, 0.15)
STATES = ("poor", "near_poor", "escaped_1", "escaped_2", "escaped_3", "non_poor")


def _ascii(name: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in s if unicodedata.category(c) != "Mn").lower().replace(" ", "_")


def _ramp(n: int) -> np.ndarray:
    return np.linspace(0.4, 1.6, n) if n > 1 else np.ones(1)


def _integerise(x: np.ndarray) -> np.ndarray:
    """Round to integers keeping the total (largest remainder)."""
    base = np.floor(x)
    left = int(round(x.sum() - base.sum()))
    order = np.argsort(-(x - base), kind="stable")
    base[order[:left]] += 1
    return base.astype(np.int64)


def provinces(scale: float = 1.0) -> list[dict]:
    """One dict per province: id, names, NMM flag, households and poor / near-poor counts."""
    other_names = [f"Tỉnh {i:02d}" for i in range(1, N_PROVINCES - len(NMM_PROVINCES) + 1)]
    out = []
    # NMM: Cao Bằng as bundled, the rest equal shares of the remaining households
    cb = NMM_PROVINCES.index("Cao Bằng")
    rest_nmm = NMM["households"] - CAOBANG["households"]
    hh = np.full(len(NMM_PROVINCES), rest_nmm / (len(NMM_PROVINCES) - 1))
    hh[cb] = CAOBANG["households"]
    poor_cb = CAOBANG["households"] * CAOBANG["poor_rate"]
    groups = [(NMM_PROVINCES, hh, NMM, True)]
    hh_o = np.full(len(other_names), (NATIONAL["households"] - NMM["households"]) / len(other_names))
    rest = {k: NATIONAL[k] - NMM[k] for k in ("households", "poor", "near_poor")}
    groups.append((other_names, hh_o, rest, False))
    for names, hh, tot, nmm in groups:
        rel = _ramp(len(names))
        counts = {}
        for key in ("poor", "near_poor"):
            if nmm and key == "poor":
                w = hh * rel
                w[cb] = 0.0
                c = w / w.sum() * (tot[key] - poor_cb)
                c[cb] = poor_cb
            else:
                w = hh * rel
                c = w / w.sum() * tot[key]
            counts[key] = c
        for i, name in enumerate(names):
            out.append(
                {
                    "unit_id": _ascii(name),
                    "name_vi": name,
                    "name_en": _ascii(name).replace("_", " ").title(),
                    "nmm": nmm,
                    "households": hh[i] * scale,
                    "poor": counts["poor"][i] * scale,
                    "near_poor": counts["near_poor"][i] * scale,
                }
            )
    return out


def cells(p: dict) -> np.ndarray:
    """Households (2 ethnic groups, 2 areas, 6 states) for one province, integers."""
    em = 0.75 if p["nmm"] else 0.08
    urban = 0.18 if p["nmm"] else 0.40
    share = np.outer([em, 1 - em], [1 - urban, urban])  # (ethnic group, area)
    risk = np.outer([3.0, 1.0], [1.0, 0.4])
    hh = share * p["households"]
    poor = hh * risk / (hh * risk).sum() * p["poor"]
    near = hh * risk / (hh * risk).sum() * p["near_poor"]
    esc = [poor * s for s in ESCAPED_SHARES]
    non = hh - poor - near - sum(esc)
    x = np.stack([poor, near, *esc, non], axis=-1)  # (2, 2, 6)
    return _integerise(x.ravel()).reshape(x.shape)


def build(out_dir: Path = HERE / "generated", scale: float = 1.0) -> Path:
    """Write dataset.yaml, units.csv and baseline_2023.csv into `out_dir`; returns it."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    provs = provinces(scale)
    with open(out_dir / "units.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_id", "name_vi", "name_en", "unit_type", "poor_district", "communes", "basis"])
        for p in provs:
            w.writerow(
                [
                    p["unit_id"],
                    p["name_vi"],
                    p["name_en"],
                    "province",
                    str(p["poor"] / p["households"] >= 0.10).lower(),
                    150 if p["nmm"] else 170,
                    "SYNTHETIC: see data/national/build_national.py",
                ]
            )
    total = 0
    with open(out_dir / "baseline_2023.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_id", "ethnic_group", "area", "state", "households"])
        for p in provs:
            x = cells(p)
            total += int(x.sum())
            for e, eth in enumerate(("ethnic_minority", "kinh")):
                for a, area in enumerate(("rural", "urban")):
                    for k, st in enumerate(STATES):
                        w.writerow([p["unit_id"], eth, area, st, int(x[e, a, k])])
    (out_dir / "dataset.yaml").write_text(
        f"""# SYNTHETIC national baseline written by data/national/build_national.py (scale {scale:g}).
# Only the national and Northern Midlands and Mountains totals are published figures; every
# per-province number is an assumption (see the script's docstring). Not an estimate of any province.
name: national
province_vi: "Toàn quốc (tổng hợp giả lập)"
province_en: "Vietnam (synthetic)"
baseline_year: 2023
version: "synthetic-{scale:g}"
standard: "2022-2025"
baseline_file: baseline_2023.csv
description_en: "Synthetic national baseline, {len(provs)} provinces, {total:,} households."
sources:
  - {{id: national_2023, title: "QĐ / MOLISA 2023 review totals (via data/published/poverty_figures.csv)", note: "national and NMM totals only"}}
""",
        encoding="utf-8",
    )
    return out_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE / "generated"))
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every household count (e.g. 0.001)")
    args = ap.parse_args()
    out = build(Path(args.out), args.scale)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
