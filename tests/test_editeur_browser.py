"""The form editor in a real browser (headless Debian Chromium): an author creates
a workshop through the form, saves it, `check` passes on the new file; then the
run sheet no longer sums to the duration, and the French `check` message shows
in the page. Nothing is requested from another host.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from browser import CHROMIUM, LOCAL_PREFIXES, launch, squash  # noqa: E402
from conftest import REPO  # noqa: E402
from powao.editeur import start  # noqa: E402
from powao.scaffold import slugify  # noqa: E402

if not Path(CHROMIUM).exists():  # pragma: no cover - depends on the machine
    pytest.skip(f"{CHROMIUM} absent (paquet Debian chromium)", allow_module_level=True)
if not (REPO / "node_modules" / "decap-cms" / "dist").is_dir():  # pragma: no cover
    if os.environ.get("CI"):
        raise RuntimeError("node_modules absent : « make setup » lance « npm ci »")
    pytest.skip("Decap CMS absent : lancez « npm ci »", allow_module_level=True)

TIMEOUT = 20_000  # ms: Decap's bundle is large and the machine is shared
TITRE = "Préparer l'été : un atelier d'essai"
expect.set_options(timeout=TIMEOUT)
SHOTS = os.environ.get("POWAO_CAPTURES")  # folder: keep screenshots for the guide


@pytest.fixture(scope="module")
def editeur(tmp_path_factory):
    root = tmp_path_factory.mktemp("editeur")
    for name in ("content", "workshops", "trainings", "whitepaper"):
        shutil.copytree(REPO / name, root / name)
    (root / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    server, editor = start(root, 0)
    try:
        yield f"http://127.0.0.1:{server.server_port}/", editor
    finally:
        server.shutdown()
        server.server_close()


def _shot(page: Page, name: str) -> None:
    """Screenshot for the authors' guide (POWAO_CAPTURES=content/images), 64 colours."""
    if SHOTS:
        from io import BytesIO

        from PIL import Image
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        image = Image.open(BytesIO(page.screenshot())).convert("RGB")
        image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(
            Path(SHOTS) / name, optimize=True)


def _publish(page: Page) -> None:
    """Decap's « Publier » menu, named « Enregistrer » here (it only writes the file)."""
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("Enregistrer maintenant", exact=True).click()


def test_create_a_workshop_through_the_form_then_see_the_check_message(editeur):
    url, editor = editeur
    outside: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1100, "height": 760}, locale="fr-FR")
        page.set_default_timeout(TIMEOUT)
        page.on("request", lambda r: None if r.url.startswith(LOCAL_PREFIXES)
                else outside.append(r.url))
        try:
            page.goto(url + "#/collections/ateliers/new")
            page.get_by_text("Titre de l'atelier, en minuscules sauf la première lettre.").wait_for()
            # French UI, labels and hints from the model.
            expect(page.get_by_text("Durée totale en minutes : la somme des étapes du déroulé."))\
                .to_be_visible()
            page.get_by_label("Titre", exact=True).first.fill(TITRE)
            page.get_by_label("Axe", exact=True).click()
            page.keyboard.type("Orientation")
            page.keyboard.press("Enter")
            page.get_by_label("Résumé", exact=True).fill("Essayer le formulaire de bout en bout.")
            page.get_by_label("Durée", exact=True).first.fill("90")
            add = page.get_by_role("button", name="Ajouter objectif")
            add.click()
            add.click()
            objectifs = page.get_by_label("Objectif", exact=True)
            objectifs.nth(0).fill("Identifier trois envies pour l'été")
            objectifs.nth(1).fill("Choisir une première démarche")
            page.get_by_role("button", name="Ajouter matériel").click()
            page.get_by_label("Article", exact=True).fill("Post-it")
            page.get_by_label("Par jeune (optionnel)", exact=True).fill("10")
            # The run sheet starts with one step (at least one is required); add a second.
            page.get_by_label("Titre", exact=True).nth(1).fill("Météo d'arrivée")
            page.get_by_label("Durée", exact=True).nth(1).fill("30")
            page.get_by_role("button", name="Ajouter étape").click()
            page.get_by_label("Titre", exact=True).nth(2).fill("Carte des envies")
            page.get_by_label("Durée", exact=True).nth(2).fill("60")
            body = page.locator("[data-slate-editor]").last
            body.click()
            page.keyboard.type("## Pourquoi cet atelier\n\nPour tester l’éditeur, « sans terminal ».")
            # A format from the model is checked while typing, in French.
            heure = page.get_by_label("Heure de début (optionnel)", exact=True)
            heure.fill("14h30")
            _publish(page)
            expect(page.get_by_text("Écrivez une heure au format HH:MM, par exemple 14:00."))\
                .to_be_visible()
            expected = f"workshops/{slugify(TITRE)}.md"
            assert not (editor.root / expected).exists()
            heure.press("Control+a")  # typed in, then cleared: not written as heure_debut: ""
            heure.press("Backspace")
            page.get_by_label("Titre", exact=True).first.scroll_into_view_if_needed()
            _shot(page, "editeur-atelier.png")
            _publish(page)

            panel = page.locator("#controle")
            expect(panel).to_have_attribute("data-etat", "ok")
            assert expected == "workshops/preparer-l-ete-un-atelier-d-essai.md"
            expect(panel).to_contain_text(f"{expected} : enregistré, la vérification ne signale "
                                          "aucun problème.")
            saved = editor.root / expected
            assert saved.is_file()
            assert editor.problems_of(expected) == []
            text = saved.read_text(encoding="utf-8")
            assert "titre: \"Préparer l'été : un atelier d'essai\"" in text \
                or "titre: 'Préparer l''été : un atelier d''essai'" in text, text
            assert "Pour tester l’éditeur, « sans terminal »." in text
            assert "\ngroupe:" not in text and "heure_debut" not in text  # untouched: not written

            # The sum is now wrong (30 + 45 ≠ 90): saved anyway, and the author sees why.
            page.get_by_label("Durée", exact=True).nth(2).fill("45")
            _publish(page)
            expect(panel).to_have_attribute("data-etat", "erreur")
            expect(panel).to_contain_text("champ « duree »")
            message = squash(panel.inner_text())
            assert (f"{expected} : 1 erreur à corriger" in message), message
            assert ("la durée annoncée (90 min) ne correspond pas au déroulé (30 + 45 = 75 min) : "
                    "écrivez « duree: 75 » ou corrigez les étapes") in message, message
            line = next(p for p in editor.result["problemes"] if p["champ"] == "duree")["ligne"]
            assert f"ligne {line}, champ « duree »" in message
            assert saved.read_text(encoding="utf-8").splitlines()[line - 1].startswith("duree: 90")
            panel.scroll_into_view_if_needed()
            _shot(page, "editeur-verification.png")
        finally:
            browser.close()
    assert outside == []


OPENED = [  # (collection, entry, field to change, its key, file): one file of each shape
    ("ateliers", "construire-son-reseau", "Titre", "titre", "workshops/construire-son-reseau.md"),
    ("cycles", "cycle-six-mois", "Titre", "titre", "workshops/cycles/cycle-six-mois.md"),
    ("modules", "cadre-de-securite", "Titre", "titre", "trainings/modules/cadre-de-securite.md"),
    ("chapitres", "chiffres-cles", "Titre", "titre", "whitepaper/chapitres/chiffres-cles.md"),
    ("donnees", "programme", "Nom", "nom", "content/data/programme.yml"),
]
SUFFIX = " (relu)"


def _dump(root: Path) -> dict[str, object]:
    from powao.errors import Report
    from powao.loader import load
    corpus = load(root, Report())
    out: dict[str, object] = {s.rel: (s.meta, s.body.strip("\n")) for s in corpus.sources}
    out["programme"] = corpus.programme.model_dump()
    return out


def test_files_opened_and_saved_in_the_browser_keep_their_data(editeur):
    """The whole editor path (widgets included): open, change one field, save: every
    other value of the file loads the same."""
    url, editor = editeur
    before = _dump(REPO)
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1100, "height": 760}, locale="fr-FR")
        page.set_default_timeout(TIMEOUT)
        try:
            for collection, entry, label, key, rel in OPENED:
                text = (editor.root / rel).read_text(encoding="utf-8")
                route = f"#/collections/{collection}/entries/{entry}"
                if page.url.startswith(url):
                    # Back to the list first, as an author would: Decap keeps the previous
                    # entry's form when one entry's address replaces another's.
                    page.locator("a[href^='#/collections/']").first.click()
                    page.get_by_text("Collections", exact=True).wait_for()
                    page.evaluate("route => { location.hash = route; }", route)
                else:
                    page.goto(url + route)
                field = page.get_by_label(label, exact=True).first
                expect(field).to_have_value(before[rel][0][key])  # this entry's form is open
                field.press("End")
                field.type(SUFFIX)
                _publish(page)
                panel = page.locator("#controle")
                expect(panel).to_contain_text(rel)
                expect(panel).to_have_attribute("data-etat", "ok")
                # Only the changed line differs: every other line and comment is kept.
                lines = (editor.root / rel).read_text(encoding="utf-8").split("\n")
                changed = [(a, b) for a, b in zip(text.split("\n"), lines) if a != b]
                assert len(lines) == len(text.split("\n")) and len(changed) == 1, changed
                assert changed[0][1].startswith(f"{key}: ") and SUFFIX.strip() in changed[0][1]
        finally:
            browser.close()
    after = _dump(editor.root)
    for *_, key, rel in OPENED:
        meta, body = before[rel]
        before[rel] = ({**meta, key: meta[key] + SUFFIX}, body)
    before["programme"]["nom"] += SUFFIX
    for rel in before:
        if rel.startswith("workshops/preparer-l-ete"):
            continue
        assert after[rel] == before[rel], rel
