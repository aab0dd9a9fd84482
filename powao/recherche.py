"""The site's search: one result per section, questions typed the way mentors ask them.

The index is built here, from the final HTML of the site pages, and written as a
script (`assets/javascripts/recherche-index.js`) that the browser loads on the first
search: it works offline and from `file://`, with any site engine. The browser side
(`templates/site/assets/javascripts/recherche.js`) answers Material's search box in
place of its worker and splits queries with the same rules as `termes()` below:

* accents, case and ligatures are folded (« Réseau » = « reseau »);
* elisions and French stop words are dropped (« qu'est-ce que je fais si un jeune
  pleure » asks for *fais* and *pleure*);
* a light stemmer joins plurals and common verb endings (« pleure », « pleurer »,
  « pleurent », « pleurs »);
* sections (h2/h3 with an id) and glossary terms (dt with an id) are separate entries;
  tags, download buttons, the help control and the at-a-glance grid are not indexed;
* `content/data/vocabulaire.yml` maps how mentors ask to how the content says it:
  a section holding one of the content's words is also found by the mentor's words.
"""
from __future__ import annotations

import hashlib
import html
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any, Iterable

# Folded (ASCII, lower case). Question words are stop words too: mentors type questions.
STOP_WORDS = sorted(set("""
a afin ai aie aient aies ait alors as au aucun aucune aupres auquel aussi autre autres aux
auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant c ca car ce ceci
cela celle celles celui cependant ces cet cette ceux chacun chaque chez ci comme comment d
dans de des desquels donc dont du duquel elle elles en encore entre es est et etaient etais
etait etant ete etes etre eu eux faire fais fait faut font hors i il ils j je jusqu l la
laquelle le lequel les lesquels leur leurs lorsqu lui m ma mais me meme memes mes moi mon
n ne ni non nos notre nous on ont or ou par parce pas peu peut peuvent peux plus pour
pourquoi puis puisqu qu quand que quel quelle quelles quels qui quoi quoiqu s sa sans se
sera serai seront ses si sinon soi soit son sont sous suis sur t ta te tes toi ton tous tout
toute toutes tres tu un une unes uns va vais vers via voici voila vont vos votre vous y
dois doit devons devez doivent quoi combien veut veux voudrais veulent apres
""".split()))
ENDINGS = ("ent", "er", "ez", "ee", "e")  # after the plural s/x, if 4 letters remain
WORD = re.compile(r"[a-z0-9]+")
WEIGHTS = {"titre": 6.0, "page": 1.5, "mots": 3.0, "mots_page": 1.0, "vocabulaire": 2.5,
           "texte": 1.0}
PREVIEW = 180  # characters of a result's preview


def fold(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFD", text)
    if not text.isascii():  # combining marks dropped (those of the BMP, then the rest)
        text = _marks().sub("", text)
        if text and max(text) > "\uffff":
            text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower()


@lru_cache(maxsize=1)
def _marks() -> re.Pattern[str]:
    """The combining characters of the Basic Multilingual Plane, as a character class."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                                    for a, b in ranges) + "]+")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if word.isdigit():
        return word
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def termes(text: str) -> list[str]:
    """The search terms of a text (index and query alike)."""
    out = []
    for word in WORD.findall(fold(text)):
        if word in _STOP or (len(word) < 2 and not word.isdigit()):
            continue
        out.append(stem(word))
    return out


_STOP = frozenset(STOP_WORDS)


# ------------------------------------------------------------------------ page sections

@dataclass
class Section:
    anchor: str
    title: str
    text: list[str] = field(default_factory=list)


EXCLUDED_CLASSES = ("md-tags", "powao-apercu-grille", "powao-telecharger", "powao-aide-conteneur",
                    "powao-groupe-reglages", "powao-bandeau-edition", "headerlink")
BLOCKS = {"p", "li", "td", "th", "dd", "dt", "div", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
          "br", "blockquote", "figcaption", "summary", "ul", "ol", "table", "section"}
VOID = {"br", "img", "input", "hr", "col", "meta", "link", "source", "wbr"}


class _Splitter(HTMLParser):
    """Cuts a page body into sections at h2/h3/dt elements that carry an id."""

    def __init__(self, title: str):
        super().__init__(convert_charrefs=True)
        self.sections = [Section("", title)]
        self.stack: list[tuple[str, bool]] = []  # (tag, starts an excluded subtree)
        self.skip = 0
        self.heading: str | None = None  # tag of the heading being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in BLOCKS:
            self._add(" ")
        if tag in VOID:
            return
        classes = (a.get("class") or "").split()
        excluded = ("data-search-exclude" in a or tag in ("script", "style", "svg")
                    or any(c in EXCLUDED_CLASSES for c in classes))
        self.stack.append((tag, excluded))
        if excluded:
            self.skip += 1
        elif not self.skip and tag in ("h2", "h3", "dt") and a.get("id"):
            self.sections.append(Section(a["id"] or "", ""))
            self.heading = tag

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            open_tag, excluded = self.stack.pop()
            if excluded:
                self.skip -= 1
            if open_tag == self.heading:
                self.heading = None
            if open_tag == tag:
                break
        if tag in BLOCKS:
            self._add(" ")

    def handle_data(self, data: str) -> None:
        self._add(data)

    def _add(self, data: str) -> None:
        if self.skip:
            return
        section = self.sections[-1]
        if self.heading:
            section.title += data
        else:
            section.text.append(data)


def sections(title: str, body: str) -> list[Section]:
    parser = _Splitter(title)
    parser.feed(body)
    parser.close()
    for s in parser.sections:
        s.title = _squash(s.title)
    return [s for s in parser.sections if s.title or _squash("".join(s.text))]


def _squash(text: str) -> str:
    text = re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()
    return re.sub(r" ([,.;:!?»)])", lambda m: ("\u202f" if m.group(1) in ";:!?»" else "")
                  + m.group(1), text)


def preview(text: str) -> str:
    if len(text) <= PREVIEW:
        return text
    cut = text[:PREVIEW].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


# ------------------------------------------------------------------------------ the index

def vocabulary_terms(correspondances: Iterable[Any]) -> list[tuple[list[list[str]], list[str]]]:
    """Each mapping as (content phrases as term lists, the mentor's terms)."""
    out = []
    for c in correspondances:
        phrases = [t for t in (termes(p) for p in c.contenu) if t]
        mentor = sorted({t for p in c.mentor for t in termes(p)})
        if phrases and mentor:
            out.append((phrases, mentor))
    return out


# Each page's sections and terms, by the page's content: the live preview indexes the
# whole site again after each save, and only the saved page's analysis is redone.
_ANALYSED: dict[str, list[tuple[list[str], dict[str, list[str]]]]] = {}


def _analyse(page: Any, words: list[str], vocab: list) -> list[tuple[list[str],
                                                                      dict[str, list[str]]]]:
    """A page's search entries: each section's (location, page title, section title,
    preview) and its weighted fields' terms."""
    url = page.doc[:-3] + ".html"
    page_terms = termes(page.title)
    keyword_terms = [t for k in words for t in termes(k)]
    out = []
    for index, sec in enumerate(sections(page.title, page.body)):
        text = _squash("".join(sec.text))
        location = url + (f"#{sec.anchor}" if sec.anchor else "")
        title = sec.title if sec.anchor else page.title
        body, heading = termes(text), termes(title)
        found, titled = set(body) | set(heading), set(heading)
        # The mentor's words count as a title's when the title says it the content's way.
        in_title = sorted({t for phrases, mentor in vocab
                           if any(set(p) <= titled for p in phrases) for t in mentor})
        extra = sorted({t for phrases, mentor in vocab
                        if any(set(p) <= found for p in phrases) for t in mentor}
                       - set(in_title))
        out.append(([location, page.title, title if sec.anchor else "", preview(text)],
                    {"titre": heading + in_title, "page": page_terms,
                     "mots" if index == 0 else "mots_page": keyword_terms,
                     "vocabulaire": extra, "texte": body}))
    return out


def build_index(pages: Iterable[Any], vocabulaire: Iterable[Any] = (),
                keywords: dict[str, list[str]] | None = None,
                boosts: dict[str, float] | None = None) -> dict[str, Any]:
    """pages: objects with `doc`, `title`, `body`; keywords: docs path -> search keywords;
    boosts: docs path -> weight factor (the safety pages come first on a tie)."""
    boosts = boosts or {}
    vocab = vocabulary_terms(vocabulaire)
    keywords = keywords or {}
    docs: list[list[str]] = []
    fields: list[dict[str, list[str]]] = []
    page_of: list[str] = []
    known: dict[str, list[tuple[list[str], dict[str, list[str]]]]] = {}
    for page in pages:
        words = keywords.get(page.doc, [])
        key = hashlib.sha256(json.dumps([page.doc, page.title, page.body, words, vocab],
                                        ensure_ascii=False).encode()).hexdigest()
        analysed = known[key] = _ANALYSED.get(key) or _analyse(page, words, vocab)
        for entry, field in analysed:
            page_of.append(page.doc)
            docs.append(entry)
            fields.append(field)
    _ANALYSED.clear()  # only the pages of this index stay known
    _ANALYSED.update(known)
    lengths = [len(f["texte"]) + 1 for f in fields]
    average = sum(lengths) / max(len(lengths), 1)
    postings: dict[str, list[tuple[int, float]]] = {}
    factors = [boosts.get(page_of[n], 1.0) for n in range(len(fields))]
    for number, f in enumerate(fields):
        weights: dict[str, float] = {}
        for name, terms in f.items():
            counts: dict[str, int] = {}
            for t in terms:
                counts[t] = counts.get(t, 0) + 1
            for t, n in counts.items():
                tf = n
                if name == "texte":  # BM25 saturation, long sections normalised
                    k, b = 1.2, 0.75
                    tf = n * (k + 1) / (n + k * (1 - b + b * lengths[number] / average))
                weights[t] = weights.get(t, 0.0) + WEIGHTS[name] * tf * factors[number]
        for t, w in weights.items():
            postings.setdefault(t, []).append((number, w))
    total = len(fields)
    terms: dict[str, list[Any]] = {}
    for t in sorted(postings):
        entries = postings[t]
        idf = math.log(1 + (total - len(entries) + 0.5) / (len(entries) + 0.5))
        flat: list[Any] = []
        for number, w in entries:
            flat += [number, round(w, 2)]
        terms[t] = [round(idf, 3), flat]
    return {"docs": [[d[0], html.escape(d[1]), html.escape(d[2]), html.escape(d[3])]
                     for d in docs],
            "termes": terms, "vides": STOP_WORDS, "finales": list(ENDINGS)}


def index_script(index: dict[str, Any]) -> str:
    """The index as a script (loads from file:// too); `<` escaped for a script context."""
    data = json.dumps(index, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return ("// Généré par build.py : index de la recherche du site (voir powao/recherche.py).\n"
            f"window.__powaoIndex = {data};\n")
