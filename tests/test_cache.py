"""Incremental builds: a PDF is rendered again exactly when something it depends on
changed, and never served stale."""
from __future__ import annotations

import json
import re

import pytest

from conftest import make_project

A = "site/pdf/fiches/construire-son-reseau.pdf"
B = "site/pdf/fiches/organiser-sa-semaine.pdf"
KIT = "site/pdf/kits/cycle-test.pdf"
LIVRE = "site/pdf/livre-blanc.pdf"


def snapshot(projet) -> dict[str, bytes]:
    return {rel: (projet.root / rel).read_bytes() for rel in (A, B, KIT, LIVRE)}


def build(projet, capsys, *args) -> str:
    code, _out, err = projet.run(*args, "--jobs", "1", capsys=capsys)
    assert code == 0, err
    return err


def changed(before, after) -> set[str]:
    return {rel for rel in before if before[rel] != after[rel]}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def projet(base, request):
    projet = make_project(base / request.node.name)
    return projet


def test_no_change_rebuild_does_no_pdf_work(projet, capsys):
    build(projet, capsys)
    before = snapshot(projet)
    err = build(projet, capsys)
    # 2 fiches, their 2 handout packs, 2 binders, the livre blanc and its printer PDF
    assert "PDF : 8/8 inchangés, repris du cache" in err
    assert not re.search(r"PDF \d+/\d+ : ", err)  # no render at all
    assert changed(before, snapshot(projet)) == set()


@pytest.mark.parametrize("rel, old, new, expected", [
    ("workshops/construire-son-reseau.md", "Une action chacun.", "Une action chacun, datée.",
     {A, KIT}),
    ("content/data/programme.yml", "role: Le binôme de mentors", "role: Le binôme de mentors du groupe",
     {A, B, KIT}),
    ("templates/print/_fiche.html", "<h2 id=\"{{ prefix }}objectifs\">Objectifs</h2>",
     "<h2 id=\"{{ prefix }}objectifs\">Objectifs de la séance</h2>", {A, B, KIT}),
    ("templates/print/fiche.css", ".fiche-resume { font-size: 11pt;",
     ".fiche-resume { font-size: 12pt;", {A, B, KIT}),
    ("whitepaper/chapitres/avant-propos.md", "Du texte", "Un autre texte", {LIVRE}),
])
def test_each_dependency_kind_rerenders_exactly_what_uses_it(projet, capsys, rel, old, new,
                                                              expected):
    build(projet, capsys)
    before = snapshot(projet)
    projet.replace(rel, old, new)
    build(projet, capsys)
    assert changed(before, snapshot(projet)) == expected


def test_changing_an_image_rerenders_the_kit_that_shows_it(projet, capsys):
    from PIL import Image
    (projet.root / "workshops/images").mkdir()
    Image.new("RGB", (40, 30), "navy").save(projet.root / "workshops/images/schema.png")
    projet.replace("workshops/construire-son-reseau.md", "## Conseils d'animation\n",
                   "## Conseils d'animation\n\n![Schéma](images/schema.png)\n")
    build(projet, capsys)
    before = snapshot(projet)
    Image.new("RGB", (40, 30), "orange").save(projet.root / "workshops/images/schema.png")
    build(projet, capsys)
    assert changed(before, snapshot(projet)) == {A, KIT}


def test_changing_an_option_rerenders(projet, capsys):
    fiche = "sorties/fiches/construire-son-reseau.pdf"
    build(projet, capsys, "fiches")
    before = (projet.root / fiche).read_bytes()
    build(projet, capsys, "fiches", "--heure", "09:00")
    assert (projet.root / fiche.replace("fiches/", "fiches-09h00/")).read_bytes() != before
    build(projet, capsys, "fiches")
    assert (projet.root / fiche).read_bytes() == before  # back to the cached first render


def test_jobs_1_and_jobs_2_give_identical_pdfs(projet, capsys, tmp_path):
    other = make_project(tmp_path / "autre")
    build(projet, capsys)
    code, _out, err = other.run("--jobs", "2", capsys=capsys)
    assert code == 0, err
    for rel in (A, B, KIT, LIVRE):
        assert (projet.root / rel).read_bytes() == (other.root / rel).read_bytes(), rel


def test_site_pages_follow_edits_of_their_file_and_of_titles_they_show(projet, capsys):
    page = projet.root / "site/ateliers/insertion-professionnelle/construire-son-reseau.html"
    build(projet, capsys, "site")
    projet.replace("workshops/construire-son-reseau.md", "Parce que", "Justement parce que")
    build(projet, capsys, "site")
    assert "Justement parce que" in page.read_text(encoding="utf-8")
    projet.replace("workshops/organiser-sa-semaine.md", "titre: Organiser sa semaine",
                   "titre: Organiser sa semaine de travail")
    build(projet, capsys, "site")
    assert "Séance précédente : Organiser sa semaine de travail" in page.read_text(
        encoding="utf-8").replace("\u00a0", " ")
    cycle = (projet.root / "site/cycles/cycle-test.html").read_text(encoding="utf-8")
    assert "Organiser sa semaine de travail" in cycle


def build_summary(projet, capsys) -> str:
    code, out, err = projet.run("--jobs", "1", capsys=capsys)
    assert code == 0, err
    return out + err


def site_files(projet) -> dict[str, bytes]:
    site = projet.root / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and not p.relative_to(site).as_posix().startswith("pdf/")}


def test_a_body_edit_rebuilds_only_its_page_and_gives_the_full_build_bytes(projet, capsys):
    build(projet, capsys)
    before = site_files(projet)
    projet.replace("workshops/construire-son-reseau.md", "Une action chacun.",
                   "Une action chacun, notée dans son carnet.")
    err = build_summary(projet, capsys)
    assert " dont 1 reconstruite " in err  # MkDocs rebuilt one page, not the site
    partial = site_files(projet)
    page = "ateliers/insertion-professionnelle/construire-son-reseau.html"
    assert "notée dans son carnet" in partial[page].decode()
    assert "notée dans son carnet" in str(json.loads(partial["search/search_index.json"]))
    assert {rel for rel in partial if partial[rel] != before.get(rel)} >= {
        page, "search/search_index.json"}
    # The same sources built from scratch give the very same bytes.
    import shutil
    shutil.rmtree(projet.root / ".cache" / "site")
    err = build_summary(projet, capsys)
    assert "reconstruite" not in err
    full = site_files(projet)
    assert sorted(full) == sorted(partial)
    assert [rel for rel in full if full[rel] != partial[rel]] == []


def test_a_title_edit_rebuilds_the_whole_site(projet, capsys):
    build(projet, capsys)
    projet.replace("workshops/construire-son-reseau.md", "titre: Construire son réseau",
                   "titre: Construire son réseau pro")
    err = build_summary(projet, capsys)
    assert "reconstruite" not in err  # the navigation of other pages shows the title
    index = (projet.root / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Construire son réseau pro" in str(json.loads(index))


def test_fonts_and_stylesheets_kept_by_a_render_process_change_no_byte(projet, tmp_path):
    """A render process loads the print fonts and parses the project's stylesheets once
    (pdf._fonts): a PDF laid out that way, first or second time, is byte for byte the
    one WeasyPrint lays out on its own — with an edition banner (an inline <style>)."""
    from weasyprint import HTML

    from powao import fiches, pdf
    from powao.content import load_and_check
    from powao.templating import Templates
    corpus, _report = load_and_check(projet.root, edition="interne")
    t = Templates(corpus)
    html = fiches.fiche_html(t, corpus.ateliers["construire-son-reseau"], edition="interne")
    assert "<style>" in html
    base_url = (projet.root / "templates" / "print").as_uri() + "/"
    written = []
    for name in ("premier", "second"):
        document = pdf.lay_out(html, projet.root, base_url, "x.pdf", key=name)
        pdf.write_document(document, tmp_path / f"{name}.pdf", html)
        written.append((tmp_path / f"{name}.pdf").read_bytes())
    assert any(href.endswith("/fiche.css") for href, _ in pdf._SHEETS)
    alone = HTML(string=html, base_url=base_url,
                 url_fetcher=pdf.Sandbox(projet.root).fetcher()).render()
    pdf.write_document(alone, tmp_path / "seul.pdf", html)
    assert written[0] == written[1] == (tmp_path / "seul.pdf").read_bytes()
