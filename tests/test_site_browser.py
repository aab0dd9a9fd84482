"""The mentors' website, seen in a real browser (headless Debian Chromium).

The small fixture site (tests/conftest.py) is built once for the module and served
from 127.0.0.1; every test asserts what a mentor sees: key figures, search,
navigation, run sheets, phone layout, accessibility, the site opened from a USB
key (file://), and that nothing is fetched from the Internet.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect  # noqa: E402

from browser import CHROMIUM, LOCAL_PREFIXES, axe_script, chromium, serve, squash  # noqa: E402
from conftest import make_project  # noqa: E402
from powao.cli import main  # noqa: E402

if not Path(CHROMIUM).exists():  # pragma: no cover - depends on the machine
    pytest.skip(f"{CHROMIUM} absent (paquet Debian chromium)", allow_module_level=True)

HOME = "index.html"
ATELIER = "ateliers/insertion-professionnelle/construire-son-reseau.html"
AXE_PAGE = "ateliers/insertion-professionnelle/index.html"
CYCLE = "cycles/cycle-test.html"
CHAPITRE = "livre-blanc/avant-propos.html"
TIMEOUT = 8_000  # ms, for anything the page does asynchronously (search worker)

# Every URL the browser asked for, across all tests of the module (last test).
REQUESTS: list[str] = []


# ---------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site-navigateur")
    make_project(root)
    assert main(["site"], root=root) == 0, "la construction du site de test a échoué"
    site_dir = root / "site"
    assert (site_dir / HOME).is_file()
    return site_dir


@pytest.fixture(scope="module")
def base_url(site: Path):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _record(context) -> None:
    context.on("request", lambda request: REQUESTS.append(request.url))


@pytest.fixture
def new_page(browser):
    """Factory: a fresh page (own context, French locale) that records its requests."""
    contexts = []

    def make(width: int = 1280, height: int = 800, scheme: str = "light") -> Page:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="fr-FR", color_scheme=scheme)
        context.set_default_timeout(TIMEOUT)
        _record(context)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def content_text(page: Page) -> str:
    return squash(page.locator("article.md-content__inner").inner_text())


def search(page: Page, query: str) -> tuple[str, list[str]]:
    """Type `query` in Material's search box; returns (result count line, result page titles)."""
    box = page.locator(".md-search__input")
    if not box.is_visible():  # phones: the box opens from the magnifier label
        page.locator("label[for='__search']").first.click()
    box.click()
    meta = page.locator(".md-search-result__meta")
    # Start from an empty box so that no result of an earlier query is read as this one's.
    box.fill("")
    box.press("End")  # Material reads the box on keyup
    expect(meta).not_to_contain_text("trouvé", timeout=TIMEOUT)
    box.fill(query)
    box.press("End")  # one search, for the whole query
    # "1 document trouvé", "7 documents trouvés" or "Aucun document trouvé"
    expect(meta).to_contain_text("trouvé", timeout=TIMEOUT)
    titles = [squash(t) for t in
              page.locator(".md-search-result__item > a article h1").all_inner_texts()]
    return squash(meta.inner_text()), titles


# ------------------------------------------------------------------------------- tests

def test_home_shows_key_figures(page, base_url):
    page.goto(base_url + HOME)
    text = content_text(page)
    assert "1 500 jeunes mentorés" in text, text
    assert "750 mentors" in text, text


@pytest.mark.parametrize("query", ["reseau", "réseaux"])
def test_search_ignores_accents_and_plural(page, base_url, query):
    page.goto(base_url + HOME)
    meta, titles = search(page, query)
    transform = page.evaluate(
        "q => (typeof __search !== 'undefined' && __search.transform)"
        " ? __search.transform(q) : null", query)
    assert "Construire son réseau" in titles, (
        f"recherche « {query} » : {meta!r}, pages trouvées {titles}; "
        f"__search.transform({query!r}) = {transform!r}")


def test_axis_page_links_its_workshop(page, base_url):
    page.goto(base_url + AXE_PAGE)
    expect(page.locator("article h1")).to_have_text("Insertion professionnelle")
    link = page.locator("article a", has_text="Construire son réseau")
    expect(link).to_have_count(1)
    with page.expect_navigation():
        link.click()
    assert page.url == base_url + ATELIER
    expect(page.locator("article h1")).to_have_text("Construire son réseau")


def test_cycle_links_sessions_in_order(page, base_url):
    page.goto(base_url + CYCLE)
    expect(page.locator("article h1")).to_have_text("Cycle de test")
    sessions = page.locator("article a[href*='ateliers/']:not(.md-tag)")
    texts = [squash(t) for t in sessions.all_inner_texts()]
    assert texts[:2] == ["Organiser sa semaine", "Construire son réseau"], texts
    with page.expect_navigation():
        sessions.first.click()
    assert page.url.endswith("/ateliers/methodologie/organiser-sa-semaine.html"), page.url
    expect(page.locator("article h1")).to_have_text("Organiser sa semaine")


def test_workshop_run_sheet_and_material(page, base_url):
    page.goto(base_url + ATELIER)
    deroule = page.locator("article table").filter(has=page.locator("th", has_text="Heure"))
    expect(deroule).to_have_count(1)
    hours = [squash(t) for t in deroule.locator("tbody tr > td:first-child").all_inner_texts()]
    # The French clock rule (« 14 h », « 14 h 30 »), written by the page's group controls.
    assert hours == ["14 h", "14 h 10", "14 h 35", "14 h 50", "15 h 30"], hours
    materiel = page.locator("article table").filter(has=page.locator("th", has_text="Quantité"))
    expect(materiel).to_have_count(1)
    postit = materiel.locator("tbody tr", has_text="Post-it")
    expect(postit).to_have_count(1)
    cells = [squash(t) for t in postit.locator("td").all_inner_texts()]
    assert "40" in cells, cells  # 10 par jeune × 4 jeunes


@pytest.mark.parametrize("path", [HOME, ATELIER])
def test_no_horizontal_scroll_on_phone(new_page, base_url, path):
    page = new_page(360, 740)
    page.goto(base_url + path)
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 361 && e.offsetParent !== null
                && getComputedStyle(e).position !== 'fixed')
        .filter(e => !e.closest('.md-sidebar, .md-search, [hidden]'))
        .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className
                === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                + ' → ' + Math.round(e.getBoundingClientRect().right) + 'px')""")
    assert width <= 360, f"{path} : largeur {width}px sur un écran de 360px ; {wide}"


def _axe(page: Page) -> list[dict]:
    page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("async () => await axe.run()")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", [HOME, ATELIER, CHAPITRE])
def test_accessibility_axe(new_page, base_url, path, scheme):
    """No serious/critical axe violation, in the light and in the dark palette (Material
    follows the system's preference on a first visit)."""
    page = new_page(scheme=scheme)
    page.goto(base_url + path)
    page.wait_for_load_state("load")
    expected = {"light": "default", "dark": "slate"}[scheme]
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", expected)
    violations = _axe(page)
    report = "\n".join(
        f"- {v['id']} ({v['impact']}) : {v['help']} — "
        + ", ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                    for n in v["nodes"][:6])
        for v in violations)
    assert not violations, f"{path} ({scheme}) : violations axe graves\n{report}"


def test_site_works_from_a_usb_key(page, site):
    """file:// (no server): navigation and search (Material's offline plugin)."""
    page.goto((site / HOME).as_uri())
    expect(page.locator("article h1")).to_have_text("Accueil")
    tab = page.locator(".md-tabs a", has_text="Ateliers").first
    with page.expect_navigation():
        tab.click()
    assert page.url == (site / "ateliers" / "index.html").as_uri(), page.url
    expect(page.locator("article h1")).to_have_text("Les ateliers")
    meta, titles = search(page, "réseau")
    assert titles, f"recherche hors ligne sans résultat : {meta!r}"
    meta, titles = search(page, "reseau")
    assert titles, f"recherche hors ligne « reseau » sans résultat : {meta!r}"


def test_palette_toggle_and_french_interface(page, base_url):
    page.goto(base_url + HOME)
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.locator(".md-search__input")).to_have_attribute("placeholder", "Rechercher")
    expect(page.locator("a.md-skip")).to_have_text(re.compile("Aller au contenu"))
    palette = page.locator("form[data-md-component='palette']")
    expect(palette.locator("input[aria-label='Passer en mode sombre']")).to_have_count(1)
    expect(palette.locator("input[aria-label='Passer en mode clair']")).to_have_count(1)
    toggle = palette.locator("label:visible")
    expect(toggle).to_have_count(1)
    # Material turns the title into a tooltip on hover: read it before clicking.
    expect(toggle).to_have_attribute("title", "Passer en mode sombre")
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")
    toggle.click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    back = palette.locator("label:visible")
    expect(back).to_have_count(1)
    name = back.evaluate("""l => l.title || (document.getElementById(
        l.getAttribute('aria-describedby') || '') || {}).textContent || ''""")
    assert squash(name) == "Passer en mode clair", name


def test_every_local_resource_loads(new_page, base_url):
    """Nothing the pages ask for is missing (a 404 stylesheet silently changes the look)."""
    page = new_page()
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    for path in (HOME, ATELIER, CYCLE, CHAPITRE):
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
    assert not failed, "ressources introuvables :\n" + "\n".join(sorted(set(failed)))


def test_nothing_leaves_localhost(new_page, base_url, site):
    """Last test: every request of the module stayed on this machine."""
    page = new_page()  # browse a little here too, so the test means something under xdist
    for path in (HOME, ATELIER, CHAPITRE):
        page.goto(base_url + path)
        page.wait_for_load_state("load")
    search(page, "réseau")
    usb = site.as_uri()
    outside = sorted({u for u in REQUESTS
                      if not u.startswith(LOCAL_PREFIXES) and not u.startswith(usb)})
    assert REQUESTS
    assert not outside, "requêtes hors de la machine :\n" + "\n".join(outside)
