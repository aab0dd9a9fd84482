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
