"""The mentor's Saturday, in a real browser: help in one tap, tel: links, search by
questions (the project's own content, over http and file://), « Mon groupe, mon
horaire », the cycle page width, the French 404.

Two sites are built once for the module, without PDFs: the small fixture project
(tests/conftest.py) and the project's real content (copied to a temporary folder).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect  # noqa: E402

from browser import CHROMIUM, chromium, serve, squash  # noqa: E402
from conftest import REPO, make_project  # noqa: E402

if not Path(CHROMIUM).exists():  # pragma: no cover - depends on the machine
    pytest.skip(f"{CHROMIUM} absent (paquet Debian chromium)", allow_module_level=True)

ATELIER = "ateliers/insertion-professionnelle/construire-son-reseau.html"
QUESTIONS = yaml.safe_load((REPO / "tests" / "data" / "questions-recherche.yml").read_text("utf-8"))
EMERGENCY = ["17", "15", "112", "3114", "3919", "119"]


def build_site(root: Path) -> Path:
    """The site alone (no PDF), as build.py builds it: docs tree, then MkDocs."""
    from powao.content import load_and_check
    from powao.site import SiteBuilder, run_mkdocs
    from powao.templating import Templates
    corpus, _report = load_and_check(root)
    builder = SiteBuilder(corpus, Templates(corpus), {}, "public")
    docs, site = root / ".stage" / "docs", root / ".stage" / "site"
    builder.write_docs(docs)
    messages = run_mkdocs(builder.config(docs, site), root / ".stage" / "mkdocs.yml")
    assert not [m for m in messages if "Aborted" in m], messages
    return site


@pytest.fixture(scope="module")
def petit_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("petit-site")
    make_project(root)
    return build_site(root)


@pytest.fixture(scope="module")
def vrai_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("vrai-site")
    make_project(root, files={})
    for name in ("content", "workshops", "trainings", "whitepaper"):
        shutil.copytree(REPO / name, root / name)
    return build_site(root)


def zensical_build(site: Path, tmp: Path) -> Path:
    """The same generated tree and config, built by Zensical (pinned in the dev
    requirements) instead of MkDocs."""
    import subprocess
    import sys
    stage = site.parent
    work = tmp / "zensical"
    for name in ("docs", "docs-theme"):
        shutil.copytree(stage / name, work / name)
    shutil.copy(stage / "mkdocs.yml", work / "mkdocs.yml")
    exe = Path(sys.executable).parent / "zensical"
    done = subprocess.run([str(exe), "build", "-f", "mkdocs.yml"], cwd=work, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (work / "site" / "index.html").is_file()
    return work / "site"


def built_by(engine: str, site: Path, tmp_path_factory, name: str) -> Path:
    """The site as MkDocs built it, or the same tree built by Zensical."""
    if engine == "mkdocs":
        return site
    pytest.importorskip("zensical")
    return zensical_build(site, tmp_path_factory.mktemp(f"{name}-zensical"))


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def petit(request, petit_site, tmp_path_factory) -> Path:
    return built_by(request.param, petit_site, tmp_path_factory, "petit")


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def vrai(request, vrai_site, tmp_path_factory) -> Path:
    return built_by(request.param, vrai_site, tmp_path_factory, "vrai")


ZENSICAL_SEARCH_GAP = (
    "lacune de Zensical 0.0.73 : son dialogue de recherche (shadow DOM) reste en anglais "
    "(« Search », « Search results ») malgré theme.language: fr, et il ignore search.lang: fr "
    "sans avertir. Ses résultats viennent bien du moteur de la chaîne (questions, accents, "
    "vocabulaire), mais leurs aperçus sont ceux de son propre index (les termes du glossaire "
    "n'y sont pas des entrées séparées).")


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        context.set_default_timeout(8_000)
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()


# ------------------------------------------------------------------------ help in one tap

def test_help_in_one_tap_on_a_phone(new_page, petit):
    page = new_page(360, 800)
    with serve(petit) as base:
        page.goto(base + ATELIER)
        control = page.locator("a.powao-aide")
        expect(control).to_be_visible()
        expect(control).to_have_text("En cas de problème")
        page.mouse.wheel(0, 3000)  # still there once the page is scrolled
        expect(control).to_be_in_viewport()
        control.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("en-cas-de-probleme.html#la-chaine-d-alerte"), page.url
        expect(page.locator("h2#la-chaine-d-alerte")).to_be_in_viewport()
        expect(page.locator("ol.powao-alerte")).to_be_in_viewport()
        expect(page.locator("a[href='tel:17']").first).to_be_in_viewport()


def test_safety_links_land_on_a_section(new_page, petit):
    page = new_page()
    with serve(petit) as base:
        for path in (ATELIER, "en-cas-de-probleme.html", "index.html"):
            page.goto(base + path)
            hrefs = page.locator("article a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
            safety = [h for h in hrefs if h and re.search(r"(cadre-de-securite|en-cas-de-probleme)\.html", h)
                      and "/formation/" not in h]
            assert all("#" in h for h in safety), (path, safety)
        page.goto(base + ATELIER)
        chain = page.locator(".powao-securite a", has_text="chaîne d’alerte")
        expect(chain).to_have_count(1)
        with page.expect_navigation():
            chain.click()
        assert page.url.endswith("cadre-de-securite.html#la-chaine-d-alerte"), page.url
        expect(page.locator("#la-chaine-d-alerte")).to_be_in_viewport()


def test_every_emergency_number_is_a_tel_link(new_page, vrai_site):
    page = new_page(360, 800)
    page.goto((vrai_site / "cadre-de-securite.html").as_uri())
    links = page.locator("article a[href^='tel:']").evaluate_all(
        "as => as.map(a => [a.getAttribute('href'), a.textContent])")
    for number in EMERGENCY:
        assert [f"tel:{number}", number] in [list(x) for x in links], (number, links)
    text = page.locator("article").evaluate(
        "a => { const c = a.cloneNode(true); c.querySelectorAll('a').forEach(x => x.remove());"
        " return c.textContent; }")
    for number in EMERGENCY:  # no number left as plain text after « le » / « au »
        assert not re.search(rf"\b(?:le|au)[\s\u00a0\u202f]+{number}\b", text), number


def test_alert_channel_follows_its_audience(vrai_site, tmp_path):
    public = (vrai_site / "en-cas-de-probleme.html").read_text("utf-8")
    assert "Ligne d’alerte du programme" in public or "Ligne d'alerte du programme" in public
    assert "01 23 45 67 89" not in public and "tel:+33123456789" not in public
    assert "formation initiale" in public  # where mentors find it
    from powao.content import load_and_check
    from powao.site import SiteBuilder
    from powao.templating import Templates
    root = vrai_site.parent.parent
    corpus, _ = load_and_check(root, edition="interne")
    builder = SiteBuilder(corpus, Templates(corpus), {}, "interne")
    aide = next(p for p in builder.pages() if p.doc == "en-cas-de-probleme.md")
    assert 'href="tel:+33123456789"' in aide.body and "01 23 45 67 89" in aide.body
    assert "coordonnées illustratives" in aide.body


# ------------------------------------------------------------------------------ search

def _ranked(page: Page, query: str) -> list[str]:
    return [r["location"] for r in page.evaluate(
        "q => new Promise(r => __powaoRecherche.chercher(q, r))", query)]


@pytest.mark.parametrize("mode", ["http", "file"])
def test_mentor_questions_find_their_section(new_page, vrai, mode):
    page = new_page(360, 800)
    with serve(vrai) as base:
        page.goto(base + "index.html" if mode == "http" else (vrai / "index.html").as_uri())
        misses = []
        for item in QUESTIONS:
            good = [item["attendu"], *item.get("ou", [])]
            top = _ranked(page, item["q"])[:3]
            if not any(loc in good for loc in top):
                misses.append(f"{item['q']!r} → {top}")
        score = 1 - len(misses) / len(QUESTIONS)
        assert len(QUESTIONS) >= 30
        assert score >= 0.9, f"{score:.0%} ({mode}) ; manqués :\n" + "\n".join(misses)


def _search_box(page: Page, zensical: bool, query: str) -> list[tuple[str, str]]:
    """Type in the engine's own search box; (link, text) of each result shown."""
    if zensical:  # a dialog in a shadow root, opened by the header button
        if not page.locator("input[role=combobox]").is_visible():
            button = page.locator(".md-search__button").first
            if not button.is_visible():  # phones: the magnifier opens the search first
                page.locator("label[for='__search']").first.click()
            if not page.locator("input[role=combobox]").is_visible() and button.is_visible():
                button.click()
        box, items = page.locator("input[role=combobox]"), "ol[role=listbox] > li"
    else:
        box, items = page.locator(".md-search__input"), ".md-search-result__item"
        if not box.is_visible():
            page.locator("label[for='__search']").first.click()
    box.fill(query)
    box.press("End")
    expect(page.locator(items).first).to_be_visible()
    out = []
    for item in page.locator(items).all()[:6]:
        links = item.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        out.append((links[-1] if links else "", squash(item.inner_text())))
    return out


def test_search_box_shows_sections_with_clean_previews(new_page, vrai, request):
    zensical = "zensical" in request.node.callspec.id
    page = new_page(360, 800)
    page.goto((vrai / "index.html").as_uri())
    results = _search_box(page, zensical, "que faire si un jeune pleure")
    assert "oser-prendre-la-parole.html" in results[0][0], results
    assert "#si-un-jeune-bloque-ou-pleure" in results[0][0], results
    assert "Si un jeune bloque ou pleure" in results[0][1], results
    results = _search_box(page, zensical, "alerte")
    hrefs = [href for href, _ in results[:3]]
    assert any("#la-chaine-d-alerte" in h or "glossaire.html" in h for h in hrefs), results
    if not zensical:  # the theme shows the toolchain's clean previews
        texts = " ".join(text for _, text in results)
        assert "Étiquettes" not in texts and "Mis à jour" not in texts
        h2 = page.locator(".md-search-result__item article h2").all_inner_texts()[:6]
        assert any("Chaîne d’alerte" == squash(t) for t in h2), h2  # the glossary term alone


def test_search_dialog_speaks_french(new_page, vrai, request):
    if "zensical" in request.node.callspec.id:
        request.applymarker(pytest.mark.xfail(reason=ZENSICAL_SEARCH_GAP, strict=True))
        page = new_page()
        page.goto((vrai / "index.html").as_uri())
        page.locator(".md-search__button").first.click()
        box = page.locator("input[role=combobox]")
    else:
        page = new_page()
        page.goto((vrai / "index.html").as_uri())
        box = page.locator(".md-search__input")
    expect(box).to_have_attribute("placeholder", "Rechercher", timeout=2_000)


# --------------------------------------------------------------------- my group, my time

def test_group_and_time_recomputed_and_remembered(new_page, petit_site, petit):
    from powao import views
    from powao.content import load_and_check
    corpus, _ = load_and_check(petit_site.parent.parent)
    atelier = corpus.ateliers["construire-son-reseau"]
    groupe = corpus.groupe(atelier).model_copy(update={"jeunes": 6})
    expected_hours = [h.debut for h in views.horaires(atelier.deroule, "10:00")]
    expected_postit = next(l for l in views.materiel(atelier.materiel, groupe) if l.article == "Post-it")

    def french(clock: str) -> str:  # « 10:05 » or « 10 h 05 » → « 10 h 05 »
        mt = re.fullmatch(r"(\d\d):(\d\d)", clock)
        if not mt:
            return squash(clock)
        h, m = int(mt.group(1)), int(mt.group(2))
        return f"{h} h" + (f" {m:02d}" if m else "")

    page = new_page(360, 800)
    with serve(petit) as base:
        page.goto(base + ATELIER)
        form = page.locator("form.powao-groupe-reglages")
        expect(form).to_be_visible()
        form.locator("input[name=jeunes]").fill("6")
        form.locator("input[name=heure]").fill("10:00")
        hours = [squash(t) for t in page.locator(".powao-deroule tbody td.powao-heure").all_inner_texts()]
        assert hours == [french(h) for h in expected_hours], hours
        row = page.locator(".powao-materiel tbody tr", has_text="Post-it")
        expect(row.locator(".powao-quantite")).to_have_text(str(expected_postit.total))
        expect(row.locator(".powao-calcul")).to_have_text(expected_postit.calcul)
        page.reload()
        expect(page.locator("form.powao-groupe-reglages input[name=jeunes]")).to_have_value("6")
        expect(row.locator(".powao-quantite")).to_have_text(str(expected_postit.total))
        assert squash(page.locator(".powao-deroule tbody td.powao-heure").first.inner_text()) == "10 h"
        page.emulate_media(media="print")  # printed with the recomputed values, no form
        expect(page.locator("form.powao-groupe-reglages")).to_be_hidden()
        expect(row.locator(".powao-quantite")).to_have_text(str(expected_postit.total))
    assert page.evaluate("__powaoHeure(14 * 60)") == "14\u00a0h"
    assert page.evaluate("__powaoHeure(14 * 60 + 5)") == "14\u00a0h\u00a005"


# -------------------------------------------------------------------------- less noise

@pytest.mark.parametrize("width", [360, 1280])
def test_cycle_page_fits(new_page, vrai, width):
    page = new_page(width, 800)
    page.goto((vrai / "cycles" / "cycle-six-mois.html").as_uri())
    overflow = page.evaluate("""() => [...document.querySelectorAll('article *')]
        .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not overflow, overflow


def test_axis_page_in_cycle_order_and_french_404(vrai):
    vrai_site = vrai
    html = (vrai_site / "ateliers" / "methodologie" / "index.html").read_text("utf-8")
    article = html[html.index("<article"):html.index("</article>")]
    assert article.count("Méthodologie") == 1, "titre de l'axe répété"
    seances = re.findall(r'powao-carte-seance">Séance (\d+)', article)
    assert seances and seances == sorted(seances, key=int), seances
    page404 = (vrai_site / "404.html").read_text("utf-8")
    assert "Page introuvable" in page404 and "Not found" not in page404
    assert "guide-auteurs" not in (vrai_site / "index.html").read_text("utf-8")
    assert re.search(r"Mis à jour le <time datetime=\"\d{4}-\d\d-\d\d\">", html)


@pytest.mark.parametrize("text, folded", [
    ("Réseau, ÉLÈVE, Œuvre, ex æquo", "reseau, eleve, oeuvre, ex aequo"),
    ("\u0301", ""),                            # a combining mark alone
    ("e\u0301\u0327", "e"),                    # stacked marks
    ("\U0001d518\u0308 x\u0301", "\U0001d518 x"),  # outside the BMP, its mark too
    ("cafe\U000e0100", "cafe\U000e0100"),      # a variation selector is not a mark
])
def test_search_folds_accents_and_combining_marks(text, folded):
    """Mentors type without accents: the index and the queries are folded alike."""
    import unicodedata

    from powao.recherche import fold
    assert fold(text) == folded
    assert fold(text) == "".join(
        c for c in unicodedata.normalize("NFD", text.replace("Œ", "OE").replace("æ", "ae"))
        if not unicodedata.combining(c)).lower()
