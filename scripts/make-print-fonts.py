"""Decompress the bundled WOFF2 fonts to TrueType for the PDFs.

WeasyPrint decodes a WOFF2 font (with fontTools, in Python) every time a document
loads it, which costs more than laying out a short session kit. The site keeps
the compact WOFF2 files; the print stylesheets use these .ttf copies.
Run: .venv/bin/python scripts/make-print-fonts.py
"""
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "templates" / "fonts"


def main() -> None:
    for woff2 in sorted(FONTS.rglob("*.woff2")):
        font = TTFont(str(woff2))
        font.flavor = None
        font.save(str(woff2.with_suffix(".ttf")), reorderTables=True)
        print(woff2.with_suffix(".ttf").relative_to(FONTS))


if __name__ == "__main__":
    main()
