"""`python -m simlib.workbench`: refresh the workspace's copies of the notebooks (run by
`make lab`) and say what was done, in the language of `SIMLIB_LANG` (default Vietnamese)."""

from __future__ import annotations

import sys

from simlib import i18n
from simlib.paths import display_path, notebooks_dir, workspace_dir
from simlib.workbench.workspace import scenarios_folder, sync_notebooks


def main() -> int:
    lang = i18n.get_lang(None)
    for name, action in sync_notebooks():
        template = display_path(notebooks_dir() / name)
        print(f"  {name}: {i18n.t(f'wb.sync.{action}', lang, template=template)}")
    path, saved = display_path(workspace_dir()), display_path(scenarios_folder())
    print(i18n.t("wb.sync.done", lang, path=path, scenarios=saved))
    return 0


if __name__ == "__main__":
    sys.exit(main())
