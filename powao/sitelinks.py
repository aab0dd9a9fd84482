"""Links the site adds to page text: tap-to-call numbers, safety sections, the help control.

* every phone number of the text becomes a `tel:` link, its French spelling kept
  (« 01 23 45 67 89 », « le 3114 »);
* every mention of the alert chain or of the safety framework links to its section
  (never to the top of a page), and so do links to the safety page written without
  an anchor;
* every page starts with the « En cas de problème » control (fixed on screen).

Applied to the final HTML of a site page, outside links, headings and code.
"""
from __future__ import annotations

import html
import re
from typing import Callable

from . import model as m
from .views import tel_href

SPACE = "[ \u00a0\u202f]"
LONG_PHONE = re.compile(rf"(?<![\d+])(?:\+33{SPACE}?|0)[1-9](?:(?:{SPACE}|[.\-])?\d{{2}}){{4}}(?!\d)")
UNITS = ("h", "heures?", "min", "minutes?", "ans?", "%", "€", "jours?", "mois", "semaines?",
         "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
         "octobre", "novembre", "décembre", "jeunes?", "mentors?", "ateliers?", "personnes?",
         "séances?", "pages?", "fois", "ème", "e\\b", "er\\b")
ALERT = re.compile(r"cha[îi]ne d['’]alerte", re.I)
CADRE = re.compile(r"cadre de s[ée]curit[ée]", re.I)
SKIP = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "script", "style", "summary",
        "button", "label", "title", "nav", "textarea", "svg"}
TAG = re.compile(r"(<[^>]+>)")
TAG_NAME = re.compile(r"</?([a-zA-Z0-9]+)")
SAFETY_LINK = re.compile(r'<a ([^>]*?)href="((?:[^"#]*/)?cadre-de-securite\.html)"([^>]*)>(.*?)</a>',
                         re.S)


def short_numbers(programme: m.Programme | None) -> list[str]:
    """The programme's short public numbers (17, 15, 112, 3114…), longest first."""
    numbers = [c.numero.strip() for c in (programme.contacts_publics if programme else [])
               if c.numero and len(re.sub(r"\D", "", c.numero)) <= 5]
    return sorted(set(numbers), key=lambda n: (-len(n), n))


def _short_pattern(numbers: list[str]) -> re.Pattern[str] | None:
    if not numbers:
        return None
    units = "|".join(UNITS)
    return re.compile(
        rf"(\b(?:le|au|du|appeler|appelez|composez|composer){SPACE}+)"
        rf"({'|'.join(re.escape(n) for n in numbers)})"
        rf"(?![\d,.]\d)(?!{SPACE}*(?:{units})(?![a-zà-ÿ]))", re.I)


def _tel(match_text: str) -> str:
    return (f'<a class="powao-tel" href="{html.escape(tel_href(match_text))}">'
            f"{match_text}</a>")


class Linker:
    """Adds the links above to the pages of one site build."""

    def __init__(self, programme: m.Programme | None, safety: dict[str, str] | None):
        self.short = _short_pattern(short_numbers(programme))
        # kind ("alerte", "cadre", "confie") -> "powao:" target with its anchor
        self.safety = safety or {}

    def text(self, chunk: str, link: Callable[[str], str], here: bool) -> str:
        chunk = LONG_PHONE.sub(lambda mt: _tel(mt.group(0)), chunk)
        if self.short:
            chunk = self.short.sub(lambda mt: mt.group(1) + _tel(mt.group(2)), chunk)
        if here or not self.safety:
            return chunk
        # Longest mention first; a chunk is linked once per kind.
        for pattern, kind in ((ALERT, "alerte"), (CADRE, "cadre")):
            if kind in self.safety and pattern.search(chunk):
                chunk = _link_mentions(chunk, pattern, link(self.safety[kind]))
        return chunk

    def page(self, body: str, link: Callable[[str], str], here: bool = False) -> str:
        """`here`: the page is itself a safety page (no self-links to its own sections)."""
        if self.safety:
            body = SAFETY_LINK.sub(lambda mt: self._anchor(mt, link), body)
        out, depth = [], 0
        for part in TAG.split(body):
            if part.startswith("<"):
                name = TAG_NAME.match(part)
                tag = name.group(1).lower() if name else ""
                if tag in SKIP and not part.endswith("/>"):
                    depth += -1 if part.startswith("</") else 1
                    depth = max(depth, 0)
                out.append(part)
            elif depth or not part.strip():
                out.append(part)
            else:
                out.append(self.text(part, link, here))
        return "".join(out)

    def _anchor(self, mt: re.Match[str], link: Callable[[str], str]) -> str:
        text = re.sub(r"<[^>]+>", "", mt.group(4))
        kind = ("alerte" if ALERT.search(text) or "alerte" in text.lower() else
                "confie" if re.search(r"confi|révél", text, re.I) else "cadre")
        target = self.safety.get(kind) or self.safety.get("cadre")
        if not target:
            return mt.group(0)
        return f'<a {mt.group(1)}href="{html.escape(link(target))}"{mt.group(3)}>{mt.group(4)}</a>'


def _link_mentions(chunk: str, pattern: re.Pattern[str], href: str) -> str:
    parts = re.split(r"(<a [^>]*>.*?</a>)", chunk, flags=re.S)
    for index, part in enumerate(parts):
        if not part.startswith("<a "):
            parts[index] = pattern.sub(
                lambda mt: f'<a class="powao-lien-securite" href="{html.escape(href)}">'
                           f"{mt.group(0)}</a>", part)
    return "".join(parts)


def safety_targets(corpus, slugify) -> dict[str, str]:
    """Where mentions lead: sections of the safety page (from its own headings), else the
    « En cas de problème » page."""
    from .urls import AIDE_ANCHOR
    targets: dict[str, str] = {}
    page = corpus.pages.get("cadre-de-securite")
    if page is not None:
        slugs = [slugify(line[3:].strip()) for line in page.src.body.split("\n")
                 if line.startswith("## ")]
        if slugs:
            targets["cadre"] = f"page/cadre-de-securite#{slugs[0]}"
        for kind, word in (("alerte", "alerte"), ("confie", "confie")):
            found = next((s for s in slugs if word in s), None)
            if found:
                targets[kind] = f"page/cadre-de-securite#{found}"
    if corpus.programme and (corpus.programme.chaine_alerte or corpus.programme.contacts_publics):
        targets.setdefault("alerte", f"index/aide#{AIDE_ANCHOR}")
        targets.setdefault("cadre", f"index/aide#{AIDE_ANCHOR}")
    return targets
