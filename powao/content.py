"""Steps 1–2 of the pipeline: gather every content file and cross-check it.

The one entry point to the content stage (`load_and_check`); the build, the live
preview and the render processes all start from it.
"""
from __future__ import annotations

from pathlib import Path

from . import checks, loader
from .audience import filter_corpus
from .errors import ContentError, Report
from .loader import Corpus


def load_and_check(root: Path, strict: bool = False,
                   edition: str = "public") -> tuple[Corpus, Report]:
    """Read, parse, validate and cross-check; raise ContentError if anything is wrong.

    Returns the corpus of the edition: only what it may publish."""
    report = Report()
    corpus = loader.load(root, report)               # 1. read, parse, validate each file
    checks.check(corpus, report)                      # 2. cross-file references, sums, bodies
    if report.failed(strict):
        raise ContentError(report)
    corpus = filter_corpus(corpus, edition, report)   # what this edition publishes
    if report.failed(strict):
        raise ContentError(report)
    return corpus, report
