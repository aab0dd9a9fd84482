"""Pages drawn again without drawing them again.

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

Within one build job (`reusing`), the same is done a level down, for the content of
pages that several documents share: a handout page of a fiche is a page of its handout
pack, a session page of a binder is a page of its fiche, an interior page of the white
paper is a page of the printer's edition. Such pages hold the same laid-out box for the
root element (WeasyPrint draws each child of a page box, the root element's box and
each margin box, as a stacking context of its own); their margin boxes differ (the
folios, the running heads). The drawing of each child is remembered by that box and
replayed when another page holds it and the drawing starts from the same state.
"""
from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# name -> {page key -> drawing}: the pages of the last write of each document
_DRAWN: dict[str, dict[tuple, "_Drawing"]] = {}


class _Seen(dict):
    """A font's table of glyph widths that notes the glyphs a recorded drawing asks
    about (the width of every glyph drawn is looked up before the glyph is written)."""
    __slots__ = ("seen", "current")

    def __contains__(self, glyph) -> bool:
        present = dict.__contains__(self, glyph)
        seen = getattr(self, "seen", None)
        if seen is not None and glyph not in seen:
            # was it there before the recording asked, and from which font and size the
            # recorded drawing would have measured it, had it not been
            seen[glyph] = (present, getattr(self, "current", None))
        return present


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
        self.fonts: dict[int, Any] = {}      # id -> Font, in first use order
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
            font, size = method(pango_font)
            widths = font.widths
            if type(widths) is not _Seen:
                widths = font.widths = _Seen(widths)
            if id(font) not in self.fonts:
                widths.seen = {}
                self.fonts[id(font)] = font
            widths.current = (pango_font, size)
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

    def finish(self, keep: tuple) -> _Drawing | None:
        """What was drawn since the recorder started (None if it cannot be replayed);
        `keep`: the boxes its key names by id, kept alive with it."""
        stream = self.stream
        for name in (*self.REFUSED, "add_font", "set_alpha"):
            stream.__dict__.pop(name, None)
        fonts = []
        keys = {id(font): key for key, font in stream._fonts.items()}
        for font in self.fonts.values():
            key, measured = keys[id(font)], font.widths.seen
            font.widths.seen = font.widths.current = None
            if len(font.missing) != self.missing.get(key, 0):
                self.ok = False  # a glyph the fonts lack: drawn each time
            snapshot = copy.copy(font)  # before the write subsets its file
            glyphs = []
            for glyph, (present, source) in measured.items():
                if not (dict.__contains__(font.widths, glyph)
                        and dict.__contains__(font.to_unicode, glyph)):
                    continue
                width = font.widths[glyph]
                fresh = _width(glyph, *source) if present and source else width
                glyphs.append((glyph, width, font.to_unicode[glyph], fresh))
            fonts.append((key, snapshot, glyphs))
        if not self.ok:
            return None
        tags = None if stream._tags is None else [
            (box, dict(tag)) for box, tag in stream._tags.items() if box not in self.tagged]
        return _Drawing(stream.stream[self.start:], tags, fonts, list(self.alphas.items()),
                        keep)


def _width(glyph: int, pango_font, size: float) -> int | None:
    """A glyph's width as WeasyPrint's text drawing measures it where a document first
    draws that glyph (in thousandths of the font size, rounded)."""
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango
    if not size:
        return None
    ink, logical = ffi.new("PangoRectangle *"), ffi.new("PangoRectangle *")
    pango.pango_font_get_glyph_extents(pango_font, glyph, ink, logical)
    return round(logical.width * 1000 * FROM_UNITS / size)


def _replayable(drawing: _Drawing | None, stream) -> bool:
    """Whether replaying writes what drawing would: both tagged or both not, and the
    same glyph widths. The kerning WeasyPrint writes is computed from each glyph's width
    in the document, measured where the document first draws that glyph (from that font
    size, rounded): each glyph must have, in this document, the width the recorded
    drawing used; or have none yet, and be measured the same by the recorded drawing's
    first use of it."""
    if drawing is None or (drawing.tags is None) != (stream._tags is None):
        return False
    for key, _snapshot, glyphs in drawing.fonts:
        font = stream._fonts.get(key)
        widths = font.widths if font is not None else {}
        for glyph, width, _text, fresh in glyphs:
            if widths.get(glyph, fresh) != width:
                return False
    return True


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
        for glyph, width, text, _fresh in glyphs:
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
        if _replayable(drawing, stream):
            _replay(drawing, stream)
            drawn[key] = drawing
            return
        recorder = _Recorder(stream)
        try:
            original(page, stream, scale)
        finally:
            box = page._page_box
            drawing = recorder.finish((box.style, list(box.children)))
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


# -- the content that pages of several documents share (one build job) --------------------
# Stream attributes that make what a drawing writes depend on what was drawn before it
# (WeasyPrint's Stream skips a colour, an opacity or a font already set).
_STATE = ("_current_color", "_current_color_stroke", "_current_alpha", "_current_alpha_stroke",
          "_current_font", "_old_font", "_old_font_size")


@dataclass(slots=True)
class _Child:
    """The drawing of a page's child box (its stacking context), and the stream state
    it started from and left."""
    entry: tuple
    drawing: _Drawing | None  # None: it cannot be replayed (it adds resources)
    exit: tuple


class _Deferred:
    """A page child's stacking context, made only if its drawing is not replayed
    (WeasyPrint's StackingContext.from_page makes them all, walking every box)."""
    __slots__ = ("box", "page", "z_index")

    def __init__(self, box, page) -> None:
        self.box, self.page = box, page
        z_index = box.style["z_index"]
        self.z_index = 0 if z_index == "auto" else z_index


def _entry(stream, page) -> tuple:
    """What a page child's drawing depends on besides its boxes: the stream's state and
    marked-content count, and the page box's clip of the root element."""
    overflow = page.style["overflow"]
    return (stream._tags is None, len(stream._tags or ()), tuple(stream.ctm.values),
            tuple(getattr(stream, name) for name in _STATE), overflow,
            None if overflow == "visible" else page.rounded_padding_box())


_SHARED: dict[int, _Child] = {}
_COUNTS = {"rejoues": 0}


@contextmanager
def reusing():
    """While active, the drawing of each child of a page box (the root element's box, a
    margin box) is remembered by that box and replayed wherever the same box is drawn
    again from the same state, in any document written meanwhile. Not combined with
    `redrawing` (the live preview's binders), which replays whole pages."""
    from weasyprint import draw
    from weasyprint.stacking import StackingContext
    original_draw, original_page = draw.draw_stacking_context, StackingContext.__dict__["from_page"]

    def from_page(cls, page):  # WeasyPrint's, each child's context made when drawn
        children = [_Deferred(child, page) for child in page.children]
        bare = page.copy_with_children([])
        return cls(bare, children, [], [], {}, bare)

    def draw_stacking_context(stream, context):
        if type(context) is not _Deferred:
            return original_draw(stream, context)
        box, page = context.box, context.page
        entry = _entry(stream, page)
        known = _SHARED.get(id(box))
        if known is not None and known.entry == entry and _replayable(known.drawing, stream):
            _replay(known.drawing, stream)
            for name, value in zip(_STATE, known.exit):
                setattr(stream, name, value)
            _COUNTS["rejoues"] += 1
            return
        real = StackingContext.from_box(box, page)
        if known is not None and known.drawing is None:
            return original_draw(stream, real)  # adds resources: drawn each time
        recorder = _Recorder(stream)
        try:
            original_draw(stream, real)
        finally:
            drawing = recorder.finish((box,))
        _SHARED[id(box)] = _Child(entry, drawing, tuple(getattr(stream, n) for n in _STATE))

    draw.draw_stacking_context = draw_stacking_context
    StackingContext.from_page = classmethod(from_page)
    try:
        yield
    finally:
        draw.draw_stacking_context = original_draw
        StackingContext.from_page = original_page
        _SHARED.clear()


def replayed() -> int:
    """How many page children `reusing` has replayed in this process."""
    return _COUNTS["rejoues"]
