"""Images in content: size limits at check time, metadata stripped when published.

A photo taken with a phone carries EXIF data (GPS position, device, date) that
must never reach the public site or a PDF. Every published copy of an image is
re-encoded without metadata; oversized images and decompression bombs are
refused with the file and line of the content that uses them.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

MAX_PIXELS = 40_000_000      # 40 Mpx: larger than any photo the site needs
MAX_BYTES = 20 * 1024 * 1024
RASTER = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp"}


def problem(path: Path) -> str | None:
    """A French reason why this image cannot be published, or None."""
    if path.suffix.lower() not in RASTER:
        return None
    from PIL import Image
    if path.stat().st_size > MAX_BYTES:
        return (f"image trop lourde ({path.stat().st_size // 2**20} Mio) : réduisez-la sous "
                f"{MAX_BYTES // 2**20} Mio")
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with Image.open(path) as image:  # reads the header only: nothing is decoded
            width, height = image.size
    except Image.DecompressionBombError:
        return "image refusée : ses dimensions déclarées sont démesurées (bombe de décompression)"
    except Exception:
        return "image illisible : enregistrez-la en JPEG ou en PNG"
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    if width * height > MAX_PIXELS:
        return (f"image trop grande ({width} × {height} pixels) : réduisez-la sous "
                f"{MAX_PIXELS // 1_000_000} millions de pixels (par exemple 2000 × 1500)")
    return None


def published_copy(source: Path, cache: Path) -> Path:
    """A copy without metadata (EXIF, GPS, comments), cached by content hash."""
    if source.suffix.lower() not in RASTER:
        return source
    data = source.read_bytes()
    key = hashlib.sha256(data).hexdigest()[:32]
    target = cache / f"{key}{source.suffix.lower()}"
    if target.exists():
        return target
    from PIL import Image
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{key}.{os.getpid()}{source.suffix.lower()}"
    with Image.open(source) as image:
        image.load()
        clean = Image.new(image.mode, image.size)
        clean.putdata(list(image.getdata())) if image.mode == "P" else clean.paste(image)
        if image.mode == "P" and image.getpalette():
            clean.putpalette(image.getpalette())
        fmt = image.format or "PNG"
        options = {"quality": 90} if fmt == "JPEG" else {}
        clean.save(tmp, format=fmt, **options)
    os.replace(tmp, target)
    return target


def copy_published(source: Path, target: Path, cache: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(published_copy(source, cache), target)
