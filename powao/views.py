"""Derived data shown by every output: clock times, material totals, durations."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from . import model as m


@dataclass(frozen=True)
class Horaire:
    etape: m.Etape
    debut: str
    fin: str
    numero: int


def minutes(heure: str) -> int:
    h, mn = heure.split(":")
    return int(h) * 60 + int(mn)


def clock(total: int) -> str:
    total %= 24 * 60
    return f"{total // 60:02d}:{total % 60:02d}"


def horaires(etapes: Iterable[m.Etape], heure: str) -> list[Horaire]:
    """Each step with its clock start and end, from a start time « HH:MM »."""
    start = minutes(heure)
    out = []
    for number, etape in enumerate(etapes, start=1):
        out.append(Horaire(etape, clock(start), clock(start + etape.duree), number))
        start += etape.duree
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


def duree(total: int) -> str:
    """120 → « 2 h », 90 → « 1 h 30 », 45 → « 45 min »."""
    if total < 60:
        return f"{total} min"
    h, mn = divmod(total, 60)
    return f"{h} h" + (f" {mn:02d}" if mn else "")


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
