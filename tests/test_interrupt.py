"""Ctrl+C stops a build and the live preview at once, even while a binder renders."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import FILES, make_project
from test_serve import free_port

ENGLISH = re.compile(r"Traceback|Warning|warning|leaked|Exception|Error:")


def long_cycle(root: Path):
    """The test project with a 48-session cycle: a binder that takes a while (about
    200 pages; ten seconds or more to lay out)."""
    projet = make_project(root)
    seances = "".join(
        f"  - {{atelier: {'organiser-sa-semaine' if i % 2 else 'construire-son-reseau'}, "
        f"mois: {i // 8 + 1}}}\n" for i in range(48))
    text = re.sub(r"seances:\n(  - .*\n)+", "seances:\n" + seances,
                  FILES["workshops/cycles/cycle-test.md"])
    projet.write("workshops/cycles/cycle-test.md", text)
    return projet


def descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                children = [int(c) for c in (task / "children").read_text().split()]
                found += children
                stack += children
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def interrupt_when(proc: subprocess.Popen, log: Path, ready: str, timeout: float = 120) -> float:
    """Wait for `ready` in the log and for the render processes to be busy, send
    Ctrl+C to the process group (as a terminal does); returns how long the whole
    process tree took to disappear."""
    deadline = time.time() + timeout
    while ready not in log.read_text(encoding="utf-8") or not descendants(proc.pid):
        assert proc.poll() is None, log.read_text(encoding="utf-8")
        assert time.time() < deadline, log.read_text(encoding="utf-8")
        time.sleep(0.1)
    time.sleep(1.5)  # the binder is being laid out
    tree = [proc.pid, *descendants(proc.pid)]
    os.killpg(proc.pid, signal.SIGINT)
    start = time.time()
    while any(alive(pid) for pid in tree) and time.time() - start < 30:
        proc.poll()
        time.sleep(0.02)
    elapsed = time.time() - start
    try:
        proc.wait(timeout=30)
    finally:  # a tree that did not stop fails the test, and is not left running
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return elapsed


def test_ctrl_c_stops_a_build_during_a_binder_render(tmp_path):
    projet = long_cycle(tmp_path / "p")
    log = tmp_path / "journal.txt"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "build.py", "--jobs", "1", "kits"],
                                cwd=projet.root, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
        elapsed = interrupt_when(proc, log, "Vérification du contenu")
    text = log.read_text(encoding="utf-8")
    assert elapsed < 2, f"process tree still alive after {elapsed:.1f} s"
    assert proc.returncode == 130
    assert "Interrompu. Les sorties publiées précédemment sont intactes." in text
    assert not ENGLISH.search(text), text
    assert "PDF 1/" not in text  # stopped during the binder, not after it
    assert not (projet.root / "site").exists()
    assert not list((projet.root / ".build").glob("construction-*"))


def test_ctrl_c_stops_the_preview_during_a_binder_render(tmp_path):
    projet = long_cycle(tmp_path / "p")
    log = tmp_path / "journal.txt"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "build.py", "serve", "--port",
                                 str(free_port())], cwd=projet.root,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        elapsed = interrupt_when(proc, log, "Aperçu : rendu de")
    text = log.read_text(encoding="utf-8")
    assert elapsed < 2, f"process tree still alive after {elapsed:.1f} s"
    assert "Aperçu arrêté." in text
    assert "kits/cycle-test.pdf" not in text  # the binder was still being laid out
    assert not ENGLISH.search(text), text


def test_ctrl_c_ends_a_build_or_the_preview_even_if_its_exit_would_hang(tmp_path):
    """Whatever holds the process after Ctrl+C (here a thread that never ends, as a
    stuck library thread would), the build and the preview end within the grace delay,
    with their French message once, exit code 130, and no render process left."""
    from powao.cli import STOP_GRACE_S
    env = dict(os.environ, POWAO_SORTIE_BLOQUEE="1")
    for command, ready, said in (
            (["--jobs", "1", "kits"], "Vérification du contenu",
             "Interrompu. Les sorties publiées précédemment sont intactes."),
            (["serve", "--port", str(free_port())], "Aperçu : rendu de", "Aperçu arrêté.")):
        projet = long_cycle(tmp_path / command[0].strip("-"))
        log = tmp_path / f"journal-{command[0].strip('-')}.txt"
        with log.open("w") as err:
            proc = subprocess.Popen([sys.executable, "build.py", *command], cwd=projet.root,
                                    stdout=subprocess.DEVNULL, stderr=err, env=env,
                                    start_new_session=True)
            elapsed = interrupt_when(proc, log, ready)
        text = log.read_text(encoding="utf-8")
        assert STOP_GRACE_S - 0.2 < elapsed < STOP_GRACE_S + 1.5, (command, elapsed, text)
        assert proc.returncode == 130, (command, text)
        assert text.count(said) == 1, text
        assert not ENGLISH.search(text), text
