"""Faults and careless input: a French message with file and line, never a traceback,
never a silent loss, and what was published stays as it was."""
from __future__ import annotations

import errno
import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import make_project

ATELIER = "workshops/construire-son-reseau.md"


def check(projet, capsys, *args) -> tuple[int, str]:
    code, out, err = projet.run("check", *args, capsys=capsys)
    assert "Traceback" not in out + err
    return code, err


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A project with a published site (built once), copied by tests that change it."""
    projet = make_project(tmp_path_factory.mktemp("publie") / "projet")
    assert projet.run("--jobs", "1")[0] == 0
    return projet


# ------------------------------------------------------------------- links and files
@pytest.mark.parametrize("target, message", [
    ("grille.pdf?v=2", "ne prend pas de paramètres « ?… » ; écrivez « grille.pdf »"),
    ("docs/", "c'est un dossier ; liez un fichier précis"),
    ("page.html", "format de fichier non reconnu (d'après son contenu, pas son extension)"),
    ("script.js", "format de fichier non reconnu"),
])
def test_links_the_build_could_not_publish_are_check_errors(projet, capsys, target, message):
    projet.write("workshops/grille.pdf", b"%PDF-1.4\n%%EOF\n")
    projet.write("workshops/docs/a.txt", "a")
    projet.write("workshops/page.html", "<script>alert(1)</script>")
    projet.write("workshops/script.js", "alert(1)")
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   f"## Conseils d'animation\n\nVoir [la grille]({target}).\n")
    code, err = check(projet, capsys)
    assert code == 1
    assert f"{ATELIER}:30: lien « {target} »" in err or f"{ATELIER}:30: lien vers « {target} »" in err
    assert message in err


def test_a_pdf_link_is_published(projet, capsys):
    projet.write("workshops/grille.pdf", b"%PDF-1.4\n%%EOF\n")
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   "## Conseils d'animation\n\nVoir [la grille](grille.pdf).\n")
    assert check(projet, capsys)[0] == 0


def test_glossary_link_without_a_glossary_page(projet, capsys):
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   "## Conseils d'animation\n\nUn [accord](glossaire:accord-de-groupe).\n")
    code, err = check(projet, capsys)
    assert code == 1
    assert (f"{ATELIER}:30: renvoi vers un terme du glossaire, mais le projet n'a pas de page "
            "glossaire : créez content/glossaire.md") in err


def test_glossary_link_when_the_glossary_page_is_a_draft(projet, capsys):
    projet.write("content/glossaire.md", "---\ntitre: Glossaire\nstatut: brouillon\n---\n\n"
                 "{{ glossaire }}\n")
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   "## Conseils d'animation\n\nUn [accord](glossaire:accord-de-groupe).\n")
    code, err = check(projet, capsys)
    assert code == 1
    assert (f"{ATELIER}:30: renvoi vers la page « glossaire » (content/glossaire.md), qui n'est "
            "pas publié dans cette édition (statut « brouillon »)") in err


# --------------------------------------------------------------- sizes and depths
@pytest.mark.parametrize("depth", [900, 50_000])
def test_deeply_nested_brackets_in_yaml(projet, capsys, depth):
    projet.replace(ATELIER, "mots_cles: [réseau]", "mots_cles: " + "[" * depth + "]" * depth)
    code, err = check(projet, capsys)
    assert code == 1
    assert (f"{ATELIER}:21: imbrication trop profonde" in err
            or f"{ATELIER}:21: ligne trop longue" in err)


@pytest.mark.parametrize("text, line", [
    ("termes: " + "{n: " * 3000 + "1" + "}" * 3000 + "\n", 1),
    ("".join("  " * i + f"n{i}:\n" for i in range(200)) + "  " * 200 + "x: 1\n", 62),
])
def test_deeply_nested_mappings_in_a_data_file(projet, capsys, text, line):
    projet.write("content/data/glossaire.yml", text)
    code, err = check(projet, capsys)
    assert code == 1
    assert f"content/data/glossaire.yml:{line}: imbrication trop profonde" in err


def test_flow_nesting_beyond_the_limit_in_yaml(projet, capsys):
    projet.replace(ATELIER, "mots_cles: [réseau]", "mots_cles: " + "[a, " * 45 + "b" + "]" * 45)
    code, err = check(projet, capsys)
    assert code == 1 and f"{ATELIER}:21: imbrication trop profonde (plus de 40" in err


def test_deep_quotes_in_markdown(projet, capsys):
    projet.replace(ATELIER, "Parce que", ">" * 5000 + " Parce que")
    code, err = check(projet, capsys)
    assert code == 1 and f"{ATELIER}:26: imbrication trop profonde" in err


def test_very_long_line(projet, capsys):
    projet.replace(ATELIER, "Parce que", "mot " * 6000 + "Parce que")
    code, err = check(projet, capsys)
    assert code == 1 and f"{ATELIER}:26: ligne trop longue" in err


@pytest.mark.parametrize("char, code_point", [("\x00", "0000"), ("\x1b", "001B"), ("\x07", "0007")])
def test_control_characters_in_yaml_and_markdown(projet, capsys, char, code_point):
    projet.replace(ATELIER, "resume: Trouver un stage", f"resume: Trouver{char} un stage")
    projet.replace(ATELIER, "Parce que", f"Parce{char} que")
    code, err = check(projet, capsys)
    assert code == 1
    assert f"{ATELIER}:5: caractère invisible U+{code_point} (colonne 16) interdit" in err
    assert f"{ATELIER}:26: caractère invisible U+{code_point}" in err


def test_a_symlink_to_a_file_outside_the_project_is_not_read(projet, capsys, tmp_path):
    outside = tmp_path / "ailleurs.md"
    outside.write_text((projet.root / ATELIER).read_text(encoding="utf-8").replace(
        "Construire son réseau", "Secret du voisin"), encoding="utf-8")
    (projet.root / "workshops" / "voisin.md").symlink_to(outside)
    code, err = check(projet, capsys)
    assert code == 1
    assert "workshops/voisin.md: ce fichier est un lien vers un fichier hors du projet" in err
    assert "Secret du voisin" not in err


# ------------------------------------------------------------------- output paths
@pytest.mark.parametrize("rel, address, other", [
    ("content/etiquettes.md", "etiquettes.html", "la page générée « Étiquettes »"),
    ("workshops/index.md", "ateliers/", "la page générée de l'axe"),
    ("whitepaper/chapitres/references.md", "livre-blanc/references.html",
     "la page générée « Références »"),
])
def test_two_sources_at_one_address_is_an_error_naming_both(projet, capsys, rel, address, other):
    text = (projet.root / ATELIER).read_text(encoding="utf-8") if rel.startswith("workshops") \
        else "---\ntitre: Une page\nstatut: publie\ntype: enseignements\nchapeau: Un chapeau.\n---\n\nTexte.\n"
    if rel.startswith("content"):
        text = "---\ntitre: Mes étiquettes\nstatut: publie\n---\n\nTexte.\n"
    projet.write(rel, text)
    code, err = check(projet, capsys)
    assert code == 1
    line = next(x for x in err.splitlines() if x.startswith(rel))
    assert "serait publié à la même adresse (" + address in line and other in line


def test_a_cycle_and_a_curriculum_with_one_id_share_a_binder(projet, capsys):
    projet.write("trainings/cycle-test.md", (projet.root / "trainings/formation-initiale.md")
                 .read_text(encoding="utf-8"))
    code, err = check(projet, capsys)
    assert code == 1 and "pdf/kits/cycle-test.pdf" in err and "workshops/cycles/cycle-test.md" in err


# ------------------------------------------------------------- build environment
@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "99999999999999999", "0"])
def test_unusable_source_date_epoch(projet, capsys, monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    code, out, err = projet.run("--jobs", "1", capsys=capsys)
    assert code == 2 and "Traceback" not in err
    assert f"SOURCE_DATE_EPOCH vaut « {value} » : écrivez un nombre entier de secondes" in err
    assert not (projet.root / "site").exists()


def test_empty_source_date_epoch_means_the_default(projet, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert projet.run("check", capsys=capsys)[0] == 0


def test_renamed_options_say_their_new_name(projet, capsys):
    with pytest.raises(SystemExit) as exit_:
        projet.run("--brouillons", "check")
    assert exit_.value.code == 2
    assert "l'option --brouillons s'appelle désormais --relecture" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        projet.run("livre-blanc", "--brouillon")
    assert "l'option --brouillon s'appelle désormais --epreuve" in capsys.readouterr().err


def test_placeholder_text_left_by_new_fails_strict_once_published(projet, capsys):
    assert projet.run("new", "atelier", "Mon atelier", "--axe", "orientation")[0] == 0
    path = "workshops/mon-atelier.md"
    assert check(projet, capsys, "--strict")[0] == 0  # a draft may hold them
    projet.replace(path, "statut: \"brouillon\"", "statut: publie")
    code, err = check(projet, capsys, "--strict")
    assert code == 1
    assert f"{path}:" in err and "texte d'exemple « À compléter » encore présent" in err


# ------------------------------------------------------------- images by their bytes
def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), "teal")
    exif = Image.Exif()
    exif[0x010F] = "TelephoneDeMarque"     # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("name", ["photo.jfif", "photo.JPG", "photo.png", "photo"])
def test_images_lose_their_metadata_whatever_their_extension(projet, capsys, name):
    data = jpeg_with_gps()
    assert b"TelephoneDeMarque" in data
    projet.write(f"workshops/images/{name}", data)
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   f"## Conseils d'animation\n\n![Une photo](images/{name})\n")
    assert projet.run("--jobs", "1", capsys=capsys)[0] == 0
    published = list((projet.root / "site").rglob(name))
    assert published, "l'image doit être publiée"
    for path in published:
        assert b"TelephoneDeMarque" not in path.read_bytes()
        with Image.open(path) as image:
            assert not image.getexif()
    for pdf in (projet.root / "site" / "pdf").rglob("*.pdf"):
        assert b"TelephoneDeMarque" not in pdf.read_bytes()


HOSTILE_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="40" height="40" onload="alert(1)">
  <script>alert(2)</script>
  <rect width="40" height="40" fill="teal" onclick="alert(3)" style="fill:url(javascript:alert(4))"/>
  <a xlink:href="javascript:alert(5)"><text x="2" y="20">Lien</text></a>
  <foreignObject width="40" height="40"><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(6)"/></body></foreignObject>
  <image href="https://example.org/traceur.png" width="1" height="1"/>
  <animate attributeName="href" values="javascript:alert(7)"/>
  <use href="#forme"/>
  <circle id="forme" cx="20" cy="20" r="5" fill="white"/>
</svg>
"""


def test_svg_images_are_published_without_anything_that_runs(projet, capsys):
    projet.write("workshops/images/schema.svg", HOSTILE_SVG)
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   "## Conseils d'animation\n\n![Un schéma](images/schema.svg)\n")
    assert projet.run("--jobs", "1", capsys=capsys)[0] == 0
    published = next((projet.root / "site").rglob("schema.svg")).read_text(encoding="utf-8")
    for bad in ("alert", "script", "onload", "onclick", "onerror", "javascript", "foreignObject",
                "example.org", "animate"):
        assert bad not in published, bad
    assert "<rect" in published and 'href="#forme"' in published and "Lien" not in published


def test_an_svg_with_entities_is_refused(projet, capsys):
    projet.write("workshops/images/bombe.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
                 b'<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>')
    projet.replace(ATELIER, "## Conseils d'animation\n",
                   "## Conseils d'animation\n\n![Un schéma](images/bombe.svg)\n")
    code, err = check(projet, capsys)
    assert code == 1 and f"{ATELIER}:30: image « images/bombe.svg » : dessin SVG refusé" in err


# ------------------------------------------------------------- publishing and caches
def test_a_file_named_site_is_never_deleted(projet, capsys):
    projet.write("site", "mes notes")
    code, out, err = projet.run("--jobs", "1", capsys=capsys)
    assert code == 1
    assert "site existe déjà et n'est pas un dossier : renommez ou déplacez ce fichier" in err
    assert (projet.root / "site").read_text(encoding="utf-8") == "mes notes"


def test_a_site_symlink_to_a_hosting_folder_is_followed(projet, capsys, tmp_path):
    host = tmp_path / "hebergement"
    host.mkdir()
    (host / "ancien.html").write_text("ancien", encoding="utf-8")
    (projet.root / "site").symlink_to(host)
    assert projet.run("--jobs", "1", capsys=capsys)[0] == 0
    assert (projet.root / "site").is_symlink()
    assert (host / "index.html").is_file() and not (host / "ancien.html").exists()


def test_published_files_never_share_the_cache(published, capsys, tmp_path):
    import shutil
    projet = make_project(tmp_path / "p")
    shutil.copytree(published.root / ".cache", projet.root / ".cache")
    assert projet.run("--jobs", "1", capsys=capsys)[0] == 0
    fiche = projet.root / "site" / "pdf" / "fiches" / "construire-son-reseau.pdf"
    good = fiche.read_bytes()
    assert fiche.stat().st_nlink == 1
    with open(fiche, "r+b") as handle:  # a sync tool truncates the published file in place
        handle.truncate(100)
    assert projet.run("--jobs", "1", capsys=capsys)[0] == 0
    assert fiche.read_bytes() == good


def test_a_damaged_cache_entry_is_rendered_again(projet, capsys):
    assert projet.run("fiches", "--jobs", "1", capsys=capsys)[0] == 0
    for entry in (projet.root / ".cache" / "pdf").glob("*.pages"):
        entry.write_text("")  # an interrupted write
    for entry in (projet.root / ".cache" / "pdf").glob("*.pdf"):
        entry.write_bytes(entry.read_bytes()[:50])
    code, _out, err = projet.run("fiches", "--jobs", "1", capsys=capsys)
    assert code == 0, err
    pdf = projet.root / "sorties" / "fiches" / "construire-son-reseau.pdf"
    assert len(PdfReader(str(pdf)).pages) > 1


def test_variant_builds_never_touch_the_public_site(published, capsys, tmp_path):
    import shutil
    projet = make_project(tmp_path / "p")
    shutil.copytree(published.root / "site", projet.root / "site")
    shutil.copytree(published.root / ".cache", projet.root / ".cache")
    before = tree_digest(projet.root / "site")
    for args in (["fiches", "--heure", "09:30"], ["livre-blanc", "--epreuve"], ["kits"],
                 ["fiches"], ["--interne"], ["--relecture"]):
        code, _out, err = projet.run(*args, "--jobs", "1", capsys=capsys)
        assert code == 0, (args, err)
    assert tree_digest(projet.root / "site") == before
    assert (projet.root / "sorties/fiches-09h30/construire-son-reseau.pdf").is_file()
    assert (projet.root / "sorties/kits/cycle-test.pdf").is_file()
    assert (projet.root / "site-interne/index.html").is_file()
    draft = projet.root / "sorties/livre-blanc-epreuve/livre-blanc.pdf"
    text = " ".join(p.extract_text() or "" for p in PdfReader(str(draft)).pages[:2])
    assert "Brouillon du" in " ".join(text.split())
    # the real time (« 17 h 35 », no-break spaces: the one time format) and the version
    assert re.search(r"à \d{1,2}\sh(\s\d\d)?,", text) and "version" in text
    banner = (projet.root / "site-relecture/index.html").read_text(encoding="utf-8")
    assert "BROUILLON du" in banner and "édition de relecture" in banner


def test_an_unexpected_failure_is_an_internal_error_naming_the_file(projet, capsys, monkeypatch):
    from powao import render

    def broken(self, body, source=None):
        raise ZeroDivisionError("bug")
    monkeypatch.setattr(render.Renderer, "fragment", broken)
    code, out, err = projet.run("site", "--jobs", "1", capsys=capsys)
    assert code == 3 and "Traceback" not in err
    assert "Erreur interne de la chaîne de publication (ZeroDivisionError) pendant le " \
           "traitement de " in err
    assert not (projet.root / "site").exists()
    assert not list((projet.root / ".build").glob("construction-*"))


@pytest.mark.parametrize("code_, words", [(errno.ENOSPC, "disque plein"),
                                          (errno.EPERM, "opération non permise")])
def test_a_full_disk_or_a_protected_folder_leaves_the_site_as_it_was(published, capsys,
                                                                      monkeypatch, tmp_path,
                                                                      code_, words):
    import shutil

    from powao import publish
    projet = make_project(tmp_path / "p")
    shutil.copytree(published.root / "site", projet.root / "site")
    before = tree_digest(projet.root / "site")

    def refuse(*_args, **_kwargs):
        raise OSError(code_, os.strerror(code_), str(projet.root / "site"))
    monkeypatch.setattr(publish, "_exchange", refuse)
    code, _out, err = projet.run("--jobs", "1", capsys=capsys)
    assert code == 1 and words in err and "Traceback" not in err
    assert tree_digest(projet.root / "site") == before
    assert not list((projet.root / ".build").glob("construction-*"))


def test_a_render_timeout_is_said_in_french(monkeypatch, tmp_path):
    import time

    from powao import outputs
    monkeypatch.setitem(outputs._state, "options", {"temps_max_s": 0.05})
    monkeypatch.setattr(outputs, "render", lambda job, out, *more: time.sleep(2))
    job = outputs.Job("fiche", "x", "pdf/fiches/x.pdf", "workshops/x.md")
    _job, pages, error, *_rest = outputs._run(job, str(tmp_path))
    assert pages == 0
    assert error == ("le rendu de fiches/x.pdf a dépassé 0.05 s et a été arrêté : le document "
                     "est sans doute trop long ou mal formé")


def test_a_site_cache_edited_by_hand_is_not_republished(published, capsys, tmp_path):
    import shutil
    projet = make_project(tmp_path / "p")
    shutil.copytree(published.root / ".cache", projet.root / ".cache")
    entry = next(p for p in (projet.root / ".cache" / "site").iterdir() if p.is_dir())
    (entry / "index.html").write_text("<p>abîmé</p>", encoding="utf-8")
    assert projet.run("--jobs", "1", capsys=capsys)[0] == 0
    home = (projet.root / "site" / "index.html").read_text(encoding="utf-8")
    assert "abîmé" not in home and "POWAO" in home
