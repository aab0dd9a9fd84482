"""Shared PDF machinery: a sandboxed URL fetcher, reproducible metadata, footnotes.

Every PDF (session kits, mentor kits, livre blanc) is rendered by `write_pdf`:
WeasyPrint reads only files inside the project tree, dates come from
SOURCE_DATE_EPOCH, and the document is tagged for accessibility.
"""
from __future__ import annotations

import hashlib
import html as _html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from .base import (atomic_write, build_date, build_epoch, copy_file, file_sha256,
                   hash_files, plain_text, renderer_versions)
from .errors import BuildError

FOOTNOTE_DIV = re.compile(r'<div class="footnote">.*?</div>\s*$', re.S)
FOOTNOTE_ITEM = re.compile(r'<li id="fn:([^"]+)">(.*?)</li>', re.S)
FOOTNOTE_REF = re.compile(
    r'<sup id="fnref\d*:([^"]+)"><a class="footnote-ref" href="#fn:[^"]+"[^>]*>[^<]*</a></sup>')
BACKREF = re.compile(r'(&#160;|\u00a0)?<a class="footnote-backref"[^>]*>.*?</a>', re.S)


def inline_footnotes(fragment: str) -> str:
    """Move python-markdown footnotes to their call site as <span class="note">.

    The print CSS floats them to the bottom of the page where they are called.
    """
    found = FOOTNOTE_DIV.search(fragment)
    if not found:
        return fragment
    notes = {}
    for key, body in FOOTNOTE_ITEM.findall(found.group(0)):
        body = BACKREF.sub("", body).strip()
        body = re.sub(r"^<p>(.*)</p>$", r"\1", body, flags=re.S)
        notes[key] = body.replace("</p>\n<p>", " ")
    text = fragment[:found.start()]
    return FOOTNOTE_REF.sub(lambda mt: f'<span class="note">{notes.get(mt.group(1), "")}</span>',
                            text)


_TABLE = re.compile(r"<table>\n(.*?)</table>", re.S)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t([dh])\b[^>]*>(.*?)</t\1>", re.S)
WRITE_IN_SHARE = 50  # % of a table's width its write-in columns get together, at least…
WRITE_IN_COLUMN = 35  # …and each at most


def write_in_columns(fragment: str) -> str:
    """Widen the columns a participant writes in when the other columns would starve
    them. A Markdown table column whose body cells are all empty is for writing; laid
    out automatically, columns share the width by their longest text, so an empty
    column beside long questions got its header's width (« Ma réponse »: 2 cm to
    write a skill in). When the write-in columns' share by that measure is under
    WRITE_IN_SHARE %, they get that share in equal parts (each at most WRITE_IN_COLUMN %)
    through a <colgroup>; other tables are left as they are."""
    def widen(table: re.Match) -> str:
        body = table.group(1)
        if "<tbody>" not in body:
            return table.group(0)
        rows = [[plain_text(cell) for _kind, cell in _CELL.findall(row)] for row in _ROW.findall(body)]
        count = len(rows[0]) if rows else 0
        if not count or any(len(row) != count for row in rows):
            return table.group(0)
        cells = rows[1:]  # the first row is the header (a Markdown table always has one)
        empty = [bool(cells) and not any(row[i] for row in cells) for i in range(count)]
        weight = [max(1, *(len(row[i]) for row in rows)) for i in range(count)]
        blank = sum(w for w, e in zip(weight, empty) if e)
        if not blank or all(empty) or 100 * blank / sum(weight) >= WRITE_IN_SHARE:
            return table.group(0)
        width = min(WRITE_IN_COLUMN, WRITE_IN_SHARE / sum(empty))
        cols = "".join(f'<col class="a-remplir" style="width: {width:.4g}%">' if e else "<col>"
                       for e in empty)
        return f"<table>\n<colgroup>{cols}</colgroup>\n{body}</table>"
    return _TABLE.sub(widen, fragment)


def for_print(fragment: str) -> str:
    """A rendered body as the print templates take it: footnotes at their call,
    write-in columns wide enough to write in."""
    return write_in_columns(inline_footnotes(fragment))


@dataclass
class Sandbox:
    """What a PDF may read: files inside the project tree, nothing else."""

    root: Path
    refused: list[str] = field(default_factory=list)

    def fetcher(self):
        from weasyprint.urls import URLFetcher

        sandbox = self

        class ProjectOnly(URLFetcher):
            def fetch(self, url, headers=None):  # noqa: D401 - WeasyPrint API
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                parts = urlsplit(url)
                if parts.scheme != "file":
                    sandbox.refused.append(url)
                    raise ValueError(f"ressource refusée hors du projet : {url}")
                path = Path(unquote(parts.path)).resolve()
                if not path.is_relative_to(sandbox.root.resolve()):
                    sandbox.refused.append(url)
                    raise ValueError(f"fichier refusé hors du projet : {path}")
                return super().fetch(url, headers)

        return ProjectOnly(allowed_protocols={"file", "data"}, timeout=5)


@dataclass
class Meta:
    title: str
    author: str
    subject: str = ""
    keywords: list[str] = field(default_factory=list)
    lang: str = "fr"


BANDEAUX = {"interne": "ÉDITION INTERNE — ne pas diffuser hors de l'équipe du programme",
            "relecture": "BROUILLON — édition de relecture, ne pas diffuser"}
_stamp = {"text": ""}


def set_stamp(text: str) -> None:
    """The draft stamp (`base.draft_stamp`) of this build, printed in draft banners."""
    _stamp["text"] = text or ""


def stamp() -> str:
    return _stamp["text"]


def bandeau(edition: str) -> str:
    """The banner of an internal or draft edition (empty for the public one)."""
    text = BANDEAUX.get(edition, "")
    if text and edition == "relecture" and stamp():
        text = f"BROUILLON du {stamp()} — édition de relecture, ne pas diffuser"
    return text


def head(meta: Meta, edition: str = "public") -> str:
    """<meta> elements WeasyPrint turns into PDF metadata (dates from the epoch), and
    the banner printed on every page of an internal or draft edition."""
    date = build_date().strftime("%Y-%m-%dT%H:%M:%SZ")
    esc = _html.escape
    banner = bandeau(edition).replace("\\", "").replace('"', "")
    style = ("<style>@page { @top-center { content: \"" + banner + "\"; font: 700 8pt "
             "'Atkinson Hyperlegible Next', sans-serif; color: #9a3412; } }</style>"
             if banner else "")
    return "\n".join([style,
        f"<title>{esc(meta.title)}</title>",
        f'<meta name="author" content="{esc(meta.author)}">',
        f'<meta name="description" content="{esc(meta.subject)}">',
        f'<meta name="keywords" content="{esc(", ".join(meta.keywords))}">',
        '<meta name="generator" content="Chaîne de publication POWAO">',
        f'<meta name="dcterms.created" content="{date}">',
        f'<meta name="dcterms.modified" content="{date}">',
    ])


# -- content-addressed cache ----------------------------------------------------------------
FILE_URI = re.compile(r'file://[^"\')\s<>]+')
_fingerprints: dict[Path, str] = {}



def toolchain_fingerprint(root: Path) -> str:
    """Everything besides the HTML that shapes a PDF: print CSS, fonts, the renderer.
    Memoised per render process (a process lives for one build only)."""
    if root not in _fingerprints:
        digest = hashlib.sha256(renderer_versions().encode())
        for folder in ("templates/print", "templates/stylesheets", "templates/fonts"):
            for path in sorted((root / folder).rglob("*")):
                if path.is_file():
                    hash_files([path], digest)
        hash_files([Path(__file__), Path(__file__).with_name("accessibilite.py")], digest)
        _fingerprints[root] = digest.hexdigest()
    return _fingerprints[root]


def cache_key(document_html: str, root: Path, base_url: str) -> str:
    """A PDF depends on its HTML, on the files the HTML loads, and on the toolchain."""
    from urllib.parse import unquote
    digest = hashlib.sha256(document_html.encode("utf-8"))
    digest.update(toolchain_fingerprint(root).encode())
    digest.update(base_url.encode())
    for uri in sorted(set(FILE_URI.findall(document_html))):
        hash_files([Path(unquote(urlsplit(uri).path))], digest)
    digest.update(str(build_epoch()).encode())
    return digest.hexdigest()


def print_base(root: Path, base: Path | None = None) -> str:
    """The base URL print documents are laid out against (the print templates' folder,
    where their stylesheets and images are found)."""
    return (base or root / "templates" / "print").as_uri() + "/"


def write_pdf(document_html: str, target: Path, root: Path, base: Path | None = None,
              source: str = "", findings: list | None = None, keep: bool = False,
              layout: Callable[[], Any] | None = None) -> int:
    """Render HTML to `target` (or reuse an identical earlier render); returns the page
    count. The print preflight's findings on the laid-out pages (`powao.preflight`)
    are added to `findings`, from the cache too. Raises BuildError in French. `keep`:
    keep the laid-out pages in memory (a fiche, that a binder may reuse). `layout`:
    makes this HTML's pages another way (a handout pack from its fiche's pages)."""
    base_url = print_base(root, base)
    cache = root / ".cache" / "pdf"
    key = cache_key(document_html, root, base_url)
    cached, pages_file = cache / f"{key}.pdf", cache / f"{key}.pages"
    pages = recall(cached, pages_file, target)
    if pages is not None:
        if findings is not None:
            findings += recall_findings(pages_file)
        return pages
    from .preflight import inspect
    document = layout() if layout is not None else lay_out(
        document_html, root, base_url, target.name, key, keep)
    found = inspect(document, root, source)
    pages = write_document(document, target, document_html)
    remember(target, cached, pages_file, pages, found)
    if findings is not None:
        findings += found
    return pages


# Laid-out documents kept by a render process (see `lay_out`): a binder is assembled
# from the pages of the fiches it contains instead of laying them out again.
_LAID_OUT: dict[str, object] = {}
KEEP_LAID_OUT = 32  # documents; a fiche's box tree is a few MiB


def lay_out(document_html: str, root: Path, base_url: str, name: str, key: str = "",
            keep: bool = False):
    """Lay the HTML out into pages (a WeasyPrint Document), or return the same layout
    kept in memory (`keep`: keep this one); raises BuildError in French."""
    from weasyprint import HTML

    key = key or cache_key(document_html, root, base_url)
    if key in _LAID_OUT:
        _LAID_OUT[key] = _LAID_OUT.pop(key)  # most recently used last
        return _LAID_OUT[key]
    sandbox = Sandbox(root)
    try:
        document = HTML(string=document_html, base_url=base_url,
                        url_fetcher=sandbox.fetcher()).render(font_config=_fonts(root))
    except BuildError:
        raise
    except Exception as exc:  # WeasyPrint failures become an author-facing message
        raise BuildError(f"le rendu PDF de {name} a échoué ({exc.__class__.__name__} : "
                         f"{exc})") from exc
    if sandbox.refused:
        raise BuildError(f"ressource refusée par le rendu PDF de {name} (hors du "
                         f"projet) : {sandbox.refused[0]}")
    if keep:
        keep_layout(document_html, root, base_url, document, key)
    return document


def keep_layout(document_html: str, root: Path, base_url: str, document, key: str = "") -> None:
    """Keep a layout of this HTML in memory (made by `lay_out` or assembled otherwise)."""
    _LAID_OUT[key or cache_key(document_html, root, base_url)] = document
    while len(_LAID_OUT) > KEEP_LAID_OUT:
        del _LAID_OUT[next(iter(_LAID_OUT))]


def forget_layouts() -> None:
    _LAID_OUT.clear()


def kept_layout(document_html: str, root: Path, base_url: str):
    """The layout of this HTML if this render process keeps it, else None."""
    return _LAID_OUT.get(cache_key(document_html, root, base_url))


def forget_layout(document_html: str, root: Path, base_url: str) -> None:
    _LAID_OUT.pop(cache_key(document_html, root, base_url), None)


def layouts_kept() -> int:
    """How many laid-out documents this process keeps."""
    return len(_LAID_OUT)


def write_document(document, target: Path, identity: str, redraw: str = "") -> int:
    """Write laid-out pages as a tagged PDF (the one write path of every PDF); returns
    the page count. `identity` (the HTML) makes the PDF identifier reproducible.
    `redraw` (the live preview's binders): the pages this process drew for the previous
    write of that name are not drawn again (`powao.redraw`)."""
    from contextlib import nullcontext

    from . import accessibilite
    from .redraw import redrawing
    identifier = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32].encode()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with accessibilite.tagging(), (redrawing(redraw) if redraw else nullcontext()):
            accessibilite.write(document, target, build_date(), pdf_identifier=identifier)
    except BuildError:
        raise
    except Exception as exc:  # WeasyPrint failures become an author-facing message
        raise BuildError(f"le rendu PDF de {target.name} a échoué ({exc.__class__.__name__} : "
                         f"{exc})") from exc
    return len(document.pages)


def _findings_file(pages_file: Path) -> Path:
    return pages_file.with_suffix(".controle.json")


def recall_findings(pages_file: Path) -> list:
    """The preflight findings stored with a cached PDF."""
    import json

    from .preflight import Finding
    try:
        stored = json.loads(_findings_file(pages_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [Finding(*item) for item in stored]


def remember(target: Path, cached: Path, pages_file: Path, pages: int,
             findings: list | None = None) -> None:
    """Store a rendered PDF in a cache: a copy (never an inode shared with a published
    file), written atomically, with its page count, the hash of its bytes and its
    print preflight findings."""
    import json
    try:
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        cached.parent.mkdir(parents=True, exist_ok=True)
        copy_file(target, tmp)
        os.replace(tmp, cached)
        atomic_write(_findings_file(pages_file), json.dumps(
            [[f.kind, f.source, f.line, f.message] for f in findings or []], ensure_ascii=False))
        atomic_write(pages_file, f"{pages} {file_sha256(cached)}")
    except OSError:
        pass  # a cache that cannot be written only costs speed


def recall(cached: Path, pages_file: Path, target: Path) -> int | None:
    """Copy a cached PDF to `target` if its entry is whole and its bytes are the ones
    stored (a cache file truncated or edited is ignored and removed); its page count."""
    try:
        count, digest = pages_file.read_text(encoding="ascii").split()
        pages = int(count)
        if file_sha256(cached) != digest or pages < 1:
            raise ValueError("altered")
    except (OSError, ValueError, UnicodeDecodeError):
        for path in (cached, pages_file):
            if path.exists():
                try:
                    path.unlink()
                except OSError:
                    pass
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    copy_file(cached, tmp)
    os.replace(tmp, target)
    return pages


# -- one font configuration and parsed print stylesheets per render process ---------------
# Every layout used to load the print fonts (@font-face) again and parse the same
# stylesheets (base.css, fiche.css, kit.css, livre.css and their imports): about 0.1 s
# per layout, some 250 layouts per build. A render process now keeps one WeasyPrint
# FontConfiguration and the parsed sheets of the project's templates, keyed by the
# print toolchain's fingerprint; `<style>` elements and any other sheet are parsed per
# document as before. The PDFs are byte for byte the same (tests/test_pdf_cache.py).
_FONT_CONFIG: dict[str, object] = {}
_SHEETS: dict[tuple, object] = {}


def _fonts(root: Path):
    from weasyprint import css
    from weasyprint.text.fonts import FontConfiguration
    if "config" not in _FONT_CONFIG:
        _FONT_CONFIG["config"] = FontConfiguration()
        _FONT_CONFIG["original"] = css.find_stylesheets
        css.find_stylesheets = _find_stylesheets
        _no_context_cycle()
    _FONT_CONFIG["templates"] = (root / "templates").resolve().as_uri() + "/"
    _FONT_CONFIG["empreinte"] = toolchain_fingerprint(root)
    return _FONT_CONFIG["config"]


def _no_context_cycle() -> None:
    """Let a layout's objects go as soon as nothing uses them. WeasyPrint 70 leaves three
    reference cycles per document, through which a layout's computed styles, tables,
    target lookups and boxes (some 50 000 objects per fiche job) waited for the garbage
    collector, whose pass at the end of each job then took about 4 % of it:

    - the layout context keeps `partial(get_image_from_uri, context=self)`: it now makes
      that partial when asked (the same calls);
    - its target collector keeps the boxes of every anchor, one of which holds an SVG
      image that keeps the context: the lookups are emptied once the layout is done
      (cross-references are resolved by then);
    - an SVG keeps its lazy definitions, which keep the SVG: they now refer to it weakly
      (they are only used while it draws).

    The PDFs are the same, byte for byte."""
    import weakref
    from functools import partial

    from weasyprint import document
    from weasyprint.layout import LayoutContext
    from weasyprint.svg import LazyDefs

    def get(context):
        fetch = context.__dict__["_powao_image_fetch"]
        if isinstance(fetch, tuple):  # (function, keywords): bound to this context here
            return partial(fetch[0], **fetch[1], context=context)
        return fetch

    def set_(context, value) -> None:
        # WeasyPrint's: partial(fetch, context=self), flattened by functools with fetch's
        # own keywords (cache, url_fetcher, options).
        if isinstance(value, partial) and value.keywords.get("context") is context \
                and not value.args:
            value = (value.func, {k: v for k, v in value.keywords.items() if k != "context"})
        context.__dict__["_powao_image_fetch"] = value

    LayoutContext.get_image_from_uri = property(get, set_)

    original_layout = document.layout_document

    def layout_document(html, root_box, context, *args, **kwargs):
        yield from original_layout(html, root_box, context, *args, **kwargs)
        context.target_collector.target_lookup_items.clear()
        context.target_collector.counter_lookup_items.clear()

    document.layout_document = layout_document
    original_defs = LazyDefs.__init__

    def lazy_defs(defs, name, svg) -> None:
        original_defs(defs, name, weakref.proxy(svg))

    LazyDefs.__init__ = lazy_defs


def _find_stylesheets(wrapper_element, device_media_type, url_fetcher, base_url, font_config,
                      counter_style, color_profiles, page_rules, layers):
    """WeasyPrint's `find_stylesheets`, with the project's own linked sheets parsed once
    per render process (same order, same origin: author)."""
    from weasyprint import CSS
    from weasyprint.html import element_has_link_type, parse_url
    original = _FONT_CONFIG["original"]
    # The element tree itself, walked once (C): cssselect2's query_all would wrap every
    # element of the document, twice, for two kinds of element.
    sheets = [element for element in wrapper_element.etree_element.iter()
              if element.tag in ("style", "link")]
    for element in sheets:
        if element.tag != "link":
            continue
        href = parse_url(element.get("href") or "", base_url) if element.get("href") else None
        if not (element_has_link_type(element, "stylesheet")
                and not element_has_link_type(element, "alternate")
                and element.get("type", "text/css").split(";")[0].strip() == "text/css"
                and (element.get("media") or "all").strip() in ("all", "print")
                and font_config is _FONT_CONFIG["config"]
                and href and href.startswith(_FONT_CONFIG["templates"])):
            break  # anything else: WeasyPrint's own way, for the whole document
    else:
        yield from _cached_sheets(sheets, device_media_type, url_fetcher, base_url,
                                  font_config, counter_style, color_profiles, page_rules,
                                  layers, CSS, parse_url)
        return
    yield from original(wrapper_element, device_media_type, url_fetcher, base_url,
                        font_config, counter_style, color_profiles, page_rules, layers)


def _cached_sheets(sheets, media, url_fetcher, base_url, font_config, counter_style,
                   color_profiles, page_rules, layers, CSS, parse_url):
    from weasyprint.css import get_child_text, media_queries
    for element in sheets:
        if element.tag == "link":
            href = parse_url(element.get("href"), base_url)
            key = (href, _FONT_CONFIG["empreinte"])
            if key not in _SHEETS:
                _SHEETS[key] = CSS(url=href, url_fetcher=url_fetcher, media_type=media,
                                   font_config=font_config, counter_style=counter_style,
                                   color_profiles=color_profiles)
            yield _SHEETS[key]
            continue
        if element.get("type", "text/css").split(";", 1)[0].strip() != "text/css":
            continue
        queries = [q.strip() for q in (element.get("media", "").strip() or "all").split(",")]
        if media_queries.evaluate_media_query(queries, media):
            yield CSS(string=get_child_text(element), base_url=base_url,
                      url_fetcher=url_fetcher, media_type=media, font_config=font_config,
                      counter_style=counter_style, page_rules=page_rules,
                      color_profiles=color_profiles, layers=layers)
