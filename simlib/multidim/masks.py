"""Distributions over the 4,096 deprivation bitmasks, and the yearly operations on them.

A household's 12 deprivation flags are one 12-bit mask (bit j = `simlib.standards.INDICATORS[j]`).
The expected engine holds, for every cell and state, the number of households with each mask:
an array (..., 4096). Every operation the microsimulation applies to a household's flags has an
exact counterpart here:

- `flip_bits`: each indicator independently becomes deprived with probability `gain` or stops
  being deprived with probability `loss` (one 2x2 Markov matrix per bit);
- `clear_bits`: each of a set of bits that is set is cleared independently with probability `r`
  (what a programme line does to a household it reaches);
- truncation by the number of deprivations (`COUNT`), for classification.

Index arithmetic: mask m has bit j set iff (m >> j) & 1. Reshaping the last axis to
(2**(11-j), 2, 2**j) puts bit j on the middle axis, so a per-bit operation is two slices.
"""
from __future__ import annotations

import numpy as np

from simlib.standards import DIMENSIONS, INDICATORS, N_INDICATORS, POPCOUNT, mask_of

N_MASKS = 1 << N_INDICATORS
MASKS = np.arange(N_MASKS, dtype=np.int64)
#: (4096,) number of deprivations of each mask
COUNT = POPCOUNT.astype(np.int64)
#: (4096, 12) 1.0 where the mask has the indicator
INDICATOR_MATRIX = ((MASKS[:, None] >> np.arange(N_INDICATORS)[None, :]) & 1).astype(float)
#: (4096, 6) 1.0 where the mask has at least one indicator of the dimension
DIMENSION_MATRIX = np.stack([(MASKS & mask_of(inds)) != 0 for inds in DIMENSIONS.values()], axis=1).astype(float)
#: (4096, 13) one-hot number of deprivations
COUNT_MATRIX = (COUNT[:, None] == np.arange(N_INDICATORS + 1)[None, :]).astype(float)


def product_distribution(p: np.ndarray) -> np.ndarray:
    """Distribution (..., 4096) of masks whose bits are independent with probabilities p (..., 12)."""
    p = np.asarray(p, float)
    out = np.ones(p.shape[:-1] + (N_MASKS,))
    for j in range(N_INDICATORS):
        bit = INDICATOR_MATRIX[:, j]
        out *= np.where(bit > 0, p[..., j:j + 1], 1.0 - p[..., j:j + 1])
    return out


def count_window(dist: np.ndarray, low: int, high: int) -> np.ndarray:
    """`dist` restricted to masks with low <= deprivations < high (not renormalised)."""
    keep = (COUNT >= low) & (COUNT < high)
    return dist * keep


def _split(M: np.ndarray, j: int) -> np.ndarray:
    lead = M.shape[:-1]
    return M.reshape(lead + (N_MASKS >> (j + 1), 2, 1 << j))


def _kron_half(gain: np.ndarray, loss: np.ndarray, bits: range) -> np.ndarray:
    """Transition matrix (64, 64) of six bits (highest bit first, as np.kron orders them)."""
    P = np.ones((1, 1))
    for j in reversed(bits):
        P = np.kron(P, np.array([[1 - gain[j], gain[j]], [loss[j], 1 - loss[j]]]))
    return P


def flip_bits(M: np.ndarray, gain: np.ndarray, loss: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Each bit j independently: 0 -> 1 with probability gain[j], 1 -> 0 with loss[j].

    M (..., 4096); gain, loss (12,) the same for every row. The 4096 x 4096 transition matrix is
    the Kronecker product of the 12 per-bit matrices, applied as two 64 x 64 products (bits 0-5
    and 6-11). Returns a new array (or writes into `out`, which may be M itself).
    """
    gain = np.asarray(gain, float)
    loss = np.asarray(loss, float)
    half = N_INDICATORS // 2
    P_lo = _kron_half(gain, loss, range(half))
    P_hi = _kron_half(gain, loss, range(half, N_INDICATORS))
    lead = M.shape[:-1]
    X = np.asarray(M, float).reshape(-1, 1 << (N_INDICATORS - half), 1 << half)
    Y = np.matmul(P_hi.T, np.matmul(X, P_lo))
    if out is None:
        return Y.reshape(lead + (N_MASKS,))
    out[...] = Y.reshape(lead + (N_MASKS,))
    return out


def clear_bits(M: np.ndarray, bits: int, r, out: np.ndarray | None = None) -> np.ndarray:
    """Every bit of `bits` that a mask has is cleared independently with probability r.

    M (..., 4096); r a scalar or an array broadcastable to M.shape[:-1]. Returns a new array
    (or writes into `out`, which may be M itself).
    """
    out = np.array(M, dtype=float, copy=True) if out is None else out
    if out is not M:
        out[...] = M
    r = np.asarray(r, float)
    rr = r[..., None, None] if r.ndim else r
    for j in range(N_INDICATORS):
        if not (bits >> j) & 1:
            continue
        v = _split(out, j)
        moved = v[..., 1, :] * rr
        v[..., 0, :] += moved
        v[..., 1, :] -= moved
    return out


def mix_clear_bits(M: np.ndarray, bits: int, r, c, work: np.ndarray | None = None) -> np.ndarray:
    """In place: a share c (broadcastable to M.shape[:-1]) of the households has
    `clear_bits(., bits, r)` applied, the rest is unchanged. Returns the change M_after - M_before
    (in `work` if given)."""
    work = clear_bits(M, bits, r, out=work)
    work -= M
    work *= np.asarray(c, float)[..., None]
    M += work
    return work


def indicator_bits(names) -> int:
    """Bitmask of indicator names (alias of simlib.standards.mask_of)."""
    return mask_of(names)


def bits_list(bits: int) -> list[int]:
    """Indices j of the set bits."""
    return [j for j in range(N_INDICATORS) if (bits >> j) & 1]


__all__ = ["N_MASKS", "COUNT", "INDICATOR_MATRIX", "DIMENSION_MATRIX", "COUNT_MATRIX", "INDICATORS",
           "product_distribution", "count_window", "flip_bits", "clear_bits", "mix_clear_bits", "indicator_bits", "bits_list"]
