"""Build the tiny « Powao Espaces » font: one empty glyph for U+202F.

Neither bundled face (Atkinson Hyperlegible Next, Source Serif 4) has the narrow
no-break space that French typography puts in « 1 500 » and before « ; ! ? ».
Rather than modify those OFL fonts (their names are reserved), the stylesheets
list this font second: browsers and WeasyPrint take U+202F from it.
Run: .venv/bin/python scripts/make-space-font.py
"""
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

UNITS = 1000
WIDTH = 180  # 0.18 em, between a thin space and a four-per-em space


def empty_glyph():
    return TTGlyphPen(None).glyph()


def build(target: Path) -> None:
    fb = FontBuilder(UNITS, isTTF=True)
    fb.setupGlyphOrder([".notdef", "uni202F"])
    fb.setupCharacterMap({0x202F: "uni202F"})
    fb.setupGlyf({".notdef": empty_glyph(), "uni202F": empty_glyph()})
    fb.setupHorizontalMetrics({".notdef": (500, 0), "uni202F": (WIDTH, 0)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Powao Espaces", "styleName": "Regular",
                       "uniqueFontIdentifier": "Powao Espaces 1.0",
                       "fullName": "Powao Espaces", "psName": "PowaoEspaces-Regular",
                       "version": "Version 1.000",
                       "licenseDescription": "SIL Open Font License 1.1"})
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    fb.setupHead(unitsPerEm=UNITS, created=0, modified=0)
    fb.font.flavor = "woff2"
    fb.save(str(target))


if __name__ == "__main__":
    build(Path(__file__).resolve().parent.parent / "templates" / "fonts" / "powao-espaces"
          / "powao-espaces.woff2")
