"""Reusing the last site MkDocs built (`.cache/site/`), whole or in part.

The cache keeps one site: the last one whose every link was checked, with the
manifest of the docs tree it was built from (a hash of each file, and of each
page's front matter).

* Same settings and same docs tree: the site is reused as it is.
* Same settings, same files, and only page *bodies* changed (titles, tags and
  descriptions unchanged, so the navigation and the tag index are unchanged):
  MkDocs rebuilds only those pages (its documented ``dirty`` mode), on a copy of
  the previous site, and the search index is updated in place, page by page.
  The result is byte-identical to a full build (tested), only faster.
* Anything else: a full MkDocs build.

No MkDocs hook or plugin is involved: MkDocs still runs on a plain docs tree.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import yaml

from .base import copy_file

CHECKED = ".verifie"
MANIFEST = ".manifeste.json"
# Outputs a dirty MkDocs build writes every time (theme templates, search index).
ALWAYS_WRITTEN = ("404.html", "sitemap.xml", "sitemap.xml.gz", "search/search_index.json",
                  "search/search_index.js")
OLD = 1_000_000  # modification time given to unchanged docs files (1970)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(docs: Path) -> dict[str, list[str]]:
    """Each docs file: [hash of the file, hash of its front matter (pages only)]."""
    files: dict[str, list[str]] = {}
    for path in sorted(docs.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        head = b""
        if path.suffix == ".md" and data.startswith(b"---\n"):
            end = data.find(b"\n---\n", 4)
            head = data[:end] if end > 0 else data
        files[path.relative_to(docs).as_posix()] = [_sha(data), _sha(head)]
    return files


def output_of(doc: str) -> str:
    """The site file MkDocs writes for a docs file (directory URLs are off)."""
    return doc[:-3] + ".html" if doc.endswith(".md") else doc


def settings_of(config: dict[str, Any]) -> str:
    import markdown
    import material
    import mkdocs
    stable = {k: v for k, v in config.items() if k not in ("docs_dir", "site_dir")}
    if isinstance(stable.get("theme"), dict):  # the overrides' folder moves with the stage;
        stable["theme"] = {k: v for k, v in stable["theme"].items()  # their content is hashed
                           if k != "custom_dir"}                    # in extra.powao_theme
    return _sha((yaml.safe_dump(stable, allow_unicode=True, sort_keys=True)
                 + f"{mkdocs.__version__}|{material.__version__}|{markdown.__version__}"
                 ).encode())


def changed_bodies(previous: dict, settings: str, files: dict[str, list[str]]) -> list[str] | None:
    """The docs files to rebuild if only page bodies (or static files) changed since
    the previous site; None when a full build is needed."""
    if previous.get("reglages") != settings or set(previous.get("fichiers", {})) != set(files):
        return None
    changed = []
    for doc, (content, head) in files.items():
        before = previous["fichiers"][doc]
        if before[0] == content:
            continue
        if before[1] != head:  # a title, tags or description: other pages show them
            return None
        changed.append(doc)
    return changed


def build_cached(config: dict[str, Any], config_path: Path, cache: Path,
                 run_mkdocs) -> tuple[list[str], int | None]:
    """Build the site of `config` into its site_dir, reusing the cache when possible.

    Returns (MkDocs warnings, pages rebuilt): 0 when the site was reused as it is,
    None after a full build."""
    docs, site_dir = Path(config["docs_dir"]), Path(config["site_dir"])
    settings, files = settings_of(config), manifest(docs)
    key = _sha((settings + json.dumps(files, sort_keys=True)).encode())
    config_path.with_suffix(".cle").write_text(key)
    config_path.with_suffix(".manifeste").write_text(
        json.dumps({"reglages": settings, "fichiers": files}), encoding="utf-8")
    entry = cache / key
    if (entry / CHECKED).is_file() and intact(entry):
        _copy_site(entry, site_dir)
        return [], 0
    previous = _previous(cache)
    if previous is not None and (previous / "search" / "search_index.json").is_file():
        changed = changed_bodies(json.loads((previous / MANIFEST).read_text("utf-8")),
                                 settings, files)
        if changed:
            messages = _partial(config, config_path, previous, changed, run_mkdocs)
            return messages, sum(doc.endswith(".md") for doc in changed)
    return run_mkdocs(config, config_path), None


def _previous(cache: Path) -> Path | None:
    if not cache.is_dir():
        return None
    for entry in cache.iterdir():
        if (entry / CHECKED).is_file() and (entry / MANIFEST).is_file() and intact(entry):
            return entry
    return None


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _sha(p.read_bytes())
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in (CHECKED, MANIFEST)}


def intact(entry: Path) -> bool:
    """The cached site is exactly the one that was checked (a file edited, truncated or
    removed by hand makes it unusable: it is deleted and the site built again)."""
    try:
        expected = json.loads((entry / CHECKED).read_text(encoding="utf-8"))
        ok = isinstance(expected, dict) and expected == _hashes(entry)
    except (OSError, ValueError):
        ok = False
    if not ok:
        shutil.rmtree(entry, ignore_errors=True)
    return ok


def _copy_site(entry: Path, site_dir: Path) -> None:
    shutil.copytree(entry, site_dir, ignore=shutil.ignore_patterns(CHECKED, MANIFEST),
                    copy_function=copy_file)


def _partial(config: dict[str, Any], config_path: Path, previous: Path, changed: list[str],
             run_mkdocs) -> list[str]:
    docs, site_dir = Path(config["docs_dir"]), Path(config["site_dir"])
    _copy_site(previous, site_dir)
    # Files MkDocs will write are removed first (it rewrites only what is missing or
    # older than its source, see below).
    for rel in [*ALWAYS_WRITTEN, *(output_of(doc) for doc in changed)]:
        (site_dir / rel).unlink(missing_ok=True)
    # MkDocs' dirty mode rebuilds a page when its output is older than its source.
    now = time.time()
    for path in site_dir.rglob("*"):
        if path.is_file():
            os.utime(path, (now, now))
    stale = set(changed)
    for path in docs.rglob("*"):
        if path.is_file() and path.relative_to(docs).as_posix() not in stale:
            os.utime(path, (OLD, OLD))
    messages = run_mkdocs(config, config_path, dirty=True)
    _merge_search_index(previous, site_dir, {output_of(doc) for doc in changed})
    return messages


def _merge_search_index(previous: Path, site_dir: Path, rebuilt: set[str]) -> None:
    """Put the rebuilt pages' search entries in place of their previous ones, in the
    same order as a full build (pages in build order, each page's sections together)."""
    index = site_dir / "search" / "search_index.json"
    if not index.is_file():
        return
    fresh = json.loads(index.read_text(encoding="utf-8"))
    old = json.loads((previous / "search" / "search_index.json").read_text(encoding="utf-8"))
    by_page: dict[str, list] = {}
    for entry in fresh["docs"]:
        by_page.setdefault(entry["location"].split("#")[0], []).append(entry)
    merged, placed = [], set()
    for entry in old["docs"]:
        page = entry["location"].split("#")[0]
        if page not in rebuilt:
            merged.append(entry)
        elif page not in placed:
            merged += by_page.get(page, [])
            placed.add(page)
    for page, entries in by_page.items():  # a page that had no entry before
        if page not in placed:
            merged += entries
    # Serialised exactly as Material's search plugin and offline plugin do.
    data = json.dumps({"config": fresh["config"], "docs": merged}, separators=(",", ":"),
                      default=str)
    index.write_text(data, encoding="utf-8")
    script = index.with_name("search_index.js")
    if script.is_file():
        script.write_text(f"var __index = {data}", encoding="utf-8")


def mark_checked(site_dir: Path, config_path: Path, cache: Path) -> None:
    """Remember a site whose every link was checked, with its docs manifest."""
    key = config_path.with_suffix(".cle").read_text()
    if (cache / key / CHECKED).is_file():
        return
    if cache.is_dir():
        shutil.rmtree(cache, ignore_errors=True)  # keep only the latest site
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{key}.tmp"
    shutil.copytree(site_dir, tmp, ignore=shutil.ignore_patterns("pdf"),
                    copy_function=copy_file)
    shutil.copyfile(config_path.with_suffix(".manifeste"), tmp / MANIFEST)
    (tmp / CHECKED).write_text(json.dumps(_hashes(tmp)), encoding="utf-8")  # links checked
    tmp.rename(cache / key)
