"""The rendering core: data in text, cross-references, refused HTML and paths."""
from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from conftest import make_project

ATELIER = "workshops/construire-son-reseau.md"


def body_line(projet, marker: str) -> int:
    lines = projet.read(ATELIER).split("\n")
    return next(i for i, line in enumerate(lines, start=1) if marker in line)


@pytest.mark.parametrize("snippet, label", [
    ("<script>alert(1)</script>", "balise <script>"),
    ('<img src="x.png" onerror="alert(1)">', "attribut de gestion d'événement (on…=)"),
    ('<a href="javascript:alert(1)">clic</a>', "adresse javascript:"),
    ("<style>body{}</style>", "balise <style>"),
    ('<iframe src="page.html"></iframe>', "balise <iframe>"),
    ('<object data="x.swf"></object>', "balise <object>"),
    ('<link rel="stylesheet" href="x.css">', "balise <link>"),
    ("<div>@import url(x.css);</div>", "directive @import"),
])
def test_refused_html_gives_file_line_error(projet, capsys, snippet, label):
    projet.replace(ATELIER, "## Conseils d'animation\n", f"## Conseils d'animation\n\n{snippet}\n")
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    line = body_line(projet, snippet)
    assert f"{ATELIER}:{line}: HTML refusé : {label}." in err


@pytest.mark.parametrize("target, message", [
    ("../../secret.txt", "refusée : le chemin sort du projet ; copiez le fichier dans le projet"),
    ("/etc/passwd", "refusée : chemin absolu"),
    ("file:///etc/passwd", "refusée : seuls les chemins relatifs vers un fichier du projet sont "
                           "acceptés"),
    ("lien-sortant.txt", "refusée : le chemin sort du projet"),
])
def test_refused_paths(projet, capsys, tmp_path, target, message):
    outside = tmp_path / "dehors.txt"
    outside.write_text("hors projet")
    (projet.root / "workshops" / "lien-sortant.txt").symlink_to(outside)
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   f"## Conseils d'animation\n\n![schéma]({target})\n")
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    line = body_line(projet, f"]({target})")
    assert f"{ATELIER}:{line}: image « {target} » {message}" in err


def test_remote_image_is_refused(projet, capsys):
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   "## Conseils d'animation\n\n![logo](https://exemple.fr/logo.png)\n")
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    assert (f"{ATELIER}:{body_line(projet, 'exemple.fr')}: image distante "
            "« https://exemple.fr/logo.png » refusée") in err


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    projet = make_project(tmp_path_factory.mktemp("rendu") / "projet")
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   "## Conseils d'animation\n\nPourquoi ? Parce que 1500 jeunes l'ont dit : "
                   "\"oui\" !\n")
    assert projet.run("--jobs", "1")[0] == 0
    return projet


def page(projet, rel: str) -> str:
    return (projet.root / "site" / rel).read_text(encoding="utf-8")


def pdf_text(projet, rel: str) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(str(projet.root / rel)).pages)


WORKSHOP = "ateliers/insertion-professionnelle/construire-son-reseau.html"
SENTENCE = ("Pourquoi\u202f? Parce que 1\u202f500\u00a0jeunes l’ont dit\u00a0: "
            "«\u00a0oui\u00a0»\u202f!")


def test_typography_in_html_and_pdf(built):
    assert SENTENCE in page(built, WORKSHOP)
    text = pdf_text(built, "site/pdf/fiches/construire-son-reseau.pdf")
    assert re.sub(r"\s+", " ", SENTENCE.replace("\u202f", " ").replace("\u00a0", " ")) in \
        re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))
    assert "Pourquoi\u202f?" in text or "Pourquoi ?" in text


def test_datum_from_data_file_appears_in_site_and_pdf(built):
    assert "1\u202f500\u00a0jeunes" in page(built, WORKSHOP)
    built.replace("content/data/programme.yml", "valeur: 1500", "valeur: 1600")
    try:
        assert built.run("--jobs", "1")[0] == 0
        html = page(built, WORKSHOP)
        assert "1\u202f600\u00a0jeunes" in html
        assert "1\u202f600" in page(built, "index.html")
        pdf = pdf_text(built, "site/pdf/fiches/construire-son-reseau.pdf")
        assert "1\u202f600" in pdf or "1 600" in pdf
    finally:
        built.replace("content/data/programme.yml", "valeur: 1600", "valeur: 1500")


def test_cross_reference_is_a_working_link_on_site_and_in_pdf(built):
    html = page(built, WORKSHOP)
    assert '<a href="../methodologie/organiser-sa-semaine.html">l’autre atelier</a>' in html
    assert (built.root / "site/ateliers/methodologie/organiser-sa-semaine.html").exists()
    reader = PdfReader(str(built.root / "site/pdf/fiches/construire-son-reseau.pdf"))
    uris = [a.get_object()["/A"].get("/URI") for p in reader.pages for a in p.get("/Annots", [])
            if a.get_object().get("/A")]
    assert ("https://mentorat.powao.fr/ateliers/methodologie/organiser-sa-semaine.html"
            in uris)


def test_broken_link_makes_site_build_fail_naming_the_file(projet, capsys):
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   "## Conseils d'animation\n\nVoir [la fiche disparue](fiche-disparue.md).\n")
    code, _out, err = projet.run("site", "--jobs", "1", capsys=capsys)
    assert code == 1
    assert (f"{ATELIER}:{body_line(projet, 'fiche-disparue')}: lien vers « fiche-disparue.md » : "
            "fichier introuvable.") in err
    assert not (projet.root / "site").exists()


def test_link_to_a_missing_anchor_fails_the_site_build(projet, capsys):
    projet.replace(ATELIER, "atelier:organiser-sa-semaine", "atelier:organiser-sa-semaine#nulle-part")
    code, _out, err = projet.run("site", "--jobs", "1", capsys=capsys)
    assert code == 1
    assert (f"{ATELIER}: lien cassé dans la page "
            "ateliers/insertion-professionnelle/construire-son-reseau.html : l'ancre "
            "« #nulle-part » n'existe pas dans ateliers/methodologie/organiser-sa-semaine.html") in err


def test_page_titles_and_navigation_get_french_typography(projet, capsys):
    projet.replace("workshops/organiser-sa-semaine.md", "titre: Organiser sa semaine",
                   "titre: \"L'agenda : organiser sa semaine\"")
    code, _out, err = projet.run("site", "--jobs", "1", capsys=capsys)
    assert code == 0, err
    html = (projet.root / "site/ateliers/methodologie/organiser-sa-semaine.html").read_text(
        encoding="utf-8")
    assert "L’agenda\u00a0: organiser sa semaine</h1>" in html
    assert "<title>L’agenda\u00a0: organiser sa semaine" in html
    assert "L'agenda" not in html.replace("&#39;", "'")  # navigation included
