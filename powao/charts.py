"""Vector charts (SVG) generated from the figure data files at build time.

The SVG uses the book's faces by name (the site and the PDF both load them),
carries a <title> and <desc> for screen readers, and is deterministic.
"""
from __future__ import annotations

import math
from html import escape

from . import model as m

WIDTH, HEIGHT = 640, 330
FONT = "'Atkinson Hyperlegible Next', 'Powao Espaces', 'DejaVu Sans', sans-serif"
INK = "#1f2937"
GRID = "#d6d3cd"
PALETTE = ["#0e4d64", "#1d4ed8", "#047857", "#b45309", "#6d28d9", "#be185d", "#4b5563"]
# Categories of one chart (the donut's parts) must stay apart when printed in black and
# white: five colours whose grey levels (luma, 0.299 R + 0.587 G + 0.114 B on 0–255)
# are 46, 93, 134, 181 and 228 — at least GREY_STEP apart. From the sixth category
# on, the colours repeat under white hatching.
CATEGORIES = ["#0b3a4c", "#1d6fa5", "#3aa89a", "#e8b04a", "#f3e3c3"]
GREY_STEP = 40
NNBSP = "\u202f"


def _num(value: float) -> str:
    if float(value).is_integer():
        number = int(value)
        return f"{number:,}".replace(",", NNBSP) if number >= 1000 else str(number)
    return f"{value:.1f}".replace(".", ",")


def label(v: m.Valeur, fig: m.Figure, seuil: int) -> str:
    if v.masque:
        return f"<{NNBSP}{seuil}"
    unit = fig.unite.strip()
    if unit == "%":
        return f"{_num(v.valeur)}{NNBSP}%"
    return _num(v.valeur)


def _text(x: float, y: float, content: str, size: int = 13, anchor: str = "middle",
          weight: str = "normal", fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{escape(content)}</text>')


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def _scale_max(values: list[float]) -> float:
    top = max(values + [1])
    magnitude = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _bars(fig: m.Figure, seuil: int) -> list[str]:
    out = []
    left, right, top, bottom = 56, 16, 24, 64
    plot_w, plot_h = WIDTH - left - right, HEIGHT - top - bottom
    values = [0.0 if v.masque else float(v.valeur) for v in fig.valeurs]
    vmax = _scale_max(values)
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(_text(left - 8, y + 4, _num(vmax * i / 4), 11, "end"))
    slot = plot_w / len(values)
    bar_w = min(72, slot * 0.6)
    for i, (v, value) in enumerate(zip(fig.valeurs, values)):
        x = left + slot * i + (slot - bar_w) / 2
        h = plot_h * value / vmax
        y = top + plot_h - h
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                   f'fill="{PALETTE[0]}"/>')
        out.append(_text(x + bar_w / 2, y - 6, label(v, fig, seuil), 13, weight="bold"))
        for j, line in enumerate(_wrap(v.libelle, max(8, int(slot / 7.5)))[:3]):
            out.append(_text(x + bar_w / 2, top + plot_h + 18 + 15 * j, line, 12))
    out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{top + plot_h}" '
               f'y2="{top + plot_h}" stroke="{INK}" stroke-width="1.2"/>')
    return out


def _hbars(fig: m.Figure, seuil: int) -> list[str]:
    out = []
    left, right, top = 210, 60, 12
    plot_w = WIDTH - left - right
    values = [0.0 if v.masque else float(v.valeur) for v in fig.valeurs]
    vmax = 100.0 if fig.unite.strip() == "%" else _scale_max(values)
    row = (HEIGHT - top - 12) / len(values)
    bar_h = min(30, row * 0.6)
    for i, (v, value) in enumerate(zip(fig.valeurs, values)):
        y = top + row * i + (row - bar_h) / 2
        w = plot_w * value / vmax
        out.append(f'<rect x="{left}" y="{y:.1f}" width="{plot_w:.1f}" height="{bar_h:.1f}" '
                   f'fill="#f1ede6"/>')
        out.append(f'<rect x="{left}" y="{y:.1f}" width="{w:.1f}" height="{bar_h:.1f}" '
                   f'fill="{PALETTE[0]}"/>')
        lines = _wrap(v.libelle, 28)[:2]
        for j, line in enumerate(lines):
            out.append(_text(left - 10, y + bar_h / 2 + 5 - 8 * (len(lines) - 1) + 16 * j,
                             line, 12, "end"))
        out.append(_text(left + w + 8, y + bar_h / 2 + 5, label(v, fig, seuil), 13, "start",
                         "bold"))
    return out


def _line(fig: m.Figure, seuil: int) -> list[str]:
    out = []
    left, right, top, bottom = 56, 24, 40, 48
    plot_w, plot_h = WIDTH - left - right, HEIGHT - top - bottom
    values = [float(v.valeur) for v in fig.valeurs]
    vmax = 100.0 if fig.unite.strip() == "%" else _scale_max(values)
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(_text(left - 8, y + 4, _num(vmax * i / 4), 11, "end"))
    # Points sit in the middle of their slot, away from the axis labels.
    step = plot_w / max(1, len(values))
    points = [(left + step * (i + 0.5), top + plot_h - plot_h * v / vmax)
              for i, v in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    out.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="3"/>')
    for (x, y), v in zip(points, fig.valeurs):
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{PALETTE[0]}"/>')
        out.append(_text(x, y - 12, label(v, fig, seuil), 13, weight="bold"))
        out.append(_text(x, top + plot_h + 20, v.libelle, 12))
    return out


def grey(colour: str) -> float:
    """Grey level (0–255) a colour prints at in black and white."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def _category(i: int, ident: str) -> tuple[str, str]:
    """Fill of the i-th category, and an overlay (hatching) once the colours repeat."""
    colour = CATEGORIES[i % len(CATEGORIES)]
    overlay = f"url(#{ident}-hachures)" if i >= len(CATEGORIES) else ""
    return colour, overlay


def _donut(fig: m.Figure, seuil: int, ident: str = "figure") -> list[str]:
    out = []
    if len(fig.valeurs) > len(CATEGORIES):
        out.append(f'<defs><pattern id="{ident}-hachures" width="8" height="8" '
                   'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                   '<rect width="3" height="8" fill="#ffffff"/></pattern></defs>')
    cx, cy, r_out, r_in = 170, HEIGHT / 2, 130, 72
    total = sum(float(v.valeur) for v in fig.valeurs) or 1
    angle = -math.pi / 2
    for i, v in enumerate(fig.valeurs):
        share = float(v.valeur) / total
        end = angle + 2 * math.pi * share
        large = 1 if share > 0.5 else 0
        p = [(cx + r_out * math.cos(angle), cy + r_out * math.sin(angle)),
             (cx + r_out * math.cos(end), cy + r_out * math.sin(end)),
             (cx + r_in * math.cos(end), cy + r_in * math.sin(end)),
             (cx + r_in * math.cos(angle), cy + r_in * math.sin(angle))]
        d = (f"M{p[0][0]:.2f},{p[0][1]:.2f} A{r_out},{r_out} 0 {large} 1 {p[1][0]:.2f},{p[1][1]:.2f} "
             f"L{p[2][0]:.2f},{p[2][1]:.2f} A{r_in},{r_in} 0 {large} 0 {p[3][0]:.2f},{p[3][1]:.2f} Z")
        colour, overlay = _category(i, ident)
        out.append(f'<path d="{d}" fill="{colour}" stroke="#ffffff" stroke-width="2"/>')
        ly = 40 + i * 40
        out.append(f'<rect x="340" y="{ly - 13}" width="18" height="18" fill="{colour}" '
                   f'stroke="{INK}" stroke-width="1"/>')
        if overlay:
            out.append(f'<path d="{d}" fill="{overlay}"/>')
            out.append(f'<rect x="340" y="{ly - 13}" width="18" height="18" fill="{overlay}"/>')
        out.append(_text(368, ly + 1, f"{label(v, fig, seuil)} — {v.libelle}", 13, "start"))
        angle = end
    # Outline of the ring: its palest part stays visible against the paper.
    out.append(f'<circle cx="{cx}" cy="{cy:.1f}" r="{r_out + 1}" fill="none" stroke="{INK}" '
               'stroke-width="1"/>')
    out.append(f'<circle cx="{cx}" cy="{cy:.1f}" r="{r_in - 1}" fill="none" stroke="{INK}" '
               'stroke-width="1"/>')
    return out


KINDS = {"barres": "Diagramme en barres", "barres-horizontales": "Diagramme en barres horizontales",
         "courbe": "Courbe", "anneau": "Diagramme en anneau"}


def _said(v: m.Valeur, fig: m.Figure, seuil: int) -> str:
    """A value as read aloud: « 1 180 jeunes », « 91 % », « moins de 10 »."""
    if v.masque:
        return f"moins de {seuil}"
    unit = fig.unite.strip()
    number = label(v, fig, seuil)
    return number if unit in ("", "%") else f"{number} {unit}"


def alternative(fig: m.Figure, seuil: int = 10) -> str:
    """The chart's text alternative, generated from its data (French): what it is,
    every value, and what the values show (extremes, or the trend of a curve)."""
    values = [(v, float(v.valeur)) for v in fig.valeurs]
    listed = " ; ".join(f"{v.libelle} : {_said(v, fig, seuil)}" for v in fig.valeurs)
    nature = " (données illustratives)" if fig.illustratif else ""
    shown = [(v, x) for v, x in values if not v.masque]
    summary = ""
    if len(shown) >= 2:
        high = max(shown, key=lambda p: p[1])
        low = min(shown, key=lambda p: p[1])
        if fig.type == "courbe":
            first, last = shown[0], shown[-1]
            trend = ("en hausse" if last[1] > first[1] else "en baisse" if last[1] < first[1]
                     else "stable")
            summary = (f" De {first[0].libelle} à {last[0].libelle}, la valeur passe de "
                       f"{_said(first[0], fig, seuil)} à {_said(last[0], fig, seuil)} ({trend}) ; "
                       f"au plus bas : {low[0].libelle} ({_said(low[0], fig, seuil)}), au plus "
                       f"haut : {high[0].libelle} ({_said(high[0], fig, seuil)}).")
        elif fig.type == "anneau":
            total = sum(x for _, x in values) or 1
            parts = " ; ".join(f"{v.libelle} : {_num(round(100 * x / total))}{NNBSP}%"
                               for v, x in values if not v.masque)
            shares = "" if fig.unite.strip() == "%" else f" Part de chacun dans le total : {parts}."
            summary = f"{shares} La plus grande part : {high[0].libelle}."
        else:
            summary = (f" Valeur la plus haute : {high[0].libelle} ({_said(high[0], fig, seuil)}) ; "
                       f"la plus basse : {low[0].libelle} ({_said(low[0], fig, seuil)}).")
    scope = f" Champ : {fig.champ.strip().rstrip('.')}." if getattr(fig, "champ", "") else ""
    return f"{KINDS[fig.type]}{nature} : {fig.titre}. {listed}.{summary}{scope}"


DRAW = {"barres": _bars, "barres-horizontales": _hbars, "courbe": _line, "anneau": _donut}


def svg(fig: m.Figure, programme: m.Programme | None = None) -> str:
    seuil = programme.seuil_petits_effectifs if programme else 10
    ident = fig.src.path.stem if fig.src else "figure"
    draw = DRAW[fig.type]
    body = "\n".join(draw(fig, seuil, f"svg-{ident}") if draw is _donut else draw(fig, seuil))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img" '
            f'aria-labelledby="svg-{ident}-titre svg-{ident}-desc" class="powao-graphique" '
            f'aria-label="{escape(alternative(fig, seuil))}" '
            f'font-family="{escape(FONT)}">'
            f'<title id="svg-{ident}-titre">{escape(fig.titre)}</title>'
            f'<desc id="svg-{ident}-desc">{escape(fig.alt)}</desc>\n{body}\n</svg>')
