"""Turn pydantic validation errors into author-grade French problems."""
from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Report, suggestion
from .model import example_text
from .sources import Source

M = TypeVar("M", bound=BaseModel)


def field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that owns the last key of `loc` (for suggestions)."""
    from .model import nested_models
    current = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        subs = nested_models(info)
        current = subs[0] if subs else None
    return current


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict,)):
        return "un bloc de champs"
    if isinstance(value, list):
        return "une liste"
    if value is None:
        return "rien"
    return f"« {value} »"


def message_for(model: type[BaseModel], err: dict[str, Any]) -> str:
    kind = err["type"]
    loc = tuple(err["loc"])
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        owner = _model_at(model, loc + ("",)) if False else _model_at(model, loc)
        info = owner.model_fields.get(str(loc[-1])) if owner else None
        example = example_text(info) if info else ""
        hint = f" Ajoutez par exemple « {loc[-1]}: {example} »" if example else ""
        return f"champ obligatoire manquant.{hint}"
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        valid = list(owner.model_fields) if owner else []
        hint = suggestion(str(loc[-1]), valid)
        listing = f" Champs possibles : {', '.join(valid)}." if valid and not hint else ""
        return f"champ inconnu.{hint}{listing}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        allowed = [a.strip().strip("'") for a in expected.replace(" or ", ", ").split(",")]
        allowed = [a for a in allowed if a]
        hint = suggestion(str(value), allowed)
        return (f"valeur {_describe(value)} non autorisée. Valeurs possibles : "
                f"{', '.join(allowed)}.{hint}")
    if kind in ("string_type",):
        return (f"texte attendu, trouvé {_describe(value)} : mettez la valeur entre guillemets, "
                f"par exemple \"{value}\"" if not isinstance(value, (dict, list)) else
                f"texte attendu, trouvé {_describe(value)}")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return (f"nombre entier attendu, trouvé {_describe(value)} : écrivez le nombre seul, "
                "sans guillemets ni unité, par exemple 10")
    if kind in ("float_type", "float_parsing"):
        return f"nombre attendu, trouvé {_describe(value)} : écrivez par exemple 12.5"
    if kind in ("bool_type", "bool_parsing"):
        return f"true ou false attendu, trouvé {_describe(value)}"
    if kind == "list_type":
        return (f"liste attendue, trouvé {_describe(value)} : écrivez un élément par ligne, "
                "chaque ligne commençant par « - »")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return (f"bloc de champs attendu, trouvé {_describe(value)} : écrivez les champs "
                "indentés sous ce nom")
    if kind == "too_short":
        return (f"au moins {ctx.get('min_length')} élément(s) attendu(s), "
                f"{ctx.get('actual_length')} trouvé(s)")
    if kind == "too_long":
        return (f"au plus {ctx.get('max_length')} élément(s) attendu(s), "
                f"{ctx.get('actual_length')} trouvé(s)")
    if kind in ("greater_than_equal", "greater_than"):
        return f"valeur trop petite ({_describe(value)}) : au moins {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"valeur trop grande ({_describe(value)}) : au plus {ctx.get('le', ctx.get('lt'))}"
    if kind in ("value_error", "assertion_error"):
        error = ctx.get("error")
        return str(error) if error else err.get("msg", "")
    return f"valeur invalide ({_describe(value)})"


def validate(model: type[M], data: dict[str, Any], source: Source, report: Report,
             loc_prefix: tuple[Any, ...] = ()) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            # Union members add their type name to the location; drop it.
            loc = tuple(p for p in loc if not (isinstance(p, str) and p[:1].isupper()))
            loc = tuple(p for p in loc if p not in ("int", "float", "str", "bool"))
            full = loc_prefix + loc
            report.error(source.rel, source.line(full), message_for(model, {**err, "loc": loc}),
                         field_name(full))
        return None
