"""Session kits and mentor kits: what a facilitator checks on paper."""
from __future__ import annotations

import re
import subprocess

import pytest
from pypdf import PdfReader

from conftest import make_project

FICHE = "sorties/fiches-14h00/construire-son-reseau.pdf"


def pages_text(path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One fixture project, fiches and kits built once with --heure 14:00."""
    projet = make_project(tmp_path_factory.mktemp("fiches") / "projet")
    code = projet.run("fiches", "--heure", "14:00", "--jobs", "1")[0]
    assert code == 0
    code = projet.run("kits", "--jobs", "1")[0]
    assert code == 0
    return projet


def test_run_sheet_clock_times_and_total(built):
    text = flat(" ".join(pages_text(built.root / FICHE)))
    for clock in ("14 h 10", "14 h 35", "14 h 50", "15 h 30", "16 h Fin de séance"):
        assert clock in text
    assert "Début à 14 h ;" in text
    assert "total 2 h" in text
    assert "10 min" in text and "40 min" in text
    positions = [text.index(c) for c in ("14 h 10", "14 h 35", "14 h 50", "15 h 30")]
    assert positions == sorted(positions)
    assert not re.search(r"\b\d{1,2}:\d\d\b", text), "a time printed HH:MM"


def test_material_quantities_for_the_group(built):
    text = flat(" ".join(pages_text(built.root / FICHE)))
    assert re.search(r"Post-it 40 10 par jeune × 4", text)
    assert "Quantités calculées pour 4 jeunes et 2 mentors" in text


def test_start_time_override(tmp_path, capsys):
    projet = make_project(tmp_path / "p")
    code, _out, err = projet.run("fiches", "--heure", "9 h 30", "--jobs", "1", capsys=capsys)
    assert code == 0
    assert "Fiches : séances commençant à 9\u00a0h\u00a030." in err
    text = flat(" ".join(pages_text(projet.root / "sorties/fiches-09h30/construire-son-reseau.pdf")))
    assert "Début à 9 h 30 ;" in text
    for clock in ("9 h 40", "10 h 05", "10 h 20", "11 h"):
        assert clock in text


def test_handouts_start_a_page_without_facilitator_notes(built):
    pages = pages_text(built.root / FICHE)
    handout = [i for i, t in enumerate(pages)
               if "document participant" in t.lower() and "Ma carte réseau" in t]
    assert handout, "the handout page is missing"
    page = flat(pages[handout[0]])
    # The band printed in capitals by the stylesheet
    assert page.lstrip().lower().startswith("construire son réseau · document participant")
    for facilitator in ("Déroulé", "Matériel", "Objectifs", "Conseils d'animation",
                        "Cadre de sécurité", "Ce que fait l'animateur"):
        assert facilitator not in page
    # the page before the handout belongs to the facilitator part
    assert "document participant" not in flat(pages[handout[0] - 1]).lower()


def test_feedback_sheet_and_safety_box(built):
    pages = [flat(t) for t in pages_text(built.root / FICHE)]
    assert any("Ton avis sur la séance" in p and "Ne mets pas ton nom" in p for p in pages)
    joined = " ".join(pages)
    assert "Cadre de sécurité" in joined
    assert "Personne n'est obligé de parler de sa famille" in joined or \
        "Personne n’est obligé de parler de sa famille" in joined
    assert "Le binôme de mentors" in joined  # who to alert, from programme data
    assert "17 (Police secours)" in joined


def test_qr_code_points_at_the_workshop_page(built):
    text = flat(pages_text(built.root / FICHE)[0])
    url = "https://mentorat.powao.fr/ateliers/insertion-professionnelle/construire-son-reseau.html"
    assert url.replace("/", "") in text.replace("/", "").replace(" ", "")


def test_metadata_fonts_and_tags(built):
    reader = PdfReader(str(built.root / FICHE))
    assert reader.metadata.title == "Fiche de séance — Construire son réseau"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    info = subprocess.run(["pdfinfo", str(built.root / FICHE)], capture_output=True, text=True)
    assert "Tagged:          yes" in info.stdout
    fonts = subprocess.run(["pdffonts", str(built.root / FICHE)], capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line.split("CID")[-1] or "yes yes" in line for line in fonts)
    assert all(re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)", l).group(1) == "yes" for l in fonts)
    assert footer_ok(pages_text(built.root / FICHE))


def footer_ok(pages: list[str]) -> bool:
    """Every printed page has its folio; the blank versos left so that each handout
    starts on a right-hand page are unnumbered and empty."""
    total = len(pages)
    printed = [(n, text) for n, text in enumerate(pages, start=1) if text.strip()]
    return len(printed) >= total - total // 2 and all(
        f"page {n} / {total}" in flat(text) for n, text in printed)


def _toc(pages: list[str]) -> list[tuple[str, int]]:
    page = next(p for p in pages if "Sommaire" in p)
    entries = []
    for line in page.splitlines():
        found = re.match(r"^(.*?)[ .]*\.{3,}\s*(\d+)$", line.strip())
        if found:
            entries.append((found.group(1).strip(" ."), int(found.group(2))))
    return entries


@pytest.mark.parametrize("kit", ["cycle-test", "formation-initiale"])
def test_kit_toc_page_numbers_bookmarks_and_right_hand_starts(built, kit):
    path = built.root / f"sorties/kits/{kit}.pdf"
    reader = PdfReader(str(path))
    pages = [flat(p.extract_text() or "") for p in reader.pages]
    toc = _toc([p.extract_text() or "" for p in reader.pages])
    assert len(toc) >= 4, toc
    outline = {item.title: reader.get_destination_page_number(item) + 1
               for item in reader.outline if not isinstance(item, list)}
    for title, number in toc:
        heading = re.sub(r"^(Séance \d+ \(mois \d+\) : |Module \d+ : )", "", flat(title))
        assert flat(heading)[:40] in pages[number - 1], (title, number)
        assert any(flat(heading)[:30] in flat(t) and p == number for t, p in outline.items()), \
            (title, number, outline)
        if title.startswith(("Séance", "Module")):
            assert number % 2 == 1, f"{title} starts on page {number}, a left-hand page"


def test_build_without_libharfbuzz_or_with_it_gives_same_text(built):
    # The kit's text is independent of the machine: the safety page is in every kit.
    text = " ".join(pages_text(built.root / "sorties/kits/cycle-test.pdf"))
    assert "Le cadre de sécurité" in text


def _outline(reader: PdfReader, items=None, depth: int = 0) -> list[tuple[int, str, int]]:
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += _outline(reader, item, depth + 1)
        else:
            found.append((depth, item.title, reader.get_destination_page_number(item) + 1))
    return found


def _link_pages(reader: PdfReader, page_index: int) -> list[int]:
    """Pages the internal links of one page lead to, in order."""
    targets = []
    for annot in reader.pages[page_index].get("/Annots") or []:
        annot = annot.get_object()
        dest = annot.get("/Dest") or (annot.get("/A") or {}).get("/D")
        if dest is None:
            continue
        if isinstance(dest, str):
            dest = reader.named_destinations[dest]
            targets.append(reader.get_destination_page_number(dest) + 1)
        else:
            targets.append(reader.get_page_number(dest[0].get_object()) + 1)
    return targets


def _roles(reader: PdfReader) -> list[str]:
    """The structure tree's element types (PDF tags), depth first."""
    roles, stack = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            stack += reversed(node)
            continue
        if not hasattr(node, "get"):
            continue
        if "/S" in node:
            roles.append(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)
    return roles


def _furniture(text: str) -> tuple[list[str], str]:
    """A binder page's running head lines and folio, and its text without them."""
    lines = text.splitlines()
    heads = [line for line in lines if line.startswith("Kit mentor — ")]
    folio = [re.sub(r".*?(page \d+ / \d+).*", r"\1", line) for line in lines
             if re.search(r"page \d+ / \d+", line)]
    rest = [re.sub(r"\s*page \d+ / \d+\s*", " ", line) for line in lines
            if not line.startswith("Kit mentor — ")]
    return heads + folio, flat(" ".join(rest))


def _layouts(monkeypatch) -> list[str]:
    """The HTML of each document laid out from now on (not the reuses of kept ones)."""
    from powao import pdf
    laid_out: list[str] = []
    real = pdf.lay_out

    def spy(html, root, base_url, *args, **kwargs):
        if pdf.kept_layout(html, root, base_url) is None:
            laid_out.append(html)
        return real(html, root, base_url, *args, **kwargs)
    monkeypatch.setattr(pdf, "lay_out", spy)
    return laid_out


def _measured_afresh(built):
    """The fixture's templates and its workshop with handouts, nothing of it measured
    or laid out yet (no PDF cache, no layout or measure kept by this process)."""
    import shutil

    from powao import fiches, pdf
    from powao.content import load_and_check
    from powao.templating import Templates
    t = Templates(load_and_check(built.root)[0])
    shutil.rmtree(built.root / ".cache" / "pdf", ignore_errors=True)
    pdf.forget_layouts()
    fiches._fits.clear()
    return t, t.corpus.ateliers["construire-son-reseau"]


@pytest.mark.parametrize("fiche", ["composee", "entiere"])
def test_a_handout_pack_made_of_its_fiches_pages_reads_as_one_laid_out_alone(
        built, tmp_path, monkeypatch, fiche):
    """A handout that had to be tightened makes the layout that measured it obsolete:
    the fiche's job then writes the handout pack from the fiche's laid-out handout
    pages (no second layout of the handouts), with the same pages, text, footers and
    folios counted in the pack, bookmarks, link targets, tags and metadata as the pack
    laid out on its own; whether the fiche took its handout pages from their measure
    (« composee ») or was laid out whole (« entiere »: its own anchors run on over its
    handout pages, and are not the pack's)."""
    from powao import fiches, pdf
    t, atelier = _measured_afresh(built)  # both packs made here
    pack = fiches.documents_html(t, atelier)
    first = re.search(r'<section class="document serre-0" id="([^"]+)"', pack).group(1)
    monkeypatch.setattr(fiches, "fit_handouts", lambda t, atelier: {first: 1})
    if fiche == "entiere":
        monkeypatch.setattr(fiches, "_composed", lambda *args: None)
    laid_out = _layouts(monkeypatch)
    fiches.build_fiche(t, atelier, tmp_path / "fiche.pdf")
    fiches.build_documents(t, atelier, tmp_path / "assemble.pdf", findings=[])
    pack = fiches.documents_html(t, atelier)
    assert 'class="document serre-1"' in pack
    assert pack not in laid_out, "the pack's handouts were laid out again"
    assert len(laid_out) == 2 and 'class="habillage habillage-document' in laid_out[1]
    monkeypatch.undo()
    import shutil
    shutil.rmtree(built.root / ".cache" / "pdf")  # else the reference is the assembled pack
    pdf.forget_layouts()
    laid_out = _layouts(monkeypatch)
    pdf.write_pdf(pack, tmp_path / "seul.pdf", built.root)
    assert pack in laid_out, "the reference is laid out on its own"
    assembled = PdfReader(str(tmp_path / "assemble.pdf"))
    reference = PdfReader(str(tmp_path / "seul.pdf"))
    texts = [p.extract_text() or "" for p in assembled.pages]
    assert len(texts) == len(reference.pages) >= 3
    assert texts == [p.extract_text() or "" for p in reference.pages]
    assert f"— document participant page 1 / {len(texts)}" in flat(texts[0])
    assert "Ton avis sur la séance" in texts[-1]
    assert _outline(assembled) == _outline(reference) and _outline(assembled)
    assert list(assembled.named_destinations) == list(reference.named_destinations)
    assert _roles(assembled) == _roles(reference)
    assert assembled.metadata.title == reference.metadata.title == \
        f"Documents à photocopier — {atelier.titre}"


def test_each_handout_is_tightened_to_the_lowest_step_that_fits(tmp_path, monkeypatch):
    """Real handouts that run over their page a little, more, and by far: each gets the
    lowest tightening step whose layout fits (found here step by step), the last step
    when none does; one that runs over by far is measured at the second step first, and
    never laid out at the first step when it needs the third."""
    import shutil

    from conftest import REPO
    from powao import fiches, pdf
    from powao.content import load_and_check
    from powao.preflight import handout_use, scan_page
    from powao.templating import Templates
    root = tmp_path / "projet"
    for name in ("templates", "content", "workshops", "trainings", "whitepaper"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    pdf.forget_layouts()
    fiches._fits.clear()
    t = Templates(load_and_check(root)[0])
    base_url = (root / "templates" / "print").as_uri() + "/"

    def fits(atelier, section: str, step: int) -> bool:
        html = fiches.documents_html(t, atelier, serrage={section: step}, seuls={section})
        pages = [scan_page(p) for p in pdf.lay_out(html, root, base_url, "x.pdf").pages]
        return all(e["used"] <= e["declared"] for e in handout_use(pages).values())

    found = set()
    lowest: dict[str, int] = {}
    # As built; then with every overflowing handout tried at the second step first.
    for saut in (fiches.SERRAGE_SAUT, 0.0):
        monkeypatch.setattr(fiches, "SERRAGE_SAUT", saut)
        shutil.rmtree(root / ".cache", ignore_errors=True)
        t = Templates(t.corpus)
        for ident in ("apprendre-a-apprendre", "viser-plus-haut", "construire-son-reseau"):
            atelier = t.corpus.ateliers[ident]
            laid_out = _layouts(monkeypatch)
            levels = fiches.fit_handouts(t, atelier)
            measuring = list(laid_out)
            assert levels, f"{ident}: a handout of the real content overflows its page"
            for section, level in levels.items():
                if section not in lowest:
                    lowest[section] = next((step for step in range(fiches.SERRAGE_MAX)
                                            if fits(atelier, section, step)), fiches.SERRAGE_MAX)
                assert level == lowest[section], (saut, ident, section)
                first_step = [h for h in measuring if f'serre-1" id="{section}"' in h]
                if level == fiches.SERRAGE_MAX:
                    assert not first_step, f"{section} was measured at the first step"
                found.add(level)
            fiches._fits.clear()
    assert found == {1, 2, 3}


def test_a_handout_pack_with_nothing_to_tighten_is_laid_out_once(built, monkeypatch):
    """Measuring the handouts lays the pack out; when nothing had to be tightened, that
    layout is the pack's PDF."""
    from powao import fiches, pdf
    t, atelier = _measured_afresh(built)
    laid_out = _layouts(monkeypatch)
    fiches.build_fiche(t, atelier, built.root / "sorties" / "f.pdf")
    fiches.build_documents(t, atelier, built.root / "sorties" / "d.pdf")
    assert fiches.fit_handouts(t, atelier) == {}
    packs = [h for h in laid_out if "paquet-documents" in h]
    assert packs == [fiches.documents_html(t, atelier)]


def test_a_binder_assembled_from_its_fiches_pages_reads_as_a_full_layout(built, tmp_path):
    """The cycle binder is assembled from the laid-out pages of its fiches (each laid out
    once, for its own PDF and for the binder): its table of contents, bookmarks, links,
    tags, running heads and folios are those of the binder laid out as one document, and
    its text is its front matter followed by its fiches, page by page."""
    from powao import fiches
    from powao.content import load_and_check
    from powao.templating import Templates
    corpus, _report = load_and_check(built.root)
    t = Templates(corpus)
    full = tmp_path / "complet.pdf"
    fiches.build_kit(t, "cycle", "cycle-test", full, assemble=False)
    assert fiches.assemble_kit(t, "cycle-test", tmp_path / "assemble.pdf") is not None
    assembled = PdfReader(str(tmp_path / "assemble.pdf"))
    reference = PdfReader(str(full))
    assert len(assembled.pages) == len(reference.pages)
    assert _outline(assembled) == _outline(reference)
    assert len(_outline(assembled)) > 10
    texts = [p.extract_text() or "" for p in assembled.pages]
    whole = [p.extract_text() or "" for p in reference.pages]
    toc = next(i for i, text in enumerate(texts) if "Sommaire" in text)
    assert _toc(texts) == _toc(whole)
    assert _link_pages(assembled, toc) == _link_pages(reference, toc)
    assert set(_link_pages(assembled, toc)) == {number for _title, number in _toc(texts)}
    assert assembled.trailer["/Root"]["/MarkInfo"]["/Marked"]
    # Tags: the same elements; the full layout only wraps each fiche in one more
    # block (its <div class="kit-fiche">), the assembled one has the fiche's own tree.
    wrappers = {"/Div", "/NonStruct"}
    assert [r for r in _roles(assembled) if r not in wrappers] == \
        [r for r in _roles(reference) if r not in wrappers]
    assert _roles(assembled).count("/H1") == _roles(reference).count("/H1") >= 5
    # The binder's furniture on every page: running head « Kit mentor — … · Séance n :
    # titre » (not on a session's first page), folio « page 23 / 64 » counted in the
    # binder, as in the whole layout.
    furniture = [_furniture(text)[0] for text in texts]
    assert furniture == [_furniture(text)[0] for text in whole]
    heads = [h for page in furniture for h in page if "· Séance" in h]
    assert len(heads) >= 3 and all(f"page {n} / {len(texts)}" in page or not page
                                   for n, page in enumerate(furniture, start=1))
    # Text: the front matter, then each session's fiche exactly as printed alone.
    parts: list[str] = []
    for n, seance in enumerate(corpus.cycles["cycle-test"].seances, start=1):
        alone = tmp_path / f"seance-{n}.pdf"
        fiches.build_fiche(t, corpus.ateliers[seance.atelier], alone)
        pages = [_furniture(p.extract_text() or "")[1]
                 for p in PdfReader(str(alone)).pages]
        assert pages and pages[0].strip()
        parts += pages
    flats = [_furniture(text)[1] for text in texts]
    first = flats.index(parts[0])  # the first session's first page
    front, body = flats[:first], flats[first:]
    assert [flat(t) for t in texts[:first]] == [flat(t) for t in whole[:first]]
    assert "Sommaire" in " ".join(front) and "Le calendrier des séances" in " ".join(front)
    # Blank pages (a session or a handout starts on a right-hand page) aside, the
    # binder's pages after its front matter are its fiches' pages, in order.
    assert [text for text in body if text.strip()] == [text for text in parts if text.strip()]
    assert len(body) >= len(parts)
    assert f"page 2 / {len(texts)}" in texts[1]  # binder folios up front (not the cover)

def _drawn(monkeypatch) -> list:
    """The pages WeasyPrint draws from now on (not those replayed, see powao.redraw)."""
    import weasyprint.document
    drawn: list = []
    real = weasyprint.document.draw_page

    def spy(page_box, stream):
        drawn.append(page_box)
        return real(page_box, stream)
    monkeypatch.setattr(weasyprint.document, "draw_page", spy)
    return drawn


def test_a_binder_written_again_draws_only_the_edited_sessions_pages(
        built, tmp_path, monkeypatch):
    """The live preview writes a cycle's binder again after each save: the pages of the
    sessions and front matter that did not change are replayed, not drawn, and the file
    is the same, byte for byte, as the binder drawn whole."""
    import shutil

    from powao import fiches, pdf, redraw
    from powao.content import load_and_check
    from powao.templating import Templates
    root = tmp_path / "projet"
    shutil.copytree(built.root, root, ignore=shutil.ignore_patterns("sorties", ".cache"))
    pdf.forget_layouts()
    redraw.forget()
    t = Templates(load_and_check(root)[0])
    assert fiches.assemble_kit(t, "cycle-test", tmp_path / "avant.pdf", share=False)
    path = root / "workshops" / "organiser-sa-semaine.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Pour s'organiser.", "Pour s'organiserrevu."), encoding="utf-8")
    t = Templates(load_and_check(root)[0])
    drawn = _drawn(monkeypatch)
    assert fiches.assemble_kit(t, "cycle-test", tmp_path / "apres.pdf", share=False)
    again = PdfReader(str(tmp_path / "apres.pdf"))
    edited = [n for n, page in enumerate(again.pages) if "organiserrevu" in
              (page.extract_text() or "")]
    assert edited, "the edit is in the binder written again"
    # The edited session's pages are drawn (the fiche was laid out again), not the rest.
    alone = PdfReader(str(tmp_path / "avant.pdf"))
    fiche = pdf.kept_layout(fiches.fiche_html(t, t.corpus.ateliers["organiser-sa-semaine"]),
                            root, (root / "templates" / "print").as_uri() + "/")
    assert len(alone.pages) == len(again.pages) >= 3 * len(fiche.pages)
    assert 1 <= len(drawn) <= len(fiche.pages)
    drawn.clear()
    redraw.forget()
    assert fiches.assemble_kit(t, "cycle-test", tmp_path / "entier.pdf", share=False)
    assert len(drawn) == len(again.pages)
    assert (tmp_path / "apres.pdf").read_bytes() == (tmp_path / "entier.pdf").read_bytes()


def test_a_page_that_adds_resources_to_the_pdf_is_drawn_each_time(tmp_path, monkeypatch):
    """Replaying is for pages whose drawing stays within their own stream: a page with a
    transparency group (opacity) or an image is drawn again at each write; the files are
    the same as drawn whole."""
    from powao import pdf, redraw
    from conftest import REPO
    html = ('<html lang="fr"><head><title>Essai</title></head><body>'
            '<p>Une page ordinaire, en <b>gras</b> et <i>italique</i>.</p>'
            '<p style="break-before: page; opacity: .5">Une page translucide.</p>'
            '<p style="break-before: page; color: rgba(0, 0, 0, .6)">Une couleur.</p>'
            '<p style="break-before: page"><img alt="Point" src="data:image/png;base64,'
            'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJ'
            'RU5ErkJggg=="></p></body></html>')
    document = pdf.lay_out(html, REPO, (REPO / "templates" / "print").as_uri() + "/", "e.pdf")
    redraw.forget()
    pdf.write_document(document, tmp_path / "1.pdf", html, redraw="essai")
    drawn = _drawn(monkeypatch)
    pdf.write_document(document, tmp_path / "2.pdf", html, redraw="essai")
    assert len(document.pages) == 4
    assert drawn == [document.pages[1]._page_box, document.pages[3]._page_box], \
        "only the translucent page and the image's are drawn again"
    redraw.forget()
    pdf.write_document(document, tmp_path / "3.pdf", html, redraw="essai")
    assert (tmp_path / "2.pdf").read_bytes() == (tmp_path / "3.pdf").read_bytes()
    assert "Une couleur." in (PdfReader(str(tmp_path / "2.pdf")).pages[2].extract_text())


def test_a_shared_page_is_replayed_only_where_drawing_it_would_write_the_same(
        tmp_path, monkeypatch):
    """The kerning WeasyPrint writes depends on each glyph's width, measured where the
    document first draws it: « ☐ » (from a fallback font) measures a thousandth of an
    em more at 10 pt than at 12 pt. A page shared with a document that first drew it at
    10 pt is drawn again in one that first meets it on that page, at 12 pt; a page that
    meets it first in both is replayed. Either way the file is the one drawn whole."""
    from powao import pdf, redraw
    from conftest import REPO
    html = ('<html lang="fr"><head><title>Essai</title><link rel="stylesheet" '
            'href="base.css"></head><body><p style="font-size: 10pt">☐ Oui</p>'
            '<p style="break-before: page; font-size: 12pt">☐ Non</p></body></html>')
    whole = pdf.lay_out(html, REPO, (REPO / "templates" / "print").as_uri() + "/", "e.pdf")

    def written(name: str, pages: list) -> bytes:
        pdf.write_document(whole.copy(pages), tmp_path / name, html)
        return (tmp_path / name).read_bytes()

    def shared(page) -> tuple[bytes, int]:
        with redraw.reusing():
            written("entier.pdf", whole.pages)
            count = redraw.replayed()
            data = written("partage.pdf", [page])
            return data, redraw.replayed() - count

    first, replays = shared(whole.pages[0])
    assert replays >= 1 and first == written("seule-1.pdf", [whole.pages[0]])
    second, _replays = shared(whole.pages[1])
    assert second == written("seule-2.pdf", [whole.pages[1]])
    monkeypatch.setattr(redraw, "_replayable", lambda drawing, stream: True)
    forced, _replays = shared(whole.pages[1])
    assert forced != second, "replayed regardless, the 12 pt page would differ"


def _run_jobs(root, tmp_path, name: str, monkeypatch) -> tuple[dict[str, bytes], dict[str, int]]:
    """A build's jobs in one render process, from an empty cache: the fiches with their
    packs, then the binders (each binder's fiches laid out by its own job). The files
    they write, and how many page children each job replayed."""
    import shutil

    from powao import fiches, outputs, pdf, redraw
    from powao.content import load_and_check
    from powao.templating import Templates
    out = tmp_path / name
    replays = {}
    for which in ({"fiches", "documents"}, {"kits"}):
        shutil.rmtree(root / ".cache", ignore_errors=True)
        pdf.forget_layouts()
        for memo in (fiches._fits, fiches._FICHE_HTML, fiches._MEASURED):
            memo.clear()  # the process's memos: each run measures and lays out afresh
        corpus = load_and_check(root)[0]
        monkeypatch.setitem(outputs._state, "templates", Templates(corpus))
        monkeypatch.setitem(outputs._state, "options", {})
        for job in outputs.plan(corpus, which):
            before = redraw.replayed()
            _job, pages, error, _findings = outputs._run(job, str(out))
            assert pages and not error, error
            replays[job.label] = redraw.replayed() - before
    return ({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.pdf"))},
            replays)


def test_a_build_job_draws_the_pages_its_documents_share_once(built, tmp_path, monkeypatch):
    """A build's job writes documents that share laid-out pages: a fiche and its handout
    pack, a binder and the fiches it is assembled from. What is drawn on a shared page
    (its root element's box) is replayed, not drawn again, when it would draw the same;
    the files are the same, byte for byte, as when every page is drawn."""
    import shutil
    from contextlib import nullcontext

    from powao import redraw
    root = tmp_path / "projet"
    shutil.copytree(built.root, root, ignore=shutil.ignore_patterns("sorties", ".cache"))
    shared, replays = _run_jobs(root, tmp_path, "partage", monkeypatch)
    monkeypatch.setattr(redraw, "reusing", nullcontext)
    drawn, none = _run_jobs(root, tmp_path, "dessine", monkeypatch)
    assert not any(none.values())
    assert shared.keys() == drawn.keys() and len(shared) >= 5
    assert [name for name in shared if shared[name] != drawn[name]] == []
    assert replays["kits/cycle-test.pdf"] >= 3, "the binder replays its sessions' pages"
    assert any(replays[label] for label in replays if label.startswith("fiches/")), \
        "a handout pack replays its fiche's handout pages"


def test_a_fiche_takes_its_handouts_pages_from_the_layouts_that_measured_them(
        built, tmp_path, monkeypatch):
    """Measuring a workshop's handouts lays them out (tightened where they overflow):
    the fiche then lays out only its own pages, in a frame, and takes each handout page
    from the layout that measured it. It reads as the fiche laid out whole: same pages,
    text, footers and folios, bookmarks, links, tags and metadata."""
    from powao import fiches, pdf
    t, atelier = _measured_afresh(built)
    laid_out = _layouts(monkeypatch)
    fiches.build_fiche(t, atelier, tmp_path / "fiche.pdf", pack=False)
    html = fiches.fiche_html(t, atelier)
    assert html not in laid_out, "the fiche was laid out whole"
    frames = [h for h in laid_out if 'class="fiche' in h]
    assert len(frames) == 1 and 'class="habillage habillage-document recto"' in frames[0]
    assert '<section class="document' not in frames[0], "its handouts were laid out again"
    assert all('class="fiche' not in h for h in laid_out if '<section class="document' in h)
    monkeypatch.undo()
    base_url = (built.root / "templates" / "print").as_uri() + "/"
    composed = pdf.kept_layout(html, built.root, base_url)
    pdf.forget_layouts()  # else lay_out gives back the composed fiche the process keeps
    entire = pdf.lay_out(html, built.root, base_url, "entiere.pdf")
    assert entire is not composed
    pdf.write_document(entire, tmp_path / "entiere.pdf", html)
    made = PdfReader(str(tmp_path / "fiche.pdf"))
    whole = PdfReader(str(tmp_path / "entiere.pdf"))
    texts = [p.extract_text() or "" for p in made.pages]
    assert len(texts) == len(whole.pages) >= 3
    assert texts == [p.extract_text() or "" for p in whole.pages]
    assert any("Ton avis sur la séance" in text for text in texts)
    assert _outline(made) == _outline(whole) and len(_outline(made)) >= 3
    assert [_link_pages(made, n) for n in range(len(texts))] == \
        [_link_pages(whole, n) for n in range(len(texts))]
    assert _roles(made) == _roles(whole) and "/Table" in _roles(made)
    assert made.metadata.title == whole.metadata.title == f"Fiche de séance — {atelier.titre}"


def _column_shares(document, header: str) -> list[float]:
    """Widths of the columns of the laid-out table whose first header is `header`, as
    shares of the table's width."""
    from weasyprint.formatting_structure.boxes import TableBox, TableCellBox
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, TableBox):
                cells = [b for b in box.descendants() if isinstance(b, TableCellBox)]
                if cells and "".join(cells[0].element.itertext()).strip() == header:
                    row = [c for c in cells if c.position_y == cells[0].position_y]
                    return [c.border_width() / box.width for c in row]
    raise AssertionError(f"no table headed « {header} »")


def test_a_handout_answer_column_beside_long_questions_is_wide_enough_to_write_in(tmp_path):
    """An empty column of a handout's table is where the participant writes: beside long
    questions it gets a third of the table, not its header's width; a table whose
    write-in columns already have room, and one that is all write-in, keep their
    proportions."""
    from powao import fiches, pdf
    from powao.content import load_and_check
    from powao.templating import Templates
    projet = make_project(tmp_path / "projet")
    questions = "".join(f"| Une piste à explorer n° {i} (un métier, un secteur, une formation, une "
                        "envie) | |\n" for i in range(1, 5))
    projet.replace("workshops/construire-son-reseau.md", "| Personne | Ce qu'elle peut m'apporter |",
                   "| Ce que je retiens | Ma réponse |\n|---|---|\n" + questions +
                   "\n| Critère | Formation A | Formation B |\n|---|---|---|\n"
                   "| Le coût | | |\n\n| Personne | Ce qu'elle peut m'apporter |")
    t = Templates(load_and_check(projet.root)[0])
    html = fiches.documents_html(t, t.corpus.ateliers["construire-son-reseau"])
    document = pdf.lay_out(html, projet.root, fiches.print_base(projet.root), "pack.pdf")
    question, answer = _column_shares(document, "Ce que je retiens")
    assert answer >= 0.33, f"« Ma réponse » : {answer:.0%} de la largeur du tableau"
    assert question > answer
    _criterion, *formations = _column_shares(document, "Critère")
    assert all(share > 0.2 for share in formations), formations
    assert html.count("<colgroup>") == 1  # only the starved table is changed


def test_a_written_fiche_leaves_nothing_for_the_garbage_collector(projet):
    """A render process frees a document's layout as soon as it drops it: no reference
    cycle (WeasyPrint's layout context, its target lookups, an SVG's definitions, the
    preflight's page walk) leaves the layout to a pass of the garbage collector, which
    walked some 50 000 objects at the end of each fiche job."""
    import gc

    from weasyprint.layout import LayoutContext

    from powao import fiches, pdf
    from powao.content import load_and_check
    from powao.preflight import Leaf, scan_page
    from powao.templating import Templates
    root = projet.root
    t = Templates(load_and_check(root)[0])
    atelier = t.corpus.ateliers["construire-son-reseau"]
    html = fiches.fiche_html(t, atelier)
    assert "<svg" in html and ' id="' in html  # a QR code; anchors (target lookups)

    def alive(kind) -> int:
        return sum(isinstance(o, kind) for o in gc.get_objects())

    gc.collect()
    gc.disable()
    try:
        document = pdf.lay_out(html, root, pdf.print_base(root), "fiche.pdf")
        pages = len(document.pages)
        scans = [scan_page(page) for page in document.pages]
        assert pdf.write_document(document, root / "fiche.pdf", html) == pages
        assert sum(len(scan.leaves) for scan in scans) > 100
        del document, scans
        assert alive(LayoutContext) == 0
        assert alive(Leaf) == 0
    finally:
        gc.enable()
