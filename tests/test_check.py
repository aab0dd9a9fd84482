"""`build.py check`: one test per kind of authoring error, asserting the exact line an
author reads (file, line, field, message)."""
from __future__ import annotations

import subprocess
import sys

import pytest

ATELIER = "workshops/construire-son-reseau.md"


def errors(projet, capsys, *args: str) -> tuple[int, list[str]]:
    code, _out, err = projet.run("check", *args, capsys=capsys)
    lines = [line for line in err.splitlines() if not line.startswith("Échec")]
    return code, lines


def errors_with_tip(projet, capsys, text: str) -> tuple[int, list[str]]:
    """`check`'s errors once `text` is added under the workshop's « Conseils d'animation »
    (its line 30)."""
    projet.replace(ATELIER, "## Conseils d'animation\n", f"## Conseils d'animation\n\n{text}\n")
    return errors(projet, capsys)


def test_clean_project_passes(projet, capsys):
    code, out, err = projet.run("check", "--strict", capsys=capsys)
    assert code == 0, err
    assert "Contenu valide : 2 ateliers" in out
    assert err == ""


def test_malformed_yaml_gives_line_and_column(projet, capsys):
    projet.replace(ATELIER, "resume: Trouver un stage grâce à son réseau.",
                   "resume: [Trouver un stage")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"{ATELIER}:5: YAML mal formé (colonne ")
    assert "crochet « [ » non fermé" in lines[0]


def test_tab_in_indentation(projet, capsys):
    projet.replace(ATELIER, "  - Identifier trois", "\t- Identifier trois")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:8: tabulation dans l'indentation : le YAML n'accepte que des "
                     "espaces (remplacez chaque tabulation par deux espaces)"]


def test_duplicate_key_names_both_lines(projet, capsys):
    projet.replace(ATELIER, "duree: 120\n", "duree: 120\nduree: 90\n")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:7: champ « duree » : clé en double (déjà définie ligne 6) : "
                     "gardez une seule des deux lignes"]


def test_unknown_key_suggests_closest(projet, capsys):
    projet.replace(ATELIER, "duree: 120\n", "duree: 120\nobjectif: Apprendre\n")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:7: champ « objectif » : champ inconnu. "
                     "Vouliez-vous dire « objectifs » ?"]


def test_wrong_type(projet, capsys):
    projet.replace(ATELIER, "duree: 120", "duree: deux heures")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines[0] == (f"{ATELIER}:6: champ « duree » : nombre entier attendu, trouvé "
                        "« deux heures » : écrivez le nombre seul, sans guillemets ni unité, "
                        "par exemple 10")


def test_missing_required_field(projet, capsys):
    projet.replace(ATELIER, "resume: Trouver un stage grâce à son réseau.\n", "")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:2: champ « resume » : champ obligatoire manquant. Ajoutez par "
                     "exemple « resume: Cartographier les personnes que l'on connaît déjà pour "
                     "trouver un stage. »"]


def test_value_outside_enumeration_lists_allowed(projet, capsys):
    projet.replace(ATELIER, "statut: publie", "statut: publié")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:4: champ « statut » : valeur « publié » non autorisée. Valeurs "
                     "possibles : brouillon, relu, publie. Vouliez-vous dire « publie » ?"]


def test_step_format_enumeration_in_list(projet, capsys):
    projet.replace(ATELIER, "format: binomes", "format: binome")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:17: champ « deroule[4].format » : valeur « binome » non "
                     "autorisée. Valeurs possibles : pleniere, sous-groupes, binomes, "
                     "individuel, pause. Vouliez-vous dire « binomes » ?"]


@pytest.mark.parametrize("rel, old, new, expected", [
    (ATELIER, "axe: insertion-professionnelle", "axe: insertion-pro",
     f"{ATELIER}:3: champ « axe » : axe « insertion-pro » inconnu(e). Vouliez-vous dire "
     "« insertion-professionnelle » ?"),
    ("workshops/cycles/cycle-test.md", "atelier: construire-son-reseau",
     "atelier: construire-son-reseaux",
     "workshops/cycles/cycle-test.md:8: champ « seances[2].atelier » : atelier "
     "« construire-son-reseaux » inconnu(e). Vouliez-vous dire « construire-son-reseau » ?"),
    ("trainings/modules/poser-le-cadre.md", "competences: [poser-le-cadre]",
     "competences: [poser-cadre]",
     "trainings/modules/poser-le-cadre.md:6: champ « competences[1] » : compétence "
     "« poser-cadre » inconnu(e). Vouliez-vous dire « poser-le-cadre » ?"),
    ("whitepaper/livre-blanc.yml", "chapitres: [avant-propos]", "chapitres: [avant-propo]",
     "whitepaper/livre-blanc.yml:8: champ « chapitres[1] » : chapitre « avant-propo » "
     "inconnu(e). Vouliez-vous dire « avant-propos » ?"),
])
def test_unknown_reference_suggests_closest(projet, capsys, rel, old, new, expected):
    projet.replace(rel, old, new)
    code, lines = errors(projet, capsys)
    assert code == 1
    assert expected in lines


def test_duplicate_id(projet, capsys):
    projet.replace("workshops/organiser-sa-semaine.md", "titre: Organiser sa semaine",
                   "id: construire-son-reseau\ntitre: Organiser sa semaine")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert ("workshops/organiser-sa-semaine.md:2: champ « id » : identifiant "
            "« construire-son-reseau » déjà utilisé par workshops/construire-son-reseau.md : "
            "chaque atelier doit avoir un identifiant unique") in lines


def test_durations_must_add_up(projet, capsys):
    projet.replace(ATELIER, "duree: 40, format: binomes", "duree: 45, format: binomes")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:6: champ « duree » : la durée annoncée (120 min) ne correspond "
                     "pas au déroulé (10 + 25 + 15 + 45 + 30 = 125 min) : écrivez « duree: 125 » "
                     "ou corrigez les étapes"]


def test_non_utf8_file(projet, capsys):
    text = projet.read(ATELIER).replace("Chacun dit un mot.", "Chacun dit un mot été.")
    (projet.root / ATELIER).write_bytes(text.encode("latin-1"))
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:2: le fichier n'est pas en UTF-8 (octet 0xe9 illisible) : "
                     "enregistrez-le en « UTF-8 » depuis votre éditeur"]


def test_empty_file(projet, capsys):
    projet.write("workshops/vide.md", "\n  \n")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == ["workshops/vide.md:1: fichier vide : écrivez au moins l'en-tête YAML entre "
                     "deux lignes « --- » (voir le guide de rédaction)"]


def test_link_and_image_to_missing_files(projet, capsys):
    code, lines = errors_with_tip(projet, capsys, "Voir [la grille](grille.pdf) et "
                                  "![le schéma](images/schema.png).")
    assert code == 1
    assert lines == [
        f"{ATELIER}:30: image vers « images/schema.png » : fichier introuvable. Vérifiez le nom "
        "et le dossier (le chemin est relatif au fichier)",
        f"{ATELIER}:30: lien vers « grille.pdf » : fichier introuvable. Vérifiez le nom et le "
        "dossier (le chemin est relatif au fichier)",
    ]


def test_link_messages_quote_the_whole_address_parentheses_included(projet, capsys):
    code, lines = errors_with_tip(
        projet, capsys, "Voir [ici](javascript:alert(1)), [la fiche](Mentorat_(groupe).pdf) "
        "et [l'article](https://fr.wikipedia.org/wiki/Mentorat_(accompagnement)).")
    assert code == 1
    assert f"{ATELIER}:30: lien « javascript:alert(1) » refusé : seuls les chemins relatifs " \
        "vers un fichier du projet sont acceptés" in lines
    assert f"{ATELIER}:30: lien vers « Mentorat_(groupe).pdf » : fichier introuvable. Vérifiez " \
        "le nom et le dossier (le chemin est relatif au fichier)" in lines
    assert not any("wikipedia" in line for line in lines)


def test_html_images_are_read_with_unquoted_attributes_too(projet, capsys):
    code, lines = errors_with_tip(projet, capsys, "Voir <img alt=Logo src=logo.png> et "
                                  "<img src=schema.png>.")
    assert code == 1
    assert f"{ATELIER}:30: image « schema.png » sans texte de remplacement : écrivez ce " \
        "qu'elle montre entre les crochets, ![Deux mentors au tableau](schema.png), ou, si " \
        "elle ne fait que décorer, marquez-la ![](schema.png){ .decoratif }" in lines
    assert not any("«  »" in line or "« logo.png » sans texte" in line for line in lines)
    assert f"{ATELIER}:30: image vers « logo.png » : fichier introuvable. Vérifiez le nom et " \
        "le dossier (le chemin est relatif au fichier)" in lines


def test_all_problems_of_a_run_at_once(projet, capsys):
    projet.replace(ATELIER, "statut: publie", "statut: publié")
    projet.replace("workshops/organiser-sa-semaine.md", "duree: 60", "duree: 70")
    projet.replace("trainings/modules/poser-le-cadre.md", "duree: 90", "duree: 80")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert [line.split(":")[0] for line in lines] == [
        "trainings/modules/poser-le-cadre.md", ATELIER, "workshops/organiser-sa-semaine.md"]


def test_warning_becomes_error_with_strict(projet, capsys):
    projet.replace(ATELIER, "  - Formuler une demande claire", "  - Une demande claire")
    code, out, err = projet.run("check", capsys=capsys)
    assert code == 0
    assert (f"{ATELIER}:9: avertissement : champ « objectifs[2] » : l'objectif « Une demande "
            "claire » devrait commencer par un verbe à l'infinitif") in err
    code, out, err = projet.run("check", "--strict", capsys=capsys)
    assert code == 1
    assert "Échec : 1 avertissement (bloquants avec --strict)" in err


def test_bom_and_crlf_are_accepted(projet, capsys):
    text = projet.read(ATELIER).replace("\n", "\r\n")
    (projet.root / ATELIER).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, _out, err = projet.run("check", "--strict", capsys=capsys)
    assert code == 0, err


@pytest.mark.parametrize("yaml_value, message", [
    ("sensible: oui", "champ « sensible » : true ou false attendu, trouvé « oui »"),
    ("sensible: on", "champ « sensible » : true ou false attendu, trouvé « on »"),
    ('heure_debut: 14:30', None),
    ("heure_debut: 1430", "champ « heure_debut » : texte attendu, trouvé « 1430 »"),
    ("version: 01000", None),
])
def test_yaml_never_changes_what_the_author_wrote(projet, capsys, yaml_value, message):
    projet.replace(ATELIER, "duree: 120\n", f"duree: 120\n{yaml_value}\n")
    code, lines = errors(projet, capsys)
    if message is None:
        assert code == 0, lines
        from powao.loader import load
        from powao.errors import Report
        corpus = load(projet.root, Report())
        atelier = corpus.ateliers["construire-son-reseau"]
        key, _, value = yaml_value.partition(": ")
        assert getattr(atelier, key) == value  # "14:30" and "01000" kept as typed
    else:
        assert code == 1
        assert any(message in line and line.startswith(f"{ATELIER}:7:") for line in lines), lines


def test_python_tags_and_aliases_are_refused(projet, capsys):
    projet.replace(ATELIER, "duree: 120\n",
                   "duree: 120\npublic: !!python/object/apply:os.system [ls]\n")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert any(line.startswith(f"{ATELIER}:7:") and "étiquette YAML" in line for line in lines)
    projet.replace(ATELIER, "public: !!python/object/apply:os.system [ls]\n",
                   "public: &a Jeunes\nversion: *a\n")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:7: YAML mal formé (colonne 9) : les ancres YAML (&a) ne sont "
                     "pas acceptées : recopiez la valeur"]


@pytest.mark.parametrize("rel", ["content/data/programme.yml", "content/data/competences.yml",
                                 "whitepaper/references.yml"])
def test_a_broken_data_file_is_one_error_not_one_per_reference(projet, capsys, rel):
    """Workshops, modules and chapters refer to the data files (tags, key figures, axes,
    skills, references): one unreadable data file is one error, on its own line, not
    one more for each reference to it."""
    text = (projet.root / rel).read_text(encoding="utf-8")
    projet.write(rel, "bombe: &a [lol, lol]\nb2: [*a, *a]\n" + text)
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{rel}:1: YAML mal formé (colonne 8) : les ancres YAML (&a) ne sont pas "
                     "acceptées : recopiez la valeur"]
    projet.write(rel, text.replace(":", " =", 1))  # no longer a mapping: invalid, not unreadable
    code, lines = errors(projet, capsys)
    assert code == 1 and lines and all(line.startswith(f"{rel}:") for line in lines), lines


def test_unknown_data_reference(projet, capsys):
    projet.replace(ATELIER, "{{ chiffres.jeunes_mentores }}", "{{ chiffres.jeunes_mentore }}")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:26: donnée « chiffres.jeunes_mentore » introuvable dans "
                     "content/data/programme.yml. Vouliez-vous dire « chiffres.jeunes_mentores » ?"]


def test_unknown_cross_reference(projet, capsys):
    projet.replace(ATELIER, "atelier:organiser-sa-semaine", "atelier:organiser-semaine")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:30: renvoi vers atelier « organiser-semaine » inconnu. "
                     "Vouliez-vous dire « organiser-sa-semaine » ?"]


def test_new_atelier_then_check_passes(projet, capsys):
    code, out, err = projet.run("new", "atelier", "Mon atelier", "--axe", "orientation",
                                capsys=capsys)
    assert code == 0, err
    assert "Créé : workshops/mon-atelier.md" in out
    text = projet.read("workshops/mon-atelier.md")
    assert "# Durée totale en minutes" in text  # every field with its French comment
    assert "# heure_debut:" in text            # optional fields shown commented out
    code, out, err = projet.run("check", "--strict", capsys=capsys)
    assert code == 0, err
    # A new file is a draft: valid, but never on the public site.
    assert "Non publiés sur le site public (brouillon, relu ou interne) : 1 fichier — " \
        "workshops/mon-atelier.md" in out


@pytest.mark.parametrize("kind, folder", [("module", "trainings/modules"),
                                          ("chapitre", "whitepaper/chapitres")])
def test_new_module_and_chapter_pass_check(projet, capsys, kind, folder):
    code, out, err = projet.run("new", kind, "Écouter sans juger", capsys=capsys)
    assert code == 0, err
    assert (projet.root / folder / "ecouter-sans-juger.md").exists()
    code, out, err = projet.run("check", capsys=capsys)
    assert code == 0, err


def test_new_atelier_with_unknown_axis_is_a_usage_error(projet, capsys):
    code, out, err = projet.run("new", "atelier", "X", "--axe", "orient", capsys=capsys)
    assert code == 2
    assert err.strip() == ("Erreur : axe « orient » inconnu. Axes possibles : methodologie, "
                           "orientation, insertion-professionnelle. Vouliez-vous dire "
                           "« orientation » ?")


def test_usage_error_exit_code_and_french_help(projet):
    result = subprocess.run([sys.executable, str(projet.root / "build.py"), "inconnue"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "choix invalide" in result.stderr
    result = subprocess.run([sys.executable, str(projet.root / "build.py"), "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert "Utilisation : build.py" in result.stdout
    assert "vérifie tout le contenu" in result.stdout


def test_build_py_works_from_a_copy_anywhere(projet, tmp_path):
    # The project copy lives in a temporary folder; run it from another directory.
    result = subprocess.run([sys.executable, str(projet.root / "build.py"), "check"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Contenu valide" in result.stdout
    assert "Traceback" not in result.stderr
