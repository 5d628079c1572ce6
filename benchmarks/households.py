"""Household engines' benchmarks: the targeted microsimulation (`microsim`), the deprivation
household engine (`multidim_microsim`), each beside its reference implementation (the numpy
engine before the compiled passes, `benchmarks.reference_kernels`) in the same run, and the
multidimensional uncertainty run (>= 200 parameter draws, seconds per draw).

Figures are wall-clock medians; on a shared machine they also carry the process's CPU time
(`*_cpu`), which other processes' load inflates less, and the load average before and after.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def median_times(fn, repeats: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds per call of `fn()` over `repeats` calls (after one)."""
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return float(np.median(wall)), float(np.median(cpu))


def generators(seed: int, repeats: int):
    """`median_times`'s repeats + 1 calls' generators, each `default_rng(seed)`, made before the
    timing: a step's figure is the step's, not the making of its generator (a SeedSequence and a
    PCG64, about 50 µs: 0.5 ns per household-year at 10⁵), for the engine and its reference alike."""
    return iter([np.random.default_rng(seed) for _ in range(repeats + 1)])


def peak_bytes(fn) -> int:
    """Peak bytes Python-traced allocations (numpy arrays included) reach while `fn()` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def scaled(m, households: float):
    """A model with every baseline count scaled to about `households` in all."""
    n0 = np.round(m.n0 * households / m.n0.sum())
    return replace(m, structure=replace(m.structure, n0=n0))


def _load(name: str):
    from simlib.runner import compile_run_model
    from simlib.scenario import load_scenario

    return compile_run_model(load_scenario(ROOT / "params" / "scenarios" / f"{name}.yaml"))


def _record(res: dict, key: str, times: tuple[float, float], per: float) -> None:
    res[key] = times[0] / per * 1e9
    res[key + "_cpu"] = times[1] / per * 1e9


def bench_targeted(res: dict, quick: bool) -> None:
    """Microsimulation with priority targeting on plan_2024 scaled to 10^5 (and 10^6)
    households: a whole projection per household-year, and the reference engine on 10^5."""
    from benchmarks.reference_kernels import microsim_simulate
    from simlib.engines.microsim import simulate

    base, _ = _load("plan_2024")
    for N in (1e5,) if quick else (1e5, 1e6):
        m = scaled(base, N)
        per = m.n0.sum() * len(m.years)
        tag = f"1e{int(np.log10(N))}"
        _record(res, f"microsim_targeted_ns_per_household_year_{tag}", median_times(
            lambda: simulate(m, m.spend, np.random.default_rng(4)), 3 if N < 1e6 else 1), per)  # fmt: skip
        if N == 1e5:
            t = median_times(lambda: microsim_simulate(m, m.spend, np.random.default_rng(4)), 1 if quick else 3)
            _record(res, "microsim_targeted_reference_ns_per_household_year_1e5", t, per)
    for suffix in ("", "_cpu"):  # headline figures: wall clock and the process's CPU time
        res["microsim_targeted_ns_per_household_year" + suffix] = res[
            "microsim_targeted_ns_per_household_year_1e5" + suffix
        ]
    res["microsim_targeted_speedup_vs_reference"] = (
        res["microsim_targeted_reference_ns_per_household_year_1e5"]
        / res["microsim_targeted_ns_per_household_year_1e5"]
    )


def profile_deprivation_step(res: dict, mm, hh, sp0, tag: str) -> None:
    """Where a step's CPU time goes, per household: the programme step (who the lines reach,
    `household_reach.reach_bits`), the float32 normal draws of the incomes (drawn in the year
    pass, `pcg64_normals`; timed as the same draws filling an array), and the rest of `advance`
    (the compiled year pass and its arrays)."""
    from simlib.engines import household_reach as hr
    from simlib.engines.multidim_microsim import advance
    from simlib.engines.pcg64_normals import standard_normal_f32

    tab = hr.tables(mm.base, mm.line_bits * mm.targeted)
    n = float(len(hh))

    def reach():
        return hr.reach_bits(mm.base, tab, sp0, hh.group, hh.state, hh.mask, np.random.default_rng(6), None, False)

    r = reach()
    t_reach = median_times(reach, 5)[1]
    t_adv = median_times(lambda: advance(mm, hh, 0, r, np.random.default_rng(6)), 5)[1]
    t_z = median_times(lambda: standard_normal_f32(np.random.default_rng(6), len(hh)), 5)[1]
    res[f"microsim_deprivation_step_reach_ns_{tag}_cpu"] = t_reach / n * 1e9
    res[f"microsim_deprivation_step_normals_ns_{tag}_cpu"] = t_z / n * 1e9
    res[f"microsim_deprivation_step_pass_ns_{tag}_cpu"] = (t_adv - t_z) / n * 1e9


def bench_deprivation(res: dict, quick: bool) -> None:
    """The deprivation household engine (income and 12 flags per household) on multidim_2030
    scaled to 10^5 (and 10^6) households: one year's step beside the reference step, a whole
    projection, and peak traced memory per household — in all, and per added household between
    10^5 and 10^6 (the part that grows with the households, without the fixed output tables)."""
    from benchmarks.reference_kernels import multidim_step
    from simlib.engines.multidim_microsim import simulate_multidim, step, synthesise_population
    from simlib.engines.reach import acting_spend

    _, mm0 = _load("multidim_2030")
    peaks = {}
    for N in (1e5,) if quick else (1e5, 1e6):
        mm = replace(mm0, base=scaled(mm0.base, N))
        spend, n_hh, Y = mm.base.spend, float(mm.base.n0.sum()), len(mm.base.years)
        tag = f"1e{int(np.log10(N))}"
        hh = synthesise_population(mm, np.random.default_rng(5))
        sp0 = acting_spend(mm.base, spend)[0]
        # a step is 3 ms at 10^5 (about 25 at 10^6): the median of many steps, as the machine's
        # noise moved the median of five by ±10 % between quiet runs of the same code
        repeats = 31 if N < 1e6 else 7
        rngs = generators(6, repeats)
        t = median_times(lambda: step(mm, hh, 0, sp0, next(rngs)), repeats)
        _record(res, f"microsim_deprivation_step_ns_per_household_year_{tag}", t, n_hh)
        profile_deprivation_step(res, mm, hh, sp0, tag)
        if N == 1e5:
            rngs = generators(6, 3)
            t = median_times(lambda: multidim_step(mm, hh, 0, sp0, next(rngs)), 3)
            _record(res, "microsim_deprivation_reference_step_ns_per_household_year_1e5", t, n_hh)
        t = median_times(lambda: simulate_multidim(mm, spend, np.random.default_rng(7)), 1 if N >= 1e6 else 3)
        _record(res, f"microsim_deprivation_full_ns_per_household_year_{tag}", t, n_hh * Y)
        peaks[N] = (peak_bytes(lambda: simulate_multidim(mm, spend, np.random.default_rng(8))), n_hh)
        res[f"microsim_deprivation_peak_bytes_per_household_{tag}"] = peaks[N][0] / n_hh
    if len(peaks) == 2:
        (p5, n5), (p6, n6) = peaks[1e5], peaks[1e6]
        res["microsim_deprivation_marginal_bytes_per_household"] = (p6 - p5) / (n6 - n5)
    for suffix in ("", "_cpu"):
        key = "microsim_deprivation_step_ns_per_household_year_1e5" + suffix
        res["microsim_deprivation_ns_per_household_year" + suffix] = res[key]
    res["microsim_deprivation_speedup_vs_reference"] = (
        res["microsim_deprivation_reference_step_ns_per_household_year_1e5"]
        / res["microsim_deprivation_step_ns_per_household_year_1e5"]
    )


def bench_multidim_draws(res: dict, quick: bool) -> None:
    """Uncertainty over the multidimensional model: multidim_2030 (Cao Bằng, expected engine,
    with the no-programme counterfactual) over 200 parameter draws (20 with --quick), one
    process: seconds per draw."""
    from simlib.scenario import load_scenario
    from simlib.uncertainty.run import run_uncertainty

    n = 20 if quick else 200
    scen = load_scenario(ROOT / "params" / "scenarios" / "multidim_2030.yaml")
    run_uncertainty(scen, 2, engine="expected", jobs=1, rules=False)  # compile before timing
    res["multidim_uncertainty_load_average_before"] = list(os.getloadavg())
    w0, c0 = time.perf_counter(), time.process_time()
    run_uncertainty(scen, n, engine="expected", jobs=1, rules=False)
    res["multidim_uncertainty_draws"] = float(n)
    res["multidim_uncertainty_s_per_draw"] = (time.perf_counter() - w0) / n
    res["multidim_uncertainty_s_per_draw_cpu"] = (time.process_time() - c0) / n
    res["multidim_uncertainty_load_average_after"] = list(os.getloadavg())


def bench_households(res: dict, quick: bool) -> None:
    """All of the above, with the load average before and after."""
    res["households_load_average_before"] = list(os.getloadavg())
    bench_targeted(res, quick)
    bench_deprivation(res, quick)
    res["households_load_average_after"] = list(os.getloadavg())
