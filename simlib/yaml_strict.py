"""YAML read strictly: duplicate keys, nesting deeper than `MAX_YAML_DEPTH` and aliases that
expand beyond `MAX_YAML_NODES` values (or into themselves) are refused, and syntax errors are
told in the user's language (`yaml_error`). `simlib.schema.load_yaml` reads every file through it.

A file is read first by libyaml's parser (`FastStrictLoader`, about ten times faster than
PyYAML's pure-Python one: parameter files took about half a second of every command); anything it
refuses or finds wrong is read again by `StrictLoader`, whose refusal (and words, and lines) is
the one said. So a file either reads to the same value through both, or is refused as before.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import yaml

from simlib.errors import InputError


class DuplicateKey(Exception):
    """A key written twice in one mapping: `key` (the dotted field once `parse_with` has found
    where the mapping `node` sits: `budget.years.2025`), at `line`."""

    def __init__(self, key: str, line: int, node: yaml.Node | None = None):
        self.key, self.line, self.node = key, line, node


#: the deepest nesting of lists and mappings a YAML file may have (parameter files need about 8)
MAX_YAML_DEPTH = 100


class TooDeep(Exception):
    pass


#: a plain scalar YAML 1.1 reads as an octal number (`01273` → 699): a leading zero, then digits
#: 0–7 only. Commune codes are written so (data/caobang_communes/units.csv); no parameter is.
OCTAL_FORM = re.compile(r"[-+]?0[0-7_]+")


def text_not_octal(loader, kind, value, implicit):
    """The tag of a scalar as `yaml.resolver.Resolver.resolve` gives it, except that a plain scalar
    of `OCTAL_FORM` is text, as written (`01273` stays «01273», never the number 699): a code whose
    leading zero is read as octal would name another unit, and a number so written is refused as
    text where a number is expected rather than read as another number."""
    if kind is yaml.ScalarNode and implicit[0] and OCTAL_FORM.fullmatch(value):
        return yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
    return yaml.SafeLoader.resolve(loader, kind, value, implicit)


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one) and nesting
    deeper than `MAX_YAML_DEPTH` (which PyYAML's scanner handles in quadratic time), and reads a
    plain scalar of `OCTAL_FORM` as text (`text_not_octal`)."""

    resolve = text_not_octal

    def fetch_more_tokens(self):
        if self.flow_level > MAX_YAML_DEPTH or len(self.indents) > MAX_YAML_DEPTH:
            raise TooDeep
        super().fetch_more_tokens()


def _construct_mapping(loader, node, deep=False):
    """A mapping refused on its first repeated key; a key that cannot be one (a list or a
    mapping: `? [a, b]`) is left to PyYAML's own refusal (a `ConstructorError` with its line).
    Keys are compared as the text they become (`simlib.schema` reads every key as text): a year
    written `'2024':` and again `2024:` is one key written twice, not two."""
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            break
        if key in seen or str(key) in seen:
            raise DuplicateKey(str(key), key_node.start_mark.line + 1, node)
        seen.update((key, str(key)))
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class FastStrictLoader(yaml.CSafeLoader):
    """libyaml's parser with `StrictLoader`'s refusal of duplicate keys and reading of octal-looking
    scalars (`text_not_octal`); its nesting is measured on the composed nodes (`depth_over`), not
    while scanning."""

    resolve = text_not_octal


FastStrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class ValueLoader(yaml.CSafeLoader):
    """libyaml's safe reader of a short value (a `--set` value), reading octal-looking scalars as
    text as files are read (`text_not_octal`): `--set ...lines.P7.1={01273: 1}` names 01273."""

    resolve = text_not_octal


def depth_over(node: yaml.Node, limit: int) -> bool:
    """Whether lists and mappings nest deeper than `limit` below `node` (the root at depth 1, as
    `StrictLoader` counts), walked without recursion; a node met again through an alias is not
    walked again at the same or a smaller depth."""
    deepest: dict[int, int] = {}
    stack = [(node, 1)]
    while stack:
        n, d = stack.pop()
        if d > limit:
            return True
        if deepest.get(id(n), 0) >= d:
            continue
        deepest[id(n)] = d
        if isinstance(n, yaml.MappingNode):
            stack.extend((c, d + 1) for pair in n.value for c in pair)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((c, d + 1) for c in n.value)
    return False


#: the most values a YAML file may hold once its aliases (`*name`) are expanded: far above any
#: parameter file (program.yaml has a few thousand), far below what exhausts memory
MAX_YAML_NODES = 1_000_000


class TooLarge(Exception):
    def __init__(self, nodes: int | None):
        self.nodes = nodes


def expanded_size(node: yaml.Node) -> int:
    """How many values `node` stands for with every alias expanded, computed on the shared node
    graph (so a "billion laughs" file is measured, never built); a node that contains itself
    raises `TooLarge(None)`."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in memo:
            return memo[key]
        if key in active:
            raise TooLarge(None)
        active.add(key)
        if isinstance(n, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(v) for v in n.value)
        else:
            total = 1
        active.discard(key)
        if total > MAX_YAML_NODES:
            raise TooLarge(total)
        memo[key] = total
        return total

    return size(node)


def parse_strict(fh) -> Any:
    """The YAML document of an open file or text: read by `FastStrictLoader`, or, when it refuses
    the file or finds it wrong, by `StrictLoader`, whose refusal is raised (as above)."""
    text = fh if isinstance(fh, (str, bytes)) else fh.read()
    try:
        return parse_with(FastStrictLoader, text)
    except (yaml.YAMLError, DuplicateKey, TooDeep, TooLarge, RecursionError):
        pass  # the pure-Python reader's refusal, with its words and lines, is the one said
    return parse_with(StrictLoader, text)


def compose_fast(text) -> yaml.Node | None:
    """The node graph of `text` as libyaml composes it (marks and tags as PyYAML's), refused as
    `parse_strict` refuses (`TooDeep`, `TooLarge`, a `yaml.YAMLError`) but in libyaml's words:
    for readers of a file that loading reads and reports anyway (`simlib.money_notes`)."""
    loader = FastStrictLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is not None and depth_over(node, MAX_YAML_DEPTH):  # first: a deep graph's size
        raise TooDeep  # would be measured by recursion (a node inside itself is deep too)
    if node is not None:
        expanded_size(node)
    return node


def parse_with(loader_class, text) -> Any:
    """The document of `text` read by `loader_class`, refused when deeper than `MAX_YAML_DEPTH`
    or, aliases expanded, larger than `MAX_YAML_NODES` values."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded_size(node)  # first: it refuses a node that contains itself
        if depth_over(node, MAX_YAML_DEPTH):
            raise TooDeep
        return loader.construct_document(node)
    except DuplicateKey as exc:
        exc.key = ".".join([*field_of(node, exc.node), exc.key])
        raise
    finally:
        loader.dispose()


def field_of(root: yaml.Node, target: yaml.Node | None) -> list[str]:
    """The keys (a list's items by their index) leading from `root` to the node `target`, walked
    without recursion, each node once; empty when `target` is the root or is not found."""
    stack: list[tuple[yaml.Node, list[str]]] = [(root, [])]
    seen: set[int] = set()
    while stack:
        n, path = stack.pop()
        if n is target:
            return path
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            stack.extend((v, [*path, str(k.value)]) for k, v in n.value if isinstance(k, yaml.ScalarNode))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((v, [*path, str(i)]) for i, v in enumerate(n.value))
    return []


def yaml_error(exc: yaml.YAMLError, shown: str) -> InputError:
    """A YAML syntax error in the user's language where it can be: a tab used for indentation
    (a file edited in Notepad) is named as such; other errors say the line and column (or the
    lines from what was left open to where that was found) in the message's language, then the
    parser's own (English) words."""
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return InputError("yaml", file=shown, detail=str(exc).replace("\n", " "))
    line, column = mark.line + 1, mark.column + 1
    problem = str(getattr(exc, "problem", "") or "")
    if "'\\t'" in problem or "\t" in problem:
        return InputError("yaml_tab", file=shown, line=line)
    hidden = hidden_in_line(mark, exc)
    if hidden:
        return InputError("yaml_hidden_character", file=shown, line=hidden[0], chars=hidden[1])
    cut = cut_off(exc, shown) if "<stream end>" in problem or "end of stream" in problem else None
    if cut is not None:  # the text stops inside a value, and inside a line
        return cut
    left_open = open_value_error(exc, shown)
    if left_open is not None:
        return left_open
    if problem.startswith("found unhashable key"):  # `? [a, b]`: a list or a mapping as a key
        return InputError("yaml_key", file=shown, line=line, column=column)
    detail = problem or str(exc).replace("\n", " ")
    start = getattr(exc, "context_mark", None)
    if start is not None and start.line + 1 < line:  # what was left open, and where it was found
        return InputError("yaml_between", file=shown, start=start.line + 1, line=line, detail=detail)
    return InputError("yaml_at", file=shown, line=line, column=column, detail=detail)


def cut_off(exc: yaml.YAMLError, shown: str) -> InputError | None:
    """The error for a file whose text stops inside a line and inside a value (a `{…}`, `[…]` or
    quoted text left open: a file cut off while being saved or copied): the last line with text,
    what it stops at, and the line where the value left open begins, in plain words (the parser's
    «'<stream end>'» said nothing to a planner). None when the text ends with a line end (a
    bracket left open by hand, said as a syntax error) or is not at hand (libyaml's marks)."""
    buffer = getattr(exc.problem_mark, "buffer", None)
    text = buffer.rstrip("\0") if isinstance(buffer, str) else ""
    if not text.strip() or text.endswith(("\n", "\r")):
        return None
    last = text.count("\n") + 1
    start = exc.context_mark.line + 1 if getattr(exc, "context_mark", None) is not None else last
    words = text.rsplit("\n", 1)[-1].strip(" \t")[-60:]
    return InputError("yaml_cut", file=shown, line=last, text=words, start=min(start, last))


#: the closing mark of each bracket of a YAML value written on one line (a flow collection)
CLOSING = {"[": "]", "{": "}"}


def open_value_error(exc: yaml.YAMLError, shown: str) -> InputError | None:
    """The error for a bracket (`years: [2025,` then a line end) or a quote left open in a file
    whose text is at hand: the line where it opens, what closes it, and the line where the parser
    gave up, in plain words instead of the parser's («expected ',' or ']', but got '<stream
    end>'»). None for any other error."""
    context = str(getattr(exc, "context", "") or "")
    buffer = getattr(exc.problem_mark, "buffer", None)
    if not isinstance(buffer, str) or "flow" not in context and "quoted scalar" not in context:
        return None
    line = exc.problem_mark.line + 1
    if "quoted scalar" in context:
        start = exc.context_mark
        quote = buffer[start.index] if start is not None and start.index < len(buffer) else '"'
        first = start.line + 1 if start is not None else line
        return InputError("yaml_open_quote", file=shown, start=first, line=line, mark=quote)
    found = innermost_open(buffer[: exc.problem_mark.index])
    if found is None or found[0] >= line:
        return None  # no bracket left open, or one the parser stopped at on its own line: said as before
    start, bracket = found
    end_of_start = buffer.find("\n", sum(len(t) + 1 for t in buffer.split("\n")[: start - 1]))
    if innermost_open(buffer[:end_of_start]) != found:
        return None  # closed on its own line: the problem is another
    return InputError("yaml_open_bracket", file=shown, start=start, line=line, mark=bracket, close=CLOSING[bracket])


def innermost_open(text: str) -> tuple[int, str] | None:
    """(line, bracket) of the innermost `[` or `{` of `text` not closed in it, outside quotes and
    comments (a quote opens only where a value starts: `it's` quotes nothing); None if none is."""
    stack: list[tuple[int, str]] = []
    quote, line, before = "", 1, "\n"
    for ch in text:
        if ch == "\n":
            line += 1
        if quote:
            quote = "" if ch == quote or ch == "\n" and quote == "#" else quote
        elif ch == "#" and before in " \t\n":
            quote = "#"
        elif ch in "'\"" and before in " \t\n[{,:":
            quote = ch
        elif ch in CLOSING:
            stack.append((line, ch))
        elif ch in "]}" and stack:
            stack.pop()
        before = ch
    return stack[-1] if stack else None


#: characters that look like a space (or like nothing) but are none to YAML: no-break spaces
#: (U+00A0, U+202F), thin and zero-width spaces, soft hyphen; typed by word processors
HIDDEN_SPACES = "\u00a0\u202f\u2009\u200b\u200c\u200d\u2060\u00ad"


def hidden_in_line(mark, exc: yaml.YAMLError) -> tuple[int, str] | None:
    """(line, the characters' code points) of the line nearest a syntax error holding a character
    of `HIDDEN_SPACES`: the line where it was found, the one before (a no-break space after a
    colon makes the next line the wrong one) or any up to what was left open; None when there is
    none or the text is not at hand (libyaml's marks hold no text)."""
    buffer = getattr(mark, "buffer", None)
    if not isinstance(buffer, str):
        return None
    lines = buffer.split("\n")
    start = getattr(exc, "context_mark", None)
    first = min(start.line if start is not None else mark.line, mark.line - 1)
    for number in range(min(mark.line, len(lines) - 1), max(first, 0) - 1, -1):
        found = dict.fromkeys(c for c in lines[number] if c in HIDDEN_SPACES)
        if found:
            return number + 1, ", ".join(f"U+{ord(c):04X}" for c in found)
    return None


def empty_key_at_end(text: str) -> tuple[str, int] | None:
    """(dotted field, line) of a key (or list item) written on the last line of `text` that holds
    anything but comments, with nothing after it (`  district_split:`, `    2024:`, `  -`): where a
    file cut off at a line end (saved or copied in part) stops. None for any other file, or one
    that cannot be read."""
    lines = text.split("\n")
    last = max((i for i, s in enumerate(lines) if s.strip() and not s.strip().startswith("#")), default=None)
    try:
        root = compose_fast(text) if last is not None else None
    except (yaml.YAMLError, TooDeep, TooLarge, RecursionError):
        return None
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            pairs = [(k.start_mark.line, v) for k, v in node.value]
        elif isinstance(node, yaml.SequenceNode):
            pairs = [(v.start_mark.line, v) for v in node.value]
        else:
            continue
        for line, value in pairs:
            empty = isinstance(value, yaml.ScalarNode) and value.value == "" and not value.style
            if empty and line == last:
                return ".".join(field_of(root, value)), last + 1
            stack.append(value)
    return None
