"""Check every internal link and anchor of a built site, and that no page asks a
third-party host for anything."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Report

TAG = re.compile(r'<(a|link|script|img|source|iframe|video|audio)\b[^>]*>', re.I)
URL_ATTR = re.compile(r'\s(href|src)="([^"]*)"', re.I)
NOT_FETCHED = re.compile(r'\srel="(canonical|alternate)"', re.I)
ID = re.compile(r'\sid="([^"]+)"')
SKIP = ("mailto:", "tel:", "data:", "javascript:", "blob:")


def check_site(site: Path, sources: dict[str, str], report: Report) -> None:
    """`sources` maps a page's site path (x/y.html) to the project file it comes from."""
    html_files = sorted(site.rglob("*.html"))
    ids: dict[str, set[str]] = {}

    def ids_of(rel: str) -> set[str]:
        if rel not in ids:
            path = site / rel
            text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
            ids[rel] = set(ID.findall(text))
        return ids[rel]

    for path in html_files:
        rel = path.relative_to(site).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        origin = sources.get(rel, "")
        where = origin or f"site/{rel}"
        for mt in TAG.finditer(text):
            tag, whole = mt.group(1).lower(), mt.group(0)
            found = URL_ATTR.search(whole)
            if not found:
                continue
            url = found.group(2)
            if tag == "link" and NOT_FETCHED.search(whole):
                continue
            if not url or url.startswith(SKIP):
                continue
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith("//"):
                if tag != "a":
                    report.error(where, 0, f"la page {rel} charge une ressource externe "
                                 f"« {url} » : le site ne doit dépendre d'aucun autre serveur")
                continue
            if parts.scheme:
                continue
            if parts.path.startswith("/"):  # 404.html links from the site root
                target = posixpath.normpath(unquote(parts.path).lstrip("/") or "index.html")
            else:
                target = rel if not parts.path else posixpath.normpath(
                    posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
            if target.startswith("../") or not (site / target).exists():
                report.error(where, 0, f"lien cassé dans la page {rel} : « {url} » ne mène à "
                             "aucun fichier du site")
                continue
            if parts.fragment and target.endswith(".html") and \
                    unquote(parts.fragment) not in ids_of(target):
                report.error(where, 0, f"lien cassé dans la page {rel} : l'ancre "
                             f"« #{parts.fragment} » n'existe pas dans {target}")
