"""Which PDFs a build produces, and rendering them in a pool of worker processes.

Each worker loads the corpus and imports WeasyPrint once, then renders the
PDFs it is given; the main process meanwhile builds the site.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, Report
from .loader import Corpus
from .urls import Urls


@dataclass(frozen=True)
class Job:
    kind: str      # fiche | kit-cycle | kit-parcours | livre
    ident: str
    path: str      # site-relative output path, e.g. pdf/fiches/x.pdf
    source: str    # the content file, for messages

    @property
    def label(self) -> str:
        return self.path.removeprefix("pdf/")


def plan(corpus: Corpus, which: set[str]) -> list[Job]:
    jobs: list[Job] = []
    if "livre-blanc" in which and corpus.livre:
        jobs.append(Job("livre", "livre-blanc", Urls.LIVRE, corpus.livre.src.rel))
    if "kits" in which:
        jobs += [Job("kit-cycle", i, Urls.kit(i), c.src.rel) for i, c in corpus.cycles.items()]
        jobs += [Job("kit-parcours", i, Urls.kit(i), p.src.rel) for i, p in corpus.parcours.items()]
    if "fiches" in which:
        jobs += [Job("fiche", i, Urls.fiche(i), a.src.rel) for i, a in corpus.ateliers.items()]
    return jobs  # longest first: the pool finishes sooner


# -- worker side -----------------------------------------------------------------------
_state: dict[str, object] = {}


def _init(root: str, options: dict) -> None:
    from .pipeline import load_and_check
    from .templating import Templates
    corpus, _report = load_and_check(Path(root), edition=options.get("edition", "public"))
    _state.update(templates=Templates(corpus), options=options)
    import weasyprint  # noqa: F401  - pay the import once per worker


def render(job: Job, out: Path) -> int:
    from . import fiches
    templates = _state["templates"]
    options = _state["options"]
    edition = options.get("edition", "public")
    target = out / job.path
    if job.kind == "fiche":
        atelier = templates.corpus.ateliers[job.ident]
        return fiches.build_fiche(templates, atelier, target, heure=options.get("heure"),
                                  edition=edition)
    if job.kind == "kit-cycle":
        return fiches.build_kit(templates, "cycle", job.ident, target, edition)
    if job.kind == "kit-parcours":
        return fiches.build_kit(templates, "parcours", job.ident, target, edition)
    if job.kind == "livre":
        from .livre import build_livre
        return build_livre(templates.corpus, templates, target,
                           brouillon=bool(options.get("brouillon")) or edition == "brouillons",
                           edition=edition)
    raise BuildError(f"type de document inconnu : {job.kind}")


def _run(job: Job, out: str) -> tuple[Job, int, str]:
    try:
        return job, render(job, Path(out)), ""
    except BuildError as exc:
        return job, 0, str(exc)
    except Exception as exc:  # a crash in one PDF must not stop the others
        return job, 0, (f"erreur inattendue pendant le rendu de {job.label} "
                        f"({exc.__class__.__name__} : {exc})")


def render_all(root: Path, jobs: list[Job], out: Path, options: dict, workers: int,
               report: Report) -> dict[str, int]:
    """Render every job into `out`; problems go to `report`; returns pages per path."""
    pages: dict[str, int] = {}
    if not jobs:
        return pages
    total = len(jobs)
    start = time.perf_counter()
    workers = max(1, min(workers, total))
    if workers == 1:
        _init(str(root), options)
        results = (_run(job, str(out)) for job in jobs)
        _collect(results, total, pages, report, start)
    else:
        # "spawn": the site is built by another thread meanwhile, and forking a
        # process that has threads can copy a held lock and hang the worker.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                                 initargs=(str(root), options)) as pool:
            futures = [pool.submit(_run, job, str(out)) for job in jobs]
            _collect((f.result() for f in as_completed(futures)), total, pages, report, start)
    return pages


def _collect(results, total: int, pages: dict[str, int], report: Report, start: float) -> None:
    for done, (job, count, error) in enumerate(results, start=1):
        if error:
            report.error(job.source, 0, error)
            status = "ÉCHEC"
        else:
            pages[job.path] = count
            status = f"{count} page{'s' if count > 1 else ''}"
        print(f"PDF {done}/{total} : {job.label} ({status}) — {time.perf_counter() - start:.1f} s",
              file=sys.stderr, flush=True)


def default_jobs() -> int:
    return os.cpu_count() or 1
