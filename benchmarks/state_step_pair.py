"""The fast kernel's household state step, uniforms drawn in the loop against filled first (issue 18).

    python -m benchmarks.state_step_pair [--rounds 41,21,7] [--out FILE]

On Cao Bằng (plan_2024) scaled to 10^5, 10^6 and 10^7 households, one process times
`kernel.step_households` in CPU time (`time.process_time`), in turns: the array path
(`inline_rng=False`: each chunk's uniforms filled by `random_raw` first, the kernel as it was) and
the inline path (`simlib.engines.state_step`), the order of the two swapped every round. Both start
from the same households and generator and are checked to give the same flows, states and generator
state before timing. The plain-Python reference of `python -m benchmarks` (`naive_state_step`, same
rule and numbers, 10^5 households) is timed in the same run, in CPU and wall time, for the ratio the
issue's target uses (naive / kernel at 10^5, >= 100). Prints one JSON object (ns per household-year,
medians and minima over the rounds, load average before and after); `--out` also writes it.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from benchmarks.__main__ import caobang_model, naive_state_step, scaled_model
from simlib.engines.expected import YearStep
from simlib.engines.kernel import DEST, step_households, synthesise, thresholds, uniforms
from simlib.engines.reach import acting_money


def cell_rows(m) -> np.ndarray:
    """The first year's transition rows (G, K, K) of model m with its planned spending."""
    step = YearStep(m, 1, m.effects[None])
    return step(m.n0[None].astype(float), acting_money(m, m.spend[None])[:, 0], 0).P[0]


def same_results(m, P) -> bool:
    """Both paths from the same households and seed: flows, states and generator state equal."""
    out = []
    for inline in (False, True):
        hh, rng = synthesise(m), np.random.default_rng(11)
        flows = [step_households(hh, P, rng, inline_rng=inline) for _ in range(2)]
        out.append((flows, hh.state[: hh.size].copy(), rng.bit_generator.state))
    (fa, sa, ga), (fb, sb, gb) = out
    return all(np.array_equal(a, b) for a, b in zip(fa, fb, strict=True)) and np.array_equal(sa, sb) and ga == gb


def paired(m, P, rounds: int) -> dict:
    """CPU ns per household-year of both paths, timed in turns on the same households."""
    hh, rng = synthesise(m), np.random.default_rng(1)
    runs = {
        "array": lambda: step_households(hh, P, rng, inline_rng=False),
        "inline": lambda: step_households(hh, P, rng),
    }
    for fn in runs.values():
        fn()  # compiled (or loaded from numba's cache) before timing
    times: dict = {k: [] for k in runs}
    for r in range(rounds):
        for k in list(runs)[:: 1 if r % 2 == 0 else -1]:
            c0 = time.process_time()
            runs[k]()
            times[k].append(time.process_time() - c0)
    out = {"households": hh.size, "rounds": rounds}
    for k, t in times.items():
        out[f"{k}_ns_median"] = float(np.median(t)) / hh.size * 1e9
        out[f"{k}_ns_min"] = float(np.min(t)) / hh.size * 1e9
    out["speedup_median"] = out["array_ns_median"] / out["inline_ns_median"]
    return out


def naive(m, P, repeats: int = 3) -> dict:
    """`benchmarks.__main__.naive_state_step` on model m's households, as `python -m benchmarks`
    times it (Python lists, uniforms of seed 0): median CPU and wall ns per household-year."""
    hh = synthesise(m)
    t1, t2 = thresholds(P)
    u = uniforms(np.random.default_rng(0), hh.size).tolist()
    cpu, wall = [], []
    for _ in range(repeats):
        moves = [0] * (len(t1) * 3)
        group, state = hh.group[: hh.size].tolist(), hh.state[: hh.size].tolist()
        c0, w0 = time.process_time(), time.perf_counter()
        naive_state_step(group, state, u, t1.tolist(), t2.tolist(), DEST.ravel().tolist(), moves)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return {"cpu_ns": float(np.median(cpu)) / hh.size * 1e9, "wall_ns": float(np.median(wall)) / hh.size * 1e9}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", default="41,21,7", help="rounds at 10^5, 10^6, 10^7 households")
    ap.add_argument("--out", default="", help="also write the JSON here")
    args = ap.parse_args()
    res: dict = {"load_average_before": list(os.getloadavg())}
    base = caobang_model()
    for N, rounds in zip((1e5, 1e6, 1e7), (int(r) for r in args.rounds.split(",")), strict=True):
        m = scaled_model(base, N)
        P = cell_rows(m)
        tag = f"1e{int(np.log10(N))}"
        res[f"same_results_{tag}"] = same_results(m, P)
        res[tag] = paired(m, P, rounds)
        if N == 1e5:
            res["naive_1e5"] = naive(m, P)
    for tag in ("1e5", "1e6", "1e7"):
        for k in ("array", "inline"):
            res[tag][f"naive_over_{k}"] = res["naive_1e5"]["cpu_ns"] / res[tag][f"{k}_ns_median"]
    res["load_average_after"] = list(os.getloadavg())
    text = json.dumps(res, indent=1)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
