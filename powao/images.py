"""Files that content links to or shows: identified by their bytes, published clean.

A photo taken with a phone carries EXIF data (GPS position, device, date) that
must never reach the public site or a PDF, whatever its extension says (a JPEG
saved as « .jfif » is still a JPEG). So every file is identified by its bytes:

* raster images (JPEG, PNG, GIF, WebP, TIFF, BMP) are re-encoded without metadata;
  oversized images and decompression bombs are refused;
* SVG drawings are rewritten to a safe subset (no script, no event handler, no
  external reference, no animation, no embedded HTML);
* PDF and office documents are copied as they are;
* anything else (HTML, JavaScript, executables…) is refused, with the file and line
  of the content that uses it.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

MAX_PIXELS = 40_000_000      # 40 Mpx: larger than any photo the site needs
MAX_BYTES = 20 * 1024 * 1024
MAX_SVG_BYTES = 2 * 1024 * 1024
RASTER_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "MPO"}
# Formats kept as they are when re-encoded; others become PNG.
KEEP_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WEBP"}
OFFICE = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"}
ACCEPTED = ("images JPEG, PNG, GIF, WebP ou SVG, documents PDF, Word, Excel, PowerPoint "
            "ou OpenDocument")


def kind_of(path: Path) -> str:
    """What the bytes are: raster | svg | pdf | office | unknown."""
    with open(path, "rb") as handle:
        head = handle.read(2048)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") and path.suffix.lower() in OFFICE:
        return "office"
    if _looks_like_svg(head):
        return "svg"
    from PIL import Image
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with Image.open(path) as image:  # reads the header only: nothing is decoded
            return "raster" if image.format in RASTER_FORMATS else "unknown"
    except Exception:
        return "unknown"
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text.startswith(b"<"):
        return False
    return re.search(rb"<svg[\s>]", text) is not None


def problem(path: Path, image: bool = True) -> str | None:
    """A French reason why this file cannot be published, or None.

    `image`: the file is shown as an image (not only linked to)."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        return (f"fichier trop lourd ({size // 2**20} Mio) : réduisez-le sous "
                f"{MAX_BYTES // 2**20} Mio")
    kind = kind_of(path)
    if kind == "unknown":
        return (f"format de fichier non reconnu (d'après son contenu, pas son extension) : "
                f"seuls sont publiés les {ACCEPTED}")
    if image and kind in ("pdf", "office"):
        return "ce fichier n'est pas une image : enregistrez l'image en JPEG, PNG ou SVG"
    if kind == "svg":
        if size > MAX_SVG_BYTES:
            return f"dessin SVG trop lourd : réduisez-le sous {MAX_SVG_BYTES // 2**20} Mio"
        try:
            clean_svg(path.read_bytes())
        except SvgError as exc:
            return f"dessin SVG refusé : {exc}"
        return None
    if kind != "raster":
        return None
    from PIL import Image
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with Image.open(path) as opened:
            width, height = opened.size
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
    """The version of a file that may be published, cached by content hash: raster
    images re-encoded without metadata (EXIF, GPS, comments), SVG rewritten to a safe
    subset, PDF and office documents as they are."""
    data = source.read_bytes()
    key = hashlib.sha256(data).hexdigest()[:32]
    kind = kind_of(source)
    if kind in ("pdf", "office"):
        return source
    if kind not in ("raster", "svg"):
        from .errors import BuildError
        raise BuildError(f"{source.name} : format de fichier non reconnu ; seuls sont publiés "
                         f"les {ACCEPTED}")
    suffix = source.suffix.lower() or (".svg" if kind == "svg" else ".png")
    target = cache / f"{key}{suffix}"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{key}.{os.getpid()}{suffix}"
    if kind == "svg":
        tmp.write_bytes(clean_svg(data))
    else:
        _reencode(source, tmp)
    os.replace(tmp, target)
    return target


def _reencode(source: Path, target: Path) -> None:
    from PIL import Image
    with Image.open(source) as image:
        image.load()
        clean = Image.new(image.mode, image.size)
        clean.putdata(list(image.getdata())) if image.mode == "P" else clean.paste(image)
        if image.mode == "P" and image.getpalette():
            clean.putpalette(image.getpalette())
        fmt = KEEP_FORMAT.get(image.format or "", "PNG")
        if fmt == "JPEG" and clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
        options = {"quality": 90} if fmt == "JPEG" else {}
        clean.save(target, format=fmt, **options)


def copy_published(source: Path, target: Path, cache: Path) -> None:
    from .base import copy_file
    target.parent.mkdir(parents=True, exist_ok=True)
    copy_file(published_copy(source, cache), target)


# ------------------------------------------------------------------------- SVG subset
class SvgError(ValueError):
    pass


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = {
    "svg", "g", "defs", "symbol", "use", "title", "desc", "metadata", "path", "rect", "circle",
    "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath", "linearGradient",
    "radialGradient", "stop", "clipPath", "mask", "pattern", "marker", "filter",
    "feGaussianBlur", "feOffset", "feBlend", "feColorMatrix", "feFlood", "feComposite",
    "feMerge", "feMergeNode", "feMorphology", "feDropShadow",
}
SVG_ATTRIBUTES = {
    "id", "class", "lang", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx",
    "cy", "r", "rx", "ry", "d", "points", "fill", "fill-opacity", "fill-rule", "stroke",
    "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
    "stroke-dashoffset", "stroke-miterlimit", "opacity", "transform", "font-family",
    "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline",
    "letter-spacing", "offset", "stop-color", "stop-opacity", "gradientUnits",
    "gradientTransform", "spreadMethod", "fx", "fy", "clip-path", "clipPathUnits", "mask",
    "maskUnits", "patternUnits", "patternTransform", "preserveAspectRatio", "markerWidth",
    "markerHeight", "refX", "refY", "orient", "marker-start", "marker-mid", "marker-end",
    "role", "aria-label", "aria-hidden", "focusable", "version", "dx", "dy", "rotate",
    "textLength", "lengthAdjust", "startOffset", "visibility", "display", "color", "filter",
    "stdDeviation", "in", "in2", "result", "mode", "values", "type", "operator", "k1", "k2",
    "k3", "k4", "flood-color", "flood-opacity", "radius", "style", "xml:space", "href",
    "vector-effect", "paint-order", "shape-rendering", "text-rendering", "baseline-shift",
}
LOCAL_REF = re.compile(r"^#[A-Za-z_][\w.\-]*$")
URL_VALUE = re.compile(r"url\s*\(\s*['\"]?\s*([^)'\"\s]*)", re.I)
DANGEROUS_VALUE = re.compile(r"javascript|vbscript|expression\s*\(|@import|behavior\s*:|"
                             r"-moz-binding", re.I)


def clean_svg(data: bytes) -> bytes:
    """The same drawing, with only shapes, text and styling that cannot run or fetch."""
    import xml.etree.ElementTree as ET

    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
        raise SvgError("déclarations DOCTYPE ou ENTITY interdites : enregistrez le dessin sans "
                       "elles (« Enregistrer en SVG simple » dans votre logiciel)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SvgError(f"fichier SVG mal formé ({exc})") from None
    if _local(root.tag) != "svg":
        raise SvgError("l'élément racine n'est pas <svg>")
    _clean_element(root)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                     xml_declaration=False)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean_element(element) -> None:
    for child in list(element):
        if _local(child.tag) not in SVG_ELEMENTS or (
                isinstance(child.tag, str) and child.tag.startswith("{")
                and not child.tag.startswith("{" + SVG_NS)):
            element.remove(child)  # script, foreignObject, a, image, style, animate, set…
            continue
        _clean_element(child)
    for name in list(element.attrib):
        value = element.attrib[name]
        local = _local(name)
        namespaced = name.startswith("{")
        if namespaced and not name.startswith("{" + XLINK_NS) and \
                not name.startswith("{http://www.w3.org/XML/1998/namespace}"):
            del element.attrib[name]
            continue
        if local.lower().startswith("on") or local not in SVG_ATTRIBUTES and local != "space":
            del element.attrib[name]
            continue
        if local == "href" and not LOCAL_REF.match(value.strip()):
            del element.attrib[name]
            continue
        if DANGEROUS_VALUE.search(value) or any(
                not LOCAL_REF.match(url) for url in URL_VALUE.findall(value) if url):
            del element.attrib[name]
