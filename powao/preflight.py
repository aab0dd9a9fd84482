"""Print preflight: what a laid-out PDF would do wrong on paper.

Run on WeasyPrint's laid-out document (its pages and boxes), right after layout and
before the PDF is written, by every build that writes PDFs. Each finding names the
source file and line it comes from where the HTML says so (`data-source` on a
handout, a fiche, a module) or where its text can be found in that file:

* ``titre-isole``: a heading or a bold lead-in paragraph is the last text of a page;
* ``ligne-coupee``: a table row is split across two pages with an empty cell;
* ``debordement``: a handout takes more pages than it declares (``{{ pages: N }}``);
* ``page-creuse``: a page is less than 15 % filled and is not the end of a section;
* ``hors-zone``: text lies outside the printable area (off the text block, or less
  than 5 mm from the edge of the sheet).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem

PX_MM = 25.4 / 96
FILL_MIN = 0.15
EDGE_MM = 5.0
SLACK_MM = 1.0
LINE_MM = 6.0            # one line of handout text, to say an overflow in lines
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
FORCED = {"page", "left", "right", "recto", "verso"}


@dataclass
class Finding:
    kind: str
    source: str
    line: int
    message: str

    def problem(self) -> Problem:
        return Problem(self.source, self.line, f"contrôle d'impression : {self.message}",
                       warning=True)


@dataclass
class Leaf:
    """Something printed: a line of text, an image, a drawn rule or box."""
    box: object
    chain: tuple            # elements from the root down to the box's own element
    text: str
    top: float
    bottom: float


@dataclass
class PageScan:
    leaves: list[Leaf] = field(default_factory=list)
    rows: dict[int, tuple] = field(default_factory=dict)   # id(tr) -> (tr, [cell has text])
    forced: set[int] = field(default_factory=set)           # elements with a forced break
    top: float = 0.0
    bottom: float = 0.0
    left: float = 0.0
    right: float = 0.0
    width: float = 0.0
    height: float = 0.0


def _text(box) -> str:
    return "".join(getattr(b, "text", "") for b in box.descendants()
                   if type(b).__name__ == "TextBox")


def _has_text(box) -> bool:
    return any(getattr(b, "text", "").strip() for b in box.descendants()
               if type(b).__name__ == "TextBox")


def scan_page(page) -> PageScan:
    from weasyprint.formatting_structure import boxes
    pb = page._page_box
    scan = PageScan(top=pb.content_box_y(), left=pb.content_box_x(), width=page.width,
                    height=page.height)
    scan.bottom, scan.right = scan.top + pb.height, scan.left + pb.width
    _walk(pb, (), scan, boxes)
    return scan


def _walk(box, chain: tuple, scan: PageScan, b) -> None:
    """Note what a page's boxes hold (`b`: WeasyPrint's box classes). A module function,
    not a closure that calls itself: such a closure is a reference cycle, which kept
    every box it noted alive until the garbage collector's next full pass."""
    if isinstance(box, (b.MarginBox, b.FootnoteAreaBox)):
        return
    element = getattr(box, "element", None)
    if element is not None and (not chain or chain[-1] is not element):
        chain = chain + (element,)
    if element is not None and box.style["break_before"] in FORCED:
        scan.forced.add(id(element))
    if isinstance(box, b.TableRowBox) and element is not None and not any(
            e.tag in ("thead", "tfoot") for e in chain):  # headers repeat, they don't split
        scan.rows[id(element)] = (element, [_has_text(cell) for cell in box.children])
    if isinstance(box, b.LineBox):
        text = _text(box)
        if text.strip():
            scan.leaves.append(Leaf(box, chain, text, box.position_y,
                                    box.position_y + box.height))
            return
    elif isinstance(box, b.ReplacedBox) or (
            not getattr(box, "children", None) and (box.border_bottom_width or box.border_top_width)
            and box.height is not None and box.width):
        scan.leaves.append(Leaf(box, chain, "", box.position_y,
                                box.position_y + box.margin_height()))
        return
    for child in getattr(box, "children", ()):
        _walk(child, chain, scan, b)


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def is_lead_in(element) -> bool:
    return element.tag == "p" and "powao-amorce" in _classes(element)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", text.encode("ascii", "ignore").decode().lower())


class Sources:
    """Source files of a document, to turn a printed text back into file:line."""

    def __init__(self, root: Path, default: str):
        self.root, self.default = root, default
        self._lines: dict[str, list[str]] = {}

    def lines(self, rel: str) -> list[str]:
        if rel not in self._lines:
            try:
                text = (self.root / rel).read_text(encoding="utf-8")
            except OSError:
                text = ""
            self._lines[rel] = [_norm(line) for line in text.split("\n")]
        return self._lines[rel]

    def locate(self, chain: tuple, text: str = "") -> tuple[str, int]:
        rel, line = self.default, 0
        for element in reversed(chain):
            found = element.get("data-source")
            if found:
                rel, _, number = found.partition(":")
                line = int(number) if number.isdigit() else 0
                break
        wanted = _norm(text)[:40]
        if len(wanted) >= 4:
            for number, content in enumerate(self.lines(rel), start=1):
                if wanted in content or (len(content) >= 8 and content in wanted):
                    return rel, number
        return rel, line


def handout_use(scans: list[PageScan]) -> dict[int, dict]:
    """For each section that declares its pages (data-pages): the element, the pages
    it was printed on and how far it ran past its declared pages (CSS px)."""
    use: dict[int, dict] = {}
    for index, scan in enumerate(scans):
        for leaf in scan.leaves:
            for element in leaf.chain:
                if element.get("data-pages"):
                    entry = use.setdefault(id(element), {"element": element, "pages": {},
                                                         "chain": leaf.chain})
                    bottom = entry["pages"].get(index, scan.top)
                    entry["pages"][index] = max(bottom, leaf.bottom)
                    break
    for entry in use.values():
        declared = int(entry["element"].get("data-pages"))
        pages = sorted(entry["pages"])
        entry["declared"], entry["used"] = declared, len(pages)
        entry["overflow"] = sum(entry["pages"][p] - scans[p].top for p in pages[declared:])
    return use


def inspect(document, root: Path, default_source: str) -> list[Finding]:
    scans = [scan_page(page) for page in document.pages]
    sources = Sources(root, default_source)
    findings: list[Finding] = []
    findings += _stranded(scans, sources)
    findings += _split_rows(scans, sources)
    findings += _overflows(scans, sources)
    findings += _hollow(scans, sources)
    findings += _outside(scans, sources)
    return findings


def _content_pages(scans: list[PageScan]) -> list[int]:
    return [i for i, s in enumerate(scans) if s.leaves]


def _stranded(scans: list[PageScan], sources: Sources) -> list[Finding]:
    out = []
    content = _content_pages(scans)
    for index in content[:-1]:
        last = scans[index].leaves[-1]
        if not last.text:
            continue
        block = last.chain[-1] if last.chain else None
        while block is not None and block.tag in ("strong", "b", "em", "span", "a"):
            position = last.chain.index(block)
            block = last.chain[position - 1] if position else None
        if block is None:
            continue
        if block.tag in HEADINGS or is_lead_in(block):
            what = "le titre" if block.tag in HEADINGS else "le paragraphe d'amorce"
            title = " ".join(last.text.split())
            rel, line = sources.locate(last.chain, title)
            out.append(Finding("titre-isole", rel, line,
                               f"{what} « {title} » est la dernière ligne de la page "
                               f"{index + 1} : il est séparé de ce qu'il annonce"))
    return out


def _split_rows(scans: list[PageScan], sources: Sources) -> list[Finding]:
    out, seen = [], {}
    for index, scan in enumerate(scans):
        for key, (element, cells) in scan.rows.items():
            if key in seen and seen[key][0] == index - 1:
                previous = seen[key][1]
                if not all(previous) or not all(cells):
                    texts = [" ".join("".join(c.itertext()).split()) for c in element]
                    text = " · ".join(t for t in texts if t)
                    chain = _chain_of(scans, element)
                    rel, line = sources.locate(chain)
                    for cell in sorted(texts, key=len, reverse=True):
                        rel, line = sources.locate(chain, cell)
                        if line:
                            break
                    out.append(Finding("ligne-coupee", rel, line,
                                       f"une ligne de tableau (« {text[:60]} ») est coupée "
                                       f"entre les pages {index} et {index + 1} avec une "
                                       "cellule vide"))
            seen[key] = (index, cells)
    return out


def _chain_of(scans: list[PageScan], element) -> tuple:
    for scan in scans:
        for leaf in scan.leaves:
            if element in leaf.chain:
                return leaf.chain
    return ()


def _overflows(scans: list[PageScan], sources: Sources) -> list[Finding]:
    out = []
    for entry in handout_use(scans).values():
        if entry["used"] <= entry["declared"]:
            continue
        element = entry["element"]
        mm = entry["overflow"] * PX_MM
        lines = max(1, round(mm / LINE_MM))
        title = element.get("data-titre-court") or element.get("data-titre") or ""
        rel, line = sources.locate(entry["chain"])
        declared = entry["declared"]
        out.append(Finding(
            "debordement", rel, line,
            f"le document « {title} » tient sur {entry['used']} pages au lieu de "
            f"{declared} : il déborde de {mm:.0f} mm (environ {lines} ligne"
            f"{'s' if lines > 1 else ''}) ; raccourcissez-le ou écrivez "
            f"« {{{{ pages: {entry['used']} }}}} » sous son titre"))
    return out


def _forced_start(scans: list[PageScan], index: int, first_page: dict[int, int]) -> bool:
    scan = scans[index]
    if not scan.leaves:
        return True
    for element in scan.leaves[0].chain:
        if first_page.get(id(element)) == index and id(element) in scan.forced:
            return True
    return False


def _hollow(scans: list[PageScan], sources: Sources) -> list[Finding]:
    first_page: dict[int, int] = {}
    for index, scan in enumerate(scans):
        for leaf in scan.leaves:
            for element in leaf.chain:
                first_page.setdefault(id(element), index)
    out = []
    content = _content_pages(scans)
    for position, index in enumerate(content[:-1]):
        scan = scans[index]
        fill = (max(leaf.bottom for leaf in scan.leaves) - scan.top) / (scan.bottom - scan.top)
        if fill >= FILL_MIN or index + 1 < len(scans) and _forced_start(scans, index + 1, first_page):
            continue
        last = scan.leaves[-1]
        rel, line = sources.locate(last.chain, last.text)
        out.append(Finding("page-creuse", rel, line,
                           f"la page {index + 1} n'est remplie qu'à {fill:.0%} sans finir une "
                           "section : raccourcissez ce qui précède ou laissez passer la suite"))
    return out


def _outside(scans: list[PageScan], sources: Sources) -> list[Finding]:
    from weasyprint.formatting_structure import boxes as b
    out = []
    slack, edge = SLACK_MM / PX_MM, EDGE_MM / PX_MM
    for index, scan in enumerate(scans):
        for leaf in scan.leaves:
            if not leaf.text:
                continue
            for box in leaf.box.descendants():
                if not isinstance(box, b.TextBox) or not box.text.strip():
                    continue
                x0, x1 = box.position_x, box.position_x + box.width
                y0, y1 = box.position_y, box.position_y + box.height
                off_block = x1 > scan.right + slack or x0 < scan.left - slack
                off_sheet = (x0 < edge or y0 < edge or x1 > scan.width - edge
                             or y1 > scan.height - edge)
                if off_block or off_sheet:
                    rel, line = sources.locate(leaf.chain, leaf.text)
                    out.append(Finding("hors-zone", rel, line,
                                       f"page {index + 1} : le texte « {box.text.strip()[:40]} » "
                                       "sort de la zone imprimable"))
                    break
    return out
