"""The explorer in a real browser (issue 17): JupyterLab on a free localhost port with a token, in a
temporary folder; Debian's headless Chromium driven by Playwright opens the explorer notebook,
runs it, types a new yearly total into the page and sees the projection change, types an amount
into one content's cell and sees the view update, sees investment capital typed into a
recurrent-only content refused with the legal rule, and clicks the probability button: "Đang
tính…" while it computes in the background, the probabilities in the table when done. Along the way it
checks what only a browser shows: the report styles reach JupyterLab (cards with their border,
text columns left-aligned) and the "run this cell" note is hidden while the widgets are alive.
Last, in the same session (a JupyterLab start costs minutes on a loaded machine), the language
toggle in the header (lang65): an amount typed with a Vietnamese decimal comma, «English»
clicked — the page in English with the same numbers the English way — then «Tiếng Việt»: the
page's text as it was.

Skipped, with the reason, where Chromium or Playwright is missing (`.ci/run` installs Chromium
first, so CI always runs it). Playwright never downloads a browser here: it is given
`/usr/bin/chromium`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest
from conftest import ROOT

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium chromium-driver; .ci/run does)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_folder(tmp_path):
    """A temporary JupyterLab folder with the explorer notebook (paths made absolute) and
    settings that keep JupyterLab from asking about news or updates."""
    folder = tmp_path / "lab"
    folder.mkdir()
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []) or "scenario =" in c.source)
    scen = ROOT / "params" / "scenarios" / "plan_2024.yaml"
    params.source = f'scenario = "{scen}"\nlang = "vi"\nsave_dir = "{tmp_path / "saved"}"'
    nbformat.write(nb, folder / "explore.ipynb")
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    tracker = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"autoStartDefaultKernel": True}))
    return folder


def start_lab(tmp_path, folder, port: int, token: str) -> subprocess.Popen:
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        SIMLIB_WORKSPACE=str(tmp_path / "workspace"),
        SIMLIB_LANG="vi",
    )
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}"]
    cmd += [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}", "--LabApp.news_url=None"]
    cmd += ["--LabApp.extension_manager=readonly", "--allow-root"]
    log = open(tmp_path / "lab.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            break
    stop_lab(proc)
    pytest.fail("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text(errors="replace")[-3000:])


def stop_lab(proc: subprocess.Popen) -> None:
    """Stop the server we started, and its kernels (its own process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def card_value(page, label: str) -> str:
    return page.locator(".sl-card", has_text=label).first.locator(".v").inner_text()


def test_explorer_in_jupyterlab_updates_when_a_control_moves(tmp_path):
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
    )
    folder = lab_folder(tmp_path)
    port, token = free_port(), secrets.token_hex(16)
    proc = start_lab(tmp_path, folder, port, token)
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=FLAGS
            )
            try:
                page = browser.new_page()
                page.set_default_timeout(90_000)
                try:
                    page.goto(f"http://127.0.0.1:{port}/lab/tree/explore.ipynb?token={token}")
                    page.locator(".jp-Notebook").first.wait_for()
                    choose = page.locator(".jp-Dialog button", has_text="Select")
                    try:  # JupyterLab may still ask for the kernel the notebook names
                        choose.first.click(timeout=8_000)
                    except sync_api.TimeoutError:
                        pass
                    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for()
                    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
                    check_live_explorer(page)
                except Exception:
                    page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
                    print(f"screenshot: {tmp_path / 'failure.png'}; server log: {tmp_path / 'lab.log'}")
                    raise
            finally:
                browser.close()
    finally:
        stop_lab(proc)


def check_live_explorer(page) -> None:
    page.locator(".sl-card").first.wait_for(timeout=300_000)  # the opening run: minutes on a loaded machine
    poor_label = "Số hộ nghèo cuối năm"
    before = card_value(page, poor_label)
    assert card_value(page, "Vốn phân bổ mỗi năm") == "712,0 tỷ đồng"
    # the report stylesheet reached JupyterLab, text columns are left-aligned, the note is hidden
    border = page.locator(".sl-card").first.evaluate("e => getComputedStyle(e).borderTopStyle")
    align = page.locator("table.sl-table tbody th, table.sl-table td:not(.num)").first.evaluate(
        "e => getComputedStyle(e).textAlign"
    )
    note = page.locator("[class^='sl-fallback-']").first.evaluate("e => getComputedStyle(e).display")
    assert (border, align, note) == ("solid", "left", "none")
    envelope = page.locator(".widget-text input").first
    envelope.fill("300")
    envelope.press("Enter")
    page.wait_for_function(
        "label => [...document.querySelectorAll('.sl-card')].some(c => c.innerText.includes('300,0 tỷ đồng'))",
        arg=poor_label,
    )
    page.wait_for_function(
        "([label, old]) => { const c = [...document.querySelectorAll('.sl-card')].find(c => c.innerText.includes(label));"
        " return c && c.querySelector('.v').innerText !== old; }",
        arg=[poor_label, before],
    )
    after = card_value(page, poor_label)
    assert int(after.split()[0].replace(".", "")) > int(before.split()[0].replace(".", ""))  # less money, more poor
    envelope.fill("abc")
    envelope.press("Enter")
    page.locator(".sl-problems", has_text="không được chấp nhận").first.wait_for()
    assert card_value(page, "Vốn phân bổ mỗi năm") == "300,0 tỷ đồng"  # refused: the view keeps 300
    check_amount_controls(page)


def check_amount_controls(page) -> None:
    """An amount typed into one content's cell moves the view; investment capital typed into a
    recurrent-only content is refused with the legal rule, and the cell keeps the state's amount."""
    money = "Vốn phân bổ mỗi năm"
    chosen = page.locator(".widget-dropdown select").first.evaluate("e => e.options[e.selectedIndex].text")
    assert chosen.replace("\xa0", " ") == "Mọi năm dự báo"  # the year control shows what it applies to
    production = page.locator(".sl-cell-P3_1-central_recurrent input").first
    production.fill("60")
    production.press("Enter")
    page.wait_for_function(
        "label => { const c = [...document.querySelectorAll('.sl-card')].find(c => c.innerText.includes(label));"
        " return c && c.querySelector('.v').innerText !== '300,0 tỷ đồng'; }",
        arg=money,
    )
    shown = float(card_value(page, money).split()[0].replace(".", "").replace(",", "."))
    assert 300 < shown < 360 and production.input_value() == "60"
    wrong = page.locator(".sl-cell-P3_1-central_investment input").first
    wrong.fill("5")
    wrong.press("Enter")
    page.locator(".sl-problems", has_text="nguồn vốn theo nội dung").first.wait_for()
    page.wait_for_function("() => document.querySelector('.sl-cell-P3_1-central_investment input').value === '0'")
    assert card_value(page, money) == f"{shown:.1f}".replace(".", ",") + " tỷ đồng"
    check_probability_button(page)


def check_probability_button(page) -> None:
    """The probability button computes in the background: it says "Đang tính…" and is off while
    it runs, and the probabilities reach the side-by-side table when done (that the kernel takes
    changes meanwhile is checked through the widget API: test_workbench_background.py)."""
    button = page.locator("button", has_text="Tính xác suất đạt").first
    button.click()
    try:  # a transient state: on a quiet machine the draws may end before the page is polled
        page.locator("button:disabled", has_text="Đang tính…").first.wait_for(timeout=30_000)
    except sync_api_error():  # (CI of stop 65 missed it once; the test passed alone in 29 s)
        assert page.locator("[data-kind='target_now']").count() > 0 or button.is_enabled()
    page.locator("button:not(:disabled)", has_text="Tính xác suất đạt").first.wait_for()
    page.locator("[data-kind='target_now']").first.wait_for()
    assert "lần rút tham số" in page.locator(".widget-html", has_text="lần rút tham số").first.inner_text()
    check_language_toggle(page)


#: letters only Vietnamese writes (its tones and ă â đ ê ô ơ ư)
VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)


#: the explorer's text in the page, without what is written in Vietnamese in either language: the
#: toggle's «Tiếng Việt» and the numbers of the decisions a refusal cites («652/QĐ-TTg»)
PAGE_JS = "document.querySelector('.sl-explorer').innerText.replaceAll('Tiếng Việt', '').replaceAll('QĐ-', '')"
VIETNAMESE_JS = "/" + VIETNAMESE.pattern + "/i"


def sync_api_error():
    return pytest.importorskip("playwright.sync_api").TimeoutError


def not_names(line: str) -> str:
    return line.replace("Tiếng Việt", "").replace("QĐ-", "")


def explorer_text(page) -> str:
    return page.locator(".sl-explorer").first.inner_text().replace("\xa0", " ")


def check_language_toggle(page) -> None:
    """The header's toggle: an amount typed the Vietnamese way (decimal comma), then «English»:
    English labels, the same money and households the English way (1,234.5), no Vietnamese left
    on the page but the toggle's own «Tiếng Việt»; then «Tiếng Việt»: the page's text as before."""
    money, poor = "Vốn phân bổ mỗi năm", "Số hộ nghèo cuối năm"
    old = card_value(page, money)
    production = page.locator(".sl-cell-P3_1-central_recurrent input").first
    production.fill("60,5")  # was 60: half a billion more
    production.press("Enter")
    page.wait_for_function(
        "([label, old]) => { const c = [...document.querySelectorAll('.sl-card')].find(c => c.innerText.includes(label));"
        " return c && c.querySelector('.v').innerText !== old; }",
        arg=[money, old],
    )
    vi_money = float(card_value(page, money).split()[0].replace(".", "").replace(",", "."))
    assert vi_money == pytest.approx(float(old.split()[0].replace(".", "").replace(",", ".")) + 0.5)
    vi_poor = int(card_value(page, poor).split()[0].replace(".", ""))
    toggle = page.locator(".sl-language").first
    assert toggle.bounding_box()["y"] < page.locator(".sl-cell-P3_1-central_recurrent").first.bounding_box()["y"]
    vi_text = explorer_text(page)
    page.locator(".sl-language button", has_text="English").first.click()
    page.locator(".sl-card", has_text="Money allocated per year").first.wait_for()
    page.wait_for_function("() => document.querySelector('.sl-cell-P3_1-central_recurrent input').value === '60.5'")
    assert card_value(page, "Money allocated per year") == f"{vi_money:,.1f} billion VND"  # e.g. 697.5
    assert card_value(page, "Poor households, end of").split()[0] == f"{vi_poor:,d}"  # e.g. 25,537
    try:  # the widgets' new values reach the page one by one (the side-by-side table last)
        page.wait_for_function(f"() => !{VIETNAMESE_JS}.test({PAGE_JS})", timeout=120_000)
    except sync_api_error() as e:
        print(f"still Vietnamese after 120 s: {e}")
    en_text = explorer_text(page)
    assert "Total money per year" in en_text and "Money by content and source" in en_text
    assert "Compute probabilities" in en_text and "Target (area)" in en_text
    left = [line for line in en_text.splitlines() if VIETNAMESE.search(not_names(line))]
    assert left == []  # no Vietnamese left in the English page (but the toggle's name and decisions' numbers)
    page.locator(".sl-language button", has_text="Tiếng Việt").first.click()
    page.locator(".sl-card", has_text=money).first.wait_for()
    page.wait_for_function("() => document.querySelector('.sl-cell-P3_1-central_recurrent input').value === '60,5'")
    assert explorer_text(page) == vi_text
