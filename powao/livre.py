"""The livre blanc as one book-grade PDF.

One HTML document is assembled — cover, colophon, table of contents, list of
figures, the chapters in book order, the references — from the same rendered
Markdown as the site, then laid out by templates/print/livre.css (running heads,
footnotes at the bottom of their page, chapters opening on a right-hand page,
bookmarks, tagged PDF) and written by `pdf.write_pdf`.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from markupsafe import Markup

from . import model as m
from .errors import BuildError
from .loader import Corpus
from .views import date_fr
from .base import build_date, site_url
from .pdf import (Meta, bandeau, forget_layout, head, inline_footnotes, kept_layout, print_base,
                  stamp, write_pdf)
from .templating import Templates
from .urls import Urls


# Chapter types printed without a number (a book numbers its body, not its front
# and back matter); their opening page shows this label instead.
SANS_NUMERO = {"essentiel": "", "avant-propos": "Avant-propos", "annexe": "Annexes"}


def chapter_label(chap: "m.Chapitre", numero: int) -> tuple[int | None, str]:
    """(number, label) of a chapter, the same in the PDF and on the site; `numero`
    is the count of numbered chapters before it."""
    if chap.type in SANS_NUMERO:
        if chap.type == "avant-propos" and chap.titre.strip().lower() == "avant-propos":
            return None, ""
        return None, SANS_NUMERO[chap.type]
    return numero + 1, f"Chapitre {numero + 1}"


def chapter_labels(corpus: Corpus) -> dict[str, tuple[int | None, str]]:
    labels: dict[str, tuple[int | None, str]] = {}
    numero = 0
    for chap_id in (corpus.livre.chapitres if corpus.livre else []):
        chap = corpus.chapitres.get(chap_id)
        if chap is None:
            continue
        labels[chap_id] = chapter_label(chap, numero)
        numero = labels[chap_id][0] or numero
    return labels

HEADING = re.compile(r'<(h[2-6])((?:\s[^>]*?)?)\sid="([^"]*)"([^>]*)>(.*?)</\1>', re.S)
H2 = re.compile(r'<h2[^>]*\sid="([^"]*)"[^>]*>(.*?)</h2>', re.S)
ID_ATTR = re.compile(r'(<[a-zA-Z][^>]*?\s)id="([^"]*)"')
LOCAL_HREF = re.compile(r'href="#([^"]*)"')
NOTE_SPAN = re.compile(r'<span class="note">.*?</span>|<a class="citation"[^>]*>.*?</a>', re.S)
TAG = re.compile(r"<[^>]+>")
CITATION_GLUED = re.compile(r'(?<=[^\s\u00a0(\[«\u202f])(<a class="citation")')
# A space (breakable or not) just before an inline element: moved inside the element
# (see `inline_spaces`). Footnotes are left alone.
SPACE_BEFORE_INLINE = re.compile(
    r'(?<=[^\s\u00a0\u202f])([ \u00a0\u202f])(<(?:a|abbr|b|cite|code|dfn|em|i|kbd|mark|q|small|span|strong|sub|sup)\b'
    r'(?![^>]*class="note")[^>]*>)')
FIGURE_ID = re.compile(r'<figure class="powao-figure" id="figure-([^"]+)"')
# Blocks that get an id (b1, b2…) when they have none: the PDF then holds a named
# destination for each, which is how the EPUB's page list finds the printed pages.
BLOCK = re.compile(r'<(p|li|dt|dd|tr|blockquote|table|figure|h[1-6])(?=[\s>])([^>]*)>')
SVG_ELEMENT = re.compile(r"<svg\b.*?</svg>", re.S)



def plain(fragment: str) -> str:
    """Heading HTML → escaped plain text for the TOC (notes, citations, tags removed)."""
    text = TAG.sub("", NOTE_SPAN.sub("", fragment))
    return html.escape(html.unescape(text).strip(), quote=False)


@dataclass
class Entree:
    """One line of the table of contents."""

    id: str
    titre: str  # plain text, escaped


@dataclass
class ChapitreLivre:
    chapitre: m.Chapitre
    numero: int | None  # None: front/back matter printed without a number
    libelle: str  # « Chapitre 3 » or « Avant-propos »
    html: Markup
    sections: list[Entree] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"chapitre-{self.chapitre.id}"


@dataclass
class FigureLivre:
    id: str
    numero: int
    titre: str


class IdRegistry:
    """Keeps every id of the assembled document unique (a figure may be shown twice)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def claim(self, ident: str) -> str:
        candidate, n = ident, 2
        while candidate in self.seen:
            candidate = f"{ident}-{n}"
            n += 1
        self.seen.add(candidate)
        return candidate


def chapter_html(chap: m.Chapitre, templates: Templates,
                 ids: IdRegistry) -> tuple[str, list[Entree], dict[str, str]]:
    """Render one chapter body for print.

    Returns the HTML, its h2 entries for the TOC and the map of the chapter's own
    heading ids to their prefixed, book-unique ids (for `chapitre/<id>#anchor`).
    """
    fragment = templates.renderer.fragment(chap.src.body, chap.src)
    fragment = inline_footnotes(fragment)
    anchors: dict[str, str] = {}

    def heading(mt: re.Match[str]) -> str:
        tag, before, ident, after, inner = mt.groups()
        new = ids.claim(f"{chap.id}--{ident}")
        anchors.setdefault(ident, new)
        return f'<{tag}{before} id="{new}"{after}>{inner}</{tag}>'

    fragment = HEADING.sub(heading, fragment)
    # « mentors[@wao] » renders as « mentors(WAO, 2025) »: keep a non-breaking space
    # before every citation so that it never sticks to the word (or citation) before.
    fragment = CITATION_GLUED.sub("\u00a0" + r"\1", fragment)

    def other_id(mt: re.Match[str]) -> str:
        ident = mt.group(2)
        if ident in ids.seen and any(ident == v for v in anchors.values()):
            return mt.group(0)  # a heading id claimed above
        return f'{mt.group(1)}id="{ids.claim(ident)}"'

    fragment = ID_ATTR.sub(other_id, fragment)
    # In-chapter anchors (« [voir](#une-section) ») follow their heading.
    fragment = LOCAL_HREF.sub(
        lambda mt: f'href="#{anchors.get(mt.group(1), mt.group(1))}"', fragment)
    sections = [Entree(ident, plain(inner)) for ident, inner in H2.findall(fragment)]
    return fragment, sections, anchors


def inline_spaces(fragment: str) -> str:
    """« mot <strong>gras</strong> » → « mot<strong> gras</strong> » (same for U+00A0).

    Works around a line-breaking bug of WeasyPrint 70 (text/line_break.py,
    `split_first_line`): when the text before an inline element fits its line only
    without its trailing space, Pango keeps it on one line but WeasyPrint measures the
    space, decides the text cannot be split and breaks after the first word — leaving
    « Six » alone on a justified line. Without a trailing space the text fits, and the
    line still breaks at the same space, now at the start of the inline element.
    """
    return SPACE_BEFORE_INLINE.sub(r"\2\1", fragment)



def make_linker(corpus: Corpus, anchors: dict[str, dict[str, str]], document: str,
                base_url: str) -> Callable[[str], str]:
    """Resolver for `powao:` URLs inside the book.

    Chapters, references and (when the book prints the glossary) glossary terms
    are internal anchors; every other page of the programme is its public URL.
    """
    urls = Urls(corpus)
    site = base_url.rstrip("/") + "/"

    def link(url: str) -> str:
        kind, _, rest = url.partition("/")
        ident, _, anchor = rest.partition("#")
        if kind == "chapitre" and ident in anchors:
            if anchor:
                return "#" + anchors[ident].get(anchor, f"chapitre-{ident}")
            return f"#chapitre-{ident}"
        if kind == "ref":
            return f"#ref-{ident}"
        if kind == "glossaire" and f'id="terme-{ident}"' in document:
            return f"#terme-{ident}"
        if kind == "asset":
            from .images import published_copy
            return published_copy(corpus.root / ident, corpus.root / ".cache" / "images").as_uri()
        if kind == "fichier" and ident not in urls.by_source:
            return (corpus.root / ident).as_uri() + (f"#{anchor}" if anchor else "")
        path, anchor = urls.target(url)
        return site + path + (f"#{anchor}" if anchor else "")

    return link


def figures_in(document: str, corpus: Corpus, numbers: dict[str, int]) -> list[FigureLivre]:
    """The figures printed in the book, in reading order, once each."""
    out: list[FigureLivre] = []
    for ident in FIGURE_ID.findall(document):
        if ident in corpus.figures and all(f.id != ident for f in out):
            out.append(FigureLivre(ident, numbers.get(ident, 0),
                                   html.escape(corpus.figures[ident].titre, quote=False)))
    return out


def citation(livre: "m.LivreBlanc", url: str) -> Markup:
    """How to cite the book, in the ISO 690 style of its reference list."""
    esc = lambda text: html.escape(text, quote=False)  # noqa: E731
    version = f", version {esc(livre.version)}" if livre.version else ""
    return Markup(
        f"{esc(', '.join(livre.auteurs))}. <cite>{esc(livre.titre)} : {esc(livre.sous_titre)}"
        f"</cite> [en ligne]. {esc(livre.edition)}{version}. "
        f"{esc(' et '.join(livre.organisations))}, {esc(livre.date[:4])}. Disponible à "
        f'l\'adresse : <a class="notypo" href="{html.escape(url)}">{esc(url)}</a>.')


def blank_pages(pages: int) -> int:
    """Blank pages a printed book needs before its back cover so that it counts a
    multiple of 4 pages (sheets folded in two, printed on both sides)."""
    return -pages % 4


def document_html(corpus: Corpus, templates: Templates, brouillon: bool = False,
                  edition: str = "public", impression: bool = False, blanches: int = 0) -> str:
    """The whole book as one HTML document (links resolved, typography applied).

    `impression`: the professional printer's variant (3 mm bleed, crop marks), with
    `blanches` blank pages before the back cover."""
    livre = corpus.livre
    if livre is None:
        raise BuildError("whitepaper/livre-blanc.yml : fichier du livre blanc manquant ou "
                         "invalide, le PDF ne peut pas être produit")
    ids = IdRegistry()
    for fixed in ("couverture", "colophon", "sommaire", "table-des-figures", "references",
                  "quatrieme-de-couverture"):
        ids.claim(fixed)
    chapitres: list[ChapitreLivre] = []
    anchors: dict[str, dict[str, str]] = {}
    numero = 0
    for chap_id in livre.chapitres:
        chap = corpus.chapitres.get(chap_id)
        if chap is None:  # left out of this edition (see audience.py)
            continue
        ids.claim(f"chapitre-{chap.id}")
        body, sections, chap_anchors = chapter_html(chap, templates, ids)
        anchors[chap.id] = chap_anchors
        num, libelle = chapter_label(chap, numero)
        numero = num or numero
        chapitres.append(ChapitreLivre(chap, num, libelle, Markup(body), sections))

    # « L'essentiel » is printed after the colophon, before the table of contents.
    essentiel = next((c for c in chapitres if c.chapitre.type == "essentiel"), None)
    chapitres = [c for c in chapitres if c is not essentiel]
    joined = "".join(str(c.html) for c in ([essentiel] if essentiel else []) + chapitres)
    figures = figures_in(joined, corpus, templates.figure_numbers)
    # The reference list closes the book, unless a chapter already prints it.
    references = Markup("")
    if corpus.references and 'id="ref-' not in joined:
        references = Markup(templates.block("references", ""))
    url_site = site_url(corpus.root)
    url_livre = url_site + Urls.LIVRE
    built = build_date()
    meta = Meta(title=f"{livre.titre} — {livre.sous_titre}", author=", ".join(livre.auteurs),
                subject=livre.resume, keywords=list(livre.mots_cles))
    page = templates.render(
        "print/livre.html", livre=livre, chapitres=chapitres, figures=figures,
        references=references, head=Markup(head(meta, edition)), brouillon=brouillon,
        date_publication=date_fr(livre.date), annee=livre.date[:4],
        date_brouillon=stamp() or date_fr(built.strftime("%Y-%m-%d")),
        url_livre=url_livre, url_site=url_site, url_epub=url_site + Urls.EPUB,
        citation=citation(livre, url_livre), essentiel=essentiel,
        impression=impression, blanches=blanches, format=livre.format)
    linker = make_linker(corpus, anchors, page, url_site)
    return block_ids(inline_spaces(templates.renderer.finish(page, linker)))


def block_ids(document: str) -> str:
    """Give every block without an id one (b1, b2… in reading order), SVG aside."""
    counter = 0

    def add(mt: re.Match[str]) -> str:
        nonlocal counter
        if re.search(r'\sid="', mt.group(2)):
            return mt.group(0)
        counter += 1
        return f'<{mt.group(1)} id="b{counter}"{mt.group(2)}>'

    pieces, last = [], 0
    for svg in SVG_ELEMENT.finditer(document):
        pieces.append(BLOCK.sub(add, document[last:svg.start()]))
        pieces.append(svg.group(0))
        last = svg.end()
    pieces.append(BLOCK.sub(add, document[last:]))
    return "".join(pieces)


def build_livre(corpus: Corpus, templates: Templates, target: Path,
                brouillon: bool = False, edition: str = "public",
                impression: Path | None = None, epub: Path | None = None,
                findings: list | None = None) -> int:
    """Write the livre blanc PDF to `target`; returns its page count.

    The corpus is the edition's (pipeline.load_and_check): it holds the chapters this
    edition may publish. `brouillon=True` adds a « BROUILLON » watermark and the build
    date on every page. With `impression`, the professional printer's variant is written
    there too (3 mm bleed, crop marks, blank pages before the back cover up to a
    multiple of 4 pages); with `epub`, the EPUB 3 edition, its page list mapped to the
    pages of `target`.
    """
    source = "whitepaper/livre-blanc.yml"
    base = corpus.root / "templates" / "print"
    base_url = print_base(corpus.root, base)
    document = document_html(corpus, templates, brouillon, edition)
    pages = write_pdf(document, target, corpus.root, base, source=source, findings=findings,
                      keep=impression is not None or epub is not None)
    if impression is not None:
        # The variant lays out like the book (bleed only widens the sheet): the blank
        # pages needed are known from the book's count; checked after rendering.
        blanches = blank_pages(pages)
        for _attempt in range(2):
            variant = document_html(corpus, templates, brouillon, edition, impression=True,
                                    blanches=blanches)
            printed = write_pdf(variant, impression, corpus.root, base, source=source,
                                layout=lambda: printer_layout(document, variant, corpus.root,
                                                              base_url))
            if printed % 4 == 0:
                break
            blanches = (blanches + blank_pages(printed)) % 4
        else:
            raise BuildError(f"{source} : l'édition pour l'imprimeur compte {printed} pages, "
                             "pas un multiple de 4")
    if epub is not None:
        from .epub import anchor_pages, build_epub, page_map
        laid = kept_layout(document, corpus.root, base_url)  # none when the PDF was cached
        draft_date = stamp() or date_fr(build_date().strftime("%Y-%m-%d"))
        livre = corpus.livre
        url_site = site_url(corpus.root)
        build_epub(document, anchor_pages(laid) if laid is not None else page_map(target),
                   epub, corpus.root, title=livre.titre,
                   subtitle=livre.sous_titre, authors=list(livre.auteurs),
                   publishers=list(livre.organisations), date=livre.date,
                   description=livre.resume, keywords=list(livre.mots_cles),
                   licence=livre.licence, url_pdf=url_site + Urls.LIVRE, isbn=livre.isbn,
                   bandeau=bandeau(edition) or (f"Brouillon du {draft_date} — "
                                                "ne pas diffuser" if brouillon else ""))
    forget_layout(document, corpus.root, base_url)  # kept for the variant and the EPUB
    return pages


# The book's middle, from its colophon up to what precedes the back cover (the blank
# pages added for the printer, or the back cover itself).
_INTERIEUR = re.compile(r'<section class="colophon".*?(?=<div class="page-blanche"|'
                        r'<section class="quatrieme")', re.S)
_FOND_PERDU = ("bleed_top", "bleed_right", "bleed_bottom", "bleed_left", "marks")


def printer_layout(book_html: str, variant_html: str, root: Path, base_url: str):
    """The printer's edition laid out from the book's pages: its interior is the book's,
    page for page (the bleed only widens the sheet), given the variant's bleed and crop
    marks; only its covers and the blank pages before the back cover are laid out, from
    the variant's HTML with the interior left out. Laid out whole when the two do not
    line up."""
    import copy

    from .pdf import kept_layout, lay_out

    def whole():
        return lay_out(variant_html, root, base_url, "livre-blanc-impression.pdf")

    book = kept_layout(book_html, root, base_url) or lay_out(book_html, root, base_url,
                                                            "livre-blanc.pdf")
    kinds = [page._page_box.page_type for page in book.pages]
    # The book: its cover, its interior, a blank page WeasyPrint may add so that the back
    # cover falls on a left-hand page, the back cover.
    interior = len(kinds) - 1 - (len(kinds) > 2 and kinds[-2].blank)
    middle = _INTERIEUR.search(variant_html)
    if (middle is None or len(kinds) < 3 or kinds[0].name != "couverture"
            or kinds[-1].name != "quatrieme"):
        return whole()
    # What follows the interior starts on a page of the same side as in the whole layout:
    # a filler page after the cover when the interior ends on an even page.
    filler = interior % 2 == 0
    covers_html = (variant_html[:middle.start()]
                   + ('<div class="page-blanche" aria-hidden="true"></div>' if filler else "")
                   + variant_html[middle.end():])
    covers = lay_out(covers_html, root, base_url, "livre-blanc-impression.pdf")
    ends = [page._page_box.page_type for page in covers.pages]
    if (len(ends) < 2 + filler or ends[0].name != "couverture" or ends[-1].name != "quatrieme"
            or any(kind.name == "couverture" for kind in ends[1:])):
        return whole()
    style = covers.pages[0]._page_box.style  # the variant's bleed and marks: every page's
    pages = [covers.pages[0]]
    for page in book.pages[1:interior]:
        clone = copy.copy(page)
        box = clone._page_box = page._page_box.copy()
        box.style = page._page_box.style.copy()
        for key in _FOND_PERDU:
            box.style[key] = style[key]
        clone.bleed = box.bleed
        if box.background is not None:  # a page's background paints its bleed area
            box.background = box.background._replace(layers=[
                layer._replace(painting_area=box.bleed_area) for layer in box.background.layers])
        pages.append(clone)
    pages += covers.pages[1 + filler:]
    return covers.copy(pages)
