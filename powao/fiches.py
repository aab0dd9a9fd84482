"""Session kits (« fiches de séance ») and mentor kits (« kits mentor ») as PDFs."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import segno
from markupsafe import Markup

from . import model as m
from .base import build_date, site_url
from .loader import Corpus
from .pdf import Meta, head, inline_footnotes, write_pdf
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


def fiche_context(t: Templates, atelier: m.Atelier, heure: str | None = None,
                  prefix: str = "", groupe: m.Groupe | None = None) -> dict[str, Any]:
    corpus = t.corpus
    url = Urls(corpus).absolute(site_url(corpus.root), "atelier", atelier.id)
    fragment = inline_footnotes(t.renderer.fragment(atelier.src.body, atelier.src))
    _intro, secs = split_sections(fragment)
    return {
        "atelier": atelier, "axe": corpus.axe(atelier.axe),
        "groupe": groupe or corpus.groupe(atelier),
        "heure": heure or atelier.heure_debut or corpus.programme.heure_debut,
        "secs": secs, "prefix": prefix, "url": url, "qr": qr_svg(url),
    }


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
                groupe: m.Groupe | None = None, edition: str = "public") -> int:
    html = fiche_html(t, atelier, heure, groupe, edition)
    return write_pdf(html, target, t.corpus.root, source=atelier.src.rel)


def _securite(t: Templates) -> tuple[Any, str]:
    """The safety-framework page, printed in every kit (ids prefixed to stay unique)."""
    page = t.corpus.pages.get("cadre-de-securite")
    if page is None:
        return None, ""
    fragment = inline_footnotes(t.renderer.fragment(page.src.body, page.src))
    return page, fragment.replace(' id="', ' id="securite--')


def kit_html(t: Templates, kind: str, ident: str, edition: str = "public") -> str:
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
                    modules=modules, date=date_fr(build_date().date().isoformat()))
    return t.renderer.finish(html, pdf_linker(corpus, local))


def build_kit(t: Templates, kind: str, ident: str, target: Path,
              edition: str = "public") -> int:
    objet = t.corpus.cycles[ident] if kind == "cycle" else t.corpus.parcours[ident]
    return write_pdf(kit_html(t, kind, ident, edition), target, t.corpus.root, source=objet.src.rel)

