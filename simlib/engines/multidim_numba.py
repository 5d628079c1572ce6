"""numba for the compiled multidimensional expected engine (`simlib.engines.multidim_jit`): its
decorators, whether numba is installed, and helpers the kernels share.

The kernels are cached on disk (`cache=True`): a process after the first loads their machine code
instead of compiling (about 30 s of CPU). numba keys a cached function on its own source file
only, so `refresh_caches` drops the cached code of all the engine's modules when any of them
changed (and the household kernels' with `household_reach`, whose `mix` they carry).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

try:  # numba is a dependency; the numpy engine remains the fallback and the reference
    import numba as _numba
    from numba import get_num_threads, prange
except ImportError:  # pragma: no cover
    _numba = None
    prange = range

    def get_num_threads() -> int:
        return 1


#: multiply-adds may be fused and the sign of zero ignored; sums are NOT reordered ("reassoc"):
#: with it, code compiled in this process and the same code loaded from numba's cache summed in
#: different orders (a fresh clone's first run and its second differed by 3e-11 in
#: indicators.csv), which broke "same inputs, same bytes"
FAST = {"contract", "nsz"}


def compiled(fn):
    """`fn` compiled (cached, without the GIL, `FAST` maths), or `fn` itself without numba."""
    return _numba.njit(cache=True, nogil=True, fastmath=FAST)(fn) if _numba is not None else fn


def parallel(fn):
    """`fn` compiled with its `prange` loops in parallel threads, or `fn` itself without numba."""
    return _numba.njit(cache=True, parallel=True, fastmath=FAST)(fn) if _numba is not None else fn


def available() -> bool:
    """Whether numba is installed (else the numpy reference engine runs)."""
    return _numba is not None


@compiled
def support(row):
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


@compiled
def axpy(x, h, w):
    """x += w h, element by element. The kernels call it for each row rather than writing the
    loop inline in their loop nests: inline, the same loop ran slower (`_flip_incomes` 20 against
    15 us per cell-state on `multidim_2030`; the same for a butterfly of the masks, about twice)."""
    for i in range(x.shape[0]):
        x[i] += w * h[i]


def refresh_caches(modules, name: str = "multidim_kernels") -> None:
    """Drop the on-disk machine code of every compiled function of `modules` when any of their
    sources changed since it was cached; `name` names the group's digest file (one per group of
    modules: two groups sharing a cache folder must not overwrite each other's digest).

    numba keys a cached function on its own file only, but a function that calls a kernel of
    another module carries that kernel's machine code: after an edit of `multidim_cell_kernels`,
    `multidim_jit._year` would keep running the old kernel. A digest of all the modules' sources,
    kept beside the cache, catches that; the cost is one recompilation after an edit. The household
    kernels (`targeted_kernels`, `deprivation_kernels`) carry `household_reach.mix` the same way."""
    if _numba is None:
        return
    digest = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in modules)).hexdigest()
    funcs = [f for m in modules for f in vars(m).values() if getattr(f, "_cache", None) is not None]
    paths = {getattr(f._cache, "_cache_path", None) for f in funcs} - {None}
    stamps = [Path(p) / f"{name}.sha256" for p in paths]
    if all(s.is_file() and s.read_text(encoding="ascii") == digest for s in stamps):
        return
    for f in funcs:
        f._cache.flush()
    for s in stamps:
        try:
            s.write_text(digest, encoding="ascii")
        except OSError:  # a read-only cache folder: numba then does not cache either
            pass
