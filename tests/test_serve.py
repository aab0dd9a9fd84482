"""`build.py serve`: the live preview follows a content edit."""
from __future__ import annotations

import signal
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


def status(url: str, etag: str = "") -> tuple[int, str]:
    """The status and ETag of a request (conditional with `etag`)."""
    import urllib.error
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("ETag", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("ETag", "")


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
        etag = status(pdf_url)[1]
        assert etag and status(pdf_url, etag) == (304, etag)  # unchanged: not sent again
        projet.replace("workshops/organiser-sa-semaine.md", "resume: Planifier sa semaine.",
                       "resume: Planifier sa semaine avec un agenda.")
        deadline = time.time() + 60
        while time.time() < deadline and not (
                "avec un agenda" in fetch(url)
                and "avec un agenda" in pdf_text(fetch_bytes(pdf_url))):
            time.sleep(0.5)
        assert "Planifier sa semaine avec un agenda." in fetch(url)
        assert "Planifier sa semaine avec un agenda." in pdf_text(fetch_bytes(pdf_url))
        assert status(pdf_url, etag)[0] == 200  # the new one, to whoever had the old one
        # The site search finds the new word too (its index is written after the page).
        index = f"http://127.0.0.1:{port}/assets/javascripts/recherche-index.js"
        assert "zorglub" not in fetch(index)
        projet.replace("workshops/organiser-sa-semaine.md", "## Pourquoi cet atelier\n",
                       "## Pourquoi cet atelier\n\nZorglubien.\n")
        deadline = time.time() + 60
        while time.time() < deadline and "zorglub" not in fetch(index):
            time.sleep(0.3)
        assert "zorglub" in fetch(index)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_pdf_being_rendered_again_is_served_in_its_previous_version(tmp_path):
    """Page first, then the PDF: meanwhile the fiche's URL answers the previous PDF
    (never 404) and the page marks its link as being updated."""
    projet = make_project(tmp_path / "p")
    port = free_port()
    log = tmp_path / "journal.txt"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)],
                                cwd=projet.root, stdout=subprocess.DEVNULL, stderr=err)
    try:
        url = f"http://127.0.0.1:{port}/{PAGE}"
        pdf_url = f"http://127.0.0.1:{port}/pdf/fiches/organiser-sa-semaine.pdf"
        deadline = time.time() + 120
        while "PDF mis à jour" not in log.read_text(encoding="utf-8"):  # first render
            assert time.time() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.3)
        before = fetch_bytes(pdf_url)
        assert "Planifier sa semaine." in pdf_text(before)
        done = log.read_text(encoding="utf-8").count("PDF mis à jour")
        projet.replace("workshops/organiser-sa-semaine.md", "resume: Planifier sa semaine.",
                       "resume: Planifier sa semaine avec un agenda.")
        while "avec un agenda" not in fetch(url):  # the page comes first
            assert time.time() < deadline
            time.sleep(0.05)
        served, marked = [], False
        while log.read_text(encoding="utf-8").count("PDF mis à jour") == done:
            assert time.time() < deadline, log.read_text(encoding="utf-8")
            with urllib.request.urlopen(pdf_url, timeout=10) as response:  # 404 would raise
                assert response.status == 200
                served.append(response.read())
            page = fetch(url)
            marked |= ('a[href$="pdf/fiches/organiser-sa-semaine.pdf"]::after' in page
                       and "mise à jour en cours" in page)
        old = [data for data in served if data == before]
        assert old, "the re-render ended before the PDF could be requested"
        assert all(data == before or "avec un agenda" in pdf_text(data) for data in served)
        assert marked
        assert "avec un agenda" in pdf_text(fetch_bytes(pdf_url))
        assert "mise à jour en cours" not in fetch(url)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        finally:  # a preview that did not stop fails the test, and is not left running
            if proc.poll() is None:
                proc.kill()


def test_preview_survives_bad_content_and_shows_the_error_in_the_browser(tmp_path):
    import json
    projet = make_project(tmp_path / "p")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)],
                            cwd=projet.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}/"
        page = fetch(base + PAGE)
        assert "apercu.js" in page  # the banner script is on every preview page
        state = json.loads(fetch(base + "apercu-etat.json"))
        assert state["messages"] == []
        # A save that breaks the file: the author is told in the browser.
        projet.replace("workshops/organiser-sa-semaine.md", "duree: 60", "duree: 75")
        deadline = time.time() + 60
        while time.time() < deadline and not json.loads(fetch(base + "apercu-etat.json"))["messages"]:
            time.sleep(0.5)
        state = json.loads(fetch(base + "apercu-etat.json"))
        assert not state["a_jour"], state
        assert any(line.startswith("workshops/organiser-sa-semaine.md:") and "duree" in line
                   for line in state["messages"])
        # The watcher is still alive: the next good save updates the page.
        projet.replace("workshops/organiser-sa-semaine.md", "duree: 75", "duree: 60")
        projet.replace("workshops/organiser-sa-semaine.md", "resume: Planifier sa semaine.",
                       "resume: Planifier sa semaine, réparé.")
        deadline = time.time() + 60
        while time.time() < deadline and "réparé" not in fetch(base + PAGE):
            time.sleep(0.5)
        assert "Planifier sa semaine, réparé." in fetch(base + PAGE)
        assert json.loads(fetch(base + "apercu-etat.json"))["messages"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_busy_port_is_said_before_anything_is_rendered(tmp_path):
    projet = make_project(tmp_path / "p")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "build.py", "serve", "--port", str(port)],
                                cwd=projet.root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"Erreur : le port {port} est déjà utilisé" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (projet.root / ".build" / "apercu" / "docs").exists()
