"""Static arrays of the compiled multidimensional expected engine (`simlib.engines.multidim_jit`):
per model (cached on it) the lines' indicators and patterns, the yearly flips in factors, the
income kernel as bands, the new households' masks and incomes per standard; per year the sparse
rows of the lines' income shifts, and the review's weights and output views.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from simlib.engines.multidim_income_kernel import tiles_of
from simlib.engines.multidim_numba import placed, plain
from simlib.memo import carry, memoised
from simlib.multidim import income as inc
from simlib.multidim.masks import COUNT, DIMENSION_MATRIX, INDICATOR_MATRIX, N_MASKS, bits_list
from simlib.multidim.model import NEXT_STATE, MultidimModel
from simlib.standards import N_INDICATORS


@plain
def _shift_rows(edges, exp_edges, delta, lo, w, v):
    """Sparse rows of `income.shift_matrix(edges, delta)`: bin b lands in bins lo[b] .. lo[b] +
    w[b] - 1 with shares v[b, :w[b]] (the same closed form, row by row)."""
    B = edges.shape[0] - 1
    for b in range(B):
        if delta == 0.0:
            lo[b], w[b], v[b, 0] = b, 1, 1.0
            continue
        a = math.log(exp_edges[b] + delta)
        z = math.log(exp_edges[b + 1] + delta)
        i = b + 1
        while i < B and edges[i] <= a:
            i += 1
        t, f_prev, cnt = i - 1, 0.0, 0
        lo[b] = t
        while True:
            f_next = 1.0 if t + 1 >= B else min(max((edges[t + 1] - a) / (z - a), 0.0), 1.0)
            v[b, cnt] = f_next - f_prev
            cnt += 1
            if f_next >= 1.0 or cnt >= v.shape[1]:
                break
            f_prev, t = f_next, t + 1
        w[b] = cnt


@plain
def _shift_tables(edges, exp_edges, delta, lo, w, v):
    """Shift rows for every (scenario, line, unit) with an income effect (delta (S, L, D), VND;
    NaN where the line raises no income). A unit whose delta equals an earlier unit's (of the
    same scenario and line) gets a copy of its rows: the same closed form of the same numbers
    (the tables start at zero), without its logarithms (`multidim_2030`: every unit alike)."""
    S, L, D = delta.shape
    for s in range(S):
        for li in range(L):
            for d in range(D):
                x = delta[s, li, d]
                if math.isnan(x):
                    continue
                e = 0
                while e < d and delta[s, li, e] != x:
                    e += 1
                if e < d:
                    lo[s, li, d], w[s, li, d], v[s, li, d] = lo[s, li, e], w[s, li, e], v[s, li, e]
                else:
                    _shift_rows(edges, exp_edges, x, lo[s, li, d], w[s, li, d], v[s, li, d])


def shift_rows_of(mm: MultidimModel) -> np.ndarray:
    """The lines with an income effect, in increasing line: the rows of `shift_tables`."""
    return np.flatnonzero(np.asarray(mm.income_effect) > 0)


def shift_tables(mm: MultidimModel, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lo, width, values) of the income shift rows for delta (S, L, D) VND (NaN: no effect), for
    the lines with an income effect only (`shift_rows_of`; one row of zeros if none): line li's
    are row `slot[li]` (`_line_arrays`). The other lines' rows are never read, and allocating
    them made most of the tables' time (5 of `multidim_2030`'s 23 lines raise incomes)."""
    st = prepare(mm)
    rows = shift_rows_of(mm)
    S, _, D = delta.shape
    B, R = mm.B, max(1, rows.size)
    lo = np.zeros((S, R, D, B), np.int64)
    w = np.zeros((S, R, D, B), np.int64)
    v = np.zeros((S, R, D, B, st["shift_width"]))
    _shift_tables(mm.edges, st["exp_edges"], np.ascontiguousarray(delta[:, rows], dtype=float), lo, w, v)
    return lo, w, v


# --- static arrays -------------------------------------------------------------------------------


def _line_arrays(mm: MultidimModel) -> tuple:
    """(order, acts, flags, income, targeted, nbits, bitpos, pat, once, cell, slot) per line:
    which lines act and how, each line's indicators, the pattern of those indicators in every
    mask, whether the households it reaches move to their group's housed twin (once per
    household), the entry of the line's table of households by (key, pattern) that every mask
    adds to (key x 2**max(nbits) + pattern: the table's rows are 2**max(nbits) long), and the
    line's row in `shift_tables` (0 for a line without an income effect: not read)."""
    model = mm.base
    L = len(mm.line_bits)
    flags = (mm.removal > 0) & (mm.line_bits != 0)
    income = mm.income_effect > 0
    once = np.asarray(model.once_line, dtype=bool)
    acts = model.household_line & (flags | income | once)
    nbits = np.array([len(bits_list(int(b))) for b in mm.line_bits], np.int64)
    bitpos = np.zeros((L, N_INDICATORS), np.int64)
    pat = np.zeros((L, N_MASKS), np.int64)
    masks = np.arange(N_MASKS)
    for li, b in enumerate(mm.line_bits):
        for i, j in enumerate(bits_list(int(b))):
            bitpos[li, i] = j
            pat[li] |= ((masks >> j) & 1) << i
    width = 1 << int(nbits.max()) if L else 1
    cell = np.asarray(mm.joint.key_of, np.int64)[None, :] * width + pat
    slot = np.zeros(L, np.int64)
    rows = shift_rows_of(mm)
    slot[rows] = np.arange(rows.size)
    c = np.ascontiguousarray
    return (
        c(mm.line_order, dtype=np.int64),
        c(acts, dtype=np.bool_),
        c(flags, dtype=np.bool_),
        c(income, dtype=np.bool_),
        c(mm.targeted, dtype=np.bool_),
        nbits,
        bitpos,
        pat,
        c(once, dtype=np.bool_),
        c(cell, dtype=np.int64),
        slot,
    )


def _flip_arrays(mm: MultidimModel) -> tuple:
    """(gain, loss, row_of, cls_cu, epop, Pl, Pc) of the yearly flips in factors: row_of (4096,)
    the (linked pattern, class of unlinked pattern) of every mask (followed by its lists by
    class, `with_class_lists`), cls_cu the number of deprivations of each class, Pc (classes,
    nu + 1) the count after the flips by class."""
    joint = mm.joint
    e_of, u_of = joint.split_masks()
    Pl, Pu = joint.flip_factors(mm.gain, mm.loss)
    unlinked = [j for j in range(N_INDICATORS) if j not in joint.linked]
    kinds = {}
    for i, j in enumerate(unlinked):  # indicators that gain and lose alike form a group
        kinds.setdefault((float(mm.gain[j]), float(mm.loss[j])), []).append(i)
    us = np.arange(Pu.shape[0])
    counts = np.stack([sum((us >> i) & 1 for i in grp) for grp in kinds.values()], axis=1)
    _, first, cls = np.unique(counts, axis=0, return_index=True, return_inverse=True)
    cls = cls.ravel()
    nc = len(first)
    c = np.ascontiguousarray
    return (
        c(mm.gain, dtype=float),
        c(mm.loss, dtype=float),
        with_class_lists((e_of * nc + cls[u_of]).astype(np.int64), Pl.shape[0], nc),
        COUNT[us[first]].astype(np.int64),
        COUNT[: joint.n_linked].astype(np.int64),
        c(Pl),
        c(Pu[first]),
    )


def with_class_lists(row_of: np.ndarray, nlink: int, nc: int) -> np.ndarray:
    """row_of (masks,) followed by its masks listed by class (`multidim_flip_kernels.flip_masks`
    sums the weights W from them): [nlink, nc, off (nlink,), starts (nc + 1,), bases], where mask
    m's row is e nc + c (linked pattern e, class c), off[e] the linked bits of pattern e and
    bases[starts[c] : starts[c + 1]] the masks of class c without linked bits, increasing: the
    masks of row e nc + c are the bases plus off[e], in increasing mask. row_of alone (nothing
    appended) unless nlink is a multiple of four and the rows have that form (the linked bits
    choose e, the others c)."""
    n = row_of.shape[0]
    e, c, m = row_of // nc, row_of % nc, np.arange(n)
    linked = sum(1 << j for j in range(n.bit_length() - 1) if (e[m ^ (1 << j)] != e).any())
    base = m & ~linked
    off = np.array([m[(e == k) & (base == 0)][:1].sum() for k in range(nlink)], np.int64)
    if nlink % 4 or n & (n - 1) or not np.array_equal(row_of, e[m & linked] * nc + c[base]):
        return row_of
    if not np.array_equal(e[off], np.arange(nlink)):  # pragma: no cover - a pattern without masks
        return row_of
    bases = m[base == m]
    lists = bases[np.argsort(c[bases], kind="stable")]
    starts = np.searchsorted(c[lists], np.arange(nc + 1))
    return np.concatenate([row_of, [nlink, nc], off, starts, lists]).astype(np.int64)


def _kernel_bands(mm: MultidimModel) -> tuple:
    """(first, one past the last interior column, outer columns (B, 2), dense rows (B, B), the
    source bins of each tile of 16 columns (B / 16, 2): `multidim_income_kernel.tiles_of`) of each
    area's income kernel as bands (`simlib.multidim.income.band`), stacked by area."""
    bands = [inc.band(K) for K in mm.kernel]
    dense = np.zeros((len(bands), mm.B, mm.B))
    for a, (lo, width, vals, _) in enumerate(bands):
        for b in range(mm.B):
            dense[a, b, lo[b] : lo[b] + width[b]] = vals[b, : width[b]]
    spans = np.stack([_spans(lo, width) for lo, width, _, _ in bands])
    c = np.ascontiguousarray
    tiles = np.stack([tiles_of(lo, hi, mm.B) for lo, hi in zip(spans[:, 0], spans[:, 1])])
    return c(spans[:, 0]), c(spans[:, 1]), np.stack([b[3] for b in bands]), dense, tiles


def _spans(lo: np.ndarray, width: np.ndarray) -> np.ndarray:
    """(2, B) first and one past the last column of each kernel row's band; an empty band is an
    empty span at the last non-empty one's start (so that spans of neighbouring rows joined do
    not reach down to column 1 for nothing)."""
    first, last = lo.copy(), lo + width
    full = np.flatnonzero(width > 0)
    for b in np.flatnonzero(width == 0):
        prev = full[full < b]
        at = lo[prev[-1]] if prev.size else (lo[full[0]] if full.size else 1)
        first[b] = last[b] = at
    return np.stack([first, last]).astype(np.int64)


def _record_weights(mm: MultidimModel) -> dict:
    """The review's sums over masks as two half tables: `rec_w` (2, 64, 12 + dimensions +
    targeting lines, then zero columns up to a multiple of 8), rec_w[0][l, c] = 1.0 where the low
    six bits l of a mask have one of sum c's bits and rec_w[1][h, c] the same for the high six
    bits h (24 kB, `multidim_record_kernels._mask_sums`); `sel_lines` the targeting lines (those
    with indicators). Sum c counts the masks having its indicator, being deprived in its dimension
    (one of the dimension's indicators) or having one of its targeting line's indicators: a mask
    m = 64 h + l counts where either half does (checked against the table over all 4,096 masks).
    The zero columns are sums nobody reads (whole blocks of eight)."""
    sel_lines = [li for li, (b, t) in enumerate(zip(mm.line_bits, mm.targeted)) if t and int(b) != 0]
    masks = np.arange(N_MASKS)
    sel = [(masks & int(mm.line_bits[li])) != 0 for li in sel_lines]
    cols = [INDICATOR_MATRIX, DIMENSION_MATRIX] + [np.asarray(x, float)[:, None] for x in sel]
    full = np.concatenate(cols, axis=1)
    full = np.concatenate([full, np.zeros((N_MASKS, -full.shape[1] % 8))], axis=1)
    half = np.stack([full[:64], full[::64]])  # masks l (high bits 0) and 64 h (low bits 0)
    either = np.maximum(half[1][:, None, :], half[0][None, :, :]).reshape(N_MASKS, -1)
    if not np.array_equal(either, full):  # pragma: no cover - every sum is "one of these bits"
        raise ValueError("a record sum over masks is not 'the mask has one of these bits'")
    return {"rec_w": np.ascontiguousarray(half), "sel_lines": np.array(sel_lines, np.int64)}


def _classified(key_of: np.ndarray) -> None:
    """Check what `multidim_cell_kernels.classify` relies on: keys additive in blocks of four
    masks (key_of[m] = key_of[m - m % 4] + key_of[m % 4]: a key is the count of bits and the
    linked bits' pattern) and `NEXT_STATE` (its masks' split is written for this table)."""
    m = np.arange(N_MASKS)
    if not np.array_equal(key_of, key_of[m & ~3] + key_of[m & 3]):  # pragma: no cover - by construction
        raise ValueError("keys not additive in blocks of four masks")
    written_for = [[0, 1, 2], [0, 1, 5], [0, 1, 3], [0, 1, 4], [0, 1, 5], [0, 1, 5]]
    if not np.array_equal(NEXT_STATE, written_for):  # pragma: no cover
        raise ValueError("NEXT_STATE not of the form the classification kernel takes")


def _static(mm: MultidimModel) -> dict:
    joint = mm.joint
    _classified(np.asarray(joint.key_of, np.int64))
    model = mm.base
    widths = np.diff(mm.edges)
    c = np.ascontiguousarray
    return {
        "lines": _line_arrays(mm),
        "keys": (
            c(joint.key_of, dtype=np.int64),
            c(joint.valid, dtype=np.bool_),
            c(joint.down_key, dtype=np.int64),
            c(joint.key_count, dtype=np.int64),
        ),
        "flips": _flip_arrays(mm),
        "kernel": _kernel_bands(mm),
        "g_unit": c(model.g_unit, dtype=np.int64),
        "g_area": c(model.g_area, dtype=np.int64),
        "bases": c(np.flatnonzero(~np.asarray(model.g_housed, bool)), dtype=np.int64),
        "twin": c(model.twin, dtype=np.int64),
        "count": COUNT.astype(np.int64),
        **_record_weights(mm),
        "next_state": c(NEXT_STATE, dtype=np.int64),
        "means": c(inc.bin_moments(mm.edges)[0]),
        "exp_edges": np.exp(mm.edges),
        "shift_width": int(np.ceil(widths.max() / widths.min())) + 3,
    }


#: the keys of the tables cached on a model (`prepare`, `entry_kinds`, `entry_arrays`)
PREFIX = "multidim_jit."


def with_tables_of(mm0: MultidimModel, mm: MultidimModel) -> MultidimModel:
    """`mm` with the compiled engine's tables cached on `mm0`: for a model that differs from
    `mm0` by its money only (`mm.base`'s levers; the same multidimensional arrays, structure and
    parameters), as the tables read the structure, the parameters and the multidimensional
    arrays, no amount (the explorer's models, `simlib.workbench.incremental.run_models`). They
    are made on `mm0` first, once."""
    prepare(mm0)
    entry_kinds(mm0)
    for t in range(len(mm0.min_deprivations)):
        entry_arrays(mm0, t)
    return carry(mm0, mm, PREFIX)


def prepare(mm: MultidimModel) -> dict:
    """The compiled engine's static arrays of a model (cached on it), each starting on a 64-byte
    boundary (`on_lines`)."""
    return memoised(mm, "multidim_jit.static", lambda: on_lines(_static(mm)))


def on_lines(x):
    """x with every array in it (in tuples and dicts, kept as they are) copied to start on a
    64-byte boundary (`multidim_numba.placed`): numpy put the tables 16, 32 or 48 bytes past one,
    so every eight-wide load of a row of the income kernel's dense bands (112 bins: 896 bytes a
    row) spanned two cache lines. The same values."""
    if isinstance(x, np.ndarray):
        return placed(x)
    if isinstance(x, tuple):
        return tuple(on_lines(y) for y in x)
    if isinstance(x, dict):
        return {k: on_lines(y) for k, y in x.items()}
    return x


def _kinds(mm: MultidimModel) -> tuple[np.ndarray, np.ndarray]:
    """(first, kind): groups whose new households are alike (same flag propensities, income
    parameters and area) form a kind; `first` (U,) one group of each, `kind` (G,) each group's."""
    model = mm.base
    G = len(model.g_unit)
    rows = [mm.propensity.reshape(G, -1), mm.income_mu, mm.income_sigma, model.g_area[:, None].astype(float)]
    _, first, kind = np.unique(np.concatenate(rows, axis=1), axis=0, return_index=True, return_inverse=True)
    return first, np.ascontiguousarray(kind.ravel(), dtype=np.int64)


def entry_kinds(mm: MultidimModel) -> tuple[np.ndarray, np.ndarray]:
    """`_kinds` of a model (cached on it)."""
    return memoised(mm, "multidim_jit.kinds", partial(_kinds, mm))


def _entry_build(mm: MultidimModel, t: int) -> tuple:
    first = entry_kinds(mm)[0]
    Mn = mm.entry_masks(int(mm.min_deprivations[t]), first)
    U, K = Mn.shape[:2]
    order = np.argsort(mm.joint.key_of, kind="stable")
    keys, starts = np.unique(mm.joint.key_of[order], return_index=True)
    kd = np.zeros((U, K, mm.joint.n_keys))
    kd[..., keys] = np.add.reduceat(Mn[..., order], starts, axis=-1)
    c = np.ascontiguousarray
    return c(Mn), kd, c(mm.entry_income(t, first))


def entry_arrays(mm: MultidimModel, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """New households at review t by kind of group (`entry_kinds`) and state: masks Mn (U, K,
    4096), keys kd (U, K, NK) and income bins inc0 (U, K, B), each a distribution (cached on the
    model per standard); group g's rows are those of its kind."""
    return memoised(mm, _entry_key(mm, t), lambda: on_lines(_entry_build(mm, t)))


def _entry_key(mm: MultidimModel, t: int) -> str:
    """`entry_arrays`' cache key of review t: its standard (formatted once per review)."""

    def build():
        return f"multidim_jit.entry.{int(mm.min_deprivations[t])}.{mm.lines_vnd[t, 0]}.{mm.lines_vnd[t, 1]}"

    return memoised(mm, f"multidim_tables.entry_key.{t}", build)


def review_arrays(mm: MultidimModel, t: int) -> tuple:
    """(nb, k3, f1b, f2b) of review t: the bins below the line by area, the deprivations that
    make a household poor, the FGT weights by area and bin (cached on the model per review)."""
    return memoised(mm, f"multidim_tables.review.{t}", lambda: on_lines(_review_build(mm, t)))


def _review_build(mm: MultidimModel, t: int) -> tuple:
    nb = np.ascontiguousarray(mm.below[t].sum(-1), dtype=np.int64)  # the bins below the line lead
    return nb, int(mm.min_deprivations[t]), np.ascontiguousarray(mm.fgt1_bin[t]), np.ascontiguousarray(mm.fgt2_bin[t])


def people_arrays(mm: MultidimModel, t: int) -> tuple:
    """(growth, entry, Mn, kd, inc0, kind): the new households' arrays of review t as the
    compiled year takes them (`entry_arrays`, `entry_kinds`; cached on the model per review)."""

    def build():
        model = mm.base
        head = (float(model.growth), np.ascontiguousarray(model.entry, dtype=float))
        return head + entry_arrays(mm, t) + (entry_kinds(mm)[1],)

    return memoised(mm, f"multidim_tables.people.{t}", build)


def record_arrays(st: dict, out, t: int, sel: np.ndarray) -> tuple:
    md = out.multidim
    return (
        out.states[:, t],
        md.deprived[:, t],
        md.dim_deprived[:, t],
        md.multi_deprived[:, t],
        md.fgt1[:, t],
        md.fgt2[:, t],
        md.income_sum[:, t],
        sel,
        st["means"],
        st["rec_w"],
        st["count"],
        st["sel_lines"],
    )
