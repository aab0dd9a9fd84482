"""Session kits (« fiches de séance ») and mentor kits (« kits mentor ») as PDFs."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import segno
from markupsafe import Markup

from . import model as m
from .base import build_date, site_url
from .loader import Corpus
from .pdf import Meta, head, inline_footnotes, write_pdf
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


def pdf_linker(corpus: Corpus, local: dict[str, str]) -> Callable[[str], str]:
    """Resolve powao: links for print: inside the document when the target is in
    it (`local` maps « kind/id » to an anchor), else to the public site."""
    urls = Urls(corpus)
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
    url = Urls(corpus).absolute(site_url(corpus.root), "atelier", atelier.id)
    fragment = inline_footnotes(t.renderer.fragment(atelier.src.body, atelier.src))
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
    overflows, one step at a time. Remembered on disk by the pack's HTML and the
    toolchain, so the fiche, the pack and the binder measure once."""
    import hashlib
    import json

    from .pdf import layout, toolchain_fingerprint
    from .preflight import handout_use, scan_page
    root = t.corpus.root
    plain = documents_html(t, atelier, serrage={})
    key = hashlib.sha256((plain + toolchain_fingerprint(root)).encode()).hexdigest()
    if key in _fits:
        return _fits[key]
    memo = root / ".cache" / "pdf" / f"serrage-{key}.json"
    try:
        levels = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        levels = {}
        html = plain
        for _step in range(SERRAGE_MAX):
            use = handout_use([scan_page(p) for p in layout(html, root).pages])
            over = {e["element"].get("data-section") for e in use.values()
                    if e["used"] > e["declared"] and e["element"].get("data-section")}
            if not over:
                break
            for section in over:
                levels[section] = levels.get(section, 0) + 1
            # measure again only what overflowed: each handout starts a page of its own
            html = documents_html(t, atelier, serrage=levels, seuls=over)
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(levels, sort_keys=True), encoding="utf-8")
        os.replace(tmp, memo)
    _fits[key] = levels
    return levels


def documents_html(t: Templates, atelier: m.Atelier, edition: str = "public",
                   serrage: dict[str, int] | None = None, seuls: set[str] | None = None) -> str:
    """The handout pack of a workshop: its participant documents and the anonymous
    feedback sheet, each from a right-hand page, nothing for the facilitator."""
    corpus = t.corpus
    meta = Meta(title=f"Documents à photocopier — {atelier.titre}", author=_author(corpus),
                subject=f"Documents participants de l'atelier « {atelier.titre} »",
                keywords=[corpus.axe(atelier.axe).titre, "documents participants"])
    context = fiche_context(t, atelier, serrage=serrage)
    html = t.render("print/documents.html", head=Markup(head(meta, edition)), seuls=seuls,
                    **context)
    return t.renderer.finish(html, pdf_linker(corpus, {}))


def build_documents(t: Templates, atelier: m.Atelier, target: Path, edition: str = "public",
                    findings: list | None = None) -> int:
    return write_pdf(documents_html(t, atelier, edition), target, t.corpus.root,
                     source=atelier.src.rel, findings=findings)


def fiche_html(t: Templates, atelier: m.Atelier, heure: str | None = None,
               groupe: m.Groupe | None = None, edition: str = "public") -> str:
    corpus = t.corpus
    meta = Meta(title=f"Fiche de séance — {atelier.titre}", author=_author(corpus),
                subject=atelier.resume, keywords=[corpus.axe(atelier.axe).titre, *atelier.mots_cles])
    html = t.render("print/fiche.html", head=Markup(head(meta, edition)),
                    **fiche_context(t, atelier, heure, groupe=groupe))
    return t.renderer.finish(html, pdf_linker(corpus, {f"atelier/{atelier.id}": f"atelier-{atelier.id}"}))


def _author(corpus: Corpus) -> str:
    prog = corpus.programme
    names = " et ".join(a.nom for a in prog.associations) if prog else ""
    return f"Programme {prog.nom} ({names})" if prog else "POWAO"


def build_fiche(t: Templates, atelier: m.Atelier, target: Path, heure: str | None = None,
                groupe: m.Groupe | None = None, edition: str = "public",
                findings: list | None = None) -> int:
    html = fiche_html(t, atelier, heure, groupe, edition)
    # Its pages stay in memory if a binder of this render process may reuse them.
    in_binder = heure is None and groupe is None and any(
        s.atelier == atelier.id for c in t.corpus.cycles.values() for s in c.seances)
    return write_pdf(html, target, t.corpus.root, source=atelier.src.rel, findings=findings,
                     keep=in_binder)


def prepare_kit(t: Templates, ident: str, edition: str = "public") -> None:
    """Lay out (and keep in memory) the fiches of a cycle's binder, so that its next
    assembly lays out only what changed (the live preview does it while idle)."""
    from .pdf import lay_out
    root = t.corpus.root
    base_url = (root / "templates" / "print").as_uri() + "/"
    for seance in t.corpus.cycles[ident].seances:
        html = fiche_html(t, t.corpus.ateliers[seance.atelier], edition=edition)
        lay_out(html, root, base_url, f"{seance.atelier}.pdf", keep=True)


def _securite(t: Templates) -> tuple[Any, str]:
    """The safety-framework page, printed in every kit (ids prefixed to stay unique)."""
    page = t.corpus.pages.get("cadre-de-securite")
    if page is None:
        return None, ""
    fragment = inline_footnotes(t.renderer.fragment(page.src.body, page.src))
    return page, fragment.replace(' id="', ' id="securite--')


def kit_html(t: Templates, kind: str, ident: str, edition: str = "public",
             sessions: list[int] | None = None, total: int = 0) -> str:
    """The whole binder as one HTML document; with `sessions` (each session's first
    binder page), only its front matter, the sessions being assembled from their
    fiches' laid-out pages (see `assemble_kit`); `total`: the binder's page count."""
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
            if sessions is None:
                fiches.append(fiche_context(t, atelier, prefix=prefix))
            toc.append({"id": f"{prefix}atelier-{atelier.id}", "niveau": 1,
                        "titre": f"Séance {n} (mois {seance.mois}) : {atelier.titre}",
                        "page": sessions[n - 1] if sessions else None})
            local.setdefault(f"atelier/{atelier.id}", f"{prefix}atelier-{atelier.id}")
    else:
        toc.append({"id": "matrice-des-competences", "titre": "Matrice des compétences",
                    "niveau": 1})
        for n, mid in enumerate(objet.modules, start=1):
            module = corpus.modules[mid]
            prefix = f"module-{n}--"
            fragment = inline_footnotes(t.renderer.fragment(module.src.body, module.src))
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
                    total=total)
    return t.renderer.finish(html, pdf_linker(corpus, local))


def build_kit(t: Templates, kind: str, ident: str, target: Path,
              edition: str = "public", findings: list | None = None,
              assemble: bool = True) -> int:
    """A binder. `assemble=True` (the live preview): a cycle's is assembled from its
    fiches' laid-out pages (those the render process still holds are not laid out
    again); its session pages keep the fiche's own footer. `assemble=False` (builds):
    the whole binder is laid out as one document, so that every session page carries
    the binder's running head (binder title · session) for the ring binder."""
    objet = t.corpus.cycles[ident] if kind == "cycle" else t.corpus.parcours[ident]
    if kind == "cycle" and assemble:
        return assemble_kit(t, ident, target, edition, findings)
    return write_pdf(kit_html(t, kind, ident, edition), target, t.corpus.root,
                     source=objet.src.rel, findings=findings)


def _blank_page(edition: str, root: Path, base_url: str):
    """A left-hand blank page as the binder prints one before a session (same
    stylesheets and edition banner): the second page of a document whose second block
    starts on a right-hand page."""
    from .pdf import lay_out
    html = ('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
            + head(Meta(title="Page blanche", author=""), edition)
            + '<link rel="stylesheet" href="base.css"><link rel="stylesheet" href="fiche.css">'
            '<link rel="stylesheet" href="kit.css"></head><body><p>&#8203;</p>'
            '<p style="break-before: right">&#8203;</p></body></html>')
    return lay_out(html, root, base_url, "page-blanche.pdf", keep=True).pages[1]


def _front_pages(root: Path, ident: str, count: int = 0) -> int:
    """The length of a binder's front matter when it was last laid out (remembered in
    .cache/: a right guess spares laying it out twice), or remember it."""
    import json
    memo = root / ".cache" / "pdf" / "avant-propos-kits.json"
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if not count:
        return int(known.get(ident, 0)) if isinstance(known, dict) else 0
    if known.get(ident) != count:
        from .base import atomic_write
        known[ident] = count
        try:
            atomic_write(memo, json.dumps(known, sort_keys=True))
        except OSError:
            pass
    return count


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


def assemble_kit(t: Templates, ident: str, target: Path, edition: str = "public",
                 findings: list | None = None) -> int:
    """A cycle's binder made of pages already laid out: its front matter (cover, how
    to use it, contents, safety framework, calendar), then each session's fiche as
    its own PDF shows it, starting on a right-hand page (a blank page before it if
    needed), then written once.

    The split: a fiche's pages keep the folio of the fiche (« Titre · page 2 / 10 »:
    the same pages as the fiche printed alone, which is what makes them reusable);
    the front matter is numbered in the binder and its table of contents gives each
    session's first binder page. Anchors and internal links of each session are
    prefixed (« seance-3--… ») so that a workshop met twice stays two targets."""
    from .pdf import lay_out, write_document
    from .preflight import inspect
    corpus = t.corpus
    root = corpus.root
    base_url = (root / "templates" / "print").as_uri() + "/"
    cycle = corpus.cycles[ident]
    parts = []
    for n, seance in enumerate(cycle.seances, start=1):
        atelier = corpus.ateliers[seance.atelier]
        html = fiche_html(t, atelier, edition=edition)
        document = lay_out(html, root, base_url, f"{seance.atelier}.pdf", keep=True)
        share_fiche(document, html, root, base_url, atelier.src.rel)
        parts.append((f"seance-{n}--", html, document))
    blank = _blank_page(edition, root, base_url)
    front_pages = _front_pages(root, ident)  # as long as last time, most likely
    for _ in range(3):  # the front matter's length depends on nothing but itself
        sessions, page = [], front_pages + 1
        for _prefix, _html, document in parts:
            page += page % 2 == 0  # a session starts on a right-hand (odd) page
            sessions.append(page)
            page += len(document.pages)
        front_html = kit_html(t, "cycle", ident, edition, sessions=sessions, total=page - 1)
        front = lay_out(front_html, root, base_url, target.name)
        if len(front.pages) == front_pages:
            break
        front_pages = len(front.pages)
    _front_pages(root, ident, front_pages)
    pages = list(front.pages)
    for prefix, _html, document in parts:
        if len(pages) % 2 == 1:
            pages.append(blank)
        pages += [_prefixed(page, prefix) for page in document.pages]
    binder = front.copy(pages)
    if findings is not None:  # the print preflight, on the binder's pages
        findings += inspect(binder, root, cycle.src.rel)
    return write_document(binder, target, front_html + "".join(h for _p, h, _d in parts))


def _prefixed(page, prefix: str):
    """A copy of a laid-out page whose anchors and internal links carry `prefix`
    (WeasyPrint's documented Page.anchors and Page.links)."""
    import copy
    clone = copy.copy(page)
    clone.anchors = {prefix + name: point for name, point in page.anchors.items()}
    clone.links = [(kind, prefix + target if kind == "internal" else target, rect, box)
                   for kind, target, rect, box in page.links]
    return clone

