"""`build.py serve`: live preview for authors.

After a save, the pages come first: the corpus is read again (unchanged files are
not parsed again), the docs tree is regenerated (pages whose text did not change
are reused from the page cache) and only the docs files that changed are
rewritten; MkDocs then rebuilds only those pages, in place, with the theme's
templates compiled once for the whole session (its documented dirty mode; a full
MkDocs build, into a fresh folder swapped in, only when the navigation, a title or
the tags changed). The browser is told to reload as soon as the pages are there.

The PDFs start as soon as the new content is checked, before the pages are rebuilt:
only those whose sources changed are rendered, by render processes kept alive
between edits, at a lower priority than the pages (they use the other cores). While
one renders, the previous one is still served (the links to it are marked « mise à
jour en cours ») and the new one replaces it in one rename when ready; the browser
reloads again. A content error is printed and
the last good preview stays on screen. Ctrl+C stops everything at once.
"""
from __future__ import annotations

import filecmp
import http.server
import json
import mimetypes
import os
import posixpath
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import ContentError, PowaoError, Report

# The preview shows the public edition, with the build's PDF cache.
OPTIONS = {"edition": "public", "_apercu": True}
WATCHED = ("content", "workshops", "trainings", "whitepaper", "templates", "mkdocs.yml")
SETTLE_S = 0.1  # editors write a file in several steps: wait for the burst to end
# The render processes' priorities: below the main process, so that the pages, built
# meanwhile, get a core whenever they need one; the binders' process above the fiches'
# (the longest wait after a save is a cycle's binder, the fiche has time to spare).
PDF_NICE = 19
BINDER_NICE = 10
INDEX_WAIT_S = 15  # the search index waits for the PDFs of a save, at most this long


class Preview:
    """The preview's state: its staging folder, the site being served, the PDFs and
    the render processes."""

    def __init__(self, root: Path, workers: int | None = None) -> None:
        from . import outputs
        from .site import compiled_templates
        self.root = root
        self.stage = root / ".build" / "apercu"
        self.docs = self.stage / "docs"
        self.pdf_root = self.stage / "publie"        # PDFs, at their site paths
        self.config_path = self.stage / "mkdocs.yml"
        self.site_dir = self.stage / "site"           # the site being served
        self.state = self.stage / "apercu-etat.json"  # the last save's problems
        self.workers = workers or outputs.default_jobs()
        self.pool = self.long_pool = None  # fiches; binders and the white paper
        self.code = ""
        self.corpus, self.jobs = None, []
        self.compiled = compiled_templates()
        self.epoch = int(time.time() * 1000)      # a new server makes old tabs reload
        self.changed = threading.Condition()
        self.lock = threading.Lock()               # guards `updating` and `latest`
        self.published: dict[str, str] = {}        # PDF path -> dependency key served
        self.updating: dict[str, int] = {}         # PDF path -> renders in progress
        self.latest: dict[str, int] = {}           # PDF path -> newest render submitted
        self.renders = 0
        self.active: list = []                      # renderings not yet collected
        self.index_later = None                     # search index still to write
        self.untidy = False                         # the binders' process has waste

    # -- pages first -----------------------------------------------------------------
    def pages(self, then=None) -> bool:
        """Bring the served pages up to date; False (errors printed) if content is wrong.
        `then` (the PDFs) is started as soon as the content is known good: the render
        processes, at a lower priority, use the other cores while the pages are built."""
        from . import outputs
        from .content import load_and_check
        from .site import SiteBuilder
        from .templating import Templates
        start = time.perf_counter()
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
        jobs = outputs.plan(corpus, {"fiches", "documents", "kits", "livre-blanc"},
                            together=False)
        if then is not None:
            self.corpus, self.jobs = corpus, jobs
            then()
        templates = Templates(corpus)
        templates.env.bytecode_cache = self.compiled  # the project's templates, compiled once
        builder = SiteBuilder(corpus, templates, outputs.published(jobs))
        self.stage.mkdir(parents=True, exist_ok=True)
        index = self.docs / builder.INDEX_JS
        later = index.is_file()  # the search index after the pages (the previous meanwhile)
        with tempfile.TemporaryDirectory(dir=self.stage) as fresh:
            site_pages = builder.write_docs(Path(fresh), index=not later)
            if later:
                (Path(fresh) / builder.INDEX_JS).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(index, Path(fresh) / builder.INDEX_JS)
            script = Path(fresh) / "assets" / "javascripts" / "apercu.js"
            script.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.root / "templates" / "apercu" / "apercu.js", script)
            changed = sync(Path(fresh), self.docs)
        self.tell([p.format() for p in report.sorted()], ok=True)
        self.corpus, self.jobs = corpus, jobs
        config = builder.config(self.docs, self.site_dir)
        config.setdefault("extra_javascript", []).append("assets/javascripts/apercu.js")
        if changed or not (self.site_dir / "index.html").is_file():
            rebuilt = self._site(config, changed)
            print(f"Aperçu : {rebuilt} en {time.perf_counter() - start:.1f} s.",
                  file=sys.stderr, flush=True)
        elif then is not None:
            self.reload()  # no page changed: still show the PDFs being updated
        if later:  # pages served: the search index once the PDFs are (`index_when_idle`)
            self.index_later = (builder, site_pages, time.monotonic())
        return True

    def when_idle(self) -> None:
        """What waits for the PDFs of a save to be served: the search index, and the
        binders' process collecting the previous corpora (`outputs.tidy`)."""
        from . import outputs
        with self.lock:
            busy = bool(self.active)
        if self.untidy and not busy and self.long_pool is not None:
            self.untidy = False
            with outputs.starting_workers():
                self.long_pool.submit(outputs.tidy)
        self.index_when_idle(busy)

    def index_when_idle(self, busy: bool) -> None:
        """Write the search index of the last pages built, in the docs and the served
        site, once the PDFs of that save are served (it would take the main process's
        core from them), or INDEX_WAIT_S after the pages at the latest."""
        if self.index_later is None:
            return
        builder, site_pages, since = self.index_later
        if busy and time.monotonic() - since < INDEX_WAIT_S:
            return
        self.index_later = None
        text = builder.search_index(site_pages)
        for folder in (self.docs, self.site_dir):
            target = folder / builder.INDEX_JS
            if target.is_file() and target.read_text(encoding="utf-8") != text:
                tmp = target.with_name(f".{target.name}.tmp")
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, target)

    def _site(self, config: dict, changed: list[str]) -> str:
        """Run MkDocs over the changed docs files only when it can; says what it did."""
        from .site import run_mkdocs
        from .sitecache import _merge_search_index, changed_bodies, manifest, settings_of
        settings, files = settings_of(config), manifest(self.docs)
        known = self.stage / "manifeste.json"
        previous = json.loads(known.read_text(encoding="utf-8")) if known.is_file() else {}
        bodies = changed_bodies(previous, settings, files) if previous else None
        index = self.site_dir / "search" / "search_index.json"
        if bodies is not None and index.is_file():
            # Same navigation, titles and tags: MkDocs rebuilds the changed pages in
            # place (dirty mode: a page whose docs file is newer than its output).
            before = self.stage / "index-precedent"
            shutil.rmtree(before, ignore_errors=True)
            (before / "search").mkdir(parents=True)
            shutil.copyfile(index, before / "search" / "search_index.json")
            messages = run_mkdocs(config, self.config_path, dirty=True, compiled=self.compiled)
            from .sitecache import output_of
            _merge_search_index(before, self.site_dir, {output_of(d) for d in bodies})
            what = f"{sum(d.endswith('.md') for d in bodies)} page(s) reconstruite(s)"
        else:
            # Anything else: a full build beside the served site, then swapped in, so
            # that no page is missing while MkDocs works.
            fresh = self.stage / f"site-{os.getpid()}-{time.monotonic_ns()}"
            messages = run_mkdocs({**config, "site_dir": str(fresh)}, self.config_path,
                                  compiled=self.compiled)
            old = self.stage / f"site-ancien-{time.monotonic_ns()}"
            if self.site_dir.exists():
                os.replace(self.site_dir, old)
            os.replace(fresh, self.site_dir)
            shutil.rmtree(old, ignore_errors=True)
            what = "site reconstruit"
        for message in messages:
            if not message.startswith("Aborted with"):
                print(f"Aperçu : le moteur du site signale : {message}", file=sys.stderr)
        tmp = known.with_name(".manifeste.tmp")
        tmp.write_text(json.dumps({"reglages": settings, "fichiers": files}), encoding="utf-8")
        os.replace(tmp, known)
        self.reload()
        return what

    # -- then the PDFs ---------------------------------------------------------------
    def pdfs(self, tell: bool = True) -> None:
        """Start bringing the PDFs up to date (only those whose sources changed);
        returns at once, each PDF is swapped in when ready. `tell`: reload the pages
        now (they mark the PDFs being updated); else the pages' own update does it.
        Called by the main thread: render processes die with the thread that starts
        them, and a submission racing Ctrl+C's kill left an English traceback."""
        from . import outputs
        corpus, jobs = self.corpus, self.jobs  # the latest good content
        if corpus is None:
            return
        self._start_pool()
        self.pdf_root.mkdir(parents=True, exist_ok=True)
        planned = {self.pdf_root / path for job in jobs for path in (job.path, *job.extras)}
        for old in self.pdf_root.rglob("*"):  # a workshop was removed
            if old.is_file() and old not in planned:
                old.unlink()
                self.published.pop(old.relative_to(self.pdf_root).as_posix(), None)
        # What an earlier save asked for and no process has started yet is asked again
        # below if still needed, after the PDFs of this save: the fiches first.
        self.renders += 1
        number = self.renders
        with self.lock:
            withdrawn = {job for rendering in self.active for job in rendering.cancel()}
            for job in jobs:  # an older render still running is not published
                self.latest[job.path] = number
        jobs = sorted(jobs, key=lambda job: (job in withdrawn, job.kind != "fiche"))
        out = Path(tempfile.mkdtemp(prefix="rendu-", dir=self.stage))
        report, published = Report(), []

        def publish(job) -> None:  # each PDF as soon as it is ready, if still the newest
            with self.lock:
                if self.latest.get(job.path) != number:
                    return
            for path in (job.path, *job.extras):  # the white paper's other editions too
                target = self.pdf_root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".{target.name}.tmp")
                shutil.copyfile(out / path, tmp)
                os.replace(tmp, target)  # a request meanwhile gets the previous one whole
            published.append(job)
            self.published[job.path] = rendering.keys.get(job, "")
        # Unchanged PDFs come from the cache at once; the others go to the pool.
        rendering = outputs.Rendering(self.root, jobs, out, OPTIONS, self.workers, report,
                                      corpus, pool=self.pool, on_done=publish,
                                      long_pool=self.long_pool, published=self.published)
        if (out / "pdf").is_dir():
            sync(out / "pdf", self.pdf_root / "pdf", delete=False)
        if not rendering.total:
            shutil.rmtree(out, ignore_errors=True)
            return
        todo = rendering.jobs
        with self.lock:
            for job in todo:
                self.updating[job.path] = self.updating.get(job.path, 0) + 1
            self.active.append(rendering)
        self.untidy = True
        print(f"Aperçu : rendu de {rendering.total} PDF…", file=sys.stderr, flush=True)
        if tell:
            self.reload()  # the pages show which PDFs are being updated
        threading.Thread(target=self._collect, args=(rendering, todo, report, out, published),
                         daemon=True).start()

    def _collect(self, rendering, todo, report: Report, out: Path, published: list) -> None:
        from . import outputs
        start, pool = time.perf_counter(), self.pool
        try:
            rendering.wait()
        except Exception as exc:  # a dead render process must not stop the preview
            if outputs.stopping() or getattr(rendering, "abandoned", False):
                return
            print(f"Aperçu : les PDF n'ont pas pu être mis à jour ({exc.__class__.__name__}"
                  f" : {exc}) ; ils le seront à la prochaine modification.", file=sys.stderr)
            if self.pool is pool:
                self._stop_pools()
        finally:
            with self.lock:
                if rendering in self.active:
                    self.active.remove(rendering)
                for job in todo:
                    self.updating[job.path] -= 1
                    if not self.updating[job.path]:
                        del self.updating[job.path]
            shutil.rmtree(out, ignore_errors=True)
        if outputs.stopping():
            return
        for problem in report.sorted():
            print(problem.format(), file=sys.stderr)
        if published:
            print(f"Aperçu : {len(published)} PDF mis à jour en "
                  f"{time.perf_counter() - start:.1f} s.", file=sys.stderr, flush=True)
        self.reload()

    def _start_pool(self) -> None:
        """Render processes, started by the main thread (they die with it), at a lower
        priority than the preview's pages; killed by stop_workers() on Ctrl+C. With two
        or more, one is kept for the binders and the white paper: it holds the laid-out
        fiches its binders reuse, so that a cycle workshop edit lays out one fiche."""
        from . import outputs
        code = outputs.code_fingerprint(self.root)
        if self.pool is not None and code != self.code:
            # A template, a stylesheet or the code changed: the processes' memory
            # (laid-out fiches, the print toolchain's fingerprint) is stale.
            self._stop_pools()
        if self.pool is None:
            fiches = max(1, self.workers - 1)
            self.pool = outputs.new_pool(self.root, OPTIONS, fiches, nice=PDF_NICE)
            outputs._pools.append(self.pool)
            if self.workers > 1:
                self.long_pool = outputs.new_pool(self.root, OPTIONS, 1, nice=BINDER_NICE)
                outputs._pools.append(self.long_pool)
            self.code = code
            with outputs.starting_workers():  # all of them now, Ctrl+C blocked meanwhile
                for _ in range(fiches):
                    self.pool.submit(outputs.ready)
                if self.long_pool is not None:
                    self.long_pool.submit(outputs.ready)

    def _stop_pools(self) -> None:
        from . import outputs
        with self.lock:
            for rendering in self.active:
                rendering.abandoned = True  # asked again, to the new processes
        for pool in (self.pool, self.long_pool):
            if pool is not None:
                outputs.kill_pool(pool)
        self.pool = self.long_pool = None

    def warm(self) -> None:
        """Start the render processes now (each imports WeasyPrint once), so the first
        edit does not wait for them."""
        self._start_pool()

    def prepare(self) -> None:
        """While idle, the binders' process assembles each cycle's binder aside: its next
        assembly lays out and draws only what a save changed."""
        import pickle

        from . import outputs
        if self.long_pool is None or self.corpus is None:
            return
        sent = pickle.dumps(self.corpus)
        with outputs.starting_workers():
            futures = [self.long_pool.submit(outputs.prepare, job, sent)
                       for job in self.jobs if job.kind == "kit-cycle"]

        told: list[bool] = []

        def said(_future) -> None:
            if all(f.done() for f in futures) and not told and not outputs.stopping():
                told.append(True)
                print("Aperçu : fiches des kits en mémoire, prêtes à être réassemblées.",
                      file=sys.stderr, flush=True)
        for future in futures:
            future.add_done_callback(said)

    def update(self) -> None:
        """After a save. Whatever goes wrong, the preview keeps running and says so."""
        self._guarded(lambda: self.pages(then=lambda: self.pdfs(tell=False)))

    def idle(self) -> None:
        """Between saves (`when_idle`), guarded the same way."""
        self._guarded(self.when_idle)

    def _guarded(self, work) -> None:
        try:
            work()
        except Exception as exc:  # a bug of the toolchain must not stop the preview
            from .errors import working_on
            message = (f"Erreur interne de la chaîne de publication ({exc.__class__.__name__}) "
                       f"pendant le traitement de {working_on() or 'l’aperçu'} : l'aperçu "
                       "n'est pas à jour.")
            print(message, file=sys.stderr)
            self.tell([message])

    def tell(self, lines: list[str], ok: bool = False) -> None:
        """What the author must see in the browser: the problems of the last save (a
        banner on every page of the preview, see templates/apercu/apercu.js), served
        as /apercu-etat.json."""
        state = {"a_jour": ok, "messages": lines}
        self.stage.mkdir(parents=True, exist_ok=True)
        tmp = self.state.with_name(".apercu-etat.json.tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.state)

    # -- the browser ---------------------------------------------------------------------
    def reload(self) -> None:
        """Tell the open pages to reload."""
        with self.changed:
            self.epoch = max(self.epoch + 1, int(time.time() * 1000))
            self.changed.notify_all()

    def marks(self) -> str:
        """CSS marking the links to the PDFs being updated (their previous version is
        still served meanwhile)."""
        with self.lock:
            paths = sorted(p for p in self.updating if SAFE_PATH.fullmatch(p))
        if not paths:
            return ""
        selector = ", ".join(f'a[href$="{p}"]' for p in paths)
        return (f"<style>{selector} {{ opacity: .75 }}\n"
                + ", ".join(f'a[href$="{p}"]::after' for p in paths)
                + ' { content: " (mise à jour en cours…)"; font-size: .8em }</style>')

    def close(self) -> None:
        from . import outputs
        outputs.stop_workers()


SAFE_PATH = re.compile(r"pdf/[a-z0-9/_.-]+\.pdf")
RELOAD_JS = """<script>(function () {
  var epoch = %d;
  function attendre() {
    fetch("/__apercu__/" + epoch, {cache: "no-store"})
      .then(function (r) { return r.text(); })
      .then(function (t) { if (+t > epoch) { location.reload(); } else { attendre(); } })
      .catch(function () { setTimeout(attendre, 1000); });
  }
  attendre();
})();</script>"""


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves the site being previewed, its PDFs, and the reload signal."""

    server: "PreviewServer"

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet, like MkDocs
        pass

    def do_HEAD(self) -> None:
        self.do_GET(body=False)

    def do_GET(self, body: bool = True) -> None:
        preview = self.server.preview
        path = unquote(urlsplit(self.path).path)
        if path.startswith("/__apercu__/"):
            return self._poll(path.rsplit("/", 1)[-1])
        rel = posixpath.normpath("/" + path).lstrip("/")  # no way out of the folders
        if path.endswith("/"):
            rel = posixpath.join(rel, "index.html") if rel else "index.html"
        if rel == preview.state.name:
            file = preview.state
        else:
            base = preview.pdf_root if rel.startswith("pdf/") else preview.site_dir
            file = base / rel
        if file.is_dir():
            self.send_response(302)
            self.send_header("Location", path + "/")
            self.end_headers()
            return
        status, etag = 200, ""
        try:
            if not file.name.endswith(".html") and file is not preview.state:
                # A file is known by its time and size (PDFs are swapped in by a rename):
                # a viewer, or a tab polling a PDF, gets « 304 » until it changes.
                info = file.stat()
                etag = f'"{info.st_mtime_ns:x}-{info.st_size:x}"'
                if etag == self.headers.get("If-None-Match"):
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Cache-Control", "no-cache")
                    self.end_headers()
                    return
            data = file.read_bytes()  # one open: a PDF swapped in meanwhile is not mixed
        except OSError:
            status, file = 404, preview.site_dir / "404.html"
            try:
                data = file.read_bytes()
            except OSError:
                data = "<p>Page introuvable.</p>".encode("utf-8")
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind == "text/html":
            end = data.rfind(b"</body>")
            end = len(data) if end < 0 else end
            extra = (preview.marks() + RELOAD_JS % preview.epoch).encode("utf-8")
            data = data[:end] + extra + data[end:]
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if etag and status == 200:
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")  # always asked again, cheaply
        else:
            self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _poll(self, seen: str) -> None:
        preview = self.server.preview
        known = int(seen) if seen.isdigit() else 0
        with preview.changed:
            preview.changed.wait_for(lambda: preview.epoch > known, timeout=30)
            data = str(preview.epoch).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, preview: Preview, port: int) -> None:
        self.preview = preview
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request, client_address) -> None:
        """A browser that left before the answer (a reload, a closed tab) is no error."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            print(f"Aperçu : requête non servie ({error.__class__.__name__} : {error}).",
                  file=sys.stderr)


def sync(source: Path, target: Path, delete: bool = True) -> list[str]:
    """Copy only what changed, delete what disappeared; returns the changed paths."""
    changed: list[str] = []
    target.mkdir(parents=True, exist_ok=True)
    for path in source.rglob("*"):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(exist_ok=True)
        elif not dest.exists() or not filecmp.cmp(path, dest, shallow=False):
            shutil.copyfile(path, dest)
            changed.append(dest.relative_to(target).as_posix())
    for path in sorted(target.rglob("*"), reverse=True) if delete else ():
        relative = path.relative_to(target)
        if not (source / relative).exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            changed.append(relative.as_posix())
    return changed


def watch(root: Path, pending: threading.Event) -> None:
    """Set `pending` at each write under the watched folders."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

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


def serve(root: Path, port: int = 8000, workers: int | None = None) -> None:
    """Run the preview until Ctrl+C. Everything that renders is started from the main
    thread, which lives as long as the preview: render processes die with it."""
    from .errors import UsageError
    preview = Preview(root, workers)
    try:  # before anything is rendered
        server = PreviewServer(preview, port)
    except OSError as exc:
        raise UsageError(f"le port {port} est déjà utilisé (un autre aperçu tourne peut-être) : "
                         f"arrêtez-le ou choisissez un autre port, par exemple --port {port + 1}"
                         ) from exc
    pending = threading.Event()
    watch(root, pending)  # from now on: a save during the first build is not missed
    try:
        preview.stage.mkdir(parents=True, exist_ok=True)
        if not preview.pages():
            raise PowaoError("l'aperçu ne peut pas démarrer : corrigez d'abord les erreurs "
                             "ci-dessus")
    except BaseException:
        server.server_close()
        raise
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Aperçu sur http://127.0.0.1:{port}/ — Ctrl+C pour arrêter.", file=sys.stderr,
          flush=True)
    try:
        preview.warm()
        preview.pdfs()  # in the background: the pages are viewable at once
        preview.prepare()
        while True:
            if not pending.wait(timeout=0.5):
                preview.idle()
                continue
            pending.clear()
            time.sleep(SETTLE_S)
            while pending.is_set():  # until the burst of writes ends
                pending.clear()
                time.sleep(SETTLE_S)
            preview.update()
    finally:
        preview.close()
        server.server_close()
