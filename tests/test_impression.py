"""Print: write-in fields, handouts that fit their pages, the print preflight, binders
made for duplex printing and ring binders, and the per-session handout pack."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ATELIER, REPO, make_project

MM = 72 / 25.4  # PDF points per millimetre


def pages_text(path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


HANDOUT = """
## Document participant : Mes réponses

{{ ligne: Mon prénom | Date }}

**Partie 1. Mes idées**

{{ lignes: 4 }}

**Partie 2. Trois étapes**

{{ lignes: 3 numerotees }}

| Action | Faite |
|---|---|
| Appeler | {{ case }} |
| Écrire | {{ case: cochee }} |

Un blanc dans une phrase : je rappelle {{ champ: 30 }} avant vendredi.

{{ cadre: 30 }}
"""


@pytest.fixture(scope="module")
def saisie(tmp_path_factory):
    projet = make_project(tmp_path_factory.mktemp("saisie") / "projet")
    projet.write("workshops/construire-son-reseau.md", ATELIER + HANDOUT)
    for command in ("fiches", "documents"):
        code, out, err = projet.run(command, "--jobs", "1")
        assert code == 0, out + err
    return projet


def test_write_in_fields_print_as_lines_and_boxes(saisie):
    pack = saisie.root / "sorties/documents/construire-son-reseau.pdf"
    pages = [flat(t) for t in pages_text(pack)]
    page = next(p for p in pages if "Mes réponses" in p)
    assert "1. 2. 3." in page  # numbered lines, numbers one under the other
    assert "☐" in page and "☑" in page
    assert "Mon prénom :" in page and "Date :" in page
    for text in pages_text(saisie.root / "sorties/fiches/construire-son-reseau.pdf") + pages:
        assert "[ ]" not in text and not re.search(r"_{3,}", text)


def _rules(png: Path, min_width: float) -> list[tuple[int, int]]:
    """Horizontal dark rules of a grayscale PNG: (first row, last row) of each."""
    data = png.read_bytes()
    # pdftoppm -gray writes a PGM when asked; read it without an imaging library
    header, _, rest = data.partition(b"\n")
    assert header == b"P5"
    dims, _, rest = rest.partition(b"\n")
    width, height = map(int, dims.split())
    _maxval, _, pixels = rest.partition(b"\n")
    rows = []
    for y in range(height):
        row = pixels[y * width:(y + 1) * width]
        run = best = 0
        for value in row:
            run = run + 1 if value < 200 else 0
            best = max(best, run)
        rows.append(best >= min_width * width)
    groups, start = [], None
    for y, dark in enumerate(rows + [False]):
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            groups.append((start, y - 1))
            start = None
    return groups


def test_writing_lines_are_at_least_8_mm_apart(saisie, tmp_path):
    pack = saisie.root / "sorties/documents/construire-son-reseau.pdf"
    number = next(i for i, t in enumerate(pages_text(pack), start=1) if "Mes réponses" in t)
    dpi = 150
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(number), "-l", str(number),
                    str(pack), str(tmp_path / "p")], check=True)
    pgm = next(tmp_path.glob("p*.pgm"))
    px_mm = dpi / 25.4
    thin = [g for g in _rules(pgm, 0.55) if (g[1] - g[0] + 1) / px_mm < 1.0]
    # from the top: 4 blank lines, then 3 numbered ones (the table's rules follow)
    lines = thin[:7]
    assert len(lines) == 7, thin
    gaps = [(b[0] - a[0]) / px_mm for a, b in zip(lines, lines[1:])]
    assert min(gaps) >= 8.0, gaps


def test_check_warns_on_bare_underscores_and_literal_boxes(tmp_path, capsys):
    projet = make_project(tmp_path / "p")
    projet.write("workshops/construire-son-reseau.md", ATELIER + """
## Document participant : Ancien style

Mon prénom : ______________________

| Action | Faite |
|---|---|
| Appeler | [ ] |

- [ ] une vraie liste à cocher reste permise
""")
    projet.replace("workshops/construire-son-reseau.md", "Chacun dit un mot.",
                   "Chacun écrit ______ au tableau.")
    code, out, err = projet.run("check", capsys=capsys)
    assert code == 0
    text = out + err
    body = projet.read("workshops/construire-son-reseau.md").split("\n")
    line_y = next(i for i, line in enumerate(body, start=1) if "Chacun écrit" in line)
    assert (f"workshops/construire-son-reseau.md:{line_y}: avertissement : champ "
            "« deroule[1].consignes » : trait de soulignés") in text
    line_u = body.index("Mon prénom : ______________________") + 1
    line_c = body.index("| Appeler | [ ] |") + 1
    assert (f"workshops/construire-son-reseau.md:{line_u}: avertissement : trait de soulignés "
            "« ___ »") in text
    assert "{{ lignes: 3 }}" in text and "{{ ligne: Ma réponse }}" in text
    assert (f"workshops/construire-son-reseau.md:{line_c}: avertissement : case « [ ] » "
            "écrite en texte") in text
    assert text.count(": avertissement :") == 3  # the task list is not flagged
    code, out, err = projet.run("check", "--strict", capsys=capsys)
    assert code == 1


def test_wrong_write_in_arguments_are_errors(tmp_path, capsys):
    projet = make_project(tmp_path / "p")
    projet.write("workshops/construire-son-reseau.md", ATELIER + """
## Document participant : Mauvais

{{ lignes: 99 }}

{{ cadre: grand }}
""")
    code, out, err = projet.run("check", capsys=capsys)
    assert code == 1
    text = out + err
    assert "« {{ lignes: 99 }} » : écrivez un nombre de lignes de 1 à 30" in text
    assert "« {{ cadre: grand }} » : écrivez la hauteur du cadre en millimètres, de 10 à 240 mm" in text


# -- preflight fixtures ---------------------------------------------------------------
LONG_CELL = " ".join(["Une consigne très longue qui ne tient pas sur une page."] * 160)

PREFLIGHT = f"""
### Un titre forcé en bas de page

## Document participant : Trop long de trois lignes

{{{{ lignes: 30 }}}}

Première ligne de trop, pour remplir.
Deuxième ligne de trop, pour remplir encore un peu plus la page du document.

Troisième paragraphe de trop, pour remplir encore un peu plus la page du document participant.

## Document participant : Une ligne coupée

{{{{ pages: 3 }}}}

| Étape | Consigne | Fait |
|---|---|---|
| Un | {LONG_CELL} | |
"""


@pytest.fixture(scope="module")
def preflight(tmp_path_factory):
    projet = make_project(tmp_path_factory.mktemp("controle") / "projet")
    path = projet.write("workshops/construire-son-reseau.md", ATELIER + PREFLIGHT)
    lines = path.read_text(encoding="utf-8").split("\n")
    return projet, lines


def _line(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(start))


def test_preflight_reports_each_finding_with_file_and_line(preflight, capsys):
    projet, lines = preflight
    code, out, err = projet.run("fiches", "--jobs", "1", capsys=capsys)
    assert code == 0  # findings are warnings
    text = out + err
    rel = "workshops/construire-son-reseau.md"
    heading = _line(lines, "### Un titre forcé")
    handout = _line(lines, "## Document participant : Trop long")
    row = _line(lines, "| Un |")
    assert (f"{rel}:{heading}: avertissement : contrôle d'impression : le titre « Un titre "
            "forcé en bas de page » est la dernière ligne de la page") in text
    found = re.search(rf"{rel}:{handout}: avertissement : contrôle d'impression : le document "
                      r"« Trop long de trois lignes » tient sur 2 pages au lieu de 1 : il déborde "
                      r"de (\d+) mm \(environ (\d+) lignes?\)", text)
    assert found, text
    assert 2 <= int(found.group(2)) <= 6
    assert re.search(rf"{rel}:{row}: avertissement : contrôle d'impression : une ligne de "
                     r"tableau .* est coupée entre les pages \d+ et \d+ avec une cellule vide",
                     text), text


def test_preflight_fails_with_strict_and_from_the_cache(preflight, capsys):
    projet, _lines = preflight
    code, out, err = projet.run("fiches", "--jobs", "1", "--strict", capsys=capsys)
    assert code == 1
    assert "contrôle d'impression" in out + err
    assert "Échec" in out + err


# -- the real corpus ------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory):
    """The real content, fiches, handout packs and binders built once with --strict:
    the print preflight finds nothing."""
    root = tmp_path_factory.mktemp("reel") / "projet"
    for name in ("powao", "templates", "content", "workshops", "trainings", "whitepaper"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("build.py", "mkdocs.yml"):
        shutil.copy(REPO / name, root / name)
    from powao.cli import main
    for command in ("fiches", "documents", "kits"):
        assert main([command, "--strict"], root=root) == 0
    return root


def _pdfs(root: Path, folder: str) -> list[Path]:
    return sorted((root / "sorties" / folder).glob("*.pdf"))


def test_real_corpus_has_no_bare_write_in_marks(corpus_build):
    for folder in ("fiches", "kits", "documents"):
        for pdf in _pdfs(corpus_build, folder):
            for number, text in enumerate(pages_text(pdf), start=1):
                assert "[ ]" not in text, f"{pdf.name} p. {number}"
                assert not re.search(r"_{3,}", text), f"{pdf.name} p. {number}"


def _text_x_extents(pdf: Path) -> list[tuple[float, float] | None]:
    """Leftmost and rightmost x (mm) of the text of each page (None: blank page)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    pages = out.split("<page ")[1:]
    extents = []
    for page in pages:
        xs = [(float(a), float(b)) for a, b in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', page)]
        extents.append((min(x for x, _ in xs) / MM, max(x for _, x in xs) / MM) if xs else None)
    return extents


def test_binders_have_a_20_mm_binding_margin_on_both_sides(corpus_build):
    kits = _pdfs(corpus_build, "kits")
    assert kits
    for pdf in kits:
        extents = _text_x_extents(pdf)
        rectos = [e for i, e in enumerate(extents) if e and i % 2 == 0]
        versos = [e for i, e in enumerate(extents) if e and i % 2 == 1]
        assert rectos and versos
        assert min(left for left, _ in rectos) >= 20.0, pdf.name     # inner = left
        assert max(right for _, right in versos) <= 210 - 20.0, pdf.name  # inner = right
        # the text block moves with the side: verso text starts further left
        assert min(left for left, _ in versos) < min(left for left, _ in rectos) - 4


def _sheet_sides(pdf: Path) -> list[str]:
    """handout | facilitator | blank for each page."""
    kinds = []
    for text in pages_text(pdf):
        page = flat(text)
        if not page.strip():
            kinds.append("blank")
        elif ("· DOCUMENT PARTICIPANT" in page or "· RETOUR DE SÉANCE (ANONYME)" in page
              or "— document participant" in page):
            kinds.append("handout")  # the band on its first page, the footer on every page
        else:
            kinds.append("facilitator")
    return kinds


def test_no_handout_is_backed_by_a_facilitator_page(corpus_build):
    for pdf in _pdfs(corpus_build, "kits") + _pdfs(corpus_build, "fiches"):
        sides = _sheet_sides(pdf)
        for recto in range(0, len(sides), 2):
            sheet = sides[recto:recto + 2]
            assert not ("handout" in sheet and "facilitator" in sheet), \
                f"{pdf.name}: pages {recto + 1}–{recto + 2} : {sheet}"


def test_binder_running_head_on_every_page_but_openings(corpus_build):
    pdf = corpus_build / "sorties/kits/cycle-six-mois.pdf"
    pages = [flat(t) for t in pages_text(pdf)]
    headed = [i for i, p in enumerate(pages) if "Kit mentor — Le cycle de six mois · " in p]
    content = [i for i, p in enumerate(pages) if p.strip()]
    assert len(headed) >= len(content) * 0.8
    assert 0 not in headed  # the cover
    # not on the opening page of a session (its first page), but on the next one
    opening = next(i for i, p in enumerate(pages) if "Organiser sa semaine" in p
                   and "Documents à photocopier" in p)
    assert opening not in headed and opening + 1 in headed
    assert "· Séance 2 : Organiser sa semaine" in pages[opening + 1]


def test_handout_pack_holds_only_participant_documents(corpus_build):
    packs = _pdfs(corpus_build, "documents")
    fiches = _pdfs(corpus_build, "fiches")
    assert [p.name for p in packs] == [p.name for p in fiches]
    for pdf in packs:
        sides = _sheet_sides(pdf)
        assert "facilitator" not in sides, pdf.name
        for number, kind in enumerate(sides, start=1):
            if kind == "handout" and (number == 1 or sides[number - 2] != "handout"):
                assert number % 2 == 1, f"{pdf.name}: a document starts on page {number}"
        text = flat(" ".join(pages_text(pdf)))
        assert "Ton avis sur la séance" in text
        for facilitator in ("Déroulé", "Conseils d'animation", "Objectifs"):
            assert facilitator not in text, pdf.name


def test_fiche_links_its_handout_pack(corpus_build):
    pdf = corpus_build / "sorties/fiches/cloture-et-suite.pdf"
    first = flat(pages_text(pdf)[0])
    assert "Documents à photocopier" in first
    links = [a["/A"].get("/URI") for a in PdfReader(str(pdf)).pages[0].get("/Annots", [])
             for a in [a.get_object()] if a.get("/A")]
    assert any(str(uri).endswith("pdf/documents/cloture-et-suite.pdf") for uri in links)


def _pgm(path: Path) -> tuple[int, int, bytes]:
    header, _, rest = path.read_bytes().partition(b"\n")
    dims, _, rest = rest.partition(b"\n")
    width, height = map(int, dims.split())
    return width, height, rest.partition(b"\n")[2]


def _band_signature(pdf: Path, tmp: Path) -> tuple[int, int]:
    """The header band of a fiche in grayscale: (dark stripes down its first column,
    dark runs along its first dark row)."""
    subprocess.run(["pdftoppm", "-gray", "-r", "100", "-f", "1", "-l", "1", "-y", "0",
                    "-H", "200", "-W", "827", str(pdf), str(tmp / pdf.stem)], check=True)
    width, height, pixels = _pgm(next(tmp.glob(f"{pdf.stem}*.pgm")))
    dark = lambda x, y: pixels[y * width + x] < 160  # noqa: E731
    top = next(y for y in range(height) if any(dark(x, y) for x in range(width)))
    left = next(x for x in range(width) if dark(x, top))
    column = [dark(left + 3, y) for y in range(top, top + 24)]
    stripes = sum(1 for a, b in zip([False] + column, column) if b and not a)
    row = [dark(x, top + 1) for x in range(width)]
    runs = sum(1 for a, b in zip([False] + row, row) if b and not a)
    return stripes, runs


def test_axis_bands_differ_in_black_and_white(corpus_build, tmp_path):
    """Four axis colours print as nearly the same grey: each axis band has its own
    pattern (solid, double, dashed, dotted), told apart on the grayscale render."""
    by_axis = {}
    for path in sorted((corpus_build / "workshops").glob("*.md")):
        axis = re.search(r"^axe: *(\S+)", path.read_text(encoding="utf-8"), re.M).group(1)
        by_axis.setdefault(axis, corpus_build / "sorties/fiches" / f"{path.stem}.pdf")
    assert len(by_axis) == 4
    signatures = {axis: _band_signature(pdf, tmp_path) for axis, pdf in by_axis.items()}
    assert len(set(signatures.values())) == 4, signatures


def test_workshop_page_links_its_handout_pack(tmp_path):
    from powao import outputs
    from powao.pipeline import PDF_KINDS, load_and_check
    from powao.site import SiteBuilder
    from powao.templating import Templates
    from powao.urls import Urls
    projet = make_project(tmp_path / "p")
    corpus, _report = load_and_check(projet.root)
    jobs = outputs.plan(corpus, PDF_KINDS)
    builder = SiteBuilder(corpus, Templates(corpus), outputs.published(jobs))
    builder.write_docs(tmp_path / "docs")
    page = (tmp_path / "docs" / Urls(corpus).doc("atelier", "construire-son-reseau")).read_text(
        encoding="utf-8")
    found = re.search(r'<a [^>]*href="([^"]*pdf/documents/construire-son-reseau\.pdf)"[^>]*>'
                      r'(?:(?!</a>).)*Documents à photocopier \(PDF\)</a>', page, re.S)
    assert found, page[:2000]
