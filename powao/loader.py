"""Load every content file of a project into one typed `Corpus`.

Step 1 of the pipeline: read, parse and validate each file on its own; every
problem goes to the `Report`. Cross-file checks live in `checks.py`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from . import model as m
from .errors import Report, rel, set_working_on
from .sources import Source, load_markdown, load_yaml
from .validate import validate

T = TypeVar("T", bound=m.Modele)


@dataclass
class Layout:
    """Where each kind of content lives, relative to the project root."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "content" / "data"

    def pages(self) -> list[Path]:
        return sorted((self.root / "content").glob("*.md"))

    def ateliers(self) -> list[Path]:
        return sorted((self.root / "workshops").glob("*.md"))

    def cycles(self) -> list[Path]:
        return sorted((self.root / "workshops" / "cycles").glob("*.md"))

    def parcours(self) -> list[Path]:
        return sorted((self.root / "trainings").glob("*.md"))

    def modules(self) -> list[Path]:
        return sorted((self.root / "trainings" / "modules").glob("*.md"))

    def chapitres(self) -> list[Path]:
        return sorted((self.root / "whitepaper" / "chapitres").glob("*.md"))

    def figures(self) -> list[Path]:
        return sorted((self.root / "whitepaper" / "donnees").glob("*.yml"))


@dataclass
class Corpus:
    root: Path
    programme: m.Programme | None = None
    competences: dict[str, m.Competence] = field(default_factory=dict)
    glossaire: dict[str, m.Terme] = field(default_factory=dict)
    vocabulaire: list[m.Correspondance] = field(default_factory=list)
    pages: dict[str, m.Page] = field(default_factory=dict)
    ateliers: dict[str, m.Atelier] = field(default_factory=dict)
    cycles: dict[str, m.Cycle] = field(default_factory=dict)
    parcours: dict[str, m.Parcours] = field(default_factory=dict)
    modules: dict[str, m.ModuleFormation] = field(default_factory=dict)
    chapitres: dict[str, m.Chapitre] = field(default_factory=dict)
    livre: m.LivreBlanc | None = None
    references: dict[str, m.Reference] = field(default_factory=dict)
    figures: dict[str, m.Figure] = field(default_factory=dict)
    temoignages: dict[str, m.Temoignage] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    # Ids of files that failed to load: references to them are not reported
    # again (the author already sees the file's own error).
    broken: set[str] = field(default_factory=set)
    # Content left out of the edition being built (drafts, internal pages).
    exclus: list[str] = field(default_factory=list)
    # The edition this corpus is filtered for (audience.filter_corpus).
    edition: str = "public"

    def kind(self, name: str) -> dict[str, Any]:
        return {"atelier": self.ateliers, "cycle": self.cycles, "module": self.modules,
                "parcours": self.parcours, "chapitre": self.chapitres, "page": self.pages,
                "glossaire": self.glossaire}[name]

    def axe(self, axe_id: str) -> m.Axe | None:
        if not self.programme:
            return None
        return next((a for a in self.programme.axes if a.id == axe_id), None)

    def groupe(self, atelier: m.Atelier) -> m.Groupe:
        if atelier.groupe:
            return atelier.groupe
        return self.programme.groupe if self.programme else m.Groupe(jeunes=4, mentors=2)


def _attach(obj: T, source: Source) -> T:
    obj._source = source
    return obj


def _load_documents(paths: list[Path], model: type[T], corpus: Corpus, report: Report,
                    label: str) -> dict[str, T]:
    items: dict[str, T] = {}
    for path in paths:
        if not readable(path, corpus.root, report):
            corpus.broken.add(path.stem)
            continue
        source = load_markdown(path, rel(path, corpus.root), report)
        if source is None:
            corpus.broken.add(path.stem)
            continue
        corpus.sources.append(source)
        obj = validate(model, source.meta, source, report)
        if obj is None:
            ident = source.meta.get("id") if isinstance(source.meta, dict) else None
            corpus.broken.add(ident if isinstance(ident, str) else path.stem)
            continue
        _attach(obj, source)
        if obj.id is None:
            obj.id = source.slug
            if not m._ID.fullmatch(obj.id):
                report.error(source.rel, 1, f"le nom du fichier « {path.name} » ne peut pas servir "
                             "d'identifiant : renommez-le en minuscules sans accents ni espaces "
                             "(par exemple mon-atelier.md) ou ajoutez un champ « id »", "id")
                continue
        if obj.id in items:
            other = items[obj.id].src
            report.error(source.rel, source.line(("id",)), f"identifiant « {obj.id} » déjà utilisé "
                         f"par {other.rel} : chaque {label} doit avoir un identifiant unique",
                         "id")
            continue
        items[obj.id] = obj
    return items


def _load_data(path: Path, model: type[T], corpus: Corpus, report: Report,
               required: bool = True) -> T | None:
    r = rel(path, corpus.root)
    if not path.exists():
        if required:
            report.error(r, 0, "fichier de données manquant : créez-le (voir le guide de "
                         "rédaction)")
            corpus.broken.add(r)
        return None
    if not readable(path, corpus.root, report):
        corpus.broken.add(r)
        return None
    source = load_yaml(path, r, report)
    if source is None:
        corpus.broken.add(r)
        return None
    corpus.sources.append(source)
    obj = validate(model, source.meta, source, report)
    if obj is None:
        # Already an error: what refers to this file is not checked against it (each
        # reference would only repeat that error).
        corpus.broken.add(r)
        return None
    return _attach(obj, source)


MAX_SOURCE_BYTES = 2 * 1024 * 1024  # far above any workshop or chapter


def readable(path: Path, root: Path, report: Report) -> bool:
    """A content file must be an ordinary file of the project (a link to a file
    elsewhere on the machine is refused) and of a reasonable size."""
    try:
        r = path.relative_to(root).as_posix()
    except ValueError:
        r = rel(path, root)
    set_working_on(r)
    try:
        inside = path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        report.error(r, 0, "ce fichier est un lien vers un fichier hors du projet : copiez le "
                     "fichier lui-même dans le projet (les liens symboliques vers l'extérieur "
                     "ne sont pas lus)")
        return False
    if not path.is_file():
        report.error(r, 0, "ce n'est pas un fichier ordinaire : remplacez-le par un fichier "
                     "texte (.md ou .yml)")
        return False
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        report.error(r, 0, f"fichier trop long ({size // 1024} Kio) : au-delà de "
                     f"{MAX_SOURCE_BYTES // 2**20} Mio, découpez-le en plusieurs fichiers")
        return False
    return True


def _unique(items: list[Any], key: str, source: Source, report: Report, path: str,
            label: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for index, item in enumerate(items):
        ident = getattr(item, key)
        if ident in out:
            report.error(source.rel, source.line((path, index, key)),
                         f"identifiant « {ident} » en double dans la liste des {label}", key)
            continue
        _attach(item, source)
        out[ident] = item
    return out


def load(root: Path, report: Report) -> Corpus:
    root = root.resolve()
    layout = Layout(root)
    corpus = Corpus(root)

    corpus.programme = _load_data(layout.data / "programme.yml", m.Programme, corpus, report)
    if corpus.programme:
        src = corpus.programme.src
        _unique(corpus.programme.axes, "id", src, report, "axes", "axes")
    comp = _load_data(layout.data / "competences.yml", m.Competences, corpus, report)
    if comp:
        corpus.competences = _unique(comp.competences, "id", comp.src, report, "competences",
                                     "compétences")
    glos = _load_data(layout.data / "glossaire.yml", m.Glossaire, corpus, report)
    if glos:
        corpus.glossaire = _unique(glos.termes, "id", glos.src, report, "termes", "termes")
    voc = _load_data(layout.data / "vocabulaire.yml", m.Vocabulaire, corpus, report,
                     required=False)
    if voc:
        corpus.vocabulaire = list(voc.correspondances)

    corpus.pages = _load_documents(layout.pages(), m.Page, corpus, report, "page")
    corpus.ateliers = _load_documents(layout.ateliers(), m.Atelier, corpus, report, "atelier")
    corpus.cycles = _load_documents(layout.cycles(), m.Cycle, corpus, report, "cycle")
    corpus.parcours = _load_documents(layout.parcours(), m.Parcours, corpus, report, "parcours")
    corpus.modules = _load_documents(layout.modules(), m.ModuleFormation, corpus, report, "module")
    corpus.chapitres = _load_documents(layout.chapitres(), m.Chapitre, corpus, report, "chapitre")

    wp = root / "whitepaper"
    corpus.livre = _load_data(wp / "livre-blanc.yml", m.LivreBlanc, corpus, report)
    refs = _load_data(wp / "references.yml", m.References, corpus, report, required=False)
    if refs:
        corpus.references = dict(refs.references)
        for ref in corpus.references.values():
            _attach(ref, refs.src)
    tem = _load_data(wp / "temoignages.yml", m.Temoignages, corpus, report, required=False)
    if tem:
        corpus.temoignages = _unique(tem.temoignages, "id", tem.src, report, "temoignages",
                                     "témoignages")
    for path in layout.figures():
        fig = _load_data(path, m.Figure, corpus, report)
        if fig:
            corpus.figures[path.stem] = fig
    return corpus
