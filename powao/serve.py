"""`build.py serve`: live preview for authors.

The docs tree is regenerated when a content file, a data file or a template
changes (only pages whose text changed are rewritten), and MkDocs' own live
server reloads the browser. The PDFs follow through the build's dependency
cache: after an edit only the PDFs that show the edited file are rendered, by
render processes kept alive between edits. A content error is printed and the
last good preview stays on screen.
"""
from __future__ import annotations

import filecmp
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from .errors import ContentError, PowaoError

OPTIONS = {"edition": "public"}  # the preview shows the public edition
WATCHED = ("content", "workshops", "trainings", "whitepaper", "templates", "mkdocs.yml")


class Preview:
    """The preview's state: its staging folder and its render processes."""

    def __init__(self, root: Path, workers: int | None = None) -> None:
        from . import outputs
        self.root = root
        self.stage = root / ".build" / "apercu"
        self.docs, self.site_dir = self.stage / "docs", self.stage / "site"
        self.config_path = self.stage / "mkdocs.yml"
        self.workers = workers or outputs.default_jobs()
        self.pool = None
        self.corpus, self.jobs = None, []

    def pages(self) -> bool:
        """Regenerate the docs tree; False (and the errors printed) if content is wrong."""
        from . import outputs
        from .pipeline import load_and_check
        from .site import SiteBuilder
        from .templating import Templates
        try:
            corpus, report = load_and_check(self.root)
        except ContentError as exc:
            lines = [problem.format() for problem in exc.report.sorted()]
            for line in lines:
                print(line, file=sys.stderr)
            print("Aperçu non mis à jour : corrigez les erreurs ci-dessus.", file=sys.stderr)
            self.tell(lines)
            return False
        except PowaoError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            self.tell([f"Erreur : {exc}"])
            return False
        jobs = outputs.plan(corpus, {"fiches", "documents", "kits", "livre-blanc"})
        builder = SiteBuilder(corpus, Templates(corpus), {j.path: j.label for j in jobs})
        with tempfile.TemporaryDirectory(dir=self.docs.parent) as fresh:
            builder.write_docs(Path(fresh))
            changed = sync(Path(fresh), self.docs, keep="pdf")
        self.tell([p.format() for p in report.sorted()], ok=True)
        script = self.docs / "assets" / "javascripts" / "apercu.js"
        script.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.root / "templates" / "apercu" / "apercu.js", script)
        config = builder.config(self.docs, self.site_dir)
        config.setdefault("extra_javascript", []).append("assets/javascripts/apercu.js")
        self.config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                    encoding="utf-8")
        if changed:
            print(f"Aperçu mis à jour : {changed} fichier(s) modifié(s).", file=sys.stderr)
        self.corpus, self.jobs = corpus, jobs
        return True

    def _pdfs(self) -> None:
        """Bring the preview's PDFs up to date (only those whose sources changed)."""
        from . import outputs
        from .errors import Report
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(dir=self.stage) as fresh:
            corpus, jobs = self.corpus, self.jobs  # the latest good content
            if corpus is None:
                return
            out, report = Path(fresh), Report()
            if self.pool is None:
                self.pool = outputs.new_pool(self.root, OPTIONS, self.workers)

            def publish(job) -> None:  # each PDF as soon as it is ready
                for path in (job.path, *job.extras):
                    target = self.docs / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    tmp = target.with_name(f".{target.name}.tmp")
                    shutil.copyfile(out / path, tmp)
                    os.replace(tmp, target)
            # Unchanged PDFs come from the cache at once; the others go to the pool.
            rendering = outputs.Rendering(self.root, jobs, out, OPTIONS, self.workers, report,
                                          corpus, pool=self.pool, on_done=publish)
            changed = sync(out / "pdf", self.docs / "pdf", delete=False) \
                if (out / "pdf").is_dir() else 0
            planned = {self.docs / path for job in jobs for path in (job.path, *job.extras)}
            for old in (self.docs / "pdf").rglob("*.pdf"):  # a workshop was removed
                if old not in planned:
                    old.unlink()
            if rendering.total:
                print(f"Aperçu : rendu de {rendering.total} PDF…", file=sys.stderr)
                rendering.wait()
                changed += rendering.total - len(report.errors)
            for problem in report.sorted():
                print(problem.format(), file=sys.stderr)
            if changed:
                print(f"Aperçu : {changed} PDF mis à jour en "
                      f"{time.perf_counter() - start:.1f} s.", file=sys.stderr)

    def tell(self, lines: list[str], ok: bool = False) -> None:
        """What the author must see in the browser: the problems of the last save (a
        banner on every page of the preview, see templates/site/assets/…/apercu.js)."""
        import json
        state = {"a_jour": ok, "messages": lines}
        target = self.docs / "apercu-etat.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(".apercu-etat.json.tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)

    def warm(self) -> None:
        """Start the render processes now (each imports WeasyPrint once), so the first
        edit does not wait for them."""
        from . import outputs
        if self.pool is None:
            self.pool = outputs.new_pool(self.root, OPTIONS, self.workers)
        for future in [self.pool.submit(outputs.ready) for _ in range(self.workers)]:
            future.result()

    def update(self) -> None:
        """After a save. Whatever goes wrong, the preview keeps running and says so."""
        try:
            ok = self.pages()
        except Exception as exc:  # a bug of the toolchain must not stop the preview
            from .errors import working_on
            message = (f"Erreur interne de la chaîne de publication ({exc.__class__.__name__}) "
                       f"pendant le traitement de {working_on() or 'l’aperçu'} : l'aperçu "
                       "n'est pas à jour.")
            print(message, file=sys.stderr)
            self.tell([message])
            return
        if ok:
            self.pdfs()

    def pdfs(self) -> None:
        try:
            self._pdfs()
            self.warm()
        except Exception as exc:  # a dead render process must not stop the preview
            print(f"Aperçu : les PDF n'ont pas pu être mis à jour ({exc.__class__.__name__}"
                  f" : {exc}) ; ils le seront à la prochaine modification.", file=sys.stderr)
            if self.pool is not None:
                self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)


def sync(source: Path, target: Path, keep: str = "", delete: bool = True) -> int:
    """Copy only what changed, delete what disappeared (except the top-level folder
    `keep`); returns the number of changes."""
    changed = 0
    target.mkdir(parents=True, exist_ok=True)
    for path in source.rglob("*"):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(exist_ok=True)
        elif not dest.exists() or not filecmp.cmp(path, dest, shallow=False):
            shutil.copyfile(path, dest)
            changed += 1
    for path in sorted(target.rglob("*"), reverse=True) if delete else ():
        relative = path.relative_to(target)
        if keep and relative.parts[0] == keep:
            continue
        if not (source / relative).exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            changed += 1
    return changed


def watch(root: Path, on_change, first=None) -> None:
    """Call `on_change` after each burst of writes under the watched folders, from one
    long-lived thread (which first runs `first`): render processes started from it
    live as long as the preview (they are tied to the thread that started them)."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    pending = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            # Only writes: reading the sources (opened, closed_no_write) is not an edit.
            if (event.event_type in ("created", "modified", "deleted", "moved", "closed")
                    and not event.is_directory and ".build" not in str(event.src_path)
                    and ".cache" not in str(event.src_path)):
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
        if first is not None:
            first()
        while True:
            pending.wait()
            time.sleep(0.3)  # let editors finish writing
            pending.clear()
            try:
                on_change()
            except Exception as exc:  # the watcher must outlive any failure
                print(f"Aperçu : erreur inattendue ({exc.__class__.__name__}) ; la prochaine "
                      "modification relancera la mise à jour.", file=sys.stderr)

    threading.Thread(target=loop, daemon=True).start()


def port_free(port: int) -> bool:
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def serve(root: Path, port: int = 8000, workers: int | None = None) -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve

    from .errors import UsageError
    if not port_free(port):  # before anything is rendered
        raise UsageError(f"le port {port} est déjà utilisé (un autre aperçu tourne peut-être) : "
                         f"arrêtez-le ou choisissez un autre port, par exemple --port {port + 1}")
    preview = Preview(root, workers)
    preview.stage.mkdir(parents=True, exist_ok=True)
    if not preview.pages():
        raise PowaoError("l'aperçu ne peut pas démarrer : corrigez d'abord les erreurs "
                         "ci-dessus")
    # PDFs render in the background: the pages are viewable at once.
    watch(root, preview.update, first=preview.pdfs)
    print(f"Aperçu sur http://127.0.0.1:{port}/ — Ctrl+C pour arrêter.", file=sys.stderr)
    try:
        mkdocs_serve(str(preview.config_path), livereload=True, dev_addr=f"127.0.0.1:{port}")
    finally:
        preview.close()
