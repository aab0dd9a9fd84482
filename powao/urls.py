"""Where every piece of content lives on the site and in the PDF folder.

One table used by the site pages, the navigation, the link resolver, the QR
codes and the download buttons, so that a URL is computed in one place.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from .loader import Corpus

PAGE_SECTIONS = {"programme": "programme", "devenir-mentor": "programme",
                 "partenaires": "programme", "cadre-de-securite": "securite",
                 "glossaire": "ressources", "guide-auteurs": "ressources"}


AIDE_DOC = "en-cas-de-probleme.md"  # the « En cas de problème » page
AIDE_ANCHOR = "la-chaine-d-alerte"  # where the always-visible help control lands


@dataclass
class Urls:
    corpus: Corpus
    pages: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) -> docs path
    by_source: dict[str, tuple[str, str]] = field(default_factory=dict)

    # Output paths the toolchain generates itself (no content file may take them).
    GENERATED = {"ateliers/index.md": "la page générée « Les ateliers »",
                 "cycles/index.md": "la page générée « Les cycles »",
                 "formation/index.md": "la page générée « La formation des mentors »",
                 "livre-blanc/index.md": "la page générée « Le livre blanc »",
                 "livre-blanc/references.md": "la page générée « Références »",
                 "etiquettes.md": "la page générée « Étiquettes »",
                 "404.md": "la page d'erreur du site", "search.md": "la recherche du site",
                 "assets.md": "les fichiers du thème"}

    def __post_init__(self) -> None:
        self.owners: dict[str, str] = {}
        self.collisions: list[tuple[str, str, str]] = []  # path, first owner, second owner
        for path, owner in self.GENERATED.items():
            self.owners[path] = owner
        self._generated()
        c = self.corpus
        for pid, page in c.pages.items():
            self._add("page", pid, "index.md" if pid == "index" else f"{pid}.md", page)
        for aid, atelier in c.ateliers.items():
            self._add("atelier", aid, f"ateliers/{atelier.axe}/{aid}.md", atelier)
        for cid, cycle in c.cycles.items():
            self._add("cycle", cid, f"cycles/{cid}.md", cycle)
        placed: set[str] = set()
        for pid, parcours in c.parcours.items():
            self._add("parcours", pid, f"formation/{pid}/index.md", parcours)
            for mid in parcours.modules:
                if mid in c.modules and mid not in placed:
                    self._add("module", mid, f"formation/{pid}/{mid}.md", c.modules[mid])
                    placed.add(mid)
        for mid, module in c.modules.items():
            if mid not in placed:
                self._add("module", mid, f"formation/modules/{mid}.md", module)
        for chid, chap in c.chapitres.items():
            self._add("chapitre", chid, f"livre-blanc/{chid}.md", chap)
        kits: dict[str, str] = {}
        for kind, items in (("cycle", c.cycles), ("parcours", c.parcours)):
            for ident, item in items.items():
                owner = f"{item.src.rel if item.src else ident}"
                if ident in kits:
                    self.collisions.append((self.kit(ident), kits[ident], owner))
                kits.setdefault(ident, owner)

    def _generated(self) -> None:
        c = self.corpus
        for axe in (c.programme.axes if c.programme else []):
            path = f"ateliers/{axe.id}/index.md"
            self.pages[("axe", axe.id)] = path
            self.owners[path] = f"la page générée de l'axe « {axe.id} »"
        self.pages[("index", "ateliers")] = "ateliers/index.md"
        self.pages[("index", "cycles")] = "cycles/index.md"
        self.pages[("index", "formation")] = "formation/index.md"
        self.pages[("index", "livre-blanc")] = "livre-blanc/index.md"
        self.pages[("index", "references")] = "livre-blanc/references.md"
        self.pages[("index", "etiquettes")] = "etiquettes.md"
        if c.programme and (c.programme.chaine_alerte or c.programme.contacts_publics):
            self.pages[("index", "aide")] = AIDE_DOC

    def _add(self, kind: str, ident: str, path: str, obj) -> None:
        owner = obj.src.rel if obj.src is not None else f"{kind} « {ident} »"
        first = self.owners.get(path) or self.owners.get(path.lower())
        if first is not None:
            self.collisions.append((path, first, owner))
            return  # the first owner keeps the path; the collision is an error anyway
        self.owners[path] = owner
        self.pages[(kind, ident)] = path
        if obj.src is not None:
            self.by_source[obj.src.rel] = (kind, ident)

    # -- paths ------------------------------------------------------------------------
    def doc(self, kind: str, ident: str) -> str:
        try:
            return self.pages[(kind, ident)]
        except KeyError:
            from .errors import BuildError
            raise BuildError(f"lien interne vers {kind} « {ident} » : cette page n'existe pas "
                             "(ou n'est pas publiée)") from None

    def html(self, kind: str, ident: str) -> str:
        return self.doc(kind, ident)[:-3] + ".html"

    @staticmethod
    def fiche(ident: str) -> str:
        return f"pdf/fiches/{ident}.pdf"

    @staticmethod
    def kit(ident: str) -> str:
        return f"pdf/kits/{ident}.pdf"

    @staticmethod
    def documents(ident: str) -> str:
        return f"pdf/documents/{ident}.pdf"

    LIVRE = "pdf/livre-blanc.pdf"
    LIVRE_IMPRESSION = "pdf/livre-blanc-impression.pdf"
    EPUB = "pdf/livre-blanc.epub"

    def absolute(self, site_url: str, kind: str, ident: str) -> str:
        return site_url.rstrip("/") + "/" + self.html(kind, ident)

    # -- resolver for powao: links -------------------------------------------------------
    def target(self, url: str) -> tuple[str, str]:
        """`powao:` URL → (site path, anchor); asset paths are prefixed assets/contenu/."""
        kind, _, rest = url.partition("/")
        rest, _, anchor = rest.partition("#")
        if kind == "glossaire":
            return self.html("page", "glossaire"), f"terme-{rest}"
        if kind == "ref":
            return self.html("index", "references"), f"ref-{rest}"
        if kind == "asset":
            return f"assets/contenu/{rest}", anchor
        if kind == "fichier":
            found = self.by_source.get(rest)
            if found is None:
                return f"assets/contenu/{rest}", anchor
            return self.html(*found), anchor
        if kind == "pdf":
            return rest, anchor
        return self.html(kind, rest), anchor

    def linker(self, current_doc: str):
        """A resolver giving links relative to the page `current_doc` (docs path)."""
        base = posixpath.dirname(current_doc)

        def link(url: str) -> str:
            path, anchor = self.target(url)
            rel = posixpath.relpath(path, base or ".")
            return rel + (f"#{anchor}" if anchor else "")
        return link
