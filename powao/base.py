"""Small helpers shared by every stage: build date, hashing, copying, the site address.

This module is the bottom of the package: it imports nothing from `powao` but
`errors` and `typography` (which imports nothing), so any stage may use it without
creating an import cycle.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import os
import re
import shutil
from pathlib import Path

from .errors import UsageError

DEFAULT_EPOCH = 1767225600  # 2026-01-01T00:00:00Z: builds never embed the wall clock
MAX_EPOCH = 253402300799     # 9999-12-31T23:59:59Z, the last date a PDF can carry


def build_epoch() -> int:
    """SOURCE_DATE_EPOCH if set (reproducible builds), else a fixed project epoch.

    An unusable value is an error in French, never a silent default nor a crash."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return DEFAULT_EPOCH
    if not value.isdigit() or not 0 < int(value) <= MAX_EPOCH:
        raise UsageError(
            f"SOURCE_DATE_EPOCH vaut « {value[:40]} » : écrivez un nombre entier de secondes "
            f"depuis le 1er janvier 1970, entre 1 et {MAX_EPOCH} (par exemple "
            f"SOURCE_DATE_EPOCH={DEFAULT_EPOCH} pour le 1er janvier 2026), ou retirez la "
            "variable")
    return int(value)


def draft_stamp(root: Path) -> str:
    """When and from what a draft was made: the real date and time (Paris) and the
    source version (git short hash, « + modifications » when the tree has uncommitted
    changes). Only drafts carry it: release builds stay reproducible."""
    import subprocess
    try:
        from zoneinfo import ZoneInfo
        now = _dt.datetime.now(ZoneInfo("Europe/Paris"))
    except Exception:  # no time-zone database: UTC, said so
        now = _dt.datetime.now(_dt.timezone.utc)
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")
    day = "1er" if now.day == 1 else str(now.day)
    from .typography import heure  # the one format of a time of day, also import-free
    when = f"{day} {months[now.month - 1]} {now.year} à {heure(now.hour * 60 + now.minute)}"
    version = "version inconnue (pas de dépôt git)"
    try:
        run = lambda *a: subprocess.run(["git", *a], cwd=root, capture_output=True,  # noqa: E731
                                        text=True, timeout=5)
        head = run("rev-parse", "--short", "HEAD")
        if head.returncode == 0 and head.stdout.strip():
            dirty = run("status", "--porcelain", "--untracked-files=no").stdout.strip()
            version = f"version {head.stdout.strip()}" + (" + modifications" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return f"{when}, {version}"


_TAG = re.compile(r"<[^>]+>")


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    return html.unescape(" ".join(_TAG.sub("", fragment).split())).strip()


def build_date() -> _dt.datetime:
    return _dt.datetime.fromtimestamp(build_epoch(), tz=_dt.timezone.utc)


def hash_files(paths, digest) -> None:
    """Feed each file's path and bytes to a hash (a missing file counts too)."""
    for path in paths:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes() if path.is_file() else b"<absent>")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_file(src, dst) -> None:
    """Copy `src` to `dst` as a new file (never a hard link: a published file edited
    by hand or by a sync tool must not change the cache, nor the reverse)."""
    shutil.copyfile(src, dst)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see the old content or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


_SITE_URLS: dict[str, str] = {}


def site_url(root: Path) -> str:
    """The public address of the site (mkdocs.yml `site_url`), ending with a slash.

    Remembered by the file's text: parsing it took 16 ms, and a fiche asks for it a
    dozen times."""
    import yaml
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    if text not in _SITE_URLS:
        config = yaml.safe_load(text) or {}
        _SITE_URLS[text] = str(config.get("site_url") or "").rstrip("/") + "/"
    return _SITE_URLS[text]


def renderer_versions() -> str:
    """WeasyPrint's and pydyf's versions, read from their installed metadata (importing
    WeasyPrint for its version took 0.6 s of every build, cached or not)."""
    from importlib.metadata import version
    return f"{version('weasyprint')}|{version('pydyf')}"


def code_fingerprint(root: Path) -> str:
    """The toolchain itself: code, templates, stylesheets, fonts, site configuration.

    Never memoised in memory (a live preview or a test process lives across edits of
    these files): each file's hash is reused only while its size and modification
    time (in nanoseconds) are unchanged, as git does for its index."""
    files = sorted((root / "powao").rglob("*.py")) + sorted(
        p for p in (root / "templates").rglob("*") if p.is_file()) + [root / "mkdocs.yml"]
    memo_path = root / ".cache" / "empreintes.json"
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    if not isinstance(memo, dict):
        memo = {}
    fresh: dict[str, list] = {}
    digest = hashlib.sha256(renderer_versions().encode())
    for path in files:
        key = path.as_posix()
        try:
            st = path.stat()
        except OSError:
            digest.update(f"{key}|<absent>".encode())
            continue
        stamp = [st.st_size, st.st_mtime_ns]
        known = memo.get(key)
        if isinstance(known, list) and len(known) == 3 and known[:2] == stamp:
            file_hash = known[2]
        else:
            file_hash = file_sha256(path)
        fresh[key] = stamp + [file_hash]
        digest.update(f"{key}|{file_hash}".encode())
    if fresh != memo:
        try:
            atomic_write(memo_path, json.dumps(fresh))
        except OSError:
            pass  # a read-only cache only costs speed
    return digest.hexdigest()
