"""Privacy checks of `build.py check`: contacts written the way people write them,
testimonials that let someone be recognised, small counts in prose and in charts.

One fixture project holds every case (one case per paragraph or per field, each on a
known line); `check` runs once and each case asserts the French line an author reads."""
from __future__ import annotations

import contextlib
import io
import subprocess
import sys

import pytest

from conftest import make_project
from powao.cli import main

PAGE_HEAD = """\
---
titre: {titre}
statut: publie
resume: Une page de test.
ordre: 60
---
"""
HEAD_LINES = PAGE_HEAD.count("\n") + 1  # the body starts on the line after the head

# --------------------------------------------------------------------------- cases

# (text of one paragraph, expected start of the message after « file:line: »)
EMAILS = [
    ("Écrivez à prenom.nom(at)gmail.com pour vous inscrire.",
     "adresse e-mail « prenom.nom(at)gmail.com » (soit prenom.nom@gmail.com) : aucune "
     "coordonnée personnelle dans les contenus."),
    ("Contact : prenom [at] domaine [dot] fr",
     "adresse e-mail « prenom [at] domaine [dot] fr » (soit prenom@domaine.fr)"),
    ("Contact : prenom at domaine dot fr",
     "adresse e-mail « prenom at domaine dot fr » (soit prenom@domaine.fr)"),
    ("Contact : camille arobase exemple point org",
     "adresse e-mail « camille arobase exemple point org » (soit camille@exemple.org)"),
    ("Contact : camille.martin&#64;exemple.org",
     "adresse e-mail « camille.martin&#64;exemple.org » (soit camille.martin@exemple.org)"),
    ("Contact : camille.martin&commat;exemple.org",
     "adresse e-mail « camille.martin&commat;exemple.org » (soit camille.martin@exemple.org)"),
    ("Contact : [écrire](mailto:camille%40exemple.org)",
     "adresse e-mail « camille%40exemple.org » (soit camille@exemple.org)"),
    ("Contact : camille＠exemple.org",
     "adresse e-mail « camille＠exemple.org » (soit camille@exemple.org)"),
    ("Contact : camille.martin @ exemple.org",
     "adresse e-mail « camille.martin @ exemple.org » (soit camille.martin@exemple.org)"),
    ("Contact : Camille.Martin@Exemple.ORG",
     "adresse e-mail « Camille.Martin@Exemple.ORG » : aucune coordonnée personnelle"),
    ("Contact : camille (arobase) free (point) fr",
     "adresse e-mail « camille (arobase) free (point) fr » (soit camille@free.fr)"),
    ("Contact : camille{at}exemple{dot}org",
     "adresse e-mail « camille{at}exemple{dot}org » (soit camille@exemple.org)"),
    ("Contact : camille_martin@exemple.org ou hélène.dupont@exemple.org",
     "adresse e-mail « camille_martin@exemple.org » : aucune coordonnée personnelle"),
    ("Contact : camille\u200b.martin@exem\u00adple.org (caractères invisibles)",
     "adresse e-mail « camille.martin@exemple.org » : aucune coordonnée personnelle"),
    ("Contact : camille.martin @ exemple . org",
     "adresse e-mail « camille.martin @ exemple . org » (soit camille.martin@exemple.org)"),
    ("Contact : camille.martin@exemple.org",
     "adresse e-mail « camille.martin@exemple.org » : aucune coordonnée personnelle"),
]

PHONES = [(f"Appelez-la au {number} si besoin.", f"numéro de téléphone « {number} » : aucune "
           "coordonnée personnelle dans les contenus.")
          for number in ["06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "06/12/34/56/78",
                         "0612345678", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78",
                         "+33612345678", "0033 6 12 34 56 78", "(+33) 6 12 34 56 78",
                         "06 12.34-56/78", "07 98 76 54 32", "+33 1 45 67 89 10",
                         "06 - 12 - 34 - 56 - 78", "+32 2 123 45 67", "+33 06 12 34 56 78",
                         "06 1234 5678", "0800 123 456", "+44 20 7946 0958",
                         "(0)6 12 34 56 78"]]

SMALL_COUNTS = [
    ("Cette année, seulement 3 jeunes filles de 15 ans ont suivi l'atelier.",
     "petit effectif dans le texte : « seulement 3 jeunes filles de 15 ans » (3 personnes, "
     "moins de 10) permet de reconnaître des personnes."),
    ("En 2023, 2 mentors ont quitté le programme.",
     "petit effectif dans le texte : « 2 mentors » (2 personnes, moins de 10)"),
    ("Nous avons accompagné 4 jeunes du quartier.",
     "petit effectif dans le texte : « 4 jeunes » (4 personnes, moins de 10)"),
    ("Parmi eux, 3 jeunes ont trouvé un emploi.",
     "petit effectif dans le texte : « Parmi eux, 3 jeunes » (3 personnes, moins de 10)"),
    ("Le groupe ne comptait que 3 jeunes filles.",
     "petit effectif dans le texte : « 3 jeunes filles » (3 personnes, moins de 10)"),
    ("3 jeunes sur 40 ont déclaré un handicap.",
     "petit effectif dans le texte : « 3 jeunes sur 40 » (3 personnes, moins de 10)"),
    ("Seulement trois jeunes filles de quinze ans ont répondu.",
     "petit effectif dans le texte : « Seulement trois jeunes filles de quinze ans » "
     "(3 personnes, moins de 10)"),
    ("Trois jeunes ont abandonné en cours de route.",
     "petit effectif dans le texte : « Trois jeunes » (3 personnes, moins de 10)"),
    ("Dans mon groupe, 2 jeunes ont trouvé un stage.",
     "petit effectif dans le texte : « 2 jeunes » (2 personnes, moins de 10)"),
    ("1 jeune a été exclu.", "petit effectif dans le texte : « 1 jeune » (1 personne, "
     "moins de 10)"),
    ("Sur 120 inscrits, 4 participantes étaient mineures.",
     "petit effectif dans le texte : « 4 participantes » (4 personnes, moins de 10)"),
    ("Seuls 2 bénévoles sont restés.",
     "petit effectif dans le texte : « Seuls 2 bénévoles » (2 personnes, moins de 10)"),
    ("Bilan : 3 jeunes en emploi, les autres en formation.",
     "petit effectif dans le texte : « 3 jeunes » (3 personnes, moins de 10)"),
    ("L'atelier a réuni 8 jeunes en mars.",
     "petit effectif dans le texte : « 8 jeunes » (8 personnes, moins de 10)"),
    ("Nous comptions 3 mentores en 2022.",
     "petit effectif dans le texte : « 3 mentores » (3 personnes, moins de 10)"),
]

# Ordinary prose, as the real content writes it: none of these is a problem.
ORDINARY = [
    "Formez des groupes de 3.",
    "Travaillez par groupes de 3 jeunes, puis mettez en commun.",
    "Comptez 2 mentors par groupe.",
    "Un groupe POWAO, ce sont 3 ou 4 jeunes et 2 mentors.",
    "Le plan « 1 jeune, 1 mentor » a été lancé en 2021.",
    "En trois ans, 1 500 jeunes et 750 mentors ont participé.",
    "Un mentor pour 2 jeunes, pas davantage.",
    "Si 2 jeunes sont absents, continuez la séance.",
    "Invitez 2 jeunes à venir au tableau.",
    "Les 2 mentors se répartissent les rôles.",
    "Entre 3 et 5 jeunes par séance.",
    "Jusqu'à 6 participants.",
    "1 jeune sur 3 a trouvé un emploi dans l'année.",
    "Chaque groupe réunit 4 jeunes et 2 mentors.",
    "Demander à 2 volontaires de lire la consigne.",
    "Les deux mentors sont présents dès l'accueil.",
    "Deux mentors animent la séance.",
    "Quatre jeunes est la cible ; trois, un minimum.",
    "Si le groupe n'a que trois jeunes, l'interview se fait avec un mentor.",
    "Il faut 2 mentors formés pour ouvrir un groupe.",
    "Moins de 10 jeunes ont répondu au questionnaire.",
    "En 2022, 250 mentors ont été formés.",
    "Un atelier de 2 heures pour 8 jeunes.",
    "par petits groupes de 2 ou 3 personnes",
    "Appelez le 17, le 15 ou le 112 ; le 119 pour un mineur, le 3114 ou le 3919.",
    "Le budget du programme : 1 200 000 €, soit 800 € par jeune.",
    "Séance le 01/02/2024 à 14:30, puis le 08/02/2024 12:30.",
    "ISBN 978-2-07-036822-8, ISBN 0-306-40615-2.",
    "De 9 h 30 à 12 h, pause à 10 h 45.",
    "Entre 2022 et 2024, 87 % des jeunes se disent satisfaits (+15 %).",
    "Objectif : 100 000 jeunes mentorés en 2021 et 200 000 en 2022.",
    "On se retrouve au point de rendez-vous, à l'atelier.",
    "Mentoring at scale. Journal of youth studies, 2020. Mentoring at scale . Com",
    "Voir l'article cité [@plan], p. 12.",
    "Le format reste le même ; c'est le point fort de l'atelier.",
    "R&D, Tom & Jerry, 50 % d'entre eux.",
    "Le code postal 75011 et le département 93.",
    "Durée : 120 min, dont 10 min d'accueil et 25 min de bilan.",
    "Étape 3 (10 min) : 2 jeunes présentent, les autres écoutent.",
    "2 jeunes jouent le recruteur, 2 jeunes observent.",
    "Le mentor 1 anime, le mentor 2 observe.",
    "4 jeunes lisent leur texte à voix haute.",
    "Répartissez 6 jeunes en deux équipes.",
    "Le groupe compte 4 jeunes.",
    "Temps 2 : 3 volontaires lisent la consigne.",
    "Avec 3 jeunes, l'exercice marche aussi.",
    "Les trois mentors se relaient ; deux jeunes prennent des notes.",
    "Pour un groupe de 4 jeunes, prévoyez 40 Post-it.",
    "Un jeune sur deux n'ose pas appeler une entreprise.",
    "Horaires : 08 30 - 10 00 - 12 00.",
    "Réf. 0123456789-A, dossier du 01.02.2024 au 03.04.2024.",
]


def page(titre: str, paragraphs: list[str]) -> tuple[str, list[int]]:
    """A page with one paragraph per case, and the line of each paragraph."""
    text = PAGE_HEAD.format(titre=titre) + "\n"
    lines, line = [], HEAD_LINES + 1
    for paragraph in paragraphs:
        lines.append(line)
        text += paragraph + "\n\n"
        line += 2
    return text, lines


PROGRAMME_CONTACTS = """\
contacts_publics:
  - {libelle: Police secours, numero: "17", description: Danger immédiat.}
  - {libelle: Accueil du programme, numero: "01 23 45 67 89", email: Contact@Powao.fr, description: Du lundi au vendredi.}
"""
PUBLIC_USES = [
    "Accueil : 01.23.45.67.89, +33 1 23 45 67 89, (+33) 1 23 45 67 89 ou 0033 1 23 45 67 89.",
    "Écrivez à contact@powao.fr, CONTACT@POWAO.FR, contact (at) powao [dot] fr ou "
    "contact&#64;powao.fr.",
]

ATELIER_FIELDS = """\
---
titre: Écrire aux entreprises
axe: insertion-professionnelle
statut: publie
resume: Écrire un premier message.
duree: 60
objectifs:
  - Rédiger un message
  - Relire un message
deroule:
  - {titre: Accueil, duree: 20, consignes: "Écrivez à prenom [at] domaine [dot] fr."}
  - {titre: Appel, duree: 20, consignes: "Le tuteur : +33 (0)6 12 34 56 78."}
  - titre: Bilan
    duree: 20
    consignes: >-
      Un bilan en plénière. Cette année, seulement 2 jeunes
      filles de 16 ans ont fini le parcours.
vigilance:
  - Par groupes de 3 jeunes, 2 mentors par groupe.
---

## Pourquoi cet atelier

Pour écrire.
"""

TEMOIGNAGES = """\
temoignages:
  - id: ok
    citation: Au début, je ne connaissais personne. Le groupe m'a aidée à trouver mon stage.
    prenom: Samia
    role: jeune mentorée, 21 ans
    prenom_modifie: true
    consentement: true
    illustratif: true
  - id: nom
    citation: Je ne savais pas que j'avais un réseau.
    prenom: Samia Benali
    role: jeune mentorée
    prenom_modifie: true
    consentement: true
    illustratif: true
  - id: initiale
    citation: Je ne savais pas que j'avais un réseau.
    prenom: Samia B.
    role: jeune mentorée
    prenom_modifie: true
    consentement: true
    illustratif: true
  - id: details
    citation: >-
      J'étais en 3e B au collège Victor-Hugo, j'avais 15 ans, et personne ne
      m'avait parlé de stage.
    prenom: Inès
    role: jeune mentorée
    prenom_modifie: true
    consentement: true
    illustratif: true
  - id: reparti
    citation: En terminale STMG, je ne savais pas quoi faire après le bac.
    prenom: Yanis
    role: jeune mentoré, 17 ans
    prenom_modifie: true
    consentement: true
    illustratif: true
  - id: mentor-nomme
    citation: Mon mentor, M. Dupont, m'a appris à me présenter.
    prenom: Lina
    role: jeune mentorée
    prenom_modifie: true
    consentement: true
    illustratif: true
  - id: lieu
    citation: J'habite à Bobigny et je voulais travailler dans le numérique.
    prenom: Moussa
    role: jeune mentoré, 19 ans
    prenom_modifie: true
    consentement: true
    illustratif: true
  - id: ville
    citation: J'avais quinze ans et j'habitais dans le 93.
    prenom: Nora
    role: jeune mentorée, Sevran
    prenom_modifie: true
    consentement: true
    illustratif: true
  - id: commune
    citation: Je suis de Montreuil, et à 14 ans je ne connaissais personne.
    prenom: Jade
    role: jeune mentorée
    prenom_modifie: true
    consentement: true
    illustratif: true
  - id: compose
    citation: Les écoles de commerce, ce n'était pas pour moi, je croyais. Depuis 2 ans, je suis en BTS.
    prenom: Marie-Claire
    role: mentor, ingénieure depuis 20 ans
    prenom_modifie: true
    consentement: true
    illustratif: true
"""

FIGURE_SANS_EFFECTIFS = """\
titre: Jeunes accompagnés par ville
type: barres
unite: jeunes
effectifs: false
illustratif: true
source: Suivi du programme
alt: Barres.
valeurs:
  - {libelle: Sevran, valeur: 120}
  - {libelle: Bobigny, valeur: 2}
champ: Jeunes et mentors du programme, 2025
lecture: 120 jeunes sont accompagnés à Sevran.
"""
FIGURE_SANS_UNITE = """\
titre: Participants par atelier
type: barres
effectifs: false
illustratif: true
source: Suivi du programme
alt: Barres.
valeurs:
  - {libelle: Théâtre, valeur: 40}
  - {libelle: Vidéo, valeur: 3}
champ: Jeunes et mentors du programme, 2025
lecture: 40 participants ont suivi l'atelier théâtre.
"""
FIGURE_POURCENTAGES = """\
titre: Satisfaction
type: barres
unite: "%"
effectifs: false
illustratif: true
source: Suivi du programme
alt: Barres.
valeurs:
  - {libelle: Très satisfaits, valeur: 92}
  - {libelle: Pas satisfaits, valeur: 3}
champ: Jeunes et mentors du programme, 2025
lecture: 92 % des jeunes sont très satisfaits.
"""
FIGURE_MOYENNES = """\
titre: Séances suivies en moyenne
type: barres
effectifs: false
illustratif: true
source: Suivi du programme
alt: Barres.
valeurs:
  - {libelle: Méthodologie, valeur: 4.5}
  - {libelle: Orientation, valeur: 3.2}
champ: Jeunes et mentors du programme, 2025
lecture: les jeunes ont suivi en moyenne 4,5 séances de méthodologie.
"""
FIGURE_NB = """\
titre: Jeunes par atelier
type: barres
unite: Nb. de jeunes
effectifs: false
illustratif: true
source: Suivi du programme
alt: Barres.
valeurs:
  - {libelle: Théâtre, valeur: 40}
  - {libelle: Vidéo, valeur: 5, masque: true}
  - {libelle: Radio, valeur: 7}
champ: Jeunes et mentors du programme, 2025
lecture: 40 jeunes ont suivi l'atelier théâtre.
"""
FIGURE_HEURES = """\
titre: Heures de formation des mentors
type: barres
unite: heures par mentor
effectifs: false
illustratif: true
source: Suivi du programme
alt: Barres.
valeurs:
  - {libelle: Initiale, valeur: 6}
  - {libelle: Continue, valeur: 4}
champ: Jeunes et mentors du programme, 2025
lecture: chaque mentor a suivi 6 heures de formation initiale.
"""

EMAIL_PAGE, EMAIL_LINES = page("Contacts", [t for t, _ in EMAILS])
PHONE_PAGE, PHONE_LINES = page("Téléphones", [t for t, _ in PHONES])
COUNT_PAGE, COUNT_LINES = page("Effectifs", [t for t, _ in SMALL_COUNTS])
ORDINARY_PAGE, _ = page("Prose ordinaire", ORDINARY)
PUBLIC_PAGE, PUBLIC_LINES = page("Accueil du programme", PUBLIC_USES)


def run_check(root) -> tuple[int, list[str], str]:
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["check"], root=root)
    return code, err.getvalue().splitlines(), out.getvalue()


@pytest.fixture(scope="module")
def projet_prive(tmp_path_factory):
    projet = make_project(tmp_path_factory.mktemp("confidentialite") / "projet")
    projet.replace("content/data/programme.yml",
                   'contacts_publics:\n  - {libelle: Police secours, numero: "17", '
                   'description: Danger immédiat.}\n', PROGRAMME_CONTACTS)
    projet.write("content/contacts.md", EMAIL_PAGE)
    projet.write("content/telephones.md", PHONE_PAGE)
    projet.write("content/effectifs.md", COUNT_PAGE)
    projet.write("content/prose-ordinaire.md", ORDINARY_PAGE)
    projet.write("content/accueil-du-programme.md", PUBLIC_PAGE)
    projet.write("workshops/ecrire-aux-entreprises.md", ATELIER_FIELDS)
    projet.write("whitepaper/temoignages.yml", TEMOIGNAGES)
    projet.write("whitepaper/donnees/jeunes-par-ville.yml", FIGURE_SANS_EFFECTIFS)
    projet.write("whitepaper/donnees/participants.yml", FIGURE_SANS_UNITE)
    projet.write("whitepaper/donnees/satisfaction.yml", FIGURE_POURCENTAGES)
    projet.write("whitepaper/donnees/moyennes.yml", FIGURE_MOYENNES)
    projet.write("whitepaper/donnees/heures.yml", FIGURE_HEURES)
    projet.write("whitepaper/donnees/jeunes-par-atelier.yml", FIGURE_NB)
    return projet


@pytest.fixture(scope="module")
def resultat(projet_prive):
    return run_check(projet_prive.root)


def lines_of(resultat, path: str) -> list[str]:
    return [line for line in resultat[1] if line.startswith(path + ":")]


def test_check_fails_with_exit_code_1(resultat):
    code, lines, _out = resultat
    assert code == 1
    assert lines[-1].startswith("Échec : ")
    assert not any("Traceback" in line for line in lines)


@pytest.mark.parametrize("index", range(len(EMAILS)), ids=[t for t, _ in EMAILS])
def test_obfuscated_email_is_an_error(resultat, index):
    expected = f"content/contacts.md:{EMAIL_LINES[index]}: {EMAILS[index][1]}"
    assert any(line.startswith(expected) for line in resultat[1]), lines_of(resultat,
                                                                          "content/contacts.md")


def test_email_message_says_what_to_write_instead(resultat):
    assert (f"content/contacts.md:{EMAIL_LINES[0]}: adresse e-mail « prenom.nom(at)gmail.com » "
            "(soit prenom.nom@gmail.com) : aucune coordonnée personnelle dans les contenus. "
            "Citez un rôle (« le ou la référent·e du programme ») ou, si l'adresse est publique, "
            "ajoutez-la aux contacts_publics de content/data/programme.yml") in resultat[1]


def test_one_error_per_address(resultat):
    lines = lines_of(resultat, "content/contacts.md")
    assert len(lines) == len(EMAILS) + 1  # one paragraph holds two addresses
    second = EMAIL_LINES[[t for t, _ in EMAILS].index(
        "Contact : camille_martin@exemple.org ou hélène.dupont@exemple.org")]
    assert any(x.startswith(f"content/contacts.md:{second}: adresse e-mail "
                            "« hélène.dupont@exemple.org »") for x in lines)


@pytest.mark.parametrize("index", range(len(PHONES)), ids=[t for t, _ in PHONES])
def test_phone_number_in_any_french_form_is_an_error(resultat, index):
    expected = f"content/telephones.md:{PHONE_LINES[index]}: {PHONES[index][1]}"
    assert any(line.startswith(expected) for line in resultat[1]), lines_of(
        resultat, "content/telephones.md")


def test_one_error_per_phone_number(resultat):
    assert len(lines_of(resultat, "content/telephones.md")) == len(PHONES)


@pytest.mark.parametrize("index", range(len(SMALL_COUNTS)), ids=[t for t, _ in SMALL_COUNTS])
def test_small_count_in_prose_is_an_error(resultat, index):
    expected = f"content/effectifs.md:{COUNT_LINES[index]}: {SMALL_COUNTS[index][1]}"
    assert any(line.startswith(expected) for line in resultat[1]), lines_of(
        resultat, "content/effectifs.md")


def test_small_count_message_says_what_to_write_instead(resultat):
    assert (f"content/effectifs.md:{COUNT_LINES[1]}: petit effectif dans le texte : « 2 mentors » "
            "(2 personnes, moins de 10) permet de reconnaître des personnes. Écrivez « moins de "
            "10 » ou une part (« une minorité des jeunes »), ou regroupez avec d'autres "
            "chiffres ; une taille de groupe s'écrit « par groupes de 3 » ou « 2 mentors par "
            "groupe »") in resultat[1]
    assert len(lines_of(resultat, "content/effectifs.md")) == len(SMALL_COUNTS)


def test_ordinary_prose_passes(resultat):
    """Group sizes, ratios, instructions, emergency numbers, dates, sums, ISBNs, statistics,
    « at » and « point » in sentences: no message at all."""
    assert lines_of(resultat, "content/prose-ordinaire.md") == []


def test_public_contact_is_recognised_in_any_spelling(resultat):
    assert lines_of(resultat, "content/accueil-du-programme.md") == []


def test_same_contacts_are_errors_when_not_public(tmp_path):
    """The spellings above are really read as contacts: without the reviewed entry in
    contacts_publics, each one is reported."""
    projet = make_project(tmp_path / "projet")
    projet.write("content/accueil-du-programme.md", PUBLIC_PAGE)
    code, lines, _out = run_check(projet.root)
    assert code == 1
    found = [x.split(" : ")[0] for x in lines if x.startswith("content/accueil-du-programme.md")]
    path = "content/accueil-du-programme.md"
    phones, emails = PUBLIC_LINES
    assert sorted(found) == sorted([f"{path}:{phones}: numéro de téléphone « {n} »" for n in
                     ["01.23.45.67.89", "+33 1 23 45 67 89", "(+33) 1 23 45 67 89",
                      "0033 1 23 45 67 89"]] + [
        f"{path}:{emails}: adresse e-mail « contact@powao.fr »",
        f"{path}:{emails}: adresse e-mail « CONTACT@POWAO.FR »",
        f"{path}:{emails}: adresse e-mail « contact (at) powao [dot] fr » (soit contact@powao.fr)",
        f"{path}:{emails}: adresse e-mail « contact&#64;powao.fr » (soit contact@powao.fr)"])


@pytest.mark.parametrize("line, field, start", [
    (11, "deroule[1].consignes", "adresse e-mail « prenom [at] domaine [dot] fr » (soit "
     "prenom@domaine.fr)"),
    (12, "deroule[2].consignes", "numéro de téléphone « +33 (0)6 12 34 56 78 »"),
    (15, "deroule[3].consignes", "petit effectif dans le texte : « seulement 2 jeunes filles de "
     "16 ans » (2 personnes, moins de 10)"),
])
def test_yaml_fields_are_checked_with_their_line_and_field(resultat, line, field, start):
    expected = f"workshops/ecrire-aux-entreprises.md:{line}: champ « {field} » : {start}"
    assert any(x.startswith(expected) for x in resultat[1]), lines_of(
        resultat, "workshops/ecrire-aux-entreprises.md")
    assert len(lines_of(resultat, "workshops/ecrire-aux-entreprises.md")) == 3


TEM = "whitepaper/temoignages.yml"


@pytest.mark.parametrize("expected", [
    f"{TEM}:11: champ « temoignages[2].prenom » : témoignage « nom » : prénom « Samia Benali » : "
    "écrivez un seul prénom (modifié), sans nom de famille, initiale ni second prénom, par "
    "exemple « prenom: Samia »",
    f"{TEM}:18: champ « temoignages[3].prenom » : témoignage « initiale » : prénom « Samia B. » : "
    "écrivez un seul prénom (modifié), sans nom de famille, initiale ni second prénom, par "
    "exemple « prenom: Samia »",
    f"{TEM}:24: champ « temoignages[4].citation » : témoignage « details » : établissement "
    "« collège Victor-Hugo » (citation) ; classe « en 3e B » (citation) ; âge « 15 ans » "
    "(citation) : ces détails, réunis, permettent de reconnaître la personne, même avec son "
    "consentement. Retirez-les ou remplacez-les par des mots généraux",
    f"{TEM}:33: champ « temoignages[5].citation » : témoignage « reparti » : classe « terminale "
    "STMG » (citation) ; âge « 17 ans » (role) : ces détails, réunis, permettent de "
    "reconnaître la personne",
    f"{TEM}:40: champ « temoignages[6].citation » : témoignage « mentor-nomme » : nom de famille "
    "« M. Dupont » (citation) : un nom de famille ou une initiale permet de reconnaître la "
    "personne, même avec son consentement.",
    f"{TEM}:47: champ « temoignages[7].citation » : témoignage « lieu » : lieu « habite à "
    "Bobigny » (citation) ; âge « 19 ans » (role) : ces détails, réunis",
    f"{TEM}:54: champ « temoignages[8].citation » : témoignage « ville » : âge « quinze ans » "
    "(citation) ; lieu « dans le 93 » (citation) ; nom propre « Sevran » (role) : ces détails, "
    "réunis, permettent de reconnaître la personne",    f"{TEM}:61: champ « temoignages[9].citation » : témoignage « commune » : âge « 14 ans » "
    "(citation) ; lieu « Montreuil » (citation) : ces détails, réunis, permettent de "
    "reconnaître la personne",
])
def test_identifying_testimonial_is_an_error_even_with_consent(resultat, expected):
    assert any(line.startswith(expected) for line in resultat[1]), lines_of(resultat, TEM)


def test_testimonial_remedy_names_what_to_write(resultat):
    line = next(x for x in lines_of(resultat, TEM) if "« details »" in x)
    assert line.endswith("(classe → « au lycée », « en fin de scolarité » ; âge → « une jeune », "
                         "« moins de 20 ans » ; établissement → « un lycée », « son école ») ; "
                         "gardez au plus un détail de ce type")


def test_plain_testimonials_pass(resultat):
    """One detail (an age), a compound first name, durations, « les écoles de commerce »."""
    lines = lines_of(resultat, TEM)
    assert not [x for x in lines if "« ok »" in x or "« compose »" in x]
    assert len(lines) == 8


@pytest.mark.parametrize("path, expected", [
    ("whitepaper/donnees/jeunes-par-ville.yml",
     "whitepaper/donnees/jeunes-par-ville.yml:10: champ « valeurs[2].valeur » : petit effectif "
     "(2) pour « Bobigny » : en dessous de 10, la figure a « effectifs: false » mais ses valeurs "
     "(unité « jeunes », nombres entiers) ressemblent à des effectifs de personnes : une personne "
     "pourrait être reconnue. S'il s'agit de personnes, écrivez « effectifs: true » puis "
     "regroupez des catégories ou écrivez « masque: true » ; sinon donnez l'unité réelle "
     "(« unite: \"%\" », « unite: heures »)"),
    ("whitepaper/donnees/participants.yml",
     "whitepaper/donnees/participants.yml:9: champ « valeurs[2].valeur » : petit effectif (3) "
     "pour « Vidéo » : en dessous de 10, la figure a « effectifs: false » mais ses valeurs (sans "
     "unité, nombres entiers) ressemblent à des effectifs de personnes"),
    ("whitepaper/donnees/jeunes-par-atelier.yml",  # the masked value is not reported
     "whitepaper/donnees/jeunes-par-atelier.yml:11: champ « valeurs[3].valeur » : petit effectif "
     "(7) pour « Radio » : en dessous de 10, la figure a « effectifs: false » mais ses valeurs "
     "(unité « Nb. de jeunes », nombres entiers)"),
])
def test_chart_of_people_without_effectifs_flag_is_checked(resultat, path, expected):
    lines = lines_of(resultat, path)
    assert len(lines) == 1
    assert lines[0].startswith(expected)


@pytest.mark.parametrize("path", ["whitepaper/donnees/satisfaction.yml",
                                  "whitepaper/donnees/moyennes.yml",
                                  "whitepaper/donnees/heures.yml"])
def test_chart_of_percentages_averages_or_hours_passes(resultat, path):
    assert lines_of(resultat, path) == []


def test_build_py_check_exits_1_without_traceback(projet_prive):
    result = subprocess.run([sys.executable, str(projet_prive.root / "build.py"), "check"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (f"content/telephones.md:{PHONE_LINES[5]}: numéro de téléphone « +33 6 12 34 56 78 »"
            in result.stderr)


def test_long_hostile_lines_are_read_in_linear_time(tmp_path):
    """Lines built to make a careless pattern backtrack (« ((((… », « 1.1.1.… », long
    hyphenated names, « a@a@… ») are checked like any text; with a quadratic pattern this
    test would run for minutes."""
    projet = make_project(tmp_path / "projet")
    hostile = ["(" * 19000, "+" * 19000, "1." * 9500, "a@" * 9500, "x at " * 3800,
               "lycée " + "-".join(["Aa"] * 6000), "2" + " " * 19000 + "jeunes"] * 3
    # (lines stay under the 20 000-character limit of `check`)
    text, _lines = page("Lignes hostiles", hostile)
    projet.write("content/lignes-hostiles.md", text)
    projet.write("whitepaper/temoignages.yml", TEMOIGNAGES.split("  - id: nom")[0].replace(
        "role: jeune mentorée, 21 ans", "role: x, " + "-".join(["Aa"] * 3000) + " x"))  # one YAML line of 9 000 characters
    code, lines, _out = run_check(projet.root)
    assert code == 0, lines


def test_threshold_comes_from_programme_data(tmp_path):
    """`seuil_petits_effectifs` sets the limit for prose (digits and words) and charts."""
    projet = make_project(tmp_path / "projet")
    projet.replace("content/data/programme.yml", "contacts_publics:",
                   "seuil_petits_effectifs: 15\ncontacts_publics:")
    text, lines = page("Seuil", ["En 2023, 12 jeunes ont quitté le programme.",
                                 "Onze jeunes ont abandonné en cours de route.",
                                 "En 2023, 16 jeunes ont quitté le programme."])
    projet.write("content/seuil.md", text)
    code, found, _out = run_check(projet.root)
    assert code == 1
    assert [x for x in found if x.startswith("content/seuil.md")] == [
        f"content/seuil.md:{lines[0]}: petit effectif dans le texte : « 12 jeunes » "
        "(12 personnes, moins de 15) permet de reconnaître des personnes. Écrivez « moins de "
        "15 » ou une part (« une minorité des jeunes »), ou regroupez avec d'autres chiffres ; "
        "une taille de groupe s'écrit « par groupes de 3 » ou « 2 mentors par groupe »",
        f"content/seuil.md:{lines[1]}: petit effectif dans le texte : « Onze jeunes » "
        "(11 personnes, moins de 15) permet de reconnaître des personnes. Écrivez « moins de "
        "15 » ou une part (« une minorité des jeunes »), ou regroupez avec d'autres chiffres ; "
        "une taille de groupe s'écrit « par groupes de 3 » ou « 2 mentors par groupe »"]
