"""Which minimum local counterpart share the optimiser holds each projected year to.

The share comes from the legal frame in force that year (`simlib.legal.LegalFrame.for_year`):

- the frame states a ratio: that ratio (its legal source);
- else the request sets `counterpart_min_share`: that share, labelled as the user's assumption;
- else the assumed floor of `params/allocation.yaml` (money.counterpart), but only in the years it
  was chosen for (`period`, the 2021–2025 programme): it is not a legal rule and says nothing
  about another period;
- else no rule: the year is reported as one whose counterpart rule is unknown, with the source
  the frame says was searched, and the counterpart is not applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from simlib import i18n
from simlib.i18n import LocalText
from simlib.schema import qv

KINDS = ("frame", "spec", "assumption", "unknown")


@dataclass(frozen=True)
class CounterpartFloor:
    """Per projected year: the minimum local share of central money (None: unknown, not applied)
    and where it comes from (one of `KINDS`)."""

    years: tuple[int, ...]
    shares: tuple[float | None, ...]
    kinds: tuple[str, ...]
    searched: tuple[LocalText | None, ...] = ()  # per year: the frame's counterpart source in words

    def share(self, year: int) -> float | None:
        """The share `year` is held to, or None when no rule applies that year."""
        return self.shares[self.years.index(int(year))] if int(year) in self.years else None

    @property
    def applied_years(self) -> tuple[int, ...]:
        return tuple(y for y, s in zip(self.years, self.shares) if s is not None)

    @property
    def unknown_years(self) -> tuple[int, ...]:
        return tuple(y for y, k in zip(self.years, self.kinds) if k == "unknown")

    @property
    def largest(self) -> float:
        """The largest share applied in any year (0 when none)."""
        return max((s for s in self.shares if s is not None), default=0.0)


def _period(raw: dict) -> tuple[float, float]:
    """The years the assumed floor of params/allocation.yaml was chosen for (all years if unset)."""
    period = raw.get("period")
    if not period:
        return float("-inf"), float("inf")
    return float(period[0]), float(period[1])


def counterpart_floor(scen, raw_spec: dict) -> CounterpartFloor:
    """The counterpart floor of each of `scen`'s projected years (see the module docstring);
    `raw_spec` the request (its `counterpart_min_share`, when set, is the user's assumption)."""
    q = scen.params["allocation"]["money"]["counterpart"]
    lo, hi = _period(q)
    frame = scen.legal
    shares, kinds, searched = [], [], []
    for year in scen.years:
        in_force = frame.for_year(year) if frame is not None else None
        if in_force is not None and in_force.counterpart.ratio is not None:
            share, kind = in_force.counterpart.ratio, "frame"
        elif "counterpart_min_share" in raw_spec:
            share, kind = float(raw_spec["counterpart_min_share"]), "spec"
        elif lo <= year <= hi:
            share, kind = qv(q["min_local_share_of_central"]), "assumption"
        else:
            share, kind = None, "unknown"
        shares.append(share)
        kinds.append(kind)
        searched.append(_searched(in_force))
    return CounterpartFloor(tuple(scen.years), tuple(shares), tuple(kinds), tuple(searched))


def _searched(in_force) -> LocalText | None:
    """The frame's counterpart source in words (None without a frame or a cited document); a
    document whose number was not found is named by its title."""
    if in_force is None or not in_force.counterpart.citation.doc:
        return None
    c = in_force.counterpart.citation
    doc = in_force.documents.get(c.doc)
    if doc is None or doc.number != "not_found" or not doc.title_vi:
        return LocalText(vi=in_force.cite(c, "vi"), en=in_force.cite(c, "en"))
    status = {lang: i18n.t(f"legal.status.{c.status}", lang) for lang in ("vi", "en")}
    return LocalText(
        **{
            lang: i18n.t("alloc.counterpart_untitled", lang, kind=doc.kind_vi, title=doc.title_vi) + " " + status[lang]
            for lang in ("vi", "en")
        }
    )


def unknown_note(floor: CounterpartFloor) -> LocalText | None:
    """A sentence for the output: the years whose counterpart rule is unknown and not applied,
    with the source searched (None when every year has a rule)."""
    years = floor.unknown_years
    if not years:
        return None
    found = [floor.searched[floor.years.index(y)] for y in years]
    out = {}
    for lang in ("vi", "en"):
        cites = sorted({c.get(lang) for c in found if c is not None})
        source = "; ".join(cites) or i18n.t("legal.no_document", lang)
        out[lang] = i18n.t("alloc.counterpart_unknown", lang, years=", ".join(map(str, years)), source=source)
    return LocalText(**out)
