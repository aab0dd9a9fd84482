"""Step 2: cross-file checks on a loaded corpus (references, sums, bodies, safety)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from . import model as m
from .errors import Report, suggestion
from .loader import Corpus
from .markup import BLOCK_DIRECTIVES, Token, lookup, masked_lines, scan, strings
from .sources import Source

VERB = re.compile(r"^(?:s['’]|se\s+|ne\s+pas\s+)?[a-zàâçéèêëîïôûùüÿœ-]+(?:er|ir|re|oir|dre)\b",
                  re.IGNORECASE)

MAYBE_HTML = re.compile(r"<|script|&|data\s*:", re.I)  # cheap test before the patterns below
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
    (re.compile(r"data\s*:\s*(?:text|image/svg|application)", re.I), "adresse data:"),
    (re.compile(r"@import\b", re.I), "directive @import"),
]


def check(corpus: Corpus, report: Report) -> None:
    _check_privacy_data(corpus, report)
    _check_ateliers(corpus, report)
    _check_cycles(corpus, report)
    _check_trainings(corpus, report)
    _check_livre(corpus, report)
    for source in corpus.sources:
        if source.body or source.path.suffix == ".md":
            check_body(corpus, source, report)
        check_fields(corpus, source, report)


def check_fields(corpus: Corpus, source: Source, report: Report) -> None:
    """Markdown inside YAML fields (consignes, ressources…) follows the same rules."""
    for loc, value in strings(source.meta):
        contact = "@" in value or PHONE_HINT.search(value)
        markup = any(c in value for c in "[{<!")
        if not (contact or markup) or _is_public_contact_field(source, loc):
            continue  # most values: plain text, nothing to check
        line = source.line(loc)
        if contact:
            check_privacy(corpus, source, value, line, report, _field(loc))
        if not markup:
            continue
        for pattern, label in (FORBIDDEN_HTML if MAYBE_HTML.search(value) else ()):
            if pattern.search(value):
                report.error(source.rel, line, f"HTML refusé : {label}. Écrivez le contenu "
                             "en Markdown", _field(loc))
        for token in scan(value, line):
            _check_token(corpus, source, Token(token.kind, token.value, line, token.arg,
                                               token.text), report)


def _is_public_contact_field(source: Source, loc: tuple[Any, ...]) -> bool:
    return source.rel.endswith("content/data/programme.yml") and loc[:1] == ("contacts_publics",)


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
            _ref(report, src, ("competences", index), comp, corpus.competences, "compétence")
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


def _check_livre(corpus: Corpus, report: Report) -> None:
    if not corpus.livre:
        return
    src = corpus.livre.src
    for index, chap in enumerate(corpus.livre.chapitres):
        _ref(report, src, ("chapitres", index), chap, corpus.chapitres, "chapitre", corpus.broken)
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


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\d/])(?:\+33[\s.]?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
PHONE_HINT = re.compile(r"(?:\+33|0)[1-9]")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.replace("+33", "0"))


def public_contacts(corpus: Corpus) -> tuple[set[str], set[str]]:
    prog = corpus.programme
    contacts = prog.contacts_publics if prog else []
    emails = {c.email.lower() for c in contacts if c.email}
    phones = {_digits(c.numero) for c in contacts if c.numero}
    return emails, phones


def check_privacy(corpus: Corpus, source: Source, text: str, line: int, report: Report,
                  field: str = "") -> None:
    """No personal contact data: only the programme's public contacts may appear.

    `text` may span several lines; `line` is the line of its first character."""
    found_emails = [(mt.group(0), mt.start()) for mt in EMAIL.finditer(text)] if "@" in text else []
    found_phones = ([(mt.group(0), mt.start()) for mt in PHONE.finditer(text)]
                    if PHONE_HINT.search(text) else [])  # cheap tests first: most strings
    if not found_emails and not found_phones:
        return
    emails, phones = public_contacts(corpus)
    for found, start in found_emails:
        if found.lower() not in emails:
            report.error(source.rel, line + text.count("\n", 0, start),
                         f"adresse e-mail « {found} » : aucune coordonnée "
                         "personnelle dans les contenus. Citez un rôle (« le ou la référent·e du "
                         "programme ») ou ajoutez l'adresse aux contacts_publics de "
                         "content/data/programme.yml si elle est publique", field)
    for found, start in found_phones:
        if _digits(found) not in phones:
            report.error(source.rel, line + text.count("\n", 0, start),
                         f"numéro de téléphone « {found.strip()} » : aucune "
                         "coordonnée personnelle dans les contenus. Citez un rôle ou ajoutez le "
                         "numéro aux contacts_publics de content/data/programme.yml s'il est "
                         "public", field)


def _check_privacy_data(corpus: Corpus, report: Report) -> None:
    for t in corpus.temoignages.values():
        src = t.src
        index = list(corpus.temoignages).index(t.id)
        if not t.consentement:
            report.error(src.rel, src.line(("temoignages", index, "consentement")),
                         f"témoignage « {t.id} » publié sans consentement : obtenez l'accord "
                         "écrit de la personne puis écrivez « consentement: true », ou retirez "
                         "le témoignage", f"temoignages[{index + 1}].consentement")
        if not t.prenom_modifie:
            report.error(src.rel, src.line(("temoignages", index, "prenom_modifie")),
                         f"témoignage « {t.id} » : le prénom doit être changé avant publication "
                         "(écrivez un autre prénom et « prenom_modifie: true »)",
                         f"temoignages[{index + 1}].prenom_modifie")
    seuil = corpus.programme.seuil_petits_effectifs if corpus.programme else 10
    for fig_id, fig in corpus.figures.items():
        if not fig.effectifs:
            continue
        for index, v in enumerate(fig.valeurs):
            if not v.masque and v.valeur < seuil:
                report.error(fig.src.rel, fig.src.line(("valeurs", index, "valeur")),
                             f"petit effectif ({v.valeur}) pour « {v.libelle} » : en dessous de "
                             f"{seuil}, une personne pourrait être reconnue. Regroupez des "
                             "catégories ou écrivez « masque: true » pour publier "
                             f"« < {seuil} »", f"valeurs[{index + 1}].valeur")


def check_body(corpus: Corpus, source: Source, report: Report) -> None:
    check_privacy(corpus, source, source.body, source.body_line, report)
    for index, line in enumerate(masked_lines(source.body)):
        for pattern, label in (FORBIDDEN_HTML if MAYBE_HTML.search(line) else ()):
            if pattern.search(line):
                report.error(source.rel, source.body_line + index,
                             f"HTML refusé : {label}. Écrivez le contenu en Markdown "
                             "(les scripts, styles et cadres intégrés ne sont pas publiés)")
    for token in scan(source.body, source.body_line):
        _check_token(corpus, source, token, report)


def _check_token(corpus: Corpus, source: Source, token: Token, report: Report) -> None:
    if token.kind == "data":
        try:
            lookup(data_namespace(corpus), token.value)
        except KeyError:
            report.error(source.rel, token.line, f"donnée « {token.value} » introuvable dans "
                         f"content/data/programme.yml.{suggestion(token.value, _data_keys(corpus))}"
                         " Écrivez « {{ chiffres.NOM }} » pour un chiffre clé ou "
                         "« {{ programme.CHAMP }} » pour un texte du programme.")
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
        if token.value not in corpus.references:
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
    choices: dict[str, Any] | None = {
        "figure": corpus.figures, "temoignage": corpus.temoignages,
        "champs": {k: 1 for k in list(m.KINDS) + list(m.DATA_KINDS)},
    }.get(name)
    if choices is not None and arg not in choices:
        report.error(source.rel, token.line, f"{name} « {arg} » inconnu(e).{suggestion(arg, choices)}")


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
        report.error(source.rel, token.line, f"{what} « {target} » refusé : seuls les chemins "
                     "relatifs vers un fichier du projet sont acceptés")
        return
    path_part = target.split("#", 1)[0].split("?", 1)[0]
    if path_part.startswith("/"):
        report.error(source.rel, token.line, f"{what} « {target} » refusé : chemin absolu ; "
                     "écrivez un chemin relatif au fichier (par exemple images/photo.png)")
        return
    from urllib.parse import unquote
    resolved = (source.path.parent / unquote(path_part)).resolve()
    root = root.resolve()
    if not resolved.is_relative_to(root):
        report.error(source.rel, token.line, f"{what} « {target} » refusé : le chemin sort du "
                     "projet ; copiez le fichier dans le projet")
        return
    if not resolved.exists():
        report.error(source.rel, token.line, f"{what} vers « {target} » : fichier introuvable. "
                     "Vérifiez le nom et le dossier (le chemin est relatif au fichier)")
        return
    from .images import problem
    reason = problem(resolved) if resolved.is_file() else None
    if reason:
        report.error(source.rel, token.line, f"« {target} » : {reason}")
