"""Author-facing problems and the exceptions that map to exit codes.

Every problem carries a file, a line, an optional field and a French message;
they are collected for a whole run and reported together (see `Report`).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the project root, POSIX separators
    line: int
    message: str
    field: str = ""
    warning: bool = False

    def format(self) -> str:
        where = f"{self.path}:{self.line}:" if self.line else f"{self.path}:"
        what = f" champ « {self.field} » :" if self.field else ""
        kind = " avertissement :" if self.warning else ""
        return f"{where}{kind}{what} {self.message}"


@dataclass
class Report:
    """Collects every problem of a run; nothing stops at the first one."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int, message: str, field: str = "") -> None:
        self.problems.append(Problem(path, line or 0, message, field))

    def warn(self, path: str, line: int, message: str, field: str = "") -> None:
        self.problems.append(Problem(path, line or 0, message, field, warning=True))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Problem]:
        return sorted(set(self.problems), key=lambda p: (p.path, p.line, p.warning, p.message))


class PowaoError(Exception):
    """Base class: the CLI catches it and prints its French message."""

    exit_code = EXIT_CONTENT


class ContentError(PowaoError):
    """Content did not validate; `report` holds every problem."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} erreur(s) dans le contenu")
        self.report = report


class BuildError(PowaoError):
    """An output could not be produced (message already in French)."""


class UsageError(PowaoError):
    exit_code = EXIT_USAGE


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The closest valid choice to `word`, for « vouliez-vous dire … ? » hints."""
    choices = list(choices)
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not found:
        lowered = {c.lower(): c for c in choices}
        found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.5)
        found = [lowered[f] for f in found]
    return found[0] if found else None


def suggestion(word: str, choices: Iterable[str]) -> str:
    best = closest(word, choices)
    return f" Vouliez-vous dire « {best} » ?" if best else ""


def rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def describe_os_error(exc: OSError) -> str:
    """An OSError in French words, with the file concerned."""
    import errno
    words = {errno.ENOSPC: "disque plein", errno.EDQUOT: "quota de disque dépassé",
             errno.EACCES: "permission refusée", errno.EPERM: "opération non permise "
             "(dossier protégé ou immuable)", errno.EROFS: "système de fichiers en lecture "
             "seule", errno.ENOENT: "fichier ou dossier introuvable", errno.EBUSY:
             "dossier occupé", errno.ENOTEMPTY: "dossier non vide", errno.EXDEV:
             "autre système de fichiers", errno.EMFILE: "trop de fichiers ouverts",
             errno.ENAMETOOLONG: "nom de fichier trop long", errno.EISDIR: "c'est un dossier",
             errno.ENOTDIR: "ce n'est pas un dossier", errno.EEXIST: "existe déjà"}
    what = words.get(exc.errno or 0, exc.strerror or "erreur du système")
    where = exc.filename
    return f"{what} : {where}" if where else what


_current = {"file": ""}


def set_working_on(rel_path: str) -> None:
    """The content file being processed, named by the generic error guard."""
    _current["file"] = rel_path


def working_on() -> str:
    return _current["file"]
