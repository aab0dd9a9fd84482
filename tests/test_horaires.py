"""One way to write clock times and durations: « 14 h 30 », « 1 h 30 », « 45 min ».

Checked where a mentor reads them: the text of every page of the site and of every
PDF (fiches, kits, livre blanc) of one build, and the command line.
"""
from __future__ import annotations

import html
import re
import subprocess

import pytest

from conftest import ATELIER, FILES, make_project
from powao.typography import NBSP, duree, heure, lire_heure

HH_MM = re.compile(r"(?<![\d:.])\d{1,2}:\d\d(?![\d:])")


@pytest.mark.parametrize(("valeur", "attendu"), [
    ("14:00", "14 h"), ("14:30", "14 h 30"), ("09:05", "9 h 05"), ("9:05", "9 h 05"),
    ("14h", "14 h"), ("14 h 30", "14 h 30"), ("14h30", "14 h 30"), ("00:00", "0 h"),
    (840, "14 h"), (870, "14 h 30"), (24 * 60 + 30, "0 h 30"), ("midi", "midi"),
])
def test_heure(valeur, attendu):
    assert heure(valeur) == attendu.replace(" ", NBSP)


@pytest.mark.parametrize(("minutes", "attendu"), [
    (5, "5 min"), (45, "45 min"), (60, "1 h"), (65, "1 h 05"), (90, "1 h 30"), (120, "2 h"),
    (150, "2 h 30"),
])
def test_duree(minutes, attendu):
    assert duree(minutes) == attendu.replace(" ", NBSP)


@pytest.mark.parametrize("texte", ["14:", "24:00", "14:60", "1430", "14 heures", "", "h30"])
def test_lire_heure_refuse(texte):
    assert lire_heure(texte) is None


def test_cli_refuses_a_bad_start_time_in_french(tmp_path, capsys):
    projet = make_project(tmp_path / "p")
    with pytest.raises(SystemExit) as exit_info:
        projet.run("fiches", "--heure", "25:00")
    assert exit_info.value.code != 0
    err = capsys.readouterr().err
    assert "heure « 25:00 » invalide : écrivez par exemple 14:00, 14 h ou 14 h 30" in err


# --- one build, everything a mentor reads ----------------------------------------------
PROSE = ATELIER.replace(
    "Parce que {{ chiffres.jeunes_mentores }} jeunes l'ont dit.",
    "Parce que {{ chiffres.jeunes_mentores }} jeunes l'ont dit. Accueil de 13 h 45 à 14 h, "
    "puis la séance.\n\nDans le tableur, tapez `=HEURE(14:30)` tel quel.")


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    projet = make_project(tmp_path_factory.mktemp("horaires") / "projet",
                          {**FILES, "workshops/construire-son-reseau.md": PROSE})
    assert projet.run("--jobs", "1")[0] == 0
    return projet.root / "site"


def page_text(path) -> str:
    """What a browser shows of a page: no tags, scripts, styles nor code examples."""
    source = path.read_text(encoding="utf-8")
    source = re.sub(r"<(script|style|code|pre|kbd|samp)\b.*?</\1>", " ", source, flags=re.S | re.I)
    source = re.sub(r"</?(span|a|strong|em|b|i|abbr|sup|sub|mark)\b[^>]*>", "", source, flags=re.I)
    source = re.sub(r"<!--.*?-->|<[^>]*>", " ", source, flags=re.S)
    return html.unescape(source)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(NBSP, " ").replace("\u202f", " "))


CODE = re.compile(r"<(code|pre|kbd|samp)\b[^>]*>(.*?)</\1>", re.S | re.I)


def test_no_hh_mm_in_any_page_or_pdf(build):
    pages = sorted(build.rglob("*.html"))
    pdfs = sorted(build.rglob("*.pdf"))
    assert len(pages) > 10 and len(pdfs) >= 4  # site, fiches, kits, livre blanc
    found, examples = {}, set()
    for path in pages:
        source = path.read_text(encoding="utf-8")
        examples.update(html.unescape(re.sub(r"<[^>]*>", "", m.group(2)))
                        for m in CODE.finditer(source))
        hits = HH_MM.findall(page_text(path))
        if hits:
            found[str(path.relative_to(build))] = hits
    assert "=HEURE(14:30)" in examples
    for path in pdfs:
        text = pdf_text(path)
        for example in examples:  # code examples print as written
            text = text.replace(example, " ")
        hits = HH_MM.findall(text)
        if hits:
            found[str(path.relative_to(build))] = hits
    assert not found, found


def test_times_as_a_mentor_reads_them(build):
    atelier = next(build.rglob("construire-son-reseau.html"))
    text = flat(page_text(atelier))
    assert "Horaires calculés pour un début à 14 h." in text
    assert "Accueil de 13 h 45 à 14 h, puis la séance." in text  # no-break spaces
    for cell in ("14 h 10", "14 h 35", "14 h 50", "15 h 30", "Fin de séance — total 2 h"):
        assert cell in text, cell
    assert "10 min" in text and "40 min" in text
    # the code example is left as written
    assert "<code>=HEURE(14:30)</code>" in atelier.read_text(encoding="utf-8")
    fiche = flat(pdf_text(next(build.rglob("fiches/construire-son-reseau.pdf"))))
    assert "Début à 14 h ;" in fiche and "15 h 30" in fiche and "total 2 h" in fiche
    assert "=HEURE(14:30)" in fiche
    kit = flat(" ".join(pdf_text(p) for p in build.rglob("kits/*.pdf")))
    assert "pour une séance commençant à 14 h." in kit


def test_every_minute_of_the_day_reads_back():
    for minutes in range(24 * 60):
        printed = heure(minutes)
        assert lire_heure(printed) == minutes, printed
        assert lire_heure(f"{minutes // 60:02d}:{minutes % 60:02d}") == minutes
        assert not HH_MM.search(printed)
