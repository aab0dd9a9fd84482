"""Which PDFs a build produces, and rendering them in a pool of worker processes.

Each worker has the corpus, its templates and WeasyPrint (a build's forked workers
share the main process's), then renders the PDFs it is given; the main process
meanwhile builds the site.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .base import build_epoch, code_fingerprint, hash_files
from .errors import BuildError, Report
from .loader import Corpus
from .pdf import recall, recall_findings, remember
from .urls import Urls

if TYPE_CHECKING:  # for types only
    from .templating import Templates


@dataclass(frozen=True)
class Job:
    kind: str      # fiche | documents | kit-cycle | kit-parcours | livre
    ident: str
    path: str      # site-relative output path, e.g. pdf/fiches/x.pdf
    source: str    # the content file, for messages
    # Files the job writes besides its PDF, from the same work: the livre blanc's
    # printer variant and EPUB edition; a fiche's handout pack (laid out while
    # fitting its handouts).
    extras: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.path.removeprefix("pdf/")


def plan(corpus: Corpus, which: set[str], together: bool = True) -> list[Job]:
    """The PDFs to make. `together`: a fiche's job also writes its handout pack (one
    layout serves both); else (the live preview, where the fiche must come first) the
    packs are jobs of their own."""
    jobs: list[Job] = []
    if "livre-blanc" in which and corpus.livre:
        jobs.append(Job("livre", "livre-blanc", Urls.LIVRE, corpus.livre.src.rel,
                        (Urls.LIVRE_IMPRESSION, Urls.EPUB)))
    if "kits" in which:
        jobs += [Job("kit-cycle", i, Urls.kit(i), c.src.rel) for i, c in corpus.cycles.items()]
        jobs += [Job("kit-parcours", i, Urls.kit(i), p.src.rel) for i, p in corpus.parcours.items()]
    both = together and {"fiches", "documents"} <= which
    if "fiches" in which:
        jobs += [Job("fiche", i, Urls.fiche(i), a.src.rel, (Urls.documents(i),) if both else ())
                 for i, a in corpus.ateliers.items()]
    if "documents" in which and not both:
        jobs += [Job("documents", i, Urls.documents(i), a.src.rel)
                 for i, a in corpus.ateliers.items()]
    return schedule(corpus, jobs)


def published(jobs: list[Job]) -> dict[str, str]:
    """Every file the jobs write (site path -> label), for the site's download links."""
    return {path: path.removeprefix("pdf/") for job in jobs for path in (job.path, *job.extras)}


def schedule(corpus: Corpus, jobs: list[Job]) -> list[Job]:
    """The order the render processes take the jobs in.

    Largest first, so the pool does not end waiting for a long document; but the
    long documents (binders, the white paper), which are also the memory-hungry ones,
    are spaced out by about their own length in fiches, so that while one renders the
    other processes render fiches rather than another long document."""
    def size(job: Job) -> int:
        return sum(p.stat().st_size for p in _job_inputs(corpus, job) if p.is_file())

    sizes = {job: size(job) for job in jobs}
    short = ("fiche", "documents")
    fiches = sorted((j for j in jobs if j.kind in short), key=lambda j: (-sizes[j], j.path))
    longs = sorted((j for j in jobs if j.kind not in short), key=lambda j: (-sizes[j], j.path))
    unit = max(1, sum(sizes[j] for j in fiches) // max(1, len(fiches)))
    order: list[Job] = []
    for job in longs:
        order.append(job)
        gap = sizes[job] * 3 // (2 * unit)  # fiches the other processes render meanwhile
        order += fiches[:gap]
        fiches = fiches[gap:]
    order += fiches
    # The fiches of a cycle come last: the binder's process lays them out for the
    # binder and puts them in the PDF cache, where their own jobs then find them.
    binders = {s.atelier for j in jobs if j.kind == "kit-cycle"
               for s in corpus.cycles[j.ident].seances}
    return sorted(order, key=lambda j: j.kind == "fiche" and j.ident in binders)


# -- dependency cache (no render process at all when nothing changed) -----------------
def _shared_inputs(corpus: Corpus) -> list[Path]:
    """Files every PDF may read: programme data, glossary, references, the safety page."""
    root = corpus.root
    files = sorted((root / "content" / "data").glob("*.yml"))
    files += [root / "whitepaper" / "references.yml", root / "content" / "cadre-de-securite.md"]
    return files


def _job_inputs(corpus: Corpus, job: Job) -> list[Path]:
    if job.kind in ("fiche", "documents"):
        return [corpus.ateliers[job.ident].src.path]
    if job.kind == "kit-cycle":
        cycle = corpus.cycles[job.ident]
        return [cycle.src.path] + [corpus.ateliers[s.atelier].src.path for s in cycle.seances]
    if job.kind == "kit-parcours":
        parcours = corpus.parcours[job.ident]
        return [parcours.src.path] + [corpus.modules[m].src.path for m in parcours.modules]
    wp = corpus.root / "whitepaper"
    return sorted(p for p in wp.rglob("*") if p.is_file())


def dependency_keys(corpus: Corpus, jobs: list[Job], options: dict,
                    code: str = "") -> dict[Job, str]:
    """Hash of everything each PDF depends on, computed without rendering it. What every
    PDF depends on is hashed once, then each job's own inputs."""
    from .markup import scan
    digest = hashlib.sha256((code or code_fingerprint(corpus.root)).encode())
    # Unset options are left out, and those that shape no output (« _apercu »): the
    # preview and a build share their cache.
    digest.update(json.dumps({k: v for k, v in options.items() if v and k[0] != "_"},
                             sort_keys=True, default=str).encode())
    digest.update(f"{build_epoch()}".encode())
    # Titles and publication state of every item: cross-references print them.
    for kind in ("pages", "ateliers", "cycles", "parcours", "modules", "chapitres"):
        for ident, item in sorted(getattr(corpus, kind).items()):
            digest.update(f"{kind}/{ident}/{item.titre}/{item.statut}/{item.diffusion}".encode())
    hash_files(_shared_inputs(corpus), digest)
    keys: dict[Job, str] = {}
    for job in jobs:
        own = digest.copy()
        own.update(f"{job}".encode())
        inputs = _job_inputs(corpus, job)
        hash_files(inputs, own)
        for path in inputs:  # images and files the sources point at
            if path.suffix == ".md" and path.is_file():
                text = path.read_text(encoding="utf-8")
                for token in scan(text, 1):
                    if token.kind in ("image", "link") and ":" not in token.value:
                        target = (path.parent / token.value.split("#")[0]).resolve()
                        if target.is_file() and target.is_relative_to(corpus.root):
                            hash_files([target], own)
        keys[job] = own.hexdigest()
    return keys


def _cached(root: Path, key: str) -> tuple[Path, Path]:
    cache = root / ".cache" / "pdf"
    return cache / f"dep-{key}.pdf", cache / f"dep-{key}.pages"


def _cached_extras(root: Path, key: str, job: Job) -> list[tuple[str, Path, Path]]:
    """(site path, cache file, its entry file) of each extra output of a job."""
    cache = root / ".cache" / "pdf"
    return [(extra, cache / f"dep-{key}-{index}{Path(extra).suffix}",
             cache / f"dep-{key}-{index}.pages")
            for index, extra in enumerate(job.extras, start=1)]


# -- worker side -----------------------------------------------------------------------
_state: dict[str, object] = {}


TIME_LIMIT_S = 300          # one PDF; the 150-page cycle kit takes about 20 s
MEMORY_LIMIT_MIB = 3072     # address space of one render process


def _limits(options: dict) -> None:
    """Sandbox a render process: bounded memory; time is bounded per job in _run."""
    import resource
    limit = int(options.get("memoire_mio", MEMORY_LIMIT_MIB)) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _die_with_parent() -> None:
    """Linux: a render process is killed if the build process dies (prctl)."""
    import ctypes
    import signal
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


_pools: list[ProcessPoolExecutor] = []
_stopping: list[bool] = []  # set once the build or the preview is being stopped


def stop_workers() -> None:
    """Kill the render processes now (the build or the preview is being stopped):
    whatever they are laying out, a binder included, is abandoned at once."""
    _stopping.append(True)
    for pool in list(_pools):
        kill_pool(pool)


def stopping() -> bool:
    return bool(_stopping)


@contextlib.contextmanager
def starting_workers():
    """Start render processes with Ctrl+C blocked: a process still starting would
    otherwise die of it with a traceback (stopping them is the parent's job). A Ctrl+C
    meanwhile reaches the parent right after; each process ignores it (`_init`)."""
    import signal
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (AttributeError, ValueError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def kill_pool(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's processes (no public API for it) and let its threads end."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.kill()
    for process in processes:
        process.join(timeout=5)
    pool.shutdown(wait=False, cancel_futures=True)
    if pool in _pools:
        _pools.remove(pool)


def _init(root: str, options: dict, corpus: Corpus | None = None, nice: int = 0,
          templates: Templates | None = None) -> None:
    import signal
    _die_with_parent()
    if nice:  # the live preview: its pages come before any PDF
        os.nice(nice)
    _limits(options)
    # A forked worker inherits the build's handlers: stopping is the parent's job.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # see starting_workers
    _state.update(root=root, options=options)
    from .pdf import set_stamp
    set_stamp(options.get("tampon", ""))
    if templates is not None:  # forked: the main process's, made before the fork
        _state.update(templates=templates, digest="")
    elif corpus is not None:  # the corpus the main process already checked: no second load
        from .templating import Templates
        _state.update(templates=Templates(corpus), digest="")
    import weasyprint  # noqa: F401  - pay the import once per worker (if not forked)
    _freeze()


# The garbage collector's thresholds in a render process (Python's default: 700, 10, 10).
# A layout allocates millions of objects, most of them kept until the page is written:
# at the default, the collector ran a full collection of the growing box trees dozens
# of times per binder (a fifth of a render process's time). Cyclic garbage is also
# collected after each job (`give_back_memory`). A build's jobs go further and run
# with no automatic collection at all (`_run`).
GC_THRESHOLDS = (10_000, 10, 10)


def _freeze() -> None:
    """Move what lives as long as the worker (code, corpus) out of the garbage
    collector's sight: collections then only walk what a render created."""
    import gc
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


TIDY_EVERY = 8  # corpora, in a render process that keeps laid-out fiches


def _use_corpus(corpus_bytes: bytes) -> None:
    """Load a corpus sent by the main process (the live preview sends a new one after
    each edit; a worker keeps it until the next one)."""
    import pickle

    from .templating import Templates
    digest = hashlib.sha256(corpus_bytes).hexdigest()
    if _state.get("digest") != digest:
        import gc

        from .pdf import layouts_kept
        # A full collection walks every laid-out fiche this process keeps (half a second
        # for a binder's, before each job after a save): such a process lets the previous
        # corpora wait, frozen, until it is idle (`tidy`) or every few corpora.
        _state["corpora"] = int(_state.get("corpora", 0)) + 1
        whole = not layouts_kept() or int(_state["corpora"]) % TIDY_EVERY == 0
        if whole:
            gc.unfreeze()  # the previous corpora may now be collected
        _state.update(templates=Templates(pickle.loads(corpus_bytes)), digest=digest)
        if whole:
            _freeze()
        else:
            gc.collect(1)
            gc.freeze()


def ready() -> bool:
    """A no-op job: submitting it makes the pool start a process."""
    return True


def tidy() -> bool:
    """Collect what a render process let wait (`_use_corpus`): the live preview asks
    its binders' process to, while idle."""
    import gc
    gc.unfreeze()
    _state["corpora"] = 0
    _freeze()
    give_back_memory(young=True)  # collected just now: returns the freed heap
    return True


def prepare(job: Job, corpus_bytes: bytes = b"") -> bool:
    """Assemble a binder ahead, aside: what its next assembly reuses (its fiches and frame
    laid out, its pages drawn) stays in this process (the live preview, while idle)."""
    from . import fiches
    if corpus_bytes:
        _use_corpus(corpus_bytes)
    try:
        if job.kind == "kit-cycle":
            edition = _state["options"].get("edition", "public")
            fiches.prepare_kit(_templates(), job.ident, edition,
                               _session_keys(_templates().corpus, job.ident, edition))
    except Exception:  # only a head start: the binder's own render will say what fails
        return False
    return True


def _session_keys(corpus: Corpus, ident: str, edition: str) -> dict[str, str]:
    """The key of each session's fiche in a cycle's binder (the dependency key of a fiche
    job): a render process that wrote its HTML for an earlier assembly reuses it."""
    code = code_fingerprint(corpus.root)
    jobs = {s.atelier: Job("fiche", s.atelier, Urls.fiche(s.atelier),
                           corpus.ateliers[s.atelier].src.rel)
            for s in corpus.cycles[ident].seances}
    keys = dependency_keys(corpus, list(jobs.values()), {"edition": edition}, code)
    return {ident: keys[job] for ident, job in jobs.items()}


def _templates():
    if "templates" not in _state:  # no corpus sent: load it here
        from .content import load_and_check
        from .templating import Templates
        corpus, _report = load_and_check(Path(_state["root"]),
                                         edition=_state["options"].get("edition", "public"))
        _state["templates"] = Templates(corpus)
    return _state["templates"]


def render(job: Job, out: Path, findings: list | None = None) -> int:
    from . import fiches
    templates = _templates()
    options = _state["options"]
    edition = options.get("edition", "public")
    if not out.parent.exists():  # the build was stopped and its staging folder removed
        raise BuildError("construction interrompue")
    target = out / job.path
    if job.kind == "fiche":
        atelier = templates.corpus.ateliers[job.ident]
        # Its pack follows: in this job (`extras`), or next in the preview's fiches process.
        pages = fiches.build_fiche(templates, atelier, target, heure=options.get("heure"),
                                   edition=edition, findings=findings,
                                   pack=bool(job.extras) or bool(options.get("_apercu")))
        for extra in job.extras:  # its handout pack: the layout that fitted its handouts
            fiches.build_documents(templates, atelier, out / extra, edition, findings)
        return pages
    if job.kind == "documents":  # the preview's binders have a process of their own
        atelier = templates.corpus.ateliers[job.ident]
        return fiches.build_documents(templates, atelier, target, edition, findings,
                                      binders=not options.get("_apercu"))
    if job.kind == "kit-cycle":
        return fiches.build_kit(templates, "cycle", job.ident, target, edition, findings,
                                keys=_session_keys(templates.corpus, job.ident, edition),
                                share=not options.get("_apercu"))
    if job.kind == "kit-parcours":
        return fiches.build_kit(templates, "parcours", job.ident, target, edition, findings)
    if job.kind == "livre":
        from .livre import build_livre
        return build_livre(templates.corpus, templates, target,
                           brouillon=bool(options.get("epreuve")) or edition == "relecture",
                           edition=edition, impression=out / Urls.LIVRE_IMPRESSION,
                           epub=out / Urls.EPUB, findings=findings)
    raise BuildError(f"type de document inconnu : {job.kind}")


class RenderTimeout(BaseException):
    """Raised by the time limit; a BaseException so that no generic handler (WeasyPrint's
    or ours) wraps it into another message."""


def _alarm(_signum, _frame):
    raise RenderTimeout


def _remember(root: Path, key: str, job: Job, out: Path, pages: int, findings: list) -> None:
    for extra, cached, meta in _cached_extras(root, key, job):
        remember(out / extra, cached, meta, pages)
    remember(out / job.path, *_cached(root, key), pages, findings)


def _run(job: Job, out: str, key: str = "",
         corpus_bytes: bytes = b"") -> tuple[Job, int, str, list]:
    import gc
    import signal
    if corpus_bytes:
        _use_corpus(corpus_bytes)
    options = _state.get("options", {})
    limit = float(options.get("temps_max_s", TIME_LIMIT_S))
    if not options.get("_apercu"):
        # A build's job runs without automatic collections: a layout's boxes live until
        # its PDF is written, so each collection walked them again for nothing (a
        # twentieth of the cycle binder's time); its garbage is collected once, below.
        gc.disable()
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        if os.environ.get("POWAO_PANNE_PDF") == job.label:  # fault injection for tests
            raise RuntimeError("panne simulée")
        crash = os.environ.get("POWAO_PLANTAGE_PDF", "").split("|")
        if crash[0] == job.label and not (len(crash) > 1 and Path(crash[1]).exists()):
            if len(crash) > 1:  # « label|marker »: only the first time
                Path(crash[1]).touch()
            os._exit(70)  # a render process dying, as a crashed library makes it
        findings: list = []
        from contextlib import nullcontext

        from .redraw import reusing
        # A build's job draws the pages its documents share once (`powao.redraw`); the
        # live preview's binders replay whole pages instead.
        with nullcontext() if options.get("_apercu") else reusing():
            pages = render(job, Path(out), findings)
        if key:
            _remember(_templates().corpus.root, key, job, Path(out), pages, findings)
        return job, pages, "", findings
    except RenderTimeout:
        return job, 0, (f"le rendu de {job.label} a dépassé {limit:g} s et a été arrêté : "
                        "le document est sans doute trop long ou mal formé"), []
    except MemoryError:
        return job, 0, (f"le rendu de {job.label} a dépassé la mémoire autorisée et a été "
                        "arrêté : le document (ou une de ses images) est trop lourd"), []
    except BuildError as exc:
        return job, 0, str(exc), []
    except Exception as exc:  # a crash in one PDF must not stop the others
        return job, 0, (f"erreur inattendue pendant le rendu de {job.label} "
                        f"({exc.__class__.__name__} : {exc})"), []
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        from .pdf import layouts_kept
        if not options.get("_apercu"):
            # A build's process collects everything after each job, then freezes what
            # is left (caches, the fiches a binder keeps): the next collections walk
            # only what the next job creates. Frozen objects are never freed, which a
            # process that lives for one build can afford.
            give_back_memory()
            gc.freeze()
            gc.enable()
        else:
            # The preview's processes keep laid-out fiches: they collect their young
            # objects after each job and everything only every few jobs: a full
            # collection walks every kept box tree (half a second after each job).
            _state["jobs"] = int(_state.get("jobs", 0)) + 1
            give_back_memory(young=bool(layouts_kept()) and int(_state["jobs"]) % 5 != 0)


def give_back_memory(young: bool = False) -> None:
    """Free reference cycles (WeasyPrint's box trees, MkDocs' pages) and return the
    freed heap to the system: glibc keeps it otherwise, and a worker that laid out
    the 150-page binder would stay about 100 MiB bigger. `young`: the young
    generations only."""
    import ctypes
    import gc
    gc.collect(1 if young else 2)
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def from_cache(root: Path, jobs: list[Job], out: Path, options: dict, corpus: Corpus,
               pages: dict[str, int], report: Report | None = None,
               published: dict[str, str] | None = None) -> dict[Job, str]:
    """Copy into `out` every PDF whose dependencies did not change since it was last
    rendered (its page count goes to `pages`); returns the others with their keys.
    `published` (the live preview): the key of each PDF already published, which is
    left as it is; filled with the keys of the PDFs copied."""
    todo: dict[Job, str] = {}
    keys = dependency_keys(corpus, jobs, options, code_fingerprint(root))
    for job, key in keys.items():
        if published is not None and published.get(job.path) == key:
            continue
        cached, pages_file = _cached(root, key)
        count = recall(cached, pages_file, out / job.path)
        # Extra outputs (a fiche's handout pack, the livre blanc's printer PDF and EPUB)
        # come back with it.
        for extra, cached_extra, meta in _cached_extras(root, key, job):
            if count is not None and recall(cached_extra, meta, out / extra) is None:
                count = None
        if count is not None:
            pages[job.path] = count
            if published is not None:
                published[job.path] = key
            if report is not None:  # a cached PDF still reports what its preflight found
                report.extend(f.problem() for f in recall_findings(pages_file))
        else:
            todo[job] = key
    if len(todo) < len(jobs) and published is None:  # PDF files, handout packs included
        files = {job: sum(p.endswith(".pdf") for p in (job.path, *job.extras)) for job in jobs}
        print(f"PDF : {sum(n for j, n in files.items() if j not in todo)}/"
              f"{sum(files.values())} inchangés, repris du cache", file=sys.stderr)
    return todo


def new_pool(root: Path, options: dict, workers: int, corpus: Corpus | None = None,
             nice: int = 0, templates: Templates | None = None) -> ProcessPoolExecutor:
    """Render processes. Always separate processes, even one: each render is sandboxed.

    Forked when the calling process has a single thread: the workers then share the
    checked corpus, its templates (`templates`, the caller's) and the imported code,
    WeasyPrint included, at no cost. Otherwise spawned (the live preview watches files
    from other threads, and forking a process that has threads can copy a held lock and
    hang the worker); the corpus is then sent to them."""
    import threading
    harfbuzz_notice()
    forked = threading.active_count() == 1 and os.name == "posix"
    if forked and corpus is not None:
        import gc

        import weasyprint  # noqa: F401  - imported once, before the fork
        # What the workers inherit (corpus, templates, code) is moved out of the garbage
        # collector's sight before they fork: their collections then never walk it (nor
        # write to its pages, which would copy them into each worker).
        gc.freeze()
    else:
        templates = None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(
        "fork" if forked else "spawn"), initializer=_init,
        initargs=(str(root), options, corpus, nice, templates))


class Rendering:
    """PDFs being rendered: started at once (in the calling thread, which starts the
    render processes), collected with `wait()`.

    A PDF whose dependencies did not change since it was last rendered is copied
    from the cache; only the others go to the render processes. With `pool` (the
    live preview keeps one between edits), the corpus travels with each job;
    `on_done(job)` is called as soon as each PDF is written. `templates`: the corpus's,
    which forked render processes then share instead of making their own."""

    def __init__(self, root: Path, jobs: list[Job], out: Path, options: dict, workers: int,
                 report: Report, corpus: Corpus | None = None,
                 pool: ProcessPoolExecutor | None = None, on_done=None,
                 long_pool: ProcessPoolExecutor | None = None,
                 published: dict[str, str] | None = None,
                 templates: Templates | None = None) -> None:
        import pickle
        self.report, self.on_done = report, on_done
        self.pages: dict[str, int] = {}
        self.start = time.perf_counter()
        keys = from_cache(root, jobs, out, options, corpus, self.pages, report, published) \
            if corpus is not None else dict.fromkeys(jobs, "")
        self.keys = keys
        self.total, self.futures, self.owned = len(keys), [], pool is None
        self.again = (root, out, options, workers, corpus)  # see `wait`
        self.jobs = list(keys)  # those the render processes are given
        self.waiting: dict = {}
        if not keys:
            self.pool = None
            return
        if self.owned:  # a pool given by the caller is the caller's to stop
            pool = new_pool(root, options, max(1, min(workers, len(keys))), corpus,
                            templates=templates)
            _pools.append(pool)
        self.pool = pool
        sent = pickle.dumps(corpus) if corpus is not None and not self.owned else b""
        try:
            # `long_pool` (the live preview): binders and the white paper go to their own
            # process, which keeps the fiches a binder reuses. A cycle's fiche is laid out
            # there for its binder while the other process writes it: each PDF is served
            # as soon as it can be, the fiche without waiting for the binder, the binder
            # without waiting for the fiche's PDF.
            def process(job: Job) -> ProcessPoolExecutor:
                short = job.kind in ("fiche", "documents")
                return pool if short or long_pool is None else long_pool
            with starting_workers():
                self.futures = [process(job).submit(_run, job, str(out), key, sent)
                                for job, key in keys.items()]
        except BaseException:
            self.close()
            raise
        self.waiting = dict(zip(self.futures, keys))

    def cancel(self) -> list[Job]:
        """Withdraw the jobs no process has started yet; returns them."""
        return [job for future, job in self.waiting.items() if future.cancel()]

    def wait(self) -> dict[str, int]:
        from concurrent.futures import BrokenExecutor, CancelledError
        finished: list[Job] = []
        try:
            try:
                self._gather(self.futures, finished)
            except BrokenExecutor:
                if stopping() or not self.owned:  # the preview renews its own processes
                    raise
                self._again([job for job in self.jobs if job not in finished], finished)
        except (BrokenExecutor, CancelledError):
            if not stopping():  # killed on purpose: the caller reports the interruption
                raise
        finally:
            self.close()
        return self.pages

    def _gather(self, futures: list, finished: list[Job]) -> None:
        def results():
            for future in as_completed(futures):
                if not future.cancelled():
                    result = future.result()
                    finished.append(result[0])
                    yield result
        _collect(results(), self.total, self.pages, self.report, self.start, self.on_done,
                 first=len(finished) + 1)

    def _again(self, jobs: list[Job], finished: list[Job]) -> None:
        """A render process died (a rendering library crashed, or the memory ran out):
        what was left is rendered once more, in new processes; what fails again is an
        error in French."""
        from concurrent.futures import BrokenExecutor
        print(f"Un processus de rendu s'est arrêté brutalement : {len(jobs)} PDF "
              "relancé(s) dans de nouveaux processus…", file=sys.stderr, flush=True)
        kill_pool(self.pool)
        root, out, options, workers, corpus = self.again
        self.pool = new_pool(root, options, max(1, min(workers, len(jobs))), corpus)
        _pools.append(self.pool)
        try:
            with starting_workers():
                futures = [self.pool.submit(_run, job, str(out), self.keys[job])
                           for job in jobs]
            self._gather(futures, finished)
        except BrokenExecutor:
            if stopping():
                raise
            for job in jobs:
                if job not in finished:
                    self.report.error(job.source, 0, (
                        f"le rendu de {job.label} a échoué deux fois : le processus de rendu "
                        "s'est arrêté brutalement (une bibliothèque de rendu a planté ou la "
                        "mémoire a manqué). Relancez la construction ; si l'erreur revient, "
                        "signalez-la avec ce fichier"))

    def close(self) -> None:
        if self.pool is not None:
            if self.owned:
                if self.pool in _pools:
                    _pools.remove(self.pool)
                self.pool.shutdown()
            self.pool = None


def _collect(results, total: int, pages: dict[str, int], report: Report, start: float,
             on_done=None, first: int = 1) -> None:
    for done, (job, count, error, findings) in enumerate(results, start=first):
        report.extend(f.problem() for f in findings)
        if error:
            report.error(job.source, 0, error)
            status = "ÉCHEC"
        else:
            pages[job.path] = count
            status = f"{count} page{'s' if count > 1 else ''}"
            if on_done is not None:
                on_done(job)
        print(f"PDF {done}/{total} : {job.label} ({status}) — {time.perf_counter() - start:.1f} s",
              file=sys.stderr, flush=True)


def harfbuzz_notice() -> None:
    """Say once when HarfBuzz subsetting is missing: PDFs still build, more slowly."""
    import ctypes.util
    if ctypes.util.find_library("harfbuzz-subset") is None:
        print("Remarque : libharfbuzz-subset0 n'est pas installé ; les PDF sont produits, "
              "plus lentement (installez-le avec « make setup »).", file=sys.stderr)


def default_jobs() -> int:
    return os.cpu_count() or 1
