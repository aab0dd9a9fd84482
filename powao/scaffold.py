"""`build.py new`: write a new content file that passes `check`.

Every sentence the author must replace starts with « À compléter » (the marker of
`checks.PLACEHOLDER`): `check` warns while such a file is published, and
`check --strict` refuses it.

Every field of the model is shown, preceded by its French description as a
comment; optional fields without a value are shown commented out.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import model as m
from .errors import UsageError, suggestion
from .render import slugify as _slugify

STARTERS: dict[str, dict[str, Any]] = {
    "atelier": {
        "statut": "brouillon",
        "resume": "À compléter : une phrase qui dit ce que les jeunes y gagnent.",
        "duree": 90,
        "objectifs": ["Identifier ce que chacun sait déjà du sujet",
                      "Repartir avec une action concrète à mener avant la séance suivante"],
        "materiel": [{"article": "Post-it", "par_jeune": 10},
                     {"article": "Paperboard", "quantite": 1}],
        "preparation": ["Imprimer un document participant par jeune"],
        "deroule": [
            {"titre": "Accueil et météo d'arrivée", "duree": 10, "format": "pleniere",
             "consignes": "Chacun dit en un mot comment il arrive aujourd'hui."},
            {"titre": "Activité principale", "duree": 60, "format": "sous-groupes",
             "consignes": "À compléter : ce que font les jeunes et ce que dit l'animateur."},
            {"titre": "Clôture", "duree": 20, "format": "pleniere",
             "consignes": "Chacun dit ce qu'il retient et l'action qu'il choisit."},
        ],
        "vigilance": ["Personne n'est obligé de répondre ; le droit de passer est rappelé."],
        "mots_cles": [],
    },
    "module": {
        "statut": "brouillon",
        "resume": "À compléter : une phrase qui dit ce que le mentor saura faire.",
        "duree": 90,
        "objectifs": ["Décrire le rôle du mentor dans le groupe",
                      "Appliquer une technique en jeu de rôle"],
        "sequences": [
            {"titre": "Apport", "duree": 30, "methode": "apport", "description": "À compléter."},
            {"titre": "Mise en pratique", "duree": 45, "methode": "jeu-de-role",
             "description": "À compléter."},
            {"titre": "Bilan", "duree": 15, "methode": "echange", "description": "À compléter."},
        ],
        "evaluation": {"formative": "Tour de table en fin de séquence.",
                       "sommative": "Quiz de cinq questions."},
    },
    "chapitre": {
        "statut": "brouillon",
        "type": "enseignements",
        "chapeau": "À compléter : un paragraphe qui dit ce que le lecteur va trouver dans ce chapitre.",
    },
}

BODIES = {
    "atelier": """
## Pourquoi cet atelier

À compléter : expliquez en quelques lignes ce que cet atelier apporte aux jeunes.

## Conseils d'animation

- À compléter : un conseil par ligne.

## Variante à distance

À compléter : comment mener l'atelier en visioconférence.

## Clôture et évaluation

À compléter : comment finir la séance et savoir si les objectifs sont atteints.

## Document participant : Titre du document

À compléter : le contenu imprimé pour les jeunes (grille, liste, questions).
""",
    "module": """
## Intentions pédagogiques

À compléter : ce que le module change dans la pratique du mentor.

## Déroulé détaillé

À compléter : décrivez chaque séquence.
""",
    "chapitre": """
À compléter : le texte du chapitre, en Markdown. Une note de bas de page s'écrit ainsi[^1].

[^1]: À compléter : le texte de la note.
""",
}

MODELS = {"atelier": m.Atelier, "module": m.ModuleFormation, "chapitre": m.Chapitre}
FOLDERS = {"atelier": "workshops", "module": "trainings/modules", "chapitre": "whitepaper/chapitres"}


def slugify(title: str) -> str:
    """The file name of a new content file: the same rule as heading ids."""
    return _slugify(title)


def _yaml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


def _field_lines(name: str, value: Any, comment: str) -> list[str]:
    lines = [f"# {comment}"] if comment else []
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        lines.append(f"{name}:")
        for item in value:
            first = True
            for key, val in item.items():
                lines.append(f"  {'- ' if first else '  '}{key}: {_yaml_value(val)}")
                first = False
    elif isinstance(value, list):
        if value:
            lines.append(f"{name}:")
            lines.extend(f"  - {_yaml_value(v)}" for v in value)
        else:
            lines.append(f"{name}: []")
    elif isinstance(value, dict):
        lines.append(f"{name}:")
        lines.extend(f"  {k}: {_yaml_value(v)}" for k, v in value.items())
    else:
        lines.append(f"{name}: {_yaml_value(value)}")
    return lines


def render(kind: str, title: str, values: dict[str, Any]) -> str:
    model = MODELS[kind]
    starter = {**STARTERS[kind], "titre": title, **values}
    out = ["---"]
    for name, info in model.model_fields.items():
        comment = info.description or ""
        if name in starter:
            out += _field_lines(name, starter[name], comment)
        elif info.is_required():
            raise AssertionError(f"no starter value for required field {name}")
        else:
            default = info.get_default(call_default_factory=True)
            if default is None:
                example = info.examples[0] if info.examples else ""
                out += [f"# {comment}", f"# {name}: {_yaml_value(example)}"]
            else:
                if isinstance(default, m.Modele):
                    default = default.model_dump()
                out += _field_lines(name, default, comment)
    out.append("---")
    return "\n".join(out) + "\n" + BODIES[kind]


def create(root: Path, kind: str, title: str, axe: str | None,
           axes: list[str]) -> tuple[Path, dict[str, Any]]:
    if kind not in MODELS:
        raise UsageError(f"type « {kind} » inconnu : choisissez atelier, module ou chapitre."
                         f"{suggestion(kind, MODELS)}")
    values: dict[str, Any] = {}
    if kind == "atelier":
        if not axe:
            raise UsageError(f"précisez l'axe de l'atelier avec --axe parmi : {', '.join(axes)}")
        if axe not in axes:
            raise UsageError(f"axe « {axe} » inconnu. Axes possibles : {', '.join(axes)}."
                             f"{suggestion(axe, axes)}")
        values["axe"] = axe
        values["mots_cles"] = [axe]
    elif kind == "module":
        values["competences"] = []
    path = root / FOLDERS[kind] / f"{slugify(title)}.md"
    if path.exists():
        raise UsageError(f"le fichier {path.relative_to(root).as_posix()} existe déjà : "
                         "choisissez un autre titre")
    return path, values


def write(root: Path, kind: str, title: str, axe: str | None, axes: list[str],
          competences: list[str]) -> Path:
    path, values = create(root, kind, title, axe, axes)
    if kind == "module":
        if not competences:
            raise UsageError("aucune compétence dans content/data/competences.yml")
        values["competences"] = competences[:1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(kind, title, values), encoding="utf-8")
    return path
