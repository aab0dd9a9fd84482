"""The form editor (issue 19): configuration generated from the model, Decap's own
schema, round trip of the real corpus through Decap's serialisation, and the
local backend (paths, saves, the check after each save).

Decap's code runs under Node from node_modules (installed by `make setup`).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import typing
from pathlib import Path
from typing import Any, Literal, Optional

import pytest

from conftest import REPO
from powao import editeur_config as ec
from powao import model as m
from powao.editeur import Editor, EditorError
from powao.editeur_merge import merge
from powao.errors import Report
from powao.loader import load

NODE_MODULES = REPO / "node_modules" / "decap-cms-core"
if not NODE_MODULES.is_dir():  # pragma: no cover - depends on `make setup`
    if os.environ.get("CI"):
        raise RuntimeError("node_modules absent : « make setup » lance « npm ci »")
    pytest.skip("Decap CMS absent : lancez « npm ci »", allow_module_level=True)

CONTENT = ["content", "workshops", "trainings", "whitepaper"]


def decap(command: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Run Decap CMS's own code (scripts/decap/decap.mjs) under Node."""
    out = subprocess.run(["node", "--import", "./scripts/decap/register.mjs",
                          "scripts/decap/decap.mjs", command],
                         input=json.dumps(payload, ensure_ascii=False), capture_output=True,
                         text=True, cwd=REPO, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return ec.generate(REPO)


def _collection(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in config["collections"] if c["name"] == name)


def _field(fields: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(f for f in fields if f["name"] == name)


# --------------------------------------------------------------------------- model ↔ config

def _model_of(config: dict[str, Any]) -> list[tuple[str, type[m.Modele], list[dict[str, Any]]]]:
    out = []
    for d in ec.DOSSIERS:
        out.append((d.name, d.model, _collection(config, d.name)["fields"]))
    data = _collection(config, ec.DONNEES)
    for name, _, path, model in ec.FICHIERS:
        f = next(f for f in data["files"] if f["name"] == name)
        assert f["file"] == path
        out.append((name, model, f["fields"]))
    return out


def _inner(annotation: Any) -> tuple[Any, bool]:
    t, optional, _ = ec._unwrap(annotation)
    return t, optional


def _agree(model: type[m.Modele], fields: list[dict[str, Any]], where: str,
           problems: list[str], keys: dict[str, list[str]], in_optional: bool = False) -> None:
    """Every model field has a config field with the same name, requirement,
    widget kind, bounds, choices and format — and nothing else."""
    names = [f["name"] for f in fields if f["name"] != "body"]
    if sorted(names) != sorted(model.model_fields):
        problems.append(f"{where}: champs {sorted(names)} ≠ modèle {sorted(model.model_fields)}")
        return
    for name, info in model.model_fields.items():
        f = _field(fields, name)
        at = f"{where}.{name}"
        t, optional = _inner(info.annotation)
        required = info.is_required() and not optional and not in_optional
        if f.get("required", True) != required:
            problems.append(f"{at}: required {f.get('required')} ≠ {required}")
        if f.get("hint") != info.description:
            problems.append(f"{at}: hint ≠ description")
        origin = typing.get_origin(t)
        meta = m.field_meta(info)
        sizes = ec._list_sizes(list(info.metadata))
        if origin is list:
            item, _ = _inner(typing.get_args(t)[0])
            if meta.get("ref") in ec.RELATIONS:
                ok = f["widget"] == "relation" and f.get("multiple") is True
            elif typing.get_origin(item) is typing.Literal:
                ok = f["widget"] == "select" and f.get("multiple") is True and \
                    [o["value"] for o in f["options"]] == list(typing.get_args(item))
            elif ec._is_model(item):
                ok = f["widget"] == "list" and "fields" in f
                if ok:
                    _agree(item, f["fields"], at, problems, {})
            else:
                ok = f["widget"] == "list" and "field" in f
            if not ok:
                problems.append(f"{at}: widget {f['widget']} pour une liste")
            for key in ("min", "max"):
                if sizes.get(key) != f.get(key):
                    problems.append(f"{at}: {key} {f.get(key)} ≠ {sizes.get(key)}")
        elif origin is dict:
            value_t, _ = _inner(typing.get_args(t)[1])
            if f["widget"] != "object":
                problems.append(f"{at}: dictionnaire sans bloc")
            expected = keys.get(name, [])
            got = [g["name"] for g in f["fields"] if g.get("widget") != "hidden"]
            if got != expected:
                problems.append(f"{at}: clés {got} ≠ {expected}")
            for g in f["fields"]:
                if g.get("widget") == "object":
                    _agree(value_t, g["fields"], f"{at}.{g['name']}", problems, {})
        elif ec._is_model(t):
            if f["widget"] != "object":
                problems.append(f"{at}: bloc sans widget object")
            else:
                _agree(t, f["fields"], at, problems, {}, not required)
        elif typing.get_origin(t) is typing.Literal:
            values = [o["value"] for o in f.get("options", [])]
            if f["widget"] != "select" or values != list(typing.get_args(t)):
                problems.append(f"{at}: choix {values} ≠ {typing.get_args(t)}")
        elif meta.get("ref") == "axe":
            if f["widget"] != "select":
                problems.append(f"{at}: l'axe n'est pas une liste de choix")
        elif meta.get("ref"):
            if f["widget"] != "relation" or f["collection"] != ec.RELATIONS[meta["ref"]]["collection"]:
                problems.append(f"{at}: référence sans relation")
        elif t is bool:
            if f["widget"] != "boolean":
                problems.append(f"{at}: booléen en {f['widget']}")
        elif ec._is_number(t):
            bounds = ec._bounds(list(info.metadata) + ec._unwrap(info.annotation)[2])
            if f["widget"] != "number" or f["value_type"] != ec._is_number(t):
                problems.append(f"{at}: nombre en {f['widget']}")
            for key in ("min", "max"):
                if bounds.get(key) != f.get(key):
                    problems.append(f"{at}: {key} {f.get(key)} ≠ {bounds.get(key)}")
        else:
            if f["widget"] not in ("string", "text"):
                problems.append(f"{at}: texte en {f['widget']}")
            motif = meta.get("motif") or ec.infer_motif(model, name)
            if motif:
                regex = m.MOTIFS[motif][0].pattern
                if not f.get("pattern") or regex not in f["pattern"][0]:
                    problems.append(f"{at}: format {motif} absent")
            elif f.get("pattern"):
                problems.append(f"{at}: format sans motif dans le modèle")


def test_every_field_of_every_kind_is_in_the_config_as_the_model_says(config):
    corpus = load(REPO, Report())
    keys = {"chiffres": list(corpus.programme.chiffres), "references": list(corpus.references)}
    problems: list[str] = []
    for name, model, fields in _model_of(config):
        _agree(model, fields, name, problems, keys)
    assert problems == []
    # Every content kind of the model has its collection.
    kinds = {d.model for d in ec.DOSSIERS} | {model for *_, model in ec.FICHIERS}
    assert set(m.KINDS.values()) <= kinds
    assert set(m.DATA_KINDS.values()) <= kinds


class _Bloc(m.Modele):
    nom: str = m.F("Un nom.", "x")
    rang: Optional[m.StrictInt] = m.F("Un rang.", 1, default=None, ge=0, le=9)


class _ToutesSortes(m.Modele):
    """Every shape of field a model may declare (other issues add fields: the
    generator must take them without change)."""

    texte: str = m.F("Un texte.", "x")
    long: str = m.F("Un texte (Markdown).", "x", default="")
    heure: Optional[str] = m.F("Une heure.", "14:00", default=None, motif="heure")
    entier: m.StrictInt = m.F("Un entier.", 3, ge=1, le=12)
    minutes: m.Minutes = m.F("Des minutes.", 10)
    nombre: m.Nombre = m.F("Un nombre.", 1.5)
    drapeau: m.StrictBool = m.F("Vrai ou faux.", False, default=False)
    choix: Literal["a", "b-c"] = m.F("Un choix.", "a", default="a")
    choix_multiples: list[Literal["rouge", "vert"]] = m.F("Des choix.", ["rouge"],
                                                          default_factory=list, max_length=2)
    textes: list[str] = m.F("Des textes.", ["x"], min_length=1)
    nombres: list[m.StrictInt] = m.F("Des nombres.", [1], default_factory=list)
    bloc: _Bloc = m.F("Un bloc.", {"nom": "x"})
    bloc_facultatif: Optional[_Bloc] = m.F("Un bloc facultatif.", None, default=None)
    blocs: list[_Bloc] = m.F("Des blocs.", [], default_factory=list, max_length=5)
    table: dict[str, _Bloc] = m.F("Des blocs par clé.", {}, default_factory=dict)
    etiquettes: dict[str, str] = m.F("Des textes par clé.", {}, default_factory=dict)
    atelier: str = m.F("Un atelier.", "x", ref="atelier")
    modules: list[str] = m.F("Des modules.", ["x"], default_factory=list, ref="module")
    axe: str = m.F("Un axe.", "orientation", ref="axe")


def test_the_generator_takes_every_shape_of_field(config):
    ctx = ec.Context([("orientation", "Orientation")], {"table": ["k1", "k2"],
                                                        "etiquettes": ["e1"]})
    fields = ec.model_fields(_ToutesSortes, ctx)
    problems: list[str] = []
    _agree(_ToutesSortes, fields, "toutes", problems, {"table": ["k1", "k2"],
                                                       "etiquettes": ["e1"]})
    assert problems == []
    by_name = {f["name"]: f for f in fields}
    assert by_name["etiquettes"]["fields"] == [
        {"name": "e1", "label": "e1", "required": False, "widget": "string"}]
    assert by_name["choix"]["options"][1] == {"label": "B-c", "value": "b-c"}
    assert by_name["long"]["widget"] == "text" and by_name["nombre"]["value_type"] == "float"
    assert [f["required"] for f in by_name["bloc_facultatif"]["fields"]] == [False, False]
    assert by_name["nombres"]["field"]["value_type"] == "int"
    # ... and Decap accepts the result.
    extended = json.loads(json.dumps(config))
    extended["collections"].append({"name": "essai", "label": "Essai", "folder": "essai",
                                    "create": True, "fields": fields})
    assert decap("validate", {"configs": [extended]}) == {"errors": [[]]}


def test_the_check_of_agreement_fails_when_config_and_model_differ(config):
    fields = json.loads(json.dumps(_collection(config, "ateliers")["fields"]))
    _field(fields, "duree")["max"] = 999
    _field(fields, "statut")["options"] = [{"label": "Brouillon", "value": "brouillon"},
                                           {"label": "Publié", "value": "publie"}]
    _field(_field(fields, "deroule")["fields"], "format")["required"] = True
    problems: list[str] = []
    _agree(m.Atelier, fields, "ateliers", problems, {})
    assert problems == ["ateliers.statut: choix ['brouillon', 'publie'] ≠ "
                        "('brouillon', 'relu', 'publie')",
                        "ateliers.duree: max 999 ≠ 600",
                        "ateliers.deroule.format: required True ≠ False"]
    problems = []
    _agree(m.Atelier, [f for f in fields if f["name"] != "vigilance"], "a", problems, {})
    assert problems and "champs" in problems[0]


def test_workshop_form_fields(config):
    ateliers = _collection(config, "ateliers")
    assert ateliers["folder"] == "workshops" and ateliers["create"] is True
    fields = ateliers["fields"]
    assert [f["name"] for f in fields][:4] == ["titre", "axe", "statut", "diffusion"]
    assert fields[-1] == ec.body_field() and fields[-1]["modes"] == ["raw"]
    duree = _field(fields, "duree")
    assert (duree["widget"], duree["value_type"], duree["min"], duree["max"]) == \
        ("number", "int", 1, 600)
    assert duree["hint"].startswith("Durée totale en minutes")
    axe = _field(fields, "axe")
    corpus = load(REPO, Report())
    assert axe["widget"] == "select"
    assert [o["value"] for o in axe["options"]] == [a.id for a in corpus.programme.axes]
    assert _field(fields, "statut")["options"] == [
        {"label": "Brouillon", "value": "brouillon"}, {"label": "Relu", "value": "relu"},
        {"label": "Publié", "value": "publie"}]
    assert _field(fields, "statut")["default"] == "brouillon"
    assert [o["value"] for o in _field(fields, "diffusion")["options"]] == list(m.DIFFUSIONS)
    deroule = _field(fields, "deroule")
    assert deroule["widget"] == "list" and deroule["min"] == 1
    assert [f["name"] for f in deroule["fields"]] == list(m.Etape.model_fields)
    assert _field(deroule["fields"], "format")["options"] == [
        {"label": m.LIBELLES_FORMAT[v], "value": v} for v in m.FORMATS_ETAPE]
    assert _field(fields, "objectifs")["min"] == 2 and _field(fields, "objectifs")["max"] == 4
    heure = _field(fields, "heure_debut")
    assert heure["required"] is False and heure["label"] == "Heure de début"
    assert heure["pattern"][1] == "Écrivez une heure au format HH:MM, par exemple 14:00."
    materiel = _field(fields, "materiel")
    assert materiel["label_singular"] == "matériel"
    assert _field(materiel["fields"], "par_jeune")["min"] == 1


def test_cross_references_are_relations(config):
    seances = _field(_collection(config, "cycles")["fields"], "seances")
    atelier = _field(seances["fields"], "atelier")
    assert (atelier["widget"], atelier["collection"], atelier["value_field"]) == \
        ("relation", "ateliers", "{{slug}}")
    module = _collection(config, "modules")["fields"]
    comp = _field(module, "competences")
    assert (comp["widget"], comp["multiple"], comp["min"], comp["file"], comp["value_field"]) == \
        ("relation", True, 1, "competences", "competences.*.id")
    assert _field(module, "ateliers_lies")["collection"] == "ateliers"
    assert _field(_collection(config, "parcours")["fields"], "modules")["collection"] == "modules"
    livre = next(f for f in _collection(config, ec.DONNEES)["files"] if f["name"] == "livre-blanc")
    assert _field(livre["fields"], "chapitres")["collection"] == "chapitres"
    # Labels: the name's words, accented as the description writes them.
    assert ec.label("depot_legal", "Dépôt légal (mois et année).") == "Dépôt légal"
    assert ec.label("isbn", "ISBN, s'il en a été attribué un.") == "ISBN"
    assert ec.label("heure_debut") == "Heure de début" and ec.label("mots_cles") == "Mots-clés"


def test_config_validates_against_decaps_own_schema(config):
    # The same validation rejects a broken configuration (it can fail).
    broken = json.loads(json.dumps(config))
    seances = _field(_collection(broken, "cycles")["fields"], "seances")
    del _field(seances["fields"], "atelier")["collection"]
    _field(_collection(broken, "ateliers")["fields"], "duree")["widget"] = 12
    ok, errors = decap("validate", {"configs": [config, broken]})["errors"]
    assert ok == []
    assert any("collection" in e for e in errors), errors
    assert any("widget" in e for e in errors), errors


# --------------------------------------------------------------------------- round trip

def _corpus_data(root: Path) -> dict[str, Any]:
    report = Report()
    corpus = load(root, report)
    assert report.errors == []
    out: dict[str, Any] = {}
    for source in corpus.sources:
        out[source.rel] = {"meta": source.meta, "body": source.body.strip("\n")}
    for kind in ("ateliers", "cycles", "modules", "parcours", "chapitres", "pages", "figures"):
        for key, obj in getattr(corpus, kind).items():
            out[f"{kind}:{key}"] = obj.model_dump()
    for name in ("programme", "livre"):
        out[name] = getattr(corpus, name).model_dump()
    return out


def test_every_content_file_saved_by_the_editor_loads_to_the_same_data(config, tmp_path):
    """Decap's own parse + serialise (what a save without change writes), over the corpus."""
    files = []
    for c in config["collections"]:
        if "folder" in c:
            paths = sorted((REPO / c["folder"]).glob("*." + c["extension"]))
            entries = [(p, c["format"], c["fields"]) for p in paths]
        else:
            entries = [(REPO / f["file"], c["format"], f["fields"]) for f in c["files"]]
        for path, fmt, fields in entries:
            files.append({"path": path.relative_to(REPO).as_posix(), "format": fmt,
                          "text": path.read_text(encoding="utf-8"),
                          "order": [f["name"] for f in fields]})
    assert len(files) >= 50
    saved = decap("roundtrip", {"files": files})["files"]
    copy = tmp_path / "copie"
    for name in CONTENT:
        shutil.copytree(REPO / name, copy / name)
    changed = 0
    for f in saved:
        before = (copy / f["path"]).read_text(encoding="utf-8")
        changed += f["text"] != before
        (copy / f["path"]).write_text(f["text"], encoding="utf-8")
    assert changed > 0  # Decap does rewrite the files (layout, comments)...
    before, after = _corpus_data(REPO), _corpus_data(copy)
    assert before.keys() == after.keys()
    for key in before:  # ... but every value loads the same
        assert after[key] == before[key], key
    # And what the editor writes (Decap's text merged with the file): the same bytes.
    for f in saved:
        original = (REPO / f["path"]).read_text(encoding="utf-8")
        assert merge(original, f["text"], f["path"].endswith(".md")) == original, f["path"]


def test_round_trip_keeps_times_words_and_french_characters_as_typed(tmp_path):
    text = ("---\ntitre: \"« Réseau » : l’été, ça s’ouvre !\"\nheure_debut: 14:30\nreponse: non\n"
            "version: \"1.0\"\nmise_a_jour: 2026-03-15\nmots_cles: [réseau, œuvre]\n"
            "# un commentaire\nduree: 90\n---\n\n## Pourquoi\n\nTexte « entre guillemets ».\n")
    saved = decap("roundtrip", {"files": [{"path": "workshops/x.md", "format": "frontmatter",
                                            "text": text, "order": ["titre", "duree"]}]})
    out = saved["files"][0]["text"]
    from powao.yamlio import parse_yaml
    front_in, body_in = text.split("\n---\n", 1)
    front_out, body_out = out.split("\n---\n", 1)
    assert parse_yaml(front_out[4:]).data == parse_yaml(front_in[4:]).data
    assert parse_yaml(front_out[4:]).data["heure_debut"] == "14:30"
    assert parse_yaml(front_out[4:]).data["reponse"] == "non"
    assert body_out == body_in
    assert "# un commentaire" not in out  # documented: comments are not kept
    assert out.index("titre:") < out.index("duree:")
    assert "mots_cles:\n  - réseau\n  - œuvre\n" in out  # flow lists become block lists


def test_a_save_rewrites_only_the_fields_that_changed():
    original = ("---\n# Le titre, en minuscules.\ntitre: Mon atelier\naxe: orientation\n"
                "objectifs: [Identifier un métier, Choisir une piste]\n\n"
                "# Heure de début (entre guillemets).\nheure_debut: \"14:30\"\nduree: 90\n"
                "---\n\n## Texte\n")
    decap_text = ("---\ntitre: Mon atelier\naxe: methodologie\nobjectifs:\n"
                  "  - Identifier un métier\n  - Choisir une piste\nheure_debut: 14:30\n"
                  "duree: 90\nsensible: true\n---\n\n## Texte\n")
    merged = merge(original, decap_text, markdown=True)
    assert merged == ("---\n# Le titre, en minuscules.\ntitre: Mon atelier\naxe: methodologie\n"
                      "objectifs: [Identifier un métier, Choisir une piste]\n\n"
                      "# Heure de début (entre guillemets).\nheure_debut: \"14:30\"\n"
                      "duree: 90\nsensible: true\n---\n\n## Texte\n")
    # The file's order is kept; a new field goes after its predecessor in the form.
    assert merge("b: 1\na: 2\n", "a: 2\nb: 1\nc: 3\n", markdown=False) == "b: 1\na: 2\nc: 3\n"
    assert merge("b: 1\nc: 2\n", "a: 0\nb: 1\nc: 2\n", markdown=False) == "a: 0\nb: 1\nc: 2\n"
    assert merge("c: 1\nb: 2\n", "b: 2\nc: 1\nd: 0\n", markdown=False) == "c: 1\nb: 2\nd: 0\n"
    # A changed field keeps its comment.
    changed = merge(original, decap_text.replace("titre: Mon atelier", "titre: Autre"), True)
    assert changed.startswith("---\n# Le titre, en minuscules.\ntitre: Autre\naxe:")
    # A field removed in the form is removed from the file, with its comment.
    removed = merge(original, decap_text.replace('heure_debut: 14:30\n', ''), markdown=True)
    assert "heure_debut" not in removed and "Heure de début" not in removed
    # YAML data files too; anything that is not a plain block mapping: Decap's text as is.
    assert merge("a: 1\n# b\nb: [1, 2]\n", "a: 2\nb:\n  - 1\n  - 2\n", markdown=False) == \
        "a: 2\n# b\nb: [1, 2]\n"
    assert merge("{a: 1}\n", "a: 2\n", markdown=False) == "a: 2\n"
    assert merge("", "a: 2\n", markdown=False) == "a: 2\n"


def test_fields_left_empty_in_the_form_are_not_written():
    from powao.editeur_merge import drop_empty_optional
    optional = {n for n, i in m.Atelier.model_fields.items() if not i.is_required()}
    text = ("---\ntitre: Mon atelier\nheure_debut: \"\"\nid: null\nmateriel: []\n"
            "groupe:\n  jeunes: null\n  mentors: \"\"\nresume: \"\"\nduree: 90\n---\n\nTexte\n")
    assert drop_empty_optional(text, optional, markdown=True) == (
        "---\ntitre: Mon atelier\nresume: \"\"\nduree: 90\n---\n\nTexte\n")  # resume: required
    assert ec.model_for("workshops/x.md") is m.Atelier
    assert ec.model_for("workshops/cycles/x.md") is m.Cycle
    assert ec.model_for("content/data/programme.yml") is m.Programme
    assert ec.model_for("whitepaper/donnees/x.yml") is m.Figure
    assert ec.model_for("workshops/x.yml") is None


# --------------------------------------------------------------------------- backend

@pytest.fixture
def editeur(tmp_path) -> Editor:
    root = tmp_path / "projet"
    for name in CONTENT:
        shutil.copytree(REPO / name, root / name)
    return Editor(root)


def test_backend_refuses_paths_outside_the_content(editeur):
    for path in ("../x.md", "/etc/passwd", "powao/cli.py", "workshops/../build.py",
                 "workshops/x.py", "workshops/sub/x.md", ".git/config", "content\\x.md"):
        with pytest.raises(EditorError):
            editeur.handle({"action": "getEntry", "params": {"path": path}})
    with pytest.raises(EditorError):
        editeur.handle({"action": "persistEntry", "params": {"dataFiles": [
            {"path": "templates/x.md", "raw": "x"}]}})
    assert not (editeur.root / "templates").exists()
    for path in ("content/data/programme.yml", "workshops/construire-son-reseau.md"):
        with pytest.raises(EditorError, match="la suppression d'un fichier ne se fait pas"):
            editeur.handle({"action": "deleteFiles", "params": {"paths": [path]}})
        assert (editeur.root / path).is_file()


def test_backend_lists_reads_and_saves_then_checks_the_saved_file(editeur):
    entries = editeur.handle({"action": "entriesByFolder",
                              "params": {"folder": "workshops", "extension": "md"}})
    paths = [e["file"]["path"] for e in entries]
    assert "workshops/construire-son-reseau.md" in paths
    assert not any(p.startswith("workshops/cycles/") for p in paths)
    entry = editeur.handle({"action": "getEntry",
                            "params": {"path": "workshops/construire-son-reseau.md"}})
    raw = entry["data"].replace("duree: 120", "duree: 125", 1)
    assert raw != entry["data"]
    editeur.handle({"action": "persistEntry", "params": {"dataFiles": [
        {"path": "workshops/construire-son-reseau.md", "slug": "construire-son-reseau",
         "raw": raw}], "assets": [], "options": {}}})
    result = editeur.result
    assert result["numero"] == 1 and result["fichier"] == "workshops/construire-son-reseau.md"
    messages = [p["texte"] for p in result["problemes"]]
    assert any("champ « duree » : la durée annoncée (125 min) ne correspond pas au déroulé" in t
               and t.startswith("workshops/construire-son-reseau.md:") for t in messages), messages


def test_a_new_entry_is_named_like_build_py_new(editeur):
    raw = (REPO / "workshops" / "construire-son-reseau.md").read_text(encoding="utf-8")
    raw = raw.replace("titre: Construire son réseau à partir de zéro",
                      "titre: \"L'atelier d'Élise : s'organiser\"", 1)
    assert "L'atelier d'Élise" in raw
    editeur.handle({"action": "persistEntry", "params": {"dataFiles": [
        {"path": "workshops/latelier-delise-sorganiser.md", "slug": "latelier-delise-sorganiser",
         "raw": raw}], "assets": [], "options": {"newEntry": True}}})
    assert (editeur.root / "workshops" / "l-atelier-d-elise-s-organiser.md").is_file()
    assert not (editeur.root / "workshops" / "latelier-delise-sorganiser.md").exists()
    # Decap keeps its own name for the entry: it reads and saves the renamed file.
    entry = editeur.handle({"action": "getEntry",
                            "params": {"path": "workshops/latelier-delise-sorganiser.md"}})
    assert entry["file"]["path"] == "workshops/l-atelier-d-elise-s-organiser.md"
    # A second new entry with the same title does not overwrite the first.
    with pytest.raises(EditorError, match="existe déjà"):
        editeur.handle({"action": "persistEntry", "params": {"dataFiles": [
            {"path": "workshops/autre.md", "raw": raw}], "assets": [],
            "options": {"newEntry": True}}})


def test_server_answers_only_local_pages_and_its_own_files(tmp_path):
    import http.client
    from powao.editeur import start
    root = tmp_path / "projet"
    for name in CONTENT:
        shutil.copytree(REPO / name, root / name)
    (root / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    server, _ = start(root, 0)
    port = server.server_port

    def ask(method: str, path: str, host: str, body: str | None = None,
            origin: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Host": host}
        if origin:
            headers["Origin"] = origin
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data

    try:
        local = f"127.0.0.1:{port}"
        status, page = ask("GET", "/", local)
        assert status == 200 and b'<html lang="fr">' in page and b"/decap/decap-cms.js" in page
        status, config = ask("GET", "/config.yml", local)
        assert status == 200 and "locale: fr" in config.decode("utf-8")
        assert ask("GET", "/decap/decap-cms.js", local)[0] == 200
        assert ask("GET", "/decap/../package.json", local)[0] == 404
        assert ask("GET", "/", f"attaquant.example:{port}")[0] == 421  # DNS rebinding
        body = json.dumps({"action": "getEntry", "params": {"path": "content/index.md"}})
        assert ask("POST", "/api/v1", local, body)[0] == 200
        assert ask("POST", "/api/v1", local, body, origin="http://autre.example")[0] == 403
        for bad in ("{", "[]", '{"action": "persistEntry", "params": {"dataFiles": "x"}}',
                    '{"action": "getEntry", "params": []}', '{"action": "rm -rf"}'):
            status, answer = ask("POST", "/api/v1", local, bad)
            assert status in (400, 422) and "error" in json.loads(answer), (bad, answer)
    finally:
        server.shutdown()
        server.server_close()


def test_editeur_command_without_decap_installed_says_what_to_do(tmp_path, capsys):
    from powao.cli import main
    root = tmp_path / "projet"
    shutil.copytree(REPO / "content", root / "content")
    assert main(["editeur", "--port", "8097"], root=root) == 2
    err = capsys.readouterr().err
    assert "Decap CMS n'est pas installé : lancez « make setup » (ou « npm ci »)" in err
    assert "Traceback" not in err


def test_a_save_whose_check_fails_is_kept_and_says_so(editeur, monkeypatch):
    def broken(path):
        raise RuntimeError("boom")
    monkeypatch.setattr(editeur, "problems_of", broken)
    raw = (REPO / "content" / "index.md").read_text(encoding="utf-8") + "\nUne ligne.\n"
    editeur.handle({"action": "persistEntry", "params": {"dataFiles": [
        {"path": "content/index.md", "raw": raw}], "assets": [], "options": {}}})
    assert (editeur.root / "content" / "index.md").read_text(encoding="utf-8").endswith(
        "Une ligne.\n")
    (problem,) = editeur.result["problemes"]
    assert problem["message"].startswith("la vérification n'a pas pu se faire (RuntimeError) : "
                                         "le fichier est enregistré")


def test_editeur_command_prints_the_generated_configuration(capsys):
    import yaml
    from powao.cli import main
    assert main(["editeur", "--configuration"], root=REPO) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed == ec.generate(REPO)
    assert printed["locale"] == "fr" and printed["backend"]["proxy_url"] == "/api/v1"


def _models() -> set[type[m.Modele]]:
    seen: set[type[m.Modele]] = set()
    todo = list(m.KINDS.values()) + list(m.DATA_KINDS.values())
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for info in model.model_fields.values():
            todo.extend(m.nested_models(info))
    return seen


def test_every_validated_text_format_is_checked_by_the_form():
    """A field whose validator checks a text format gets the matching pattern in the
    form (declared with `motif=` or found by trying the validator), and the pattern
    accepts and refuses what the validator does."""
    from pydantic import field_validator
    ctx = ec.Context([], {})
    for model in _models():
        validators = model.__pydantic_decorators__.field_validators.values()
        fields = {f["name"]: f for f in ec.model_fields(model, ctx)}
        for name, info in model.model_fields.items():
            funcs = [v.func for v in validators if name in v.info.fields]
            pattern = fields[name].get("pattern")
            where = f"{model.__name__}.{name}"
            verdicts = {}
            for value in [v for pair in ec.PROBES.values() for v in pair]:
                try:
                    for func in funcs:
                        func(value)
                    verdicts[value] = True
                except ValueError:
                    verdicts[value] = False
            declared = m.field_meta(info).get("motif")
            if all(verdicts.values()) or (not declared and ec.infer_motif(model, name) is None):
                # No text format checked, or one the form cannot express: `check` says it.
                assert pattern is None, where
                continue
            assert pattern, f"{where}: format vérifié sans motif dans le formulaire"
            assert declared is None or ec.infer_motif(model, name) == declared, where
            for value, accepted in verdicts.items():  # the form agrees with the model
                assert bool(re.fullmatch(pattern[0], value)) == accepted, (where, value)

    class Nouveau(m.Modele):  # a field added later, with a validator and no motif=
        quand: str = m.F("Une date.", "2026-01-01")
        v = field_validator("quand")(classmethod(lambda cls, v: m.check_date(v)))

    (quand,) = ec.model_fields(Nouveau, ctx)
    assert quand["pattern"] == [f"^(?:{m._DATE.pattern})$",
                                "Écrivez une date au format AAAA-MM-JJ, par exemple 2026-03-15."]
