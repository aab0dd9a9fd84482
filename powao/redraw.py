"""Pages drawn again without drawing them again (the live preview's binders).

After a cycle workshop is saved, the preview writes its binder again: about 170
pages, of which only the edited session's are new; the others are the same laid-out
boxes (the fiches and the binder's frame, kept by the render process), and drawing
them again is half of writing the binder. While `redrawing(name)` is active, a page
whose boxes were drawn by the previous write of `name` is not drawn: its content
stream operators, marked-content tags, font glyphs and opacity states are replayed
into the new PDF, in the order a drawing would have produced them, so the file is
the same, byte for byte (tested against a binder written without it).

Only pages whose drawing stays within the page's own stream are remembered: a page
that adds an image, a transparency group, a pattern, a shading or a graphics state
other than an opacity (charts, QR codes) is drawn each time.
"""
from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# name -> {page key -> drawing}: the pages of the last write of each document
_DRAWN: dict[str, dict[tuple, "_Drawing"]] = {}


class _Seen(dict):
    """A font's glyph table that notes the glyphs a recorded page asks about (every
    drawn glyph is looked up in `to_unicode` and `widths` before it is written)."""
    __slots__ = ("seen",)

    def __contains__(self, glyph) -> bool:
        seen = getattr(self, "seen", None)
        if seen is not None:
            seen[glyph] = None
        return dict.__contains__(self, glyph)


@dataclass(slots=True)
class _Drawing:
    """What drawing one page put in the PDF, to be put there again."""
    ops: list[bytes]                # content-stream operators
    tags: list | None               # (box, marked-content tag) when the PDF is tagged
    fonts: list                     # (font key, font before subsetting, its glyphs)
    alphas: list                    # (ExtGState key, opacity state)
    keep: tuple                     # the boxes the page key names by id, kept alive


def _key(page, scale: float) -> tuple:
    """What a page's drawing depends on: its page box's style, size and children (the
    boxes themselves, kept alive by the drawing so that their ids stay theirs)."""
    box = page._page_box
    return (scale, id(box.style), box.width, box.height, box.position_x, box.position_y,
            tuple(sorted(page.bleed.items())), tuple(id(child) for child in box.children))


class _Recorder:
    """Watches one page being drawn into `stream`."""
    REFUSED = ("add_image", "add_group", "add_pattern", "add_shading", "set_state",
               "set_alpha_state", "set_blend_mode", "clone")

    def __init__(self, stream) -> None:
        self.stream, self.ok = stream, True
        self.start = len(stream.stream)
        self.tagged = set(stream._tags or ())
        self.fonts: dict[str, Any] = {}      # key -> Font, in first use order
        self.alphas: dict[str, Any] = {}     # ExtGState key -> its dictionary
        self.missing = {key: len(font.missing) for key, font in stream._fonts.items()}
        for name in self.REFUSED:
            setattr(stream, name, self._refuse(getattr(stream, name)))
        stream.add_font = self._add_font(stream.add_font)
        stream.set_alpha = self._set_alpha(stream.set_alpha)

    def _refuse(self, method):
        def refused(*args, **kwargs):
            self.ok = False
            return method(*args, **kwargs)
        return refused

    def _add_font(self, method):
        def add_font(pango_font):
            from weasyprint.text.fonts import get_pango_font_key
            font, size = method(pango_font)
            key = get_pango_font_key(pango_font)[0]
            if key not in self.fonts:
                for table in ("to_unicode", "widths"):
                    if type(getattr(font, table)) is dict:
                        setattr(font, table, _Seen(getattr(font, table)))
                    getattr(font, table).seen = {}
                self.fonts[key] = font
            return font, size
        return add_font

    def _set_alpha(self, method):
        def set_alpha(alpha, stroke=False, fill=None):
            method(alpha, stroke, fill)
            states = self.stream._resources["ExtGState"]
            # the states this call uses (WeasyPrint's Stream.set_alpha), in call order
            for key in ((f"A{alpha}",) if stroke else ()) + (
                    (f"a{alpha}",) if (not stroke if fill is None else fill) else ()):
                self.alphas.setdefault(key, states[key])
        return set_alpha

    def finish(self, page) -> _Drawing | None:
        stream = self.stream
        for name in (*self.REFUSED, "add_font", "set_alpha"):
            stream.__dict__.pop(name, None)
        fonts = []
        for key, font in self.fonts.items():
            seen = {**font.to_unicode.seen, **font.widths.seen}
            font.to_unicode.seen = font.widths.seen = None
            if len(font.missing) != self.missing.get(key, 0):
                self.ok = False  # a glyph the fonts lack: drawn each time
            snapshot = copy.copy(font)  # before the write subsets its file
            glyphs = [(g, font.widths[g], font.to_unicode[g]) for g in seen
                      if dict.__contains__(font.widths, g)
                      and dict.__contains__(font.to_unicode, g)]
            fonts.append((key, snapshot, glyphs))
        if not self.ok:
            return None
        tags = None if stream._tags is None else [
            (box, dict(tag)) for box, tag in stream._tags.items() if box not in self.tagged]
        page_box = page._page_box
        return _Drawing(stream.stream[self.start:], tags, fonts, list(self.alphas.items()),
                        (page_box.style, list(page_box.children)))


def _replay(drawing: _Drawing, stream) -> None:
    stream.stream.extend(drawing.ops)
    if drawing.tags is not None and stream._tags is not None:
        for box, tag in drawing.tags:
            stream._tags[box] = dict(tag)
    for key, snapshot, glyphs in drawing.fonts:
        font = stream._fonts.get(key)
        if font is None:
            font = copy.copy(snapshot)
            font.widths, font.to_unicode, font.missing = {}, {}, {}
            stream._fonts[key] = font
        for glyph, width, text in glyphs:
            if glyph not in font.to_unicode:
                font.to_unicode[glyph] = text
            if glyph not in font.widths:
                font.widths[glyph] = width
    states = stream._resources["ExtGState"]
    for key, state in drawing.alphas:
        if key not in states:
            states[key] = state


@contextmanager
def redrawing(name: str):
    """While active, the pages WeasyPrint paints for document `name` are replayed when
    the previous write of `name` drew the same boxes, else drawn and remembered."""
    from weasyprint.document import Page
    previous, drawn = _DRAWN.get(name, {}), {}
    original = Page.paint

    def paint(page, stream, scale=1):
        key = _key(page, scale)
        drawing = previous.get(key) or drawn.get(key)
        if drawing is not None and (drawing.tags is None) == (stream._tags is None):
            _replay(drawing, stream)
            drawn[key] = drawing
            return
        recorder = _Recorder(stream)
        try:
            original(page, stream, scale)
        finally:
            drawing = recorder.finish(page)
        if drawing is not None:
            drawn[key] = drawing

    Page.paint = paint
    try:
        yield
    finally:
        Page.paint = original
    _DRAWN[name] = drawn  # only the pages of this write stay remembered


def forget() -> None:
    _DRAWN.clear()
