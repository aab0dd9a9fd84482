"""Step 3: the one rendering core used by the site and every PDF.

Markdown bodies are rendered once, with the extensions listed in mkdocs.yml, into
HTML fragments:

1. project syntax is rewritten (data values, cross-references, citations, blocks);
2. python-markdown + pymdown-extensions render the Markdown;
3. raw HTML is filtered by an allowlist sanitizer (nh3);
4. block placeholders are replaced by trusted HTML from Jinja partials.

Links stay as ``powao:`` URLs until an output (site page or PDF) resolves them
with `resolve_links`; French typography is applied last, on whole pages
(`finish`), so that template text gets it too.
"""
from __future__ import annotations

import html
import re
import unicodedata
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import markdown
import nh3
import yaml

from . import model as m
from .loader import Corpus
from .markup import CITATION, DIRECTIVE, LINK, XREF_KINDS, lookup, masked_lines
from .sources import Source
from .typography import Reglages, typographier

NNBSP = "\u202f"

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "li", "mark", "ol", "p", "pre",
    "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul", "var", "section", "label",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "input": {"type", "checked", "disabled"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style"},
    "details": {"open"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel", "powao"}

# Task lists are checklists to tick on paper: a box character reads the same on
# screen, in print and for screen readers (a disabled checkbox has no name).
TASK = re.compile(r'<label class="task-list-control"><input type="checkbox" disabled'
                  r'( checked)?\s*/?><span class="task-list-indicator"></span></label>')
PLACEHOLDER = "POWAOBLOC{:04d}"
PLACEHOLDER_RE = re.compile(r"<p>\s*POWAOBLOC(\d{4})\s*</p>|POWAOBLOC(\d{4})")
# A bold-only paragraph introduces what follows (« **Partie 2. Ma suite** »): print
# keeps it with the next block, like a heading.
LEAD_IN = re.compile(r"<p>(<strong>(?:(?!</?p>)[^<]|<(?!/?strong)[^>]*>)*</strong>\s*[:.]?)</p>")
POWAO_URL = re.compile(r'(href|src)="powao:([^"]*)"')


def slugify(value: str, separator: str = "-") -> str:
    """ASCII heading ids, the same for site and print."""
    text = unicodedata.normalize("NFKD", html.unescape(re.sub(r"<[^>]+>", "", value)))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", separator, text).strip(separator) or "section"


def extension_config(root: Path) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The markdown_extensions of mkdocs.yml, the site's own list."""
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    names: list[str] = []
    configs: dict[str, dict[str, Any]] = {}
    for entry in config.get("markdown_extensions", []):
        if isinstance(entry, dict):
            (name, options), = entry.items()
            names.append(name)
            configs[name] = dict(options or {})
        else:
            names.append(entry)
    configs.setdefault("toc", {})["slugify"] = slugify
    configs.setdefault("footnotes", {}).update(
        {"BACKLINK_TITLE": "Revenir au texte (note %d)", "SUPERSCRIPT_TEXT": "{}"})
    return names, configs


def format_number(value: Any, key: str = "") -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", NNBSP).replace(".", ",")
    number = int(value)
    if key.startswith("annee") or number < 1000:
        return str(number)
    return f"{number:,}".replace(",", NNBSP)


class Renderer:
    """Renders Markdown bodies of one corpus; cheap to call many times."""

    def __init__(self, corpus: Corpus, blocks: Callable[[str, str], str] | None = None,
                 reglages: Reglages = Reglages()):
        self.corpus = corpus
        self.reglages = reglages
        self.blocks = blocks  # (name, arg) -> trusted HTML, given by the output
        self.extensions, self.configs = extension_config(corpus.root)
        self._fragments: dict[tuple[str, str], str] = {}

    @cached_property
    def _md(self) -> markdown.Markdown:
        return markdown.Markdown(extensions=self.extensions, extension_configs=self.configs,
                                 output_format="html")

    # -- step 1: project syntax -------------------------------------------------------
    def _rewrite(self, body: str, source: Source | None, pending: list[tuple[str, str]]) -> str:
        base = source.path.parent if source else self.corpus.root
        lines = body.split("\n")
        masked = masked_lines(body)
        out = []
        for line, mask in zip(lines, masked):
            edits: list[tuple[int, int, str]] = []
            for mt in DIRECTIVE.finditer(mask):
                name, arg = mt.group(1), mt.group(2)
                if arg is None and "." in name:
                    edits.append((mt.start(), mt.end(), self._data(name)))
                else:
                    pending.append((name, (arg or "").strip()))
                    edits.append((mt.start(), mt.end(), PLACEHOLDER.format(len(pending) - 1)))
            for mt in LINK.finditer(mask):
                edits.append((mt.start(), mt.end(), self._link(mt, line, base)))
            edits += self._citations(mask, line, edits)
            for start, end, text in sorted(edits, reverse=True):
                line = line[:start] + text + line[end:]
            out.append(line)
        return "\n".join(out)

    def _data(self, path: str) -> str:
        from .checks import data_namespace
        value = lookup(data_namespace(self.corpus), path)
        key = path.split(".")[1] if path.startswith("chiffres.") else ""
        if isinstance(value, m.Chiffre):
            text = format_number(value.valeur, key)
            if value.illustratif:
                text += '<abbr class="illustratif" title="Chiffre illustratif">*</abbr>'
            return text
        if isinstance(value, str):
            import html
            return html.escape(value, quote=False)
        return format_number(value, key)

    def _link(self, mt: re.Match[str], line: str, base: Path) -> str:
        image, text, target = mt.group(1), line[mt.start(2):mt.end(2)], mt.group(3)
        scheme = target.split(":", 1)[0] if ":" in target else ""
        if not image and scheme in XREF_KINDS:
            ident = target.split(":", 1)[1]
            if not text.strip():
                text = self.title_of(scheme, ident.split("#")[0])
            return f"[{text}](powao:{scheme}/{ident})"
        if scheme or not target or target.startswith("#"):
            return line[mt.start():mt.end()]
        path, _, anchor = target.partition("#")
        from urllib.parse import unquote
        resolved = (base / unquote(path)).resolve()
        try:
            relpath = resolved.relative_to(self.corpus.root).as_posix()
        except ValueError:
            return text  # refused by validation; never link outside the project
        kind = "fichier" if resolved.suffix == ".md" else "asset"
        suffix = f"#{anchor}" if anchor else ""
        return f"{image}[{text}](powao:{kind}/{relpath}{suffix})"

    def _citations(self, mask: str, line: str,
                   edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """`[@a]` → « (A, 2024) »; `[@a][@b]` → « (A, 2024 ; B, 2025) », glued to the
        preceding word by a no-break space."""
        found = [mt for mt in CITATION.finditer(mask)
                 if not any(s <= mt.start() < e for s, e, _ in edits)]
        groups: list[list[re.Match[str]]] = []
        for mt in found:
            if groups and not mask[groups[-1][-1].end():mt.start()].strip():
                groups[-1].append(mt)
            else:
                groups.append([mt])
        out = []
        for group in groups:
            start, end = group[0].start(), group[-1].end()
            links = " ; ".join(self._citation(mt.group(1), mt.group(2)) for mt in group)
            glue = ""
            if start and line[start - 1] == " ":
                start -= 1
                glue = "\u00a0"
            elif start and line[start - 1] not in "(\u00a0":
                glue = "\u00a0"
            out.append((start, end, f"{glue}({links})"))
        return out

    def _citation(self, key: str, locator: str | None) -> str:
        ref = self.corpus.references[key]
        label = f"{ref.auteurs}, {ref.annee}" + (f", {locator.strip()}" if locator else "")
        return f'<a class="citation" href="powao:ref/{key}">{html.escape(label)}</a>'

    def title_of(self, kind: str, ident: str) -> str:
        item = self.corpus.kind(kind)[ident]
        return item.terme if kind == "glossaire" else item.titre

    # -- steps 2–4 --------------------------------------------------------------------
    def fragment(self, body: str, source: Source | None = None) -> str:
        """Markdown body → sanitized HTML fragment with blocks expanded.

        Remembered by the renderer (one corpus): a fiche, its handout pack, its
        binder and their fitting render the same workshop body several times."""
        base = source.path.parent if source else self.corpus.root
        key = (body, str(base))
        if key not in self._fragments:
            self._fragments[key] = self._fragment(body, source)
        return self._fragments[key]

    def _fragment(self, body: str, source: Source | None) -> str:
        pending: list[tuple[str, str]] = []
        text = self._rewrite(body, source, pending)
        self._md.reset()
        rendered = TASK.sub(lambda mt: '<span class="powao-case">' + ("☑" if mt.group(1) else "☐")
                            + "</span>", self._md.convert(text))
        clean = nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                          url_schemes=URL_SCHEMES, link_rel=None, strip_comments=True,
                          filter_style_properties={"text-align"})
        return LEAD_IN.sub(r'<p class="powao-amorce">\1</p>', self._expand(clean, pending))

    def inline(self, text: str, source: Source | None = None) -> str:
        """A short Markdown string (YAML field) → HTML without the outer <p>."""
        out = self.fragment(text, source).strip()
        out = out.replace('<p class="powao-amorce">', "<p>", 1) if out.count("<p") == 1 else out
        if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
            out = out[3:-4]
        return out

    def _expand(self, fragment: str, pending: list[tuple[str, str]]) -> str:
        def replace(mt: re.Match[str]) -> str:
            index = int(mt.group(1) or mt.group(2))
            name, arg = pending[index]
            return self.blocks(name, arg) if self.blocks else ""
        return PLACEHOLDER_RE.sub(replace, fragment)

    def finish(self, page_html: str, linker: Callable[[str], str]) -> str:
        """Resolve powao: links with the output's linker, then apply typography."""
        return typographier(resolve_links(page_html, linker), self.reglages)


def resolve_links(fragment: str, linker: Callable[[str], str]) -> str:
    return POWAO_URL.sub(lambda mt: f'{mt.group(1)}="{html.escape(linker(mt.group(2)))}"',
                         fragment)
