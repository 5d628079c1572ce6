"""A run's first year from a kept state copies only the cell-states not known all zero (issue 18,
`multidim_fill_kernels.copy_group`): the others are written with zeros, not read. Every output and
the handed-over state are the same bytes as a run that copies every state, whatever the arrays
copied into held before."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from simlib.engines import multidim_jit
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.engines.multidim_fill_kernels import copy_group, copy_into, zero_into
from simlib.engines.multidim_numba import compiled
from simlib.engines.multidim_review import ReviewedState
from tests.test_mdempty_vacancy import multidim_model, spend_of

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba is not installed")


@compiled
def copy_strided(dst, src):
    """`copy_into` and `zero_into` on arrays that are not contiguous (the loop path)."""
    copy_into(dst[:, ::2], src[:, ::2])
    zero_into(dst[:, 1::2])


def group(K: int = 6, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    Ms, Hs = rng.random((K, 64)), rng.random((K, 5, 7))
    return Ms, Hs, np.full_like(Ms, np.nan), np.full_like(Hs, np.nan)


@pytest.mark.parametrize("known", [0, 1, 0b100101, 0b111111, 0b010000])
def test_copy_group_zeros_the_known_states_and_copies_the_rest(known):
    Ms, Hs, M, H = group()
    for k in range(6):
        if (known >> k) & 1:
            Ms[k], Hs[k] = 7.0, 7.0  # not read: a known state's source is never looked at
    copy_group(M, H, Ms, Hs, known)
    for k in range(6):
        if (known >> k) & 1:
            assert not M[k].view(np.uint64).any() and not H[k].view(np.uint64).any()  # +0.0 bytes
        else:
            assert M[k].tobytes() == Ms[k].tobytes() and H[k].tobytes() == Hs[k].tobytes()


def test_copy_and_zero_of_arrays_not_contiguous():
    src, dst = np.arange(24.0).reshape(3, 8), np.full((3, 8), np.nan)
    copy_strided(dst, src)
    assert (dst[:, ::2] == src[:, ::2]).all() and not dst[:, 1::2].view(np.uint64).any()


def bytes_of(out) -> dict:
    got = {k: v for k, v in vars(out).items() if isinstance(v, np.ndarray)}
    got |= {f"multidim.{k}": v for k, v in vars(out.multidim).items() if isinstance(v, np.ndarray)}
    st = out.state
    return got | {"n": st.n, "built": st.built, "M": st.cells["M"], "H": st.cells["H"]}


@pytest.mark.parametrize("name", ["multidim_2030", "tiny"])
def test_a_run_from_a_kept_state_is_the_same_into_reused_arrays(name):
    mm = multidim_model(name)
    spend = spend_of(mm)[:1]
    start = min(2, len(mm.base.years) - 1)
    kept = run_multidim_expected(mm, spend, stop=start).state
    assert np.unpackbits(kept.vacancy.bits).any()  # some states known all zero: the skip is tested
    sp = spend.copy()
    sp[:, start:] *= 0.7
    dirty = {k: np.full_like(v, np.nan) for k, v in kept.cells.items()}
    known = run_multidim_expected(mm, sp, start=start, state=replace(kept, spare=False, into=dirty))
    plain = ReviewedState(**{k: v for k, v in vars(kept).items() if k != "vacancy"})  # no marks: copies all
    every = run_multidim_expected(mm, sp, start=start, state=replace(plain, spare=False, into=None))
    a, b = bytes_of(known), bytes_of(every)
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].tobytes() == b[k].tobytes(), k
