"""Every output array of the compiled multidimensional expected engine, dumped from one source
tree and compared with another's (issue 18: a faster engine must give the same numbers).

    PYTHONPATH=TREE python -m benchmarks.multidim_arrays dump OUT.npz
    python -m benchmarks.multidim_arrays compare BEFORE.npz AFTER.npz

`dump` runs `run_multidim_expected` on `multidim_2030`, `plan_2024` with `model=multidim` and
`plan_2027`, each as one scenario and as a batch of three (the money × 1, 0.5 and 1.7), and saves
every array of the outputs — the core tables, the multidimensional tables, the state handed over
(its cells) — 147 arrays, about 1.6 GB, about 5 minutes on 2 cores. Set `NUMBA_NUM_THREADS=1`
or `2` before it to check that the numbers do not depend on the threads. `compare` prints each
array that differs (shape, type, NaN pattern, the largest difference relative to the array's
largest magnitude) and a last line "N arrays, D differ, worst relative deviation W"; its exit
status is 1 when any array differs. A change that only reorders sums (benchmarks/HISTORY.md: the
relaxed order) must show D > 0 with W ≤ 1e-12 and the same NaN patterns; any other change D = 0.
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np

from simlib.engines.multidim_expected import run_multidim_expected
from simlib.paths import params_dir
from simlib.runner import compile_run_model
from simlib.scenario import load_scenario

SCENARIOS = ("multidim_2030", "plan_2024", "plan_2027")


def walk(x, name: str, out: dict) -> None:
    """Every numpy array inside `x` (dataclasses, dicts, lists) into `out`, by its path."""
    if isinstance(x, np.ndarray):
        out[name] = np.ascontiguousarray(x)
    elif dataclasses.is_dataclass(x):
        for f in dataclasses.fields(x):
            walk(getattr(x, f.name), f"{name}.{f.name}", out)
    elif isinstance(x, dict):
        for k, v in x.items():
            walk(v, f"{name}[{k}]", out)
    elif isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            walk(v, f"{name}[{i}]", out)


def dump(path: str) -> None:
    """Run the engine on `SCENARIOS` (one scenario, a batch of three) and save every array."""
    res: dict = {}
    for name in SCENARIOS:
        sets = [("model", "multidim")] if name == "plan_2024" else None
        _, mm = compile_run_model(load_scenario(params_dir() / "scenarios" / f"{name}.yaml", sets))
        spend = np.asarray(mm.base.spend, float)
        for tag, sp in (("one", spend), ("batch", np.stack([spend, spend * 0.5, spend * 1.7]))):
            walk(run_multidim_expected(mm, sp), f"{name}.{tag}", res)
    np.savez(path, **res)
    print(len(res), "arrays ->", path)


def differences(a: dict, b: dict) -> tuple[list[str], int, float]:
    """(lines describing each array that differs, how many differ, worst relative deviation) of
    two {name: array} (NaN equal to NaN; integer and boolean arrays exactly)."""
    if sorted(a) != sorted(b):
        return [f"different array names: {sorted(set(a) ^ set(b))}"], max(len(a), len(b)), np.inf
    lines, worst = [], 0.0
    for k in sorted(a):
        x, y = a[k], b[k]
        if x.shape != y.shape or x.dtype != y.dtype:
            lines.append(f"{k}: shape or type {x.shape} {x.dtype} against {y.shape} {y.dtype}")
        elif x.dtype.kind not in "fc":
            if not np.array_equal(x, y):
                lines.append(f"{k}: differs (not floating point)")
        elif not np.array_equal(x, y, equal_nan=True):
            same_nan = np.array_equal(np.isnan(x), np.isnan(y))
            d = float(np.nanmax(np.abs(x - y))) if x.size else 0.0
            rel = d / max(float(np.nanmax(np.abs(y))), 1e-300)
            worst = max(worst, rel)
            lines.append(f"{k}: max |diff| {d:.3g}, relative to max |value| {rel:.3g}, NaN pattern same {same_nan}")
    return lines, len(lines), worst


def compare(path_a: str, path_b: str) -> int:
    """Print the differences of two dumps; 1 when any array differs, else 0."""
    with np.load(path_a) as fa, np.load(path_b) as fb:
        a = {k: fa[k] for k in fa.files}
        b = {k: fb[k] for k in fb.files}
    lines, n, worst = differences(a, b)
    print("\n".join(lines + [f"{len(a)} arrays, {n} differ, worst relative deviation {worst:.3g}"]))
    return int(n > 0)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("dump", "compare"):
        sys.exit(__doc__)
    sys.exit(dump(sys.argv[2]) if sys.argv[1] == "dump" else compare(*sys.argv[2:4]))
