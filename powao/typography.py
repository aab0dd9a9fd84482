"""French typography for rendered HTML fragments, shared by the site and the PDFs.

Only text nodes change: tags, attribute values and comments are copied byte for byte,
and so are protected zones (``code``, ``pre``, ``kbd``, ``samp``, ``var``, ``tt``, ``script``,
``style``, ``math``, ``svg``, ``textarea``, anything with ``class="notypo"`` and
elements tagged with another language, e.g. ``lang="en"``),
URLs and e-mail addresses.  The engine is idempotent and never raises.

How it works
------------
1. The fragment is cut with a regex into text nodes and "atoms" (tags, comments,
   whole protected elements).  No HTML re-serialiser is involved, so everything
   outside the changed text stays byte-identical.
2. All text nodes are joined into ONE string, each atom being replaced by a
   sentinel character (Unicode noncharacters U+FDD0…) that tells the rules how
   it behaves: transparent inline tag, word-like protected element, line break
   or hard block boundary.  The rules therefore see ``l'<em>atelier</em>`` or
   ``"<em>oui</em>"`` as the prose they are, and a single pass of pre-compiled
   regexes covers the whole page (fast).
3. The rules never delete, add or reorder sentinels, so the result splits back
   into exactly the original text nodes; a node whose text did not change keeps
   its original bytes, a changed one is re-escaped (``&``, ``<``, ``>``).

Control characters (and references to them) are cut out as transparent atoms, so a
text node holding one is still processed.

Rules (in the order they run; the order matters for idempotence)
----------------------------------------------------------------
* a comma glued to the next word gets its space (``mot,mot``);
* ordinals: ``2ème``/``2eme``/``2ÈME`` → ``2<sup>e</sup>``, ``1ère`` → ``1<sup>re</sup>``,
  ``2nd`` → ``2<sup>d</sup>``, ``XXIe`` → ``XXI<sup>e</sup>`` (plain letters in text mode),
  and the suffix inside an author's ``1<sup>ère</sup>``;
* typewriter apostrophe between letters → ’;
* straight double quotes → « », pair by pair (inner spaces allowed; a stray quote or
  an inch mark stays straight; nested straight quotes leave the block unchanged);
* no space (ordinary, no-break or zero-width) before ``, . … )`` nor after ``(``;
  ``...`` and ``....`` → …;
* ``4x4 m``, ``2 x 5`` → ``4×4 m``, ``2 × 5``;
* ``-8000°C`` → ``-8000 °C`` (°C and °F only); ``1 ère`` → ``1<sup>re</sup>``;
* spaces inside ‹ › like « »; none inside “ ”;
* spaces inside « » (setting), numbers (groups of three with U+202F, with the many
  exceptions: years, postcodes, phones, times, versions, references), a number glued
  to the next word with U+00A0, ``14 h 30``, ``14 juillet 2025``, ``25 %``, ``400 €``;
* U+00A0 after ``M.``, ``Mme``, ``Dr``, ``p.``, ``n°``…;
* U+00A0 (setting) before ``:``, U+202F before ``; ! ?`` (``?!`` as one group).
"""
from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass
from typing import Callable

NBSP = "\u00a0"
NNBSP = "\u202f"


@dataclass(frozen=True)
class Reglages:
    deux_points: str = NBSP  # space before ':' (NBSP or NNBSP)
    guillemets: str = NBSP   # space inside « » (NBSP or NNBSP)


# --- sentinels ------------------------------------------------------------------------
# Noncharacters never appear in real text; a text node that contains one anyway is
# treated as protected (see _Builder.text) so the split-back stays exact.
INLINE = "\ufdd0"     # inline tag or comment: transparent for the rules
OPAQUE = "\ufdd1"     # protected inline element, image: behaves like a word
BREAK = "\ufdd2"      # <br>: behaves like a space
BLOCK = "\ufdd3"      # block tag, block protected element: hard boundary
URL = "\ufdd4"        # URL / e-mail masked inside the text
SUP_OPEN = "\ufdd5"   # ordinal superscript markers, output as <sup> … </sup>
SUP_CLOSE = "\ufdd6"
SUP_TAG = "\ufdd7"    # a <sup> tag of the source (inline; lets "1<sup>ère</sup>" be fixed)
SUP_END = "\ufdd8"    # a </sup> tag of the source

_INL = "[\ufdd0\ufdd5-\ufdd8]"  # everything that must behave like an inline tag
_INL_CHARS = INLINE + SUP_OPEN + SUP_CLOSE + SUP_TAG + SUP_END
_SEPARATOR = re.compile("[\ufdd0-\ufdd3\ufdd7\ufdd8]")
_RESERVED = re.compile("[\ufdd0-\ufdef]")
# Zero-width characters that may sit in a run of spaces (pasted text): a run that
# a rule rewrites loses them, like its other spaces.
_ZERO_WIDTH = "\ufeff\u200b\u2060"
# Control characters (bar the white-space ones): transparent, like an empty tag.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

# --- HTML tokenising --------------------------------------------------------------------
# Every pattern of this module starts with a literal or a single character class:
# that lets the regex engine jump from candidate to candidate instead of trying a
# match at each position (a leading repeat, look-behind or branch of classes is
# several times slower).
_MARKUP_PATTERN = r"""
    <(?:
      (?P<comment>!--(?:>|->|.*?(?:-->|\Z)))
    | (?P<decl>![^>]*+(?:>|\Z))
    | (?P<pi>\?[^>]*+(?:>|\Z))
    | (?P<bogus>/(?![A-Za-z])[^>]*+(?:>|\Z))
    | (?P<close>/)?(?P<name>[A-Za-z][^\s/>]*+)
      (?P<attrs>(?:[^>"']++|"[^"]*+"?|'[^']*+'?)*+)(?:>|\Z)
    )"""
_MARKUP = re.compile(_MARKUP_PATTERN, re.S | re.X)
# Same tokens, one capturing group: re.split then cuts the whole page in C.
_MARKUP_SPLIT = re.compile(
    "(" + re.sub(r"\(\?P<\w+>", "(?:", _MARKUP_PATTERN) + ")", re.S | re.X)
_CLASS_ATTR = re.compile(
    r"""(?:^|\s)class\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)
_RAW_TEXT = {"script", "style", "textarea", "title", "xmp"}
_RAW_END = {name: re.compile(rf"</{name}(?=[\s/>]|\Z)[^>]*+(?:>|\Z)", re.I)
            for name in _RAW_TEXT}
_PROTECTED = {"code", "pre", "kbd", "samp", "var", "tt", "script", "style", "math", "svg",
              "textarea"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr"}
_WORD_LIKE = {"img", "input", "embed"}
# Phrasing elements: they do not end the quote-pairing context.
_PHRASING = {
    "em", "strong", "a", "span", "sup", "sub", "mark", "abbr", "small", "b", "i", "u",
    "s", "del", "ins", "q", "cite", "code", "kbd", "samp", "var", "math", "svg", "img",
    "br", "wbr", "input", "label", "time", "data", "dfn", "bdi", "bdo", "ruby", "rt",
    "rp", "tt", "big", "font", "nobr", "acronym", "button", "select", "textarea",
    "output", "meter", "progress", "object", "embed", "picture", "audio", "video",
    "canvas",
}


# --- URL masking --------------------------------------------------------------------
# The left context of a URL is checked in Python (see _MARKUP_PATTERN on speed).
_URL_BODY = "[^\\s<>\"\ufdd0-\ufdef]"
# The body starts with a letter or digit: "https://,«" is punctuation, not a URL.
_URL_SCHEME = re.compile(
    rf"(?P<scheme>(?:https?|ftps?)://|(?:mailto|tel):|www\.)[\w+]{_URL_BODY}*")
_EMAIL_DOMAIN = re.compile(r"[\w\-]+(?:\.[\w\-]+)+")
_TLD = re.compile(r"\.(?:fr|com|org|net|eu|io|info|gouv|paris)(?![\w\-])")
_URL_PATH = re.compile(rf"/{_URL_BODY}*")
_URL_TRAILING = ".,;:!?'\"»›…’”"
_URL_GLUE = "@.+-/…"  # a URL glued to one of these (or to a letter) is not one


def _is_word(char: str) -> bool:
    """Same notion as the regex class \\w."""
    return char.isalnum() or char == "_"


def _glued_before(text: str, index: int, extra: str) -> bool:
    """Is the character before index a word character or one of extra?"""
    if index == 0:
        return False
    char = text[index - 1]
    return char.isalnum() or char == "_" or char in extra


def _expand_left(text: str, index: int, extra: str) -> int:
    while index > 0 and (_is_word(text[index - 1]) or text[index - 1] in extra):
        index -= 1
    return index


def _url_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    has_scheme = any(mark in text for mark in ("://", "www.", "mailto:", "tel:"))
    for match in _URL_SCHEME.finditer(text) if has_scheme else ():
        start = match.start()
        end = _trim_url(text, start, match.end())
        # "https://" alone (once "!" or ":" is trimmed) is no URL: a later pass,
        # seeing "https:// :", would not find one either.
        if end > match.end("scheme") and not _glued_before(text, start, _URL_GLUE):
            spans.append((start, end))
    at = text.find("@")
    while at != -1:
        start = _expand_left(text, at, ".+-")
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if start < at and domain and not _glued_before(text, start, _URL_GLUE):
            spans.append((start, domain.end()))
        at = text.find("@", at + 1)
    for match in _TLD.finditer(text):
        start = _expand_left(text, match.start(), ".-")
        while start < match.start() and text[start] in ".-":
            start += 1
        if start < match.start() and not _glued_before(text, start, _URL_GLUE):
            path = _URL_PATH.match(text, match.end())
            spans.append((start, path.end() if path else match.end()))
    return spans


def _trim_url(text: str, start: int, end: int) -> int:
    """Trailing punctuation belongs to the sentence, not to the URL."""
    while end > start:
        last = text[end - 1]
        if last in _URL_TRAILING:
            end -= 1
        elif last == ")" and text.count("(", start, end) < text.count(")", start, end):
            end -= 1
        else:
            break
    return end


def _mask_urls(text: str, urls: list[str]) -> str:
    """Replace each URL / e-mail by the URL sentinel, originals appended to urls."""
    spans = sorted(_url_spans(text))
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        if start < last:  # overlapping detection (www.x.fr also ends in .fr)
            continue
        end = _trim_url(text, start, end)
        if end <= start:
            continue
        out.append(text[last:start])
        out.append(URL)
        urls.append(text[start:end])
        last = end
    out.append(text[last:])
    return "".join(out)


def _rewrite_before(text: str, anchors: re.Pattern[str], gap_chars: str,
                    decide: Callable[[str, int, re.Match[str]], str | None]) -> str:
    """For each anchor, let decide() rewrite the run of gap_chars just before it.

    The regex equivalent, a look-behind followed by a gap, is several times slower.
    decide(text, gap_start, match) returns the new gap, or None to keep it.
    """
    out: list[str] = []
    last = 0
    for match in anchors.finditer(text):
        anchor = match.start()
        if anchor < last:
            continue
        gap_start = anchor
        while gap_start > last and text[gap_start - 1] in gap_chars:
            gap_start -= 1
        new_gap = decide(text, gap_start, match)
        if new_gap is None or new_gap == text[gap_start:anchor]:
            continue
        out.append(text[last:gap_start])
        out.append(new_gap)
        last = anchor
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _tags_of(gap: str) -> str:
    """Drop the spaces of a gap, keep its inline tags (in order)."""
    return "".join(c for c in gap if c in _INL_CHARS)


_SPACES = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
_ANY_GAP = _SPACES + _ZERO_WIDTH + _INL_CHARS


# --- rule 1: ordinals ---------------------------------------------------------------
_SUFFIX_LOWER = r"ièmes?|iemes?|èmes?|emes?|émes?|ères?|eres?|ers?|res?|es?|ndes?|nds?|des?|ds?|è"
# In capitals only the unambiguous forms: "2E" or "3D" are not ordinals.
_SUFFIX_UPPER = r"IÈMES?|IEMES?|ÈMES?|EMES?|ÉMES?|ÈRES?|ERES?|ERS?|RES?|NDES?|NDS?"
_ORDINAL = re.compile(
    r"(?P<num>[1-9IVXLCDM][0-9IVXLCDM]*)"  # checked by _ordinal_suffix
    rf"(?P<suf>{_SUFFIX_LOWER}|{_SUFFIX_UPPER})"
    r"(?![\w])"
)
# "1<sup>ère</sup>", "XXI<sup>ème</sup>": the suffix inside the author's own <sup>.
_ORDINAL_SUP = re.compile(
    r"(?P<num>[1-9IVXLCDM][0-9IVXLCDM]*)\ufdd7(?P<suf>[^\W\d_]{1,6})(?=\ufdd8)")
# "la 1 ère fois", "le 2 ème": a typing slip, the suffix joins its number.  Found
# from the "è" (a literal first character keeps the scan fast).
_SPACED_SUFFIX = re.compile(r"è(?=(?:me|re)s?(?!\w))")
_SPACED_GAP = " \u00a0\u202f" + _ZERO_WIDTH


def _spaced_ordinals(text: str) -> str:
    out: list[str] = []
    last = 0
    for match in _SPACED_SUFFIX.finditer(text):
        suffix = match.start()
        if suffix > 0 and text[suffix - 1] == "i":
            suffix -= 1  # "ième"
        gap = suffix
        while gap > last and text[gap - 1] in _SPACED_GAP:
            gap -= 1
        digits = gap
        while digits > last and gap - digits < 3 and text[digits - 1] in "0123456789":
            digits -= 1
        if gap == suffix or digits == gap or text[digits] == "0":
            continue
        if _glued_before(text, digits, ".,"):
            continue  # "1234 ème", "v2 ème", "1,5 ère"
        out.append(text[last:gap])
        last = suffix
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


_SUFFIX_ANY = re.compile(rf"(?:{_SUFFIX_LOWER}|{_SUFFIX_UPPER})\Z")
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\Z")


def _ordinal_suffix(num: str, suffix: str) -> str | None:
    """Correct suffix for an ordinal, or None when the token is not an ordinal."""
    if suffix.isupper() and not num.isdigit() and suffix[0] in "ER":
        return None  # "IER", "VERS" in a title in capitals: words
    suffix = suffix.lower()
    plural = "s" if suffix.endswith("s") else ""
    stem = suffix[:-1] if plural else suffix
    if stem == "er":
        correct = "er"
    elif stem in ("ère", "ere", "re"):
        correct = "re"
    elif stem in ("nde", "de"):
        correct = "de"
    elif stem in ("nd", "d"):
        correct = "d"
    else:  # ième, ieme, ème, eme, éme, e, è
        correct = "e"
    if num.isdigit():
        if correct in ("er", "re") and num != "1":
            return None
        if correct in ("d", "de") and num != "2":
            return None
        return correct + plural
    # Roman numerals: "Le", "De", "Ce", "Me", "Vers" must stay words.
    if not num.isalpha() or not any(c in num for c in "IVX"):
        return None  # also rejects single L, C, D, M
    if not _ROMAN.match(num) or plural:
        return None
    if correct in ("d", "de") or (correct in ("er", "re") and num != "I"):
        return None
    return correct


def _ordinal(match: re.Match[str], html: bool) -> str:
    if _glued_before(match.string, match.start(), ".…,:-#/&@+°"):
        return match.group()  # v2eme, 1.2e, #4e…
    num = match["num"]
    suffix = _ordinal_suffix(num, match["suf"])
    if suffix is None:
        return match.group()
    return num + SUP_OPEN + suffix + SUP_CLOSE if html else num + suffix


def _ordinal_sup(match: re.Match[str]) -> str:
    suffix = match["suf"]
    if not _SUFFIX_ANY.match(suffix) or _glued_before(match.string, match.start(), ".…,:-#/&@+°"):
        return match.group()
    correct = _ordinal_suffix(match["num"], suffix)
    if correct is None:
        return match.group()
    return match["num"] + SUP_TAG + correct


# --- rule 2: apostrophe -------------------------------------------------------------
# l'atelier, l'<em>atelier</em>, l'<code>x</code>, qu'« une »
_APOSTROPHE = re.compile(rf"'(?<=[^\W\d_]')(?={_INL}*+(?:[^\W\d_]|[{OPAQUE}«\"“]))")

# --- rule 3: straight double quotes -------------------------------------------------
_QUOTE_CONTEXT = re.compile(r"(\ufdd3|\n[ \t]*\n)")  # blocks and blank lines
_OPENERS = "([{«‹“‘—–-/"
_CLOSERS = ".,;:!?)]}…»›"
_AFTER_CLOSE = "-—–/'’”"


def _neighbour(segment: str, index: int, step: int) -> int:
    """Index of the nearest character around a quote, inline tags skipped; -1 if none."""
    index += step
    while 0 <= index < len(segment):
        if segment[index] not in _INL_CHARS:
            return index
        index += step
    return -1


def _is_space(char: str) -> bool:
    return char.isspace() or char == BREAK or char in _ZERO_WIDTH


def _quote_kind(segment: str, index: int) -> str:
    """How a straight quote stands: O opens, C closes, B could do both, N neither.

    Open side on the left: a space, the start, an opening sign; close side on the
    right: a space, the end, a closing sign ('".docx"' opens before its dot).
    Another straight quote counts as a space.
    """
    before = _neighbour(segment, index, -1)
    left = segment[before] if before >= 0 else ""
    after = _neighbour(segment, index, 1)
    right = segment[after] if after >= 0 else ""
    open_left = not left or _is_space(left) or left in _OPENERS or left == '"'
    close_right = (not right or _is_space(right) or right in _CLOSERS
                   or right in _AFTER_CLOSE or right == '"')
    if right == "." and after + 1 < len(segment) and _is_word(segment[after + 1]):
        close_right = False  # ".docx", ".net": a word that starts with a dot
    if open_left:
        return "B" if close_right else "O"
    return "C" if close_right else "N"


def _quote_pairs(segment: str) -> list[tuple[int, int]]:
    """The quotes of one block that pair up as « ».

    Read left to right: an opening quote waits for the next closing one.  A quote
    that cannot take part (an inch mark "5\"", a stray one) is left straight and
    does not stop the others.  Two opening quotes in a row are nested quotes when
    enough closing ones follow (ambiguous: then none of the block pairs); otherwise
    the first one was a stray.
    """
    quotes = []
    index = segment.find('"')
    while index != -1:
        kind = _quote_kind(segment, index)
        if kind != "N":
            quotes.append((index, kind))
        index = segment.find('"', index + 1)
    pairs: list[tuple[int, int]] = []
    pending, pending_kind = -1, ""
    for rank, (index, kind) in enumerate(quotes):
        if pending < 0:
            if kind != "C":
                pending, pending_kind = index, kind
        elif kind != "O":
            pairs.append((pending, index))
            pending = -1
        elif pending_kind == "O" and sum(k != "O" for _, k in quotes[rank + 1:]) >= 2:
            return []  # "a "b" c": nested straight quotes
        else:  # the quote before was a stray one
            pending, pending_kind = index, kind
    return pairs


def _pair_segment(segment: str) -> str:
    """Convert the quotes of one block that pair, until none does.

    Pairing again what is left is what a second pass of the engine would do, so
    repeating until nothing changes keeps the engine idempotent.
    """
    pairs = _quote_pairs(segment)
    while pairs:
        chars = list(segment)
        for opening, closing in pairs:
            chars[opening] = "«"
            chars[closing] = "»"
        segment = "".join(chars)
        pairs = _quote_pairs(segment) if '"' in segment else []
    return segment


def _pair_quotes(text: str) -> str:
    if BLOCK not in text and "\n" not in text:
        return _pair_segment(text)  # common case for short texts
    parts = _QUOTE_CONTEXT.split(text)
    for i in range(0, len(parts), 2):
        if '"' in parts[i]:
            parts[i] = _pair_segment(parts[i])
    return "".join(parts)


# --- rule 4: spaces before , . … ) and after ( ---------------------------------------
# Anchors preceded by a space or a tag; the gap itself is found by _rewrite_before.
# Any space counts, no-break ones included: text pasted from a word processor
# often holds "mot ," or "( texte".
_CLOSING = re.compile(r"[,.)…](?<=[\s\ufeff\u200b\u2060\ufdd0\ufdd5-\ufdd8].)")
_SPACE_CHAR = f"[\\s{_ZERO_WIDTH}]"
_GAP_SPACE = rf"{_INL}*+{_SPACE_CHAR}(?:{_SPACE_CHAR}|{_INL})*+"  # at least one space
_SPACE_AFTER_PAREN = re.compile(rf"\(({_GAP_SPACE})(?=[^\s\ufdd2\ufdd3{_ZERO_WIDTH}])")


_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def _paren_gap(match: re.Match[str]) -> str:
    gap = match.group(1)
    return match.group() if _BLANK_LINE.search(gap) else "(" + _tags_of(gap)


def _has_space(gap: str) -> bool:
    return any(c not in _INL_CHARS for c in gap)


def _space_before_closing(text: str, gap_start: int, match: re.Match[str]) -> str | None:
    gap = text[gap_start:match.start()]
    if gap_start == 0 or not _has_space(gap) or _BLANK_LINE.search(gap):
        return None  # a blank line is a paragraph break (plain text), not a stray space
    prev = text[gap_start - 1]
    if prev.isspace() or prev in "«‹“([\ufdd2\ufdd3":
        return None  # "« …", "( )", start of a block: not a stray space
    if match.group() in ".…" and prev in ".…":
        return None  # ". ...": two signs, not a stray space
    if match.group() == ".":  # a sentence dot or "...", not ".net" or ".5"
        end = match.end()
        while end < len(text) and text[end] == ".":
            end += 1
        # "..." is an ellipsis to be, and "…" never keeps a space before it
        run = end - match.start()
        if run >= 5 or (run not in (3, 4) and end < len(text) and _is_word(text[end])):
            return None  # leaders "....." keep their space
    return _tags_of(gap)


# "mot,mot" → "mot, mot" (letters on both sides; "1,5" and "3,mot" stay).
_COMMA_GLUED = re.compile(r",(?=[^\W\d_])")


def _comma_glued(match: re.Match[str]) -> str:
    text, index = match.string, match.start()
    while index and text[index - 1] in _ANY_GAP:  # "mot ,mot": the space goes later
        index -= 1
    return ", " if index and text[index - 1].isalpha() else ","


# --- rule 5: ellipsis ---------------------------------------------------------------
_ELLIPSIS = re.compile(r"\.\.\.\.?+")  # three dots, or four (a typing slip)


def _ellipsis(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    prev = text[start - 1] if start else ""
    if prev == "." or text[end:end + 1] == "." or (
            prev.isdigit() and text[end:end + 1].isdigit()):
        return match.group()  # "....." (leaders), "1...5"
    return "…"


# --- rule 6: spaces inside « » ------------------------------------------------------
_GAP_ANY = f"[\\s{_ZERO_WIDTH}\ufdd0\ufdd5-\ufdd8]*+"
_GUILLEMET_OPEN = re.compile(rf"«({_GAP_ANY})(?=[^\s»\ufdd2\ufdd3{_ZERO_WIDTH}])")
_GUILLEMET_CLOSE = re.compile("»")
# Single guillemets ‹ › (quotes inside quotes) take the same spaces; English quotes
# “ ” (also used inside « ») take none.
_SINGLE_OPEN = re.compile(rf"‹({_GAP_ANY})(?=[^\s›\ufdd2\ufdd3{_ZERO_WIDTH}])")
_SINGLE_CLOSE = re.compile("›")
_ENGLISH_OPEN = re.compile(rf"“({_GAP_ANY})(?=[^\s”\ufdd2\ufdd3{_ZERO_WIDTH}])")
_ENGLISH_CLOSE = re.compile("”")


def _inner_gap(opening: str, space: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        gap = match.group(1)
        if "\n" in gap and _BLANK_LINE.search(gap):
            return match.group()  # a paragraph break stays one
        return opening + space + _tags_of(gap)
    return replace


def _guillemet_close(space: str) -> Callable[[str, int, re.Match[str]], str | None]:
    def decide(text: str, gap_start: int, match: re.Match[str]) -> str | None:
        prev = text[gap_start - 1] if gap_start else ""
        if not prev or prev.isspace() or prev in "«‹“\ufdd2\ufdd3":
            return None
        gap = text[gap_start:match.start()]
        if "\n" in gap and _BLANK_LINE.search(gap):
            return None  # a paragraph break stays one
        return _tags_of(gap) + space
    return decide


# --- rule 7: numbers ----------------------------------------------------------------
_GROUP_SEP = "[ \u00a0\u202f\u2009]"
_NUMBER = re.compile(
    # 1 500 000 (first digit not 0) or a plain run of digits
    rf"(?P<int>\d(?:(?<=[1-9])\d{{0,2}}(?:{_GROUP_SEP}\d{{3}}(?!\d))++|\d*))"
    r"(?P<dec>[.,]\d+)?"
    r"(?![\w\ufdd4]|[.,:/]\d)"  # glued to a letter or a URL, a version, a time
    rf"(?P<gap>{_GAP_ANY})"
)
_NEXT_TOKEN = re.compile(r"(?P<sym>[%‰€$£])|(?P<word>°[CF]|[kM]d?€|[^\W\d_][\w’'\-]*)")
_ARRONDISSEMENT = re.compile(r"750(?:0[1-9]|1\d|20)|75116|6900[1-9]|130(?:0[1-9]|1[0-6])\Z")

_MONTHS = {"janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet",
           "août", "aout", "septembre", "octobre", "novembre", "décembre", "decembre"}
_UNITS = {"km", "m", "cm", "mm", "µm", "kg", "g", "mg", "t", "l", "L", "cl", "ml", "dl",
          "h", "min", "s", "ms", "j", "ha", "m²", "m³", "km²", "Go", "Mo", "Ko", "To",
          "W", "kW", "kWh", "MW", "Hz", "kHz", "MHz", "GHz", "dB", "px", "pt", "pts",
          "°C", "°F", "Ω", "kΩ", "k€", "M€", "Md€"}
# Function words: a number followed by one of them is not counting that word.
_STOPWORDS = {
    "à", "a", "au", "aux", "et", "ou", "en", "de", "des", "du", "d", "le", "la", "les",
    "l", "un", "une", "est", "sont", "était", "étaient", "sera", "seront", "ont", "avait",
    "avaient", "aura", "auront", "été", "fut", "pour", "par", "sur", "sous", "dans",
    "avec", "sans", "qui", "que", "qu", "quand", "où", "puis", "mais", "donc", "or", "ni",
    "car", "se", "s", "il", "elle", "ils", "elles", "nous", "vous", "on", "je", "j", "tu",
    "ce", "c", "ça", "cela", "ceci", "cet", "cette", "ces", "son", "sa", "ses", "leur",
    "leurs", "notre", "nos", "votre", "vos", "mon", "ma", "mes", "ton", "ta", "tes", "y",
    "ne", "n", "pas", "plus", "moins", "très", "trop", "comme", "selon", "chez", "vers",
    "contre", "entre", "depuis", "pendant", "avant", "après", "jusqu", "jusque", "lors",
    "dont", "si", "soit", "afin", "ainsi", "alors", "aussi", "déjà", "encore", "environ",
    "seulement", "the", "and", "of", "to", "in",
}
# Words before a number that make it a reference, not a quantity.
_REF_WORDS = {
    "p.", "pp.", "p", "page", "pages", "art.", "art", "article", "articles", "n°", "nº",
    "no", "no.", "numéro", "numéros", "num.", "rapport", "réf.", "ref.", "réf", "ref",
    "référence", "chapitre", "chap.", "section", "sect.", "§", "annexe", "tome", "t.",
    "vol.", "volume", "ligne", "dossier", "décret", "loi", "arrêté", "circulaire",
    "version", "v.", "lot", "siret", "siren", "fiche", "ticket", "tél.", "tél", "tel.",
    "téléphone", "fax", "cedex", "bp", "cs",
}
# Words before a four-digit number that make it a year or a code.
_YEAR_WORDS = _MONTHS | {
    "en", "depuis", "dès", "année", "années", "an", "été", "hiver", "printemps",
    "automne", "fin", "début", "mi", "rentrée", "avant", "après", "vers", "courant",
    "le", "la", "au", "du", "l", "ici", "entre", "in", "since",
}


def _base_word(word: str) -> str:
    """Lower-case word, cut at its apostrophe ("d’activité" → "d")."""
    for apostrophe in "’'":
        cut = word.find(apostrophe)
        if cut != -1:
            word = word[:cut]
    return word.lower()


_PREV_WORD_REVERSED = re.compile("([\\s\ufdd0\ufdd5-\ufdd8]*+)([^\\s\ufdd0-\ufdef]*)")


def _prev_word(text: str, index: int) -> tuple[str, bool]:
    """The word before index (lower-cased) and whether a digit directly precedes.

    "jusqu’en 2021" gives "en", "(p. 12" gives "p.".  The digit flag spots digit
    sequences such as phone numbers (01 23 45) and "2021 500".  The window is
    read backwards so that one anchored regex match does the work.
    """
    window = text[max(0, index - 40):index][::-1]
    gap, word = _PREV_WORD_REVERSED.match(window).groups()
    digit_before = bool(gap) and word[:1].isdigit()
    # No stripping of trailing punctuation: "rapport:" then "rapport :" would differ.
    word = word[::-1].lower().lstrip("([«\"“'’")
    for apostrophe in "’'":
        if apostrophe in word[:-1]:
            word = word.rsplit(apostrophe, 1)[1]
    return word, digit_before


def _counted_word(word: str) -> bool:
    """Does this word look like what a number counts (unit or noun)?"""
    if word in _UNITS:
        return True
    base = _base_word(word)
    return (word[0].islower() and base not in _STOPWORDS and base not in _MONTHS
            and base not in _LOOSE_SUFFIXES)


# "2 ème" is an ordinal typed apart (see _spaced_ordinals), never a counted word.
_LOOSE_SUFFIXES = {stem + plural for stem in ("ère", "ème", "ième", "ere", "eme", "ieme")
                   for plural in ("", "s")}


def _counts(number: str, word: str) -> bool:
    """Is a four-digit number a quantity of the word that follows it?

    A plausible year ("à partir de 2022 sortaient") only counts a unit: "2000 km".
    """
    if "1900" <= number <= "2099":
        return word in _UNITS
    return _counted_word(word)


def _gluable(word: str) -> bool:
    return _counted_word(word) or _base_word(word) in _MONTHS


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return NNBSP.join(groups)


def _glue(gap: str) -> str:
    """The first space of the gap becomes U+00A0, other spaces go, tags stay."""
    out, placed = [], False
    for char in gap:
        if char in _INL_CHARS:
            out.append(char)
        elif not placed:
            out.append(NBSP)
            placed = True
    return "".join(out)


def _number(match: re.Match[str]) -> str:
    integer, decimal, gap = match.group(1, 2, 3)
    has_space = bool(gap) and bool(gap.strip(_INL_CHARS))
    size = len(integer)
    if not has_space and size <= 4 and integer.isdigit():
        if size <= 3 or decimal:
            return match.group()  # the most common case: "3", "12," "(25)"
    text, start, end = match.string, match.start(), match.end()
    unchanged = match.group()
    decimal = decimal or ""
    if _glued_before(text, start, ".,:/-+°#&@" + URL):
        return unchanged  # A4, v2.3, 1.0.2, 14:30, n°12
    if has_space and text[end:end + 1].isdigit():
        return unchanged  # start of a digit sequence: 01 23 45 67 89
    following = _NEXT_TOKEN.match(text, end)
    word = following["word"] if following else None
    symbol = following["sym"] if following else None
    glue = has_space and word is not None and _gluable(word)
    grouped = not integer.isdigit()
    size = len(integer)
    # Cheap exits first: most numbers of a page are short and change nothing.
    if not grouped:
        if integer[0] == "0" and size > 1:  # phone, code; "09 h" still glues
            if size > 2 or not glue:
                return unchanged
        elif size <= 3 or (size == 4 and decimal):
            if not glue:
                return unchanged
        elif size == 4 and not (symbol or (has_space and word and _counts(integer, word))):
            return unchanged  # years, 3114, 3919, "2022 à 2025"
    prev, digit_before = _prev_word(text, start)
    if digit_before or prev in _REF_WORDS or prev.endswith("°"):
        return unchanged  # 01 23 45, p. 1234, rapport 299126, n° 12345
    number = integer
    if grouped:  # already grouped: normalise the separators
        number = _group(re.sub(r"\D", "", integer))
    elif size >= 5 and integer[0] != "0":
        if size == 5 and (_ARRONDISSEMENT.match(integer) or (word and word[0].isupper())):
            return unchanged  # postcode: 75011, 93200 Saint-Denis
        number = _group(integer)
    elif size == 4 and not decimal:
        if prev in _YEAR_WORDS:
            return unchanged  # en 2021, mai 2021, le 3919
        number = _group(integer)
    if glue:
        gap = _glue(gap)
    return number + decimal + gap


_TIME = re.compile(r"(\d\d?)[ \u00a0\u202f]+h(?:[ \u00a0\u202f]+(\d{2}))?(?![\w])")
_DATE = re.compile(
    rf"(?P<day>\d\d?(?:{_INL}*+er{_INL}*+)?)[ \t\r\n\u00a0\u202f]+"
    rf"(?P<month>{'|'.join(sorted(_MONTHS))})(?![\w])"
    r"(?:[ \t\r\n\u00a0\u202f]+(?P<year>\d{4})(?![\w]|[.,:]\d))?"
)
_TIME_HINT = re.compile(r"h(?:(?<=[0-9][ \u00a0\u202f]h)|(?<=[ \u00a0\u202f]{2}h))")
_MONTH_STEMS = ("janv", "févr", "fevr", "mars", "avril", "mai", "juin", "juil", "août",
                "aout", "sept", "octo", "nove", "déce", "dece")
_CURRENCY = re.compile(r"(\d)[ \t\u00a0\u202f\u2009]*+(?=[%‰€$£])")


# 4x4 m, 2 x 5, 99x122.21, 8.5"x10": the multiplication sign, spaced as written.
_DEGREES = re.compile(r"°(?<=[0-9]°)(?=[CF](?!\w))")
_TIMES_GAP = " \u00a0\u202f" + _ZERO_WIDTH
_TIMES = re.compile(f"x(?=[{_TIMES_GAP}]*\\d)")
# A factor may be followed by another « x » and number (« 1 x 4x4 »): the whole chain
# becomes a product in one pass (typography stays idempotent).
_FACTOR = re.compile(f"[{_TIMES_GAP}]*" r"\d+(?:[.,]\d+)?[\"″]?"
                     f"(?!(?!x[{_TIMES_GAP}]*\\d)\\w|[.,:]\\d)")


_TIMES_SPACES = re.compile(f"[{_TIMES_GAP}]+×[{_TIMES_GAP}]+")


def _times(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    factor = _FACTOR.match(text, end)
    spaced = start > 0 and text[start - 1] in _TIMES_GAP
    if not factor or spaced != (factor.group()[0] in _TIMES_GAP):
        return "x"  # "2 x5", "4x4m", "0x1F"
    left = start
    while left and text[left - 1] in _TIMES_GAP:
        left -= 1
    if left and text[left - 1] in "\"″":
        left -= 1
    digits = left
    while digits and (text[digits - 1].isdigit() or text[digits - 1] in ".,"):
        digits -= 1
    if digits == left or not text[left - 1].isdigit():
        return "x"  # no number before: "Windows x64", "TestxTest"
    if _glued_before(text, digits, ":×") or text[digits:left] == "0":
        return "x"  # "v2x3", the hexadecimal "0x10"
    return "×"


def _time(match: re.Match[str]) -> str:
    if _glued_before(match.string, match.start(), ".,:"):
        return match.group()
    minutes = match.group(2)
    return match.group(1) + NBSP + "h" + (NBSP + minutes if minutes else "")


def _date(match: re.Match[str]) -> str:
    if _glued_before(match.string, match.start(), ".,:"):
        return match.group()
    year = match["year"]
    return match["day"] + NBSP + match["month"] + (NBSP + year if year else "")


# --- rule 8: abbreviations ----------------------------------------------------------
_ABBR_TITLE = re.compile(
    rf"(M\.|MM\.|Mmes?|Mlles?|Drs?\.?|Pr\.?|Me|Mgr)[ \t\r\n\u202f]+(?={_INL}*+[A-ZÀ-ÖØ-ÞŒ])")
_ABBR_REF = re.compile(
    rf"(pp?\.|n[°º]|art\.|chap\.|vol\.|fig\.|§)[ \t\r\n\u202f]+(?={_INL}*+\d)")


_ABBR_REF_HINTS = ("p.", "n°", "nº", "art.", "chap.", "vol.", "fig.", "§")


def _abbreviation(match: re.Match[str]) -> str:
    if _glued_before(match.string, match.start(), "."):
        return match.group()  # "OM. Dupont", "cap. 12"
    return match.group(1) + NBSP


# --- rule 9: space before : ; ! ? ---------------------------------------------------
_HIGH_PUNCT = re.compile(r"[:;!?](?:(?<=[!?])[!?]*+)?")  # ":", ";" or a run "?!"
_SCHEME_BEFORE = re.compile(r"(?i)(?:https?|ftps?|mailto|file|urn|javascript)\Z")
_AFTER_WORD = "»›)]…\"”’%‰€$£°_" + OPAQUE + URL  # may carry a high punctuation mark
_FOLLOW_OK = set("»«›‹)]}\"”’'.,;:!?…-—–") | {BREAK, BLOCK}


def _followed_by_boundary(text: str, index: int) -> bool:
    """Is the punctuation at the end of a word (not glued to the next one)?"""
    while index < len(text) and text[index] in _INL_CHARS:
        index += 1
    if index == len(text):
        return True
    char = text[index]
    return char.isspace() or char in _FOLLOW_OK or char in _ZERO_WIDTH


def _high_punct(colon_space: str) -> Callable[[str, int, re.Match[str]], str | None]:
    def decide(text: str, gap_start: int, match: re.Match[str]) -> str | None:
        if gap_start == 0:
            return None
        prev = text[gap_start - 1]
        if not (prev.isalnum() or prev in _AFTER_WORD or prev in "?!"):
            return None
        start, end, punct = match.start(), match.end(), match.group()
        gap = text[gap_start:start]
        if "\n" in gap and _BLANK_LINE.search(gap):
            return None  # a paragraph break stays one
        tags = _tags_of(gap)
        has_space = len(tags) != len(gap)
        if prev in "?!" and not has_space:
            return None  # "?:" glued: not prose; "réussite ? : la" is
        if punct == ":":
            after = text[end:end + 1]
            if after in (":", "/"):
                return None  # ::, scheme://
            if not has_space:
                if prev.isdigit() and after.isdigit():
                    return None  # 14:30, 1:2
                scheme = _SCHEME_BEFORE.search(text, max(0, start - 10), start)
                if scheme and not _glued_before(text, scheme.start(), ""):
                    return None  # http:
            space = colon_space
        else:
            space = NNBSP
        if not has_space and not _followed_by_boundary(text, end):
            return None  # glued on both sides: not prose
        return tags + space
    return decide


# --- the engine ---------------------------------------------------------------------
def _transform(text: str, reglages: Reglages, html: bool) -> str:
    """All the rules on one joined string (sentinels included)."""
    has_digit = _HAS_DIGIT.search(text) is not None
    if "," in text:  # first: the rules after it then see the space it adds
        text = _COMMA_GLUED.sub(_comma_glued, text)
    if has_digit and "è" in text:
        text = _spaced_ordinals(text)
    if has_digit or _HAS_ROMAN.search(text):
        text = _ORDINAL.sub(lambda m: _ordinal(m, html), text)
        if SUP_TAG in text:
            text = _ORDINAL_SUP.sub(_ordinal_sup, text)
    if "'" in text:
        text = _APOSTROPHE.sub("’", text)
    if '"' in text:
        text = _pair_quotes(text)
    text = _rewrite_before(text, _CLOSING, _ANY_GAP, _space_before_closing)
    if "(" in text:
        text = _SPACE_AFTER_PAREN.sub(_paren_gap, text)
    if "..." in text:
        text = _ELLIPSIS.sub(_ellipsis, text)
    if "«" in text:
        space = reglages.guillemets
        text = _GUILLEMET_OPEN.sub(
            lambda m: m.group() if "\n" in m.group(1) and _BLANK_LINE.search(m.group(1))
            else "«" + space + _tags_of(m.group(1)), text)
    if "»" in text:
        text = _rewrite_before(text, _GUILLEMET_CLOSE, _ANY_GAP,
                               _guillemet_close(reglages.guillemets))
    if "‹" in text:
        text = _SINGLE_OPEN.sub(_inner_gap("‹", reglages.guillemets), text)
    if "›" in text:
        text = _rewrite_before(text, _SINGLE_CLOSE, _ANY_GAP,
                               _guillemet_close(reglages.guillemets))
    if "“" in text:
        text = _ENGLISH_OPEN.sub(_inner_gap("“", ""), text)
    if "”" in text:
        text = _rewrite_before(text, _ENGLISH_CLOSE, _ANY_GAP, _guillemet_close(""))
    if has_digit:
        if "°" in text:  # "-8000°C" → "-8000 °C" (known scales only: "42°CA" stays)
            text = _DEGREES.sub(NBSP + "°", text)
        if "x" in text:
            text = _TIMES.sub(_times, text)
            if "×" in text:
                text = _TIMES_SPACES.sub(NBSP + "×" + NBSP, text)
        text = _NUMBER.sub(_number, text)
        # Cheap gates first: these patterns start with a digit class, which the
        # regex engine scans ten times slower than a literal.
        if _TIME_HINT.search(text):
            text = _TIME.sub(_time, text)
        if any(month in text for month in _MONTH_STEMS):
            text = _DATE.sub(_date, text)
        if any(symbol in text for symbol in "%‰€$£"):
            text = _CURRENCY.sub("\\g<1>" + NNBSP, text)
        if any(abbr in text for abbr in _ABBR_REF_HINTS):
            text = _ABBR_REF.sub(_abbreviation, text)
    text = _ABBR_TITLE.sub(_abbreviation, text)
    return _rewrite_before(text, _HIGH_PUNCT, _ANY_GAP, _high_punct(reglages.deux_points))


_HAS_DIGIT = re.compile(r"\d")
_HAS_ROMAN = re.compile(r"[IVX][IVXLCDM]*[eèéirEÈÉIR\ufdd7]")


def _run(slots: list[str], seps: list[str], reglages: Reglages, html: bool) -> list[str] | None:
    """Transform the text slots as one string; None if the split-back is not exact."""
    parts = [slots[0]]
    for sep, slot in zip(seps, slots[1:]):
        parts.append(sep)
        parts.append(slot)
    joined = "".join(parts)
    urls: list[str] = []
    joined = _mask_urls(joined, urls)
    out = _transform(joined, reglages, html)
    if urls:
        if out.count(URL) != len(urls):
            return None
        queue = iter(urls)
        out = re.sub(URL, lambda _: next(queue), out)
    pieces = _SEPARATOR.split(out)
    if len(pieces) != len(slots) or _SEPARATOR.findall(out) != seps:
        return None  # defensive: a rule moved a boundary; better unchanged than wrong
    return pieces


class _Builder:
    """Collects text slots and the atoms (raw markup) that separate them."""

    def __init__(self, careful: bool) -> None:
        self.slots: list[str] = [""]
        self.seps: list[str] = []
        self.atoms: list[str] = []
        self.careful = careful  # the source holds noncharacters or char refs

    def text(self, raw: str) -> None:
        if not self.careful:
            self.slots[-1] += raw
            return
        # What cannot go through the rules faithfully is cut out as an atom: a
        # noncharacter behaves like a word, a control character (or a reference to
        # one, which html.unescape would drop) like an empty inline tag.
        pos = 0
        for match in _ODD.finditer(raw):
            odd = match.group()
            if odd.startswith("&#"):
                decoded = _html.unescape(odd)
                if decoded and not _CONTROL.match(decoded) and not _RESERVED.match(decoded):
                    continue  # an ordinary character reference
            self.slots[-1] += raw[pos:match.start()]
            self.atom(OPAQUE if _RESERVED.match(odd) else INLINE, odd)
            pos = match.end()
        self.slots[-1] += raw[pos:]

    def atom(self, sep: str, raw: str) -> None:
        self.seps.append(sep)
        self.atoms.append(raw)
        self.slots.append("")


# A source holding one of these goes through _Builder.text piece by piece.
_CAREFUL = re.compile("[\ufdd0-\ufdef\x00-\x08\x0e-\x1f\x7f-\x9f]")
_ODD = re.compile("&#(?:[xX][0-9a-fA-F]+|[0-9]+);?|[\ufdd0-\ufdef]|"
                  "[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _has_notypo(attrs: str) -> bool:
    if "notypo" not in attrs:
        return False
    for match in _CLASS_ATTR.finditer(attrs):
        value = next(g for g in match.groups() if g is not None)
        if "notypo" in value.split():
            return True
    return False


_LANG_ATTR = re.compile(r"""(?:^|\s)(?:xml:)?lang\s*=\s*["']?\s*([A-Za-z]+)""")


def _foreign(attrs: str) -> bool:
    """An element tagged with another language than French (lang="en"): its text keeps
    its own typography (no French spacing before « : »)."""
    if "lang" not in attrs:
        return False
    match = _LANG_ATTR.search(attrs)
    return bool(match) and match.group(1).lower() != "fr"


def _element_end(source: str, name: str, pos: int) -> int:
    """End of the element whose start tag ends at pos (nesting counted)."""
    depth = 1
    for match in _MARKUP.finditer(source, pos):
        tag = match["name"]
        if tag is None or tag.lower() != name:
            continue
        if match["close"]:
            depth -= 1
            if depth == 0:
                return match.end()
        elif not match["attrs"].rstrip().endswith("/"):
            depth += 1
    return len(source)


# Sentinel of the tags that are not protected, by exact tag text ("</p>", "<em>"…).
_TAG_CACHE: dict[str, str] = {}


def _classify(match: re.Match[str], source: str) -> tuple[str, int]:
    """Sentinel for a markup token and where its atom ends."""
    end = match.end()
    name = match["name"]
    if name is None:
        sep = (INLINE if match["comment"] is not None or match["bogus"] is not None
               else BLOCK)
    else:
        name = name.lower()
        attrs = match["attrs"]
        phrasing = name in _PHRASING
        if name == "sup" and not attrs.rstrip().endswith("/") and (
                match["close"] or not (_has_notypo(attrs) or _foreign(attrs))):
            sep = SUP_END if match["close"] else SUP_TAG
        elif match["close"]:
            sep = INLINE if phrasing else BLOCK
        elif name in _RAW_TEXT and not _is_self_closing(name, attrs):
            close = _RAW_END[name].search(source, end)
            return (OPAQUE if phrasing else BLOCK), close.end() if close else len(source)
        elif name in _PROTECTED or _has_notypo(attrs) or _foreign(attrs):
            if not _is_self_closing(name, attrs):
                end = _element_end(source, name, end)
            return (OPAQUE if phrasing else BLOCK), end
        elif name == "br":
            sep = BREAK
        elif name in _WORD_LIKE:
            sep = OPAQUE
        else:
            sep = INLINE if phrasing else BLOCK
    if len(_TAG_CACHE) < 4096 and end - match.start() < 200:  # ordinary tokens only
        _TAG_CACHE[match.group()] = sep
    return sep, end


def _is_self_closing(name: str, attrs: str) -> bool:
    return name in _VOID or attrs.rstrip().endswith("/")


def _skip_to(pieces: list[str], index: int, pos: int, target: int) -> tuple[int, bool]:
    """Skip the pieces up to target; True when a text piece starts exactly there."""
    while pos < target and index < len(pieces):
        pos += len(pieces[index])
        index += 1
    return index, pos == target and index % 2 == 0 and index < len(pieces)


def _tokenize(source: str) -> _Builder:
    builder = _Builder(careful="&#" in source or _CAREFUL.search(source) is not None)
    slots, seps, atoms = builder.slots, builder.seps, builder.atoms
    careful, cache = builder.careful, _TAG_CACHE
    pieces = _MARKUP_SPLIT.split(source)  # text, markup, text, markup, …, text
    index, pos = 0, 0
    while True:
        text = pieces[index]
        if text:
            if careful:
                builder.text(text)
            else:
                slots[-1] += text
            pos += len(text)
        if index + 1 >= len(pieces):
            return builder
        raw = pieces[index + 1]
        index += 2
        sep = cache.get(raw)
        end = pos + len(raw)
        if sep is None:
            match = _MARKUP.match(source, pos)
            sep, end = _classify(match, source)
            raw = source[pos:end]
            if end != match.end():  # a protected element was taken whole: skip it
                index, reached = _skip_to(pieces, index, match.end(), end)
                if not reached:  # the element ends inside a piece: cut again
                    pieces, index = _MARKUP_SPLIT.split(source[end:]), 0
        seps.append(sep)
        atoms.append(raw)
        slots.append("")
        pos = end


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace(SUP_OPEN, "<sup>").replace(SUP_CLOSE, "</sup>")


def typographier(html: str, reglages: Reglages = Reglages()) -> str:
    """Apply French typography to the text nodes of an HTML fragment."""
    if not html:
        return html
    builder = _tokenize(html)
    raw_slots = builder.slots
    decoded = [_html.unescape(s) if "&" in s else s for s in raw_slots]
    pieces = _run(decoded, builder.seps, reglages, html=True)
    if pieces is None:
        return html
    out: list[str] = []
    for index, piece in enumerate(pieces):
        out.append(raw_slots[index] if piece == decoded[index] else _escape(piece))
        if index < len(builder.atoms):
            out.append(builder.atoms[index])
    return "".join(out)


_ODD_TEXT = re.compile("[\ufdd0-\ufdef\x00-\x08\x0e-\x1f\x7f-\x9f]")


def typographier_texte(texte: str, reglages: Reglages = Reglages()) -> str:
    """Same rules on plain text (ordinals stay plain letters: no <sup>)."""
    if not texte:
        return texte
    builder = _Builder(careful=False)
    pos = 0
    for match in _ODD_TEXT.finditer(texte):  # stray noncharacters, control characters
        builder.slots[-1] += texte[pos:match.start()]
        odd = match.group()
        builder.atom(OPAQUE if _RESERVED.match(odd) else INLINE, odd)
        pos = match.end()
    builder.slots[-1] += texte[pos:]
    pieces = _run(builder.slots, builder.seps, reglages, html=False)
    if pieces is None:
        return texte
    out: list[str] = []
    for index, piece in enumerate(pieces):
        out.append(piece)
        if index < len(builder.atoms):
            out.append(builder.atoms[index])
    return "".join(out)


# --- clock times and durations ------------------------------------------------------
# One convention everywhere (site, fiches, kits, livre blanc, command line), the rule
# the engine applies to text: « 14 h », « 14 h 30 », « 9 h 05 » for a time of day,
# « 45 min », « 2 h », « 1 h 30 » for a duration.  The spaces are no-break (U+00A0).
# The browser's recomputed times (site JavaScript) follow the same rule.
_HEURE_SAISIE = re.compile(
    r"\s*(?P<h>[01]?\d|2[0-3])\s*(?:(?P<colon>:)|[hH])\s*(?P<mn>[0-5]\d)?\s*\Z")


def lire_heure(texte: str) -> int | None:
    """Minutes since midnight from « 14:00 », « 9:05 », « 14h », « 14 h 30 »; else None."""
    match = _HEURE_SAISIE.match(texte.replace(NBSP, " ").replace(NNBSP, " "))
    if match is None or (match["colon"] and match["mn"] is None):
        return None
    return int(match["h"]) * 60 + int(match["mn"] or 0)


def heure(valeur: int | str) -> str:
    """A time of day: 840 or « 14:00 » → « 14 h », « 14:30 » → « 14 h 30 », 545 → « 9 h 05 ».

    Minutes past midnight wrap round (a session may end after midnight).  A text
    that is no time is returned as it is.
    """
    if isinstance(valeur, str):
        minutes = lire_heure(valeur)
        if minutes is None:
            return valeur
    else:
        minutes = valeur
    h, mn = divmod(minutes % (24 * 60), 60)
    return f"{h}{NBSP}h" + (f"{NBSP}{mn:02d}" if mn else "")


def duree(minutes: int) -> str:
    """A duration: 45 → « 45 min », 120 → « 2 h », 90 → « 1 h 30 », 65 → « 1 h 05 »."""
    if minutes < 60:
        return f"{minutes}{NBSP}min"
    h, mn = divmod(minutes, 60)
    return f"{h}{NBSP}h" + (f"{NBSP}{mn:02d}" if mn else "")
