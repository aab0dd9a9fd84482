"""The project's few Markdown extensions, found with their line numbers.

Syntax (documented in the authoring guide):

* data:            ``{{ chiffres.jeunes_mentores }}``, ``{{ programme.nom }}``
* blocks:          ``{{ figure: jeunes-par-axe }}``, ``{{ temoignage: samia }}``,
                   ``{{ chiffres-cles }}``, ``{{ chaine-alerte }}`` … alone on their line
* cross-reference: ``[texte](atelier:construire-son-reseau)`` or ``[](module:posture)``
* citation:        ``[@injep2025]`` or ``[@injep2025, p. 12]``

Code spans and fenced code are ignored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

XREF_KINDS = ("atelier", "cycle", "module", "parcours", "chapitre", "page", "glossaire")

DIRECTIVE = re.compile(r"\{\{\s*([a-z_][a-z0-9_.\-]*)\s*(?::\s*([^}]*?))?\s*\}\}")
DATA_PATH = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z0-9_]+)+")
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
# `![](frise.png){ .decoratif }`: an image that only decorates (no alternative text).
DECORATIVE = re.compile(r"\{[^}]*\.decoratif\b[^}]*\}")
IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
IMG_ALT = re.compile(r"""\balt\s*=\s*(["'])(.*?)\1""", re.I | re.S)
IMG_SRC = re.compile(r"""\bsrc\s*=\s*(["'])(.*?)\1""", re.I | re.S)
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
    return out


BLOCK_DIRECTIVES = ("figure", "temoignage", "chiffres-cles", "chaine-alerte", "contacts",
                    "partenaires", "glossaire", "champs", "references", "axes", "competences")


def scan(body: str, first_line: int) -> list[Token]:
    tokens: list[Token] = []
    for index, line in enumerate(masked_lines(body)):
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
            alt = IMG_ALT.search(m.group(0))
            src = IMG_SRC.search(m.group(0))
            tokens.append(Token("image", src.group(2) if src else "", number,
                                "decoratif" if alt and not alt.group(2).strip() else "",
                                alt.group(2) if alt else ""))
        for m in CITATION.finditer(line):
            tokens.append(Token("citation", m.group(1), number, (m.group(2) or "").strip()))
    return tokens


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
