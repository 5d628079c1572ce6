"""`classify` (issue 18's mdclass: the flows' sums in registers, the shares' table by key, the
parts' lanes joined in registers, the bins' sums down the rows, two sources a pass) against the
form it replaced (main at e0146f3, kept here as the reference, compiled with the same `FAST`
maths), bit for bit: masks, incomes, flows and bins' sums, in place and not, with subsets of
the states holding households, with and without new households, lines at 0, inside and at B,
B not a multiple of four."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import reference_kernel

from simlib.engines import multidim_cell_kernels as cells
from simlib.engines import multidim_jit
from simlib.engines.multidim_numba import support, vadd, vbcast, vfma, vload, vmul, vstore, vzero
from simlib.multidim.masks import JointSpace

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba not installed")

_ref = reference_kernel


_ABOVE = (2, 5, 3, 4, 5, 5)


@_ref
def _former_classify(Mg, H3, review, keys, count, next_state, out_cells, fl, people, hs, work, occupied):
    """Classification at the review (review = (nb, k3): income <= line, the first nb bins; count ..."""
    sums, W, HI, src = work
    lanes = np.empty((1, 4))  # the former code's lanes, joined through memory
    K = Mg.shape[0]
    ns = 0
    for k in range(K):
        if K != 6 or next_state[k, 0] != 0 or next_state[k, 1] != 1 or next_state[k, 2] != _ABOVE[k]:
            raise ValueError("classify: next states not NEXT_STATE's")
        if (occupied >> k) & 1 and not cells.empty(Mg[k], H3[k]):  # no households: nothing flows
            src[ns] = k
            ns += 1
    _former_move_incomes(H3, out_cells[1], review, keys, next_state, src[:ns], sums, people, hs, lanes)
    _former_flows(review, keys, next_state, src[:ns], sums, fl)
    _former_share_tables(sums[0], keys[0], src[:ns], W)
    _former_split_masks(Mg, out_cells[0], W, keys[0], count, review[1], people, HI)


@_ref
def _former_move_incomes(H3, Hout, review, keys, next_state, src, sums, people, hs, lanes):
    """Every row Hout[d, q] (K, NK, B) written once: the sources' rows moved to it (the first nb ..."""
    nb, k3 = review
    key_count, valid = keys[1], keys[2]
    new, kd, inc0 = people[0], people[2], people[3]
    K, NK, B = Hout.shape
    kp, kn = next_state[0, 0], next_state[0, 1]
    S, R = H3.reshape(K * NK, B), Hout.reshape(K * NK, B)
    for d in range(K):
        _former_zero_span(hs, d, 0, B)
        b0, b1 = support(inc0[d])
        below = d == kp or d == kn
        lo, hi = (0, nb) if below else (nb, B)
        for q in range(NK):
            r = d * NK + q
            first = True
            if valid[q] and (not below or (key_count[q] >= k3) == (d == kp)):
                for t in range(src.shape[0]):
                    k = src[t]
                    if below or next_state[k, 2] == d:
                        if first:
                            sums[0 if below else 1, k, q] = _former_part_copy(S, R, k * NK + q, r, lo, hi, lanes)
                        else:
                            sums[0 if below else 1, k, q] = _former_part_sum(S, R, k * NK + q, r, lo, hi, lanes)
                        first = False
            if first:
                _former_zero_span(R, r, 0, B)
            else:
                _former_zero_span(R, r, 0, lo)
                _former_zero_span(R, r, hi, B)
            if new[d] != 0.0 and kd[d, q] != 0.0:
                _former_add_entering(R, r, inc0, d, new[d], kd[d, q], b0, b1)
            _former_add_row(hs, d, R, r)


@_ref
def _former_zero_span(A, r, lo, hi):
    """A[r, lo:hi] = 0.0 (A 2-d)."""
    top = hi - (hi - lo) % 4
    z = vzero()
    for j in range(lo, top, 4):
        vstore(A, r, j, z)
    for b in range(top, hi):
        A[r, b] = 0.0


@_ref
def _former_add_entering(R, r, inc0, d, x, w, b0, b1):
    """R[r, b0:b1] += x (w inc0[d, b0:b1]): state d's new households x with key share w (one ..."""
    top = b1 - (b1 - b0) % 4
    vx, vw = vbcast(x), vbcast(w)
    for j in range(b0, top, 4):
        vstore(R, r, j, vfma(vx, vmul(vw, vload(inc0, d, j)), vload(R, r, j)))
    for b in range(top, b1):
        R[r, b] += x * (w * inc0[d, b])


@_ref
def _former_add_row(hs, d, R, r):
    """hs[d] += R[r] (hs (K, B), R (rows, B))."""
    B = R.shape[1]
    top = B - B % 4
    for j in range(0, top, 4):
        vstore(hs, d, j, vadd(vload(hs, d, j), vload(R, r, j)))
    for b in range(top, B):
        hs[d, b] += R[r, b]


@_ref
def _former_part_sum(S, R, rs, r, lo, hi, lanes):
    """R[r, lo:hi] += S[rs, lo:hi], returning the sum of S[rs, lo:hi] in a fixed order: four ..."""
    s = vzero()
    top = hi - (hi - lo) % 4
    for j in range(lo, top, 4):
        x = vload(S, rs, j)
        vstore(R, r, j, vadd(vload(R, r, j), x))
        s = vadd(s, x)
    vstore(lanes, 0, 0, s)
    t = (lanes[0, 0] + lanes[0, 1]) + (lanes[0, 2] + lanes[0, 3])
    for b in range(top, hi):
        R[r, b] += S[rs, b]
        t += S[rs, b]
    return t


@_ref
def _former_part_copy(S, R, rs, r, lo, hi, lanes):
    """`_part_sum` into a row not written yet: R[r, lo:hi] = S[rs, lo:hi] (the same as adding ..."""
    s = vzero()
    top = hi - (hi - lo) % 4
    for j in range(lo, top, 4):
        x = vload(S, rs, j)
        vstore(R, r, j, x)
        s = vadd(s, x)
    vstore(lanes, 0, 0, s)
    t = (lanes[0, 0] + lanes[0, 1]) + (lanes[0, 2] + lanes[0, 3])
    for b in range(top, hi):
        R[r, b] = S[rs, b]
        t += S[rs, b]
    return t


@_ref
def _former_flows(review, keys, next_state, src, sums, fl):
    """fl (K, K): each source's households by next state (its keys' parts below the line to kp or ..."""
    k3 = review[1]
    key_count, valid = keys[1], keys[2]
    kp, kn = next_state[0, 0], next_state[0, 1]
    sb, sa = sums[0], sums[1]
    fl[:, :] = 0.0
    for t in range(src.shape[0]):
        k = src[t]
        ka = next_state[k, 2]
        for q in range(sb.shape[1]):
            if not valid[q]:
                sb[k, q] = 0.0
                continue
            dest = kp if key_count[q] >= k3 else kn
            fl[k, dest] += sb[k, q]
            fl[k, ka] += sa[k, q]
            sb[k, q] = sb[k, q] / (sb[k, q] + sa[k, q]) if sb[k, q] + sa[k, q] > 0 else 0.0


@_ref
def _former_share_tables(share, key_of, src, W):
    """W[k NK + c, i] (K NK, 4) = share[k, c + key_of[i]] (0.0 past the last key), i < 4: the ..."""
    NK = share.shape[1]
    W[:, :] = 0.0
    for t in range(src.shape[0]):
        k = src[t]
        for c in range(NK):
            for i in range(4):
                x = c + key_of[i]
                W[k * NK + c, i] = share[k, x] if x < NK else 0.0


@_ref
def _former_split_masks(Mg, Mout, W, key_of, count, k3, people, HI):
    """Masks Mg (6, 4096) into Mout (may be Mg) block of four by block: mask m's households v of ..."""
    new, Mn = people[0], people[1]
    NK = W.shape[0] // 6
    for t in range(4):
        for i in range(4):
            HI[t, i] = 1.0 if count[i] >= t else 0.0
    zero, m1 = vzero(), vbcast(-1.0)
    entering = False
    for d in range(6):
        entering = entering or new[d] != 0.0
    for j in range(0, Mg.shape[1], 4):
        c = key_of[j]
        v0, v1, v2 = vload(Mg, 0, j), vload(Mg, 1, j), vload(Mg, 2, j)
        v3, v4, v5 = vload(Mg, 3, j), vload(Mg, 4, j), vload(Mg, 5, j)
        x0, x1 = vfma(v0, vload(W, c, 0), zero), vfma(v1, vload(W, NK + c, 0), zero)
        x2, x3 = vfma(v2, vload(W, 2 * NK + c, 0), zero), vfma(v3, vload(W, 3 * NK + c, 0), zero)
        x4, x5 = vfma(v4, vload(W, 4 * NK + c, 0), zero), vfma(v5, vload(W, 5 * NK + c, 0), zero)
        a = vadd(vadd(vadd(vadd(vadd(x0, x1), x2), x3), x4), x5)
        p = vfma(a, vload(HI, min(max(k3 - count[j], 0), 3), 0), zero)
        r0, r1, r2, r3, r4 = p, vfma(p, m1, a), vfma(x0, m1, v0), vfma(x2, m1, v2), vfma(x3, m1, v3)
        r5 = vadd(vadd(vfma(x1, m1, v1), vfma(x4, m1, v4)), vfma(x5, m1, v5))
        if entering:
            r0, r1, r2 = _former_new(r0, new, Mn, 0, j), _former_new(r1, new, Mn, 1, j), _former_new(r2, new, Mn, 2, j)
            r3, r4, r5 = _former_new(r3, new, Mn, 3, j), _former_new(r4, new, Mn, 4, j), _former_new(r5, new, Mn, 5, j)
        vstore(Mout, 0, j, r0)
        vstore(Mout, 1, j, r1)
        vstore(Mout, 2, j, r2)
        vstore(Mout, 3, j, r3)
        vstore(Mout, 4, j, r4)
        vstore(Mout, 5, j, r5)


@_ref
def _former_new(x, new, Mn, d, j):
    """x plus state d's new households' masks new[d] Mn[d, j : j + 4] (one rounding: as the ..."""
    return vfma(vbcast(new[d]), vload(Mn, d, j), x)


def _group(rng, B, held, entering):
    """A group's settling inputs: six states, those not in `held` empty."""
    joint = JointSpace(0b100000100)
    K, NM, NK = 6, 4096, joint.n_keys
    keys = (np.asarray(joint.key_of, np.int64), np.asarray(joint.key_count, np.int64), joint.valid.copy())
    count = np.array([bin(m).count("1") for m in range(NM)], dtype=np.int64)
    nxt = np.array([[0, 1, 2], [0, 1, 5], [0, 1, 3], [0, 1, 4], [0, 1, 5], [0, 1, 5]], dtype=np.int64)
    Mg = rng.exponential(1.0, (K, NM)) * (rng.random((K, NM)) < 0.8)
    H3 = rng.exponential(1.0, (K, NK, B)) * (rng.random((K, NK, B)) < 0.9)
    H3[:, ~keys[2]] = 0.0
    for k in range(K):
        if not (held >> k) & 1:
            Mg[k], H3[k] = 0.0, 0.0
    new = np.array([0.5, 0.0, 0.2, 1.0, 1.5, 0.3]) if entering else np.zeros(K)
    inc0 = rng.random((K, B))
    inc0[:, : B // 5 + 1], inc0[:, B - B // 4 :] = 0.0, 0.0
    kd = rng.random((K, NK)) * (rng.random((K, NK)) < 0.7)
    return Mg, H3, keys, count, nxt, (new, rng.random((K, NM)), kd, inc0)


def _settled(fn, Mg, H3, nb, keys, count, nxt, people, held, in_place):
    """`fn`'s outputs (masks, incomes, flows, bins' sums) for a copy of Mg."""
    K, NM = Mg.shape
    NK, B = H3.shape[1:]
    M = Mg.copy()
    Mout = M if in_place else np.full((K, NM), np.nan)
    Hout, fl, hs = np.full((K, NK, B), np.nan), np.full((K, K), np.nan), np.full((K, B), np.nan)
    fn(M, H3, (nb, 3), keys, count, nxt, (Mout, Hout), fl, people, hs, cells.settle_scratch(K, NK, B), held)
    return [Mout, Hout, fl, hs]


@pytest.mark.parametrize(
    ("B", "nb", "held", "entering", "seed"),
    [
        (112, 57, 63, True, 0),
        (112, 41, 0b110101, True, 1),
        (112, 67, 0b000001, False, 2),
        (112, 53, 0b100010, True, 3),
        (23, 9, 0b011110, True, 4),
        (30, 0, 63, True, 5),
        (17, 17, 0b101011, False, 6),
        (112, 112, 0b010000, True, 7),
    ],
)
def test_classify_writes_what_the_former_classify_writes(B, nb, held, entering, seed):
    """Every output of `classify` the same bytes as the former code's, in place (as the engine
    settles a group's first standard) and into other arrays (a second standard's)."""
    rng = np.random.default_rng(seed)
    Mg, H3, keys, count, nxt, people = _group(rng, B, held, entering)
    for in_place in (True, False):
        got = _settled(cells.classify, Mg, H3, nb, keys, count, nxt, people, held, in_place)
        want = _settled(_former_classify, Mg, H3, nb, keys, count, nxt, people, held, in_place)
        for g, w in zip(got, want):
            assert g.tobytes() == w.tobytes()
        assert not np.isnan(got[1]).any() and not np.isnan(got[3]).any()


@pytest.mark.parametrize(("lo", "hi", "seed"), [(0, 57, 0), (41, 112, 1), (3, 4, 2), (5, 5, 3), (0, 112, 4)])
def test_two_sources_a_pass_add_as_one_by_one(lo, hi, seed):
    """`_part_copy2` and `_part_sum2` write the row and return the sums `_part_copy` then
    `_part_sum` (three times) do, to the bit."""
    rng = np.random.default_rng(seed)
    S = rng.exponential(1.0, (4, 112)) * (rng.random((4, 112)) < 0.8)
    R1, R2 = np.full((1, 112), np.nan), np.full((1, 112), np.nan)
    one = [cells._part_copy(S, R1, 0, 0, lo, hi), cells._part_sum(S, R1, 1, 0, lo, hi)]
    one += [cells._part_sum(S, R1, 2, 0, lo, hi), cells._part_sum(S, R1, 3, 0, lo, hi)]
    two = list(cells._part_copy2(S, R2, 0, 1, 0, lo, hi)) + list(cells._part_sum2(S, R2, 2, 3, 0, lo, hi))
    assert np.array(one).tobytes() == np.array(two).tobytes()
    assert R1[0, lo:hi].tobytes() == R2[0, lo:hi].tobytes()


@pytest.mark.parametrize(("n", "B"), [(52, 112), (70, 23), (64, 16)])
def test_bins_sums_leave_out_only_the_rows_marked_zero(n, B):
    """`_bin_sums`: the rows summed in increasing order from +0.0 as Python floats do, the rows
    of zeros not in `held` left out, the rows past 63 (no bit) always added."""
    rng = np.random.default_rng(n)
    R = rng.exponential(1.0, (n + 3, B))
    zero = rng.random(n) < 0.3
    R[3:][zero] = 0.0
    held = 0
    for q in range(min(n, 64)):
        held |= 0 if zero[q] else 1 << q
    held -= 1 << 64 if held >= 1 << 63 else 0  # the int64 the kernel's bits are
    hs = np.full((2, B), np.nan)
    cells._bin_sums(R, 3, n, held, hs, 1)
    want = np.zeros(B)
    for b in range(B):
        acc = 0.0
        for q in range(n):
            acc += float(R[3 + q, b])
        want[b] = acc
    assert hs[1].tobytes() == want.tobytes()
