#!/usr/bin/env python3
"""Build the Cao Bằng end-2023 baseline (units.csv, baseline_2023.csv) from assumptions.yaml.

    python3 data/caobang/build_baseline.py          # writes units.csv and baseline_2023.csv here
    python3 data/caobang/build_baseline.py --check  # rebuilds in memory, fails if files differ

Only numpy and pyyaml are needed (no pandas); the output is deterministic (byte-for-byte).

Every input figure is read from assumptions.yaml, where each has a source URL or an explicit
assumption. Method (see README.md for the reasoning behind each step):

 1. Province households, end-2023: households = poor / poor-rate at end-2016 and at end-2021
    (the start of the 2022-2025 standard), the growth rate between them, projected to end-2023.
 2. Households per unit: Thạch An = 3,700 poor / 46.7 % (the only published district pair);
    the other units share the rest in proportion to their 2019 census population.
 3. Poor households per unit: province = 24.71 % of households. Poor districts together are
    `poor_district_ratio` x the province rate; Thạch An is pinned to 46.7 %; inside each group
    (poor districts, the rest) the poor are spread in proportion to households x poverty_index.
 4. Near-poor: province = poor x `near_poor_to_poor_ratio`; spread over units in proportion to
    households x poor_rate^elasticity.
 5. Escaped cohorts (left poverty at the 2023, 2022, 2021 review; now above the near-poor line):
    net fall of the poor count that year, grossed up for inflows (relapse + new poor), less the
    share of exits that land in near-poor, less the relapse hazard for each year since. Spread
    over units like the near-poor (own elasticity).
 6. Non-poor = the rest of each unit's households.
 7. Ethnic group x area inside each unit: iterative proportional fitting (IPF) of a 2x2 seed
    (Kinh more urban: odds ratio) to the unit's Kinh share and urban share.
 8. State by cell: IPF of (cell households x relative risk of the state for Kinh / urban cells)
    to the cell totals (rows) and the unit's state totals (columns).
 9. Integers: controlled rounding (each value rounded down or up, never further) that keeps
    the province totals by state exact, then the unit totals by state, then the cell totals.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
GROUPS = ("ethnic_minority", "kinh")
AREAS = ("rural", "urban")
STATES = ("poor", "near_poor", "escaped_1", "escaped_2", "escaped_3", "non_poor")
UNIT_COLUMNS = (
    "unit_id",
    "name_vi",
    "name_en",
    "unit_type",
    "poor_district",
    "poor_district_basis",
    "exit_scheme_district",
    "exit_scheme_district_basis",
    "communes",
    "communes_basis",
    "households_2023",
    "households_basis",
    "ethnic_minority_share",
    "ethnic_minority_basis",
    "urban_share",
    "urban_basis",
)
COUNT_COLUMNS = ("unit_id", "ethnic_group", "area", "state", "households", "estimated", "basis")


# ------------------------------------------------------------------------------------------
# numerical helpers
# ------------------------------------------------------------------------------------------
def val(q):
    """The value of a {value, unit, source|assumption} entry."""
    return q["value"]


def basis_of(q) -> str:
    """'source: URL' or 'assumption: text' of an entry (short form for CSV basis columns)."""
    if "source" in q:
        note = q.get("note", "")
        return f"{q['source']} ({note})" if note else q["source"]
    return f"assumption: {q['assumption']}"


def largest_remainder(weights, total: int) -> np.ndarray:
    """Integers proportional to weights summing exactly to total (ties: first index first)."""
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    scaled = np.round(w * (total / w.sum()), 9)
    out = np.floor(scaled).astype(np.int64)
    short = int(total - out.sum())
    order = np.argsort(-(scaled - out), kind="stable")
    out[order[:short]] += 1
    return out


def ipf2(seed, row_targets, col_targets, tol=1e-11, max_iter=20000) -> np.ndarray:
    """Iterative proportional fitting of a 2-D seed to row and column totals."""
    x = np.asarray(seed, dtype=float).copy()
    r = np.asarray(row_targets, dtype=float)
    c = np.asarray(col_targets, dtype=float)
    if abs(r.sum() - c.sum()) > 1e-6 * max(1.0, r.sum()):
        raise ValueError(f"IPF margins disagree: rows {r.sum()} vs columns {c.sum()}")
    for _ in range(max_iter):
        rs = x.sum(axis=1)
        x *= np.divide(r, rs, out=np.zeros_like(r), where=rs > 0)[:, None]
        cs = x.sum(axis=0)
        x *= np.divide(c, cs, out=np.zeros_like(c), where=cs > 0)[None, :]
        if np.abs(x.sum(axis=1) - r).max() < tol * max(1.0, r.max()):
            return x
    raise RuntimeError("IPF did not converge")


def controlled_round(x, row_targets, col_targets) -> np.ndarray:
    """Round every cell of x down or up (cells that are already whole stay) so that the rows and
    columns sum exactly to the integer targets. x must already have those margins (use ipf2).

    Rounding up the cells with the largest fractions first, then fixing any leftover deficit by
    augmenting paths (a bipartite b-matching), which always succeeds for a 2-D table."""
    x = np.round(np.asarray(x, dtype=float), 9)
    base = np.floor(x).astype(np.int64)
    frac = x - base
    eligible = frac > 1e-9
    row_def = np.asarray(row_targets, dtype=np.int64) - base.sum(axis=1)
    col_def = np.asarray(col_targets, dtype=np.int64) - base.sum(axis=0)
    if (row_def < 0).any() or (col_def < 0).any() or row_def.sum() != col_def.sum():
        raise ValueError("controlled_round: margins inconsistent with the table")
    up = np.zeros(x.shape, dtype=bool)
    order = np.argsort(-frac.ravel(), kind="stable")
    n_rows, n_cols = x.shape
    for k in order:
        i, j = divmod(int(k), n_cols)
        if eligible[i, j] and row_def[i] > 0 and col_def[j] > 0:
            up[i, j] = True
            row_def[i] -= 1
            col_def[j] -= 1
    while row_def.sum() > 0:
        start = int(np.flatnonzero(row_def > 0)[0])
        # BFS over rows -> (add a cell) -> columns -> (drop a cell) -> rows ...
        prev_col = {}  # col -> row it was reached from
        prev_row = {start: None}  # row -> col it was reached from
        frontier = [start]
        end_col = None
        while frontier and end_col is None:
            nxt = []
            for i in frontier:
                for j in range(n_cols):
                    if eligible[i, j] and not up[i, j] and j not in prev_col:
                        prev_col[j] = i
                        if col_def[j] > 0:
                            end_col = j
                            break
                        for i2 in range(n_rows):
                            if up[i2, j] and i2 not in prev_row:
                                prev_row[i2] = j
                                nxt.append(i2)
                if end_col is not None:
                    break
            frontier = nxt
        if end_col is None:
            raise RuntimeError("controlled_round: no feasible rounding found")
        j = end_col
        while True:
            i = prev_col[j]
            up[i, j] = True
            jj = prev_row[i]
            if jj is None:
                break
            up[i, jj] = False
            j = jj
        row_def[start] -= 1
        col_def[end_col] -= 1
    out = base + up
    assert (out.sum(axis=1) == np.asarray(row_targets)).all()
    assert (out.sum(axis=0) == np.asarray(col_targets)).all()
    return out


def round_table(x, row_targets, col_targets) -> np.ndarray:
    """Fit x to integer margins (IPF), then controlled rounding."""
    return controlled_round(ipf2(x, row_targets, col_targets), row_targets, col_targets)


def pct(x: float) -> str:
    return f"{100 * x:.2f} %"


# ------------------------------------------------------------------------------------------
# the build
# ------------------------------------------------------------------------------------------
def build(a: dict) -> tuple[str, str, str]:
    """Return (units.csv text, baseline_2023.csv text, summary text)."""
    prov = a["province"]
    units = a["units"]
    ids = [u["unit_id"] for u in units]
    n = len(units)
    log = []

    # 1. province households ----------------------------------------------------------------
    y1 = int(val(a["household_growth"]["first_year"]))
    y2 = int(val(a["household_growth"]["second_year"]))
    h_y1 = val(prov["poor_households_2016"]) / val(prov["poor_rate_2016"])
    h_y2 = val(prov["poor_households_2021"]) / val(prov["poor_rate_2021"])
    growth = (h_y2 / h_y1) ** (1.0 / (y2 - y1)) - 1.0
    h_2020 = h_y2 / (1 + growth)
    h_2021 = h_y2
    h_2022 = h_2021 * (1 + growth)
    h_2023 = h_2022 * (1 + growth)
    H = int(round(h_2023))
    log.append(f"households end-{y1} {h_y1:,.0f}; end-{y2} {h_y2:,.0f}; growth {100 * growth:.3f} %/yr; end-2023 {H:,}")

    # 2. households per unit -------------------------------------------------------------------
    pop = np.array([val(u["population_2019"]) for u in units], dtype=float)
    anchor = a["thach_an_anchor"]
    ta = ids.index("thach_an")
    h_ta = val(anchor["poor_households"]) / val(anchor["poor_rate"])
    hu = np.zeros(n, dtype=np.int64)
    hu[ta] = int(round(h_ta))
    others = np.array([i != ta for i in range(n)])
    hu[others] = largest_remainder(pop[others], H - hu[ta])
    pop_hh_ta = H * pop[ta] / pop.sum()
    log.append(f"Thạch An households {hu[ta]:,} (anchor) vs {pop_hh_ta:,.0f} by population share")

    # urban and Kinh shares ----------------------------------------------------------------------
    sample = a["structure"]["town_population_sample_2019"]
    town_mean = float(np.mean([val(q) for q in sample.values()]))
    urban_pop = np.zeros(n)
    urban_basis = []
    for k, u in enumerate(units):
        if "urban_population_2019" in u:
            urban_pop[k] = val(u["urban_population_2019"])
            urban_basis.append(
                f"2019 census urban population {int(urban_pop[k]):,} of {int(pop[k]):,} [S] "
                f"{u['urban_population_2019']['source']}; household share taken = population share"
            )
        else:
            known = list(u.get("town_population_2019", {}).get("value", []))
            towns = int(val(u["towns"]))
            urban_pop[k] = sum(known) + (towns - len(known)) * town_mean
            txt = f"estimated: {towns} thị trấn"
            if known:
                txt += f" ({', '.join(f'{int(x):,}' for x in known)} [S] known"
                txt += f", {towns - len(known)} at the mean {town_mean:,.0f})"
            else:
                txt += f" x {town_mean:,.0f} (mean 2019 population of 6 district towns found [S])"
            txt += f" / 2019 population {int(pop[k]):,} [S]"
            urban_basis.append(txt)
    urban_share_in = urban_pop / pop
    kinh_share_in = np.array([val(u["kinh_share"]) for u in units], dtype=float)
    log.append(
        f"urban population share (2019, estimated) {pct(urban_pop.sum() / pop.sum())} "
        f"(check: 2022 province {pct(val(a['structure']['province_urban_population_share_2022']))})"
    )

    # 3. poor per unit ---------------------------------------------------------------------------
    r23 = val(prov["poor_rate_2023"])
    r22 = val(prov["poor_rate_2022"])
    r21 = val(prov["poor_rate_2021"])
    poor_total = int(round(r23 * H))
    # the group the 2019 poor-district rate describes (the 30a districts): a unit's
    # `estimation_group_poor_district` where given, else its poor-district flag
    pd_flag = np.array([bool(val(u.get("estimation_group_poor_district", u["poor_district"]))) for u in units])
    idx = np.array([val(u["poverty_index"]) for u in units], dtype=float)
    hf = hu.astype(float)
    p_pd = val(prov["poor_district_ratio"]) * r23 * hf[pd_flag].sum()
    poor_u = np.zeros(n)
    poor_u[ta] = val(anchor["poor_rate"]) * hf[ta]
    grp = pd_flag & others
    poor_u[grp] = (p_pd - poor_u[ta]) * (idx * hf)[grp] / (idx * hf)[grp].sum()
    rest = ~pd_flag
    poor_u[rest] = (r23 * H - p_pd) * (idx * hf)[rest] / (idx * hf)[rest].sum()
    rate_u = poor_u / hf
    if (rate_u <= 0).any() or (rate_u >= 0.9).any():
        raise ValueError(f"implausible unit poor rates: {dict(zip(ids, rate_u.round(3)))}")

    # 4. near-poor ------------------------------------------------------------------------------
    conc = a["concentration"]
    near_total = val(prov["near_poor_to_poor_ratio"]) * r23 * H
    w = hf * rate_u ** val(conc["near_poor_elasticity"])
    near_u = near_total * w / w.sum()

    # 5. escaped cohorts --------------------------------------------------------------------------
    fl = a["flows"]
    scale = H / h_2023
    net = {
        2023: (r22 * h_2022 - r23 * h_2023) * scale,
        2022: (r21 * h_2021 - r22 * h_2022) * scale,
        2021: val(fl["pace_2021_points"]) * h_2020 * scale,
    }
    gross = {y: x / (1 - 1 / val(fl["exits_per_inflow"])) for y, x in net.items()}
    above = {y: x * (1 - val(fl["exit_share_to_near_poor"])) for y, x in gross.items()}
    hz = val(fl["relapse_hazard"])
    esc_total = [above[2023], above[2022] * (1 - hz), above[2021] * (1 - hz) ** 2]
    w = hf * rate_u ** val(conc["escaped_elasticity"])
    esc_u = [t * w / w.sum() for t in esc_total]
    for y in (2023, 2022, 2021):
        log.append(
            f"review {y}: net fall {net[y]:,.0f}, gross exits {gross[y]:,.0f}, above near-poor line {above[y]:,.0f}"
        )

    # 6. non-poor and unit x state table -----------------------------------------------------------
    X = np.column_stack([poor_u, near_u, esc_u[0], esc_u[1], esc_u[2], np.zeros(n)])
    X[:, 5] = hf - X[:, :5].sum(axis=1)
    if (X[:, 5] <= 0).any():
        raise ValueError("a unit has no non-poor households left: lower the rates")
    prov_states = np.zeros(6, dtype=np.int64)
    prov_states[0] = poor_total
    prov_states[1:] = largest_remainder(X[:, 1:].sum(axis=0), H - poor_total)
    T = round_table(X, hu, prov_states)  # unit x state integers

    # 7-8. cells ----------------------------------------------------------------------------------
    st = a["structure"]
    rr = a["relative_risk"]
    rr_k = np.array(
        [val(rr["kinh_vs_ethnic_minority"][s]) for s in ("poor", "near_poor", "escaped", "escaped", "escaped")] + [1.0]
    )
    rr_a = np.array(
        [val(rr["urban_vs_rural"][s]) for s in ("poor", "near_poor", "escaped", "escaped", "escaped")] + [1.0]
    )
    odds = val(st["kinh_urban_odds_ratio"])
    counts = np.zeros((n, 2, 2, 6), dtype=np.int64)
    for k in range(n):
        ga = ipf2(
            np.array([[1.0, 1.0], [1.0, odds]]),
            [hf[k] * (1 - kinh_share_in[k]), hf[k] * kinh_share_in[k]],
            [hf[k] * (1 - urban_share_in[k]), hf[k] * urban_share_in[k]],
        )
        cells = ga.ravel()  # (EM rural, EM urban, Kinh rural, Kinh urban)
        seed = np.zeros((4, 6))
        for c in range(4):
            g, ar = divmod(c, 2)
            seed[c] = cells[c] * (rr_k if g == 1 else 1.0) * (rr_a if ar == 1 else 1.0)
        cells_int = largest_remainder(cells, int(hu[k]))
        fitted = ipf2(seed, cells, T[k])
        counts[k] = round_table(fitted, cells_int, T[k]).reshape(2, 2, 6)

    # checks -----------------------------------------------------------------------------------------
    assert counts.sum() == H
    assert (counts.sum(axis=(1, 2, 3)) == hu).all()
    assert (counts.sum(axis=(0, 1, 2)) == prov_states).all()
    prov_rate = counts[..., 0].sum() / H
    assert abs(prov_rate - r23) < 0.0001, prov_rate

    # texts ------------------------------------------------------------------------------------------
    ratio_pd = val(prov["poor_district_ratio"])
    np_ratio = val(prov["near_poor_to_poor_ratio"])
    state_basis = {
        "poor": (
            f"EST: unit poor total from province {pct(r23)} [V] with poor districts at {ratio_pd:.2f}x the "
            f"province rate [A: 2019 ratio] and a district index [A]; split to cells by Kinh/urban relative risk [A] via IPF; controlled rounding"
        ),
        "near_poor": (
            f"EST: province near-poor = poor x {np_ratio:.4f} [A: region 2023 ratio 6.91/11.29 (V)]; "
            f"unit share ~ households x poor_rate^{val(conc['near_poor_elasticity'])} [A]; cells via IPF [A]"
        ),
        "escaped_1": (
            f"EST: exits at the 2023 review = net fall {pct(r22)} -> {pct(r23)} [V] grossed up for 1 inflow per "
            f"{val(fl['exits_per_inflow'])} exits [S: Hà Giang]; {val(fl['exit_share_to_near_poor']):.0%} of exits to near-poor [A]; cells via IPF [A]"
        ),
        "escaped_2": (
            f"EST: exits at the 2022 review = net fall {pct(r21)} [S] -> {pct(r22)} [V] grossed up as escaped_1; "
            f"survival {1 - hz:.3f}/yr after relapse [A]; cells via IPF [A]"
        ),
        "escaped_3": (
            f"EST: exits at the 2021 review (standard change) = old-standard pace "
            f"{100 * val(fl['pace_2021_points']):.3f} points/yr [A from V]; grossed up; survival {1 - hz:.3f}/yr for 2 yrs [A]; cells via IPF [A]"
        ),
        "non_poor": "EST: rest of the cell's households (unit households = end-2023 province total [EST] x 2019 population share [S]); cells via IPF [A]",
    }
    ta_poor_basis = (
        f"EST: Thạch An poor total pinned to {pct(val(anchor['poor_rate']))} [V ubdkcgvn.org.vn; year unstated]; "
        f"split to cells by Kinh/urban relative risk [A] via IPF; controlled rounding"
    )
    ta_non_poor_basis = (
        "EST: rest of the cell's households (Thạch An households = 3,700 poor / 46.7 % [V], "
        "a lower bound); cells via IPF [A]"
    )

    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(COUNT_COLUMNS)
    for k, uid in enumerate(ids):
        for g, grp_name in enumerate(GROUPS):
            for ar, area in enumerate(AREAS):
                for s, state in enumerate(STATES):
                    b = state_basis[state]
                    if uid == "thach_an" and state == "poor":
                        b = ta_poor_basis
                    elif uid == "thach_an" and state == "non_poor":
                        b = ta_non_poor_basis
                    wr.writerow([uid, grp_name, area, state, int(counts[k, g, ar, s]), "true", b])
    baseline_csv = buf.getvalue()

    hh_basis_common = (
        f"estimated: province end-2023 households {H:,} [EST: {val(prov['poor_households_2021']):,} poor / "
        f"{pct(r21)} at end-2021 [S], grown {100 * growth:.2f} %/yr (from 52,409 / 42 % at end-2016 [S])] "
        f"x 2019 population share [S] (Thạch An excluded)"
    )
    exit_q = a["exit_scheme_districts"]
    exit_units = set(exit_q["units"])
    exit_basis = f"{exit_q['source']} ({exit_q['note']})"
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(UNIT_COLUMNS)
    for k, u in enumerate(units):
        em = counts[k, 0].sum() / hu[k]
        urb = counts[k, :, 1].sum() / hu[k]
        pdq = u["poor_district"]
        pd_basis = basis_of(pdq)
        cq = u["communes"]
        c_basis = basis_of(cq)
        if u["unit_id"] == "thach_an":
            h_basis = (
                f"estimated: 3,700 poor households / 46.7 % poor [V {anchor['poor_households']['source']}] "
                f"= {hu[k]:,} (lower bound: 'over 3,700'; year unstated); population share would give {pop_hh_ta:,.0f}"
            )
        else:
            h_basis = hh_basis_common
        kq = u["kinh_share"]
        if "source" in kq:
            e_basis = f"Kinh share {kq['value']}: {basis_of(kq)}"
        else:
            e_basis = f"assumption: Kinh {kq['value']:.1%} of households: {kq['assumption']}"
        wr.writerow(
            [
                u["unit_id"],
                u["name_vi"],
                u["name_en"],
                u["unit_type"],
                "true" if val(pdq) else "false",
                pd_basis,
                "true" if u["unit_id"] in exit_units else "false",
                exit_basis if u["unit_id"] in exit_units else f"not among the exit-scheme districts: {exit_basis}",
                int(val(cq)),
                c_basis,
                int(hu[k]),
                h_basis,
                f"{em:.4f}",
                e_basis,
                f"{urb:.4f}",
                urban_basis[k],
            ]
        )
    units_csv = buf.getvalue()

    # summary ------------------------------------------------------------------------------------------
    pd_rate = counts[pd_flag][..., 0].sum() / hu[pd_flag].sum()
    lines = [
        *log,
        "",
        f"province: {H:,} households; poor {counts[..., 0].sum():,} ({pct(prov_rate)}); "
        f"near-poor {counts[..., 1].sum():,} ({pct(counts[..., 1].sum() / H)}); "
        f"escaped 1/2/3 {counts[..., 2].sum():,}/{counts[..., 3].sum():,}/{counts[..., 4].sum():,}; "
        f"non-poor {counts[..., 5].sum():,}",
        f"poor districts: {hu[pd_flag].sum():,} households, poor rate {pct(pd_rate)} = {pd_rate / prov_rate:.3f}x province; "
        f"other units {pct(counts[~pd_flag][..., 0].sum() / hu[~pd_flag].sum())}",
        f"ethnic minority: {counts[:, 0].sum() / H:.4f} of households, poor rate {pct(counts[:, 0, :, 0].sum() / counts[:, 0].sum())}; "
        f"Kinh poor rate {pct(counts[:, 1, :, 0].sum() / counts[:, 1].sum())}",
        f"urban share of households {counts[:, :, 1].sum() / H:.4f}; urban poor rate "
        f"{pct(counts[:, :, 1, 0].sum() / counts[:, :, 1].sum())}, rural {pct(counts[:, :, 0, 0].sum() / counts[:, :, 0].sum())}",
        "",
        f"{'unit':<12} {'pd':>2} {'households':>10} {'poor':>6} {'poor%':>7} {'near%':>7} {'esc%':>6} {'EM':>6} {'urban':>6}",
    ]
    for k, uid in enumerate(ids):
        c = counts[k]
        lines.append(
            f"{uid:<12} {'Y' if pd_flag[k] else '-':>2} {hu[k]:>10,} {c[..., 0].sum():>6,} "
            f"{100 * c[..., 0].sum() / hu[k]:>6.2f}% {100 * c[..., 1].sum() / hu[k]:>6.2f}% "
            f"{100 * c[..., 2:5].sum() / hu[k]:>5.2f}% {c[0].sum() / hu[k]:>6.3f} {c[:, 1].sum() / hu[k]:>6.3f}"
        )
    return units_csv, baseline_csv, "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="rebuild in memory and compare with the files")
    ap.add_argument("--quiet", action="store_true", help="do not print the summary")
    args = ap.parse_args(argv)
    with open(HERE / "assumptions.yaml", encoding="utf-8") as f:
        a = yaml.safe_load(f)
    units_csv, baseline_csv, summary = build(a)
    targets = {HERE / "units.csv": units_csv, HERE / f"baseline_{a['meta']['baseline_year']}.csv": baseline_csv}
    if args.check:
        bad = [p.name for p, text in targets.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
        if bad:
            print("out of date: " + ", ".join(bad), file=sys.stderr)
            return 1
        print("up to date")
        return 0
    for p, text in targets.items():
        with open(p, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    if not args.quiet:
        print(summary, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
