"""French typography for rendered HTML fragments, shared by the site and the PDFs.

Only text nodes change: tags, attribute values and comments are copied byte for byte,
and so are protected zones (``code``, ``pre``, ``kbd``, ``samp``, ``var``, ``script``,
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

Rules (in the order they run; the order matters for idempotence)
----------------------------------------------------------------
* ordinals: ``2ème``/``2eme`` → ``2<sup>e</sup>``, ``1ère`` → ``1<sup>re</sup>``,
  ``2nd`` → ``2<sup>d</sup>``, ``XXIe`` → ``XXI<sup>e</sup>`` (plain letters in text mode);
* typewriter apostrophe between letters → ’;
* straight double quotes → « » when every quote of the block pairs unambiguously;
* no space before ``, . … )`` nor after ``(``; ``...`` → …;
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

_INL = "[\ufdd0\ufdd5\ufdd6]"  # everything that must behave like an inline tag
_INL_CHARS = INLINE + SUP_OPEN + SUP_CLOSE
_SEPARATOR = re.compile("[\ufdd0-\ufdd3]")
_RESERVED = re.compile("[\ufdd0-\ufdef]")

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
_PROTECTED = {"code", "pre", "kbd", "samp", "var", "script", "style", "math", "svg",
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
_URL_TRAILING = ".,;:!?'\"»…’”"
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
_ANY_GAP = _SPACES + _INL_CHARS
_ORDINARY_GAP = " \t\r\n" + _INL_CHARS


# --- rule 1: ordinals ---------------------------------------------------------------
_ORDINAL = re.compile(
    r"(?P<num>[1-9IVXLCDM][0-9IVXLCDM]*)"  # checked by _ordinal_suffix
    r"(?P<suf>ièmes?|iemes?|èmes?|emes?|émes?|ères?|eres?|ers?|res?|es?|ndes?|nds?|des?|ds?|è)"
    r"(?![\w])"
)
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\Z")


def _ordinal_suffix(num: str, suffix: str) -> str | None:
    """Correct suffix for an ordinal, or None when the token is not an ordinal."""
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
    if _glued_before(match.string, match.start(), ".…,-#/&@+°"):
        return match.group()  # v2eme, 1.2e, #4e…
    num = match["num"]
    suffix = _ordinal_suffix(num, match["suf"])
    if suffix is None:
        return match.group()
    return num + SUP_OPEN + suffix + SUP_CLOSE if html else num + suffix


# --- rule 2: apostrophe -------------------------------------------------------------
# l'atelier, l'<em>atelier</em>, l'<code>x</code>, qu'« une »
_APOSTROPHE = re.compile(rf"'(?<=[^\W\d_]')(?={_INL}*+(?:[^\W\d_]|[{OPAQUE}«\"“]))")

# --- rule 3: straight double quotes -------------------------------------------------
_QUOTE_CONTEXT = re.compile(r"(\ufdd3|\n[ \t]*\n)")  # blocks and blank lines
_OPENERS = "([{«“‘—–-/"
_CLOSERS = ".,;:!?)]}…»"
_AFTER_CLOSE = "-—–/'’”"


def _neighbour(segment: str, index: int, step: int) -> str:
    """Nearest character around a quote, inline tags skipped; '' at the boundary."""
    index += step
    while 0 <= index < len(segment):
        char = segment[index]
        if char not in _INL_CHARS:
            return char
        index += step
    return ""


def _is_space(char: str) -> bool:
    return char.isspace() or char == BREAK


def _can_open(left: str, right: str) -> bool:
    return ((not left or _is_space(left) or left in _OPENERS)
            and bool(right) and not _is_space(right)
            and right not in _CLOSERS and right != '"')


def _can_close(left: str, right: str) -> bool:
    return (bool(left) and not _is_space(left) and left not in _OPENERS and left != '"'
            and (not right or _is_space(right) or right in _CLOSERS or right in _AFTER_CLOSE))


def _pair_segment(segment: str) -> str:
    """Convert the quotes of one block, all or nothing.

    Converting only the "good" pairs would let a second pass pair the leftovers
    differently, so a block with one ambiguous quote keeps all of its quotes.
    """
    positions = []
    index = segment.find('"')
    while index != -1:
        positions.append(index)
        index = segment.find('"', index + 1)
    if len(positions) % 2:
        return segment
    for rank, index in enumerate(positions):
        left, right = _neighbour(segment, index, -1), _neighbour(segment, index, 1)
        ok = _can_open(left, right) if rank % 2 == 0 else _can_close(left, right)
        if not ok:
            return segment
    chars = list(segment)
    for rank, index in enumerate(positions):
        chars[index] = "«" if rank % 2 == 0 else "»"
    return "".join(chars)


def _pair_quotes(text: str) -> str:
    if text.count('"') == 2 and BLOCK not in text and "\n" not in text:
        return _pair_segment(text)  # common case for short texts
    parts = _QUOTE_CONTEXT.split(text)
    for i in range(0, len(parts), 2):
        if '"' in parts[i]:
            parts[i] = _pair_segment(parts[i])
    return "".join(parts)


# --- rule 4: spaces before , . … ) and after ( ---------------------------------------
# Anchors preceded by a space or a tag; the gap itself is found by _rewrite_before.
_CLOSING = re.compile(r"[,.)…](?<=[ \t\r\n\ufdd0\ufdd5\ufdd6].)")
_GAP_ORDINARY = rf"{_INL}*+[ \t\r\n](?:[ \t\r\n]|{_INL})*+"  # at least one ordinary space
_SPACE_AFTER_PAREN = re.compile(rf"\(({_GAP_ORDINARY})(?=[^\s\ufdd2\ufdd3])")


def _space_before_closing(text: str, gap_start: int, match: re.Match[str]) -> str | None:
    gap = text[gap_start:match.start()]
    if gap_start == 0 or not any(c in " \t\r\n" for c in gap):
        return None
    prev = text[gap_start - 1]
    if prev.isspace() or prev in "«([\ufdd2\ufdd3":
        return None  # "« …", "( )", start of a block: not a stray space
    if match.group() == ".":  # a sentence dot or "...", not ".net" or ".5"
        end = match.end()
        while end < len(text) and text[end] == ".":
            end += 1
        # "..." is an ellipsis to be, and "…" never keeps a space before it
        if end - match.start() != 3 and end < len(text) and _is_word(text[end]):
            return None
    return _tags_of(gap)


# --- rule 5: ellipsis ---------------------------------------------------------------
_ELLIPSIS = re.compile(r"\.\.\.(?!\.)")


def _ellipsis(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    prev = text[start - 1] if start else ""
    if prev == "." or (prev.isdigit() and text[end:end + 1].isdigit()):
        return match.group()  # "....", "1...5"
    return "…"


# --- rule 6: spaces inside « » ------------------------------------------------------
_GAP_ANY = "[\\s\ufdd0\ufdd5\ufdd6]*+"
_GUILLEMET_OPEN = re.compile(rf"«({_GAP_ANY})(?=[^\s»\ufdd2\ufdd3])")
_GUILLEMET_CLOSE = re.compile("»")


def _guillemet_close(space: str) -> Callable[[str, int, re.Match[str]], str | None]:
    def decide(text: str, gap_start: int, match: re.Match[str]) -> str | None:
        prev = text[gap_start - 1] if gap_start else ""
        if not prev or prev.isspace() or prev in "«\ufdd2\ufdd3":
            return None
        return _tags_of(text[gap_start:match.start()]) + space
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
_NEXT_TOKEN = re.compile(r"(?P<sym>[%‰€$£])|(?P<word>°C|[kM]d?€|[^\W\d_][\w’'\-]*)")
_ARRONDISSEMENT = re.compile(r"750(?:0[1-9]|1\d|20)|75116|6900[1-9]|130(?:0[1-9]|1[0-6])\Z")

_MONTHS = {"janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet",
           "août", "aout", "septembre", "octobre", "novembre", "décembre", "decembre"}
_UNITS = {"km", "m", "cm", "mm", "µm", "kg", "g", "mg", "t", "l", "L", "cl", "ml", "dl",
          "h", "min", "s", "ms", "j", "ha", "m²", "m³", "km²", "Go", "Mo", "Ko", "To",
          "W", "kW", "kWh", "MW", "Hz", "kHz", "MHz", "GHz", "dB", "px", "pt", "pts",
          "°C", "k€", "M€", "Md€"}
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


_PREV_WORD_REVERSED = re.compile("([\\s\ufdd0\ufdd5\ufdd6]*+)([^\\s\ufdd0-\ufdef]*)")


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
    return word[0].islower() and base not in _STOPWORDS and base not in _MONTHS


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
_CURRENCY = re.compile(r"(\d)[ \t\u00a0\u202f\u2009]*+(?=[%‰€$£])")


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


def _abbreviation(match: re.Match[str]) -> str:
    if _glued_before(match.string, match.start(), "."):
        return match.group()  # "OM. Dupont", "cap. 12"
    return match.group(1) + NBSP


# --- rule 9: space before : ; ! ? ---------------------------------------------------
_HIGH_PUNCT = re.compile(r"[:;!?](?:(?<=[!?])[!?]*+)?")  # ":", ";" or a run "?!"
_SCHEME_BEFORE = re.compile(r"(?i)(?:https?|ftps?|mailto|file|urn|javascript)\Z")
_AFTER_WORD = "»)]…\"”’%‰€$£°_" + OPAQUE + URL  # may carry a high punctuation mark
_FOLLOW_OK = set("»«)]}\"”’'.,;:!?…-—–") | {BREAK, BLOCK}


def _followed_by_boundary(text: str, index: int) -> bool:
    """Is the punctuation at the end of a word (not glued to the next one)?"""
    while index < len(text) and text[index] in _INL_CHARS:
        index += 1
    if index == len(text):
        return True
    char = text[index]
    return char.isspace() or char in _FOLLOW_OK


def _high_punct(colon_space: str) -> Callable[[str, int, re.Match[str]], str | None]:
    def decide(text: str, gap_start: int, match: re.Match[str]) -> str | None:
        if gap_start == 0:
            return None
        prev = text[gap_start - 1]
        if not (prev.isalnum() or prev in _AFTER_WORD or prev in "?!"):
            return None
        start, end, punct = match.start(), match.end(), match.group()
        gap = text[gap_start:start]
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
    if has_digit or _HAS_ROMAN.search(text):
        text = _ORDINAL.sub(lambda m: _ordinal(m, html), text)
    if "'" in text:
        text = _APOSTROPHE.sub("’", text)
    if '"' in text:
        text = _pair_quotes(text)
    text = _rewrite_before(text, _CLOSING, _ORDINARY_GAP, _space_before_closing)
    if "(" in text:
        text = _SPACE_AFTER_PAREN.sub(lambda m: "(" + _tags_of(m.group(1)), text)
    if "..." in text:
        text = _ELLIPSIS.sub(_ellipsis, text)
    if "«" in text:
        space = reglages.guillemets
        text = _GUILLEMET_OPEN.sub(lambda m: "«" + space + _tags_of(m.group(1)), text)
    if "»" in text:
        text = _rewrite_before(text, _GUILLEMET_CLOSE, _ANY_GAP,
                               _guillemet_close(reglages.guillemets))
    if has_digit:
        text = _NUMBER.sub(_number, text)
        text = _TIME.sub(_time, text)
        text = _DATE.sub(_date, text)
        if any(symbol in text for symbol in "%‰€$£"):
            text = _CURRENCY.sub("\\g<1>" + NNBSP, text)
        text = _ABBR_REF.sub(_abbreviation, text)
    text = _ABBR_TITLE.sub(_abbreviation, text)
    return _rewrite_before(text, _HIGH_PUNCT, _ANY_GAP, _high_punct(reglages.deux_points))


_HAS_DIGIT = re.compile(r"\d")
_HAS_ROMAN = re.compile(r"[IVX][IVXLCDM]*[eèéir]")


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
        if self.careful and (_RESERVED.search(raw) or _drops_characters(raw)):
            self.atom(OPAQUE, raw)  # cannot be processed faithfully: protect it
        else:
            self.slots[-1] += raw

    def atom(self, sep: str, raw: str) -> None:
        self.seps.append(sep)
        self.atoms.append(raw)
        self.slots.append("")


_CHAR_REF = re.compile(r"&#(?:[xX][0-9a-fA-F]+|[0-9]+);?")


def _drops_characters(raw: str) -> bool:
    """html.unescape silently drops references to invalid code points (&#1;)."""
    return "&#" in raw and any(_html.unescape(ref) == "" for ref in _CHAR_REF.findall(raw))


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
        if match["close"]:
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
    builder = _Builder(careful="&#" in source or _RESERVED.search(source) is not None)
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


def typographier_texte(texte: str, reglages: Reglages = Reglages()) -> str:
    """Same rules on plain text (ordinals stay plain letters: no <sup>)."""
    if not texte:
        return texte
    builder = _Builder(careful=False)
    pos = 0
    for match in _RESERVED.finditer(texte):  # stray noncharacters: kept as they are
        builder.slots[-1] += texte[pos:match.start()]
        builder.atom(OPAQUE, match.group())
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
