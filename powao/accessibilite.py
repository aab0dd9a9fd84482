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

Two steps close them, both in the common write path (`write`, called by
`pdf.write_document`):

1. `tagging()`: while WeasyPrint builds its structure tree, each element is given
   what its HTML element says (`aria-hidden`/`alt=""`/`role=presentation` → to become
   an artifact, `lang` → `/Lang`, `role=note` or a CSS footnote → `Note` with an `ID`, `scope` →
   `/Scope`, `aria-label` → `/Alt` or `/ActualText`, an SVG's `<title>` and `<desc>`
   → its `/Alt`).
2. `Finition`: a pass over WeasyPrint's PDF objects before they are written (its
   `finisher`) turns the margin-box and hidden content into `/Artifact` marked
   content, repairs lists, sets the tab order, checks the result and only then
   writes the PDF/UA identification in XMP. pikepdf (qpdf) then compresses the file
   and saves it deterministically.
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
# A marker role, set while tagging and removed by the structure pass: never left in a PDF.
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


# -- step 2: the structure pass, before the PDF is written ------------------------------------
MARKED = re.compile(rb"/([A-Za-z0-9_.]+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
ARTIFACT = {"pagination": b"/Artifact <</Type /Pagination>> BDC",
            "layout": b"/Artifact <</Type /Layout>> BDC"}
LIST_PARTS = {"/Lbl", "/LBody"}
NULL = b"null"


@dataclass
class Rapport:
    """What the structure pass did and what still keeps the document from PDF/UA-1."""

    artefacts: int = 0
    problemes: list[str] = field(default_factory=list)

    @property
    def conforme(self) -> bool:
        return not self.problemes


def _text(value) -> str:
    """The text of a pydyf string (or of a plain value)."""
    return str(getattr(value, "string", value) or "")


class _Finisher:
    """Works on WeasyPrint's PDF objects (pydyf) once the pages are drawn and tagged,
    before they are written: plain Python objects, where an edit costs nothing. A kid
    in a structure element's `K` is an MCID (int) or an object reference (b"12 0 R")."""

    def __init__(self, pdf, lang: str):
        import pydyf

        self.pydyf = pydyf
        self.pdf = pdf
        self.objects = pdf.objects
        self.lang = lang
        self.report = Rapport()
        self.hidden: dict[bytes, set[int]] = {}  # page reference -> MCIDs of hidden elements
        self.reachable: dict[int, object] = {}  # object number -> element in the tree
        self.moved: list = []  # (kid, page reference, new LBody) for the parent tree

    def resolve(self, reference):
        return self.objects[int(reference.split(b" ", 1)[0])]

    def element(self, kid):
        """The structure element a kid refers to; None for an MCID or an OBJR/MCR."""
        if isinstance(kid, bytes):
            obj = self.resolve(kid)
            if isinstance(obj, dict) and "S" in obj:
                return obj
        return None

    def _mcids(self, element, page, found: dict) -> None:
        """Every (page, MCID) marked by an element and its descendants."""
        page = element.get("Pg", page)
        for kid in element.get("K") or ():
            if isinstance(kid, int):
                found.setdefault(page, set()).add(kid)
            elif (child := self.element(kid)) is not None:
                self._mcids(child, page, found)
            elif isinstance(kid, bytes) and (ref := self.resolve(kid)).get("Type") == "/MCR":
                found.setdefault(ref.get("Pg", page), set()).add(int(ref["MCID"]))

    # the tree
    def walk(self) -> None:
        """Drop hidden subtrees, repair lists, collect what stays reachable."""
        root = self.resolve(self.pdf.catalog["StructTreeRoot"])
        stack = [(e, None) for e in map(self.element, root.get("K") or ()) if e is not None]
        while stack:
            element, page = stack.pop()
            self.reachable[element.number] = element
            page = element.get("Pg", page)
            kids = [(kid, self.element(kid)) for kid in element.get("K") or ()]
            kept = [(kid, child) for kid, child in kids if not self._hide(child, page)]
            kind = element["S"]
            if kind == "/L":
                kept = self._flatten_list(element, kept)
            elif kind == "/LI":
                kept = self._list_item(element, kept, page)
            if [kid for kid, _ in kept] != [kid for kid, _ in kids]:
                element["K"] = self.pydyf.Array([kid for kid, _ in kept])
            stack.extend((child, page) for _, child in kept if child is not None)

    def _hide(self, child, page) -> bool:
        if child is not None and child["S"] == "/" + TO_ARTIFACT:
            self._mcids(child, child.get("Pg", page), self.hidden)
            return True
        return False

    def _flatten_list(self, element, kids: list) -> list:
        """An L holds LI (and L, Caption): a Div between them (dl > div) goes."""
        out = []
        for kid, child in kids:
            grandkids = [(k, self.element(k)) for k in child.get("K") or ()] \
                if child is not None and child["S"] in ("/Div", "/NonStruct") else None
            if grandkids is not None and all(
                    g is not None and g["S"] in ("/LI", "/L") for _, g in grandkids):
                for grandkid, grandchild in grandkids:
                    grandchild["P"] = element.reference
                    out.append((grandkid, grandchild))
            else:
                out.append((kid, child))
        return out

    def _list_item(self, element, kids: list, page) -> list:
        """An LI holds Lbl and LBody only: anything else goes into an LBody."""
        if all(child is not None and child["S"] in LIST_PARTS for _, child in kids):
            return kids
        pydyf = self.pydyf
        out, body = [], None
        for kid, child in kids:
            if child is not None and child["S"] in LIST_PARTS:
                out.append((kid, child))
                body = None
                continue
            if body is None:
                body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody",
                                         "P": element.reference, "K": pydyf.Array()})
                if page is not None:
                    body["Pg"] = page
                self.pdf.add_object(body)
                out.append((body.reference, body))
            body["K"].append(kid)
            if child is not None:
                child["P"] = body.reference
            else:
                self.moved.append((kid, page, body))
        return out

    # the content
    def artifacts(self) -> None:
        """Margin-box and hidden content becomes /Artifact marked content."""
        root = self.resolve(self.pdf.catalog["StructTreeRoot"])
        nums = self.resolve(root["ParentTree"]).get("Nums") or []
        parents = {nums[i]: nums[i + 1] for i in range(0, len(nums), 2)}
        for kid, page, body in self.moved:
            if isinstance(kid, int):  # an MCID: its page's entry
                key = self.resolve(page).get("StructParents") if page is not None else None
                if isinstance(parents.get(key), list):
                    parents[key][kid] = body.reference
            elif isinstance(kid, bytes) and "Obj" in (ref := self.resolve(kid)):  # an OBJR
                key = self.resolve(ref["Obj"]).get("StructParent")  # its annotation's entry
                for i in range(0, len(nums), 2):
                    if nums[i] == key:
                        nums[i + 1] = body.reference
        reachable = self.reachable
        for reference in self.pdf.page_references:
            page = self.resolve(reference)
            page["Tabs"] = "/S"
            refs = parents.get(page.get("StructParents"))
            if not isinstance(refs, list):
                continue
            hidden = self.hidden.get(reference, set())
            kinds: dict[int, str] = {}
            for mcid, ref in enumerate(refs):
                if isinstance(ref, bytes) and ref != NULL \
                        and int(ref.split(b" ", 1)[0]) not in reachable:
                    kinds[mcid] = "layout" if mcid in hidden else "pagination"
                    refs[mcid] = NULL
                elif mcid in hidden:
                    kinds[mcid] = "layout"
                    refs[mcid] = NULL
            if kinds:
                self._rewrite(page, kinds)

    def _rewrite(self, page, kinds: dict[int, str]) -> None:
        from pydyf import _to_bytes
        stream = self.resolve(page["Contents"])
        data = b"\n".join([item if type(item) is bytes else _to_bytes(item)
                            for item in stream.stream])

        def swap(match: re.Match[bytes]) -> bytes:
            kind = kinds.get(int(match.group(2)))
            return ARTIFACT[kind] if kind else match.group(0)

        stream.stream = [MARKED.sub(swap, data)]
        self.report.artefacts += len(kinds)

    # the document
    def check(self) -> None:
        """The machine-checkable requirements this pass guarantees; anything left
        keeps the PDF/UA identification out of the XMP."""
        problems = self.report.problemes
        if not _text(self.pdf.catalog.get("Lang")).strip():
            problems.append("langue du document absente")
        if not _text(self.pdf.info.get("Title")).strip():
            problems.append("titre du document absent")
        for element in self.reachable.values():
            kind = element["S"]
            if kind == "/Figure" and not _text(element.get("Alt")).strip():
                problems.append("illustration sans texte de remplacement")
            elif kind == "/TH" and "Scope" not in (element.get("A") or {}):
                problems.append("en-tête de tableau sans portée")
            elif kind == "/LI" and not all(
                    (child := self.element(kid)) is not None and child["S"] in LIST_PARTS
                    for kid in element.get("K") or ()):
                problems.append("élément de liste sans corps (LBody)")
            elif kind == "/Note" and "ID" not in element:
                problems.append("note sans identifiant")
            elif kind == "/" + TO_ARTIFACT:
                problems.append("élément masqué resté dans l'arbre")

    def metadata(self, date: str) -> None:
        pydyf, catalog = self.pydyf, self.pdf.catalog
        catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
        catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
        catalog["Lang"] = pydyf.String(self.lang)
        xmp = _xmp(_text(self.pdf.info.get("Title")), _text(self.pdf.info.get("Author")),
                   self.lang, date, self.report.conforme)
        stream = pydyf.Stream([xmp.encode("utf-8")], {"Type": "/Metadata", "Subtype": "/XML"})
        self.pdf.add_object(stream)
        catalog["Metadata"] = stream.reference


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


class Finition:
    """The structure pass as a WeasyPrint `finisher` (`Document.write_pdf`): run on the
    PDF's objects right before they are written. Its report: `rapport`."""

    def __init__(self, date: _dt.datetime):
        self.date = date
        self.rapport = Rapport(problemes=["document non balisé"])

    def __call__(self, document, pdf) -> None:
        if "StructTreeRoot" not in pdf.catalog:
            return
        finisher = _Finisher(pdf, _text(pdf.catalog.get("Lang")) or "fr")
        finisher.walk()
        finisher.artifacts()
        finisher.check()
        finisher.metadata(self.date.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.rapport = finisher.report


def write(document, target: Path, date: _dt.datetime, **options) -> Rapport:
    """Write laid-out pages as a PDF that meets the machine-checkable PDF/UA-1
    requirements (deterministic). Call inside `tagging()`."""
    import pikepdf

    finition = Finition(date)
    document.write_pdf(target, pdf_tags=True, custom_metadata=True, uncompressed_pdf=True,
                       finisher=finition, **options)
    # WeasyPrint writes the PDF uncompressed: its streams and objects are compressed
    # here, once, by qpdf (C++), instead of by pydyf at level 9 (half the time of
    # writing a PDF; 2 % larger). qpdf also leaves out the objects nothing refers to
    # any more (the margin boxes' structure elements).
    tmp = target.with_name(f".{target.name}.{os.getpid()}.ua")
    with pikepdf.open(target) as pdf:
        pdf.save(tmp, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    os.replace(tmp, target)
    return finition.rapport
