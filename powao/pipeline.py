"""The pipeline driver: load → validate → resolve → render → write.

Reads like a table of contents; each step lives in its own module.
"""
from __future__ import annotations

from pathlib import Path

from .base import copy_file
from .content import load_and_check
from .errors import ContentError, Report

__all__ = ["ALL", "build", "load_and_check"]


ALL = ("site", "fiches", "documents", "kits", "livre-blanc")
PDF_KINDS = {"fiches", "documents", "kits", "livre-blanc"}
EDITION_FOLDERS = {"public": "site", "interne": "site-interne", "relecture": "site-relecture"}
PARTIAL_FOLDER = "sorties"


def output_folder(root: Path, which: tuple[str, ...], options: dict) -> Path:
    """Where a build writes. Only a full build of the public edition replaces `site/`
    (the folder copied to the host); every other build has its own, named after what
    it holds: `site-interne/`, `site-relecture/`, `sorties/fiches-09h30/`,
    `sorties/livre-blanc-epreuve/`…"""
    edition = options.get("edition", "public")
    if "site" in which:
        return root / EDITION_FOLDERS[edition]
    parts = ["-".join(which)]
    if options.get("heure"):
        parts.append(options["heure"].replace(":", "h"))
    if options.get("epreuve"):
        parts.append("epreuve")
    if edition != "public":
        parts.append(edition)
    return root / PARTIAL_FOLDER / "-".join(parts)


def build(root: Path, which: tuple[str, ...] = ALL, strict: bool = False,
          options: dict | None = None, workers: int | None = None) -> tuple[Report, dict]:
    """Steps 1–5 for the requested outputs. Nothing published changes unless all succeed."""
    import shutil
    import threading
    import time

    from . import linkcheck, outputs, publish
    from .site import SiteBuilder, mkdocs_errors, run_mkdocs
    from .sitecache import build_cached, mark_checked
    from .templating import Templates

    options = options or {}
    edition = options.get("edition", "public")
    published = output_folder(root, which, options)
    publish.check_target(published)
    from .pdf import set_stamp
    set_stamp(options.get("tampon", ""))
    timings: dict[str, float] = {}
    start = time.perf_counter()
    corpus, report = load_and_check(root, strict, edition)             # 1–2. load, validate
    timings["verification"] = time.perf_counter() - start
    pdf_kinds = PDF_KINDS & set(which) if "site" not in which else PDF_KINDS
    jobs = outputs.plan(corpus, pdf_kinds)                              # 3. resolve
    build_report = Report()
    info: dict = {"pdf": 0, "pages_pdf": 0, "pages": 0}
    with publish.staging(root, outputs.stop_workers) as stage:
        pdf_out = stage / "pdf-sortie"
        pages: dict[str, int] = {}

        step = time.perf_counter()                                      # 4a. PDFs (pool)
        templates = Templates(corpus)  # the site's, and the render processes' (forked)
        rendering = outputs.Rendering(root, jobs, pdf_out, options,
                                      workers or outputs.default_jobs(), build_report, corpus,
                                      templates=templates)

        def render_pdfs() -> None:  # waits for the render processes, prints progress
            try:
                pages.update(rendering.wait())
            finally:
                timings["pdf"] = time.perf_counter() - step

        thread = threading.Thread(target=render_pdfs, daemon=True)
        thread.start()
        site_pages: list = []
        if "site" in which:                                             # 4b. site, meanwhile
            step = time.perf_counter()
            builder = SiteBuilder(corpus, templates, outputs.published(jobs), edition)
            docs, site_dir = stage / "docs", stage / "site"
            site_pages = builder.write_docs(docs)
            messages, rebuilt = build_cached(builder.config(docs, site_dir),
                                             stage / "mkdocs.yml", root / ".cache" / "site",
                                             run_mkdocs)
            reused = rebuilt == 0
            info["reconstruites"] = rebuilt
            mkdocs_errors(messages, site_pages, build_report)
            outputs.give_back_memory()  # MkDocs' pages, while the PDFs still render
            timings["site"] = time.perf_counter() - step
        thread.join()
        if build_report.failed(strict):  # a PDF failed, or --strict and the preflight found
            build_report.extend(report.warnings)
            raise ContentError(build_report)
        info.update(pdf=sum(path.endswith(".pdf") for job in jobs if job.path in pages
                            for path in (job.path, *job.extras)),
                    pages_pdf=sum(pages.values()), pages=len(site_pages))
        if "site" in which:
            if pdf_out.exists():
                shutil.copytree(pdf_out / "pdf", site_dir / "pdf", dirs_exist_ok=True,
                                copy_function=copy_file)
            sources = {p.doc[:-3] + ".html": p.source for p in site_pages if p.source}
            if not reused:  # an identical site was checked when it was first built
                linkcheck.check_site(site_dir, sources, build_report)  # every link and anchor
                if build_report.errors:
                    raise ContentError(build_report)
                mark_checked(site_dir, stage / "mkdocs.yml", root / ".cache" / "site")
            publish.swap_in(site_dir, published)                        # 5. write, atomically
        else:  # the PDFs alone, in their own folder (never inside site/)
            import posixpath
            folder = posixpath.commonpath([posixpath.dirname(path)
                                           for path in outputs.published(jobs)]) \
                if jobs else "pdf"
            (pdf_out / folder).mkdir(parents=True, exist_ok=True)
            publish.swap_in(pdf_out / folder, published)
    report.extend(build_report.warnings)  # the print preflight's findings
    timings["total"] = time.perf_counter() - start
    info["temps"] = timings
    info["dossier"] = published.relative_to(root).as_posix()
    return report, info
