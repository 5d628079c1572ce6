"""A page of HTML opened in headless Chromium through Playwright, for the tests that measure a
rendered report's layout (tests/test_report_layout_browser.py, tests/test_readers58.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def opened_page(page_html: str, tmp_path, width: int, chromium: str, media: str | None = None) -> Iterator:
    """`page_html` written under `tmp_path` and opened in Chromium (`chromium`, its executable) at
    `width` CSS pixels, laid out for `media` ("print") if given; the browser closes after."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    path = tmp_path / "page.html"
    path.write_text(page_html, encoding="utf-8")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            if media:
                page.emulate_media(media=media)
            page.goto(path.as_uri())
            yield page
        finally:
            browser.close()
