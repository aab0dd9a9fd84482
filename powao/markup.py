"""The project's few Markdown extensions, found with their line numbers.

Syntax (documented in the authoring guide):

* data:            ``{{ chiffres.jeunes_mentores }}``, ``{{ programme.nom }}``
* blocks:          ``{{ figure: jeunes-par-axe }}``, ``{{ temoignage: samia }}``,
                   ``{{ chiffres-cles }}``, ``{{ chaine-alerte }}`` … alone on their line
* cross-reference: ``[texte](atelier:construire-son-reseau)`` or ``[](module:posture)``
* citation:        ``[@injep2025]`` or ``[@injep2025, p. 12]``
* write-in fields: ``{{ lignes: 3 }}``, ``{{ lignes: 3 numerotees }}``,
                   ``{{ ligne: Ma réponse }}``, ``{{ ligne: Force | Parce que }}``,
                   ``{{ cadre: 40 }}`` (height in mm), ``{{ champ }}`` / ``{{ champ: 30 }}``
                   (a blank inside a sentence, width in mm), ``{{ case }}`` (a tick box,
                   in text or in a table cell), ``{{ pages: 2 }}`` (a handout's page count)

Code spans and fenced code are ignored.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass

XREF_KINDS = ("atelier", "cycle", "module", "parcours", "chapitre", "page", "glossaire")

DIRECTIVE = re.compile(r"\{\{\s*([a-z_][a-z0-9_.\-]*)\s*(?::\s*([^}]*?))?\s*\}\}")
DATA_PATH = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z0-9_]+)+")
# A destination may hold balanced parentheses, as in CommonMark (« …/Mentorat_(France) »).
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?((?:[^()\s>]|\([^()\s>]*\))*)>?"
                  r"(?:\s+\"[^\"]*\")?\s*\)")
# `![](frise.png){ .decoratif }`: an image that only decorates (no alternative text).
DECORATIVE = re.compile(r"\{[^}]*\.decoratif\b[^}]*\}")
IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
# An attribute's value, quoted or not (« <img alt=Logo src=logo.png> » is HTML too).
IMG_ALT = re.compile(r"""\balt\s*=\s*(?:(["'])(.*?)\1|([^\s"'>]+))""", re.I | re.S)
IMG_SRC = re.compile(r"""\bsrc\s*=\s*(?:(["'])(.*?)\1|([^\s"'>]+))""", re.I | re.S)


def _value(found: re.Match[str] | None) -> str | None:
    return None if found is None else found.group(2) if found.group(1) else found.group(3)
CITATION = re.compile(r"\[@([A-Za-z0-9_\-]+)(?:\s*,\s*([^\]]+))?\]")
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


@dataclass(frozen=True)
class Token:
    kind: str  # data | block | xref | link | image | citation
    value: str
    line: int
    arg: str = ""
    text: str = ""


def masked_lines(body: str) -> list[str]:
    """Body lines with fenced code and code spans blanked out (same lengths)."""
    return list(_masked_lines(body))


# The pure scans of a text are remembered by the text: the live preview reloads and
# checks the whole corpus after each save, and only the edited file has changed.
@lru_cache(maxsize=4096)
def _masked_lines(body: str) -> tuple[str, ...]:
    out = []
    in_fence = None
    for line in body.split("\n"):
        fence = FENCE.match(line) if ("`" in line or "~" in line) else None
        if in_fence:
            out.append(" " * len(line))
            if fence and fence.group(1) == in_fence:
                in_fence = None
            continue
        if fence:
            in_fence = fence.group(1)
            out.append(" " * len(line))
            continue
        out.append(CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line) if "`" in line else line)
    return tuple(out)


WRITE_IN = ("lignes", "ligne", "cadre", "champ", "case", "pages")
BLOCK_DIRECTIVES = ("figure", "temoignage", "chiffres-cles", "chaine-alerte", "contacts",
                    "partenaires", "glossaire", "champs", "references", "axes", "competences",
                    *WRITE_IN)

# Bare write-in marks that print badly: runs of underscores (they become rules or
# glued strokes) and literal tick boxes outside a task list (« - [ ] … »).
UNDERSCORES = re.compile(r"_{3,}|\\_(?:\\_){2,}")
LITERAL_BOX = re.compile(r"\[ \]")
TASK_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s")

LIGNES = re.compile(r"^(\d+)?\s*(numerotees|numérotées)?$")
MAX_LIGNES, MIN_CADRE, MAX_CADRE, MIN_CHAMP, MAX_CHAMP, MAX_PAGES = 30, 10, 240, 10, 170, 12


@dataclass(frozen=True)
class WriteIn:
    """A parsed write-in directive (lines, box, blank, tick box, handout pages)."""
    name: str
    nombre: int = 1          # lines, or pages for « pages »
    numerotees: bool = False
    hauteur: int = 0         # mm, a box
    largeur: int = 0         # mm, an inline blank
    etiquettes: tuple[str, ...] = ()


def write_in(name: str, arg: str) -> WriteIn | str:
    """Parse a write-in directive; a French explanation (what to write) if it is wrong."""
    arg = (arg or "").strip()
    if name == "lignes":
        found = LIGNES.match(arg)
        count = int(found.group(1) or 1) if found else 0
        if not found or not 1 <= count <= MAX_LIGNES:
            return (f"« {{{{ lignes: {arg} }}}} » : écrivez un nombre de lignes de 1 à "
                    f"{MAX_LIGNES}, suivi si besoin de « numerotees » (par exemple "
                    "« {{ lignes: 3 numerotees }} »)")
        return WriteIn(name, nombre=count, numerotees=bool(found.group(2)))
    if name == "ligne":
        labels = tuple(p.strip() for p in arg.split("|")) if arg else ("",)
        if len(labels) > 3 or (len(labels) > 1 and not all(labels)):
            return ("« {{ ligne: … }} » : écrivez une étiquette, ou jusqu'à trois séparées "
                    "par « | » (par exemple « {{ ligne: Force | Parce que }} »)")
        return WriteIn(name, etiquettes=labels)
    if name in ("cadre", "champ", "pages"):
        low, high, unit = {"cadre": (MIN_CADRE, MAX_CADRE, " mm"), "champ": (MIN_CHAMP, MAX_CHAMP, " mm"),
                           "pages": (1, MAX_PAGES, "")}[name]
        value = arg.removesuffix("mm").strip()
        if not value and name == "champ":
            return WriteIn(name, largeur=45)
        if not value.isdigit() or not low <= int(value) <= high:
            what = {"cadre": "la hauteur du cadre en millimètres", "champ": "la largeur du blanc "
                    "en millimètres", "pages": "le nombre de pages du document"}[name]
            example = {"cadre": "{{ cadre: 40 }}", "champ": "{{ champ: 30 }}",
                       "pages": "{{ pages: 2 }}"}[name]
            return f"« {{{{ {name}: {arg} }}}} » : écrivez {what}, de {low} à {high}{unit} (par exemple « {example} »)"
        number = int(value)
        return WriteIn(name, nombre=number if name == "pages" else 1,
                       hauteur=number if name == "cadre" else 0,
                       largeur=number if name == "champ" else 0)
    if name == "case":
        if arg not in ("", "x", "cochee", "cochée"):
            return "« {{ case }} » s'écrit sans argument (ou « {{ case: cochee }} » pour une case cochée)"
        return WriteIn(name, nombre=1 if arg else 0)
    raise KeyError(name)


def bare_write_ins(line: str) -> list[str]:
    """What a masked body line holds of bare underscores or literal « [ ] »."""
    found = []
    if "_" in line and UNDERSCORES.search(line):
        found.append("underscores")
    if "[ ]" in line and LITERAL_BOX.search(TASK_ITEM.sub("", line, count=1)):
        found.append("case")
    return found


def scan(body: str, first_line: int) -> list[Token]:
    return list(_scan(body, first_line))


@lru_cache(maxsize=4096)
def _scan(body: str, first_line: int) -> tuple[Token, ...]:
    tokens: list[Token] = []
    for index, line in enumerate(_masked_lines(body)):
        if "{{" not in line and "](" not in line and "[@" not in line and "<img" not in line:
            continue  # most lines: plain prose
        number = first_line + index
        for m in DIRECTIVE.finditer(line):
            name, arg = m.group(1), (m.group(2) or "").strip()
            if m.group(2) is None and "." in name:
                tokens.append(Token("data", name, number))
            else:
                tokens.append(Token("block", name, number, arg))
        for m in LINK.finditer(line):
            image, text, target = m.group(1), m.group(2), m.group(3)
            scheme = target.split(":", 1)[0] if ":" in target else ""
            if not image and scheme in XREF_KINDS:
                tokens.append(Token("xref", target.split(":", 1)[1], number, scheme, text))
            else:
                decor = "decoratif" if image and DECORATIVE.match(line, m.end()) else ""
                tokens.append(Token("image" if image else "link", target, number, decor, text))
        for m in IMG_TAG.finditer(line):
            alt = _value(IMG_ALT.search(m.group(0)))
            src = _value(IMG_SRC.search(m.group(0)))
            tokens.append(Token("image", src or "", number,
                                "decoratif" if alt is not None and not alt.strip() else "",
                                alt or ""))
        for m in CITATION.finditer(line):
            tokens.append(Token("citation", m.group(1), number, (m.group(2) or "").strip()))
    return tuple(tokens)


def strings(value, loc: tuple = ()):
    """Every string of a parsed YAML tree, with its location (for line numbers)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, loc + (index,))
    elif isinstance(value, str):
        yield loc, value


SCALARS = (str, int, float)


def lookup(data: dict, path: str):
    """Follow a dotted path through data keys and declared model fields only.

    Content is data, never code: no attribute walk (no ``__class__``, no method, no
    private name), and the value reached must be a plain value (text or number) or a
    key figure. Raises KeyError (unknown name) or TypeError (not a plain value)."""
    from pydantic import BaseModel

    current = data
    for part in path.split("."):
        if not part or part.startswith("_"):
            raise KeyError(part)
        if isinstance(current, dict):
            if part not in current:
                raise KeyError(part)
            current = current[part]
        elif isinstance(current, BaseModel) and part in type(current).model_fields:
            current = getattr(current, part)
        else:
            raise KeyError(part)
    if isinstance(current, bool) or not (isinstance(current, SCALARS) or _is_figure(current)):
        raise TypeError(path)
    return current


def _is_figure(value) -> bool:
    from .model import Chiffre
    return isinstance(value, Chiffre)
