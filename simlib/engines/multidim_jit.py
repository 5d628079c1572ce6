"""The multidimensional expected engine's year as compiled loops (numba), for speed.

The same arithmetic as the numpy reference in `simlib.engines.multidim_expected` (which stays the
reference: tests hold the two equal to rounding), reorganised so that one group's households stay
in the processor's cache for a whole year: for every scenario and group (in parallel) the lines
act, the flags and incomes change on their own, households are classified and new households
join, state by state, on the group's 6 x 4,096 masks and 6 x keys x bins incomes. What makes it
fast besides the compiled loops (per cell-state, per year):

- a line's action needs the masks only through a small table of households by (key, pattern of
  the line's own indicators): its clearing of flags is one key-to-key operator (built on that
  table bit by bit, exactly the reference's sequence of `JointSpace.bit_op`), applied to the
  income rows once; its masks are cleared with one butterfly per indicator;
- the yearly flips' key transition is held in factors (linked flags x the count of the others,
  `JointSpace.flip_factors`): 4,096 x 11 products instead of 4,096 x keys, and the income rows
  move through it in two small steps instead of a dense keys x keys product;
- masks flip with one butterfly per indicator instead of two 64 x 64 products;
- the income kernel is applied as bands (`simlib.multidim.income.band`: entries below 1e-14,
  the closed form's rounding noise, are left out) and the income effects of lines as sparse rows
  (at most a few target bins per source bin).

A base group and its housed twin (`simlib.model.with_twins`) share one task: a once-per-household
line (a house) moves the households it reaches from the group into the twin line by line, as the
reference does, and new households form in the base group from both (`reach.formation_sizes`).

`simlib.engines.multidim_tables` builds the static arrays once per model (cached on it); `record` and `year` are the
two entry points the driver in `simlib.engines.multidim_expected` calls. The shared programme
step (eligibility, beneficiaries, coverage, enabling boost) stays in numpy there, per year.
"""

from __future__ import annotations

import numpy as np

from simlib.engines import multidim_tables as tables
from simlib.multidim.model import MultidimModel

try:  # numba is a dependency; the numpy engine remains the fallback and the reference
    import numba as _numba
    from numba import prange
except ImportError:  # pragma: no cover
    _numba = None
    prange = range


#: sums may be reordered (vectorised) and multiply-adds fused: results move in the last bits only
FAST = {"reassoc", "contract", "nsz"}


def _compiled(fn):
    return _numba.njit(cache=True, nogil=True, fastmath=FAST)(fn) if _numba is not None else fn


def _parallel(fn):
    return _numba.njit(cache=True, parallel=True, fastmath=FAST)(fn) if _numba is not None else fn


#: households below this in one (key, income bin) are set to zero after the income kernel: far
#: tails of the income distributions (more than 190 orders of magnitude below a household) whose
#: products would otherwise become subnormal numbers, which processors handle a hundred times
#: slower; the results do not change in any digit a float64 holds
TINY = 1e-200


def available() -> bool:
    return _numba is not None


# --- one line on one cell-state -------------------------------------------------------------------


@_compiled
def _line_table(Mk, c, targeted, key_of, valid, pat, NP, Tt, scale):
    """Households the line reaches by (key, pattern of its indicators) in Tt (NK, NP), and the
    share of each key's households (and incomes) reached in `scale` (NK,)."""
    NK = Tt.shape[0]
    Tt[:, :NP] = 0.0
    for m in range(Mk.shape[0]):
        Tt[key_of[m], pat[m]] += Mk[m]
    for q in range(NK):
        tot = 0.0
        sel = 0.0
        for p in range(NP):
            tot += Tt[q, p]
            if p > 0:
                sel += Tt[q, p]
        if not valid[q]:
            scale[q] = 0.0
        elif targeted:  # only households deprived in one of the line's indicators
            scale[q] = c * (sel / tot) if tot > 0 else 0.0
        else:
            scale[q] = c
        if targeted:
            Tt[q, 0] = 0.0
        for p in range(NP):
            Tt[q, p] *= c


@_compiled
def _clear_operator(Tt, NP, r, bitpos, nbits, down_key, scale, A, d, removed):
    """The key-to-key operator A (NK, NK) of clearing each of the line's indicators with
    probability r, bit after bit as `JointSpace.bit_op` (mean field within a key, from the table
    Tt, which it updates), and the deprivations removed by indicator (added to `removed`)."""
    NK = Tt.shape[0]
    A[:, :] = 0.0
    for q in range(NK):
        A[q, q] = 1.0
    for i in range(nbits):
        j, bi = bitpos[i], 1 << i
        acc = 0.0
        for q in range(NK):
            nk = 0.0
            d1 = 0.0
            for p in range(NP):
                nk += Tt[q, p]
                if p & bi:
                    d1 += Tt[q, p]
            acc += d1
            d[q] = r * d1 / nk if nk > 0 else 0.0
        removed[j] += r * acc
        for q in range(NK):
            dq = down_key[j, q]
            for p in range(NP):
                if p & bi:
                    mv = r * Tt[q, p]
                    Tt[q, p] -= mv
                    Tt[dq, p ^ bi] += mv
        for x in range(NK):
            if scale[x] == 0.0:
                continue
            for q in range(NK):  # mass moves to lower keys only: each entry moves once per bit
                a = A[x, q]
                if a != 0.0 and d[q] != 0.0:
                    A[x, q] = a - a * d[q]
                    A[x, down_key[j, q]] += a * d[q]


@_compiled
def _clear_masks(Mk, c, r, targeted, pat, bitpos, nbits, Rm):
    """Masks: the reached share c (of the selectable masks) has each of the line's indicators
    cleared with probability r."""
    n = Mk.shape[0]
    if nbits == 1:  # one indicator: households with it lose it with probability c * r
        h, cr = 1 << bitpos[0], c * r
        V = Mk.reshape((n >> (bitpos[0] + 1), 2, h))
        for b in range(V.shape[0]):
            x0 = V[b, 0]
            x1 = V[b, 1]
            for i in range(h):
                mv = cr * x1[i]
                x0[i] += mv
                x1[i] -= mv
        return
    for m in range(n):
        x = c * Mk[m] if (not targeted or pat[m] > 0) else 0.0
        Rm[m] = x
        Mk[m] -= x
    for i in range(nbits):
        bj = 1 << bitpos[i]
        for m in range(n):
            if m & bj:
                mv = r * Rm[m]
                Rm[m ^ bj] += mv
                Rm[m] -= mv
    for m in range(n):
        Mk[m] += Rm[m]


@_compiled
def _move_masks(Mk, Md, c, r, flags, targeted, pat, bitpos, nbits, Rm):
    """Masks of a once-per-household line: the reached share c (of the selectable masks) leaves
    Mk, has each of the line's indicators cleared with probability r (if the line clears flags)
    and joins Md (the housed twin's masks)."""
    n = Mk.shape[0]
    for m in range(n):
        x = c * Mk[m] if (not targeted or pat[m] > 0) else 0.0
        Rm[m] = x
        Mk[m] -= x
    if flags:
        for i in range(nbits):
            bj = 1 << bitpos[i]
            for m in range(n):
                if m & bj:
                    mv = r * Rm[m]
                    Rm[m ^ bj] += mv
                    Rm[m] -= mv
    for m in range(n):
        Md[m] += Rm[m]


@_compiled
def _move_incomes(Hk, Hd, scale, A, flags, income, sh_lo, sh_w, sh_v, Hr, row, rng):
    """Incomes of the reached households: taken out of their keys, moved by A (flags cleared),
    raised by the line's income effect (sparse shift rows), put back — into Hd (Hk itself, or
    the housed twin's incomes for a once-per-household line). Only each row's nonzero bins are
    visited; rng (NK, 2) holds the bins each row of Hr received."""
    NK, B = Hk.shape
    rng[:, 0] = B
    rng[:, 1] = 0
    for q in range(NK):
        s = scale[q]
        if s == 0.0:
            continue
        b0, b1 = _support(Hk[q])
        if b1 <= b0:
            continue
        for b in range(b0, b1):
            x = s * Hk[q, b]
            row[b] = x
            Hk[q, b] -= x
        for q2 in range(NK):
            a = A[q, q2] if flags else (1.0 if q2 == q else 0.0)
            if a == 0.0:
                continue
            if rng[q2, 1] <= rng[q2, 0]:  # first time: start from zero
                Hr[q2, :] = 0.0
            rng[q2, 0], rng[q2, 1] = min(rng[q2, 0], b0), max(rng[q2, 1], b1)
            for b in range(b0, b1):
                Hr[q2, b] += a * row[b]
    for q in range(NK):
        for b in range(rng[q, 0], rng[q, 1]):
            x = Hr[q, b]
            if not income:
                Hd[q, b] += x
            elif x != 0.0:
                lo = sh_lo[b]
                for i in range(sh_w[b]):
                    Hd[q, lo + i] += x * sh_v[b, i]


# --- the yearly changes of one cell-state ---------------------------------------------------------


@_compiled
def _flip_incomes(Mk, Hk, H2, flips, W, Q, nk, X, xr, Hs):
    """Incomes H2 (NK, B) after the yearly flips: each key's households spread over the keys
    they flip to (mean field within a key), through the factors Pl (linked flags) and Pu (the
    count of the others, by class of unlinked pattern: patterns whose counts per group of equally
    flipping indicators agree flip alike)."""
    row_of, cls_cu, epop, Pl, Pc = flips[2], flips[3], flips[4], flips[5], flips[6]
    NK, B = Hk.shape
    nlink, nu1, nc = Pl.shape[0], Pc.shape[1], Pc.shape[0]
    W[:] = 0.0
    for m in range(Mk.shape[0]):
        W[row_of[m]] += Mk[m]
    Q[:, :, :] = 0.0
    nk[:] = 0.0
    for e in range(nlink):
        for c in range(nc):
            v = W[e * nc + c]
            if v != 0.0:
                cu = cls_cu[c]
                nk[(cu + epop[e]) * nlink + e] += v
                for c2 in range(nu1):
                    Q[e, cu, c2] += v * Pc[c, c2]
    for e in range(nlink):  # X[e] = Q[e]^T (H[keys of e] / households of each key): a small product
        b0, b1 = B, 0
        for cu in range(nu1):
            q = (cu + epop[e]) * nlink + e
            if nk[q] > 0:
                lo, hi = _support(Hk[q])
                if hi > lo:
                    b0, b1 = min(b0, lo), max(b1, hi)
        xr[e, 0], xr[e, 1] = b0, b1
        for cu in range(nu1):
            q = (cu + epop[e]) * nlink + e
            inv = 1.0 / nk[q] if nk[q] > 0 else 0.0
            hs, hq = Hs[cu], Hk[q]
            for b in range(b0, b1):
                hs[b] = hq[b] * inv
        for c2 in range(nu1):
            x = X[e, c2]
            for b in range(b0, b1):
                x[b] = 0.0
            for cu in range(nu1):
                w = Q[e, cu, c2]
                if w != 0.0:
                    hs = Hs[cu]
                    for b in range(b0, b1):
                        x[b] += w * hs[b]
    H2[:, :] = 0.0
    for e2 in range(nlink):
        for c2 in range(nu1):
            h2 = H2[(c2 + epop[e2]) * nlink + e2]
            for e in range(nlink):
                w, x = Pl[e, e2], X[e, c2]
                for b in range(xr[e, 0], xr[e, 1]):
                    h2[b] += w * x[b]


@_compiled
def _flip_masks(Mk, gain, loss):
    """Each indicator's own yearly gain and loss: one butterfly per bit (the two halves of each
    block of 2 * 2**j masks are the masks without and with bit j)."""
    n = Mk.shape[0]
    for j in range(gain.shape[0]):
        a, lo, h = gain[j], loss[j], 1 << j
        a0, a1 = 1.0 - a, 1.0 - lo
        V = Mk.reshape((n >> (j + 1), 2, h))
        for r in range(V.shape[0]):
            x0 = V[r, 0]
            x1 = V[r, 1]
            for i in range(h):
                u, v = x0[i], x1[i]
                x0[i] = u * a0 + v * lo
                x1[i] = u * a + v * a1


@_compiled
def _support(row):
    """First and one-past-last nonzero entries of a row ((0, 0) when all are zero)."""
    n = row.shape[0]
    lo = 0
    while lo < n and row[lo] == 0.0:
        lo += 1
    if lo == n:
        return 0, 0
    hi = n
    while row[hi - 1] == 0.0:
        hi -= 1
    return lo, hi


@_compiled
def _income_kernel(H2, H3, valid, k_lo, k_w, k_v, k_out):
    """H3 = H2 @ kernel, the kernel as bands plus its two outer columns, four rows at a time over
    their nonzero bins; entries below TINY become 0."""
    NK, B = H2.shape
    H3[:, :] = 0.0
    for q0 in range(0, NK, 4):
        q1 = min(q0 + 4, NK)
        b0, b1 = B, 0
        for q in range(q0, q1):
            if valid[q]:
                lo, hi = _support(H2[q])
                if hi > lo:
                    b0, b1 = min(b0, lo), max(b1, hi)
        for b in range(b0, b1):
            lo, wb = k_lo[b], k_w[b]
            kv = k_v[b, :wb]
            for q in range(q0, q1):
                h = H2[q, b]
                if h != 0.0:
                    dst = H3[q, lo : lo + wb]
                    for i in range(wb):
                        dst[i] += h * kv[i]
                    H3[q, 0] += h * k_out[b, 0]
                    H3[q, B - 1] += h * k_out[b, 1]
    for q in range(NK):  # far tails: flushed before products of them turn subnormal (slow)
        for b in range(B):
            if H3[q, b] < TINY:
                H3[q, b] = 0.0


# --- classification, new households and the review's records of one group -------------------------


@_compiled
def _classify(Mg, H3, nb, k3, key_of, key_count, valid, count, next_state, Mnew, Hout, fl, a):
    """Classification at the review (income <= line: the first nb bins; count >= k3) and the next
    detailed state: flows fl (K, K), masks Mnew and incomes Hout (K, ...) by new state."""
    K, NK, B = H3.shape
    Mnew[:, :] = 0.0
    Hout[:, :, :] = 0.0
    fl[:, :] = 0.0
    for k in range(K):
        kp, kn, ka = next_state[k, 0], next_state[k, 1], next_state[k, 2]
        for q in range(NK):
            a[q] = 0.0
            if not valid[q]:
                continue
            sb = 0.0
            sa = 0.0
            dest = kp if key_count[q] >= k3 else kn
            for b in range(nb):
                sb += H3[k, q, b]
                Hout[dest, q, b] += H3[k, q, b]
            for b in range(nb, B):
                sa += H3[k, q, b]
                Hout[ka, q, b] += H3[k, q, b]
            fl[k, dest] += sb
            fl[k, ka] += sa
            a[q] = sb / (sb + sa) if sb + sa > 0 else 0.0
        for m in range(Mg.shape[1]):
            v = Mg[k, m]
            x = v * a[key_of[m]]
            Mnew[kp if count[m] >= k3 else kn, m] += x
            Mnew[ka, m] += v - x


@_compiled
def _add_entries(n, fl, growth, entry, Mn, kd, inc0, Mnew, Hout, new, size):
    """New households by state (growth x `size` x entry shares: the households that form new ones,
    `simlib.engines.reach.formation_sizes`), with the masks and incomes of the standard in force;
    n becomes the households at the review."""
    K, NK, B = Hout.shape
    for k in range(K):
        new[k] = growth * size * entry[k]
    for k in range(K):
        acc = 0.0
        for k0 in range(K):
            acc += fl[k0, k]
        n[k] = acc + new[k]
        for m in range(Mnew.shape[1]):
            Mnew[k, m] += new[k] * Mn[k, m]
        for q in range(NK):
            w = kd[k, q]
            if w != 0.0:
                for b in range(B):
                    Hout[k, q, b] += new[k] * (w * inc0[k, b])


@_compiled
def _record(Mg, Hg, n, f1b, f2b, means, dims, count, sel_of, states, dep, dim, cnt, f1, f2, inc_sum, sel, hs):
    """The review's records of one group: households, deprived by indicator and dimension, by
    number of deprivations, FGT sums and income; and the households deprived in each targeting
    line's indicators (for next year's eligibility), `sel` (L, K) from the tables `sel_of`
    (L, 4096) (rows of zeros for the other lines)."""
    K, NK, B = Hg.shape
    NM = Mg.shape[1]
    for k in range(K):
        states[k] = n[k]
        Mk = Mg[k]
        for j in range(dep.shape[1]):
            h = 1 << j
            acc = 0.0
            for base in range(h, NM, 2 * h):
                for i in range(base, base + h):
                    acc += Mk[i]
            dep[k, j] = acc
        for d in range(dims.shape[0]):
            acc = 0.0
            w = dims[d]
            for m in range(NM):
                acc += Mk[m] * w[m]
            dim[k, d] = acc
        for li in range(sel_of.shape[0]):
            acc = 0.0
            w = sel_of[li]
            for m in range(NM):
                acc += Mk[m] * w[m]
            sel[li, k] = acc
        cnt[k, :] = 0.0
        for m in range(NM):
            cnt[k, count[m]] += Mk[m]
        hs[:] = 0.0
        for q in range(NK):
            hq = Hg[k, q]
            for b in range(B):
                hs[b] += hq[b]
        a1 = a2 = a3 = 0.0
        for b in range(B):
            a1 += hs[b] * f1b[b]
            a2 += hs[b] * f2b[b]
            a3 += hs[b] * means[b]
        f1[k], f2[k], inc_sum[k] = a1, a2, a3


@_compiled
def _record_group(Mg, Hg, ng, s, g, f1b, f2b, rec, hs):
    """`_record` of group g in scenario s into the output arrays rec = (states, dep, dim, cnt,
    f1, f2, inc_sum, sel, means, dims, count, line_bits) with the area's FGT weights f1b, f2b."""
    states, dep, dim, cnt, f1, f2, inc_sum, sel, means, dims, count, sel_of = rec
    sg = (states[s, g], dep[s, g], dim[s, g], cnt[s, g], f1[s, g], f2[s, g], inc_sum[s, g], sel[s, :, g])
    _record(Mg, Hg, ng, f1b, f2b, means, dims, count, sel_of, *sg, hs)


# --- a group's year --------------------------------------------------------------------------------


@_compiled
def _line(li, Mg, Hg, Md, Hd, move, cov, r, sh_lo, sh_w, sh_v, lines, keys, removed, work):
    """Line li on the group's cell-states it reaches (cov (K,) > 0); with `move` the reached
    households go to the group's housed twin (masks Md, incomes Hd (K, ...))."""
    acts, flags, income, targeted, nbits, bitpos, pat = (
        lines[1],
        lines[2],
        lines[3],
        lines[4],
        lines[5],
        lines[6],
        lines[7],
    )
    key_of, valid, down_key = keys[0], keys[1], keys[2]
    Tt, scale, A, d, Rm, Hr, row, rng = work
    if not acts[li]:
        return
    NP = 1 << nbits[li]
    for k in range(Mg.shape[0]):
        c = cov[k]
        if c <= 0.0:
            continue
        _line_table(Mg[k], c, targeted[li], key_of, valid, pat[li], NP, Tt, scale)
        if flags[li]:
            _clear_operator(Tt, NP, r, bitpos[li], nbits[li], down_key, scale, A, d, removed)
        if move:
            _move_masks(Mg[k], Md[k], c, r, flags[li], targeted[li], pat[li], bitpos[li], nbits[li], Rm)
            _move_incomes(Hg[k], Hd[k], scale, A, flags[li], income[li], sh_lo, sh_w, sh_v, Hr, row, rng)
        else:
            if flags[li]:
                _clear_masks(Mg[k], c, r, targeted[li], pat[li], bitpos[li], nbits[li], Rm)
            _move_incomes(Hg[k], Hg[k], scale, A, flags[li], income[li], sh_lo, sh_w, sh_v, Hr, row, rng)


@_compiled
def _lines(Mg, Hg, Mt, Ht, has_twin, cov_g, cov_t, rr, sh_lo, sh_w, sh_v, lines, keys, rem_g, rem_t, work):
    """Every acting line in order on a base group (cov_g (L, K)) and its housed twin (cov_t; when
    `has_twin`): a once-per-household line moves the base group's households it reaches into the
    twin (which it never reaches), as the reference does line by line."""
    order, once = lines[0], lines[8]
    for li in order:
        for side in range(2 if has_twin else 1):
            M, H, cov, rem = (Mg, Hg, cov_g, rem_g) if side == 0 else (Mt, Ht, cov_t, rem_t)
            move = side == 0 and has_twin and once[li]
            _line(li, M, H, Mt, Ht, move, cov[li], rr[li], sh_lo[li], sh_w[li], sh_v[li], lines, keys, rem[li], work)


@_compiled
def _own_changes(Mg, Hg, H3, flips, valid, kern, work):
    """Yearly flips (masks and incomes) and the income kernel of the group's area, state by
    state; the incomes after both in H3 (K, NK, B)."""
    gain, loss = flips[0], flips[1]
    k_lo, k_w, k_v, k_out = kern
    W, Q, nk, X, H2, xr, Hs = work
    for k in range(Mg.shape[0]):
        _flip_incomes(Mg[k], Hg[k], H2, flips, W, Q, nk, X, xr, Hs)
        _flip_masks(Mg[k], gain, loss)
        _income_kernel(H2, H3[k], valid, k_lo, k_w, k_v, k_out)


def _scratch(K, NM, NK, B, NP, nlink, nu1, nw):
    """Working arrays of one group's year."""
    lines_work = (
        np.empty((NK, NP)),
        np.empty(NK),
        np.empty((NK, NK)),
        np.empty(NK),
        np.empty(NM),
        np.empty((NK, B)),
        np.empty(B),
        np.empty((NK, 2), dtype=np.int64),
    )
    flip_work = (
        np.empty(nw),
        np.empty((nlink, nu1, nu1)),
        np.empty(NK),
        np.empty((nlink, nu1, B)),
        np.empty((NK, B)),
        np.empty((nlink, 2), dtype=np.int64),
        np.empty((nu1, B)),
    )
    return lines_work, flip_work


_scratch_jit = _compiled(_scratch)


@_compiled
def _finish(Mg, Hg, ng, size, a, g, s, flips, keys, kerns, review, people, out, lw, fw):
    """The rest of group g's year after the lines: own changes, classification, new households
    (`size` households form them) and the review's records."""
    K, NM = Mg.shape
    NK, B = Hg.shape[1], Hg.shape[2]
    nb, k3, f1b, f2b = review
    growth, entry, Mn, kd, inc0 = people
    flows, entries, count, nxt = out[0], out[1], out[13], out[15]
    H3 = np.empty((K, NK, B))
    _own_changes(Mg, Hg, H3, flips, keys[1], (kerns[0][a], kerns[1][a], kerns[2][a], kerns[3][a]), fw)
    Mnew = np.empty((K, NM))
    _classify(Mg, H3, nb[a], k3, keys[0], keys[3], keys[1], count, nxt, Mnew, Hg, flows[s, g], lw[3])
    _add_entries(ng, flows[s, g], growth, entry, Mn[g], kd[g], inc0[g], Mnew, Hg, entries[s, g], size)
    Mg[:, :] = Mnew
    _record_group(Mg, Hg, ng, s, g, f1b[a], f2b[a], out[3:15], lw[6])


@_parallel
def _year(M, H, n, cov, rr, sh_lo, sh_w, sh_v, groups, lines, keys, flips, kerns, review, people, out):
    """One projected year for every scenario and base group with its housed twin (in parallel):
    see the module docstring. `groups` = (g_unit, g_area, bases, twin), `review` = (nb (2,), k3,
    f1b (2, B), f2b (2, B)), `people` = (growth, entry, Mn, kd, inc0), `out` = (flows, entries,
    removed, states, dep, dim, cnt, f1, f2, inc_sum, sel, means, dims, count, line_bits,
    next_state). New households form in the base group from the households of both (a twin gets
    none: `simlib.engines.reach.formation_sizes`)."""
    S, G, K, NM = M.shape
    NK, B = H.shape[3], H.shape[4]
    g_unit, g_area, bases, twin = groups
    removed = out[2]
    NBASE = bases.shape[0]
    NP = 1 << int(lines[5].max()) if lines[5].shape[0] > 0 else 1
    for sb in prange(S * NBASE):
        s, g = sb // NBASE, bases[sb % NBASE]
        tw = twin[g]
        has_twin = tw >= 0
        t = tw if has_twin else g
        size_g = n[s, g].sum()
        size_t = n[s, t].sum() if has_twin else 0.0
        if size_g == 0.0 and size_t == 0.0:  # no households: none join, nothing to record (all zero)
            continue
        a, u = g_area[g], g_unit[g]
        lw, fw = _scratch_jit(
            K, NM, NK, B, NP, flips[5].shape[0], flips[6].shape[1], flips[5].shape[0] * flips[6].shape[0]
        )
        _lines(
            M[s, g],
            H[s, g],
            M[s, t],
            H[s, t],
            has_twin,
            cov[s, :, g],
            cov[s, :, t],
            rr[s, :, u],
            sh_lo[s, :, u],
            sh_w[s, :, u],
            sh_v[s, :, u],
            lines,
            keys,
            removed[s, :, g],
            removed[s, :, t],
            lw,
        )
        _finish(M[s, g], H[s, g], n[s, g], size_g + size_t, a, g, s, flips, keys, kerns, review, people, out, lw, fw)
        if has_twin:
            _finish(M[s, t], H[s, t], n[s, t], 0.0, g_area[t], t, s, flips, keys, kerns, review, people, out, lw, fw)


@_parallel
def _record_all(M, H, n, g_area, review, out):
    """The baseline review's records of every scenario and group (as `_year` ends with)."""
    S, G = M.shape[0], M.shape[1]
    f1b, f2b = review[2], review[3]
    for sg in prange(S * G):
        s, g = sg // G, sg % G
        a = g_area[g]
        _record_group(M[s, g], H[s, g], n[s, g], s, g, f1b[a], f2b[a], out, np.empty(H.shape[4]))


# --- entry points ------------------------------------------------------------------------------------


def record(mm: MultidimModel, M: np.ndarray, H: np.ndarray, n: np.ndarray, out, sel: np.ndarray) -> None:
    """Records of the baseline review (t = 0) into `out`; households deprived in each targeting
    line's indicators into `sel` (S, L, G, K)."""
    st = tables.prepare(mm)
    _record_all(M, H, n, st["g_area"], tables.review_arrays(mm, 0), tables.record_arrays(st, out, 0, sel))


def year(mm: MultidimModel, t: int, state: tuple, cov: np.ndarray, rr: np.ndarray, shifts: tuple, out) -> None:
    """Projected year y = t - 1 for every scenario: state = (M, H, n, sel) is advanced in place to
    review t and its records written into `out`; cov (S, L, G, K) coverage of the selectable
    households, rr (S, L, D) removal probabilities, shifts = `multidim_tables.shift_tables(...)`."""
    st = tables.prepare(mm)
    M, H, n, sel = state
    model = mm.base
    y = t - 1
    people = (float(model.growth), np.ascontiguousarray(model.entry, dtype=float)) + tables.entry_arrays(mm, t)
    rec = tables.record_arrays(st, out, t, sel)
    outs = (out.flows[:, y], out.entries[:, y], out.multidim.removed[:, y]) + rec + (st["next_state"],)
    _year(
        M,
        H,
        n,
        np.ascontiguousarray(cov),
        np.ascontiguousarray(rr),
        *shifts,
        (st["g_unit"], st["g_area"], st["bases"], st["twin"]),
        st["lines"],
        st["keys"],
        st["flips"],
        st["kernel"],
        tables.review_arrays(mm, t),
        people,
        outs,
    )
