"""Microsimulation of the multidimensional model: households with an income and 12 flags.

Each household carries its group (uint16; int32 above 65,536 groups), detailed state (int8),
per-capita monthly income in VND (float32) and its deprivations as a uint16 bitmask (bit j =
`INDICATORS[j]`): 9 bytes.
`synthesise` draws them to match the baseline counts exactly — income on the right side of the
line of the baseline standard, at least 3 deprivations for every poor household and fewer for
every near-poor one — from the distributions in `params/multidim.yaml`. Each year (`step`):

1. beneficiaries per budget line: the core's eligibility, priority tiers, take-up ceiling and
   budget (lines that `targets_deprived` count only households deprived in their indicators),
   exactly `n` households drawn per (line, unit, tier) as in the states microsim
   (`simlib.engines.household_reach`);
2. lines clear their indicators (each listed flag a reached household has, with probability
   `removal`), targeted lines first, and add their income effect;
3. every indicator changes on its own (gain / loss probabilities);
4. income grows with drift and volatility and may be hit by shocks (illness, harvest or
   livestock loss) that cut it by a share — the source of relapse and new poverty;
5. the household is classified by the standard in force at that year's review, and its state
   follows from the classification history (`NEXT_STATE`): escaping poverty opens the 36-month
   window, three reviews above the line close it.

Steps 2–5 are one compiled pass over the households (`simlib.engines.deprivation_kernels`), the
review's records another; the income's normals are drawn in the pass from the run's generator,
the numbers numpy's `standard_normal(dtype=np.float32)` would give (`pcg64_normals`). New households are synthesised like the baseline ones, under the
standard in force. Draws use independent generators spawned from the scenario seed.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from simlib.engines import deprivation_kernels as kern
from simlib.engines import household_reach as hr
from simlib.engines import pcg64_normals
from simlib.engines.common import EngineOutput, run_draws
from simlib.engines.deprivation_tables import REVIEW_TABLES, RunTables, reader_types
from simlib.engines.reach import new_household_records
from simlib.memo import memoised
from simlib.multidim import income as inc
from simlib.multidim.masks import N_MASKS
from simlib.multidim.model import BELOW_LINE_STATE, NEXT_STATE, MultidimModel
from simlib.multidim.output import removal_pairs
from simlib.standards import DIMENSIONS, N_INDICATORS, mask_of

#: the year pass's normals argument when it draws them itself
NO_NORMALS = np.empty(0, np.float32)


class Households:
    """Household records of one draw (parallel arrays)."""

    __slots__ = ("group", "state", "income", "mask")

    def __init__(self, group, state, income, mask):
        group = np.asarray(group)
        small = (
            group.dtype == np.uint16  # already records' groups: no pass over them
            or group.size == 0
            or (group.min() >= 0 and group.max() <= np.iinfo(np.uint16).max)
        )
        self.group = group.astype(np.uint16 if small else np.int32, copy=False)
        self.state = np.asarray(state, np.int8)
        self.income = np.asarray(income, np.float32)
        self.mask = np.asarray(mask, np.uint16)

    @classmethod
    def empty(cls, n: int, n_groups: int) -> Households:
        """Records of n households, to be filled (group uint16 up to 65,536 groups)."""
        gtype = np.uint16 if n_groups <= np.iinfo(np.uint16).max + 1 else np.int32
        return cls(np.zeros(n, gtype), np.empty(n, np.int8), np.empty(n, np.float32), np.empty(n, np.uint16))

    @classmethod
    def fresh(cls, n: int, n_groups: int) -> Households:
        """Records of n households that a pass fills in full: one allocation, not zeroed
        (income, group, mask and state one after another in one byte block; `empty`'s types)."""
        gtype = np.dtype(np.uint16 if n_groups <= np.iinfo(np.uint16).max + 1 else np.int32)
        a, b = 4 * n, (4 + gtype.itemsize) * n
        block = np.empty(b + 3 * n, np.uint8)
        new = object.__new__(cls)
        new.income, new.group = block[:a].view(np.float32), block[a:b].view(gtype)
        new.mask, new.state = block[b : b + 2 * n].view(np.uint16), block[b + 2 * n :].view(np.int8)
        return new

    def __len__(self) -> int:
        return self.group.size

    def append(self, other: Households) -> Households:
        return Households(*(np.concatenate([getattr(self, f), getattr(other, f)]) for f in self.__slots__))


class HouseholdStore:
    """A run's household records with room to grow: parallel arrays over a capacity, of which
    the first `n` are the households. The yearly pass rewrites them in place and new households
    are written after the last, so a run holds one set of records (about 9 bytes a household
    and the room) instead of a new set each year and a copy at each append."""

    def __init__(self, capacity: int, n_groups: int):
        self.n = 0
        self.arrays = Households.empty(capacity, n_groups)

    def extend(self, new: Households) -> Households:
        """The records with `new` households after the last (the room grows by a quarter when
        full); returns the households, as views on the store."""
        m = self.n + len(new)
        if m > len(self.arrays):
            grown = Households.empty(max(m, len(self.arrays) * 5 // 4), 0)
            grown.group = np.empty(len(grown), self.arrays.group.dtype)
            for f in Households.__slots__:
                getattr(grown, f)[: self.n] = getattr(self.arrays, f)[: self.n]
            self.arrays = grown
        for f in Households.__slots__:
            getattr(self.arrays, f)[self.n : m] = getattr(new, f)
        self.n = m
        return self.households()

    def reserve(self, n: int) -> Households:
        """The first n records (views, to be filled) as the store's households."""
        self.n = n
        return self.households()

    def households(self) -> Households:
        """The n households (views on the store)."""
        return Households(*(getattr(self.arrays, f)[: self.n] for f in Households.__slots__))


def _draw_masks(rng: np.random.Generator, dist: np.ndarray, gk: np.ndarray) -> np.ndarray:
    """One mask per household from the categorical distribution of its (group, state) row
    (uniforms in the order of the households sorted by row; `deprivation_kernels.draw_masks`).
    The rows' runs are read off the sorted rows (what `np.unique(..., return_index=True,
    return_counts=True)` gives for them, without its second sort), and the sorted rows are freed
    before the uniforms are drawn. Rows already in order (the baseline's households, cell after
    cell) are their own sorted rows: no sort and no order (`NO_ORDER`, the identity)."""
    ordered = bool(np.all(gk[1:] >= gk[:-1]))
    order = NO_ORDER if ordered else np.argsort(gk, kind="stable")
    rows = gk if ordered else gk[order]
    new_run = np.empty(rows.size, bool)
    new_run[:1] = True
    np.not_equal(rows[1:], rows[:-1], out=new_run[1:])
    starts = np.flatnonzero(new_run)
    keys, counts = rows[starts], np.diff(np.append(starts, rows.size))
    del rows, new_run
    out = np.empty(gk.size, np.uint16)
    kern.draw_masks(dist.reshape(-1, N_MASKS), keys, starts, counts, order, rng.random(gk.size), out)
    return out


#: `_draw_masks`' order of households already sorted by row (`deprivation_kernels.draw_masks`:
#: the identity)
NO_ORDER = np.empty(0, np.int64)


#: households per piece of a chunk's incomes (the temporaries of a piece stay in cache)
PIECE = 1 << 13


def _incomes(mm: MultidimModel, group: np.ndarray, state: np.ndarray, t: int, rng: np.random.Generator) -> np.ndarray:
    """Per-capita incomes (float32) of households of given groups (int32) and states (int8) on
    their state's side of the line of review t, by pieces of `PIECE` households: each piece draws
    its uniforms after the previous one's, the numbers of one draw for all (`rng.random` takes
    one 64-bit output per number), and every step is element by element."""
    y = np.empty(group.size, np.float32)
    for a in range(0, group.size, PIECE):
        g, k = group[a : a + PIECE], state[a : a + PIECE]
        line = mm.lines_vnd[t][mm.base.g_area[g]]
        cut = np.log(line)
        below = BELOW_LINE_STATE[k]
        piece = np.exp(inc.sample_truncated(rng, cut + mm.income_mu[g, k], mm.income_sigma[g, k], cut, below))
        # keep every household on its side of the line after rounding to float32
        piece, lim = piece.astype(np.float32), line.astype(np.float32)
        y[a : a + PIECE] = np.where(
            below, np.minimum(piece, lim), np.maximum(piece, np.nextafter(lim, np.float32(np.inf)))
        )
    return y


def synthesise_households(
    mm: MultidimModel, group: np.ndarray, state: np.ndarray, t: int, rng: np.random.Generator
) -> Households:
    """Incomes and flags for households of given groups and states, consistent with their state
    under the standard in force at review t."""
    K = mm.base.n0.shape[1]
    group = np.asarray(group, np.int32)
    state = np.asarray(state, np.int8)
    y = _incomes(mm, group, state, t, rng)
    gk = group.astype(np.int32 if mm.base.n0.size < 2**31 else np.int64)  # rows, sorted as int64 would be
    gk *= K
    gk += state
    masks = _draw_masks(rng, mm.init_masks(int(mm.min_deprivations[t])), gk)
    return Households(group, state, y, masks)


def _cells(counts: np.ndarray, ends: np.ndarray, a: int, b: int) -> np.ndarray:
    """Cells (int32) of households a, ..., b - 1 when cell c holds counts[c] households, cell
    after cell (ends: their cumulative sums): `np.repeat(np.arange(C), counts)[a:b]` without
    the whole array."""
    c0 = int(np.searchsorted(ends, a, side="right"))
    c1 = int(np.searchsorted(ends, b - 1, side="right")) + 1
    e = ends[c0:c1]
    return np.repeat(np.arange(c0, c1, dtype=np.int32), np.minimum(e, b) - np.maximum(e - counts[c0:c1], a))


def synthesise_population(
    mm: MultidimModel, rng: np.random.Generator, store: HouseholdStore | None = None
) -> Households:
    """One record per baseline household (counts per group and state exactly as the baseline),
    synthesised by chunks of households so that the temporaries stay bounded (into `store`'s
    first records if given)."""
    G, K = mm.base.n0.shape
    counts = mm.base.n0.astype(np.int64).ravel()
    ends = np.cumsum(counts)
    n = int(ends[-1]) if ends.size else 0
    out = Households.empty(n, G) if store is None else store.reserve(n)
    for a in range(0, n, kern.CHUNK):
        cells = _cells(counts, ends, a, min(a + kern.CHUNK, n))
        group, state = cells // K, (cells % K).astype(np.int8)
        del cells  # (the chunk's temporaries: 4 bytes a household each)
        part = synthesise_households(mm, group, state, 0, rng)
        del group, state
        for f in Households.__slots__:
            getattr(out, f)[a : a + kern.CHUNK] = getattr(part, f)
    return out


def review_tables(mm: MultidimModel, hh: Households, t: int) -> tuple:
    """Review t's tables of the households by (group, state) cell c = g*K + k, over the G*K
    cells (`REVIEW_TABLES`' order): households (float64), deprived by indicator (C, 12) and by
    dimension (C, 6), deprived in at least the standard's minimum number of indicators (int32:
    whole households), FGT1 and FGT2 sums, income sum (float64), each added from zeros
    (`deprivation_kernels.record_pass`). A cell without households is zero in every table."""
    C = mm.base.n0.size
    dim_bits = np.array([mask_of(v) for v in DIMENSIONS.values()], np.uint16)
    enough = kern.deprived_enough(int(mm.min_deprivations[t]))
    counts = (np.zeros((C, N_INDICATORS), np.int32), np.zeros((C, dim_bits.size), np.int32), np.zeros(C, np.int32))
    tabs = (np.zeros(C),) + counts + (np.zeros(C), np.zeros(C), np.zeros(C))
    area = np.asarray(mm.base.g_area, np.int64)
    line = mm.lines_vnd[t].astype(float)
    kern.record_pass(hh.group, hh.state, hh.income, hh.mask, line, area, dim_bits, enough, mm.base.n0.shape[1], tabs)
    return tabs


def _record(mm: MultidimModel, hh: Households, t: int, out: EngineOutput) -> None:
    """Review t's records of the households (`review_tables`) written into the output's arrays
    of review t."""
    for (md, name, _), tab in zip(REVIEW_TABLES, review_tables(mm, hh, t)):
        a = getattr(out.multidim if md else out, name)[0, t]
        a[...] = tab.reshape(a.shape)


def _year_arrays(mm: MultidimModel, y: int, boost: np.ndarray, dtype, by_pair: bool = False) -> tuple:
    """The yearly pass's (lines, people, review) arrays (`deprivation_kernels.year_pass`), its
    removals counted by line and indicator or `by_pair` (`removal_offsets`); only the lines'
    boosted probabilities and income effects are built each year (one compiled call,
    `deprivation_kernels.boosted_lines`), the rest once per model (and review)."""
    head, q_of_income, bits, removal, effect, people = memoised(
        mm, f"multidim_microsim.year.{dtype.__name__}", partial(_fixed_arrays, mm, dtype)
    )
    at = memoised(mm, f"multidim_microsim.removal_offsets.{by_pair}", partial(removal_offsets, mm, by_pair))
    clear_t, inc_add = kern.boosted_lines(removal, effect, boost)
    lines = (at, *head[1:], clear_t, q_of_income, inc_add, *bits)
    return lines, people, memoised(mm, f"multidim_microsim.review.{y}", partial(_review, mm, y))


def _fixed_arrays(mm: MultidimModel, dtype) -> tuple:
    """What `_year_arrays` builds once per model: the lines' arrays before and after the
    clearing thresholds, the bits (`_line_arrays`), the clearing lines' removal probabilities and
    the income lines' effects (float64), and the household-side arrays (`_people`)."""
    clear, q_of_line, clear_bits, inc_lines, q_of_income, *bits = _line_arrays(mm, dtype)
    removal = np.ascontiguousarray(mm.removal[clear], float)
    effect = np.ascontiguousarray(mm.income_effect[inc_lines], float)
    return (clear, q_of_line, clear_bits), q_of_income, tuple(bits), removal, effect, _people(mm)


def _line_arrays(mm: MultidimModel, dtype) -> tuple:
    """The lines' side of the yearly pass that does not change with the boost: clearing lines
    (targeted first), each line's place among them, their flags, income lines and each line's
    place among them, and the bits (as `dtype`) of the once-per-household, production-support,
    clearing and income lines."""
    model = mm.base
    s = model.structure
    hh_line = model.household_line
    clear = clearing_lines(mm)
    inc_lines = np.flatnonzero(hh_line & (mm.income_effect > 0))
    L = len(model.line_codes)
    q_of_line = np.full(L, -1, np.int64)
    q_of_line[clear] = np.arange(clear.size)
    q_of_income = np.full(L, -1, np.int64)
    q_of_income[inc_lines] = np.arange(inc_lines.size)
    bits = tuple(
        hr.mask_of_lines(np.isin(np.arange(L), x), dtype)
        for x in (np.flatnonzero(s.once_line), np.flatnonzero(s.ps_lines), clear, inc_lines)
    )
    return (clear, q_of_line, np.asarray(mm.line_bits, np.int64)[clear], inc_lines, q_of_income) + bits


def clearing_lines(mm: MultidimModel) -> np.ndarray:
    """The household lines that clear flags (a removal probability and flags listed), targeted
    lines first (`line_order`)."""
    hh_line = mm.base.household_line
    return np.array([li for li in mm.line_order if hh_line[li] and mm.removal[li] > 0 and mm.line_bits[li]], np.int64)


def _review(mm: MultidimModel, y: int) -> tuple:
    """The review after projected year y: lines by area, whether each mask has the standard's
    minimum deprivations, next states."""
    std = mm.review_standard[y + 1]
    enough = kern.deprived_enough(int(std.min_deprivations))
    return np.asarray(std.lines, float), enough, NEXT_STATE.astype(np.int64)


def _people(mm: MultidimModel) -> tuple:
    """The yearly pass's household-side arrays, the same every year (built once per model: the
    no-change thresholds alone are a (4096, 12) product, the flips' rows twelve of them)."""
    s = mm.base.structure
    people = (np.asarray(s.g_unit, np.int64), np.asarray(s.g_area, np.int64), np.asarray(s.twin, np.int64))
    flips = kern.flip_rows(mm.gain, mm.loss, kern.no_change_thresholds(mm.gain, mm.loss))
    people += (s.ps_population, *flips, mm.drift, float(mm.volatility))
    return people + (
        hr.thresholds32(np.array([p for _, p, _ in mm.shocks]).reshape(-1, 2)),
        np.log1p(-np.array([loss for _, _, loss in mm.shocks], float)),
    )


def removal_offsets(mm: MultidimModel, by_pair: bool) -> tuple[np.ndarray, int]:
    """Where the yearly pass counts clearing line q's removals of flag j in group g
    (`deprivation_kernels.year_pass`'s (off (C, 12), gs): the flat table's off[q, j] + g * gs):
    the table by line and indicator (L, G, 12), or by removal pair (P, G) (`removal_pairs`; the
    flags a clearing line lists are pairs of it, the other entries of `off` never read)."""
    G = mm.base.n0.shape[0]
    clear = clearing_lines(mm)
    if not by_pair:
        return clear[:, None] * (G * N_INDICATORS) + np.arange(N_INDICATORS)[None, :], N_INDICATORS
    pair = {(int(li), int(j)): p for p, (li, j) in enumerate(zip(*removal_pairs(mm)))}
    off = np.zeros((clear.size, N_INDICATORS), np.int64)
    for q, li in enumerate(clear.tolist()):
        for j in range(N_INDICATORS):
            off[q, j] = pair.get((li, j), 0) * G
    return off, 1


def advance(mm: MultidimModel, hh: Households, y: int, r, rng: np.random.Generator, out=None, removed=None) -> dict:
    """Households after projected year y given who the lines reach (`r`, a
    `household_reach.BitReach`): the compiled yearly pass by chunks (`deprivation_kernels`), into
    `out` if given (records of as many households; `hh` itself for an update in place), the
    deprivations removed added into `removed` if given (contiguous, zeros: the run's own table),
    by line and indicator (L, G, 12) or by removal pair (P, G) (`removal_pairs`: a run's
    `MultidimOutput.removed[s, y]` itself)."""
    model = mm.base
    G, K = model.n0.shape
    if removed is None:
        removed = np.zeros((len(model.line_codes), G, N_INDICATORS))
    lines, people, review = _year_arrays(mm, y, r.boost, r.chosen.dtype.type, by_pair=removed.ndim == 2)
    nxt = Households.fresh(len(hh), G) if out is None else out
    flat = removed.view()
    flat.shape = (-1,)  # a view (an error, not a copy, if `removed` is not contiguous)
    flows, ps = np.zeros(G * K * K, np.int32 if len(hh) < 2**31 else np.int64), np.zeros(2)  # int32: half the cache
    seed, tables = hr.seed_of(rng), (flows, flat, ps)
    pcg = pcg64_normals.state_of(rng)
    year_pass = kern.year_pass_two if len(mm.shocks) == 2 else kern.year_pass  # the same numbers
    if pcg is not None:  # one pass, its normals drawn in it from the generator's own stream
        ins, outs = (tuple(getattr(h, f) for f in Households.__slots__) for h in (hh, nxt))
        year_pass(ins, outs, r.chosen, (NO_NORMALS, pcg), seed, lines, people, review, tables)
        pcg64_normals.set_state(rng, pcg)
    else:  # another bit generator: numpy's normals by chunks, the same numbers
        pcg = np.zeros(pcg64_normals.STATE_SIZE, np.uint64)
        for a in range(0, len(hh), kern.CHUNK):
            b = min(a + kern.CHUNK, len(hh))
            z = rng.standard_normal(b - a, dtype=np.float32)
            ins, outs = (tuple(getattr(h, f)[a:b] for f in Households.__slots__) for h in (hh, nxt))
            seed = np.uint64(year_pass(ins, outs, r.chosen[a:b], (z, pcg), seed, lines, people, review, tables))
    return {
        "households": nxt,
        "reached": r.reached,
        "eligible": r.eligible,
        "ps_supported": ps[0],
        "ps_wanting": model.params.ps_want_share * ps[1],
        "removed": removed,
        "flows": flows.reshape(G, K, K).astype(float),
    }


def step(mm: MultidimModel, hh: Households, y: int, sp: np.ndarray, rng: np.random.Generator, stock=None) -> dict:
    """Advance every household through projected year y (review t = y + 1) with money acting
    this year `sp` (L, D) (area lines' standing works serving `stock` (L, D) households); `hh`
    is not changed. A household a once-per-household line reached moves to its group's twin.

    Returns {'households': next records (without new households), 'reached', 'eligible',
    'ps_supported', 'ps_wanting', 'removed' (L, G, 12), 'flows' (G, K, K) from the group after
    the year's moves}.
    """
    tab = memoised(mm, "multidim_microsim.tables", lambda: hr.tables(mm.base, mm.line_bits * mm.targeted))
    r = hr.reach_bits(mm.base, tab, sp, hh.group, hh.state, hh.mask, rng, stock, with_old=False)
    return advance(mm, hh, y, r, rng)


def room_for(model, n: int) -> int:
    """Records a run from n households can reach (the store's room: it then never grows): a
    year adds `growth` times each group's formation size rounded without bias, at most one more
    than that per group (`reach.new_household_records`), and the formation sizes count each
    household at most `1 +` (groups whose twin its group is) times (`reach.formation_sizes`)."""
    s = model.structure
    G = s.n0.shape[0]
    has = np.flatnonzero(s.twin >= 0)
    times = np.where(s.g_housed, 0, 1) + np.bincount(s.twin[has], minlength=G)[:G]
    rate = max(float(np.max(model.params.growth)), 0.0) * float(times.max(initial=1))
    room = n
    for _ in model.years:
        room += int(np.ceil(rate * room)) + G
    return room


def simulate_multidim(
    mm: MultidimModel, spend: np.ndarray, rng: np.random.Generator, population: Households | None = None
) -> EngineOutput:
    """One microsimulation draw with spending `spend` (Y+1, L, D) (optionally from a given
    household population).

    The removals are kept by removal pair (`simlib.multidim.output.removal_pairs`). While the run
    goes, its tables are kept by their rows that are not zero (`deprivation_tables.RunTables`)
    and made dense at its end, the tables of whole households (states, flows, entries, the
    deprivation counts and the removals) in the narrowest integer type that holds their values;
    `deprivation_tables.reader_types` gives them the types every engine's readers get
    (`run_multidim_microsim` does): the same numbers."""
    model = mm.base
    G, K = model.n0.shape
    Y = len(model.years)
    n = int(model.n0.sum()) if population is None else len(population)
    store = HouseholdStore(room_for(model, n), G)  # records updated in place, room for the run
    hh = synthesise_population(mm, rng, store) if population is None else store.extend(population)
    L, D = len(model.line_codes), len(model.unit_ids)
    out = EngineOutput(
        "microsim", None, None, None, np.zeros((1, Y, L, D)), np.zeros((1, Y, L, D)), *np.zeros((2, 1, Y))
    )
    kept = RunTables()  # the tables by review or year, made dense at the end
    _keep_review(mm, hh, 0, kept)
    years = hr.ProgrammeYears(model, spend, out, mm.line_bits * mm.targeted, with_old=False)
    for y in range(Y):
        _project_year(mm, hh, y, years, rng, out, kept)
        # household formation: growth x households per group, states by entry shares
        counts = kept.one("states", y, (G * K,)).reshape(G, K).sum(-1)  # the run's float counts
        new_group, new_state = new_household_records(model, None, rng, counts=counts)
        kept.add("entries", y, np.bincount(new_group.astype(np.int64) * K + new_state, minlength=G * K))
        hh = store.extend(synthesise_households(mm, new_group, new_state, y + 1, rng))
        del new_group, new_state
        _keep_review(mm, hh, y + 1, kept)
    del store, hh  # the records, before the dense tables
    return kept.output(out, G, K, Y, removal_pairs(mm)[0].size)


def _keep_review(mm: MultidimModel, hh: Households, t: int, kept: RunTables) -> None:
    """Review t's tables (`review_tables`) kept by their rows that are not zero."""
    for (_, name, whole), tab in zip(REVIEW_TABLES, review_tables(mm, hh, t)):
        kept.add(name, t, tab, counts=whole)


def _project_year(mm: MultidimModel, hh: Households, y: int, years, rng, out: EngineOutput, kept: RunTables) -> None:
    """Projected year y of `simulate_multidim`: households advanced in place, production support
    into the output, the flows and the removals by pair (the year's own table) kept (the year's
    result dropped before the next reach)."""
    r = years.reach(y, hh.group, hh.state, hh.mask, rng)
    G = mm.base.n0.shape[0]
    res = advance(mm, hh, y, r, rng, out=hh, removed=np.zeros((removal_pairs(mm)[0].size, G), np.int32))
    kept.add("flows", y, res["flows"].reshape(-1, res["flows"].shape[-1]))  # by (group, state) cell
    kept.add("removed", y, res["removed"].ravel())
    out.ps_supported[0, y], out.ps_wanting[0, y] = res["ps_supported"], res["ps_wanting"]


def run_multidim_microsim(
    mm: MultidimModel,
    spend: np.ndarray,
    draws: int = 1,
    seed: int | np.random.SeedSequence = 0,
    progress: bool = False,
    label: str = "",
) -> EngineOutput:
    """`draws` independent replications; draw i uses the i-th child of SeedSequence(seed)."""
    return run_draws(
        lambda rng: reader_types(simulate_multidim(mm, spend, rng)), "microsim", draws, seed, progress, label
    )
