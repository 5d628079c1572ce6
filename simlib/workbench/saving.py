"""The explorer's saving panel: titles in both languages, the file they give, saving with an
explicit overwrite, and the note while the amounts are not saved.

`SavePanel` makes its widgets once (`box`; each also under its name in the dict it is given, as
the explorer's other widgets are: `title_vi`, `title_en`, `file`, `save`, `overwrite`, `status`)
and saves through the workspace (`simlib.workbench.workspace`: a safe file name derived from the
titles, never an overwrite unasked). Every text it shows is made again in another language by
`relabel` (the status line says the outcome of the last click in the language now shown).
"""

from __future__ import annotations

from pathlib import Path

from simlib import i18n
from simlib.errors import SimlibError
from simlib.paths import display_path
from simlib.report import html as H
from simlib.workbench.refusals import UnsavedNote
from simlib.workbench.state import AllocationState
from simlib.workbench.workspace import plan_save, save


class SavePanel:
    """Titles, the file they give, the save and overwrite buttons, the status line."""

    def __init__(self, state: AllocationState, lang: str, folder: Path, w: dict):
        # local import: ipywidgets only where a widget is drawn (the workbench runs headless too)
        import ipywidgets as W

        self.state, self.lang, self.folder, self.w = state, lang, folder, w
        self._status = lambda: ""  # the status line, made in the language shown (`relabel`)
        wide, label = W.Layout(width="520px"), {"description_width": "150px"}
        w["title_vi"] = W.Text(layout=wide, style=label)
        w["title_en"] = W.Text(layout=wide, style=label)
        w["file"], w["status"] = W.HTML(), W.HTML()
        w["save"] = W.Button(icon="save", button_style="primary")
        w["overwrite"] = W.Button(button_style="warning")
        w["overwrite"].layout.display = "none"
        for k in ("title_vi", "title_en"):
            w[k].observe(self.title_changed, names="value")
        w["save"].on_click(lambda _: self.save())
        w["overwrite"].on_click(lambda _: self.save(overwrite=True))
        self.title_changed()
        self.unsaved = UnsavedNote(state, lang)  # while amounts are not saved: a restart loses them
        self.heading = W.HTML()
        buttons = W.HBox([w["save"], w["overwrite"], self.unsaved.widget])
        self.box = W.VBox([self.heading, w["title_vi"], w["title_en"], w["file"], buttons, w["status"]])
        self.relabel(lang)

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)

    def relabel(self, lang: str) -> None:
        """Every text of the panel in `lang` (the titles typed and the file stay as they are)."""
        self.lang = self.unsaved.lang = lang
        words = {"title_vi": "wb.title_vi", "title_en": "wb.title_en", "save": "wb.save", "overwrite": "wb.overwrite"}
        for k, key in words.items():
            self.w[k].description = self.t(key)
        self.heading.value = f"<b>{H.esc(self.t('wb.save_heading'))}</b>"
        self.w["status"].value = self._status()
        self.unsaved.update()

    def plan(self):
        return plan_save(self.state, self.w["title_vi"].value, self.w["title_en"].value, self.folder)

    def title_changed(self, change=None) -> None:
        """Show the file the titles give (or why there is none); hide a stale overwrite offer."""
        self.w["overwrite"].layout.display = "none"
        plan = self.plan()
        if plan.path is not None:
            self.w["file"].value = f"<span class='sl-small'>→ {H.esc(display_path(plan.path))}</span>"
        else:
            self.w["file"].value = ""

    def _say(self, status) -> None:
        """Show `status()` in the status line, made again by `relabel` in another language."""
        self._status = status
        self.w["status"].value = status()

    def save(self, overwrite: bool = False) -> Path | None:
        """Save as the titles say; every refusal is shown in the status line. Returns the file."""
        plan = self.plan()
        if plan.problems:
            self._say(lambda: "<b>✗</b> " + "; ".join(H.esc(p.message(self.lang)) for p in plan.problems))
            return None
        if plan.exists and not overwrite:
            self._say(lambda: "<b>?</b> " + H.esc(self.t("wb.save_exists", path=display_path(plan.path))))
            self.w["overwrite"].layout.display = ""
            return None
        try:
            path = save(self.state, plan, overwrite=overwrite)
        except SimlibError as exc:
            self._say(lambda e=exc: f"<b>✗</b> {H.esc(e.message(self.lang))}")
            return None
        self.w["overwrite"].layout.display = "none"
        self.unsaved.saved()
        self._say(lambda: f"<b>✓</b> {H.esc(self.t('wb.saved', path=display_path(path)))}")
        return path
