"""The evidence register (`params/evidence.yaml`): a prior for every programme effect, lag, unit
cost, asset life and the labour-capacity share, citing the studies it rests on or flagged as
having none (`no_evidence: true`, a deliberately wide prior).

Parameter files do not repeat the register's numbers: they refer to a prior by its dotted path in
the register, e.g. `escape: {prior: priors.P2.effects.escape}`. When the parameters are loaded,
`resolve_priors` replaces each reference by the quantity the rest of simlib reads::

    value         the prior's central value
    unit, range   the prior's
    distribution  triangular -> triangular, uniform -> uniform, point -> fixed
    evidence      the cited study ids (keys of the register's `studies`)
    no_evidence   true where nothing was found (the range is then a wide prior)
    source / assumption   a sentence naming the register entry (and its studies)
    prior         the dotted path it came from

so the register is the one source of truth, overrides (`program.lines.P2.effects.escape.value`)
work as before, and the uncertainty sampler draws from the register's distributions. A register
entry `same_as: P1.1` under `priors` stands for that line's priors. The register as the pages
show it (`evidence_table`, `readable_evidence_table`: tables, with pandas) is
`simlib.evidence_tables`; loading the parameters does not need it.
"""

from __future__ import annotations

from typing import Any

from simlib.errors import InputError

#: the register's prior shapes -> quantity distributions (`common.schema.yaml#/$defs/quantity`)
SHAPES = {"triangular": "triangular", "uniform": "uniform", "point": "fixed"}
#: register sections whose priors are effects: zero must lie in their range unless `zero_excluded`
EFFECT_SECTIONS = ("effects", "multidim")


def _step(node: Any, segments: list[str]) -> tuple[Any, list[str]] | None:
    """One step down a mapping whose keys may contain dots (longest key first)."""
    if not isinstance(node, dict):
        return None
    for n in range(len(segments), 0, -1):
        key = ".".join(segments[:n])
        if key in node:
            return node[key], segments[n:]
    return None


def lookup(register: dict, path: str) -> dict | None:
    """The register entry at dotted `path` (keys such as `P1.1` may contain dots), following
    `same_as` between lines of `priors`; None if there is none."""
    node, rest = register, path.split(".")
    while rest:
        if isinstance(node, dict) and "same_as" in node and node is not register:
            priors = register.get("priors", {})
            node = priors.get(node["same_as"])
        found = _step(node, rest)
        if found is None:
            return None
        node, rest = found
    return node if isinstance(node, dict) else None


def is_prior(node: Any) -> bool:
    return isinstance(node, dict) and "central" in node and "unit" in node


def basis_text(prior: dict, path: str) -> str:
    """The sentence a resolved quantity carries as its `source` (or `assumption`)."""
    ids = ", ".join(prior.get("evidence") or [])
    head = f"params/evidence.yaml {path}"
    if prior.get("no_evidence"):
        return f"no evidence - wide prior ({head}{': ' + ids if ids else ''})"
    return f"{head}: {ids}"


def prior_quantity(prior: dict, path: str) -> dict:
    """The quantity a reference to `prior` (at register path `path`) resolves to."""
    q: dict[str, Any] = {"value": prior["central"], "unit": prior["unit"]}
    if "range" in prior:
        q["range"] = list(prior["range"])
    q["distribution"] = SHAPES[prior.get("shape", "triangular")]
    key = "assumption" if prior.get("no_evidence") else "source"
    q[key] = basis_text(prior, path)
    q["evidence"] = list(prior.get("evidence") or [])
    q["no_evidence"] = bool(prior.get("no_evidence", False))
    q["prior"] = path
    if "price_year" in prior:
        q["price_year"] = int(prior["price_year"])
    return q


def resolve_priors(doc: Any, register: dict, file: str, path: tuple = ()) -> list[InputError]:
    """Replace, in `doc` (in place), every `{prior: <path>}` mapping by the quantity of that
    register prior (see the module docstring); unknown paths are errors naming the field."""
    errors: list[InputError] = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, node in list(items):
        here = path + (key,)
        if isinstance(node, dict) and "prior" in node and "value" not in node:
            entry = lookup(register, str(node["prior"]))
            if not is_prior(entry):
                field = ".".join(map(str, here)) + ".prior"
                errors.append(InputError("prior_unknown", file=file, field=field, value=node["prior"]))
                continue
            q = prior_quantity(entry, str(node["prior"]))
            if "note" in node:
                q["note"] = node["note"]
            doc[key] = q
        else:
            errors.extend(resolve_priors(node, register, file, here))
    return errors


def _priors(node: Any, path: tuple = ()):
    """Every prior of the register with its path."""
    if is_prior(node):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            if k != "studies":
                yield from _priors(v, path + (k,))


def check_register(register: dict, file: str) -> list[InputError]:
    """What the schema cannot say: every cited study exists, every prior has a basis (studies or
    the wide-prior flag), its central value lies in its range, an effect's range contains zero
    unless `zero_excluded` says why, and `same_as` names a line of `priors`."""
    errors: list[InputError] = []
    studies = register.get("studies") or {}
    for path, prior in _priors(register):
        field = ".".join(map(str, path))
        for sid in prior.get("evidence") or []:
            if sid not in studies:
                errors.append(InputError("evidence_unknown", file=file, field=field + ".evidence", value=sid))
        if not prior.get("evidence") and not prior.get("no_evidence"):
            errors.append(InputError("prior_no_basis", file=file, field=field))
        lo, hi = prior.get("range", [prior["central"]] * 2)
        if not lo <= prior["central"] <= hi:
            errors.append(
                InputError("range", file=file, field=field + ".central", value=prior["central"], lo=lo, hi=hi)
            )
        effect = len(path) > 2 and path[0] == "priors" and path[2] in EFFECT_SECTIONS
        if effect and lo > 0 and not prior.get("zero_excluded"):
            errors.append(InputError("prior_zero_excluded", file=file, field=field + ".range", value=[lo, hi]))
    for line, entry in (register.get("priors") or {}).items():
        if "same_as" in entry and entry["same_as"] not in register["priors"]:
            errors.append(InputError("unknown_line", file=file, field=f"priors.{line}.same_as", value=entry["same_as"]))
    return errors
