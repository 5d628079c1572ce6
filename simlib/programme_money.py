"""Money under the dated catalogues: 2021–2025 line amounts carried to the 2026–2035 contents along
the documented `continues` mapping, and a province's annual envelope checked against a catalogue.

`continue_spend` is a pure function: money by line, shape (L,) or (Y, L, D) (any shape with the
line axis given), goes to the contents with the mapping's shares; each line's money is conserved
(its last successor takes the remainder), and lines with no successor are returned apart with
their money, never dropped. `load_envelope` reads an envelope file
(`params/catalogues/caobang_envelope_2027.yaml`), which is ILLUSTRATIVE until the province's
assigned capital is known, and checks it against the catalogue in force in its year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simlib.errors import InputError, raise_if_any
from simlib.i18n import LocalText
from simlib.paths import display_path, params_dir
from simlib.programmes import CAPITAL, ProgrammeCatalogue, catalogue_for_year, load_programme_catalogue
from simlib.schema import load_yaml, validate


@dataclass(frozen=True)
class ContinuedSpend:
    """Money moved to the contents. `spend` has the contents (`contents`, catalogue order) on the
    line axis; `unmapped` holds the money of `unmapped_lines` (no successor, or not in the
    mapping) on that axis; `basis[content]` lists (line, share, reason) of its links."""

    spend: np.ndarray
    contents: tuple[str, ...]
    unmapped: np.ndarray
    unmapped_lines: tuple[str, ...]
    basis: dict[str, tuple[tuple[str, float, str], ...]]


def continue_spend(
    spend: np.ndarray, line_ids: tuple[str, ...], catalogue: ProgrammeCatalogue, axis: int | None = None
) -> ContinuedSpend:
    """Carry money by 2021–2025 line to the catalogue's contents.

    Parameters
    ----------
    spend : ndarray, shape (L,) or (Y, L, D) or any shape with L on `axis`
        Money by line, in any unit (the result keeps it).
    line_ids : tuple of str, length L
        The 2021–2025 line of each position on the line axis.
    catalogue : ProgrammeCatalogue
        The catalogue whose `continues` links and contents are used.
    axis : int, optional
        The line axis; default 0 for a 1-D array, else 1.

    Returns
    -------
    ContinuedSpend
        `spend` with shape (..., C, ...) for the C contents, `unmapped` with (..., U, ...) for the
        U lines without successor; their sum over the axis equals `spend`'s sum exactly up to
        floating-point rounding, line by line.
    """
    spend = np.asarray(spend, dtype=float)
    axis = (0 if spend.ndim == 1 else 1) if axis is None else axis
    moved = np.moveaxis(spend, axis, 0)
    if moved.shape[0] != len(line_ids):
        raise ValueError(f"spend has {moved.shape[0]} lines on axis {axis}, line_ids {len(line_ids)}")
    contents = catalogue.content_ids
    out = np.zeros((len(contents),) + moved.shape[1:])
    unmapped_lines, unmapped = [], []
    for i, line in enumerate(line_ids):
        link = catalogue.links.get(line)
        if link is None or not link.successors:
            unmapped_lines.append(line)
            unmapped.append(moved[i])
            continue
        left = moved[i].copy()
        for s in link.successors[:-1]:
            part = moved[i] * s.share
            out[contents.index(s.content)] += part
            left -= part
        out[contents.index(link.successors[-1].content)] += left
    rest = np.stack(unmapped) if unmapped else np.zeros((0,) + moved.shape[1:])
    return ContinuedSpend(
        np.moveaxis(out, 0, axis), contents, np.moveaxis(rest, 0, axis), tuple(unmapped_lines), link_basis(catalogue)
    )


def link_basis(catalogue: ProgrammeCatalogue) -> dict[str, tuple[tuple[str, float, str], ...]]:
    """For each content, the 2021–2025 lines it continues with their share and the reason."""
    basis: dict[str, list] = {c: [] for c in catalogue.content_ids}
    for link in catalogue.links.values():
        for s in link.successors:
            basis[s.content].append((link.line, s.share, link.reason))
    return {c: tuple(v) for c, v in basis.items()}


@dataclass(frozen=True)
class Envelope:
    """A province's central-budget envelope for one year (billion VND): `total`, `by_capital`
    (investment, recurrent), `by_content` (content -> capital -> amount; empty when no split is
    known); `illustrative` unless the file says the amounts are assigned."""

    year: int
    total: float
    by_capital: dict[str, float]
    by_content: dict[str, dict[str, float]]
    illustrative: bool
    catalogue_id: str
    method: str
    file: Path


def envelope_file() -> Path:
    return params_dir() / "catalogues" / "caobang_envelope_2027.yaml"


def load_envelope(path: Path | None = None, catalogue: ProgrammeCatalogue | None = None) -> Envelope:
    """Read an envelope and check it against `catalogue` (default: the dated catalogue in force in
    the envelope's year): the year within the catalogue's, investment + recurrent = total, every
    content known and funded only from capital it allows (every problem at once)."""
    path = path or envelope_file()
    doc = load_yaml(path)
    raise_if_any(validate(doc, "programme_envelope", path, quantities=False))
    year = doc["meta"]["year"]
    if catalogue is None:
        catalogue = load_programme_catalogue(catalogue_for_year(year).file)
    raise_if_any(envelope_problems(doc, display_path(path), catalogue))
    amounts = doc["envelope"]
    by_content = {c: {k: float(v) for k, v in caps.items()} for c, caps in (doc.get("by_content") or {}).items()}
    return Envelope(
        year,
        float(amounts["total"]["value"]),
        {k: float(amounts[k]["value"]) for k in CAPITAL},
        by_content,
        doc["meta"]["status"] == "illustrative",
        catalogue.id,
        doc["method"],
        path,
    )


def envelope_problems(doc: dict, shown: str, catalogue: ProgrammeCatalogue) -> list[InputError]:
    """Cross-checks of a schema-valid envelope against a catalogue."""
    errors, year, amounts = [], doc["meta"]["year"], doc["envelope"]
    if not catalogue.first <= year <= catalogue.last:
        errors.append(
            InputError(
                "period_year", file=shown, field="meta.year", value=year, first=catalogue.first, last=catalogue.last
            )
        )
    parts = sum(float(amounts[k]["value"]) for k in CAPITAL)
    total = float(amounts["total"]["value"])
    if abs(parts - total) > 1e-9 * max(1.0, abs(total)):
        errors.append(
            InputError("envelope_total", file=shown, field="envelope.total", value=total, sum=parts, total=total)
        )
    contents = list(catalogue.content_ids)
    for content, caps in (doc.get("by_content") or {}).items():
        if content not in contents:
            errors.append(
                InputError("enum", file=shown, field=f"by_content.{content}", value=content, allowed=contents)
            )
            continue
        allowed = catalogue.capital(content)
        for cap in caps:
            if cap not in allowed:
                errors.append(
                    InputError(
                        "capital_content",
                        file=shown,
                        field=f"by_content.{content}.{cap}",
                        value=cap,
                        line=content,
                        sources=LocalText.coded("legal.capital_money", allowed),
                    )
                )
    return errors
