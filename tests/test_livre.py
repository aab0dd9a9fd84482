"""The livre blanc PDF, checked the way a reader checks a book: the table of contents
points to the right pages, notes sit under their call, figures are real vector charts
fed by their data file, bookmarks and metadata are there, chapters open on the right.

The PDF is built once per module from a small inline project (a few seconds)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest

from conftest import FILES, make_project
from powao import pipeline
from powao.livre import build_livre, date_fr, document_html, inline_spaces, make_linker
from powao.base import build_date
from powao.templating import Templates


def texte(*phrases: str, fois: int = 1) -> str:
    """A paragraph of plausible French prose (long enough to fill pages)."""
    base = [
        "Le groupe se retrouve chaque mois pour travailler sur un projet concret",
        "les mentors préparent la séance ensemble et se répartissent les rôles",
        "chaque jeune repart avec une action précise à mener avant la rencontre suivante",
        "les partenaires orientent vers le programme des jeunes qui cherchent une voie",
        "la séance commence toujours par un tour de table où chacun dit comment il arrive",
        "le binôme de mentors fait le point après chaque rencontre avec la référente",
    ]
    out = []
    for i in range(fois):
        out.append(", ".join(base[(i + j) % len(base)] for j in range(3)) + ".")
    return " ".join(list(phrases) + out)


LIVRE = """\
titre: Apprendre ensemble
sous_titre: Un livre blanc de test
auteurs: [L'équipe de test, Camille Martin]
organisations: [WAO, POWA]
date: "2026-01-15"
licence: CC BY-SA 4.0
resume: Ce que nous avons appris en testant.
mots_cles: [mentorat, test]
chapitres: [avant-propos, contexte, chiffres, recommandations]
remerciements: Merci aux relecteurs.
"""

AVANT_PROPOS = f"""\
---
titre: Avant-propos
type: avant-propos
statut: publie
chapeau: Pourquoi ce livre existe.
---

{texte(fois=4)}

## Raisons de publier

{texte("Nous publions ce texte pour partager nos outils[@plan].", fois=6)}

## Public du document

{texte(fois=5)}

Voir le chapitre sur [les mesures](chapitre:chiffres#mesures-suivies).
"""

CONTEXTE = f"""\
---
titre: Le contexte national
type: contexte
statut: publie
chapeau: Un plan national, des associations mobilisées.
---

## Le plan de mentorat

{texte("Le plan annoncé au printemps a tout changé[^plan].", fois=8)}

{texte(fois=6)}

## En bref

{texte("Premier résumé du contexte, sans détour[^bref].", fois=7)}

{texte(fois=9)}

## Une définition partagée

{texte("La définition commune compte trois exigences[^def].", fois=8)}

[^plan]: Note alpha : le plan a été annoncé le 1er mars 2021.
[^bref]: Note bravo : ce résumé reprend les sources publiques.
[^def]: Note charlie : la définition date de 2023.
"""

CHIFFRES = f"""\
---
titre: Les chiffres du programme
type: chiffres-cles
statut: publie
chapeau: Quelques chiffres, dont certains illustratifs.
---

## En bref

{{{{ chiffres-cles }}}}

{texte(fois=3)}

## Jeunes selon les axes

{{{{ figure: jeunes-par-axe }}}}

{texte("Une note ici aussi[^axe].", fois=5)}

## Mesures suivies

{texte(fois=10)}

[^axe]: Note delta : un jeune suit plusieurs axes.
"""

RECOMMANDATIONS = f"""\
---
titre: Nos recommandations
type: recommandations
statut: publie
chapeau: Ce que nous proposons.
---

## Aux pouvoirs publics

1. **Reconnaître le collectif.** {texte(fois=2)}
2. **Former les mentors.** {texte(fois=2)}

## Aux financeurs

1. **Financer la durée.** {texte(fois=2)}
2. **Mesurer honnêtement.** {texte(fois=2)}
"""

FIGURE = """\
titre: Jeunes par axe de test
type: barres
unite: jeunes
effectifs: true
illustratif: true
champ: Jeunes du programme de test, 2024
lecture: 420 jeunes ont suivi un atelier de méthodologie.
source: Données de test
alt: Diagramme en barres de test, valeurs illustratives par axe.
valeurs:
  - {libelle: Méthodologie, valeur: 420}
  - {libelle: Orientation, valeur: 380}
  - {libelle: Insertion, valeur: 510}
"""

GLOSSAIRE_PAGE = """\
---
titre: Glossaire
statut: publie
resume: Les mots du programme.
---

{{ glossaire }}
"""

LIVRE_FILES = {
    **FILES,
    "content/glossaire.md": GLOSSAIRE_PAGE,
    "whitepaper/livre-blanc.yml": LIVRE,
    "whitepaper/chapitres/avant-propos.md": AVANT_PROPOS,
    "whitepaper/chapitres/contexte.md": CONTEXTE,
    "whitepaper/chapitres/chiffres.md": CHIFFRES,
    "whitepaper/chapitres/recommandations.md": RECOMMANDATIONS,
    "whitepaper/donnees/jeunes-par-axe.yml": FIGURE,
}

CHAPITRES = {
    "avant-propos": ("Avant-propos", ["Raisons de publier", "Public du document"]),
    "contexte": ("Le contexte national",
                 ["Le plan de mentorat", "En bref", "Une définition partagée"]),
    "chiffres": ("Les chiffres du programme",
                 ["En bref", "Jeunes selon les axes", "Mesures suivies"]),
    "recommandations": ("Nos recommandations", ["Aux pouvoirs publics", "Aux financeurs"]),
}
NOTES = {  # words just before the call → words of the note
    "Le plan annoncé au printemps": "Note alpha",
    "Premier résumé du contexte": "Note bravo",
    "La définition commune compte": "Note charlie",
    "Une note ici aussi": "Note delta",
}


def normalise(text: str) -> str:
    """pdftotext output → comparable text: hyphenation undone, one kind of space."""
    text = re.sub(r"-\n(?=\w)", "", text)
    text = text.replace("’", "'")
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


@pytest.fixture(scope="module")
def livre(tmp_path_factory):
    projet = make_project(tmp_path_factory.mktemp("livre") / "projet", LIVRE_FILES)
    corpus, _report = pipeline.load_and_check(projet.root)
    templates = Templates(corpus)
    target = projet.root / "livre-blanc.pdf"
    pages = build_livre(corpus, templates, target)
    texts = [normalise(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(target), "-"],
                                      capture_output=True, text=True, check=True).stdout)
             for n in range(1, pages + 1)]
    return {"projet": projet, "corpus": corpus, "templates": templates, "pdf": target,
            "pages": pages, "texts": texts, "reader": pypdf.PdfReader(target),
            "html": document_html(corpus, templates)}


def first_page(texts: list[str], needle: str, start: int = 1) -> int:
    """1-based number of the first page from `start` whose text contains `needle`."""
    for number in range(start, len(texts) + 1):
        if needle in texts[number - 1]:
            return number
    raise AssertionError(f"« {needle} » introuvable à partir de la page {start}")


def toc_pages(texts: list[str]) -> list[int]:
    start = first_page(texts, "Sommaire")
    end = first_page(texts, "Table des figures", start)
    return list(range(start, end + 1))


def opening_pages(livre) -> dict[str, int]:
    """Where each chapter opens: its title printed after the front matter."""
    texts = livre["texts"]
    start = toc_pages(texts)[-1] + 1
    found = {}
    for chap_id, (titre, _sections) in CHAPITRES.items():
        start = first_page(texts, titre, start)
        found[chap_id] = start
    return found


def test_book_has_cover_colophon_toc_and_chapters(livre):
    texts = livre["texts"]
    assert livre["pages"] >= 8
    cover = texts[0]
    assert "Apprendre ensemble" in cover and "Un livre blanc de test" in cover
    assert "2026" in cover and "WAO" in cover and "Livre blanc".upper() in cover.upper()
    colophon = texts[1]
    for expected in ("Comment citer ce document", "L'équipe de test, Camille Martin",
                     "15 janvier 2026", "CC BY-SA 4.0", "Merci aux relecteurs",
                     "signalés comme illustratifs", "https://mentorat.powao.fr/pdf/livre-blanc.pdf"):
        assert expected in colophon, expected
    # The references close the book, just before the back cover (a verso).
    before_back = [t for t in texts[:-1] if t.strip()][-1]
    assert "Références" in before_back and "Le plan" in before_back
    assert livre["pages"] % 2 == 0
    assert "Ce que nous avons appris en testant." in texts[-1]


def test_toc_page_numbers_match_the_printed_headings(livre):
    texts = livre["texts"]
    toc = " ".join(texts[n - 1] for n in toc_pages(texts))
    openings = opening_pages(livre)
    checked = 0
    for chap_id, (titre, sections) in CHAPITRES.items():
        entries = [titre] + sections
        chapter_toc = toc[toc.index(titre):]
        for entry in entries:
            match = re.search(re.escape(entry) + r"[ .]*?(\d+)\b", chapter_toc)
            assert match, f"entrée « {entry} » absente du sommaire"
            printed = int(match.group(1))
            actual = first_page(texts, entry, openings[chap_id])
            assert printed == actual, f"« {entry} » : sommaire p. {printed}, imprimé p. {actual}"
            checked += 1
    assert checked == 4 + 10
    # The list of figures too.
    match = re.search(r"Figure 1 Jeunes par axe de test[ .]*?(\d+)\b", toc)
    assert match
    assert int(match.group(1)) == first_page(texts, "Figure 1 — Jeunes par axe de test")


def test_footnotes_sit_on_the_page_of_their_call(livre):
    texts = livre["texts"]
    start = opening_pages(livre)["contexte"]
    for call, note in NOTES.items():
        call_page = first_page(texts, call, start)
        note_page = first_page(texts, note, start)
        assert call_page == note_page, f"« {note} » p. {note_page}, appel p. {call_page}"
    # Python-markdown's footnote list is gone: the notes are only at the bottom of pages.
    assert 'class="footnote"' not in livre["html"]
    assert livre["html"].count('<span class="note">') == len(NOTES)


def _image_xobjects(resources) -> list:
    found = []
    xobjects = resources.get("/XObject") if resources else None
    if not xobjects:
        return found
    for ref in xobjects.get_object().values():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            found.append(obj)
        elif obj.get("/Subtype") == "/Form":
            found.extend(_image_xobjects(obj.get("/Resources")))
    return found


def test_figure_is_a_vector_chart_with_caption_and_alt_text(livre):
    texts = livre["texts"]
    number = first_page(texts, "Figure 1 — Jeunes par axe de test", toc_pages(texts)[-1] + 1)
    page_text = texts[number - 1]
    # The chart's labels are real text and there is no bitmap on the page.
    for label in ("Méthodologie", "Orientation", "Insertion", "420", "510"):
        assert label in page_text
    assert "Données illustratives" in page_text
    page = livre["reader"].pages[number - 1]
    assert _image_xobjects(page.get("/Resources")) == []
    html = livre["html"]
    assert '<title id="svg-jeunes-par-axe-titre">Jeunes par axe de test</title>' in html
    assert "<desc id=\"svg-jeunes-par-axe-desc\">Diagramme en barres de test" in html


def test_changing_the_data_file_changes_the_chart(livre, tmp_path):
    projet = make_project(tmp_path / "projet", LIVRE_FILES)
    projet.replace("whitepaper/donnees/jeunes-par-axe.yml", "valeur: 420", "valeur: 465")
    corpus, _report = pipeline.load_and_check(projet.root)
    changed = document_html(corpus, Templates(corpus))

    def chart(html: str) -> str:
        return re.search(r'<svg[^>]*class="powao-graphique".*?</svg>', html, re.S).group(0)

    before, after = chart(livre["html"]), chart(changed)
    assert before != after
    assert ">420<" in before and ">420<" not in after
    assert ">465<" in after


def test_bookmarks_cover_every_chapter_and_section(livre):
    reader = livre["reader"]
    top = [item for item in reader.outline if not isinstance(item, list)]
    titles = [item.title for item in top]
    for titre, _sections in CHAPITRES.values():
        assert titre in titles
    assert "Sommaire" in titles and "Références" in titles
    assert not any("Apprendre ensemble" == t for t in titles)  # the cover has none
    children = {}
    for index, item in enumerate(reader.outline):
        if isinstance(item, list):
            children[reader.outline[index - 1].title] = [c.title for c in item
                                                          if not isinstance(c, list)]
    for titre, sections in CHAPITRES.values():
        assert [s.replace("’", "'") for s in children.get(titre, [])] == sections


def test_metadata_language_fonts_and_tags(livre):
    reader = livre["reader"]
    assert reader.metadata.title == "Apprendre ensemble — Un livre blanc de test"
    assert reader.metadata.author == "L'équipe de test, Camille Martin"
    assert reader.metadata.subject == "Ce que nous avons appris en testant."
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    fonts = subprocess.run(["pdffonts", str(livre["pdf"])], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts, "aucune police dans le PDF"
    families = " ".join(line.split()[0] for line in fonts)
    assert "Source-Serif-4" in families and "Atkinson-Hyperlegible-Next" in families
    for line in fonts:
        columns = line.split()
        emb = columns[-5]
        assert emb == "yes", f"police non incorporée : {line}"
    info = subprocess.run(["pdfinfo", str(livre["pdf"])], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)


def test_chapters_open_on_odd_pages_without_running_heads(livre):
    texts = livre["texts"]
    reader = livre["reader"]
    top = {item.title: reader.get_destination_page_number(item) + 1
           for item in reader.outline if not isinstance(item, list)}
    for chap_id, number in opening_pages(livre).items():
        titre = CHAPITRES[chap_id][0]
        assert number % 2 == 1, f"« {titre} » commence p. {number}"
        assert top[titre] == number
        # No folio (page number) and no running head on an opening page…
        assert not re.search(rf"(^| ){number} ?$", texts[number - 1])
        assert "Apprendre ensemble" not in texts[number - 1]
    # …but the page after an opening has both.
    contexte = opening_pages(livre)["contexte"]
    suivante = texts[contexte]
    assert re.search(rf"(^| ){contexte + 1} ?$", suivante)
    assert "Apprendre ensemble" in suivante or "Le contexte national" in suivante
    # Blank pages stay blank (no folio, no head); only a verso before an opening is
    # blank, or the recto before the back cover.
    for number, text in enumerate(texts[:-2], 1):
        if number > 2 and not text.strip():
            assert number % 2 == 0


def test_links_inside_the_book(livre):
    html = livre["html"]
    # Two chapters share the « En bref » heading: both get a prefixed, unique id.
    assert 'id="contexte--en-bref"' in html and 'id="chiffres--en-bref"' in html
    assert html.count('id="chiffres--en-bref"') == 1
    # Cross-reference to a section of another chapter, citation to the reference list.
    assert 'href="#chiffres--mesures-suivies"' in html
    assert 'href="#ref-plan"' in html and 'id="ref-plan"' in html
    assert "powao:" not in html
    # The TOC links every chapter and section.
    assert 'href="#chapitre-contexte"' in html and 'href="#contexte--le-plan-de-mentorat"' in html


def test_linker_targets(livre):
    corpus = livre["corpus"]
    anchors = {"contexte": {"en-bref": "contexte--en-bref"}}
    link = make_linker(corpus, anchors, '<dl><dt id="terme-accord-de-groupe">', "https://ex.fr/")
    assert link("chapitre/contexte") == "#chapitre-contexte"
    assert link("chapitre/contexte#en-bref") == "#contexte--en-bref"
    assert link("ref/plan") == "#ref-plan"
    assert link("glossaire/accord-de-groupe") == "#terme-accord-de-groupe"
    assert link("atelier/construire-son-reseau") == \
        "https://ex.fr/ateliers/insertion-professionnelle/construire-son-reseau.html"
    assert link("module/poser-le-cadre").startswith("https://ex.fr/formation/")
    (corpus.root / "whitepaper/grille.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert link("asset/whitepaper/grille.pdf") == (corpus.root / "whitepaper/grille.pdf").as_uri()
    assert link("fichier/workshops/construire-son-reseau.md") == \
        "https://ex.fr/ateliers/insertion-professionnelle/construire-son-reseau.html"
    # Without the glossary in the book, a term links to the site's glossary page.
    outside = make_linker(corpus, anchors, "", "https://ex.fr/")
    assert outside("glossaire/accord-de-groupe") == \
        "https://ex.fr/glossaire.html#terme-accord-de-groupe"


def test_draft_watermark_and_date_on_every_page(livre, tmp_path):
    corpus, templates = livre["corpus"], livre["templates"]
    target = tmp_path / "brouillon.pdf"
    pages = build_livre(corpus, templates, target, brouillon=True)
    expected = date_fr(build_date().strftime("%Y-%m-%d"))
    assert pages == livre["pages"]
    for number in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(target), "-"],
                              capture_output=True, text=True, check=True).stdout
        # The diagonal watermark comes out of pdftotext letter by letter.
        letters = sorted("".join(t for t in text.split() if len(t) <= 2 and t.isupper()))
        assert all(letters.count(c) >= "BROUILLON".count(c) for c in "BROUILLON"), \
            f"page {number} sans filigrane"
        assert f"Brouillon du {expected}" in normalise(text), number


def test_french_dates():
    assert date_fr("2026-01-15") == "15 janvier 2026"
    assert date_fr("2025-08-01") == "1er août 2025"


def test_same_sources_give_the_same_pdf(livre, tmp_path):
    again = tmp_path / "encore.pdf"
    build_livre(livre["corpus"], livre["templates"], again)
    assert again.read_bytes() == livre["pdf"].read_bytes()
    assert "BROUILLON" not in livre["html"]


def test_spaces_before_inline_elements_move_inside():
    # Works around WeasyPrint breaking a justified line after its first word.
    assert inline_spaces("une <strong>répartition</strong>,") == "une<strong> répartition</strong>,"
    assert inline_spaces("750\u00a0mentors\u00a0<a class=\"citation\" href=\"#r\">(X)</a>") == \
        "750\u00a0mentors<a class=\"citation\" href=\"#r\">\u00a0(X)</a>"
    untouched = 'existants <span class="note">Une note.</span> <p>texte</p>'
    assert inline_spaces(untouched) == untouched

