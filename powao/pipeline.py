"""The pipeline driver: load → validate → resolve → render → write.

Reads like a table of contents; each step lives in its own module.
"""
from __future__ import annotations

from pathlib import Path

from . import checks, loader
from .errors import ContentError, Report
from .loader import Corpus


def load_and_check(root: Path, strict: bool = False) -> tuple[Corpus, Report]:
    """Steps 1–2: gather every file and cross-check it; raise if anything is wrong."""
    report = Report()
    corpus = loader.load(root, report)   # 1. read, parse, validate each file
    checks.check(corpus, report)          # 2. cross-file references, sums, bodies
    if report.failed(strict):
        raise ContentError(report)
    return corpus, report


def build_site(root: Path, strict: bool = False, pdfs: bool = True) -> tuple[Report, dict]:
    """Steps 1–5 for the website (and, later, the PDFs it links)."""
    import time

    from . import linkcheck, publish
    from .site import SiteBuilder, mkdocs_errors, run_mkdocs
    from .templating import Templates

    timings: dict[str, float] = {}
    start = time.perf_counter()
    corpus, report = load_and_check(root, strict)                     # 1–2
    timings["verification"] = time.perf_counter() - start
    templates = Templates(corpus)                                     # 3. resolve
    builder = SiteBuilder(corpus, templates)
    with publish.staging(root) as stage:
        docs, site_dir = stage / "docs", stage / "site"
        step = time.perf_counter()
        pages = builder.write_docs(docs)                               # 4. render
        timings["pages"] = time.perf_counter() - step
        step = time.perf_counter()
        messages = run_mkdocs(builder.config(docs, site_dir), stage / "mkdocs.yml")
        timings["mkdocs"] = time.perf_counter() - step
        build_report = Report()
        mkdocs_errors(messages, pages, build_report)
        sources = {p.doc[:-3] + ".html": p.source for p in pages if p.source}
        linkcheck.check_site(site_dir, sources, build_report)
        if build_report.errors:
            raise ContentError(build_report)
        publish.swap_in(site_dir, root / "site")                       # 5. write
    timings["total"] = time.perf_counter() - start
    return report, {"pages": len(pages), "temps": timings}
