"""numba for the compiled multidimensional expected engine (`simlib.engines.multidim_jit`): its
decorators, whether numba is installed, and a helper the kernels share.

The kernels are cached on disk (`cache=True`): a process after the first loads their machine code
instead of compiling (about 30 s of CPU). numba keys a cached function on its own source file only:
after editing a kernel module, the cached callers in other modules (`multidim_jit._year`) keep the
old code until their file changes too or `__pycache__` is cleared.
"""

from __future__ import annotations

try:  # numba is a dependency; the numpy engine remains the fallback and the reference
    import numba as _numba
    from numba import prange
except ImportError:  # pragma: no cover
    _numba = None
    prange = range

#: sums may be reordered (vectorised) and multiply-adds fused: results move in the last bits only
FAST = {"reassoc", "contract", "nsz"}


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
