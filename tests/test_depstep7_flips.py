"""The year pass's own changes of the indicators from each mask's row (`deprivation_kernels.
flip_rows`, `_first_change`, `_later_changes`) are `_flip`'s, draw for draw: the same mask and
the same stream state for every mask and many streams, with the model's probabilities, with
probabilities 0 and 1 (saturated thresholds), random ones, and the uniform 2³² - 1."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from simlib.engines.deprivation_kernels import (
    _first_change,
    _flip,
    _later_changes,
    flip_rows,
    no_change_thresholds,
)
from simlib.engines.household_reach import GAMMA, mix

MODEL_GAIN = np.array([0.01, 0.0075, 0.0075, 0.0075, 0.0015, 0.0075, 0.004, 0.004, 0.004, 0.004, 0.0075, 0.0075])
MODEL_LOSS = np.array([0.08, 0.06, 0.15, 0.15, 0.02, 0.15, 0.04, 0.04, 0.04, 0.04, 0.15, 0.1])
EDGE_GAIN = np.array([0.01, 0.2, 0.05, 0.0, 0.3, 0.01, 0.02, 0.5, 0.01, 0.1, 0.0, 0.04])
EDGE_LOSS = np.array([0.08, 0.06, 0.5, 1.0, 0.02, 0.15, 0.04, 0.3, 0.04, 0.04, 0.15, 0.1])
M64 = 2**64 - 1


@numba.njit
def _by_rows(mask, s, rows, probs):
    m2, s, j0, x = _first_change(mask, s, rows)
    return (m2, s) if j0 == 12 else _later_changes(mask, m2, j0, x, s, probs)


@numba.njit
def _differences(seeds, masks, table, gain, loss, rows, probs):
    bad = 0
    for m in masks:
        for s in seeds:
            a = _flip(np.uint16(m), table, gain, loss, s)
            b = _by_rows(np.uint16(m), s, rows, probs)
            bad += a[0] != b[0] or a[1] != b[1]
    return bad


def _unmix(z: int) -> int:
    """The state whose SplitMix64 output is z (`household_reach.mix` inverted)."""
    z ^= (z >> 31) ^ (z >> 62)
    z = (z * pow(0x94D049BB133111EB, -1, 2**64)) & M64
    z ^= (z >> 27) ^ (z >> 54)
    z = (z * pow(0xBF58476D1CE4E5B9, -1, 2**64)) & M64
    z ^= (z >> 30) ^ (z >> 60)
    return z


def _check(gain, loss, seeds):
    masks = np.arange(4096)
    table = no_change_thresholds(gain, loss)
    rows, probs = flip_rows(gain, loss, table)
    return _differences(seeds, masks, table, gain, loss, rows, probs)


def _seeds(n, key):
    return np.random.default_rng(key).integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


@pytest.mark.parametrize(
    "gain, loss",
    [
        (MODEL_GAIN, MODEL_LOSS),
        (EDGE_GAIN, EDGE_LOSS),
        (np.zeros(12), np.zeros(12)),  # nothing ever changes: every gate saturated
        (np.ones(12), np.ones(12)),  # everything changes
        (np.full(12, 0.5), np.full(12, 0.99)),
    ],
)
def test_rows_give_flips_draws_and_masks(gain, loss):
    assert _check(gain, loss, _seeds(300, 1)) == 0


def test_rows_give_flips_draws_with_random_probabilities():
    rng = np.random.default_rng(7)
    for _ in range(4):
        assert _check(rng.random(12) ** 3, rng.random(12) ** 2, _seeds(60, 2)) == 0


def test_the_last_uniform_takes_flips_own_loop():
    """u = 2³² - 1 (where a saturated threshold or gate may differ): streams whose first uniform
    is it, and whose second is each of a few values, for every mask."""
    firsts = [_unmix(0xFFFFFFFF << 32 | low) for low in (0, 12345, 0xFFFFFFFF)]
    seeds = np.array([(f - int(GAMMA)) & M64 for f in firsts], np.uint64)
    assert all(int(mix(np.uint64((int(s) + int(GAMMA)) & M64))) >> 32 == 0xFFFFFFFF for s in seeds)
    for gain, loss in ((MODEL_GAIN, MODEL_LOSS), (EDGE_GAIN, EDGE_LOSS), (np.zeros(12), np.zeros(12))):
        assert _check(gain, loss, seeds) == 0
    low = np.zeros(12)
    low[5] = 2.0**-40  # a product a hair under 1: its threshold rounds up to 2³², saturated
    assert _check(low, low, seeds) == 0


def test_rows_are_one_cache_line_per_mask():
    rows, probs = flip_rows(MODEL_GAIN, MODEL_LOSS, no_change_thresholds(MODEL_GAIN, MODEL_LOSS))
    assert rows.dtype == np.uint32 and rows.size == 4096 * 16 and probs.size == 24 + 4096


@numba.njit
def _pair_differences(masks, seeds, table, gain, loss, rows, probs):
    bad = 0
    for i in range(masks.size):
        m, s = np.uint16(masks[i]), seeds[i]
        a, b = _flip(m, table, gain, loss, s), _by_rows(m, s, rows, probs)
        bad += a[0] != b[0] or a[1] != b[1]
    return bad


def _at(first: int) -> np.uint64:
    """A stream state whose next output has these top 32 bits."""
    return np.uint64((_unmix(int(first) << 32 | 0x89ABCDEF) - int(GAMMA)) & M64)


@pytest.mark.parametrize("gain, loss", [(MODEL_GAIN, MODEL_LOSS), (EDGE_GAIN, EDGE_LOSS)])
def test_rows_are_exact_at_every_threshold(gain, loss):
    """First uniforms one under, at and one over each mask's gate and first-change thresholds
    (the row's entries; `_flip`'s running products times 2³²), for 200 masks."""
    table = no_change_thresholds(gain, loss)
    rows, probs = flip_rows(gain, loss, table)
    masks = np.random.default_rng(3).choice(4096, 200, replace=False)
    pairs = []
    for m in masks:
        for t in rows.reshape(4096, 16)[m, [*range(12), 15]].astype(np.int64):
            pairs += [(m, _at(u)) for u in (t - 1, t, t + 1) if 0 <= u < 2**32]
    ms, ss = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs], np.uint64)
    assert _pair_differences(ms, ss, table, gain, loss, rows, probs) == 0
