"""The livre blanc as an accessible EPUB 3, from the same HTML as its PDF.

`build_epub` takes the assembled book (`livre.document_html`) and the page of each of
its anchors in the PDF laid out from it (`anchor_pages`, or `page_map` from the PDF),
and writes a reflowable EPUB 3:

- one XHTML file per part (title page, colophon, « L'essentiel », each chapter, list
  of figures, references), with the book's inline SVG charts (their <title> and
  <desc> are the text alternative) and footnotes as EPUB footnotes;
- the navigation document: table of contents (chapters and their sections), list of
  figures, landmarks and a page list whose numbers are the printed PDF's folios:
  a page-break marker is placed before the first block that starts on each page,
  found through the PDF's named destinations (every block of the book has an id);
- the bundled OFL fonts (WOFF2), `lang="fr"`, and the EPUB Accessibility 1.1
  metadata (access modes, features, hazards, summary, conformance).

The zip is written here rather than through a library: the order of its entries,
their dates (SOURCE_DATE_EPOCH) and their compression are then fixed, so the same
sources give the same bytes.
"""
from __future__ import annotations

import html
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError
from .base import build_date, plain_text

XHTML_NS = "http://www.w3.org/1999/xhtml"
INSIDE = {"li", "dt", "dd", "td", "th", "caption", "figcaption"}
SVG_BLOCK = re.compile(r"<svg\b.*?</svg>", re.S)
BLOCK_ID = "b"  # ids given to the book's blocks for the page map: b1, b2…
FONTS_CSS = "templates/stylesheets/fonts-web.css"
FONT_URL = re.compile(r'url\("\.\./fonts/([^"]+)"\)')


@dataclass
class Part:
    """One XHTML file of the book."""

    name: str        # file name, e.g. chapitre-contexte.xhtml
    title: str       # plain text
    body: str        # serialised XHTML of the content
    kind: str = "bodymatter"  # epub:type of the section (frontmatter, backmatter…)
    ids: list[str] = field(default_factory=list)


def page_map(pdf: Path) -> dict[str, int]:
    """Named destination → 1-based page number, read from the PDF WeasyPrint wrote."""
    import pypdf
    reader = pypdf.PdfReader(pdf)
    pages: dict[str, int] = {}
    for name, dest in reader.named_destinations.items():
        try:
            pages[str(name).lstrip("/")] = reader.get_destination_page_number(dest) + 1
        except Exception:  # a destination without a page: not usable for the map
            continue
    return pages


def anchor_pages(document) -> dict[str, int]:
    """The same map from the laid-out document the PDF was written from: each anchor's
    first page, as WeasyPrint names its destinations (no PDF to read again)."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for name in page.anchors:
            pages.setdefault(name, number)
    return pages


def _plain(element) -> str:
    return " ".join(element.text_content().split())


def _xml(element) -> str:
    from lxml import etree
    return etree.tostring(element, method="xml", encoding="unicode", with_tail=False)


def build_epub(document: str, pages: dict[str, int], target: Path, root: Path, *, title: str,
               subtitle: str, authors: list[str], publishers: list[str], date: str,
               description: str, keywords: list[str], licence: str, url_pdf: str,
               isbn: str | None = None, bandeau: str = "") -> int:
    """Write the EPUB; returns the number of pages in its page list. `pages`: each
    anchor's page in the PDF. `bandeau`: the notice of an internal or draft edition,
    printed at the top of every file."""
    from lxml import etree
    from lxml import html as lhtml

    # SVG is XML: keep it out of the HTML parser (which would lower-case viewBox).
    svgs: list[str] = []

    def keep_svg(mt: re.Match[str]) -> str:
        svgs.append(mt.group(0))
        return f'<span data-svg="{len(svgs) - 1}"></span>'

    tree = lhtml.document_fromstring(SVG_BLOCK.sub(keep_svg, document))
    body = tree.body

    # -- cut the book into parts ---------------------------------------------------
    parts: list[Part] = []
    titre = html.escape(title, quote=False)
    parts.append(Part("couverture.xhtml", title, (
        f'<section epub:type="titlepage" class="titre">'
        f'<p class="titre-genre">Livre blanc</p><h1>{titre}</h1>'
        f'<p class="titre-sous-titre">{html.escape(subtitle, quote=False)}</p>'
        f'<p class="titre-editeurs">{html.escape(" · ".join(publishers), quote=False)}</p>'
        f'<p class="titre-annee">{html.escape(date[:4], quote=False)}</p></section>'),
        "frontmatter", ["couverture"]))
    for section in body.iterchildren():
        ident = section.get("id") or ""
        classes = (section.get("class") or "").split()
        if section.tag not in ("section", "nav") or ident in ("couverture", "sommaire",
                                                            "quatrieme-de-couverture"):
            continue
        if ident == "colophon":
            kind, name = "frontmatter", "colophon.xhtml"
        elif ident == "table-des-figures":
            kind, name = "frontmatter", "figures.xhtml"
        elif ident == "references":
            kind, name = "backmatter", "references.xhtml"
        elif "chapitre--essentiel" in classes:
            kind, name = "frontmatter", f"{ident}.xhtml"
        else:
            kind, name = "bodymatter", f"{ident}.xhtml"
        heading = section.find(".//h1")
        label = _plain(heading) if heading is not None else (section.get("aria-label") or ident)
        _prepare(section, ident)
        ids = [e.get("id") for e in section.iter() if isinstance(e.tag, str) and e.get("id")]
        parts.append(Part(name, label, "", kind, ids))
        parts[-1].body = section  # serialised below, once links are known

    # -- page-break markers before the first block of each printed page -------------
    owner = {ident: part for part in parts for ident in part.ids}
    ordered = [(ident, part) for part in parts for ident in part.ids]
    last_page = max(pages.values(), default=0)
    markers: list[tuple[int, str, Part]] = []  # page, element id, part
    cursor = 0
    for number in range(1, last_page + 1):
        while cursor < len(ordered) and pages.get(ordered[cursor][0], 0) < number:
            cursor += 1
        if cursor == len(ordered):
            break
        ident, part = ordered[cursor]
        if pages.get(ident, 0) != number:
            continue  # nothing starts on this page (blank, or one block goes on)
        markers.append((number, ident, part))
    by_id: dict[str, list[int]] = {}
    for number, ident, _part in markers:
        by_id.setdefault(ident, []).append(number)

    for part in parts:
        if isinstance(part.body, str):
            if "couverture" in by_id:
                part.body = _marker(1) + part.body
            continue
        section = part.body
        for element in list(section.iter()):
            if not isinstance(element.tag, str):
                continue
            numbers = by_id.get(element.get("id") or "")
            if not numbers or element.get("id") == "couverture":
                continue
            # A marker is phrasing content: before a paragraph, inside a list item,
            # a definition or the first cell of a row.
            holder = element
            if holder.tag == "tr":
                holder = next((c for c in holder if c.tag in ("td", "th")), None)
            if holder is None:
                continue
            inside = holder is section or holder.tag in INSIDE
            for number in (reversed(numbers) if inside else numbers):
                marker = lhtml.fragment_fromstring(f'<span data-page="{number}"></span>')
                if inside:
                    marker.tail = holder.text
                    holder.text = None
                    holder.insert(0, marker)
                else:
                    holder.addprevious(marker)
        # Links inside the book point to the file holding their target.
        for anchor in section.iter("a"):
            href = anchor.get("href") or ""
            if href.startswith("#"):
                target_part = owner.get(href[1:])
                if target_part is None:
                    anchor.attrib.pop("href")
                elif target_part is not part:
                    anchor.set("href", target_part.name + href)
        text = _xml(section)
        text = re.sub(r'<span data-page="(\d+)"(?:/>|></span>)',
                      lambda mt: _marker(int(mt.group(1))), text)
        text = text.replace(' data-epub-type="', ' epub:type="')
        text = re.sub(r'<span data-svg="(\d+)"/>|<span data-svg="(\d+)"></span>',
                      lambda mt: svgs[int(mt.group(1) or mt.group(2))], text)
        part.body = text

    # -- package ------------------------------------------------------------------
    stamp = build_date()
    modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    identifier = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url_pdf)}"
    fonts = _fonts(root)
    css = (root / "templates" / "epub" / "livre.css").read_text(encoding="utf-8")
    font_css = FONT_URL.sub(lambda mt: f'url("../fonts/{mt.group(1)}")',
                            (root / FONTS_CSS).read_text(encoding="utf-8"))
    font_css = re.sub(r"\s*font-display:[^;]*;", "", font_css)

    files: list[tuple[str, bytes]] = []
    files.append(("META-INF/container.xml", CONTAINER.encode()))
    files.append(("OEBPS/css/fonts.css", font_css.encode()))
    files.append(("OEBPS/css/livre.css", css.encode()))
    for rel, path in fonts:
        files.append((f"OEBPS/fonts/{rel}", path.read_bytes()))
    notice = (f'<p class="bandeau" role="note">{html.escape(bandeau, quote=False)}</p>\n'
              if bandeau else "")
    for part in parts:
        files.append((f"OEBPS/{part.name}",
                      _page(part.title, notice + part.body, part.kind).encode()))
    files.append(("OEBPS/nav.xhtml", _nav(parts, markers, title).encode()))
    files.append(("OEBPS/package.opf", _opf(
        parts, fonts, identifier=identifier, title=title, subtitle=subtitle, authors=authors,
        publishers=publishers, date=date, modified=modified, description=description,
        keywords=keywords, licence=licence, url_pdf=url_pdf, isbn=isbn).encode()))
    _write_zip(target, files, stamp)
    return len(markers)


def _marker(number: int) -> str:
    return (f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{number}" aria-label="{number}"></span>')


def _prepare(section, ident: str) -> None:
    """Print-only markup out, EPUB semantics in (footnotes, figure numbers)."""
    from lxml import html as lhtml
    # Footnotes: inline <span class="note"> in print → note reference + aside.
    notes = []
    for index, note in enumerate(list(section.find_class("note")), start=1):
        if note.tag != "span":
            continue
        note_id = f"{ident}-note-{index}"
        ref = lhtml.fragment_fromstring(
            f'<a href="#{note_id}" id="{note_id}-appel" role="doc-noteref" '
            f'class="appel-note"><sup>{index}</sup></a>')
        ref.set("data-epub-type", "noteref")
        ref.tail = note.tail
        aside = lhtml.fragment_fromstring(f'<aside id="{note_id}" role="doc-footnote" '
                                          f'class="note-bas"></aside>')
        aside.set("data-epub-type", "footnote")
        para = lhtml.fragment_fromstring("<p></p>")
        back = lhtml.fragment_fromstring(f'<a href="#{note_id}-appel" role="doc-backlink">'
                                         f'{index}.</a>')
        back.tail = " " + (note.text or "")
        para.append(back)
        for child in list(note):
            para.append(child)
        aside.append(para)
        note.getparent().replace(note, ref)
        notes.append(aside)
    for aside in notes:
        section.append(aside)
    # The print-only decorative elements.
    for element in list(section.iter()):
        if isinstance(element.tag, str) and element.get("aria-hidden") == "true" \
                and element.tag == "div" and not len(element) and not (element.text or "").strip():
            element.drop_tree()


def _fonts(root: Path) -> list[tuple[str, Path]]:
    css = (root / FONTS_CSS).read_text(encoding="utf-8")
    found = []
    for rel in dict.fromkeys(FONT_URL.findall(css)):
        path = root / "templates" / "fonts" / rel
        if not path.is_file():
            raise BuildError(f"{FONTS_CSS} : police introuvable pour le livre numérique : {rel}")
        found.append((rel, path))
    return found


def _page(title: str, body: str, kind: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML_NS}" xmlns:epub="http://www.idpf.org/2007/ops" lang="fr" '
        f'xml:lang="fr">\n<head>\n<meta charset="utf-8"/>\n'
        f"<title>{html.escape(title, quote=False)}</title>\n"
        '<link rel="stylesheet" type="text/css" href="css/fonts.css"/>\n'
        '<link rel="stylesheet" type="text/css" href="css/livre.css"/>\n'
        f'</head>\n<body epub:type="{kind}">\n{body}\n</body>\n</html>\n')


def _nav(parts: list[Part], markers, title: str) -> str:
    esc = lambda t: html.escape(t, quote=False)  # noqa: E731
    toc = []
    loi = []
    for part in parts:
        if part.name == "couverture.xhtml":
            continue
        sections = re.findall(r'<h2[^>]*\sid="([^"]+)"[^>]*>(.*?)</h2>', part.body, re.S)
        entries = ("<ol>" + "".join(
            f'<li><a href="{part.name}#{ident}">{esc(plain_text(inner))}</a></li>'
            for ident, inner in sections) + "</ol>") if sections else ""
        toc.append(f'<li><a href="{part.name}">{esc(part.title)}</a>{entries}</li>')
        for ident, inner in re.findall(
                r'<figure[^>]*\sid="([^"]+)"[^>]*>.*?<span class="powao-figure-titre">(.*?)'
                r'</span>\s*(?=<span class="powao-figure-note|</figcaption)', part.body, re.S):
            loi.append(f'<li><a href="{part.name}#{ident}">{esc(plain_text(inner))}</a></li>')
    pages = "".join(f'<li><a href="{part.name}#page-{number}">{number}</a></li>'
                    for number, _ident, part in markers)
    first_body = next((p.name for p in parts if p.kind == "bodymatter"), parts[0].name)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML_NS}" xmlns:epub="http://www.idpf.org/2007/ops" lang="fr" '
        f'xml:lang="fr">\n<head>\n<meta charset="utf-8"/>\n<title>{esc(title)} — '
        'sommaire</title>\n<link rel="stylesheet" type="text/css" href="css/fonts.css"/>\n'
        '<link rel="stylesheet" type="text/css" href="css/livre.css"/>\n</head>\n<body>\n'
        f'<nav epub:type="toc" role="doc-toc" id="toc"><h1>Sommaire</h1><ol>{"".join(toc)}'
        '</ol></nav>\n'
        + (f'<nav epub:type="loi" id="loi" aria-labelledby="loi-titre"><h2 id="loi-titre">'
           f'Table des figures</h2><ol>{"".join(loi)}</ol></nav>\n' if loi else "")
        + f'<nav epub:type="page-list" id="page-list" hidden="hidden"><h2>Pages de '
        f'l\'édition imprimée</h2><ol>{pages}</ol></nav>\n'
        '<nav epub:type="landmarks" id="landmarks" hidden="hidden"><h2>Repères</h2><ol>'
        '<li><a epub:type="toc" href="nav.xhtml#toc">Sommaire</a></li>'
        f'<li><a epub:type="bodymatter" href="{first_body}">Début du texte</a></li>'
        '</ol></nav>\n</body>\n</html>\n')


MEDIA = {".xhtml": "application/xhtml+xml", ".css": "text/css", ".woff2": "font/woff2"}


def _opf(parts: list[Part], fonts, *, identifier: str, title: str, subtitle: str,
         authors: list[str], publishers: list[str], date: str, modified: str,
         description: str, keywords: list[str], licence: str, url_pdf: str,
         isbn: str | None) -> str:
    esc = lambda t: html.escape(t, quote=False)  # noqa: E731
    items = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
             'properties="nav"/>',
             '<item id="css-fonts" href="css/fonts.css" media-type="text/css"/>',
             '<item id="css-livre" href="css/livre.css" media-type="text/css"/>']
    for index, (rel, _path) in enumerate(fonts, start=1):
        items.append(f'<item id="police-{index}" href="fonts/{esc(rel)}" media-type="font/woff2"/>')
    spine = ['<itemref idref="nav" linear="no"/>']
    for index, part in enumerate(parts, start=1):
        props = ' properties="svg"' if "<svg" in part.body else ""
        items.append(f'<item id="x{index}" href="{part.name}" '
                     f'media-type="application/xhtml+xml"{props}/>')
        spine.append(f'<itemref idref="x{index}"/>')
    creators = "".join(f"<dc:creator>{esc(a)}</dc:creator>" for a in authors)
    subjects = "".join(f"<dc:subject>{esc(k)}</dc:subject>" for k in keywords)
    features = ("structuralNavigation", "tableOfContents", "pageNavigation",
                "pageBreakMarkers", "alternativeText", "readingOrder",
                "displayTransformability")
    summary = ("Livre numérique sans image matricielle : le texte est balisé par titres, "
               "listes et tableaux, avec un sommaire, une table des figures et la "
               "pagination de l'édition imprimée. Chaque graphique est un dessin vectoriel "
               "accompagné de son titre, de sa description textuelle complète (valeurs "
               "comprises) et de ses mentions Champ, Lecture et Source. Les notes sont "
               "liées à leur appel. Aucun contenu clignotant, sonore ou animé.")
    source = f"urn:isbn:{isbn}" if isbn else url_pdf
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" xml:lang="fr" '
        'unique-identifier="uid">\n<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'<dc:identifier id="uid">{esc(identifier)}</dc:identifier>\n'
        f'<dc:title id="titre">{esc(title)}</dc:title>\n'
        f'<meta refines="#titre" property="title-type">main</meta>\n'
        f'<dc:title id="sous-titre">{esc(subtitle)}</dc:title>\n'
        f'<meta refines="#sous-titre" property="title-type">subtitle</meta>\n'
        f'<dc:language>fr</dc:language>\n{creators}\n'
        + "".join(f"<dc:publisher>{esc(p)}</dc:publisher>" for p in publishers)
        + f'\n<dc:date>{esc(date)}</dc:date>\n<dc:description>{esc(description)}</dc:description>\n'
        f'{subjects}\n<dc:rights>{esc(licence)}</dc:rights>\n'
        f'<dc:source id="source">{esc(source)}</dc:source>\n'
        f'<meta property="dcterms:modified">{modified}</meta>\n'
        '<meta property="schema:accessMode">textual</meta>\n'
        '<meta property="schema:accessMode">visual</meta>\n'
        '<meta property="schema:accessModeSufficient">textual</meta>\n'
        + "".join(f'<meta property="schema:accessibilityFeature">{f}</meta>\n' for f in features)
        + '<meta property="schema:accessibilityHazard">none</meta>\n'
        f'<meta property="schema:accessibilitySummary">{esc(summary)}</meta>\n'
        '<meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>\n'
        '<meta property="a11y:certifiedBy">Chaîne de publication POWAO (vérification '
        'automatique EPUBCheck et contrôles du projet)</meta>\n'
        f'<meta property="pageBreakSource">{esc(source)}</meta>\n'
        '</metadata>\n<manifest>\n' + "\n".join(items) + '\n</manifest>\n'
        '<spine>\n' + "\n".join(spine) + '\n</spine>\n</package>\n')


CONTAINER = ('<?xml version="1.0" encoding="utf-8"?>\n'
             '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             '<rootfiles><rootfile full-path="OEBPS/package.opf" '
             'media-type="application/oebps-package+xml"/></rootfiles></container>\n')


def _write_zip(target: Path, files: list[tuple[str, bytes]], stamp) -> None:
    """mimetype first and stored, then every file deflated, all dated from the epoch."""
    date_time = stamp.timetuple()[:6]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        info = zipfile.ZipInfo("mimetype", date_time)
        info.compress_type = zipfile.ZIP_STORED
        archive.writestr(info, b"application/epub+zip")
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    tmp.replace(target)
