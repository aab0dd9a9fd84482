"""Shared fixtures: small content trees written inline, never the real corpus."""
from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from powao.cli import main  # noqa: E402

PROGRAMME = """\
nom: POWAO
nom_long: "POWAO — test"
presentation: Un programme de mentorat en collectif.
associations:
  - {id: wao, nom: WAO, description: Mentorat en collectif.}
chiffres:
  jeunes_mentores: {valeur: 1500, libelle: jeunes mentorés, source: seed}
  mentors: {valeur: 750, libelle: mentors, source: seed}
chiffres_accueil: [jeunes_mentores, mentors]
axes:
  - {id: methodologie, titre: Méthodologie, description: S'organiser., couleur: "#1d4ed8", icone: calendar-check-outline}
  - {id: orientation, titre: Orientation, description: Les métiers., couleur: "#047857", icone: compass-outline}
  - {id: insertion-professionnelle, titre: Insertion professionnelle, description: Le réseau., couleur: "#6d28d9", icone: account-group-outline}
groupe: {jeunes: 4, mentors: 2}
heure_debut: "14:00"
partenaires:
  - {nom: Partenaires publics, type: public, description: Acteurs publics.}
chaine_alerte:
  - {role: Le binôme de mentors, quand: Un jeune se confie., comment: Écouter puis prévenir.}
contacts_publics:
  - {libelle: Police secours, numero: "17", description: Danger immédiat.}
"""

COMPETENCES = """\
competences:
  - {id: poser-le-cadre, titre: Poser le cadre, domaine: securite, description: Pose le cadre.}
  - {id: ecouter-activement, titre: Écouter activement, domaine: accompagnement, description: Écoute.}
"""

GLOSSAIRE = """\
termes:
  - {id: accord-de-groupe, terme: Accord de groupe, definition: Les règles du groupe.}
"""

ATELIER = """\
---
titre: Construire son réseau
axe: insertion-professionnelle
statut: publie
resume: Trouver un stage grâce à son réseau.
duree: 120
objectifs:
  - Identifier trois personnes ressources
  - Formuler une demande claire
materiel:
  - {article: Post-it, par_jeune: 10}
  - {article: Paperboard, quantite: 1}
deroule:
  - {titre: Météo d'arrivée, duree: 10, format: pleniere, consignes: "Chacun dit un mot."}
  - {titre: Ma carte réseau, duree: 25, format: individuel, consignes: "Une personne par Post-it."}
  - {titre: Pause, duree: 15, format: pause}
  - {titre: Entraînement, duree: 40, format: binomes, consignes: "On s'entraîne."}
  - {titre: Clôture, duree: 30, format: pleniere, consignes: "Une action chacun."}
vigilance:
  - Personne n'est obligé de parler de sa famille.
mots_cles: [réseau]
---

## Pourquoi cet atelier

Parce que {{ chiffres.jeunes_mentores }} jeunes l'ont dit.

## Conseils d'animation

Voir [l'autre atelier](atelier:organiser-sa-semaine).

## Document participant : Ma carte réseau

| Personne | Ce qu'elle peut m'apporter |
|---|---|
| | |
"""

ATELIER2 = """\
---
titre: Organiser sa semaine
axe: methodologie
statut: publie
resume: Planifier sa semaine.
duree: 60
objectifs:
  - Planifier sa semaine
  - Hiérarchiser ses priorités
deroule:
  - {titre: Accueil, duree: 20}
  - {titre: Planning, duree: 40, format: individuel}
---

## Pourquoi cet atelier

Pour s'organiser.
"""

CYCLE = """\
---
titre: Cycle de test
statut: publie
resume: Deux séances.
duree_mois: 6
seances:
  - {atelier: organiser-sa-semaine, mois: 1, defi: "Tenir son agenda."}
  - {atelier: construire-son-reseau, mois: 2, defi: "Contacter une personne."}
---

Le cycle.
"""

MODULE = """\
---
titre: Poser le cadre
statut: publie
resume: Le cadre de sécurité.
duree: 90
competences: [poser-le-cadre]
objectifs:
  - Décrire les limites de la confidentialité
  - Réagir à une révélation
sequences:
  - {titre: Apport, duree: 30, methode: apport}
  - {titre: Jeu de rôle, duree: 60, methode: jeu-de-role}
evaluation: {formative: Tour de table., sommative: Quiz.}
ateliers_lies: [construire-son-reseau]
---

## Intentions pédagogiques

Savoir réagir.
"""

PARCOURS = """\
---
titre: Formation initiale
type: initiale
statut: publie
resume: Avant la première séance.
modules: [poser-le-cadre]
---

Le parcours.
"""

LIVRE = """\
titre: Mentorer en collectif
sous_titre: Trois ans
auteurs: [L'équipe]
organisations: [WAO, POWA]
date: "2026-01-15"
licence: CC BY-SA 4.0
resume: Ce que nous avons appris.
chapitres: [avant-propos]
"""

CHAPITRE = """\
---
titre: Avant-propos
type: avant-propos
statut: publie
chapeau: Pourquoi ce livre.
---

Au printemps 2021[@plan].

## Une section

Du texte[^1].

[^1]: Une note.
"""

REFERENCES = """\
references:
  plan: {auteurs: Préfecture, titre: Le plan, annee: 2021}
"""

PAGE = """\
---
titre: Accueil
statut: publie
resume: Le site.
ordre: 0
---

Bienvenue.
"""

SECURITE = """\
---
titre: Le cadre de sécurité
statut: publie
resume: Ce qu'il faut savoir.
ordre: 20
---

## La chaîne d'alerte

{{ chaine-alerte }}

## Les numéros d'urgence

{{ contacts }}
"""

FILES = {
    "content/cadre-de-securite.md": SECURITE,
    "content/data/programme.yml": PROGRAMME,
    "content/data/competences.yml": COMPETENCES,
    "content/data/glossaire.yml": GLOSSAIRE,
    "content/index.md": PAGE,
    "workshops/construire-son-reseau.md": ATELIER,
    "workshops/organiser-sa-semaine.md": ATELIER2,
    "workshops/cycles/cycle-test.md": CYCLE,
    "trainings/modules/poser-le-cadre.md": MODULE,
    "trainings/formation-initiale.md": PARCOURS,
    "whitepaper/livre-blanc.yml": LIVRE,
    "whitepaper/chapitres/avant-propos.md": CHAPITRE,
    "whitepaper/references.yml": REFERENCES,
}

CODE = ["powao", "templates", "build.py", "mkdocs.yml"]


class Projet:
    """A throw-away project: the toolchain's code plus a tiny content tree."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, rel: str, text: str, encoding: str = "utf-8") -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(textwrap.dedent(text).encode(encoding) if isinstance(text, str) else text)
        return path

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def replace(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def run(self, *argv: str, capsys=None) -> tuple[int, str, str]:
        code = main(list(argv), root=self.root)
        if capsys is None:
            return code, "", ""
        out = capsys.readouterr()
        return code, out.out, out.err


def make_project(root: Path, files: dict[str, str] | None = None) -> Projet:
    for name in CODE:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, root / name)
    projet = Projet(root)
    for rel, text in (files if files is not None else FILES).items():
        projet.write(rel, text)
    return projet


@pytest.fixture
def projet(tmp_path: Path) -> Projet:
    return make_project(tmp_path / "projet")


# ---------------------------------------------------- progress and summary, in French
class _Progress:
    """`make test` says where it is and how it ended, in French (pytest's own dots
    and summary stay, for developers)."""

    def __init__(self) -> None:
        import time
        self.start = time.monotonic()
        self.total = 0
        self.done = 0
        self.failed: list[str] = []
        self.skipped = 0
        self.step = 25


_progress = _Progress()


def pytest_configure(config):
    _progress.worker = hasattr(config, "workerinput")  # xdist workers stay quiet


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    _progress.total = max(_progress.total, len(ids))


def pytest_collection_finish(session):
    if not _progress.total:
        _progress.total = len(session.items)


def pytest_runtest_logreport(report):
    if getattr(_progress, "worker", False):
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _progress.done += 1
        if report.failed:
            _progress.failed.append(report.nodeid)
        elif report.skipped:
            _progress.skipped += 1
        if _progress.done % _progress.step == 0 and _progress.total:
            import sys
            import time
            elapsed = time.monotonic() - _progress.start
            print(f"\n  … {_progress.done}/{_progress.total} tests passés en {elapsed:.0f} s"
                  f"{f', {len(_progress.failed)} en échec' if _progress.failed else ''}",
                  file=sys.stderr, flush=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    import time
    if not _progress.done:
        return
    elapsed = time.monotonic() - _progress.start
    ok = _progress.done - len(_progress.failed) - _progress.skipped
    terminalreporter.write_line(
        f"Bilan : {ok} tests réussis, {len(_progress.failed)} en échec, "
        f"{_progress.skipped} ignorés, en {elapsed / 60:.1f} min.")
    for nodeid in _progress.failed:
        terminalreporter.write_line(f"  échec : {nodeid}")
