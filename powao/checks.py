"""Step 2: cross-file checks on a loaded corpus (references, sums, bodies, safety)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from . import model as m
from .errors import Report, set_working_on, suggestion
from .loader import Corpus
from .markup import (BLOCK_DIRECTIVES, WRITE_IN, Token, bare_write_ins, lookup, masked_lines,
                     scan, strings, write_in)
from . import privacy
from .sources import Source

VERB = re.compile(r"^(?:s['’]|se\s+|ne\s+pas\s+)?[a-zàâçéèêëîïôûùüÿœ-]+(?:er|ir|re|oir|dre)\b",
                  re.IGNORECASE)

MAYBE_HTML = re.compile(r"<|script|&|data\s*:|\{[^}\n]*=", re.I)  # cheap test before the patterns below
# An attribute list of the Markdown (« ![x](a.png){: .decoratif } », « ## Titre { #id } »).
_ATTRS = r"\{:?[^{}\n]*(?<![\w-])"
FORBIDDEN_HTML = [
    (re.compile(r"<\s*script\b", re.I), "balise <script>"),
    (re.compile(r"<\s*style\b", re.I), "balise <style>"),
    (re.compile(r"<\s*iframe\b", re.I), "balise <iframe>"),
    (re.compile(r"<\s*object\b", re.I), "balise <object>"),
    (re.compile(r"<\s*embed\b", re.I), "balise <embed>"),
    (re.compile(r"<\s*link\b", re.I), "balise <link>"),
    (re.compile(r"<\s*meta\b", re.I), "balise <meta>"),
    (re.compile(r"<\s*form\b", re.I), "balise <form>"),
    (re.compile(r"<\s*base\b", re.I), "balise <base>"),
    (re.compile(r"<\s*svg\b", re.I), "balise <svg>"),
    (re.compile(r"<\s*math\b", re.I), "balise <math>"),
    (re.compile(r"<\s*template\b", re.I), "balise <template>"),
    (re.compile(r"<[^>]*[\s/\"'`]on[a-z]+\s*=", re.I), "attribut de gestion d'événement (on…=)"),
    (re.compile(r"<[^>]*[\s/\"'`]style\s*=", re.I), "attribut style"),
    (re.compile(r"(?:java|vb)\s*script\s*:|&#0*(?:106|x0*6a);|&Tab;|&NewLine;", re.I),
     "adresse javascript:"),
    (re.compile(r"data\s*:\s*(?:text|image|application)\s*/", re.I), "adresse data:"),
    (re.compile(r"@import\b", re.I), "directive @import"),
    (re.compile(_ATTRS + r"on[a-z]+\s*=[^{}\n]*\}", re.I),
     "attribut de gestion d'événement (on…=) dans une liste d'attributs { … }"),
    (re.compile(_ATTRS + r"style\s*=[^{}\n]*\}", re.I), "attribut style dans une liste d'attributs { … }"),
]


# Data files other content refers to. When one fails to load, the references to it are
# not checked (each would only repeat the file's own error, reported once).
COMPETENCES = "content/data/competences.yml"
REFERENCES = "whitepaper/references.yml"
TEMOIGNAGES = "whitepaper/temoignages.yml"
FIGURES = "whitepaper/donnees"


def forbidden_html(text: str) -> list[str]:
    """What in `text` could run or load something, as the browser would read it:
    character references decoded (« &#106;avascript: »), and spaces, tabs and line
    breaks inside a URL scheme ignored (« java\tscript: »)."""
    if not MAYBE_HTML.search(text):
        return []
    import html
    decoded = text
    for _ in range(3):  # double-encoded references too
        once = html.unescape(decoded)
        if once == decoded:
            break
        decoded = once
    squeezed = re.sub(r"[\s\x00-\x1f]+", "", decoded)
    return [label for pattern, label in FORBIDDEN_HTML
            if pattern.search(decoded) or pattern.search(squeezed)]


def check(corpus: Corpus, report: Report) -> None:
    privacy.check_data(corpus, report)
    _check_ateliers(corpus, report)
    _check_cycles(corpus, report)
    _check_trainings(corpus, report)
    _check_livre(corpus, report)
    for source in corpus.sources:
        set_working_on(source.rel)
        if source.body or source.path.suffix == ".md":
            check_body(corpus, source, report)
        check_fields(corpus, source, report)
        _check_placeholders(source, report)
    _check_output_paths(corpus, report)


def _check_output_paths(corpus: Corpus, report: Report) -> None:
    """Two sources that would be published at the same place: one would silently
    replace the other. Both are named."""
    from .urls import Urls
    for path, first, second in Urls(corpus).collisions:
        where = path[:-3] + ".html" if path.endswith(".md") else path
        blame = second if "/" in second or second.endswith((".md", ".yml")) else first
        report.error(blame, 1, f"ce contenu serait publié à la même adresse ({where}) que "
                     f"{first if blame == second else second} : l'un remplacerait l'autre. "
                     "Renommez le fichier (ou changez son champ « id »)", "id")


# « À compléter » written between quotes (as in the authors' guide) is a mention, not a gap.
PLACEHOLDER = re.compile(r"(?<![\w«])(?<!«\s)(?<!«\u00a0)(?<!«\u202f)à compléter(?!\w)", re.I)


def _check_placeholders(source: Source, report: Report) -> None:
    """Text left from `build.py new` in a file that is no longer a draft."""
    meta = source.meta if isinstance(source.meta, dict) else {}
    if meta.get("statut", "brouillon") == "brouillon" or "à compléter" not in source.text.lower() \
            or not PLACEHOLDER.search(source.text):
        return
    for index, line in enumerate(source.text.split("\n"), start=1):
        if PLACEHOLDER.search(line) and not line.lstrip().startswith("#"):
            report.warn(source.rel, index, "texte d'exemple « À compléter » encore présent : "
                        "remplacez-le par le vrai contenu (ou repassez le fichier en "
                        "« statut: brouillon »)")


def check_fields(corpus: Corpus, source: Source, report: Report) -> None:
    """Markdown inside YAML fields (consignes, ressources…) follows the same rules."""
    values = [(loc, value) for loc, value in strings(source.meta)
              if not _is_public_contact_field(source, loc)]
    for loc, offset, message in privacy.value_problems(corpus, values):
        value = dict(values)[loc]
        report.error(source.rel, source.line(loc) + value.count("\n", 0, offset), message,
                     _field(loc))
    for loc, value in values:
        if "___" in value or "[ ]" in value:
            for kind in bare_write_ins(value):
                report.warn(source.rel, source.line(loc), BARE_WRITE_IN[kind], _field(loc))
        if not any(c in value for c in "[{<!&"):
            continue  # most values: plain text, nothing to check
        line = source.line(loc)
        for label in forbidden_html(value):
            report.error(source.rel, line, f"HTML refusé : {label}. Écrivez le contenu "
                         "en Markdown", _field(loc))
        for token in scan(value, line):
            _check_token(corpus, source, Token(token.kind, token.value, line, token.arg,
                                               token.text), report)


def _is_public_contact_field(source: Source, loc: tuple[Any, ...]) -> bool:
    return source.rel.endswith("content/data/programme.yml") and loc[:1] in (
        ("contacts_publics",), ("canal_alerte",))


def _field(loc: tuple[Any, ...]) -> str:
    from .validate import field_name
    return field_name(loc)


def _ref(report: Report, source: Source, loc: tuple[Any, ...], value: str,
         valid: Iterable[str], label: str, broken: set[str] = frozenset()) -> bool:
    valid = list(valid)
    if value in valid:
        return True
    if value in broken:
        return False  # its own file already has an error
    from .validate import field_name
    report.error(source.rel, source.line(loc), f"{label} « {value} » inconnu(e).{suggestion(value, valid)}",
                 field_name(loc))
    return False


def _check_objectifs(source: Source, objectifs: list[str], report: Report) -> None:
    for index, text in enumerate(objectifs):
        if not VERB.match(text.strip()):
            report.warn(source.rel, source.line(("objectifs", index)),
                        f"l'objectif « {text} » devrait commencer par un verbe à l'infinitif "
                        "(par exemple « Identifier… », « Se présenter… »)", f"objectifs[{index + 1}]")


def _check_etiquettes(corpus: Corpus, atelier: Any, report: Report) -> None:
    """Tags come from the programme's closed list (a tag groups workshops)."""
    if corpus.programme is None:  # its own error is reported; tags are checked once it loads
        return
    allowed = corpus.programme.etiquettes
    src = atelier.src
    for index, tag in enumerate(atelier.etiquettes):
        if tag in allowed:
            continue
        close = suggestion(tag, allowed) if allowed else ""
        report.error(src.rel, src.line(("etiquettes", index)),
                     f"étiquette « {tag} » absente de la liste « etiquettes » de "
                     f"content/data/programme.yml.{close} Choisissez une étiquette de la liste "
                     "ou ajoutez-la à la liste si plusieurs ateliers la partagent",
                     f"etiquettes[{index + 1}]")


def _check_ateliers(corpus: Corpus, report: Report) -> None:
    axes = [a.id for a in corpus.programme.axes] if corpus.programme else []
    for atelier in corpus.ateliers.values():
        src = atelier.src
        if axes:
            _ref(report, src, ("axe",), atelier.axe, axes, "axe")
        total = sum(e.duree for e in atelier.deroule)
        if total != atelier.duree:
            detail = " + ".join(str(e.duree) for e in atelier.deroule)
            report.error(src.rel, src.line(("duree",)),
                         f"la durée annoncée ({atelier.duree} min) ne correspond pas au déroulé "
                         f"({detail} = {total} min) : écrivez « duree: {total} » ou corrigez "
                         "les étapes", "duree")
        _check_objectifs(src, atelier.objectifs, report)
        _check_etiquettes(corpus, atelier, report)
        if atelier.sensible and not atelier.vigilance:
            report.error(src.rel, src.line(("sensible",)),
                         "atelier sensible sans point de vigilance : ajoutez une liste "
                         "« vigilance: » (ce qu'on ne demande pas, quoi faire si un jeune se "
                         "confie)", "vigilance")
        for index, item in enumerate(atelier.materiel):
            if all(getattr(item, k) is None for k in m.QUANTITES):
                report.error(src.rel, src.line(("materiel", index)),
                             f"quantité manquante pour « {item.article} » : ajoutez par_jeune, "
                             "par_mentor, par_personne, par_groupe ou quantite",
                             f"materiel[{index + 1}]")


def _check_cycles(corpus: Corpus, report: Report) -> None:
    for cycle in corpus.cycles.values():
        src = cycle.src
        previous = 0
        for index, seance in enumerate(cycle.seances):
            _ref(report, src, ("seances", index, "atelier"), seance.atelier, corpus.ateliers,
                 "atelier", corpus.broken)
            if seance.mois > cycle.duree_mois:
                report.error(src.rel, src.line(("seances", index, "mois")),
                             f"mois {seance.mois} au-delà de la durée du cycle "
                             f"({cycle.duree_mois} mois)", f"seances[{index + 1}].mois")
            if seance.mois < previous:
                report.error(src.rel, src.line(("seances", index, "mois")),
                             "les séances doivent être rangées dans l'ordre des mois",
                             f"seances[{index + 1}].mois")
            previous = seance.mois


def _check_trainings(corpus: Corpus, report: Report) -> None:
    for parcours in corpus.parcours.values():
        for index, module_id in enumerate(parcours.modules):
            _ref(report, parcours.src, ("modules", index), module_id, corpus.modules, "module",
                 corpus.broken)
    for module in corpus.modules.values():
        src = module.src
        for index, comp in enumerate(module.competences):
            if COMPETENCES not in corpus.broken:
                _ref(report, src, ("competences", index), comp, corpus.competences,
                     "compétence")
        for index, atelier in enumerate(module.ateliers_lies):
            _ref(report, src, ("ateliers_lies", index), atelier, corpus.ateliers, "atelier",
                 corpus.broken)
        total = sum(s.duree for s in module.sequences)
        if total != module.duree:
            detail = " + ".join(str(s.duree) for s in module.sequences)
            report.error(src.rel, src.line(("duree",)),
                         f"la durée annoncée ({module.duree} min) ne correspond pas aux séquences "
                         f"({detail} = {total} min) : écrivez « duree: {total} »", "duree")
        _check_objectifs(src, module.objectifs, report)
        if module.sensible and not module.vigilance:
            report.error(src.rel, src.line(("sensible",)), "module sensible sans point de "
                         "vigilance : ajoutez une liste « vigilance: »", "vigilance")


NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


def _check_figures(corpus: Corpus, report: Report) -> None:
    """A figure's reading example quotes one of its values: when the data change and
    the example no longer matches, the author hears of it."""
    for fig in corpus.figures.values():
        numbers = {float(re.sub(r"[ \u00a0\u202f]", "", n).replace(",", "."))
                   for n in NUMBER.findall(fig.lecture)}
        values = {float(v.valeur) for v in fig.valeurs if not v.masque}
        if numbers and not numbers & values and fig.src is not None:
            report.warn(fig.src.rel, fig.src.line(("lecture",)),
                        "l'exemple de lecture ne cite aucune valeur de la figure ("
                        + ", ".join(f"{v:g}" for v in sorted(values)) + ") : mettez-le à "
                        "jour avec les données", "lecture")


def _check_livre(corpus: Corpus, report: Report) -> None:
    _check_figures(corpus, report)
    if not corpus.livre:
        return
    src = corpus.livre.src
    for index, chap in enumerate(corpus.livre.chapitres):
        _ref(report, src, ("chapitres", index), chap, corpus.chapitres, "chapitre", corpus.broken)
    essentiels = [i for i, c in enumerate(corpus.livre.chapitres)
                  if c in corpus.chapitres and corpus.chapitres[c].type == "essentiel"]
    for index in essentiels:
        if index != essentiels[0] or index != 0:
            report.error(src.rel, src.line(("chapitres", index)),
                         "le chapitre « L'essentiel » (type: essentiel) est imprimé juste "
                         "après le colophon : placez-le une seule fois, en premier dans la "
                         "liste « chapitres »", "chapitres")
    for chap_id, chap in corpus.chapitres.items():
        if chap_id not in corpus.livre.chapitres:
            report.warn(chap.src.rel, 1, f"chapitre absent de la liste « chapitres » de "
                        f"{src.rel} : il ne sera pas publié")


# --------------------------------------------------------------------------- bodies

def data_namespace(corpus: Corpus) -> dict[str, Any]:
    prog = corpus.programme
    return {"chiffres": prog.chiffres if prog else {}, "programme": prog}


def _data_keys(corpus: Corpus) -> list[str]:
    prog = corpus.programme
    keys = [f"chiffres.{k}" for k in (prog.chiffres if prog else {})]
    keys += [f"programme.{k}" for k, f in m.Programme.model_fields.items()
             if f.annotation in (str, int, float) or "str" in str(f.annotation)]
    return keys


def check_body(corpus: Corpus, source: Source, report: Report) -> None:
    privacy.check_text(corpus, source, source.body, source.body_line, report)
    for index, labels, kinds in _line_findings(source.body):
        for label in labels:
            report.error(source.rel, source.body_line + index,
                         f"HTML refusé : {label}. Écrivez le contenu en Markdown "
                         "(les scripts, styles et cadres intégrés ne sont pas publiés)")
        for kind in kinds:
            report.warn(source.rel, source.body_line + index, BARE_WRITE_IN[kind])
    for token in scan(source.body, source.body_line):
        _check_token(corpus, source, token, report)


@lru_cache(maxsize=4096)
def _line_findings(body: str) -> tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]:
    """Refused HTML and bare write-in marks of each body line (index from 0), remembered
    by the body: the preview checks the whole corpus after each save."""
    found = []
    for index, line in enumerate(masked_lines(body)):
        labels, kinds = tuple(forbidden_html(line)), tuple(bare_write_ins(line))
        if labels or kinds:
            found.append((index, labels, kinds))
    return tuple(found)


BARE_WRITE_IN = {
    "underscores": "trait de soulignés « ___ » : à l'impression il devient un filet ou des "
                   "traits collés, impossibles à remplir. Écrivez « {{ lignes: 3 }} » (lignes "
                   "d'écriture), « {{ ligne: Ma réponse }} » (une ligne avec son étiquette) ou "
                   "« {{ champ }} » (un blanc dans une phrase)",
    "case": "case « [ ] » écrite en texte : elle s'imprime telle quelle. Écrivez « {{ case }} » "
            "(dans une phrase ou un tableau) ou une liste à cocher « - [ ] … »",
}


def _check_token(corpus: Corpus, source: Source, token: Token, report: Report) -> None:
    if token.kind == "data":
        if corpus.programme is None:  # unreadable or missing: its own error says so
            return
        try:
            lookup(data_namespace(corpus), token.value)
        except KeyError:
            hint = suggestion(token.value, _data_keys(corpus)) or (
                " Écrivez « {{ chiffres.NOM }} » pour un chiffre clé ou « {{ programme.CHAMP }} » "
                "pour un texte du programme.")
            report.error(source.rel, token.line, f"donnée « {token.value} » introuvable dans "
                         f"content/data/programme.yml.{hint}")
        except TypeError:
            report.error(source.rel, token.line, f"donnée « {token.value} » : ce n'est pas une "
                         "valeur simple (texte ou nombre) ; citez un champ précis, par exemple "
                         "« {{ chiffres.jeunes_mentores }} » ou « {{ programme.nom }} »")
    elif token.kind == "block":
        _check_block(corpus, source, token, report)
    elif token.kind == "xref":
        target, _, _anchor = token.value.partition("#")
        items = corpus.kind(token.arg)
        if target not in items and target not in corpus.broken:
            report.error(source.rel, token.line, f"renvoi vers {token.arg} « {target} » inconnu."
                         f"{suggestion(target, items)}")
    elif token.kind == "citation":
        if token.value not in corpus.references and REFERENCES not in corpus.broken:
            report.error(source.rel, token.line, f"référence « {token.value} » absente de "
                         f"whitepaper/references.yml.{suggestion(token.value, corpus.references)}")
    elif token.kind in ("link", "image"):
        if token.kind == "image" and not token.text.strip() and token.arg != "decoratif":
            report.error(source.rel, token.line, f"image « {token.value} » sans texte de "
                         "remplacement : écrivez ce qu'elle montre entre les crochets, "
                         f"![Deux mentors au tableau]({token.value}), ou, si elle ne fait que "
                         f"décorer, marquez-la ![]({token.value}){{ .decoratif }}")
        check_path(corpus.root, source, token, report)


def _check_block(corpus: Corpus, source: Source, token: Token, report: Report) -> None:
    name, arg = token.value, token.arg
    if name not in BLOCK_DIRECTIVES:
        report.error(source.rel, token.line, f"bloc « {{{{ {name} }}}} » inconnu. Blocs possibles : "
                     f"{', '.join(BLOCK_DIRECTIVES)}.{suggestion(name, BLOCK_DIRECTIVES)}")
        return
    if name in WRITE_IN:
        parsed = write_in(name, arg)
        if isinstance(parsed, str):
            report.error(source.rel, token.line, parsed)
        return
    choices: dict[str, Any] | None = {
        "figure": corpus.figures, "temoignage": corpus.temoignages,
        "champs": {k: 1 for k in list(m.KINDS) + list(m.DATA_KINDS)},
    }.get(name)
    depends = {"figure": f"{FIGURES}/{arg}.yml", "temoignage": TEMOIGNAGES}.get(name)
    if choices is not None and arg not in choices and depends not in corpus.broken:
        report.error(source.rel, token.line, f"{name} « {arg} » inconnu(e).{suggestion(arg, choices)}")


def _refused(what: str) -> str:
    """« refusé », agreeing with « image » or « lien »."""
    return "refusée" if what == "image" else "refusé"


def _path_rules(resolved: Path | None, root: Path, what: str, target: str):
    """(failed, message) for each rule in turn; a rule is only evaluated when the
    previous ones passed (a generator: nothing is looked at twice)."""
    yield resolved is None, f"{what} « {target} » : chemin illisible ; écrivez un chemin simple"
    yield not resolved.is_relative_to(root), (f"{what} « {target} » {_refused(what)} : le "
                                              "chemin sort du projet ; copiez le fichier dans "
                                              "le projet")
    yield not resolved.exists(), (f"{what} vers « {target} » : fichier introuvable. Vérifiez le "
                                  "nom et le dossier (le chemin est relatif au fichier)")
    yield resolved.is_dir(), (f"{what} « {target} » : c'est un dossier ; liez un fichier précis "
                              "(par exemple images/photo.png)")
    yield not resolved.is_file(), (f"{what} « {target} » : ce n'est pas un fichier ordinaire ; "
                                   "liez un fichier du projet")


def check_path(root: Path, source: Source, token: Token, report: Report) -> None:
    target = token.value
    what = "image" if token.kind == "image" else "lien"
    low = target.lower()
    if not target or target.startswith("#") or low.startswith(("mailto:", "tel:")):
        return
    if low.startswith(("http://", "https://")):
        if token.kind == "image":
            report.error(source.rel, token.line, f"image distante « {target} » refusée : "
                         "enregistrez l'image dans le projet et écrivez un chemin relatif")
        return
    if ":" in target.split("/")[0]:
        report.error(source.rel, token.line, f"{what} « {target} » {_refused(what)} : seuls "
                     "les chemins relatifs vers un fichier du projet sont acceptés")
        return
    path_part = target.split("#", 1)[0]
    if "?" in path_part:
        plain = path_part.split("?", 1)[0]
        report.error(source.rel, token.line, f"{what} « {target} » : un lien vers un fichier du "
                     f"projet ne prend pas de paramètres « ?… » ; écrivez « {plain} »")
        return
    if path_part.startswith("/"):
        report.error(source.rel, token.line, f"{what} « {target} » {_refused(what)} : chemin "
                     "absolu ; écrivez un chemin relatif au fichier (par exemple "
                     "images/photo.png)")
        return
    from urllib.parse import unquote
    try:
        resolved = (source.path.parent / unquote(path_part)).resolve()
    except (OSError, ValueError):  # a NUL byte, a loop of links…
        resolved = None
    for failed, message in _path_rules(resolved, root.resolve(), what, target):
        if failed:
            report.error(source.rel, token.line, message)
            return
    if resolved.suffix == ".md" and token.kind == "link":
        return
    from .images import problem
    reason = problem(resolved, image=token.kind == "image")
    if reason:
        report.error(source.rel, token.line, f"{what} « {target} » : {reason}")
