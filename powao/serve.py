"""`build.py serve`: live preview for authors.

The docs tree is regenerated when a content file, a data file or a template
changes (only pages whose text changed are rewritten), and MkDocs' own live
server reloads the browser. A content error is printed and the last good
preview stays on screen.
"""
from __future__ import annotations

import filecmp
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from .errors import ContentError, PowaoError

WATCHED = ("content", "workshops", "trainings", "whitepaper", "templates", "mkdocs.yml")


def regenerate(root: Path, docs: Path, config_path: Path, site_dir: Path) -> bool:
    from .pipeline import load_and_check
    from .site import SiteBuilder
    from .templating import Templates
    try:
        corpus, report = load_and_check(root)
    except ContentError as exc:
        for problem in exc.report.sorted():
            print(problem.format(), file=sys.stderr)
        print("Aperçu non mis à jour : corrigez les erreurs ci-dessus.", file=sys.stderr)
        return False
    except PowaoError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return False
    builder = SiteBuilder(corpus, Templates(corpus))
    with tempfile.TemporaryDirectory(dir=docs.parent) as fresh:
        builder.write_docs(Path(fresh))
        changed = sync(Path(fresh), docs)
    config = builder.config(docs, site_dir)
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    if changed:
        print(f"Aperçu mis à jour : {changed} fichier(s) modifié(s).", file=sys.stderr)
    return True


def sync(source: Path, target: Path) -> int:
    """Copy only what changed, delete what disappeared; returns the number of changes."""
    changed = 0
    target.mkdir(parents=True, exist_ok=True)
    for path in source.rglob("*"):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(exist_ok=True)
        elif not dest.exists() or not filecmp.cmp(path, dest, shallow=False):
            shutil.copyfile(path, dest)
            changed += 1
    for path in sorted(target.rglob("*"), reverse=True):
        if not (source / path.relative_to(target)).exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            changed += 1
    return changed


def watch(root: Path, on_change) -> None:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    pending = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if not event.is_directory and ".build" not in str(event.src_path):
                pending.set()

    observer = Observer()
    for name in WATCHED:
        path = root / name
        if path.is_dir():
            observer.schedule(Handler(), str(path), recursive=True)
    observer.schedule(Handler(), str(root), recursive=False)
    observer.daemon = True
    observer.start()

    def loop() -> None:
        while True:
            pending.wait()
            time.sleep(0.3)  # let editors finish writing
            pending.clear()
            on_change()

    threading.Thread(target=loop, daemon=True).start()


def serve(root: Path, port: int = 8000) -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve

    stage = root / ".build" / "apercu"
    docs, site_dir, config_path = stage / "docs", stage / "site", stage / "mkdocs.yml"
    stage.mkdir(parents=True, exist_ok=True)
    if not regenerate(root, docs, config_path, site_dir):
        raise PowaoError("l'aperçu ne peut pas démarrer : corrigez d'abord les erreurs "
                         "ci-dessus")
    watch(root, lambda: regenerate(root, docs, config_path, site_dir))
    print(f"Aperçu sur http://127.0.0.1:{port}/ — Ctrl+C pour arrêter.", file=sys.stderr)
    mkdocs_serve(str(config_path), livereload=True, dev_addr=f"127.0.0.1:{port}")
