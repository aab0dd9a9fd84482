"""Reading source files: bytes → text → YAML front matter + Markdown body.

Accepts UTF-8 with or without BOM and CRLF line endings; a non-UTF-8 or empty
file is a problem reported with its line, never an exception.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Report
from .yamlio import Path_, line_of, parse_yaml


@dataclass
class Source:
    path: Path
    rel: str  # project-relative POSIX path, used in every message
    meta: Any = None
    lines: dict[Path_, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # line number of the first body line
    text: str = ""

    def line(self, loc: Path_ = ()) -> int:
        return line_of(self.lines, loc, default=1)

    @property
    def slug(self) -> str:
        return self.path.stem


def decode(raw: bytes, rel: str, report: Report) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        report.error(rel, line, "le fichier n'est pas en UTF-8 (octet "
                     f"0x{raw[exc.start]:02x} illisible) : enregistrez-le en « UTF-8 » "
                     "depuis votre éditeur")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _within_limits(text, rel, report):
        return None
    if not text.strip():
        report.error(rel, 1, "fichier vide : écrivez au moins l'en-tête YAML entre deux "
                     "lignes « --- » (voir le guide de rédaction)")
        return None
    return text


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_LINE = 20_000    # characters: a paragraph is one line in Markdown, but not a book
MAX_NESTING = 30     # « > » quotes or « [ » brackets in a row, list indentation levels


# Unambiguous patterns (each character can match one way only): linear on hostile input.
SUSPECT = re.compile(r"[^\n]{%d}|^ {%d}|^ *(?:> *){%d}" % (MAX_LINE + 1, 4 * MAX_NESTING + 1,
                                                          MAX_NESTING), re.M)


_WITHIN_LIMITS: set[str] = set()


def _within_limits(text: str, rel: str, report: Report) -> bool:
    """Invisible control characters, absurdly long lines and deep nesting are refused
    before any parser sees them (they crash or stall parsers, never help an author)."""
    ok = True
    if text in _WITHIN_LIMITS:
        return True  # already seen clean: the preview reads the corpus after each save
    if not (CONTROL.search(text) or SUSPECT.search(text) or "[" * MAX_NESTING in text):
        if len(_WITHIN_LIMITS) > 4096:
            _WITHIN_LIMITS.clear()
        _WITHIN_LIMITS.add(text)
        return True  # the usual case, decided by three scans in C
    if CONTROL.search(text):
        for number, line in enumerate(text.split("\n"), start=1):
            found = CONTROL.search(line)
            if found:
                ok = False
                report.error(rel, number, f"caractère invisible U+{ord(found.group()):04X} "
                             f"(colonne {found.start() + 1}) interdit, souvent venu d'un "
                             "copier-coller : supprimez-le")
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE:
            ok = False
            report.error(rel, number, f"ligne trop longue ({len(line)} caractères) : coupez-la "
                         f"en paragraphes de moins de {MAX_LINE} caractères")
        elif ("[" * MAX_NESTING in line or line.lstrip(" ").startswith(">")
              and line.replace(" ", "")[:MAX_NESTING] == ">" * MAX_NESTING
              or len(line) - len(line.lstrip(" ")) > 4 * MAX_NESTING):
            ok = False
            report.error(rel, number, f"imbrication trop profonde (plus de {MAX_NESTING} "
                         "niveaux de citations, de crochets ou de listes) : simplifiez le texte")
    return ok


def read_text(path: Path, rel: str, report: Report) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.error(rel, 0, f"fichier illisible : {exc.strerror}")
        return None
    return decode(raw, rel, report)


_PARSED: dict[tuple[str, int], Any] = {}


def _parse(text: str, line_offset: int = 0):
    """parse_yaml, remembered per text for the life of the process: the live preview
    reloads the corpus after each save, and only the edited file is parsed again.
    Shared, so never modified: the models validate copies of what they read."""
    key = (text, line_offset)
    hit = _PARSED.get(key)
    if hit is None:
        if len(_PARSED) > 4096:  # a long preview session: forget the texts seen
            _PARSED.clear()
        hit = _PARSED[key] = parse_yaml(text, line_offset=line_offset)
    return hit


def _report_yaml(parsed, rel: str, report: Report) -> None:
    for issue in parsed.issues:
        report.error(rel, issue.line, issue.message, issue.field)


def load_markdown(path: Path, rel: str, report: Report) -> Source | None:
    """A Markdown file with YAML front matter between two `---` lines."""
    text = read_text(path, rel, report)
    if text is None:
        return None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        report.error(rel, 1, "en-tête YAML manquant : la première ligne doit être « --- », "
                     "suivie des champs puis d'une autre ligne « --- »")
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        report.error(rel, 1, "en-tête YAML non fermé : ajoutez une ligne « --- » après "
                     "le dernier champ")
        return None
    front = "\n".join(lines[1:end])
    parsed = _parse(front, line_offset=1)
    _report_yaml(parsed, rel, report)
    source = Source(path, rel, parsed.data, parsed.lines, "\n".join(lines[end + 1:]),
                    end + 2, text)
    if parsed.issues:
        return None
    if not isinstance(parsed.data, dict):
        report.error(rel, 2, "l'en-tête YAML doit contenir des champs « nom: valeur »")
        return None
    return source


def load_yaml(path: Path, rel: str, report: Report) -> Source | None:
    """A pure YAML data file."""
    text = read_text(path, rel, report)
    if text is None:
        return None
    parsed = _parse(text)
    _report_yaml(parsed, rel, report)
    if parsed.issues:
        return None
    if not isinstance(parsed.data, dict):
        report.error(rel, 1, "le fichier doit contenir des champs « nom: valeur »")
        return None
    return Source(path, rel, parsed.data, parsed.lines, "", 0, text)
