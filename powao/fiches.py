"""Session kits (« fiches de séance ») and mentor kits (« kits mentor ») as PDFs."""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import segno
from markupsafe import Markup

from . import model as m
from .base import build_date, site_url
from .loader import Corpus
from .pdf import Meta, for_print, head, print_base, write_pdf
from .sources import Source
from .templating import Templates, split_sections
from .urls import Urls
from .views import date_fr


@lru_cache(maxsize=8)
def qr_svg(url: str) -> Markup:
    """A vector QR code (segno) pointing at the page on the site."""
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=3, border=0, omitsize=True, svgclass="qr",
                                  lineclass=None, title=f"Code QR : {url}"))


def pdf_linker(t: Templates, local: dict[str, str]) -> Callable[[str], str]:
    """Resolve powao: links for print: inside the document when the target is in
    it (`local` maps « kind/id » to an anchor), else to the public site."""
    corpus, urls = t.corpus, t.urls
    base = site_url(corpus.root)

    def link(url: str) -> str:
        key = url.split("#")[0]
        if key in local:
            return "#" + local[key]
        kind, _, rest = url.partition("/")
        if kind == "asset":
            from .images import published_copy
            return published_copy(corpus.root / rest.split("#")[0],
                                  corpus.root / ".cache" / "images").as_uri()
        path, anchor = urls.target(url)
        return base + path + (f"#{anchor}" if anchor else "")
    return link


def section_lines(source: Source) -> list[int]:
    """Line numbers of the body's « ## » headings, in order (one per printed section)."""
    from .markup import masked_lines
    return [source.body_line + index for index, line in enumerate(masked_lines(source.body))
            if line.startswith("## ")]


def fiche_context(t: Templates, atelier: m.Atelier, heure: str | None = None,
                  prefix: str = "", groupe: m.Groupe | None = None,
                  serrage: dict[str, int] | None = None) -> dict[str, Any]:
    corpus = t.corpus
    url = t.urls.absolute(site_url(corpus.root), "atelier", atelier.id)
    fragment = for_print(t.renderer.fragment(atelier.src.body, atelier.src))
    _intro, secs = split_sections(fragment)
    lines = section_lines(atelier.src)
    if len(lines) == len(secs):
        for sec, line in zip(secs, lines):
            sec.ligne = line
    base = site_url(corpus.root)
    return {
        "atelier": atelier, "axe": corpus.axe(atelier.axe),
        "groupe": groupe or corpus.groupe(atelier),
        "heure": heure or atelier.heure_debut or corpus.programme.heure_debut,
        "secs": secs, "prefix": prefix, "url": url, "qr": qr_svg(url),
        "documents_url": base + Urls.documents(atelier.id),
        "serrage": serrage if serrage is not None else fit_handouts(t, atelier),
    }


# -- handouts that fit their pages ---------------------------------------------------
SERRAGE_MAX = 3  # tightening steps (print CSS .serre-1 … .serre-3; body text ≥ 10 pt)
_fits: dict[str, dict[str, int]] = {}


def fit_handouts(t: Templates, atelier: m.Atelier) -> dict[str, int]:
    """How much each handout of a workshop is tightened to fit its declared pages.

    Measured on the workshop's handout pack (the handouts alone, laid out with the
    same page geometry as in the fiche and the binder), tightening only what
    overflows, to the lowest step that fits (`_measure`). Remembered on disk by the
    pack's HTML and the toolchain, so the fiche, the pack and the binder measure
    once; the first layout of the whole pack is kept by the render process: when
    nothing needed tightening, it is the pack's PDF (`build_documents`)."""
    import hashlib
    import json

    from .pdf import forget_layout, toolchain_fingerprint
    if ("serrage", atelier.id) in t.memo:  # this corpus's: asked for by every output
        return t.memo[("serrage", atelier.id)]
    root = t.corpus.root
    base_url = print_base(root)
    plain = documents_html(t, atelier, serrage={})
    # Source line numbers (data-source, for the preflight's messages) shape nothing: an
    # edit above the handouts keeps their measure.
    shape = re.sub(r' data-source="[^"]*"', "", plain)
    key = hashlib.sha256((shape + toolchain_fingerprint(root)).encode()).hexdigest()
    t.memo[("serrage-cle", atelier.id)] = key
    if key in _fits:
        t.memo[("serrage", atelier.id)] = _fits[key]
        return _fits[key]
    memo = root / ".cache" / "pdf" / f"serrage-{key}.json"
    try:
        levels = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        levels, measured = _measure(t, atelier, plain, base_url)
        if levels:  # the first layout is not the pack: no need to keep it
            forget_layout(plain, root, base_url)
        _MEASURED.clear()
        _MEASURED.update(atelier=atelier.id, key=key, sections={
            section: layouts[levels.get(section, 0)] for section, layouts in measured.items()
            if levels.get(section, 0) in layouts})
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(levels, sort_keys=True), encoding="utf-8")
        os.replace(tmp, memo)
    _fits[key] = t.memo[("serrage", atelier.id)] = levels
    return levels


# A handout that runs past its pages by more than this share of them is measured first
# at the second step: most such handouts need the third (the first is then not laid out).
SERRAGE_SAUT = 0.3


def _measure(t: Templates, atelier: m.Atelier, plain: str,
             base_url: str) -> tuple[dict[str, int], dict]:
    """Each overflowing handout's tightening step: the lowest that fits its pages (the
    last step when none does), found by laying out, at each round, only the handouts
    still in question. A handout that overflows a little is tried at the next step up;
    one that overflows by far is tried two steps up first, then one down if that fits
    (the step found is the same; fewer layouts). Returns the steps and, for each
    handout, the layouts that measured it, by step."""
    from .pdf import lay_out
    from .preflight import handout_use, scan_page
    root = t.corpus.root
    html, trying = plain, {}  # trying: section -> step of this round's layout (0: the pack)
    measured: dict[str, dict[int, tuple[str, Any]]] = {}
    over: dict[str, int] = {}  # the highest step known to overflow
    fits: dict[str, int] = {}  # the lowest step known to fit
    while True:
        document = lay_out(html, root, base_url, f"{atelier.id}.pdf", keep=not trying)
        for section in _handout_pages(document):
            measured.setdefault(section, {})[trying.get(section, 0)] = (html, document)
        scans = [scan_page(p) for p in document.pages]
        start: dict[str, int] = {}
        for entry in handout_use(scans).values():
            section = entry["element"].get("data-section")
            if not section:
                continue
            step = trying.get(section, 0)
            if entry["used"] <= entry["declared"]:
                fits[section] = step
                continue
            over[section] = step
            if not step:
                first = scans[min(entry["pages"])]
                share = entry["overflow"] / ((first.bottom - first.top) * entry["declared"])
                start[section] = 2 if share > SERRAGE_SAUT and SERRAGE_MAX > 2 else 1
        trying = {}
        for section, low in over.items():
            if fits.get(section, SERRAGE_MAX) > low + 1:  # still in question
                trying[section] = start.get(section, low + 1)
        if not trying:
            break
        html = documents_html(t, atelier, serrage=trying, seuls=set(trying))
    return {section: fits.get(section, SERRAGE_MAX) for section in over}, measured


# The handouts this process has just measured (`fit_handouts`): for each, the laid-out
# document that holds it at its final tightening. The fiche that follows in the same job
# takes its handout pages from them (`fiche_layout`) instead of laying them out again.
_MEASURED: dict[str, Any] = {}


def _handout_pages(document) -> dict[str, list[int]]:
    """The pages of each handout (by its section id) in a laid-out document."""
    found: dict[str, list[int]] = {}
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            section = element.get("data-section") if element is not None else None
            if section:
                found.setdefault(section, []).append(index)
                break
    return found


def documents_html(t: Templates, atelier: m.Atelier, edition: str = "public",
                   serrage: dict[str, int] | None = None, seuls: set[str] | None = None,
                   habillage: list[dict[str, Any]] | None = None) -> str:
    """The handout pack of a workshop: its participant documents and the anonymous
    feedback sheet, each from a right-hand page, nothing for the facilitator. With
    `habillage` (the fiche's handout pages, see `build_documents`), its frame: one
    empty block per page, which gives that page the pack's footer."""
    corpus = t.corpus
    meta = Meta(title=f"Documents à photocopier — {atelier.titre}", author=_author(corpus),
                subject=f"Documents participants de l'atelier « {atelier.titre} »",
                keywords=[corpus.axe(atelier.axe).titre, "documents participants"])
    context = fiche_context(t, atelier, serrage=serrage)
    html = t.render("print/documents.html", head=Markup(head(meta, edition)), seuls=seuls,
                    habillage=habillage, **context)
    return t.renderer.finish(html, pdf_linker(t, {}))


_ID = re.compile(r' id="([^"]+)"')
_HANDOUTS = re.compile(r'<section class="(?:document|retour) .*</section>', re.S)


def build_documents(t: Templates, atelier: m.Atelier, target: Path, edition: str = "public",
                    findings: list | None = None, binders: bool = True) -> int:
    """A workshop's handout pack. The render process keeps its layout when measuring
    its handouts found nothing to tighten; otherwise, when it keeps the fiche laid out
    (its job has just written it) and the fiche prints the same handouts, the pack is
    made of the fiche's handout pages; else it is laid out on its own. The fiche's
    layout is then forgotten, unless this process also makes binders (`binders`) and
    one of them holds the fiche."""
    from .pdf import forget_layout, kept_layout
    root = t.corpus.root
    base_url = print_base(root)
    html = documents_html(t, atelier, edition)
    fiche = fiche_html(t, atelier, edition=edition)
    document = kept_layout(fiche, root, base_url)
    if document is not None and not (binders and _in_binder(t, atelier)):
        forget_layout(fiche, root, base_url)  # its job is done: no binder here reuses it
    handouts = _HANDOUTS.search(html)
    if (document is None or handouts is None or handouts.group(0) not in fiche
            or kept_layout(html, root, base_url) is not None):
        pages = write_pdf(html, target, root, source=atelier.src.rel, findings=findings)
        forget_layout(html, root, base_url)  # written: the measure's layout is let go
        return pages
    from .pdf import lay_out

    def assembled():
        groups = [g for g in session_pages(document) if g["document"]]
        frame_html = documents_html(t, atelier, edition, habillage=groups)
        frame = lay_out(frame_html, root, base_url, target.name)
        dressed = _dress(frame, [("", fiche, document)], frame_html)
        first = groups[0]["pages"][0]["index"] if groups else 0
        if dressed is None or len(frame.pages) != len(document.pages) - first:
            return lay_out(html, root, base_url, target.name)  # laid out on its own
        # A fiche's own elements run on over its handout pages (its article, its
        # anchor): the pack keeps only the anchors its own HTML defines.
        ids = set(_ID.findall(html))
        for page in dressed:
            if page.anchors.keys() - ids:
                page.anchors = {name: point for name, point in page.anchors.items()
                                if name in ids}
        return frame.copy(dressed)
    return write_pdf(html, target, root, source=atelier.src.rel, findings=findings,
                     layout=assembled)


def fiche_html(t: Templates, atelier: m.Atelier, heure: str | None = None,
               groupe: m.Groupe | None = None, edition: str = "public",
               habillage: list[dict[str, Any]] | None = None) -> str:
    """A fiche's HTML; with `habillage` (its handouts as the pages of the documents that
    measured them, see `fiche_layout`), its frame: one empty block per handout page.
    The last plain fiche made is kept: its job asks again for its handout pack."""
    plain = heure is None and groupe is None and habillage is None
    if plain and t.memo.get(("fiche-html",), (None,))[0] == (atelier.id, edition):
        return t.memo[("fiche-html",)][1]
    corpus = t.corpus
    meta = Meta(title=f"Fiche de séance — {atelier.titre}", author=_author(corpus),
                subject=atelier.resume, keywords=[corpus.axe(atelier.axe).titre, *atelier.mots_cles])
    html = t.render("print/fiche.html", head=Markup(head(meta, edition)),
                    habillage_documents=habillage,
                    **fiche_context(t, atelier, heure, groupe=groupe))
    html = t.renderer.finish(html, pdf_linker(t, {f"atelier/{atelier.id}": f"atelier-{atelier.id}"}))
    if plain:
        t.memo[("fiche-html",)] = ((atelier.id, edition), html)
    return html


_SECTION = re.compile(r'<section class="(?:document|retour) [^"]*" id="[^"]*" '
                      r'data-section="([^"]+)".*?</section>', re.S)


def fiche_layout(t: Templates, atelier: m.Atelier, html: str, heure: str | None = None,
                 groupe: m.Groupe | None = None, edition: str = "public", keep: bool = False):
    """A fiche laid out (kept in memory with `keep`). Its handouts were laid out by this
    process to measure them, just before (`fit_handouts`): then only its own pages are
    laid out, in a frame, and each handout page is the measuring layout's, under the
    fiche's footers. Else (measured earlier, or by another process) it is laid out whole."""
    from .pdf import keep_layout, kept_layout, lay_out
    root = t.corpus.root
    base_url = print_base(root)
    document = kept_layout(html, root, base_url)
    if document is not None:
        return document
    try:
        document = _composed(t, atelier, html, heure, groupe, edition)
    finally:
        _MEASURED.clear()  # used once: the fiche holds the pages it took
    if document is None:
        return lay_out(html, root, base_url, f"{atelier.id}.pdf", keep=keep)
    if keep:
        keep_layout(html, root, base_url, document)
    return document


def _composed(t: Templates, atelier: m.Atelier, html: str, heure: str | None,
              groupe: m.Groupe | None, edition: str):
    """The fiche made of its frame and its handouts' measured pages (`fiche_layout`), or
    None when they are not all at hand, or not printed as in the fiche."""
    from .pdf import lay_out
    root = t.corpus.root
    base_url = print_base(root)
    if (edition != "public" or _MEASURED.get("atelier") != atelier.id  # measured: public
            or _MEASURED.get("key") != t.memo.get(("serrage-cle", atelier.id))):
        return None
    blocks = {mt.group(1): mt.group(0) for mt in _SECTION.finditer(html)}
    sections = dict(_MEASURED["sections"])
    missing = {section for section in blocks if section not in sections}
    if missing:  # tightened at the last step: never laid out so
        extra_html = documents_html(t, atelier, serrage=fit_handouts(t, atelier), seuls=missing)
        extra = lay_out(extra_html, root, base_url, f"{atelier.id}.pdf")
        sections.update({section: (extra_html, extra) for section in missing})
    parts: list[tuple[str, str, Any]] = []
    numbers: dict[int, tuple[int, dict[str, list[int]]]] = {}  # id -> part, its handouts
    groups: list[dict[str, Any]] = []
    for section, block in blocks.items():
        source, document = sections[section]
        if block not in source:  # not the same handout HTML as in the fiche
            return None
        if id(document) not in numbers:
            parts.append(("", source, document))
            numbers[id(document)] = (len(parts), _handout_pages(document))
        partie, pages = numbers[id(document)]
        if not pages.get(section):
            return None
        groups.append({"recto": True, "pages": [
            {"partie": partie, "index": i, "titre": _footer_text(document.pages[i])}
            for i in pages[section]]})
    if not groups:
        return None
    frame_html = fiche_html(t, atelier, heure, groupe, edition, habillage=groups)
    frame = lay_out(frame_html, root, base_url, f"{atelier.id}.pdf")
    pages = _dress(frame, parts, frame_html)
    return None if pages is None else frame.copy(pages)


def _author(corpus: Corpus) -> str:
    prog = corpus.programme
    names = " et ".join(a.nom for a in prog.associations) if prog else ""
    return f"Programme {prog.nom} ({names})" if prog else "POWAO"


def build_fiche(t: Templates, atelier: m.Atelier, target: Path, heure: str | None = None,
                groupe: m.Groupe | None = None, edition: str = "public",
                findings: list | None = None, pack: bool = True) -> int:
    """A fiche. Its pages stay in memory when its handout pack follows (`pack`: it is
    made of them, then forgets them) or a binder of this render process may reuse them."""
    html = fiche_html(t, atelier, heure, groupe, edition)
    keep = heure is None and groupe is None and (pack or _in_binder(t, atelier))
    return write_pdf(html, target, t.corpus.root, source=atelier.src.rel, findings=findings,
                     layout=lambda: fiche_layout(t, atelier, html, heure, groupe, edition, keep))


def _in_binder(t: Templates, atelier: m.Atelier) -> bool:
    return any(s.atelier == atelier.id for c in t.corpus.cycles.values() for s in c.seances)


def prepare_kit(t: Templates, ident: str, edition: str = "public",
                keys: dict[str, str] | None = None) -> None:
    """Assemble a cycle's binder once, aside, so that its next assembly lays out and
    draws only what changed: its fiches and its frame stay laid out in memory, its pages
    drawn (`powao.redraw`). The live preview does it while idle."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="powao-kit-") as tmp:
        assemble_kit(t, ident, Path(tmp) / f"{ident}.pdf", edition, keys=keys, share=False)


def _securite(t: Templates) -> tuple[Any, str]:
    """The safety-framework page, printed in every kit (ids prefixed to stay unique)."""
    page = t.corpus.pages.get("cadre-de-securite")
    if page is None:
        return None, ""
    fragment = for_print(t.renderer.fragment(page.src.body, page.src))
    return page, fragment.replace(' id="', ' id="securite--')


def kit_html(t: Templates, kind: str, ident: str, edition: str = "public",
             habillage: list[dict[str, Any]] | None = None) -> str:
    """The whole binder as one HTML document; with `habillage` (a cycle's sessions as
    the pages of their laid-out fiches, see `assemble_kit`), its front matter followed
    by one empty block per session page, which gives that page its binder furniture."""
    corpus = t.corpus
    objet = corpus.cycles[ident] if kind == "cycle" else corpus.parcours[ident]
    securite, securite_html = _securite(t)
    toc: list[dict[str, Any]] = [{"id": "mode-emploi", "titre": "Comment utiliser ce kit", "niveau": 1}]
    if securite:
        toc.append({"id": "cadre-de-securite", "titre": securite.titre, "niveau": 1})
    local: dict[str, str] = {}
    fiches, modules = [], []
    if kind == "cycle":
        toc.append({"id": "calendrier", "titre": "Le calendrier des séances", "niveau": 1})
        for n, seance in enumerate(objet.seances, start=1):
            atelier = corpus.ateliers[seance.atelier]
            prefix = f"seance-{n}--"
            if habillage is None:
                fiches.append(fiche_context(t, atelier, prefix=prefix))
            toc.append({"id": f"{prefix}atelier-{atelier.id}", "niveau": 1,
                        "titre": f"Séance {n} (mois {seance.mois}) : {atelier.titre}"})
            local.setdefault(f"atelier/{atelier.id}", f"{prefix}atelier-{atelier.id}")
    else:
        toc.append({"id": "matrice-des-competences", "titre": "Matrice des compétences",
                    "niveau": 1})
        for n, mid in enumerate(objet.modules, start=1):
            module = corpus.modules[mid]
            prefix = f"module-{n}--"
            fragment = for_print(t.renderer.fragment(module.src.body, module.src))
            modules.append({"module": module, "prefix": prefix,
                            "secs": split_sections(fragment)[1]})
            toc.append({"id": f"{prefix}module-{mid}", "niveau": 1,
                        "titre": f"Module {n} : {module.titre}"})
            local[f"module/{mid}"] = f"{prefix}module-{mid}"
    if securite:
        local["page/cadre-de-securite"] = "cadre-de-securite"
    meta = Meta(title=f"{'Kit mentor' if kind == 'cycle' else 'Kit de formation'} — {objet.titre}",
                author=_author(corpus), subject=objet.resume,
                keywords=["mentorat", "kit mentor", objet.titre])
    html = t.render("print/kit.html", head=Markup(head(meta, edition)), kind=kind, objet=objet, toc=toc,
                    securite=securite, securite_html=Markup(securite_html), fiches=fiches,
                    modules=modules, date=date_fr(build_date().date().isoformat()),
                    habillage=habillage)
    return t.renderer.finish(html, pdf_linker(t, local))


def build_kit(t: Templates, kind: str, ident: str, target: Path,
              edition: str = "public", findings: list | None = None,
              assemble: bool = True, keys: dict[str, str] | None = None,
              share: bool = True) -> int:
    """A binder. A cycle's is assembled from its fiches' laid-out pages (`assemble_kit`);
    `assemble=False` lays the whole binder out as one document (the reference the
    assembly is tested against, and its fallback)."""
    objet = t.corpus.cycles[ident] if kind == "cycle" else t.corpus.parcours[ident]
    if kind == "cycle" and assemble:
        binder = assemble_kit(t, ident, target, edition, findings, keys, share)
        if binder is not None:
            return binder
    return write_pdf(kit_html(t, kind, ident, edition), target, t.corpus.root,
                     source=objet.src.rel, findings=findings)


def share_fiche(document, html: str, root: Path, base_url: str, source: str) -> None:
    """Put a fiche a binder has laid out into the PDF cache, as its own PDF: the
    build's job for that fiche then copies it instead of laying it out again (the
    build schedules the fiches of cycles after the binders)."""
    import tempfile

    from .pdf import cache_key, remember, write_document
    from .preflight import inspect
    cache = root / ".cache" / "pdf"
    key = cache_key(html, root, base_url)
    cached, pages_file = cache / f"{key}.pdf", cache / f"{key}.pages"
    if pages_file.exists():
        return
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        target = Path(tmp) / "fiche.pdf"
        remember(target, cached, pages_file, write_document(document, target, html),
                 inspect(document, root, source))


# -- a cycle's binder, assembled from its fiches' laid-out pages -----------------------
FOOTER_STRINGS = ("titre-fiche", "titre-document")


def _margin_boxes(page) -> list:
    from weasyprint.formatting_structure.boxes import MarginBox
    return [box for box in page._page_box.children if isinstance(box, MarginBox)]


def _footer_text(page) -> str:
    """The text a page's footer prints from the fiche's strings (its title, or the
    handout's), read from the laid-out margin boxes."""
    from weasyprint.formatting_structure.boxes import TextBox
    for box in _margin_boxes(page):
        content = box.style["content"]
        if isinstance(content, tuple) and any(
                kind == "string()" and value[0] in FOOTER_STRINGS for kind, value in content):
            return "".join(b.text for b in box.descendants() if isinstance(b, TextBox))
    return ""


def session_pages(document) -> list[dict[str, Any]]:
    """A laid-out fiche as the binder's frame needs it: its pages in groups (the fiche's
    own pages, then each handout), each group from a right-hand page when the fiche
    left a blank page before it, each page with the footer text it prints."""
    groups: list[dict[str, Any]] = []
    blank_before = False
    for index, page in enumerate(document.pages):
        kind = page._page_box.page_type
        if kind.blank:
            blank_before = True
            continue
        handout = kind.name == "document"
        starts = (not groups or blank_before or groups[-1]["document"] != handout
                  or (handout and (kind.name, 0) in kind.groups))
        if starts:
            groups.append({"document": handout, "recto": blank_before, "pages": []})
        groups[-1]["pages"].append({"index": index, "titre": _footer_text(page)})
        blank_before = False
    return groups


# A fiche's HTML by the dependency key of its job (`keys` of assemble_kit), kept by the
# render process: the fiches of a binder unchanged since its last assembly are neither
# written again nor laid out again (their layouts are kept by pdf.lay_out).
_FICHE_HTML: dict[str, str] = {}


def assemble_kit(t: Templates, ident: str, target: Path, edition: str = "public",
                 findings: list | None = None, keys: dict[str, str] | None = None,
                 share: bool = True) -> int | None:
    """A cycle's binder made of its fiches' laid-out pages, each fiche laid out once
    (and kept by the render process: a cycle workshop edit lays out one fiche again).

    The binder's frame is laid out as one document: its front matter (cover, how to
    use it, contents, safety framework, calendar), then for each session one empty
    block per page of its fiche, in the fiche's page groups (page names, handouts from
    a right-hand page). The frame therefore has the binder's page count, folios,
    running heads and contents page numbers, computed by WeasyPrint as in a whole
    layout; each session page of the frame is then given the content of its fiche's
    page (its margin boxes stay the frame's). Anchors and internal links of each
    session are prefixed (« seance-3--… ») so that a workshop met twice stays two
    targets. None if the frame's pages do not line up with the fiches' (the caller
    then lays the binder out whole)."""
    from .pdf import lay_out, write_document
    from .preflight import inspect
    corpus = t.corpus
    root = corpus.root
    base_url = print_base(root)
    cycle = corpus.cycles[ident]
    parts, habillage = [], []
    for n, (atelier, html, document) in enumerate(
            _session_fiches(t, ident, edition, keys or {}), start=1):
        if share:  # a build's fiche jobs then copy them (the preview writes its own)
            share_fiche(document, html, root, base_url, atelier.src.rel)
        parts.append((f"seance-{n}--", html, document))
        habillage.append({"n": n, "atelier": atelier, "ancre": f"seance-{n}--atelier-{atelier.id}",
                          "groupes": session_pages(document)})
    frame_html = kit_html(t, "cycle", ident, edition, habillage=habillage)
    # Kept: an edit that changes no session's pages nor the front matter lays out none.
    frame = lay_out(frame_html, root, base_url, target.name, keep=True)
    pages = _dress(frame, parts, frame_html)
    if pages is None:
        return None
    binder = frame.copy(pages)
    if findings is not None:  # the print preflight, on the binder's pages
        findings += inspect(binder, root, cycle.src.rel)
    # The preview (`share` off) writes its binder after each save: the pages it drew
    # last time are replayed, not drawn again (powao.redraw).
    return write_document(binder, target, frame_html + "".join(h for _p, h, _d in parts),
                          redraw="" if share else f"{ident}-{edition}")


def _session_fiches(t: Templates, ident: str, edition: str,
                    keys: dict[str, str]) -> list[tuple[m.Atelier, str, Any]]:
    """Each session's workshop, fiche HTML (kept by its job's key) and laid-out fiche
    (kept by pdf.lay_out)."""
    found = []
    for seance in t.corpus.cycles[ident].seances:
        atelier = t.corpus.ateliers[seance.atelier]
        key = keys.get(seance.atelier)
        html = _FICHE_HTML.get(key) if key else None
        if html is None:
            html = fiche_html(t, atelier, edition=edition)
            if key:
                _FICHE_HTML[key] = html
                while len(_FICHE_HTML) > 64:
                    del _FICHE_HTML[next(iter(_FICHE_HTML))]
        found.append((atelier, html, fiche_layout(t, atelier, html, edition=edition, keep=True)))
    return found


_MARK = re.compile(r'data-habillage="(\d+-\d+)"')


def _dress(frame, parts: list, frame_html: str) -> list | None:
    """The frame's pages, each page that holds an empty block « n-i » given the content of
    page i of part n (its margin boxes stay the frame's); None if the frame does not
    line up: a block missing or over two pages, a page with two, or a page not there."""
    placed: dict[str, int] = {}  # « n-i » -> frame page
    for number, page in enumerate(frame.pages):
        marks = {element.get("data-habillage") for box in page._page_box.descendants()
                 if (element := getattr(box, "element", None)) is not None
                 and element.get("data-habillage")}
        if len(marks) > 1 or marks & placed.keys():
            return None
        placed.update(dict.fromkeys(marks, number))
    if placed.keys() != set(_MARK.findall(frame_html)):
        return None
    pages = list(frame.pages)
    for mark, number in placed.items():
        n, index = (int(x) for x in mark.split("-"))
        if not 1 <= n <= len(parts) or index >= len(parts[n - 1][2].pages):
            return None
        prefix, _html, document = parts[n - 1]
        page, frame_page = document.pages[index], frame.pages[number]
        if page._page_box.page_type.blank or frame_page._page_box.page_type.blank:
            return None
        pages[number] = _prefixed(page, prefix, _margin_boxes(frame_page))
    return pages


def _prefixed(page, prefix: str, margin_boxes: list):
    """A copy of a fiche's laid-out page for the binder: its anchors and internal links
    carry `prefix` (WeasyPrint's documented Page.anchors and Page.links), its margin
    boxes are the binder's."""
    import copy
    clone = copy.copy(page)
    box = page._page_box
    own = _margin_boxes(page)
    clone._page_box = box.copy_with_children(
        [child for child in box.children if not any(child is m for m in own)] + margin_boxes)
    clone.anchors = {prefix + name: point for name, point in page.anchors.items()}
    clone.links = [(kind, prefix + target if kind == "internal" else target, rect, box)
                   for kind, target, rect, box in page.links]
    return clone
