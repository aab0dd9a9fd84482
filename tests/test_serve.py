"""`build.py serve`: the live preview follows a content edit."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from conftest import make_project

PAGE = "ateliers/methodologie/organiser-sa-semaine.html"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 60) -> str:
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


def test_preview_serves_and_updates_after_an_edit(tmp_path):
    projet = make_project(tmp_path / "p")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)],
                            cwd=projet.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/{PAGE}"
        assert "Planifier sa semaine." in fetch(url)
        projet.replace("workshops/organiser-sa-semaine.md", "resume: Planifier sa semaine.",
                       "resume: Planifier sa semaine avec un agenda.")
        deadline = time.time() + 30
        while "avec un agenda" not in fetch(url) and time.time() < deadline:
            time.sleep(0.5)
        assert "Planifier sa semaine avec un agenda." in fetch(url)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
