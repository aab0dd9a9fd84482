"""The form editor's configuration (Decap CMS), generated from the content model.

Nothing here is written by hand per field: every collection lists the fields of
its model class (`powao.model`) in declaration order, with the field's French
description as hint, its constraints (required, bounds, list sizes, formats from
`MOTIFS`), its choices (Literal → select, axes → select of the programme's axes)
and its cross-references (`ref` → relation widget). Only what the model cannot
say lives here: where each kind of file is, and the French label of a few words.
"""
from __future__ import annotations

import re
import types
import typing
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from . import model as m
from .errors import Report
from .loader import Corpus, load


@dataclass(frozen=True)
class Dossier:
    """A folder collection: one file per entry (`build.py new` names them)."""

    name: str
    label: str
    label_singular: str
    folder: str
    model: type[m.Modele]
    description: str
    extension: str = "md"


DOSSIERS = (
    Dossier("ateliers", "Ateliers", "Atelier", "workshops", m.Atelier,
            "Les ateliers des groupes de mentorat (fichiers workshops/*.md)."),
    Dossier("cycles", "Cycles de séances", "Cycle", "workshops/cycles", m.Cycle,
            "L'ordre des séances d'un groupe (workshops/cycles/*.md)."),
    Dossier("modules", "Modules de formation", "Module", "trainings/modules", m.ModuleFormation,
            "Les modules de la formation des mentors (trainings/modules/*.md)."),
    Dossier("parcours", "Parcours de formation", "Parcours", "trainings", m.Parcours,
            "Les parcours qui enchaînent les modules (trainings/*.md)."),
    Dossier("chapitres", "Livre blanc : chapitres", "Chapitre", "whitepaper/chapitres",
            m.Chapitre, "Les chapitres du livre blanc (whitepaper/chapitres/*.md)."),
    Dossier("pages", "Pages du site", "Page", "content", m.Page,
            "Les pages du site hors ateliers : accueil, programme, cadre de sécurité… "
            "(content/*.md)."),
    Dossier("figures", "Livre blanc : données des figures", "Figure", "whitepaper/donnees",
            m.Figure, "Les valeurs de chaque graphique du livre blanc "
            "(whitepaper/donnees/*.yml).", "yml"),
)

# The programme data files (one form each), in the order of the editor's menu.
FICHIERS = (
    ("programme", "Programme (chiffres, axes, partenaires…)", "content/data/programme.yml",
     m.Programme),
    ("competences", "Référentiel de compétences", "content/data/competences.yml", m.Competences),
    ("glossaire", "Glossaire", "content/data/glossaire.yml", m.Glossaire),
    ("vocabulaire", "Vocabulaire de la recherche", "content/data/vocabulaire.yml",
     m.Vocabulaire),
    ("livre-blanc", "Livre blanc : le livre", "whitepaper/livre-blanc.yml", m.LivreBlanc),
    ("references", "Livre blanc : références", "whitepaper/references.yml", m.References),
    ("temoignages", "Livre blanc : témoignages", "whitepaper/temoignages.yml", m.Temoignages),
)
DONNEES = "donnees"  # name of the files collection

# Relation targets of each `ref` kind (see model.REFS).
RELATIONS: dict[str, dict[str, Any]] = {
    "atelier": {"collection": "ateliers", "value_field": "{{slug}}",
                "search_fields": ["titre"], "display_fields": ["titre"]},
    "module": {"collection": "modules", "value_field": "{{slug}}",
               "search_fields": ["titre"], "display_fields": ["titre"]},
    "chapitre": {"collection": "chapitres", "value_field": "{{slug}}",
                 "search_fields": ["titre"], "display_fields": ["titre"]},
    "competence": {"collection": DONNEES, "file": "competences",
                   "value_field": "competences.*.id", "search_fields": ["competences.*.titre"],
                   "display_fields": ["competences.*.titre"]},
}

# Accented French for the words of field names (labels are built from the names).
MOTS = {
    "duree": "durée", "deroule": "déroulé", "materiel": "matériel",
    "preparation": "préparation", "modalite": "modalité", "debut": "début", "cles": "clés",
    "resume": "résumé", "a": "à", "seances": "séances", "defi": "défi",
    "competences": "compétences", "lies": "liés", "sequences": "séquences",
    "methode": "méthode", "evaluation": "évaluation", "libelle": "libellé", "icone": "icône",
    "presentation": "présentation", "chaine": "chaîne", "numero": "numéro",
    "mentores": "mentorés", "annee": "année", "editeur": "éditeur", "edition": "édition",
    "unite": "unité", "masque": "masqué", "temoignages": "témoignages", "prenom": "prénom",
    "modifie": "modifié", "role": "rôle", "definition": "définition", "etape": "étape",
    "etapes": "étapes", "reference": "référence", "references": "références",
    "competence": "compétence", "frequence": "fréquence", "publie": "publié",
    "presentiel": "présentiel", "educatif": "éducatif", "economique": "économique",
    "pleniere": "plénière", "binomes": "binômes", "reflexion": "réflexion",
    "legende": "légende", "seance": "séance", "sequence": "séquence",
    "etapealerte": "étape d'alerte", "contactpublic": "contact public", "repere": "repère",
    "reperes": "repères", "elements": "éléments", "categorie": "catégorie",
}
LABELS = {"id": "Identifiant", "heure_debut": "Heure de début", "duree_mois": "Durée en mois",
          "body": "Texte", "par_jeune": "Par jeune",
          "mots_cles": "Mots-clés", "sous_titre": "Sous-titre", "url": "Adresse web",
          "email": "Adresse e-mail", "consulte": "Consulté le", "quand": "Quand", "alt": "Texte alternatif"}


def singular(text: str) -> str:
    """« Mots-clés » → « Mot-clé », « Objectifs » → « Objectif » (French plurals in -s)."""
    return " ".join("-".join(p[:-1] if len(p) > 3 and p.endswith("s") and not p.endswith("ss")
                             else p for p in word.split("-")) for word in text.split(" "))


def _plain(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def label(name: str, description: str = "") -> str:
    """French label of a field: its name's words, accented as the field's description
    writes them (« depot_legal » → « Dépôt légal », « isbn » → « ISBN »), else as MOTS."""
    if name in LABELS:
        return LABELS[name]
    written: dict[str, str] = {}
    for word in re.findall(r"[^\W\d_]+", description):
        written.setdefault(_plain(word), word if word.isupper() and len(word) > 1
                           else word.lower())
    words = [MOTS.get(w) or written.get(w, w) for w in name.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- types

def _unwrap(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """(inner type, optional?, metadata) of an annotation: Optional and Annotated removed."""
    optional = False
    meta: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            annotation, meta = args[0], meta + list(args[1:])
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) < len(typing.get_args(annotation)):
                optional = True
            if len(args) == 1:
                annotation = args[0]
                continue
            return args, optional, meta  # a union of several types (Nombre)
        return annotation, optional, meta


def _bounds(meta: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in meta:
        for attr, key in (("ge", "min"), ("le", "max"), ("gt", None), ("lt", None)):
            value = getattr(item, attr, None)
            if value is not None and key:
                out[key] = value
        if isinstance(item, FieldInfo):
            out.update(_bounds(list(item.metadata)))
    return out


def _list_sizes(meta: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in meta:
        if isinstance(item, annotated_types.MinLen) and item.min_length:
            out["min"] = item.min_length
        if isinstance(item, annotated_types.MaxLen):
            out["max"] = item.max_length
    return out


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _is_number(t: Any) -> str | None:
    """'int' for integers, 'float' for a union of numbers, None otherwise."""
    if isinstance(t, list):
        kinds = {_is_number(_unwrap(a)[0]) for a in t}
        return "float" if kinds <= {"int", "float"} and kinds else None
    if t is bool:
        return None
    if t is int:
        return "int"
    if t is float:
        return "float"
    return None


def _is_long_text(name: str, info: FieldInfo | None) -> bool:
    description = (info.description or "") if info else ""
    example = info.examples[0] if info and info.examples else ""
    return "Markdown" in description or (isinstance(example, str) and len(example) > 70) \
        or name in ("description", "consignes", "citation", "chapeau", "definition")


@dataclass
class Context:
    """What the data says that the model cannot: the axes, the keys of dictionaries."""

    axes: list[tuple[str, str]]
    dict_keys: dict[str, list[str]]  # "programme.chiffres" -> keys in the file


def option_label(value: str) -> str:
    """French label of a choice: the model's LIBELLES_* dict if one covers it, else its words."""
    for name in dir(m):
        table = getattr(m, name)
        if name.startswith("LIBELLES_") and isinstance(table, dict) and value in table:
            return table[value]
    text = "-".join(" ".join(MOTS.get(w, w) for w in part.split("_"))
                    for part in value.split("-"))
    return text[:1].upper() + text[1:]


# A valid and an invalid value of each text format (see model.MOTIFS).
PROBES = {"heure": ("14:30", "14h30"), "date": ("2026-03-15", "15/03/2026"),
          "id": ("mon-atelier", "Mon Atelier"), "couleur": ("#047857", "vert")}


def infer_motif(owner: type[BaseModel] | None, name: str) -> str | None:
    """The text format a field's validators enforce, found by trying them on PROBES:
    the format whose pattern accepts and refuses exactly what the validators do. A
    field added with `check_date` (say) and no `motif=` still gets its pattern."""
    if owner is None:
        return None
    funcs = [v.func for v in owner.__pydantic_decorators__.field_validators.values()
             if name in v.info.fields]
    if not funcs:
        return None

    def accepts(value: str) -> bool:
        try:
            for func in funcs:
                func(value)
        except (ValueError, TypeError, AssertionError):
            return False
        return True

    values = [v for pair in PROBES.values() for v in pair]
    verdicts = {v: accepts(v) for v in values}
    if all(verdicts.values()):
        return None
    found = [motif for motif, (regex, _) in m.MOTIFS.items() if motif in PROBES
             and all(bool(regex.fullmatch(v)) == verdicts[v] for v in values)]
    return found[0] if len(found) == 1 else None


def _scalar_widget(name: str, t: Any, info: FieldInfo | None, meta: list[Any],
                   ctx: Context, owner: type[BaseModel] | None = None) -> dict[str, Any]:
    powao = m.field_meta(info) if info else {}
    if typing.get_origin(t) is Literal:
        return {"widget": "select", "options": [{"label": option_label(str(v)), "value": str(v)}
                                                for v in typing.get_args(t)]}
    ref = powao.get("ref")
    if ref == "axe" and ctx.axes:
        return {"widget": "select",
                "options": [{"label": titre, "value": ident} for ident, titre in ctx.axes]}
    if ref in RELATIONS:
        return {"widget": "relation", **RELATIONS[ref]}
    if t is bool:
        return {"widget": "boolean"}
    number = _is_number(t)
    if number:
        out = {"widget": "number", "value_type": number}
        bounds = _bounds(meta + (list(info.metadata) if info else []))
        out.update(bounds)
        return out
    out = {"widget": "text" if _is_long_text(name, info) else "string"}
    motif = powao.get("motif") or infer_motif(owner, name)
    if motif:
        regex, hint = m.MOTIFS[motif]
        out["pattern"] = [f"^(?:{regex.pattern})$", f"Écrivez {hint}."]
    return out


def field_config(name: str, info: FieldInfo, ctx: Context, path: str,
                 owner: type[BaseModel] | None = None) -> dict[str, Any]:
    """The Decap field for one model field (recursively for blocks and lists)."""
    t, optional, meta = _unwrap(info.annotation)
    meta = meta + list(info.metadata)
    out: dict[str, Any] = {"name": name, "label": label(name, info.description or "")}
    if info.description:
        out["hint"] = info.description
    out["required"] = info.is_required()
    origin = typing.get_origin(t)
    if origin is list:
        (item,) = typing.get_args(t)
        item_t, _, item_meta = _unwrap(item)
        out["widget"] = "list"
        sizes = _list_sizes(meta)
        powao = m.field_meta(info)
        if _is_model(item_t):
            out["fields"] = model_fields(item_t, ctx, f"{path}{name}.")
            out["collapsed"] = False  # every step/line open, as in the file
            first = next(iter(item_t.model_fields))
            out["summary"] = "{{fields.%s}}" % first + (
                " — {{fields.duree}} min" if "duree" in item_t.model_fields else "")
            item_label = label(item_t.__name__.lower())
            out["label_singular"] = item_label[:1].lower() + item_label[1:]
            out.update(sizes)
        elif powao.get("ref") in RELATIONS:
            # A list of identifiers: one relation widget that holds several values.
            out.update({"widget": "relation", **RELATIONS[powao["ref"]], "multiple": True})
            if "min" in sizes:
                out["min"] = sizes["min"]
            if "max" in sizes:
                out["max"] = sizes["max"]
        elif typing.get_origin(item_t) is Literal:
            # A list of choices: one select that holds several values.
            out.update(_scalar_widget(name, item_t, None, item_meta, ctx), multiple=True)
            out.update(sizes)
        else:
            sub = {"name": "element", "label": singular(label(name))}
            one = singular(label(name))
            out["label_singular"] = one[:1].lower() + one[1:]
            sub.update(_scalar_widget(name, item_t, None, item_meta, ctx))
            out["field"] = sub
            out["collapsed"] = False  # each text in its own box, visible
            out.update(sizes)
    elif origin is dict:
        # Decap has no widget for a dictionary with free keys: one block per key
        # present in the file (adding a key stays a text edit, see the guide).
        _, value_ann = typing.get_args(t)
        value_t, _, value_meta = _unwrap(value_ann)
        keys = ctx.dict_keys.get(f"{path}{name}", [])
        out["widget"] = "object"
        out["collapsed"] = True

        def entry(key: str) -> dict[str, Any]:
            if _is_model(value_t):
                return {"name": key, "label": key, "widget": "object", "required": False,
                        "collapsed": True,
                        "fields": model_fields(value_t, ctx, f"{path}{name}.*.")}
            return {"name": key, "label": key, "required": False,
                    **_scalar_widget(key, value_t, None, value_meta, ctx)}

        out["fields"] = [entry(key) for key in keys] or [
            {"name": "aucun", "label": "(aucune entrée)", "widget": "hidden", "required": False}]
    elif _is_model(t):
        out["widget"] = "object"
        out["fields"] = model_fields(t, ctx, f"{path}{name}.")
        if optional or not info.is_required():
            # Decap validates the fields of an empty optional block: they become
            # optional in the form (`check` still says which one is missing).
            for sub in out["fields"]:
                sub["required"] = False
    else:
        out.update(_scalar_widget(name, t, info, meta, ctx, owner))
    if optional or not info.is_required():
        out["required"] = False
    default = None if info.is_required() else info.get_default(call_default_factory=False)
    if isinstance(default, (str, int, float, bool)) and not isinstance(default, type(None)) \
            and out.get("widget") in ("select", "string", "number", "boolean", "text") \
            and default != "":
        out["default"] = default
    return out


def field_order(model: type[BaseModel]) -> list[str]:
    """Model order, except the title and what classifies the content (axe, type) first
    and the optional `id` last: the order the project's files are written in, so a
    save does not move lines around."""
    names = list(model.model_fields)
    first = [n for n in ("titre", "axe", "type") if n in names]
    last = [n for n in ("id",) if n in names and not model.model_fields[n].is_required()]
    return first + [n for n in names if n not in first and n not in last] + last


def model_fields(model: type[BaseModel], ctx: Context, path: str = "") -> list[dict[str, Any]]:
    return [field_config(name, model.model_fields[name], ctx, path, model)
            for name in field_order(model)]


def body_field() -> dict[str, Any]:
    return {"name": "body", "label": "Texte", "widget": "markdown", "modes": ["raw"],
            "buttons": [], "editor_components": [],
            "required": False,
            "hint": "Le texte en Markdown : titres ## , listes, liens. Il est gardé tel quel."}


def context(corpus: Corpus | None) -> Context:
    axes: list[tuple[str, str]] = []
    keys: dict[str, list[str]] = {}
    if corpus is not None and corpus.programme is not None:
        axes = [(a.id, a.titre) for a in corpus.programme.axes]
        keys["chiffres"] = list(corpus.programme.chiffres)
    if corpus is not None:
        keys["references"] = list(corpus.references)
    return Context(axes, keys)


def generate(root: Path, corpus: Corpus | None = None) -> dict[str, Any]:
    """The whole Decap configuration for the project at `root`."""
    if corpus is None:
        corpus = load(root, Report())
    ctx = context(corpus)
    collections: list[dict[str, Any]] = []
    for d in DOSSIERS:
        fields = model_fields(d.model, ctx)
        if d.extension == "md":
            fields.append(body_field())
        collections.append({
            "name": d.name, "label": d.label, "label_singular": d.label_singular,
            "description": d.description,
            "folder": d.folder, "extension": d.extension,
            "format": "frontmatter" if d.extension == "md" else "yml",
            "create": True, "delete": False,
            "identifier_field": "titre", "slug": "{{slug}}",
            "summary": "{{titre}}", "sortable_fields": ["titre"],
            "fields": fields,
        })
    files = []
    for name, lab, path, model in FICHIERS:
        file_ctx = ctx if name in ("programme", "references") else Context(ctx.axes, {})
        files.append({"name": name, "label": lab, "file": path,
                      "fields": model_fields(model, file_ctx)})
    collections.append({"name": DONNEES, "label": "Données du programme", "format": "yml",
                        "extension": "yml", "delete": False, "files": files})
    return {
        "backend": {"name": "proxy", "proxy_url": "/api/v1", "branch": "main"},
        "locale": "fr",
        "media_folder": "content/images",
        "public_folder": "/images",
        "publish_mode": "simple",
        "show_preview_links": False,
        "editor": {"preview": False},
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": collections,
    }


def folders() -> dict[str, str]:
    """Folder → extension of every folder collection (where the editor may write)."""
    return {d.folder: d.extension for d in DOSSIERS}


def model_for(path: str) -> type[m.Modele] | None:
    """The model of the file at `path` (project-relative), if the editor knows it."""
    for _, _, file, model in FICHIERS:
        if file == path:
            return model
    folder, _, name = path.rpartition("/")
    for d in DOSSIERS:
        if d.folder == folder and name.endswith("." + d.extension):
            return d.model
    return None


def data_files() -> list[str]:
    return [path for _, _, path, _ in FICHIERS]
