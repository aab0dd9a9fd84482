"""Editions: what each build may publish.

* public (default): only content with `statut: publie` and `diffusion: public`;
* interne: everything `publie`, public and internal;
* relecture: everything, drafts included (the review edition).

The filtered corpus drives every output (pages, navigation, tags, search, PDFs),
so nothing outside the edition can leak; a published item that links to one
left out is an error naming both files.
"""
from __future__ import annotations

import copy
from typing import Any

from .errors import Report
from .loader import Corpus
from .markup import scan, strings

EDITIONS = ("public", "interne", "relecture")
KINDS = ("pages", "ateliers", "cycles", "parcours", "modules", "chapitres")
LABELS = {"atelier": "l'atelier", "cycle": "le cycle", "module": "le module",
          "parcours": "le parcours", "chapitre": "le chapitre", "page": "la page"}


def visible(item: Any, edition: str) -> bool:
    if edition == "relecture":
        return True
    if item.statut != "publie":
        return False
    return edition == "interne" or item.diffusion == "public"


def why_hidden(item: Any) -> str:
    if item.statut != "publie":
        return f"statut « {item.statut} »"
    return "diffusion « interne »"


def filter_corpus(corpus: Corpus, edition: str, report: Report) -> Corpus:
    out = copy.copy(corpus)
    out.exclus = []
    out.edition = edition
    for kind in KINDS:
        items = getattr(corpus, kind)
        setattr(out, kind, {k: v for k, v in items.items() if visible(v, edition)})
        out.exclus += sorted(v.src.rel for k, v in items.items() if not visible(v, edition))
    _check_links(corpus, out, edition, report)
    if out.livre:
        out.livre = out.livre.model_copy(update={
            "chapitres": [c for c in out.livre.chapitres if c in out.chapitres]})
        out.livre._source = corpus.livre.src
    return out


GLOSSARY_PAGE = "glossaire"


def _hidden(full: Corpus, kept: Corpus, kind: str, ident: str) -> Any:
    if kind == "glossaire":  # a term is shown on the glossary page: that page must be there
        kind, ident = "page", GLOSSARY_PAGE
        if ident not in full.pages:
            return _NO_GLOSSARY
    items = full.kind(kind)
    if ident not in items or ident in kept.kind(kind):
        return None
    return items[ident]


_NO_GLOSSARY = object()


def _report(report: Report, src: Any, line: int, kind: str, target: Any, field: str = "") -> None:
    if target is _NO_GLOSSARY:
        report.error(src.rel, line, "renvoi vers un terme du glossaire, mais le projet n'a pas "
                     "de page glossaire : créez content/glossaire.md (avec le bloc "
                     "« {{ glossaire }} ») ou retirez le lien", field)
        return
    if kind == "glossaire":
        kind = "page"
    report.error(src.rel, line, f"renvoi vers {LABELS[kind]} « {target.id} » ({target.src.rel}), "
                 f"qui n'est pas publié dans cette édition ({why_hidden(target)}) : retirez le "
                 "lien ou publiez la cible", field)


def _check_links(full: Corpus, kept: Corpus, edition: str, report: Report) -> None:
    for kind in KINDS:
        for item in getattr(kept, kind).values():
            src = item.src
            for token in scan(src.body, src.body_line):
                if token.kind == "xref":
                    target = _hidden(full, kept, token.arg, token.value.split("#")[0])
                    if target is not None:
                        _report(report, src, token.line, token.arg, target)
            _check_fields(full, kept, item, report)
    for cycle in kept.cycles.values():
        for index, seance in enumerate(cycle.seances):
            target = _hidden(full, kept, "atelier", seance.atelier)
            if target is not None:
                _report(report, cycle.src, cycle.src.line(("seances", index, "atelier")),
                        "atelier", target, f"seances[{index + 1}].atelier")
    for parcours in kept.parcours.values():
        for index, module_id in enumerate(parcours.modules):
            target = _hidden(full, kept, "module", module_id)
            if target is not None:
                _report(report, parcours.src, parcours.src.line(("modules", index)), "module",
                        target, f"modules[{index + 1}]")
    for module in kept.modules.values():
        for index, atelier_id in enumerate(module.ateliers_lies):
            target = _hidden(full, kept, "atelier", atelier_id)
            if target is not None:
                _report(report, module.src, module.src.line(("ateliers_lies", index)), "atelier",
                        target, f"ateliers_lies[{index + 1}]")


def _check_fields(full: Corpus, kept: Corpus, item: Any, report: Report) -> None:
    for loc, value in strings(item.src.meta):
        if "](" not in value:
            continue
        line = item.src.line(loc)
        for token in scan(value, line):
            if token.kind == "xref":
                target = _hidden(full, kept, token.arg, token.value.split("#")[0])
                if target is not None:
                    _report(report, item.src, line, token.arg, target)
