"""Safe publishing: drafts and internal pages never reach the public edition."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from pypdf import PdfReader

from conftest import make_project

CANARY_DRAFT = "CANARI-BROUILLON-7f3a"
CANARY_INTERNAL = "CANARI-INTERNE-91bc"

DRAFT = f"""\
---
titre: Atelier en chantier {CANARY_DRAFT}
axe: orientation
statut: brouillon
resume: {CANARY_DRAFT} pas encore relu.
duree: 30
objectifs:
  - Tester la publication
  - Vérifier les brouillons
deroule:
  - {{titre: Étape, duree: 30}}
mots_cles: [{CANARY_DRAFT.lower()}]
---

## Pourquoi cet atelier

{CANARY_DRAFT}
"""

INTERNAL = f"""\
---
titre: Procédure interne
statut: publie
diffusion: interne
resume: {CANARY_INTERNAL}
---

Procédure réservée à l'équipe : {CANARY_INTERNAL}.
"""


def all_output_text(site) -> str:
    chunks = []
    for path in sorted(site.rglob("*")):
        if path.is_dir():
            continue
        if path.suffix == ".pdf":
            chunks += [p.extract_text() or "" for p in PdfReader(str(path)).pages]
        else:
            chunks.append(path.read_bytes().decode("utf-8", errors="replace"))
        chunks.append(path.name)
    return "\n".join(chunks)


@pytest.fixture(scope="module")
def public_build(tmp_path_factory):
    projet = make_project(tmp_path_factory.mktemp("pub") / "projet")
    projet.write("workshops/en-chantier.md", DRAFT)
    projet.write("content/procedure-interne.md", INTERNAL)
    code = projet.run("--jobs", "1")[0]
    assert code == 0
    return projet


def test_canaries_appear_nowhere_in_the_public_build(public_build):
    site = public_build.root / "site"
    assert (site / "search" / "search_index.json").exists()
    text = all_output_text(site)
    assert "Construire son réseau" in text  # the published content is there
    assert CANARY_DRAFT not in text and CANARY_DRAFT.lower() not in text
    assert CANARY_INTERNAL not in text
    assert "en-chantier" not in text and "procedure-interne" not in text


def test_public_page_linking_a_draft_is_an_error_naming_both(tmp_path, capsys):
    projet = make_project(tmp_path / "p")
    projet.write("workshops/en-chantier.md", DRAFT)
    projet.replace("workshops/construire-son-reseau.md", "Voir [l'autre atelier]",
                   "Voir [le chantier](atelier:en-chantier) et [l'autre atelier]")
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    assert ("workshops/construire-son-reseau.md:30: renvoi vers l'atelier « en-chantier » "
            "(workshops/en-chantier.md), qui n'est pas publié dans cette édition (statut "
            "« brouillon ») : retirez le lien ou publiez la cible") in err


def test_public_page_linking_an_internal_page_is_an_error(tmp_path, capsys):
    projet = make_project(tmp_path / "p")
    projet.write("content/procedure-interne.md", INTERNAL)
    projet.replace("content/index.md", "Bienvenue.", "Bienvenue. [](page:procedure-interne)")
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    assert ("content/index.md:8: renvoi vers la page « procedure-interne » "
            "(content/procedure-interne.md), qui n'est pas publié dans cette édition "
            "(diffusion « interne »)") in err


def test_failed_build_leaves_previous_site_untouched(public_build, capsys):
    site = public_build.root / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    public_build.replace("workshops/organiser-sa-semaine.md", "duree: 60", "duree: 61")
    try:
        code, _out, err = public_build.run("--jobs", "1", capsys=capsys)
    finally:
        public_build.replace("workshops/organiser-sa-semaine.md", "duree: 61", "duree: 60")
    assert code == 1
    assert "Rien n'a été écrit ni modifié." in err
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not list((public_build.root / ".build").glob("construction-*"))


def test_email_address_in_a_workshop_is_an_error(projet, capsys):
    projet.replace("workshops/construire-son-reseau.md", "Parce que",
                   "Écrivez à camille.martin@example.org. Parce que")
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    assert ("workshops/construire-son-reseau.md:26: adresse e-mail « camille.martin@example.org » "
            ": aucune coordonnée personnelle dans les contenus.") in err


def test_phone_number_in_a_step_is_an_error_but_public_numbers_pass(projet, capsys):
    projet.replace("workshops/construire-son-reseau.md", 'consignes: "On s\'entraîne."',
                   'consignes: "Appelez le 06 12 34 56 78 ou le 17."')
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    assert ("workshops/construire-son-reseau.md:17: champ « deroule[4].consignes » : numéro de "
            "téléphone « 06 12 34 56 78 »") in err
    assert "« 17 »" not in err


TEMOIGNAGES = """\
temoignages:
  - id: samia
    citation: Je ne savais pas que j'avais un réseau.
    prenom: Samia
    role: jeune mentorée
    prenom_modifie: true
    consentement: false
    illustratif: true
"""


def test_testimonial_without_consent_is_an_error(projet, capsys):
    projet.write("whitepaper/temoignages.yml", TEMOIGNAGES)
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    assert ("whitepaper/temoignages.yml:7: champ « temoignages[1].consentement » : témoignage "
            "« samia » publié sans consentement") in err


FIGURE = """\
titre: Jeunes par axe
type: barres
unite: jeunes
effectifs: true
illustratif: true
source: Suivi du programme
alt: Barres des jeunes par axe.
valeurs:
  - {libelle: Méthodologie, valeur: 120}
  - {libelle: Orientation, valeur: 4}
  - {libelle: Réseau, valeur: 3, masque: true}
champ: Jeunes mentorés en 2025
lecture: 120 jeunes ont suivi un atelier de méthodologie.
"""


def test_small_count_in_a_chart_is_an_error_unless_masked(projet, capsys):
    projet.write("whitepaper/donnees/jeunes-par-axe.yml", FIGURE)
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    lines = [line for line in err.splitlines() if "petit effectif" in line]
    assert lines == ["whitepaper/donnees/jeunes-par-axe.yml:10: champ « valeurs[2].valeur » : "
                     "petit effectif (4) pour « Orientation » : en dessous de 10, une personne "
                     "pourrait être reconnue. Regroupez des catégories ou écrivez « masque: true » "
                     "pour publier « < 10 »"]


def test_internal_edition_includes_internal_pages_with_a_banner(public_build, capsys):
    code, out, err = public_build.run("site", "--interne", "--jobs", "1", capsys=capsys)
    assert code == 0, err
    assert "Résultat dans site-interne/." in out
    internal = public_build.root / "site-interne"
    page = (internal / "procedure-interne.html").read_text(encoding="utf-8")
    assert CANARY_INTERNAL in page
    assert "ÉDITION INTERNE — ne pas diffuser" in page
    text = all_output_text(internal)
    assert CANARY_DRAFT not in text  # drafts stay out of the internal edition too
    fiche = PdfReader(str(internal / "pdf/fiches/construire-son-reseau.pdf"))
    assert all("ÉDITION INTERNE" in (p.extract_text() or "") for p in fiche.pages)
    # the public site is untouched by the internal build
    assert CANARY_INTERNAL not in all_output_text(public_build.root / "site")


def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    projet = make_project(tmp_path / "p")
    assert projet.run("--jobs", "2")[0] == 0
    first = {p.relative_to(projet.root / "site"): p.read_bytes()
             for p in sorted((projet.root / "site").rglob("*")) if p.is_file()}
    for name in ("site", ".cache"):
        shutil.rmtree(projet.root / name)
    assert projet.run("--jobs", "1")[0] == 0
    second = {p.relative_to(projet.root / "site"): p.read_bytes()
              for p in sorted((projet.root / "site").rglob("*")) if p.is_file()}
    assert sorted(first) == sorted(second)
    different = [str(k) for k in first if first[k] != second[k]]
    assert different == []
    assert any(str(k).endswith(".pdf") for k in first)


def _image_page(projet, name: str) -> None:
    projet.replace("workshops/construire-son-reseau.md", "## Conseils d'animation\n",
                   f"## Conseils d'animation\n\n![Schéma de la séance](images/{name})\n")


def test_oversized_image_is_refused_with_file_and_line(projet, capsys):
    from PIL import Image
    (projet.root / "workshops/images").mkdir()
    Image.new("1", (20000, 20000)).save(projet.root / "workshops/images/geante.png")
    _image_page(projet, "geante.png")
    code, _out, err = projet.run("check", capsys=capsys)
    assert code == 1
    assert ("workshops/construire-son-reseau.md:30: image « images/geante.png » : image trop grande "
            "(20000 × 20000 pixels)") in err


def test_gps_exif_is_stripped_from_published_copies(projet, capsys):
    from PIL import Image
    (projet.root / "workshops/images").mkdir()
    exif = Image.Exif()
    exif[0x010F] = "Téléphone de test"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # GPS
    photo = projet.root / "workshops/images/photo.jpg"
    Image.new("RGB", (64, 48), "teal").save(photo, exif=exif)
    with Image.open(photo) as original:
        assert original.getexif().get_ifd(0x8825)  # the source really has GPS data
    _image_page(projet, "photo.jpg")
    code, _out, err = projet.run("--jobs", "1", capsys=capsys)
    assert code == 0, err
    copy = projet.root / "site/assets/contenu/workshops/images/photo.jpg"
    with Image.open(copy) as published:
        assert not published.getexif()
        assert b"Exif" not in copy.read_bytes()
    page = (projet.root / "site/ateliers/insertion-professionnelle/construire-son-reseau.html")
    assert "../../assets/contenu/workshops/images/photo.jpg" in page.read_text(encoding="utf-8")
    pdf = (projet.root / "site/pdf/fiches/construire-son-reseau.pdf").read_bytes()
    assert "Téléphone de test".encode() not in pdf and b"Exif" not in pdf


def test_a_pdf_that_crashes_fails_the_build_but_not_the_others(public_build, capsys,
                                                               monkeypatch):
    site = public_build.root / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    shutil.rmtree(public_build.root / ".cache", ignore_errors=True)  # force a real render
    monkeypatch.setenv("POWAO_PANNE_PDF", "fiches/organiser-sa-semaine.pdf")
    code, _out, err = public_build.run("--jobs", "2", capsys=capsys)
    assert code == 1
    assert ("workshops/organiser-sa-semaine.md: erreur inattendue pendant le rendu de "
            "fiches/organiser-sa-semaine.pdf (RuntimeError : panne simulée)") in err
    assert "fiches/construire-son-reseau.pdf (" in err and "pages)" in err  # others built
    assert "Rien n'a été écrit ni modifié." in err
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert not list((public_build.root / ".build").glob("construction-*"))


def test_a_render_process_that_dies_once_is_replaced(public_build, capsys, monkeypatch,
                                                    tmp_path):
    """A render process killed by a crash (here: it exits in the middle of a job) does not
    fail the build: what was left is rendered again in new processes."""
    shutil.rmtree(public_build.root / ".cache", ignore_errors=True)  # force a real render
    monkeypatch.setenv("POWAO_PLANTAGE_PDF",
                       f"fiches/organiser-sa-semaine.pdf|{tmp_path / 'deja-plante'}")
    code, _out, err = public_build.run("--jobs", "2", capsys=capsys)
    assert code == 0, err
    assert "Un processus de rendu s'est arrêté brutalement : " in err
    assert "relancé(s) dans de nouveaux processus…" in err
    assert "Traceback" not in err and "BrokenProcessPool" not in err
    pdf = public_build.root / "site" / "pdf" / "fiches" / "organiser-sa-semaine.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_pdf_that_kills_its_process_twice_is_a_french_error(public_build, capsys,
                                                             monkeypatch):
    site = public_build.root / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    shutil.rmtree(public_build.root / ".cache", ignore_errors=True)
    monkeypatch.setenv("POWAO_PLANTAGE_PDF", "fiches/organiser-sa-semaine.pdf")
    code, _out, err = public_build.run("--jobs", "2", capsys=capsys)
    assert code == 1
    assert ("workshops/organiser-sa-semaine.md: le rendu de fiches/organiser-sa-semaine.pdf a "
            "échoué deux fois : le processus de rendu s'est arrêté brutalement") in err
    assert "Traceback" not in err and "BrokenProcessPool" not in err
    assert "Rien n'a été écrit ni modifié." in err
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_a_build_stopped_midway_leaves_the_site_and_no_temporary_files(public_build):
    import signal
    import sys
    import time
    site = public_build.root / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    shutil.rmtree(public_build.root / ".cache", ignore_errors=True)  # make it slow enough
    proc = subprocess.Popen([sys.executable, "build.py", "--jobs", "1"], cwd=public_build.root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and "PDF 1/" not in (line := proc.stdout.readline()):
        pass  # wait until the build is really rendering
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    time.sleep(1)
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert not list((public_build.root / ".build").glob("construction-*"))
