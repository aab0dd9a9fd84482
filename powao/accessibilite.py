"""PDF/UA-1 finishing of every PDF the toolchain writes.

WeasyPrint 70 tags a PDF from the HTML structure (`pdf_tags=True`), but leaves gaps
that a screen reader hears (see its open issues on page furniture and alt texts):

- the content of page margin boxes (folios, running heads, footers, banners) is
  marked with MCIDs whose structure elements hang outside the tree, instead of
  being artifacts;
- `aria-hidden`, `alt=""`, `aria-label`, `lang` on inner elements and `role` are
  dropped; table header cells get no `Scope`; footnotes are plain spans;
- some list items hold content outside `LBody`; description lists put `Div`
  between `L` and `LI`;
- nothing declares PDF/UA conformance in XMP.

Two steps close them, both in the common write path (`pdf.write_pdf`):

1. `tagging()`: while WeasyPrint builds its structure tree, each element is given
   what its HTML element says (`aria-hidden`/`alt=""`/`role=presentation` → to become
   an artifact, `lang` → `/Lang`, `role=note` or a CSS footnote → `Note` with an `ID`, `scope` →
   `/Scope`, `aria-label` → `/Alt` or `/ActualText`, an SVG's `<title>` and `<desc>`
   → its `/Alt`).
2. `finish()`: one pikepdf pass that turns the margin-box and hidden content into
   `/Artifact` marked content, repairs lists and table headers, sets the tab order,
   checks the result and only then writes the PDF/UA identification in XMP.
   It only rewrites what needs it and saves deterministically.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

SVG = "{http://www.w3.org/2000/svg}"
HIDDEN_ROLES = {"presentation", "none"}
# A marker role, set while tagging and removed by finish(): never left in a PDF.
TO_ARTIFACT = "PowaoArtefact"


# -- step 1: what the HTML says, passed to WeasyPrint's structure tree ---------------------
def _svg_text(element, name: str) -> str:
    found = element.find(SVG + name)
    return " ".join((found.text or "").split()) if found is not None else ""


def _annotate(element, box, note: bool = False) -> None:
    """Give a structure element what its HTML element says (WeasyPrint drops it)."""
    import pydyf

    html = getattr(box, "element", None)
    tag = getattr(box, "element_tag", None)
    if html is None or tag is None or "::" in str(tag) or tag in ("html", "body"):
        return  # pseudo-elements and anonymous boxes inherit through the tree
    attrib = html.attrib
    role = attrib.get("role", "").strip().lower()
    hidden = (attrib.get("aria-hidden", "").lower() == "true" or role in HIDDEN_ROLES
              or (tag in ("img", SVG + "svg") and attrib.get("alt") == ""))
    if hidden:
        element["S"] = "/" + TO_ARTIFACT
        return
    if attrib.get("lang"):
        element["Lang"] = pydyf.String(attrib["lang"])
    label = " ".join(attrib.get("aria-label", "").split())
    kind = str(element["S"])
    if kind == "/Figure":
        if tag == SVG + "svg":
            title, desc = _svg_text(html, "title"), _svg_text(html, "desc")
            text = desc if title in desc else f"{title.rstrip('.')}. {desc}".strip(". ")
            label = label or text
        if label:
            element["Alt"] = pydyf.String(label)
    elif label and kind == "/Span":
        element["ActualText"] = pydyf.String(label)
    elif label and kind in ("/TH", "/TD"):
        element["Alt"] = pydyf.String(label)
    if role == "note" or note:
        element["S"] = "/Note"
        element["ID"] = pydyf.String(f"note-{element.number}")
    if kind == "/TH":
        scope = attrib.get("scope", "col").lower()
        attributes = element.get("A") or pydyf.Dictionary({"O": "/Table"})
        attributes["Scope"] = "/" + {"row": "Row", "rowgroup": "Row", "both": "Both"}.get(
            scope, "Column")
        element["A"] = attributes


@contextmanager
def tagging():
    """Let WeasyPrint's tagger read the accessibility attributes of each element."""
    import pydyf
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    boxes: list = []  # the boxes being tagged, outermost first

    def build_box_tree(box, *args):
        real = getattr(box, "_box", box)  # absolute placeholders
        own = not (getattr(real, "element_tag", None) in ("html", "body")
                   or type(real).__name__ in ("PageBox", "MarginBox"))
        # a box laid out in the footnote area is a footnote
        note = bool(boxes) and type(boxes[-1]).__name__ == "FootnoteAreaBox"
        boxes.append(real)
        try:
            for element in original(box, *args):
                if own:
                    _annotate(element, real, note)
                yield element
        finally:
            boxes.pop()

    tags._build_box_tree = build_box_tree
    references = pydyf.PDF.page_references
    pydyf.PDF.page_references = property(_page_references)
    try:
        yield
    finally:
        tags._build_box_tree = original
        pydyf.PDF.page_references = references


def _page_references(pdf) -> tuple:
    """pydyf's list of page references, built once per page count: WeasyPrint's tagger
    asks for it for every structure element, and pydyf builds it anew each time (a
    quarter of the time of writing a 177-page binder). The same references."""
    kids = pdf.pages["Kids"]
    known = getattr(pdf, "_powao_pages", None)
    if known is None or known[0] != len(kids):
        known = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf._powao_pages = known
    return known[1]


# -- step 2: pikepdf pass --------------------------------------------------------------------
MARKED = re.compile(rb"/([A-Za-z0-9_.]+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
ARTIFACT = {"pagination": b"/Artifact <</Type /Pagination>> BDC",
            "layout": b"/Artifact <</Type /Layout>> BDC"}
LIST_PARTS = {"/Lbl", "/LBody"}


@dataclass
class Rapport:
    """What finish() did and what still keeps the document from PDF/UA-1."""

    artefacts: int = 0
    problemes: list[str] = field(default_factory=list)

    @property
    def conforme(self) -> bool:
        return not self.problemes


def _kids(element) -> list:
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_element(obj) -> bool:
    import pikepdf

    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj


def _mcids(element, page_of, found: dict) -> None:
    """Every (page key, MCID) marked by an element and its descendants."""
    import pikepdf

    page = element.get("/Pg", page_of)
    for kid in _kids(element):
        if isinstance(kid, int):
            found.setdefault(page.objgen, set()).add(int(kid))
        elif _is_element(kid):
            _mcids(kid, page, found)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            found.setdefault(kid.get("/Pg", page).objgen, set()).add(int(kid.MCID))


class _Finisher:
    def __init__(self, pdf, lang: str):
        import pikepdf

        self.pikepdf = pikepdf
        self.pdf = pdf
        self.lang = lang
        self.report = Rapport()
        self.hidden: dict[tuple, set[int]] = {}  # page objgen -> MCIDs of hidden elements
        self.reachable: set[tuple] = set()
        self.moved_mcids: list = []  # (MCID, page, new LBody) for the parent tree

    # the tree
    def walk(self) -> None:
        """Drop hidden subtrees, repair lists, collect what stays reachable."""
        root = self.pdf.Root.StructTreeRoot
        stack = [(kid, None) for kid in _kids(root) if _is_element(kid)]
        while stack:
            element, page = stack.pop()
            self.reachable.add(element.objgen)
            page = element.get("/Pg", page)
            kids = _kids(element)
            kept = [kid for kid in kids if not self._hide(kid, page)]
            kept = kids if len(kept) == len(kids) else kept
            kind = element.S
            if kind == "/L":
                kept = self._flatten_list(element, kept)
            elif kind == "/LI":
                kept = self._list_item(element, kept, page)
            if kept is not kids:
                element.K = self.pikepdf.Array(kept)
            for kid in kept:
                if _is_element(kid):
                    stack.append((kid, page))

    def _hide(self, kid, page) -> bool:
        if _is_element(kid) and kid.S == "/" + TO_ARTIFACT:
            _mcids(kid, kid.get("/Pg", page), self.hidden)
            return True
        return False

    def _flatten_list(self, element, kids: list) -> list:
        """An L holds LI (and L, Caption): a Div between them (dl > div) goes."""
        out = []
        for kid in kids:
            if _is_element(kid) and kid.S in ("/Div", "/NonStruct") and all(
                    _is_element(k) and k.S in ("/LI", "/L") for k in _kids(kid)):
                for grandkid in _kids(kid):
                    grandkid.P = element
                    out.append(grandkid)
            else:
                out.append(kid)
        return kids if len(out) == len(kids) and all(
            a.objgen == b.objgen for a, b in zip(out, kids) if _is_element(a)) else out

    def _list_item(self, element, kids: list, page) -> list:
        """An LI holds Lbl and LBody only: anything else goes into an LBody."""
        if all(_is_element(k) and k.S in LIST_PARTS for k in kids):
            return kids
        out, body = [], None
        for kid in kids:
            if _is_element(kid) and kid.S in LIST_PARTS:
                out.append(kid)
                body = None
                continue
            if body is None:
                body = self.pdf.make_indirect(self.pikepdf.Dictionary(
                    Type=self.pikepdf.Name.StructElem, S=self.pikepdf.Name.LBody,
                    P=element, K=self.pikepdf.Array()))
                if page is not None:
                    body.Pg = page
                out.append(body)
            body.K.append(kid)
            if _is_element(kid):
                kid.P = body
            else:
                self.moved_mcids.append((kid, page, body))
        return out

    # the content
    def artifacts(self) -> None:
        """Margin-box and hidden content becomes /Artifact marked content."""
        pikepdf = self.pikepdf
        root = self.pdf.Root.StructTreeRoot
        nums = root.ParentTree.get("/Nums", pikepdf.Array())
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for kid, page, body in self.moved_mcids:
            key = int(page.StructParents) if page is not None and "/StructParents" in page \
                else None
            if key is not None and isinstance(parents.get(key), pikepdf.Array):
                parents[key][int(kid)] = body
        for page in self.pdf.pages:
            obj = page.obj
            obj.Tabs = pikepdf.Name.S
            if "/StructParents" not in obj:
                continue
            refs = parents.get(int(obj.StructParents))
            if not isinstance(refs, pikepdf.Array):
                continue
            hidden = self.hidden.get(obj.objgen, set())
            kinds: dict[int, str] = {}
            for mcid, ref in enumerate(refs):
                if isinstance(ref, pikepdf.Dictionary) and ref.objgen not in self.reachable:
                    kinds[mcid] = "layout" if mcid in hidden else "pagination"
                    refs[mcid] = None
                elif mcid in hidden:
                    kinds[mcid] = "layout"
                    refs[mcid] = None
            if kinds:
                self._rewrite(page, kinds)

    def _rewrite(self, page, kinds: dict[int, str]) -> None:
        data = page.obj.Contents.read_bytes() if not isinstance(
            page.obj.Contents, self.pikepdf.Array) else b"\n".join(
            s.read_bytes() for s in page.obj.Contents)

        def swap(match: re.Match[bytes]) -> bytes:
            kind = kinds.get(int(match.group(2)))
            return ARTIFACT[kind] if kind else match.group(0)

        new, count = MARKED.subn(swap, data)
        self.report.artefacts += sum(1 for _ in kinds)
        page.obj.Contents = self.pdf.make_stream(new)

    # the document
    def check(self) -> None:
        """The machine-checkable requirements this pass guarantees; anything left
        keeps the PDF/UA identification out of the XMP."""
        problems = self.report.problemes
        catalog = self.pdf.Root
        if not str(catalog.get("/Lang", "")).strip():
            problems.append("langue du document absente")
        if not str(self.pdf.docinfo.get("/Title", "")).strip():
            problems.append("titre du document absent")
        for element in self._elements():
            kind = element.S
            if kind == "/Figure" and not str(element.get("/Alt", "")).strip():
                problems.append("illustration sans texte de remplacement")
            elif kind == "/TH" and "/Scope" not in element.get("/A", {}):
                problems.append("en-tête de tableau sans portée")
            elif kind == "/LI" and not all(_is_element(k) and k.S in LIST_PARTS
                                          for k in _kids(element)):
                problems.append("élément de liste sans corps (LBody)")
            elif kind == "/Note" and "/ID" not in element:
                problems.append("note sans identifiant")
            elif kind == "/" + TO_ARTIFACT:
                problems.append("élément masqué resté dans l'arbre")

    def _elements(self):
        return (self.pdf.get_object(objgen) for objgen in self.reachable)

    def metadata(self, title: str, author: str, date: str) -> None:
        catalog = self.pdf.Root
        catalog.ViewerPreferences = self.pikepdf.Dictionary(DisplayDocTitle=True)
        catalog.MarkInfo = self.pikepdf.Dictionary(Marked=True)
        catalog.Lang = self.pikepdf.String(self.lang)
        xmp = _xmp(title, author, self.lang, date, self.report.conforme)
        catalog.Metadata = self.pdf.make_stream(xmp.encode("utf-8"),
                                                Type=self.pikepdf.Name.Metadata,
                                                Subtype=self.pikepdf.Name.XML)


def _xmp(title: str, author: str, lang: str, date: str, pdfua: bool) -> str:
    """A fixed XMP packet: same inputs, same bytes (no wall clock, no random id)."""
    ua = ('  <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\n'
          '   <pdfuaid:part>1</pdfuaid:part>\n  </rdf:Description>\n') if pdfua else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li>'
        '</rdf:Alt></dc:title>\n'
        f'   <dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>\n'
        f'   <dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>\n'
        '  </rdf:Description>\n'
        '  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">\n'
        f'   <xmp:CreateDate>{date}</xmp:CreateDate>\n'
        f'   <xmp:ModifyDate>{date}</xmp:ModifyDate>\n'
        f'   <xmp:MetadataDate>{date}</xmp:MetadataDate>\n'
        '   <xmp:CreatorTool>Chaîne de publication POWAO</xmp:CreatorTool>\n'
        '  </rdf:Description>\n'
        f'{ua}'
        ' </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>')


def finish(path: Path, date: _dt.datetime) -> Rapport:
    """Make the PDF at `path` meet the machine-checkable PDF/UA-1 requirements (in place,
    deterministic)."""
    import pikepdf

    tmp = path.with_name(f".{path.name}.{os.getpid()}.ua")
    with pikepdf.open(path) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            report = Rapport(problemes=["document non balisé"])
        else:
            lang = str(pdf.Root.get("/Lang", "")) or "fr"
            finisher = _Finisher(pdf, lang)
            finisher.walk()
            finisher.artifacts()
            finisher.check()
            info = pdf.docinfo
            finisher.metadata(str(info.get("/Title", "")), str(info.get("/Author", "")),
                              date.strftime("%Y-%m-%dT%H:%M:%SZ"))
            report = finisher.report
        # WeasyPrint writes the PDF uncompressed (pdf.write_document): its streams and
        # objects are compressed here, once, by qpdf (C++), instead of by pydyf at
        # level 9 and then again for every page this pass rewrites (half the time of
        # writing a PDF; 2 % larger).
        pdf.save(tmp, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    os.replace(tmp, path)
    return report
