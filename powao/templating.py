"""Jinja2 environment shared by the site and the PDFs, and the content blocks.

Blocks (``{{ figure: id }}``, ``{{ chaine-alerte }}`` …) are rendered by the
partials in templates/partials/bloc-<name>.html, identically for web and print.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import model as m
from . import views
from .loader import Corpus
from .markup import WRITE_IN, write_in
from .render import Renderer, format_number, slugify
from .urls import Urls

HANDOUT = re.compile(r"^\s*document(s)? participants?\s*[:：]\s*", re.IGNORECASE)
PAGES = re.compile(r'<span class="powao-pages" data-pages="(\d+)"')
H2 = re.compile(r'<h2(?: [^>]*?)?(?: id="([^"]*)")?[^>]*>(.*?)</h2>', re.S)


@dataclass
class Section:
    titre: str  # inner HTML of the heading
    id: str
    html: str
    ligne: int = 0  # its « ## » line in the source, when known

    @property
    def document(self) -> bool:
        return bool(HANDOUT.match(re.sub(r"<[^>]+>", "", self.titre)))

    @property
    def titre_document(self) -> str:
        return HANDOUT.sub("", self.titre)

    @property
    def pages(self) -> int:
        """The pages a handout may take: 1 unless its text says « {{ pages: N }} »."""
        found = PAGES.search(self.html)
        return int(found.group(1)) if found else 1


def split_sections(fragment: str) -> tuple[str, list[Section]]:
    """Cut an HTML fragment at its <h2>: (text before the first h2, sections)."""
    parts = H2.split(fragment)
    intro = parts[0]
    sections = []
    for i in range(1, len(parts), 3):
        ident, title, body = parts[i], parts[i + 1], parts[i + 2]
        sections.append(Section(title.strip(), ident or slugify(title), body))
    return intro, sections


class Templates:
    """One Jinja environment + one Renderer for a corpus."""

    def __init__(self, corpus: Corpus, figure_numbers: dict[str, int] | None = None):
        self.corpus = corpus
        self.renderer = Renderer(corpus, blocks=self.block)
        # What outputs compute once per corpus (a fiche, its handout pack, its binder and
        # their fitting ask for the same things several times).
        self.memo: dict[tuple, Any] = {}
        self.figure_numbers = figure_numbers if figure_numbers is not None else numbering(corpus)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(corpus.root / "templates")),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True, extensions=["jinja2.ext.do"])
        self.env.filters.update({
            "md": self.md, "md_inline": self.md_inline, "duree": views.duree, "heure": views.heure,
            "nombre": format_number, "slug": slugify, "groupe": views.groupe_texte,
            "date_fr": views.date_fr,
        })
        self.env.globals.update({
            "corpus": corpus, "programme": corpus.programme, "views": views, "m": m,
            "axe_de": corpus.axe, "groupe_de": corpus.groupe, "sections": self.sections,
            "horaires": views.horaires, "materiel": views.materiel,
            "modalites": views.MODALITES, "formats": m.LIBELLES_FORMAT,
            "methodes": m.LIBELLES_METHODE, "icone": self.icon,
            "edition": corpus.edition, "tel": views.tel_href,
        })

    @cached_property
    def urls(self) -> Urls:
        return Urls(self.corpus)

    # -- filters ----------------------------------------------------------------------
    def md(self, text: str, source: Any = None) -> Markup:
        return Markup(self.renderer.fragment(text or "", source))

    def md_inline(self, text: str, source: Any = None) -> Markup:
        return Markup(self.renderer.inline(text or "", source))

    def sections(self, obj: Any) -> tuple[Markup, list[Section]]:
        src = obj.src
        intro, secs = split_sections(self.renderer.fragment(src.body, src))
        return Markup(intro), secs

    @cached_property
    def _icons_dir(self) -> Path:
        import material
        return Path(material.__file__).parent / "templates" / ".icons" / "material"

    def icon(self, name: str, classe: str = "powao-icone") -> Markup:
        """An inline Material Design icon (bundled with the theme; no web request)."""
        path = self._icons_dir / f"{name}.svg"
        if not path.exists():
            return Markup("")
        svg = path.read_text(encoding="utf-8")
        return Markup(svg.replace("<svg ", f'<svg class="{classe}" aria-hidden="true" '
                                  'focusable="false" ', 1))

    # -- rendering --------------------------------------------------------------------
    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)

    def block(self, name: str, arg: str) -> str:
        context: dict[str, Any] = {"arg": arg}
        if name == "figure":
            from .charts import svg
            fig = self.corpus.figures[arg]
            context.update(figure=fig, numero=self.figure_numbers.get(arg, 0),
                           svg=Markup(svg(fig, self.corpus.programme)))
        elif name == "temoignage":
            context["t"] = self.corpus.temoignages[arg]
        elif name == "champs":
            model = {**m.KINDS, **m.DATA_KINDS}[arg]
            context["rows"] = m.field_rows(model)
            context["modele"] = model
        elif name in WRITE_IN:
            field = write_in(name, arg)
            if isinstance(field, str):  # refused by `check`; never print a broken field
                return ""
            return self.render("partials/bloc-saisie.html", f=field).strip()
        return self.render(f"partials/bloc-{name}.html", **context)


def numbering(corpus: Corpus) -> dict[str, int]:
    """Figure numbers in reading order of the livre blanc, shared by site and PDF."""
    from .markup import scan
    numbers: dict[str, int] = {}
    order = corpus.livre.chapitres if corpus.livre else []
    for chap_id in order:
        chap = corpus.chapitres.get(chap_id)
        if not chap:
            continue
        for token in scan(chap.src.body, chap.src.body_line):
            if token.kind == "block" and token.value == "figure" and token.arg not in numbers:
                numbers[token.arg] = len(numbers) + 1
    return numbers
