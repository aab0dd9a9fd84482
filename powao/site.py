"""The mentors' website: a plain docs tree + generated navigation, built by MkDocs.

Content generation happens here, not in MkDocs hooks or plugins: every page is
written as Markdown (headings) around HTML chunks produced by the rendering
core, then `mkdocs build` runs on the tree with the project's mkdocs.yml.
"""
from __future__ import annotations

import html as _html
import json
import logging
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import model as m
from .errors import BuildError, Report
from .loader import Corpus
from .templating import Templates
from .typography import typographier_texte
from .urls import PAGE_SECTIONS, Urls

H2_FULL = re.compile(r'<h2(?: [^>]*)?>.*?</h2>', re.S)
H2_PARTS = re.compile(r'<h2\b([^>]*)>(.*?)</h2>', re.S)
ID_ATTR = re.compile(r'\sid="([^"]*)"')
MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|])")


@dataclass
class SitePage:
    doc: str       # docs path, e.g. ateliers/orientation/x.md
    title: str
    body: str      # final HTML (links resolved, typography applied)
    meta: dict[str, Any]
    source: str = ""  # project file the page comes from (for error messages)


def to_markdown(page: SitePage) -> str:
    """Front matter + `# title` + h2 headings as Markdown, the rest as raw HTML blocks."""
    meta = {"title": page.title, **page.meta}
    # The theme prints front-matter values into the page as they are (no escaping):
    # every text from content is escaped here for HTML text and attributes.
    meta = {k: v if k == "hide" else html_text(v) for k, v in meta.items()}
    out = ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=True).strip(), "---", "",
           f"# {_md_escape(_html.escape(page.title, quote=False))}", ""]
    pos = 0
    for mt in H2_PARTS.finditer(page.body):
        out += _raw(page.body[pos:mt.start()])
        found, text = ID_ATTR.search(mt.group(1)), mt.group(2).strip()
        attr = f" {{#{found.group(1)}}}" if found else ""
        out += [f"## {_md_escape(text)}{attr}", ""]
        pos = mt.end()
    out += _raw(page.body[pos:])
    return "\n".join(out) + "\n"


def html_text(value: Any) -> Any:
    """Content text made safe for HTML text and quoted attributes (lists item by item)."""
    if isinstance(value, str):
        return _html.escape(value, quote=True)
    if isinstance(value, list):
        return [html_text(v) for v in value]
    return value


def _md_escape(text: str) -> str:
    # Headings keep inline HTML (sup, code) but Markdown specials are escaped.
    parts = re.split(r"(<[^>]+>)", text)
    return "".join(p if p.startswith("<") else MD_SPECIAL.sub(r"\\\1", p) for p in parts)


def _raw(chunk: str) -> list[str]:
    chunk = chunk.strip()
    if not chunk:
        return []
    # A blank line inside the raw block is harmless for Python-Markdown ≥ 3.3,
    # but lines must not be indented by 4 spaces (they would become code).
    lines = [line.lstrip() for line in chunk.split("\n")]
    return ['<div class="powao-contenu">', *lines, "</div>", ""]


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


class SiteBuilder:
    def __init__(self, corpus: Corpus, templates: Templates, pdfs: dict[str, str] | None = None,
                 edition: str = "public"):
        self.edition = edition
        self.corpus = corpus
        self.t = templates
        self.urls = Urls(corpus)
        self.pdfs = pdfs or {}  # site path -> label, for download buttons
        self.cache = corpus.root / ".cache" / "pages"
        self._context: str | None = None

    def context_key(self) -> str:
        """What every page may show besides its own file: the toolchain, all data files,
        the front matter of every item (titles, summaries, durations…), the PDFs."""
        if self._context is None:
            import hashlib
            import json

            from .base import code_fingerprint, hash_files
            root = self.corpus.root
            digest = hashlib.sha256(code_fingerprint(root).encode())
            data = sorted((root / "content" / "data").glob("*.yml"))
            data += sorted(p for p in (root / "whitepaper").rglob("*.yml"))
            hash_files(data, digest)
            for source in sorted(self.corpus.sources, key=lambda s: s.rel):
                digest.update(source.rel.encode())
                digest.update(json.dumps(source.meta, sort_keys=True, default=str).encode())
            from .pdf import bandeau
            digest.update(json.dumps([sorted(self.pdfs), self.edition,
                                      bandeau(self.edition)]).encode())
            self._context = digest.hexdigest()
        return self._context

    # -- pages ------------------------------------------------------------------------
    def page(self, kind: str, ident: str, template: str, title: str, meta: dict[str, Any],
             source: str = "", **context: Any) -> SitePage:
        """Render one page, or reuse it when neither its file nor anything it may show
        changed (incremental builds and the live preview)."""
        import hashlib
        import json
        from .errors import set_working_on
        set_working_on(source or f"la page {ident}")
        doc = self.urls.doc(kind, ident)
        title = typographier_texte(title)  # the H1 and the tab title, like the body
        own = (self.corpus.root / source).read_bytes() if source else b""
        key = hashlib.sha256(f"{self.context_key()}|{kind}|{ident}|{template}".encode()
                             + own).hexdigest()
        cached = self.cache / f"{key}.json"
        if cached.exists():
            saved = json.loads(cached.read_text(encoding="utf-8"))
            self.assets.update(saved["assets"])
            return SitePage(doc, title, saved["body"], meta, source)
        self._page_assets: set[str] = set()
        html = self.t.render(template, urls=self.urls, pdfs=self.pdfs, doc=doc, **context)
        body = self.t.renderer.finish(html, self._linker(doc))
        if self.edition != "public":
            from .pdf import bandeau
            body = (f'<p class="powao-bandeau-edition">{_html.escape(bandeau(self.edition))}</p>\n'
                    + body)
        self.cache.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.tmp")
        tmp.write_text(json.dumps({"body": body, "assets": sorted(self._page_assets)},
                                  ensure_ascii=False), encoding="utf-8")
        tmp.replace(cached)
        return SitePage(doc, title, body, meta, source)

    def _linker(self, doc: str):
        inner = self.urls.linker(doc)

        def link(url: str) -> str:
            if url.startswith("asset/"):
                asset = url.split("/", 1)[1].split("#")[0]
                self.assets.add(asset)
                self._page_assets.add(asset)
            return inner(url)
        return link

    def pages(self) -> list[SitePage]:
        c, out = self.corpus, []
        self.assets: set[str] = set()
        axes = {a.id: a for a in (c.programme.axes if c.programme else [])}
        for pid, page in c.pages.items():
            meta: dict[str, Any] = {"description": page.resume} if page.resume else {}
            if pid == "index":
                meta["hide"] = ["navigation", "toc"]
            out.append(self.page("page", pid, "site/page.html", page.titre, meta,
                                 page.src.rel, page=page))
        out.append(self.page("index", "ateliers", "site/ateliers.html", "Les ateliers",
                             {"description": "Tous les ateliers par axe."}))
        for axe in axes.values():
            ateliers = [a for a in c.ateliers.values() if a.axe == axe.id]
            out.append(self.page("axe", axe.id, "site/axe.html", axe.titre,
                                 {"description": axe.description, "tags": [axe.titre]},
                                 axe=axe, ateliers=ateliers))
        for aid, atelier in c.ateliers.items():
            axe = axes.get(atelier.axe)
            tags = [axe.titre if axe else atelier.axe, m_modalite(atelier.modalite)]
            tags += [k for k in atelier.mots_cles if k not in tags]
            tags = [typographier_texte(t) for t in tags]
            out.append(self.page("atelier", aid, "site/atelier.html", atelier.titre,
                                 {"description": atelier.resume, "tags": tags},
                                 atelier.src.rel, atelier=atelier, axe=axe,
                                 cycles=self._cycles_of(aid)))
        out.append(self.page("index", "cycles", "site/cycles.html", "Les cycles",
                             {"description": "Les parcours de séances d'un groupe."}))
        for cid, cycle in c.cycles.items():
            out.append(self.page("cycle", cid, "site/cycle.html", cycle.titre,
                                 {"description": cycle.resume}, cycle.src.rel, cycle=cycle))
        out.append(self.page("index", "formation", "site/formation.html",
                             "La formation des mentors",
                             {"description": "Parcours de formation initiale et continue."}))
        for pid, parcours in c.parcours.items():
            out.append(self.page("parcours", pid, "site/parcours.html", parcours.titre,
                                 {"description": parcours.resume}, parcours.src.rel,
                                 parcours=parcours))
        for mid, module in c.modules.items():
            out.append(self.page("module", mid, "site/module.html", module.titre,
                                 {"description": module.resume}, module.src.rel, module=module))
        if c.livre:
            out.append(self.page("index", "livre-blanc", "site/livre-blanc.html",
                                 "Le livre blanc", {"description": c.livre.resume}))
            out.append(self.page("index", "references", "site/references.html",
                                 "Références", {"description": "Sources citées."}))
            from .livre import chapter_labels
            for chid, (_numero, libelle) in chapter_labels(c).items():
                chap = c.chapitres[chid]
                out.append(self.page("chapitre", chid, "site/chapitre.html", chap.titre,
                                     {"description": chap.chapeau}, chap.src.rel,
                                     chapitre=chap, libelle=libelle))
        return self._with_tags(out)

    # -- tags ---------------------------------------------------------------------------
    # Rendered here rather than by Material's tags plugin: a page then shows only
    # what its own docs file holds, which lets MkDocs rebuild just the edited pages.
    TAGS_DOC = "etiquettes.md"

    def _with_tags(self, pages: list[SitePage]) -> list[SitePage]:
        """Tag chips above each tagged page, and the page listing pages by tag.
        Tags differing only by case or accents are one tag (« Méthodologie »)."""
        import html as _html
        import posixpath

        from .render import slugify
        esc = _html.escape
        names: dict[str, str] = {}
        tagged: dict[str, list[SitePage]] = {}
        for page in pages:
            seen = []
            for tag in page.meta.get("tags", []):
                slug = slugify(tag)
                names.setdefault(slug, tag)  # the first spelling met (axes come first)
                if slug not in seen:
                    seen.append(slug)
                    tagged.setdefault(slug, []).append(page)
            if not seen:
                continue
            here = posixpath.dirname(page.doc) or "."
            target = posixpath.relpath(self.TAGS_DOC[:-3] + ".html", here)
            chips = "".join(f'<a href="{target}#tag-{slug}" class="md-tag">{esc(names[slug])}</a>'
                            for slug in seen)
            page.body = f'<nav class="md-tags" aria-label="Étiquettes">{chips}</nav>\n' + page.body
        body = ["<p>Chaque atelier porte son axe, son format et ses mots-clés. Choisissez une "
                "étiquette pour retrouver les ateliers qui la partagent.</p>"]
        for slug in sorted(tagged, key=lambda s: (fold(names[s]), names[s])):
            items = "".join(
                f'<li><a href="{p.doc[:-3]}.html">{esc(p.title)}</a></li>'
                for p in sorted(tagged[slug], key=lambda p: (fold(p.title), p.doc)))
            body.append(f'<h2 id="tag-{slug}">{esc(names[slug])}</h2>\n'
                        f'<ul class="powao-etiquettes">{items}</ul>')
        pages.append(SitePage(self.TAGS_DOC, "Étiquettes", "\n".join(body),
                              {"description": "Les ateliers par étiquette."}))
        return pages

    def _cycles_of(self, atelier_id: str) -> list[dict[str, Any]]:
        found = []
        for cycle in self.corpus.cycles.values():
            ids = [s.atelier for s in cycle.seances]
            for index, ident in enumerate(ids):
                if ident == atelier_id:
                    found.append({"cycle": cycle, "numero": index + 1, "total": len(ids),
                                  "precedent": ids[index - 1] if index else None,
                                  "suivant": ids[index + 1] if index + 1 < len(ids) else None})
        return found

    # -- navigation ---------------------------------------------------------------------
    def nav(self) -> list[Any]:
        """The navigation, every title escaped: the theme prints nav titles as HTML."""
        return _escape_nav(self._nav())

    def _nav(self) -> list[Any]:
        c, u = self.corpus, self.urls
        pages = sorted(c.pages.values(), key=lambda p: (p.ordre, p.titre))

        def group(section: str) -> list[Any]:
            return [{typographier_texte(p.titre): u.doc("page", p.id)} for p in pages
                    if PAGE_SECTIONS.get(p.id, "ressources") == section and p.id != "index"]

        nav: list[Any] = [{"Accueil": "index.md"} if "index" in c.pages else {}]
        nav.append({"Le programme": group("programme")})
        # Every entry is titled, index pages too: MkDocs then never needs to read a
        # page to title it in other pages (see sitecache.py).
        t = typographier_texte
        axes_nav: list[Any] = [{t("Les ateliers"): u.doc("index", "ateliers")}]
        for axe in (c.programme.axes if c.programme else []):
            items = [{t(axe.titre): u.doc("axe", axe.id)}] + [
                {typographier_texte(a.titre): u.doc("atelier", a.id)}
                for a in sorted(c.ateliers.values(), key=lambda a: a.titre) if a.axe == axe.id]
            axes_nav.append({typographier_texte(axe.titre): items})
        nav.append({"Ateliers": axes_nav})
        nav.append({"Cycles": [{t("Les cycles"): u.doc("index", "cycles")}] +
                    [{typographier_texte(cy.titre): u.doc("cycle", cid)} for cid, cy in c.cycles.items()]})
        formation: list[Any] = [{t("La formation des mentors"): u.doc("index", "formation")}]
        for pid, parcours in c.parcours.items():
            mods = [{t(parcours.titre): u.doc("parcours", pid)}] + [{typographier_texte(c.modules[mid].titre): u.doc("module", mid)}
                                                for mid in parcours.modules if mid in c.modules
                                                and u.doc("module", mid).startswith(f"formation/{pid}/")]
            formation.append({typographier_texte(parcours.titre): mods})
        loose = [{typographier_texte(mo.titre): u.doc("module", mid)} for mid, mo in c.modules.items()
                 if u.doc("module", mid).startswith("formation/modules/")]
        if loose:
            formation.append({"Autres modules": loose})
        nav.append({"Formation": formation})
        nav += group("securite")
        if c.livre:
            chapters = [{typographier_texte(c.chapitres[ch].titre): u.doc("chapitre", ch)}
                        for ch in c.livre.chapitres if ch in c.chapitres]
            nav.append({"Livre blanc": [{t("Le livre blanc"): u.doc("index", "livre-blanc")}, *chapters,
                                         {"Références": u.doc("index", "references")}]})
        nav.append({"Ressources": group("ressources") + [{"Étiquettes": "etiquettes.md"}]})
        return [n for n in nav if n]

    # -- writing ------------------------------------------------------------------------
    def write_docs(self, docs: Path) -> list[SitePage]:
        pages = self.pages()
        for page in pages:
            path = docs / page.doc
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(to_markdown(page), encoding="utf-8")
        root = self.corpus.root
        theme = root / "templates" / "site" / "assets"
        shutil.copytree(theme, docs / "assets", dirs_exist_ok=True)
        # One identity for site and print: the same brand.css (colours) and fonts.
        for name in ("brand.css", "fonts-web.css"):
            shutil.copyfile(root / "templates" / "stylesheets" / name,
                            docs / "assets" / "stylesheets" / name)
        fonts = docs / "assets" / "fonts"
        shutil.copytree(root / "templates" / "fonts", fonts, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.ttf"))  # print-only copies
        from .images import copy_published
        for rel in sorted(self.assets):  # images are published without their metadata
            copy_published(root / rel, docs / "assets" / "contenu" / rel,
                           root / ".cache" / "images")
        (docs / "assets" / "javascripts").mkdir(parents=True, exist_ok=True)
        (docs / "assets" / "javascripts" / "recherche.js").write_text(
            search_script(pages), encoding="utf-8")
        return pages

    def config(self, docs: Path, site_dir: Path) -> dict[str, Any]:
        config = yaml.safe_load((self.corpus.root / "mkdocs.yml").read_text(encoding="utf-8"))
        config.update({"docs_dir": str(docs), "site_dir": str(site_dir), "nav": self.nav()})
        # The content is already HTML (rendered with the full extension list of
        # mkdocs.yml); the generated tree only has headings and raw HTML blocks.
        config["markdown_extensions"] = [
            ext for ext in config.get("markdown_extensions", [])
            if (next(iter(ext)) if isinstance(ext, dict) else ext) in SITE_EXTENSIONS]
        return config


SITE_EXTENSIONS = ("toc", "attr_list")


def _escape_nav(nav: Any) -> Any:
    if isinstance(nav, list):
        return [_escape_nav(item) for item in nav]
    if isinstance(nav, dict):
        return {html_text(k): _escape_nav(v) for k, v in nav.items()}
    return nav


def m_modalite(value: str) -> str:
    from .views import MODALITES
    return MODALITES[value]


WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿœŒ]+")


def search_script(pages: list[SitePage]) -> str:
    """Accent-insensitive search: the query « reseau » also asks for « réseau ».

    Material's search keeps accents; this maps every folded word of the site to
    its accented spellings and extends the query through Material's documented
    `__search.transform` hook (plain JavaScript, no plugin).
    """
    words: set[str] = set()
    for page in pages:
        text = re.sub(r"<[^>]+>", " ", page.title + " " + page.body)
        words.update(WORD.findall(text))
    variants: dict[str, set[str]] = {}
    for low in {word.lower() for word in words}:  # each distinct word folded once
        folded = fold(low)
        if folded != low and len(folded) > 2:
            variants.setdefault(folded, set()).add(low)
    table = {k: sorted(v) for k, v in sorted(variants.items())}
    return ("// Généré par build.py : recherche insensible aux accents.\n"
            "var __powaoVariantes = " + json.dumps(table, ensure_ascii=False, sort_keys=True)
            + ";\n" + SEARCH_JS)


SEARCH_JS = r"""
var __search = {
  // « reseau » also asks for « réseau » (table above); « réseaux » also for « réseau ».
  transform: function (query) {
    var plie = function (mot) {
      return mot.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    };
    var sortie = [];
    var ajoute = function (mot) { if (mot && sortie.indexOf(mot) < 0) { sortie.push(mot); } };
    query.replace(/"|(?:^|\s+)[*+\-:^~]+(?=\s+|$)/g, " ").trim().split(/\s+/).forEach(
      function (mot) {
        var formes = [mot.toLowerCase()];
        var singulier = mot.toLowerCase().replace(/(s|x)$/, "");
        if (singulier.length > 2 && singulier !== formes[0]) { formes.push(singulier); }
        formes.forEach(function (forme) {
          ajoute(forme);
          (__powaoVariantes[plie(forme)] || []).forEach(ajoute);
        });
      });
    return sortie.join(" ");
  }
};
// Material 9 sends the query to its search worker as {type: 2, data: query} and no
// longer calls a transform hook: extend the query on its way to the worker (the
// file:// shim replaces Worker before this script runs, so it is covered too).
(function () {
  var envoyer = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message) {
    if (message && message.type === 2 && typeof message.data === "string") {
      message = { type: 2, data: __search.transform(message.data) };
    }
    return envoyer.apply(this, [message].concat([].slice.call(arguments, 1)));
  };
  // The search dialog of the theme has no accessible name.
  document.addEventListener("DOMContentLoaded", function () {
    var dialogue = document.querySelector(".md-search[role=dialog]");
    if (dialogue) { dialogue.setAttribute("aria-label", "Rechercher"); }
  });
  var dialogue = document.querySelector(".md-search[role=dialog]");
  if (dialogue) { dialogue.setAttribute("aria-label", "Rechercher"); }
})();
"""


# ------------------------------------------------------------------------------- building

class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(config: dict[str, Any], config_path: Path, dirty: bool = False) -> list[str]:
    """Build with MkDocs in-process; returns its warnings (strict mode fails on them).

    `dirty`: MkDocs' documented mode that rebuilds only pages whose output is older
    than their source (see sitecache.py for when the toolchain uses it)."""
    import os

    from mkdocs.commands.build import build

    from .base import build_epoch
    # Reproducible output: MkDocs dates the sitemap from SOURCE_DATE_EPOCH (the value
    # checked by build_epoch, never a raw one MkDocs could choke on).
    os.environ["SOURCE_DATE_EPOCH"] = str(build_epoch())
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    handler = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(handler)
    previous = log.level
    log.setLevel(logging.WARNING)
    try:
        cfg = load_config(str(config_path))
        # Plugins are told it is a normal build even when MkDocs skips unchanged
        # pages: Material's search plugin would otherwise keep this index for the
        # next build in the same process (sitecache.py merges the index itself).
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg, dirty=dirty)
        finally:
            cfg.plugins.on_shutdown()
    except (Abort, MkDocsException) as exc:
        handler.messages.append(str(exc))
    finally:
        log.removeHandler(handler)
        log.setLevel(previous)
    # Its warning that a dirty build is for development only: sitecache.py uses it
    # only when the navigation is unchanged, and checks every link afterwards.
    return [m for m in handler.messages if "'dirty' build" not in m]


def mkdocs_errors(messages: list[str], pages: list[SitePage], report: Report) -> None:
    by_doc = {p.doc: p.source for p in pages}
    for message in messages:
        if message.startswith("Aborted with") or "in strict mode" in message:
            continue
        doc = next((d for d in by_doc if d in message), None)
        source = by_doc.get(doc or "", "") or "mkdocs.yml"
        report.error(source, 0, f"le moteur du site signale : {message}")
