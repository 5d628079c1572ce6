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

from functools import cached_property

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


def _half_product(p: np.ndarray, bits: range) -> np.ndarray:
    """(..., 2**len(bits)) probabilities of the patterns of `bits` (lowest bit first), independent."""
    out = np.ones(p.shape[:-1] + (1,))
    for j in bits:
        pj = p[..., j : j + 1]
        out = np.concatenate([out * (1.0 - pj), out * pj], axis=-1)
    return out


def product_distribution(p: np.ndarray) -> np.ndarray:
    """Distribution (..., 4096) of masks whose bits are independent with probabilities p (..., 12):
    the outer product of the distributions of the low and the high six bits."""
    p = np.asarray(p, float)
    half = N_INDICATORS // 2
    lo = _half_product(p, range(half))
    hi = _half_product(p, range(half, N_INDICATORS))
    return (hi[..., :, None] * lo[..., None, :]).reshape(p.shape[:-1] + (N_MASKS,))


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


__all__ = [
    "N_MASKS",
    "COUNT",
    "INDICATOR_MATRIX",
    "DIMENSION_MATRIX",
    "COUNT_MATRIX",
    "INDICATORS",
    "product_distribution",
    "count_window",
    "flip_bits",
    "clear_bits",
    "mix_clear_bits",
    "indicator_bits",
    "bits_list",
]


# --- income held jointly with a key of the mask ---------------------------------------------------
class JointSpace:
    """Keys that income is held jointly with, in the expected engine.

    The expected engine keeps, per cell-state, households by mask M (..., 4096) and households by
    (key, income bin) H (..., n_keys, B), where a mask's key is its number of deprivations and the
    state of the `linked` bits (the flags that income-raising lines also clear, e.g. employment).
    Given the key, income is taken as independent of the rest of the mask. Classification needs
    only the count, so it is exact; the linked bits keep the correlation that a line raising income
    AND clearing a flag of the same households creates. The operations below keep
    H.sum(-1) == M @ key_matrix.
    """

    def __init__(self, linked_bits: int = 0):
        self.linked = bits_list(linked_bits)
        self.n_linked = 1 << len(self.linked)
        self.n_keys = (N_INDICATORS + 1) * self.n_linked
        e = np.zeros(N_MASKS, np.int64)
        for i, j in enumerate(self.linked):
            e |= ((MASKS >> j) & 1) << i
        #: (4096,) key of every mask
        self.key_of = COUNT * self.n_linked + e
        #: (n_keys,) number of deprivations of every key
        self.key_count = np.arange(self.n_keys) // self.n_linked
        self.key_matrix = (self.key_of[:, None] == np.arange(self.n_keys)[None, :]).astype(float)
        keys = np.arange(self.n_keys)
        c, ee = keys // self.n_linked, keys % self.n_linked
        self.up = np.zeros((N_INDICATORS, self.n_keys, self.n_keys))
        self.down = np.zeros((N_INDICATORS, self.n_keys, self.n_keys))
        for j in range(N_INDICATORS):
            ebit = 1 << self.linked.index(j) if j in self.linked else 0
            k_up = np.minimum(c + 1, N_INDICATORS) * self.n_linked + (ee | ebit)
            k_dn = np.maximum(c - 1, 0) * self.n_linked + (ee & ~ebit)
            self.up[j, keys, k_up] = 1.0
            self.down[j, keys, k_dn] = 1.0
        #: (12, n_keys) key after clearing bit j (the `down` matrices as an index)
        self.down_key = np.argmax(self.down, axis=2)
        #: (n_keys,) keys that masks can have: |linked part| <= count <= |linked part| + unlinked bits
        e_size = COUNT[keys % self.n_linked]  # linked flags set
        self.valid = (self.key_count >= e_size) & (self.key_count - e_size <= N_INDICATORS - len(self.linked))
        self._flip_cache: dict = {}

    @cached_property
    def bit_key(self) -> np.ndarray:
        """(12, 4096, n_keys): 1.0 where mask m has bit j and key k (built when first used)."""
        return INDICATOR_MATRIX.T[:, :, None] * self.key_matrix[None, :, :]

    def counts(self, M: np.ndarray) -> np.ndarray:
        """Households by key (..., n_keys)."""
        return M @ self.key_matrix

    def initial(self, M: np.ndarray, H: np.ndarray) -> np.ndarray:
        """(..., n_keys, B) joint array of masks M (..., 4096) and income H (..., B) independent;
        M and H are distributions (sum to 1) or M carries the households."""
        return self.counts(M)[..., :, None] * H[..., None, :]

    def bit_op(self, M: np.ndarray, H: np.ndarray, j: int, up, down) -> None:
        """In place: bit j goes 0 -> 1 with probability `up`, 1 -> 0 with `down` (scalars or arrays
        broadcastable to M.shape[:-1]); households change key with their income."""
        nk = self.counts(M)
        d1 = M @ self.bit_key[j]
        up = np.asarray(up, float)
        down = np.asarray(down, float)
        upk = up[..., None] if up.ndim else up
        downk = down[..., None] if down.ndim else down
        with np.errstate(invalid="ignore", divide="ignore"):
            u = np.where(nk > 0, upk * (nk - d1) / nk, 0.0)
            d = np.where(nk > 0, downk * d1 / nk, 0.0)
        Hu = H * u[..., None]
        Hd = H * d[..., None]
        H -= Hu
        H -= Hd
        if np.any(u):
            H += np.matmul(self.up[j].T, Hu)
        if np.any(d):
            H += np.matmul(self.down[j].T, Hd)
        v = _split(M, j)
        x0, x1 = v[..., 0, :], v[..., 1, :]
        up2 = up[..., None, None] if up.ndim else up
        down2 = down[..., None, None] if down.ndim else down
        net = x1 * down2
        net -= x0 * up2
        x0 += net
        x1 -= net

    def _flip_key_transition(self, gain: np.ndarray, loss: np.ndarray) -> np.ndarray:
        """(4096, n_keys): probability that mask m has each key after one year's flips."""
        key = (tuple(np.round(gain, 15)), tuple(np.round(loss, 15)))
        if key not in self._flip_cache:
            T = np.zeros((N_MASKS, N_INDICATORS + 1, self.n_linked))
            T[:, 0, 0] = 1.0
            for j in range(N_INDICATORS):
                has = INDICATOR_MATRIX[:, j]
                p1 = (has * (1 - loss[j]) + (1 - has) * gain[j])[:, None, None]
                new = T * (1 - p1)
                shifted = np.zeros_like(T)
                shifted[:, 1:] = T[:, :-1]
                if j in self.linked:
                    ebit = 1 << self.linked.index(j)
                    moved = np.zeros_like(shifted)
                    src = [e for e in range(self.n_linked) if not e & ebit]
                    moved[:, :, [e | ebit for e in src]] = shifted[:, :, src]
                    shifted = moved
                T = new + shifted * p1
            self._flip_cache[key] = T.reshape(N_MASKS, self.n_keys)
        return self._flip_cache[key]

    def split_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """(4096,) linked part e and unlinked part u of every mask, each as a compact bit pattern
        (bit i = the i-th linked, resp. unlinked, indicator)."""
        unlinked = [j for j in range(N_INDICATORS) if j not in self.linked]
        e = np.zeros(N_MASKS, np.int64)
        u = np.zeros(N_MASKS, np.int64)
        for i, j in enumerate(self.linked):
            e |= ((MASKS >> j) & 1) << i
        for i, j in enumerate(unlinked):
            u |= ((MASKS >> j) & 1) << i
        return e, u

    def flip_factors(self, gain: np.ndarray, loss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The yearly flips' key transition in factors (bits flip independently):
        Pl (n_linked, n_linked) probability that linked pattern e becomes e', and Pu (2**nu, nu + 1)
        probability that unlinked pattern u has c deprivations after the flips (nu unlinked
        indicators). `_flip_key_transition` is their product on keys."""
        unlinked = [j for j in range(N_INDICATORS) if j not in self.linked]
        Pl = np.ones((self.n_linked, self.n_linked))
        pats = np.arange(self.n_linked)
        for i, j in enumerate(self.linked):
            bit = (pats >> i) & 1
            P = np.array([[1 - gain[j], gain[j]], [loss[j], 1 - loss[j]]])
            Pl *= P[bit[:, None], bit[None, :]]
        nu = len(unlinked)
        Pu = np.zeros((1 << nu, nu + 1))
        Pu[:, 0] = 1.0
        us = np.arange(1 << nu)
        for i, j in enumerate(unlinked):
            p1 = np.where((us >> i) & 1, 1 - loss[j], gain[j])[:, None]
            Pu = Pu * (1 - p1) + np.concatenate([np.zeros((1 << nu, 1)), Pu[:, :-1]], axis=1) * p1
        return Pl, Pu

    def flip(self, M: np.ndarray, H: np.ndarray, gain: np.ndarray, loss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every bit's yearly gain / loss, all bits at once as in the microsim: masks exactly
        (Kronecker product), income by key through the key-to-key transition of each cell."""
        T = self._flip_key_transition(np.asarray(gain, float), np.asarray(loss, float))
        nk = self.counts(M)
        C = np.zeros(M.shape[:-1] + (self.n_keys, self.n_keys))
        for k in np.unique(self.key_of):
            sel = self.key_of == k
            C[..., k, :] = M[..., sel] @ T[sel]
        with np.errstate(invalid="ignore", divide="ignore"):
            R = np.where(nk[..., None] > 0, C / nk[..., None], 0.0)  # key -> key' probabilities
        H2 = np.matmul(np.swapaxes(R, -1, -2), H)
        return flip_bits(M, gain, loss), H2
