"""Helpers for the browser tests: a local static server and a headless Chromium.

Nothing here touches the network beyond 127.0.0.1: the site is served from a
temporary folder, Chromium is the Debian one, axe-core comes from the installed
`axe-playwright-python` package (pinned in requirements-dev.txt).
"""
from __future__ import annotations

import functools
import re
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Iterator

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_PREFIXES = ("http://127.0.0.1", "data:", "blob:", "about:")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # The browser drops connections when it navigates away (broken pipe): not a failure.
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (free port) from a background thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch(playwright):
    """Headless Debian Chromium, never a downloaded browser."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      headless=True)


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium for a module's tests, closed afterwards."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def axe_script() -> Path:
    """axe.min.js bundled by the axe-playwright-python package (no network)."""
    path = Path(str(resources.files("axe_playwright_python") / "axe.min.js"))
    if not path.is_file():
        raise FileNotFoundError(f"axe.min.js introuvable dans {path.parent}")
    return path


def squash(text: str) -> str:
    """Collapse every kind of whitespace (incl. U+00A0, U+202F, newlines) into one space."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " ")).strip()
