"""A refusal on screen goes when the planner leaves the cell it refused (lab63).

When the explorer refuses a typed amount or total, the box goes back to the amount the state
holds and the reasons are listed. The refusal stays while the planner has not acted on it: a
value refused as the planner left the box (Tab, a click elsewhere) stays on screen, to be read.
It goes when the planner acts again:

- a new value anywhere replaces it (the view shows that value's outcome, as ever);
- Enter in a box clears it (lab61: Enter on the amount shown sends no value, only `submit`);
- leaving the refused box, by Tab or by a click elsewhere, once the refusal is on screen: the
  planner retyped the amount shown, or let the box keep it (this module).

ipywidgets 8's text box sends no message when it is left (card61): its value only when the text
changed, `submit` on Enter. So the box the refusal is about is marked (`REFUSED_CLASS`, and the
refusal's number, `sl-refusal-N`), and a script run once in the page (`WATCH_JS`, displayed
beside the widgets by `ExplorerView.show`) watches the page's `focusout`: when the focus leaves a
marked box, it writes the refusal's number into a hidden text box of the same explorer
(`LEFT_CLASS`, a plain `ipywidgets.Text`) and fires its `change`, which ipywidgets sends to the
kernel like any typed value. The kernel clears the refusal only when that number is the refusal
still on screen: a new value typed in the marked box and left with Tab is sent first (the browser
fires `change` before `focusout`), refused under a new number, and the older number that follows
leaves the new refusal on screen. Where the page runs no script (a notebook viewer, a front end
without JavaScript outputs), nothing changes: Enter and a new value clear a refusal as before.
"""

from __future__ import annotations

from collections.abc import Callable

#: the hidden text box the page's script writes a left refusal's number into
LEFT_CLASS = "sl-left"
#: the box whose value was refused while its refusal is on screen
REFUSED_CLASS = "sl-refused"
#: the refused box's class carrying the refusal's number (`REFUSAL_PREFIX` + N)
REFUSAL_PREFIX = "sl-refusal-"
#: run once per page (a second explorer in the notebook finds it there); `document.hasFocus()`:
#: the browser window losing the focus is no leaving of the box
WATCH_JS = (
    "if (!window.slLeftWatch) {\n"
    "  window.slLeftWatch = true;\n"
    "  document.addEventListener('focusout', (e) => {\n"
    "    const box = e.target instanceof HTMLInputElement ? e.target.closest('." + REFUSED_CLASS + "') : null;\n"
    "    if (!box || !document.hasFocus()) return;\n"
    "    const mark = [...box.classList].find((c) => c.startsWith('" + REFUSAL_PREFIX + "'));\n"
    "    const root = box.closest('.sl-explorer');\n"
    "    const left = root ? root.querySelector('." + LEFT_CLASS + " input') : null;\n"
    "    if (!mark || !left) return;\n"
    "    left.value = mark.slice(" + str(len(REFUSAL_PREFIX)) + ") + ' ' + Date.now();\n"
    "    left.dispatchEvent(new Event('change', { bubbles: true }));\n"
    "  });\n"
    "}\n"
)


class RefusalMark:
    """The box a refusal on screen is about (`mark`), and the hidden box (`widget`) through which
    the page says it was left: `on_left()` is then called, once, for the refusal still shown."""

    def __init__(self, on_left: Callable[[], None]):
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        self.on_left = on_left
        self.number = 0  # the last refusal marked
        self.box = None  # the box marked, None without a refusal on screen
        self.widget = W.Text(continuous_update=False)
        self.widget.add_class(LEFT_CLASS)
        self.widget.layout.display = "none"
        self.widget.observe(lambda change: self.left(change["new"]), names="value")

    def mark(self, box) -> None:
        """A value typed in `box` was refused: the refusal now on screen is about it."""
        self.clear()
        self.number += 1
        self.box = box
        box.add_class(REFUSED_CLASS)
        box.add_class(f"{REFUSAL_PREFIX}{self.number}")

    def clear(self) -> None:
        """No refusal on screen any more (another value's outcome is shown, or Enter)."""
        if self.box is not None:
            self.box.remove_class(REFUSED_CLASS)
            self.box.remove_class(f"{REFUSAL_PREFIX}{self.number}")
            self.box = None

    def left(self, message: str) -> None:
        """The page's word that a marked box was left («N time»): the refusal N goes if it is
        still the one on screen."""
        number = str(message).split(" ", 1)[0]
        if self.box is not None and number == str(self.number):
            self.clear()
            self.on_left()
