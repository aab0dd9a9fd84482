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


_MARKDOWN: dict[tuple[str, str, str], str] = {}


def to_markdown(page: SitePage) -> str:
    """Front matter + `# title` + h2 headings as Markdown, the rest as raw HTML blocks.
    Remembered for the life of the process (the live preview writes every page after
    each save; only the edited ones are converted again)."""
    key = (page.title, json.dumps(page.meta, sort_keys=True, default=str), page.body)
    if key not in _MARKDOWN:
        if len(_MARKDOWN) > 4096:
            _MARKDOWN.clear()
        _MARKDOWN[key] = _to_markdown(page)
    return _MARKDOWN[key]


def _to_markdown(page: SitePage) -> str:
    # Tags are chips the toolchain renders in the body: in the front matter too, a site
    # engine that reads them (Zensical) would show them twice.
    meta = {"title": page.title, **{k: v for k, v in page.meta.items() if k != "tags"}}
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
        from .render import slugify
        from .sitelinks import Linker, safety_targets
        self.links = Linker(corpus.programme, safety_targets(corpus, slugify))
        templates.env.globals["liens_securite"] = self.links.safety

    def _updated(self, context: dict[str, Any]) -> str:
        """« Mis à jour le … »: the content's own date, else the date of the edition
        (SOURCE_DATE_EPOCH: reproducible)."""
        import datetime

        from .base import build_epoch
        from .views import date_fr
        item = next((v for v in context.values() if isinstance(v, m.Publication)), None)
        iso = getattr(item, "mise_a_jour", None)
        if not iso and isinstance(item, m.Chapitre) and self.corpus.livre:
            iso = self.corpus.livre.date
        if not iso:
            iso = datetime.datetime.fromtimestamp(build_epoch(), datetime.timezone.utc).date().isoformat()
        return (f'\n<p class="powao-mise-a-jour" data-search-exclude>Mis à jour le '
                f'<time datetime="{iso}">{date_fr(iso)}</time></p>\n')

    def _help_control(self, doc: str) -> str:
        """The « En cas de problème » control, first in every page, fixed on screen."""
        from .urls import AIDE_ANCHOR
        if ("index", "aide") not in self.urls.pages:
            return ""
        href = self.urls.linker(doc)(f"index/aide#{AIDE_ANCHOR}")
        icon = self.t.icon("lifebuoy", "powao-aide-icone")
        return (f'<p class="powao-aide-conteneur" data-search-exclude><a class="powao-aide" '
                f'href="{_html.escape(href)}">{icon}<span>En cas de problème</span></a></p>\n')

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
        safety_page = (kind, ident) in (("page", "cadre-de-securite"), ("index", "aide"))
        body = self.links.page(body, self.urls.linker(doc), here=safety_page)
        body = self._help_control(doc) + body + self._updated(context)
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
        if ("index", "aide") in self.urls.pages:
            out.append(self.page("index", "aide", "site/en-cas-de-probleme.html",
                                 "En cas de problème",
                                 {"description": "Qui alerter, que faire maintenant, les "
                                                 "numéros d'urgence."}))
        out.append(self.page("index", "ateliers", "site/ateliers.html", "Les ateliers",
                             {"description": "Tous les ateliers par axe."}))
        for axe in axes.values():
            ateliers = self._in_cycle_order(a for a in c.ateliers.values() if a.axe == axe.id)
            out.append(self.page("axe", axe.id, "site/axe.html", axe.titre,
                                 {"description": axe.description},
                                 axe=axe, ateliers=ateliers, seances=self._sessions()))
        common = _common_tags(c)
        for aid, atelier in c.ateliers.items():
            axe = axes.get(atelier.axe)
            # Tags: the axis and the workshop's tags from the programme's closed list;
            # a tag every workshop carries tells nothing and is left out.
            tags = [axe.titre if axe else atelier.axe]
            tags += [k for k in atelier.etiquettes if k not in tags and k not in common]
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
            page.body = f'<nav class="md-tags" aria-label="Étiquettes" data-search-exclude>{chips}</nav>\n' + page.body
        body = ["<p>Chaque atelier porte son axe et ses étiquettes. Choisissez une "
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

    def _sessions(self) -> dict[str, str]:
        """Workshop id -> « Séance 3 du cycle… » for the workshops of a cycle (first wins)."""
        found: dict[str, str] = {}
        for cycle in self.corpus.cycles.values():
            for number, seance in enumerate(cycle.seances, start=1):
                found.setdefault(seance.atelier, f"Séance {number}" + (
                    f" · {cycle.titre}" if len(self.corpus.cycles) > 1 else ""))
        return found

    def _in_cycle_order(self, ateliers) -> list[Any]:
        """Workshops in the order a group meets them (cycles in order), then the others
        by title."""
        rank: dict[str, tuple[int, int]] = {}
        for c_index, cycle in enumerate(self.corpus.cycles.values()):
            for number, seance in enumerate(cycle.seances):
                rank.setdefault(seance.atelier, (c_index, number))
        return sorted(ateliers, key=lambda a: (rank.get(a.id, (len(self.corpus.cycles), 0)),
                                               fold(a.titre)))

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
            # Internal pages (the authors' guide…) are the team's, not the mentors':
            # they go to « Espace équipe », which only the internal edition has.
            return [{typographier_texte(p.titre): u.doc("page", p.id)} for p in pages
                    if p.id != "index" and (
                        section == "equipe" if p.diffusion == "interne"
                        else PAGE_SECTIONS.get(p.id, "ressources") == section)]

        nav: list[Any] = [{"Accueil": "index.md"} if "index" in c.pages else {}]
        nav.append({"Le programme": group("programme")})
        # Every entry is titled, index pages too: MkDocs then never needs to read a
        # page to title it in other pages (see sitecache.py).
        t = typographier_texte
        axes_nav: list[Any] = [{t("Les ateliers"): u.doc("index", "ateliers")}]
        for axe in (c.programme.axes if c.programme else []):
            items = [{t(axe.titre): u.doc("axe", axe.id)}] + [
                {typographier_texte(a.titre): u.doc("atelier", a.id)}
                for a in self._in_cycle_order(c.ateliers.values()) if a.axe == axe.id]
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
        if ("index", "aide") in u.pages:
            nav.append({"En cas de problème": u.doc("index", "aide")})
        nav += group("securite")
        if c.livre:
            chapters = [{typographier_texte(c.chapitres[ch].titre): u.doc("chapitre", ch)}
                        for ch in c.livre.chapitres if ch in c.chapitres]
            nav.append({"Livre blanc": [{t("Le livre blanc"): u.doc("index", "livre-blanc")}, *chapters,
                                         {"Références": u.doc("index", "references")}]})
        nav.append({"Ressources": group("ressources") + [{"Étiquettes": "etiquettes.md"}]})
        if group("equipe"):
            nav.append({"Espace équipe": group("equipe")})
        return [n for n in nav if n]

    # -- writing ------------------------------------------------------------------------
    INDEX_JS = "assets/javascripts/recherche-index.js"

    def write_docs(self, docs: Path, index: bool = True) -> list[SitePage]:
        """The docs tree MkDocs builds; `index=False`: without the search index (the
        live preview writes it after the pages, see `search_index`)."""
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
        overrides = docs.parent / (docs.name + "-theme")
        shutil.rmtree(overrides, ignore_errors=True)
        shutil.copytree(root / "templates" / "site" / "theme", overrides)
        if index:
            (docs / self.INDEX_JS).parent.mkdir(parents=True, exist_ok=True)
            (docs / self.INDEX_JS).write_text(self.search_index(pages), encoding="utf-8")
        return pages

    def search_index(self, pages: list[SitePage]) -> str:
        """The site search's index, as the script the pages load."""
        from .recherche import build_index, index_script
        keywords = {self.urls.doc("atelier", aid): [*a.mots_cles, *a.etiquettes]
                    for aid, a in self.corpus.ateliers.items()}
        return index_script(build_index([p for p in pages if p.doc != self.TAGS_DOC],
                                        self.corpus.vocabulaire, keywords,
                                        self.search_boosts()))

    SAFETY_BOOST = 1.5

    def search_boosts(self) -> dict[str, float]:
        """The safety pages answer first when a question could land elsewhere too."""
        found = [key for key in (("page", "cadre-de-securite"), ("index", "aide"))
                 if key in self.urls.pages]
        return {self.urls.doc(*key): self.SAFETY_BOOST for key in found}

    def config(self, docs: Path, site_dir: Path) -> dict[str, Any]:
        config = yaml.safe_load((self.corpus.root / "mkdocs.yml").read_text(encoding="utf-8"))
        config.update({"docs_dir": str(docs), "site_dir": str(site_dir), "nav": self.nav()})
        # Theme overrides (the French 404 page), next to the docs tree.
        overrides = docs.parent / (docs.name + "-theme")
        if overrides.is_dir():
            import hashlib
            config.setdefault("theme", {})["custom_dir"] = str(overrides)
            digest = hashlib.sha256()
            for path in sorted(overrides.rglob("*")):  # the site cache sees their changes
                if path.is_file():
                    digest.update(path.name.encode() + path.read_bytes())
            config.setdefault("extra", {})["powao_theme"] = digest.hexdigest()[:16]
        # The content is already HTML (rendered with the full extension list of
        # mkdocs.yml); the generated tree only has headings and raw HTML blocks.
        config["markdown_extensions"] = [
            ext for ext in config.get("markdown_extensions", [])
            if (next(iter(ext)) if isinstance(ext, dict) else ext) in SITE_EXTENSIONS]
        return config


SITE_EXTENSIONS = ("toc", "attr_list")


def _common_tags(corpus: Corpus) -> set[str]:
    """Tags carried by every workshop (when there are several): they are not tags."""
    ateliers = list(corpus.ateliers.values())
    if len(ateliers) < 2:
        return set()
    return set.intersection(*(set(a.etiquettes) for a in ateliers))


def _escape_nav(nav: Any) -> Any:
    if isinstance(nav, list):
        return [_escape_nav(item) for item in nav]
    if isinstance(nav, dict):
        return {html_text(k): _escape_nav(v) for k, v in nav.items()}
    return nav


def m_modalite(value: str) -> str:
    from .views import MODALITES
    return MODALITES[value]


# ------------------------------------------------------------------------------- building

class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(config: dict[str, Any], config_path: Path, dirty: bool = False,
               compiled=None) -> list[str]:
    """Build with MkDocs in-process; returns its warnings (strict mode fails on them).

    `dirty`: MkDocs' documented mode that rebuilds only pages whose output is older
    than their source (see sitecache.py for when the toolchain uses it).
    `compiled`: a Jinja2 bytecode cache kept by a long-lived process (the live
    preview), so the theme's templates are not compiled again at each build."""
    import os

    from mkdocs.commands.build import build

    from .base import build_epoch
    # Reproducible output: MkDocs dates the sitemap from SOURCE_DATE_EPOCH (the value
    # checked by build_epoch, never a raw one MkDocs could choke on).
    os.environ["SOURCE_DATE_EPOCH"] = str(build_epoch())
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    settings = portable(config, config_path.parent)
    config_path.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")  # the whole config, as another engine reads it
    # MkDocs itself is given the settings as a dict (load_config's overrides) and a file
    # beside that one holding only the name it requires: its pure-Python YAML loader
    # took a tenth of a second per run, most of a preview's MkDocs step.
    settings = {k: v for k, v in settings.items() if v is not None}  # None: unset, alike
    short = config_path.with_name(f".{config_path.stem}-nom.yml")
    short.write_text(yaml.safe_dump({"site_name": settings["site_name"]}, allow_unicode=True),
                     encoding="utf-8")
    handler = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(handler)
    previous = log.level
    log.setLevel(logging.WARNING)
    try:
        cfg = load_config(str(short), **settings)
        if compiled is not None:
            if not dirty:  # a dirty build has the settings of the last full one
                compiled.listing.clear()
            theme_env = cfg.theme.get_env

            def get_env():
                env = theme_env()
                env.bytecode_cache = compiled
                listing, theme_list = compiled.listing, env.list_templates

                def list_templates(extensions=None, filter_func=None):
                    # MkDocs lists the theme's files once per build (thousands of icons)
                    key = repr((extensions, filter_func is None))
                    if key not in listing:
                        listing[key] = theme_list(extensions, filter_func)
                    return listing[key]
                env.list_templates = list_templates
                return env
            cfg.theme.get_env = get_env
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


def compiled_templates():
    """An in-memory Jinja2 bytecode cache (jinja2.BytecodeCache's documented API)
    for `run_mkdocs`."""
    import jinja2

    class Memory(jinja2.BytecodeCache):
        def __init__(self) -> None:
            self.codes: dict[str, bytes] = {}
            self.listing: dict[str, list[str]] = {}  # the theme's templates (see run_mkdocs)

        def load_bytecode(self, bucket) -> None:
            if bucket.key in self.codes:
                bucket.bytecode_from_string(self.codes[bucket.key])

        def dump_bytecode(self, bucket) -> None:
            self.codes[bucket.key] = bucket.bytecode_to_string()
    return Memory()


def portable(config: dict[str, Any], here: Path) -> dict[str, Any]:
    """The config as written to its file: folders next to it are relative (MkDocs reads
    them relative to the file; Zensical refuses an absolute docs_dir and would empty an
    absolute site_dir)."""
    import os
    out = dict(config)

    def rel(value: str) -> str:
        path = Path(value)
        if path.is_absolute() and path.resolve().is_relative_to(here.resolve()):
            return os.path.relpath(path.resolve(), here.resolve())
        return value
    for key in ("docs_dir", "site_dir"):
        if key in out:
            out[key] = rel(out[key])
    if isinstance(out.get("theme"), dict) and "custom_dir" in out["theme"]:
        out["theme"] = {**out["theme"], "custom_dir": rel(out["theme"]["custom_dir"])}
    return out


def mkdocs_errors(messages: list[str], pages: list[SitePage], report: Report) -> None:
    by_doc = {p.doc: p.source for p in pages}
    for message in messages:
        if message.startswith("Aborted with") or "in strict mode" in message:
            continue
        doc = next((d for d in by_doc if d in message), None)
        source = by_doc.get(doc or "", "") or "mkdocs.yml"
        report.error(source, 0, f"le moteur du site signale : {message}")
