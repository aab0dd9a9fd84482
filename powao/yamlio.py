"""Strict YAML reading that never changes what the author wrote.

PyYAML follows YAML 1.1: `non` becomes False, `14:30` becomes 870, `01000`
becomes 512 and `2025-03-01` a date; duplicate keys silently overwrite each
other and aliases allow "billion laughs" documents. Here only the unambiguous
plain scalars are typed (integers without leading zero, decimals with a dot,
`true`/`false`, `null`); everything else stays the string the author typed.
Duplicate keys, anchors/aliases and explicit tags are errors. Every value's
line is recorded so that validation messages can point at it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path_ = tuple[Any, ...]

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]+)([eE][-+]?[0-9]+)?")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    None,
}


@dataclass
class YamlIssue:
    line: int
    message: str
    field: str = ""


@dataclass
class Parsed:
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    issues: list[YamlIssue] = field(default_factory=list)


class _NoAliasComposer(Composer):
    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None,
                "les alias YAML (*nom) ne sont pas acceptés : recopiez la valeur",
                event.start_mark)
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise yaml.MarkedYAMLError(
                None, None,
                f"les ancres YAML (&{anchor}) ne sont pas acceptées : recopiez la valeur",
                event.start_mark)
        return super().compose_node(parent, index)


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
              _NoAliasComposer, yaml.resolver.BaseResolver):
    """Composes nodes only; scalars are typed by `_scalar` below."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _NoAliasComposer.__init__(self)
        yaml.resolver.BaseResolver.__init__(self)


def _scalar(node: ScalarNode) -> Any:
    if node.style:  # quoted or block scalar: always a string (plain: None, or "" from libyaml)
        return node.value
    value = node.value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    return value


def _tag_ok(node: Node) -> bool:
    if node.tag in _STANDARD_TAGS:
        return True
    # Implicit tags set by BaseResolver for untagged nodes.
    return node.tag in (yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
                        yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG)


def _key_name(path: Path_) -> str:
    parts = []
    for p in path:
        if isinstance(p, int):
            parts.append(f"[{p + 1}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts)


def _build(node: Node, path: Path_, out: Parsed, line_offset: int) -> Any:
    line = node.start_mark.line + 1 + line_offset
    out.lines.setdefault(path, line)
    if not _tag_ok(node):
        out.issues.append(YamlIssue(
            line, f"étiquette YAML « {node.tag} » non autorisée : écrivez la valeur "
                  "sans étiquette (pas de !!python, !!binary…)", _key_name(path)))
        return None
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        return [_build(child, path + (i,), out, line_offset)
                for i, child in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + line_offset
            if not isinstance(key_node, ScalarNode):
                out.issues.append(YamlIssue(key_line, "une clé doit être un simple mot"))
                continue
            key = key_node.value
            if key == "<<":
                out.issues.append(YamlIssue(
                    key_line, "la fusion YAML (<<) n'est pas acceptée : recopiez les champs"))
                continue
            if key in seen:
                out.issues.append(YamlIssue(
                    key_line,
                    f"clé en double (déjà définie ligne {seen[key]}) : "
                    "gardez une seule des deux lignes", key))
                continue
            seen[key] = key_line
            out.lines[path + (key,)] = key_line
            result[key] = _build(value_node, path + (key,), out, line_offset)
        return result
    return None  # pragma: no cover - PyYAML has no other node kinds


def _tab_issues(text: str, line_offset: int) -> list[YamlIssue]:
    issues = []
    for number, line in enumerate(text.split("\n"), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            issues.append(YamlIssue(
                number + line_offset,
                "tabulation dans l'indentation : le YAML n'accepte que des espaces "
                "(remplacez chaque tabulation par deux espaces)"))
    return issues


_FAST = getattr(yaml, "__with_libyaml__", False)


def _compose_fast(text: str) -> Node | None:
    """Compose with libyaml (about ten times faster) when the text is clean.

    Returns None when libyaml is missing, when the text uses anchors or aliases, or
    when it does not parse: the pure-Python composer then reports the problem with
    our French messages. CBaseLoader types nothing: scalars keep their text.
    """
    if not _FAST:
        return None
    try:
        for event in yaml.parse(text, Loader=yaml.CBaseLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return None
        node = yaml.compose(text, Loader=yaml.CBaseLoader)
    except yaml.YAMLError:
        return None
    return node


MAX_DEPTH = 40  # lists and fields nested deeper than this are never content


def _depth_issue(text: str, line_offset: int) -> YamlIssue | None:
    """Nesting deeper than MAX_DEPTH is refused before any recursive step runs (the
    event parser is iterative: thousands of « [ » cannot exhaust the stack)."""
    depth = 0
    try:
        loader = yaml.CBaseLoader if _FAST else yaml.BaseLoader
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 + line_offset if event.start_mark else 1
                    return YamlIssue(line, f"imbrication trop profonde (plus de {MAX_DEPTH} "
                                           "niveaux de listes ou de champs) : simplifiez la "
                                           "structure")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None  # a syntax problem: the composer below explains it
    return None


def parse_yaml(text: str, line_offset: int = 0) -> Parsed:
    """Parse one YAML document; problems are returned, never raised."""
    tabs = _tab_issues(text, line_offset)
    if tabs:
        return Parsed(None, {}, tabs)
    deep = _depth_issue(text, line_offset)
    if deep:
        return Parsed(None, {}, [deep])
    out = Parsed(None)
    node = _compose_fast(text)
    try:
        if node is None:  # libyaml absent, or the text has a problem to explain
            loader = _Loader(text)
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An unclosed bracket or quote is reported where the reader gave up;
        # the author needs the line where it was opened.
        context = exc.context or ""
        if exc.context_mark and ("flow" in context or "quoted" in context):
            mark = exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        column = (mark.column + 1) if mark else 0
        out.issues.append(YamlIssue(line, f"YAML mal formé (colonne {column}) : "
                                          f"{_french_yaml_problem(exc)}"))
        return out
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 + line_offset
        out.issues.append(YamlIssue(line, f"caractère invisible U+{exc.character:04X} interdit "
                                          "(souvent venu d'un copier-coller) : supprimez-le"))
        return out
    except yaml.YAMLError:  # pragma: no cover - defensive
        out.issues.append(YamlIssue(line_offset + 1, "YAML illisible : vérifiez l'indentation, "
                                                     "les « : » et les guillemets"))
        return out
    if node is None:
        out.data = None
        return out
    out.data = _build(node, (), out, line_offset)
    return out


_PROBLEMS = [
    ("mapping values are not allowed here",
     "deux-points inattendu ; mettez la valeur entre guillemets si elle contient « : »"),
    ("could not find expected ':'", "il manque « : » après le nom du champ"),
    ("found character '\\t'", "tabulation interdite ; utilisez des espaces"),
    ("expected <block end>, but found", "indentation incohérente ; alignez les champs"),
    ("found undefined alias", "alias YAML inconnu"),
    ("found unexpected end of stream", "guillemet ou crochet non fermé"),
    ("while scanning a quoted scalar", "guillemet non fermé"),
    ("expected ',' or ']'", "crochet « [ » non fermé ou virgule manquante"),
    ("expected ',' or '}'", "accolade « { » non fermée ou virgule manquante"),
    ("found unknown escape character", "séquence d'échappement inconnue entre guillemets"),
    ("did not find expected key", "indentation incohérente ou tiret mal placé"),
    ("did not find expected '-' indicator", "élément de liste mal aligné"),
    ("found character that cannot start any token",
     "caractère inattendu ; mettez la valeur entre guillemets"),
]


def _french_yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or ""
    if problem and not problem.isascii():  # our own French messages
        return problem
    text = f"{exc.context or ''} {problem}"
    for needle, french in _PROBLEMS:
        if needle in text:
            return french
    return "syntaxe YAML invalide ; vérifiez l'indentation, les « : » et les guillemets"


def line_of(lines: dict[Path_, int], loc: Path_, default: int = 1) -> int:
    """Line of `loc`, or of its closest recorded ancestor."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get((), default)
