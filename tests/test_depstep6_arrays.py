"""The household engines' array check (`benchmarks/households_arrays.py`, issue 18's bit-identity
rule for the deprivation household engine): each step's outputs and the generator's next draws
are saved under their own names, the same code gives the same bytes, and a changed draw is seen."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from benchmarks.households import _load, scaled
from benchmarks.households_arrays import STEPS, _steps
from benchmarks.multidim_arrays import differences


def _small():
    _, mm0 = _load("multidim_2030")
    return replace(mm0, base=scaled(mm0.base, 3e3))


def test_each_step_saves_its_outputs_and_the_generators_next_draws():
    mm, out = _small(), {}
    _steps(mm, "3000", out)
    G, K = mm.base.n0.shape
    L = len(mm.base.line_codes)
    for y, seed, _ in STEPS:
        name = f"dep.3000.step{y}_{seed}"
        for f in ("group", "state", "income", "mask"):
            assert out[f"{name}.households.{f}"].size == out[f"dep.3000.population.{f}"].size
        assert out[f"{name}.removed"].shape == (L, G, 12)
        assert out[f"{name}.flows"].shape == (G, K, K)
        assert out[f"{name}.reached"].shape == out[f"{name}.eligible"].shape
        assert out[f"{name}.next_raw"].dtype == np.uint64 and out[f"{name}.next_raw"].size == 4
    # the steps draw different numbers, and the same code gives the same bytes
    assert not np.array_equal(out["dep.3000.step0_6.next_raw"], out["dep.3000.step1_21.next_raw"])
    again: dict = {}
    _steps(mm, "3000", again)
    assert differences(out, again)[1] == 0


def test_a_draw_more_or_less_is_a_difference():
    mm, out = _small(), {}
    _steps(mm, "3000", out)
    moved = dict(out)
    rng = np.random.default_rng(STEPS[0][1])
    rng.bit_generator.random_raw()  # one raw output out of place: every later draw moves
    moved["dep.3000.step0_6.next_raw"] = rng.bit_generator.random_raw(4)
    assert differences(out, moved)[1] == 1
