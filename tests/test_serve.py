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


def fetch_bytes(url: str, timeout: float = 60) -> bytes:
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


def fetch(url: str, timeout: float = 60) -> str:
    return fetch_bytes(url, timeout).decode("utf-8")


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")


def test_preview_updates_the_page_and_its_pdf_after_an_edit(tmp_path):
    projet = make_project(tmp_path / "p")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)],
                            cwd=projet.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/{PAGE}"
        pdf_url = f"http://127.0.0.1:{port}/pdf/fiches/organiser-sa-semaine.pdf"
        page = fetch(url)
        assert "Planifier sa semaine." in page
        assert 'href="../../pdf/fiches/organiser-sa-semaine.pdf"' in page  # download button
        assert "Planifier sa semaine." in pdf_text(fetch_bytes(pdf_url, timeout=120))
        projet.replace("workshops/organiser-sa-semaine.md", "resume: Planifier sa semaine.",
                       "resume: Planifier sa semaine avec un agenda.")
        deadline = time.time() + 60
        while time.time() < deadline and not (
                "avec un agenda" in fetch(url)
                and "avec un agenda" in pdf_text(fetch_bytes(pdf_url))):
            time.sleep(0.5)
        assert "Planifier sa semaine avec un agenda." in fetch(url)
        assert "Planifier sa semaine avec un agenda." in pdf_text(fetch_bytes(pdf_url))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
