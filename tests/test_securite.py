"""Content is data, never code: hostile content, as an attacker would write it.

Two kinds of hostile text:
* markup that `check` refuses (event handlers, scripts, javascript: URLs…): the
  author gets a French error with file and line, and nothing is published;
* markup that `check` lets through because it is plain text in a plain-text field
  (a title may well contain « < » or « "> »): every output must show it as text.
  The payload's tag name, <powaocanari>, would appear as an element in the parsed
  HTML (or the DOM) if any output printed it unescaped.
"""
from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import FILES, make_project

TAG = "powaocanari"
PAYLOAD = f'"\'><{TAG} data-x=1>Canari</{TAG}>'
SECRET = "SECRET-CI-3c9e1f"

Q = json.dumps  # YAML accepts JSON strings: the payload stays intact
FIGURE = f"""\
titre: {Q("Répartition " + PAYLOAD)}
type: barres
unite: jeunes
effectifs: true
illustratif: true
source: {Q("Données " + PAYLOAD)}
alt: {Q("Diagramme " + PAYLOAD)}
champ: {Q("Champ " + PAYLOAD)}
lecture: {Q("Lecture 1180 " + PAYLOAD)}
valeurs:
  - {{libelle: {Q("Axe " + PAYLOAD)}, valeur: 1180}}
  - {{libelle: Orientation, valeur: 1290}}
"""

TEMOIGNAGES = f"""\
temoignages:
  - id: samia
    citation: {Q("Au début " + PAYLOAD)}
    prenom: "Samia"
    role: {Q("jeune mentorée " + PAYLOAD)}
    prenom_modifie: true
    consentement: true
    illustratif: true
"""


def hostile_files() -> dict[str, str]:
    files = dict(FILES)
    q = Q
    files["workshops/construire-son-reseau.md"] = (
        FILES["workshops/construire-son-reseau.md"]
        .replace("titre: Construire son réseau", f"titre: {q('Construire son réseau ' + PAYLOAD)}")
        .replace("resume: Trouver un stage grâce à son réseau.", f"resume: {q('Résumé ' + PAYLOAD)}")
        .replace("  - Identifier trois personnes ressources",
                 f"  - {q('Identifier trois personnes ' + PAYLOAD)}")
        .replace("mots_cles: [réseau]", f"mots_cles: [réseau, {q('étiquette ' + PAYLOAD)}]")
        .replace("{article: Post-it, par_jeune: 10}",
                 "{article: " + q("Post-it " + PAYLOAD) + ", par_jeune: 10}")
        .replace("  - Personne n'est obligé de parler de sa famille.",
                 f"  - {q('Vigilance ' + PAYLOAD)}"))
    files["workshops/cycles/cycle-test.md"] = FILES["workshops/cycles/cycle-test.md"].replace(
        "titre: Cycle de test", f"titre: {q('Cycle ' + PAYLOAD)}").replace(
        'defi: "Tenir son agenda."', f"defi: {q('Défi ' + PAYLOAD)}")
    files["content/data/glossaire.yml"] = (
        "termes:\n  - {id: accord-de-groupe, terme: " + q("Accord " + PAYLOAD)
        + ", definition: " + q("Les règles " + PAYLOAD) + "}\n")
    files["content/data/programme.yml"] = FILES["content/data/programme.yml"].replace(
        "{role: Le binôme de mentors,", "{role: " + q("Le binôme " + PAYLOAD) + ",")
    files["trainings/modules/poser-le-cadre.md"] = FILES["trainings/modules/poser-le-cadre.md"].replace(
        "titre: Poser le cadre", f"titre: {q('Poser le cadre ' + PAYLOAD)}")
    files["whitepaper/chapitres/avant-propos.md"] = (
        FILES["whitepaper/chapitres/avant-propos.md"]
        .replace("titre: Avant-propos", f"titre: {q('Avant-propos ' + PAYLOAD)}")
        .replace("chapeau: Pourquoi ce livre.", f"chapeau: {q('Chapeau ' + PAYLOAD)}")
        + "\n{{ figure: repartition }}\n\n{{ temoignage: samia }}\n\n{{ glossaire }}\n")
    files["whitepaper/donnees/repartition.yml"] = FIGURE
    files["whitepaper/temoignages.yml"] = TEMOIGNAGES
    files["content/glossaire.md"] = ("---\ntitre: Glossaire\nstatut: publie\nresume: Les mots.\n"
                                     "ordre: 70\n---\n\n{{ glossaire }}\n")
    files["content/autre.md"] = (
        f"---\ntitre: {q('Page ' + PAYLOAD)}\nstatut: publie\nresume: {q(PAYLOAD)}\nordre: 5\n---\n\n"
        "Voir le [glossaire](glossaire:accord-de-groupe).\n")
    return files


class Elements(HTMLParser):
    """Every start tag and attribute of a document, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def parse(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    projet = make_project(tmp_path_factory.mktemp("hostile") / "projet", hostile_files())
    os.environ["POWAO_SECRET_TEST"] = SECRET
    try:
        code = projet.run("--jobs", "1")[0]
    finally:
        del os.environ["POWAO_SECRET_TEST"]
    assert code == 0, "le projet hostile (texte accepté par check) doit se construire"
    return projet.root / "site"


def test_no_content_text_becomes_markup_in_any_html_page(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 10
    seen_payload = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        seen_payload += "Canari" in text
        doc = parse(text)
        bad = [t for t, _ in doc.tags if t == TAG]
        assert not bad, f"{page.relative_to(hostile_site)} : le texte du contenu devient une balise"
        for tag, attrs in doc.tags:
            for name, value in attrs:
                assert name != "data-x", f"{page.name} : attribut venu du contenu sur <{tag}>"
                assert not name.startswith("on"), f"{page.name} : attribut {name} sur <{tag}>"
                if name in ("href", "src", "action", "formaction") and value:
                    assert not re.match(r"\s*(javascript|vbscript|data:text)", value, re.I), value
        for script in doc.scripts:
            assert TAG not in script and "Canari" not in script, page.name
    assert seen_payload > 5  # the hostile text is shown (as text) on many pages


def test_titles_in_navigation_head_and_h1_are_text(hostile_site):
    page = hostile_site / "ateliers" / "insertion-professionnelle" / "construire-son-reseau.html"
    text = page.read_text(encoding="utf-8")
    escaped = f"&lt;{TAG} data-x=1&gt;Canari&lt;/{TAG}&gt;"
    head = text.split("</head>")[0]
    assert escaped in re.search(r"<title>(.*?)</title>", head, re.S).group(1)
    description = re.search(r'<meta name="description" content="([^"]*)"', head).group(1)
    assert "Résumé" in description and "&quot;" in description and "<" not in description
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1)
    assert escaped in h1
    nav_titles = re.findall(r'class="md-ellipsis">\s*(.*?)\s*</span>', text, re.S)
    assert any(escaped in t for t in nav_titles)


def test_search_index_holds_text_never_markup(hostile_site):
    index = json.loads((hostile_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        for field in ("title", "text"):
            assert f"<{TAG}" not in doc.get(field, ""), doc["location"]


def test_svg_charts_hold_text_never_markup(hostile_site):
    svgs = [p for p in hostile_site.rglob("*.svg")] + [hostile_site / "livre-blanc" / "avant-propos.html"]
    found = False
    for path in svgs:
        text = path.read_text(encoding="utf-8")
        for chunk in re.findall(r"<svg\b.*?</svg>", text, re.S):
            found |= "Canari" in chunk
            assert f"<{TAG}" not in chunk and "data-x" not in chunk.replace("data-x=1&gt;", "")
    assert found, "la figure hostile doit être dessinée (avec son texte échappé)"


def test_pdfs_show_the_payload_as_text(hostile_site):
    fiche = hostile_site / "pdf" / "fiches" / "construire-son-reseau.pdf"
    text = "".join(p.extract_text() or "" for p in PdfReader(str(fiche)).pages)
    assert f"<{TAG} data-x=1>Canari</{TAG}>" in text.replace("\n", "")
    meta = PdfReader(str(fiche)).metadata
    assert PAYLOAD in (meta.title or "")  # PDF metadata: the exact text, nothing else
    # The cycle binder, assembled from the fiches: its frame carries each page's footer
    # text and running head (the hostile titles) as attribute values, printed as text.
    kit = hostile_site / "pdf" / "kits" / "cycle-test.pdf"
    pages = [(p.extract_text() or "").replace("\n", "") for p in PdfReader(str(kit)).pages]
    heads = [t for t in pages if f"Construire son réseau {PAYLOAD}" in t and "· Séance" in t]
    assert heads and all(f"<{TAG} data-x=1>Canari</{TAG}>" in t for t in heads)


def test_a_handout_pack_made_of_its_fiches_pages_prints_hostile_titles_as_text(
        hostile_site, tmp_path, monkeypatch):
    """A pack made of the fiche's pages (a tightened handout) takes its footers from the
    fiche's margin boxes into its frame's attributes: the hostile title stays text."""
    from powao import fiches, pdf
    from powao.content import load_and_check
    from powao.templating import Templates
    corpus, _report = load_and_check(hostile_site.parent)
    t = Templates(corpus)
    atelier = corpus.ateliers["construire-son-reseau"]
    first = re.search(r'<section class="document serre-0" id="([^"]+)"',
                      fiches.documents_html(t, atelier)).group(1)
    monkeypatch.setattr(fiches, "fit_handouts", lambda t, atelier: {first: 1})
    frames: list[str] = []
    real = pdf.lay_out

    def spy(html, *args, **kwargs):
        if "habillage-document" in html:
            frames.append(html)
        return real(html, *args, **kwargs)
    monkeypatch.setattr(pdf, "lay_out", spy)
    pdf.forget_layouts()
    fiches.build_fiche(t, atelier, tmp_path / "fiche.pdf")
    fiches.build_documents(t, atelier, tmp_path / "documents.pdf")
    assert frames and f"<{TAG}" not in frames[0]  # escaped in the frame's attributes
    pages = [(p.extract_text() or "").replace("\n", "")
             for p in PdfReader(str(tmp_path / "documents.pdf")).pages]
    footers = [t for t in pages if "— document participant" in t]
    assert footers and all(f"<{TAG} data-x=1>Canari</{TAG}>" in t for t in footers)


def test_epub_holds_the_payload_as_text(hostile_site):
    import zipfile
    with zipfile.ZipFile(hostile_site / "pdf" / "livre-blanc.epub") as archive:
        texts = {n: archive.read(n).decode("utf-8") for n in archive.namelist()
                 if n.endswith((".xhtml", ".opf"))}
    assert any("Canari" in t for t in texts.values())
    for name, text in texts.items():
        assert f"<{TAG}" not in text, name


def test_no_output_holds_the_environment(hostile_site):
    for path in hostile_site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data, path.name
            assert b"POWAO_SECRET_TEST" not in data, path.name


# -------------------------------------------------------- data references are not code
DATA_FORMS = [
    "programme.__init__.__globals__",
    "programme.__init__.__globals__.sys.modules.os.environ",
    "programme.__class__.__mro__",
    "programme.__dict__",
    "programme.model_config",
    "programme.model_dump",
    "programme.model_fields",
    "programme.axes",
    "programme.chiffres",
    "chiffres.mentors.__class__",
    "chiffres.mentors.valeur.__class__",
    "chiffres.mentors.valeur.real",
    "programme.nom.upper",
    "programme.nom.__len__",
    "chiffres.items",
    "chiffres.__len__",
    "chiffres.get",
    "programme.groupe.model_dump_json",
]


@pytest.mark.parametrize("form", DATA_FORMS)
def test_data_references_reach_only_declared_data(projet, capsys, form, monkeypatch):
    monkeypatch.setenv("POWAO_SECRET_TEST", SECRET)
    projet.replace("workshops/construire-son-reseau.md", "Parce que {{ chiffres.jeunes_mentores }}",
                   "Parce que {{ " + form + " }}")
    code, out, err = projet.run("check", capsys=capsys)
    assert code == 1
    assert f"workshops/construire-son-reseau.md:26: donnée « {form} »" in err
    assert SECRET not in out + err and "Traceback" not in err
    assert not (projet.root / "site").exists()


def test_data_references_to_declared_values_still_work(projet, capsys):
    projet.replace("workshops/construire-son-reseau.md", "Parce que {{ chiffres.jeunes_mentores }}",
                   "Parce que {{ chiffres.jeunes_mentores }} et {{ programme.nom }} et "
                   "{{ chiffres.mentors.valeur }} et {{ programme.groupe.jeunes }}")
    assert projet.run("check", capsys=capsys)[0] == 0
    assert projet.run("site", capsys=capsys)[0] == 0
    page = (projet.root / "site" / "ateliers" / "insertion-professionnelle"
            / "construire-son-reseau.html").read_text(encoding="utf-8")
    assert re.search(r"1\u202f500 et POWAO et 750 et 4", page)


@pytest.mark.parametrize("field", ["resume", "objectifs"])
def test_data_reference_forms_in_yaml_fields_are_refused_too(projet, capsys, field):
    value = "{{ programme.__init__.__globals__ }}"
    if field == "resume":
        projet.replace("workshops/construire-son-reseau.md", "resume: Trouver un stage grâce à son réseau.",
                       f'resume: "{value}"')
    else:
        projet.replace("workshops/construire-son-reseau.md", "  - Identifier trois personnes ressources",
                       f'  - "Identifier {value}"')
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1 and "donnée « programme.__init__.__globals__ »" in err


# ---------------------------------------------------------- markup that could run
@pytest.mark.parametrize("markup, label", [
    ("<svg/onload=alert(1)>", "balise <svg>"),
    ("<img/src=x/onerror=alert(1)>", "attribut de gestion d'événement (on…=)"),
    ('<a href="x"onclick="alert(1)">x</a>', "attribut de gestion d'événement (on…=)"),
    ("[x](javas&#99;ript:alert(1))", "adresse javascript:"),
    ("[x](&#106;avascript:alert(1))", "adresse javascript:"),
    ("<a href='java\tscript:alert(1)'>x</a>", "adresse javascript:"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "adresse data:"),
    ("<math><mi>x</mi></math>", "balise <math>"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;", "balise <script>"),
    ('<p style="background:url(x)">x</p>', "attribut style"),
    ('![Carte](carte.png){: onerror="alert(1)" }',
     "attribut de gestion d'événement (on…=) dans une liste d'attributs { … }"),
    ("[lien](../cycles/cycle-test.md){ .bouton onclick=alert(1) }",
     "attribut de gestion d'événement (on…=) dans une liste d'attributs { … }"),
    ('Texte{:style="position:fixed;inset:0"}', "attribut style dans une liste d'attributs { … }"),
])
@pytest.mark.parametrize("where", ["body", "resume", "titre"])
def test_markup_that_could_run_is_refused_with_file_and_line(projet, capsys, markup, label, where):
    if where == "body":
        projet.replace("workshops/construire-son-reseau.md", "Parce que", f"{markup} Parce que")
        line = 26
    else:
        old = {"resume": "resume: Trouver un stage grâce à son réseau.",
               "titre": "titre: Construire son réseau"}[where]
        projet.replace("workshops/construire-son-reseau.md", old,
                       f"{old.split(':')[0]}: {json.dumps(markup)}")
        line = {"resume": 5, "titre": 2}[where]
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    field = "" if where == "body" else f" champ « {where} » :"
    assert f"workshops/construire-son-reseau.md:{line}:{field} HTML refusé : {label}" in err


# ------------------------------------------------------------------ in a real browser
def test_no_dialog_and_no_injected_element_in_a_browser(hostile_site):
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM, launch, serve
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent")
    pages = ["index.html", "ateliers/insertion-professionnelle/construire-son-reseau.html",
             "ateliers/insertion-professionnelle/index.html", "cycles/cycle-test.html",
             "etiquettes.html", "livre-blanc/avant-propos.html", "glossaire.html",
             "formation/formation-initiale/poser-le-cadre.html"]
    dialogs: list[str] = []
    with serve(hostile_site) as base, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 800})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for rel in pages:
                page.goto(base + rel)
                page.wait_for_load_state("load")
                assert page.evaluate(f"document.querySelectorAll('{TAG}, [data-x]').length") == 0, rel
                assert "Canari" in page.content() or rel == "index.html"
            # Search results are rendered by the theme from the index: text only.
            page.goto(base + "index.html")
            page.locator("label[for='__search']").first.click()
            box = page.locator(".md-search__input")
            box.click()
            box.fill("réseau")  # results whose titles hold the payload
            box.press("End")  # Material reads the box on keyup
            page.wait_for_selector(".md-search-result__item", timeout=30_000)
            assert page.evaluate(f"document.querySelectorAll('{TAG}, [data-x]').length") == 0
        finally:
            browser.close()
    assert dialogs == []
