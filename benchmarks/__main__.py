"""`python -m benchmarks [--quick]`: every figure of the performance issue, medians over repeats.

On some processors OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set for old OpenBLAS builds; they slow
a current numpy. To measure without them, unset both for this command only:
`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m benchmarks`. The figures are wall-clock
and shared machines are noisy: compare medians of several runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.expected_pair import bench_expected_pair
from benchmarks.households import bench_households, bench_multidim_draws, peak_bytes
from benchmarks.multidim_run import bench_plan_2027_run, engine_before, engine_side_by_side

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
TARGETS = {  # figure -> (target, "<=" or ">=")
    "expected_us_per_scenario": (100.0, "<="),
    "expected_sweep_scenarios_per_s": (1e4, ">="),
    "microsim_fast_state_step_ns_per_household_year_1e7": (10.0, "<="),
    "microsim_fast_peak_bytes_per_household": (16.0, "<="),
    "microsim_fast_speedup_vs_naive": (100.0, ">="),
    "aggregate_draws_per_s": (1000.0, ">="),
    "explorer_change_to_view_ms": (300.0, "<="),
    "explorer_multidim_change_to_view_ms": (300.0, "<="),
    "explorer_dated_year_2027_change_to_view_ms": (300.0, "<="),
    "explorer_dated_year_2026_change_to_view_ms": (300.0, "<="),
    "explorer_dated_every_year_change_to_view_ms": (300.0, "<="),
    "explorer_crossing_year_2027_change_to_view_ms": (300.0, "<="),
    "explorer_crossing_year_2024_change_to_view_ms": (300.0, "<="),
    "multidim_expected_ms_per_scenario_year": (50.0, "<="),
    "multidim_expected_ms_per_scenario_year_cpu": (50.0, "<="),
    "multidim_expected_speedup_vs_numpy": (60.0, ">="),
    "microsim_deprivation_ns_per_household_year": (30.0, "<="),
    "microsim_deprivation_ns_per_household_year_cpu": (30.0, "<="),
    "microsim_deprivation_peak_bytes_per_household_1e5": (32.0, "<="),
    # the same figure at scale: at 10^5 the returned tables (about 3.1 MB whatever the number of
    # households: 31 of the 52 bytes a household) dominate; the marginal figure is what a household adds
    "microsim_deprivation_peak_bytes_per_household_1e6": (32.0, "<="),
    "microsim_deprivation_marginal_bytes_per_household": (32.0, "<="),
    "microsim_targeted_ns_per_household_year": (50.0, "<="),
    "microsim_targeted_ns_per_household_year_cpu": (50.0, "<="),
    "multidim_uncertainty_draws": (200.0, ">="),
}


def median_time(fn, repeats: int, number: int = 1) -> float:
    """Median seconds per call over `repeats` timings of `number` calls."""
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        ts.append((time.perf_counter() - t0) / number)
    return float(np.median(ts))


def caobang_model():
    from simlib.model import compile_model
    from simlib.scenario import load_scenario

    return compile_model(load_scenario(ROOT / "params" / "scenarios" / "plan_2024.yaml"))


def bench_expected(res: dict, quick: bool) -> None:
    from simlib.engines import run_expected

    m = caobang_model()
    run_expected(m, m.spend)  # compile (numba caches the machine code on disk) before timing
    res["expected_us_per_scenario"] = median_time(lambda: run_expected(m, m.spend), 9 if quick else 31, 20) * 1e6
    res["expected_numpy_reference_us_per_scenario"] = (
        median_time(lambda: run_expected(m, m.spend, backend="numpy"), 5 if quick else 15, 5) * 1e6
    )
    S = 1000
    sp = m.spend[None] * np.random.default_rng(0).uniform(0, 2, (S, 1, m.spend.shape[1], 1))
    # a sweep keeps stocks, reach and coverage per scenario; flows (the largest output) are skipped
    res["expected_sweep_scenarios_per_s"] = S / median_time(
        lambda: run_expected(m, sp, keep_flows=False), 3 if quick else 7
    )
    res["expected_sweep_with_flows_scenarios_per_s"] = S / median_time(lambda: run_expected(m, sp), 3 if quick else 7)


def scaled_model(m, households: float):
    """The Cao Bằng model with every baseline count scaled to about `households` in all."""
    n0 = np.round(m.n0 * households / m.n0.sum())
    return replace(m, structure=replace(m.structure, n0=n0))


def naive_state_step(group, state, u, t1, t2, dest, moves) -> None:
    """Reference: the kernel's transition rule, one household at a time in plain Python."""
    for i in range(len(group)):
        c = int(group[i]) * 6 + int(state[i])
        x = int(u[i])
        j = (x >= int(t1[c])) + (x >= int(t2[c]))
        moves[c * 3 + j] += 1
        state[i] = dest[int(state[i]) * 3 + j]


def bench_microsim(res: dict, quick: bool) -> None:
    from simlib.engines.expected import YearStep
    from simlib.engines.kernel import DEST, simulate_fast, step_households, synthesise, thresholds, uniforms
    from simlib.engines.reach import acting_money

    base = caobang_model()
    sizes = (1e5, 1e6) if quick else (1e5, 1e6, 1e7)
    for N in sizes:
        m = scaled_model(base, N)
        n_hh = int(m.n0.sum())
        step = YearStep(m, 1, m.effects[None])
        P = step(m.n0[None].astype(float), acting_money(m, m.spend[None])[:, 0], 0).P[0]
        rng = np.random.default_rng(1)
        hh = synthesise(m)
        tag = f"1e{int(np.log10(N))}"
        for backend in ("numba", "numpy"):
            t = median_time(lambda: step_households(hh, P, rng, backend=backend), 3 if N >= 1e7 else 7)
            res[f"microsim_fast_state_step_ns_per_household_year_{tag}{'' if backend == 'numba' else '_numpy'}"] = (
                t / n_hh * 1e9
            )
        Y = len(m.years)
        t = median_time(lambda: simulate_fast(m, m.spend, np.random.default_rng(2)), 3)
        res[f"microsim_fast_full_ns_per_household_year_{tag}"] = t / (n_hh * Y) * 1e9
        res[f"microsim_fast_peak_bytes_per_household_{tag}"] = (
            peak_bytes(lambda: simulate_fast(m, m.spend, np.random.default_rng(3))) / n_hh
        )
    res["microsim_fast_peak_bytes_per_household"] = res[f"microsim_fast_peak_bytes_per_household_{tag}"]
    # naive reference on 10^5 households, in the same run, same rule, same random numbers
    m = scaled_model(base, 1e5)
    step = YearStep(m, 1, m.effects[None])
    P = step(m.n0[None].astype(float), acting_money(m, m.spend[None])[:, 0], 0).P[0]
    hh = synthesise(m)
    t1, t2 = thresholds(P)
    u = uniforms(np.random.default_rng(0), hh.size)
    moves = [0] * (len(t1) * 3)
    group, state = hh.group[: hh.size].tolist(), hh.state[: hh.size].tolist()
    t0 = time.perf_counter()
    naive_state_step(group, state, u.tolist(), t1.tolist(), t2.tolist(), DEST.ravel().tolist(), moves)
    naive_ns = (time.perf_counter() - t0) / hh.size * 1e9
    res["naive_python_ns_per_household_year"] = naive_ns
    res["microsim_fast_speedup_vs_naive"] = naive_ns / res["microsim_fast_state_step_ns_per_household_year_1e5"]
    for N in sizes:  # the same naive figure against the kernel at each size (fixed costs weigh at 10^5)
        tag = f"1e{int(np.log10(N))}"
        res[f"microsim_fast_speedup_vs_naive_{tag}"] = (
            naive_ns / res[f"microsim_fast_state_step_ns_per_household_year_{tag}"]
        )


def median_cpu(fn, repeats: int) -> float:
    """Median CPU seconds of this process (all its threads) per call over `repeats` calls."""
    ts = []
    for _ in range(repeats):
        c0 = time.process_time()
        fn()
        ts.append(time.process_time() - c0)
    return float(np.median(ts))


def reference_ratio(res: dict, engine, reference, Y: int, quick: bool) -> None:
    """The numpy reference per scenario-year and the engine's speed-up over it, in paired rounds:
    each of 5 rounds times the engine (median of 3) and then the reference once, and its ratio is the
    reference over the engine of the same minute; the figure is the median of the rounds' ratios,
    with their range. One reference run varied 1.6-2.1 s a year between runs a minute apart (memory
    traffic of other machines on the host moves it more than the compiled engine), which a ratio
    of two separate medians turned into 53-66x from run to run."""
    rounds = []
    for _ in range(1 if quick else 5):
        e_wall, e_cpu = median_time(engine, 3), median_cpu(engine, 3)
        w0, c0 = time.perf_counter(), time.process_time()
        reference()
        rounds.append((e_wall, e_cpu, time.perf_counter() - w0, time.process_time() - c0))
    r = np.array(rounds) / Y * 1e3  # ms per scenario-year: engine wall, engine CPU, reference wall, CPU
    res["multidim_expected_numpy_reference_ms_per_scenario_year"] = float(np.median(r[:, 2]))
    res["multidim_expected_numpy_reference_ms_per_scenario_year_cpu"] = float(np.median(r[:, 3]))
    ratios, ratios_cpu = r[:, 2] / r[:, 0], r[:, 3] / r[:, 1]
    res["multidim_expected_speedup_vs_numpy"] = float(np.median(ratios))
    res["multidim_expected_speedup_vs_numpy_rounds"] = [round(float(x), 1) for x in ratios]
    res["multidim_expected_speedup_vs_numpy_cpu"] = float(np.median(ratios_cpu))


def bench_multidim(res: dict, quick: bool) -> None:
    """The multidimensional expected engine on multidim_2030 (Cao Bằng): the compiled engine
    (`simlib.engines.multidim_jit`) per scenario-year, alone and in a batch of 8 scenarios, and
    the numpy reference (the engine before it, kept as `backend="numpy"`) in the same run; wall
    and CPU time (CPU time counts every thread: on 2 cores it can exceed the wall time), the load
    average before and after, and with `SIMLIB_BENCH_BEFORE` the engine of another source tree
    (`benchmarks.multidim_run.engine_before`)."""
    from simlib.engines.multidim_expected import run_multidim_expected
    from simlib.runner import compile_run_model
    from simlib.scenario import load_scenario

    res["multidim_load_average_before"] = list(os.getloadavg())
    _, mm = compile_run_model(load_scenario(ROOT / "params" / "scenarios" / "multidim_2030.yaml"))
    spend = mm.base.spend
    Y = len(mm.base.years)
    run_multidim_expected(mm, spend)  # compile (numba caches the machine code on disk) before timing
    reps = 3 if quick else 5
    res["multidim_expected_ms_per_scenario_year"] = (
        median_time(lambda: run_multidim_expected(mm, spend), reps) / Y * 1e3
    )
    cpu = median_cpu(lambda: run_multidim_expected(mm, spend), reps)
    res["multidim_expected_ms_per_scenario_year_cpu"] = cpu / Y * 1e3
    batch = spend[None] * np.linspace(0.5, 1.5, 8)[:, None, None, None]
    t = median_time(lambda: run_multidim_expected(mm, batch), 1 if quick else 3)
    res["multidim_expected_batch8_ms_per_scenario_year"] = t / (8 * Y) * 1e3
    cpu = median_cpu(lambda: run_multidim_expected(mm, batch), 1)
    res["multidim_expected_batch8_ms_per_scenario_year_cpu"] = cpu / (8 * Y) * 1e3
    reference_ratio(
        res,
        lambda: run_multidim_expected(mm, spend),
        lambda: run_multidim_expected(mm, spend, backend="numpy"),
        Y,
        quick,
    )
    engine_before(res, reps)  # the same engine timing of SIMLIB_BENCH_BEFORE's tree, if set
    engine_side_by_side(res, reps)  # and both trees alternating on multidim_2030 and plan_2027
    res["multidim_load_average_after"] = list(os.getloadavg())


def machine() -> dict:
    """What the figures were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    numba = importlib.util.find_spec("numba")
    return {
        "machine": platform.platform(),
        "cpu_model": cpu,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "numba": __import__("numba").__version__ if numba else None,
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "openblas_env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
    }


def bench_aggregate(res: dict, quick: bool) -> None:
    from simlib.engines import run_aggregate

    m = caobang_model()
    S = 500
    res["aggregate_draws_per_s"] = S / median_time(
        lambda: run_aggregate(m, m.spend, draws=S, seed=1), 3 if quick else 5
    )


def _simlib(*args) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "simlib", *args], check=True, capture_output=True)
    return time.perf_counter() - t0


def bench_batch(res: dict, quick: bool) -> None:
    """`simlib batch` on 10 scenarios (the bundled ones, each twice), serial and --jobs 2.
    Whatever batch renders (tables now; reports once they exist) is what is timed."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scen"
        folder.mkdir()
        src = sorted((ROOT / "params" / "scenarios").glob("*.yaml"))
        for i in range(10):
            f = src[i % len(src)]
            text = f.read_text(encoding="utf-8").replace("dataset: caobang", "dataset: caobang")
            import yaml

            raw = yaml.safe_load(text)
            raw["name"] = f"{raw['name']}_{i}"
            (folder / f"s{i}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        for jobs in (1, 2):
            out = Path(tmp) / f"out{jobs}"
            t = _simlib("batch", str(folder), "--out", str(out), "--jobs", str(jobs))
            res[f"batch_10_scenarios_s_jobs{jobs}"] = t
        res["batch_s_per_scenario_report"] = res["batch_10_scenarios_s_jobs1"] / 10


def bench_optimiser(res: dict, quick: bool) -> None:
    if importlib.util.find_spec("simlib.cli.optimize") is None:
        res["optimiser_s_to_optimum"] = None
        return
    try:
        with tempfile.TemporaryDirectory() as tmp:
            res["optimiser_s_to_optimum"] = _simlib(
                "optimize", str(ROOT / "params" / "scenarios" / "plan_2024.yaml"), "--out", tmp
            )
    except Exception as exc:  # noqa: BLE001 - the optimiser's CLI is another issue's; report, don't fail
        res["optimiser_s_to_optimum"] = None
        res["optimiser_error"] = str(exc)[:200]


def bench_national(res: dict, quick: bool) -> None:
    """One national year (~27.8 million households), microsim-fast, chunks of 8 provinces on
    local processes (2 workers)."""
    from simlib.engines import get_engine
    from simlib.model import compile_model
    from simlib.national import run_chunked
    from simlib.options import RunOptions
    from simlib.scenario import load_scenario

    spec = importlib.util.spec_from_file_location("build_national", ROOT / "data" / "national" / "build_national.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with tempfile.TemporaryDirectory() as tmp:
        mod.build(Path(tmp) / "generated", scale=0.05 if quick else 1.0)
        shutil.copy(ROOT / "data" / "national" / "national_2024.yaml", Path(tmp) / "national_2024.yaml")
        m = compile_model(load_scenario(Path(tmp) / "national_2024.yaml"))
        res["national_households"] = float(m.n0.sum())
        t0 = time.perf_counter()
        run_chunked(m, m.spend, get_engine("microsim-fast"), RunOptions(seed=0, chunk=8, executor="local", jobs=2))
        res["national_s_per_year"] = (time.perf_counter() - t0) / len(m.years)


def bench_national_multidim(res: dict, quick: bool) -> None:
    """One national year of the multidimensional model (expected engine; its cost grows with the
    groups, not the households), chunks of 8 provinces on local processes (2 workers): seconds per
    year and the peak bytes traced in one chunk's task (what a worker holds at once)."""
    from simlib.engines import get_engine
    from simlib.national import run_chunk, run_chunked, unit_slice
    from simlib.options import RunOptions
    from simlib.runner import compile_run_model
    from simlib.scenario import load_scenario

    spec = importlib.util.spec_from_file_location("build_national", ROOT / "data" / "national" / "build_national.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with tempfile.TemporaryDirectory() as tmp:
        mod.build(Path(tmp) / "generated", scale=0.05 if quick else 1.0)
        shutil.copy(ROOT / "data" / "national" / "national_2024.yaml", Path(tmp) / "national_2024.yaml")
        scen = load_scenario(Path(tmp) / "national_2024.yaml", set_overrides=["model=multidim"])
        _, mm = compile_run_model(scen)
        res["national_multidim_households"] = float(mm.base.n0.sum())
        engine = get_engine("expected")
        t0 = time.perf_counter()
        run_chunked(mm, mm.spend, engine, RunOptions(seed=0, chunk=8, executor="local", jobs=2))
        res["national_multidim_s_per_year"] = (time.perf_counter() - t0) / len(mm.base.years)
        part = unit_slice(mm, np.arange(8))
        res["national_multidim_peak_bytes_per_chunk_of_8"] = float(
            peak_bytes(lambda: run_chunk(part, mm.spend[..., :8], engine, 1, 0))
        )


def bench_explorer(res: dict, quick: bool) -> None:
    from benchmarks.explorer import bench_explorer as run

    run(res, quick)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("--quick", action="store_true", help="fewer repeats, no 10^7 households, 5 %% national size")
    ap.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="expected expected_pair microsim households multidim_draws multidim plan_2027_run aggregate batch optimiser national "
        "national_multidim explorer",
    )
    args = ap.parse_args(argv)
    res: dict = {}
    if args.only is not None and RESULTS.exists():  # a partial run updates the figures it measures
        res = json.loads(RESULTS.read_text(encoding="utf-8"))
    if args.only is None:  # the machine keys describe a whole run; each part also notes its own
        res |= machine()
    parts = {
        "expected": bench_expected,
        "expected_pair": bench_expected_pair,
        "microsim": bench_microsim,
        "households": bench_households,
        "multidim_draws": bench_multidim_draws,
        "multidim": bench_multidim,
        "plan_2027_run": bench_plan_2027_run,
        "aggregate": bench_aggregate,
        "batch": bench_batch,
        "optimiser": bench_optimiser,
        "national": bench_national,
        "national_multidim": bench_national_multidim,
        "explorer": bench_explorer,
    }
    for name, fn in parts.items():
        if args.only is None or name in args.only:
            print(f"… {name}", file=sys.stderr, flush=True)
            res.setdefault("measured_on", {})[name] = machine()  # load when the part starts
            fn(res, args.quick)
    print(f"{'figure':58s} {'value':>14s}  target")
    for k, v in res.items():
        if isinstance(v, (dict, str, list)) or k in ("cpus",):
            continue
        tgt = TARGETS.get(k)
        mark = ""
        if tgt and v is not None:
            ok = v <= tgt[0] if tgt[1] == "<=" else v >= tgt[0]
            mark = f"{tgt[1]} {tgt[0]:g}  {'met' if ok else 'NOT met'}"
        print(f"{k:58s} {('skipped' if v is None else f'{v:14.4g}'):>14s}  {mark}")
    res["targets"] = {k: {"target": t, "comparison": c} for k, (t, c) in TARGETS.items()}
    RESULTS.write_text(json.dumps(res, indent=2), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
