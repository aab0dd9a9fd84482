"""Derived data shown by every output: clock times, material totals, durations."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from . import model as m
# The one time/duration format lives in the lowest module; templates reach it here too.
from .typography import duree, heure, lire_heure  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Horaire:
    etape: m.Etape
    debut: str        # « 14 h 10 », as printed
    fin: str
    numero: int
    debut_min: int    # minutes since midnight, for machine use (data attributes)
    fin_min: int


def minutes(valeur: str) -> int:
    """Minutes since midnight of a start time as stored (« 14:00 ») or typed (« 14 h »)."""
    total = lire_heure(valeur)
    if total is None:
        raise ValueError(f"heure invalide : {valeur!r}")
    return total


def clock(total: int) -> str:
    """Minutes since midnight → « 14 h 30 » (the one printed form of a time)."""
    return heure(total)


def horaires(etapes: Iterable[m.Etape], depart: str) -> list[Horaire]:
    """Each step with its clock start and end, from a start time (« 14:00 »)."""
    start = minutes(depart)
    out = []
    for number, etape in enumerate(etapes, start=1):
        end = start + etape.duree
        out.append(Horaire(etape, heure(start), heure(end), number, start, end))
        start = end
    return out


@dataclass(frozen=True)
class Ligne:
    article: str
    total: int
    calcul: str
    note: str | None


def materiel(items: Iterable[m.Materiel], groupe: m.Groupe, groupes: int = 1) -> list[Ligne]:
    """Quantities computed for the group size, with how they were computed."""
    out = []
    for item in items:
        total = item.total(groupe, groupes)
        if item.par_jeune:
            calcul = f"{item.par_jeune} par jeune × {groupe.jeunes * groupes}"
        elif item.par_mentor:
            calcul = f"{item.par_mentor} par mentor × {groupe.mentors * groupes}"
        elif item.par_personne:
            calcul = f"{item.par_personne} par personne × {(groupe.jeunes + groupe.mentors) * groupes}"
        elif item.par_groupe:
            calcul = f"{item.par_groupe} par groupe" + (f" × {groupes}" if groupes > 1 else "")
        else:
            calcul = "pour la séance"
        out.append(Ligne(item.article, total, calcul, item.note))
    return out


def groupe_texte(groupe: m.Groupe) -> str:
    j = f"{groupe.jeunes} jeune{'s' if groupe.jeunes > 1 else ''}"
    mt = f"{groupe.mentors} mentor{'s' if groupe.mentors > 1 else ''}"
    return f"{j} et {mt}"


def tel_href(numero: str) -> str:
    """« 01 23 45 67 89 » → « tel:+33123456789 »; « 3114 » → « tel:3114 »."""
    digits = "".join(ch for ch in numero if ch.isdigit() or ch == "+")
    if digits.startswith("0") and len(digits) == 10:
        digits = "+33" + digits[1:]
    return "tel:" + digits


MODALITES = {"presentiel": "Présentiel", "distanciel": "À distance", "hybride": "Hybride"}
TYPES_PARCOURS = {"initiale": "Formation initiale", "continue": "Formation continue"}
DOMAINES = {"posture": "Posture", "animation": "Animation", "securite": "Sécurité",
            "accompagnement": "Accompagnement", "reseau": "Réseau"}
TYPES_PARTENAIRE = {"financeur": "Financeurs", "public": "Partenaires publics",
                    "socio-educatif": "Partenaires socio-éducatifs",
                    "economique": "Partenaires économiques"}


MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre"]


def date_fr(iso: str) -> str:
    """2026-09-01 → « 1er septembre 2026 »."""
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{'1er' if day == 1 else day} {MOIS[month - 1]} {year}"
