"""Keep a file readable in a diff when the form editor saves it.

Decap CMS re-serialises the whole YAML of an entry on every save: key order from
the form, comments dropped, flow lists in block style, long strings folded. Here
the saved text is merged with the file as it was, top-level field by top-level
field, in the file's own order: a field whose value did not change keeps its
original lines (and the comment lines written just above it); a changed or new
field takes Decap's text (a changed field keeps the comment lines above it, a new
field goes after the fields that precede it in the form). The merge is used only
when it loads to exactly the data Decap wrote; otherwise Decap's text is written
as is.
"""
from __future__ import annotations

import re
from typing import Any

from .yamlio import parse_yaml

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)")


def split_front(text: str) -> tuple[str, str] | None:
    """(YAML front matter, rest from its closing line on) of a Markdown file."""
    if not text.startswith("---\n"):
        return None
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return None
    return "\n".join(lines[1:end]), "\n".join(lines[end:])


def blocks(front: str) -> list[tuple[str, str]] | None:
    """The top-level fields of a YAML mapping as (key, text) in file order; comment
    lines at the margin go with the field below them, blank lines with the field
    above. None when the text is not a plain block mapping."""
    out: list[tuple[str, list[str]]] = []
    pending: list[str] = []
    for line in front.split("\n"):
        if not line.strip():
            (out[-1][1] if out else pending).append(line)
        elif line.startswith("#"):
            pending.append(line)
        elif line[0] in " \t-":
            if not out:
                return None
            if pending:  # a comment at the margin inside a field: keep it there
                out[-1][1].extend(pending)
                pending = []
            out[-1][1].append(line)
        else:
            match = _KEY.match(line)
            if not match:
                return None
            out.append((match.group(1), pending + [line]))
            pending = []
    if pending:
        if not out:
            return None
        out[-1][1].extend(pending)
    keys = [k for k, _ in out]
    if len(set(keys)) != len(keys):
        return None
    return [(key, "\n".join(lines)) for key, lines in out]


def _value(text: str) -> tuple[bool, Any]:
    parsed = parse_yaml(text)
    if parsed.issues or not isinstance(parsed.data, dict) or len(parsed.data) != 1:
        return False, None
    return True, next(iter(parsed.data.values()))


def merge_yaml(original: str, saved: str) -> str:
    """`saved` (Decap's YAML), with the original text of every unchanged field."""
    old, new = blocks(original), blocks(saved)
    if old is None or new is None:
        return saved
    old_by_key = dict(old)
    new_by_key = dict(new)
    # The file's own order for the fields it had; a new field goes right after the
    # field that precedes it in the form.
    order = [key for key, _ in old if key in new_by_key]
    before: list[str] = []
    for key, _ in new:
        if key not in old_by_key:
            placed = [order.index(k) for k in before if k in order]
            order.insert(max(placed) + 1 if placed else 0, key)
        before.append(key)
    parts = []
    for key in order:
        text = new_by_key[key]
        kept = old_by_key.get(key)
        if kept is not None:
            ok_old, value_old = _value(kept)
            ok_new, value_new = _value(text)
            if ok_old and ok_new and value_old == value_new:
                text = kept
            else:  # a changed field keeps the comment lines written above it
                lines = kept.split("\n")
                head = next(i for i, line in enumerate(lines) if _KEY.match(line))
                text = "\n".join(lines[:head] + [text])
        parts.append(text)
    merged = "\n".join(parts)
    same = parse_yaml(merged)
    target = parse_yaml(saved)
    if same.issues or target.issues or same.data != target.data:
        return saved
    return merged


def merge(original: str, saved: str, markdown: bool) -> str:
    """The text to write for `saved` (what Decap sent) over a file that held `original`."""
    if not original:
        return saved
    if not markdown:
        body = original.rstrip("\n")
        return merge_yaml(body, saved.rstrip("\n")) + original[len(body):]
    old, new = split_front(original), split_front(saved)
    if old is None or new is None:
        return saved
    front = merge_yaml(old[0], new[0])
    return "---\n" + front + "\n" + new[1]


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return value is None or value == "" or value == []


def drop_empty_optional(text: str, optional: set[str], markdown: bool) -> str:
    """Remove the top-level fields left empty in the form ("" , null, [], a block of
    empty values) when the model does not require them: Decap writes
    `heure_debut: ""` once a field was typed in and cleared, and the model reads
    the field's absence as its default, not an empty text."""
    if markdown:
        parts = split_front(text)
        if parts is None:
            return text
        front, rest = parts
    else:
        front, rest = text.rstrip("\n"), text[len(text.rstrip("\n")):]
    fields = blocks(front)
    if fields is None:
        return text
    kept = []
    for key, block in fields:
        ok, value = _value(block)
        if ok and key in optional and _empty(value):
            continue
        kept.append(block)
    if len(kept) == len(fields):
        return text
    front = "\n".join(kept)
    return "---\n" + front + "\n" + rest if markdown else front + rest
