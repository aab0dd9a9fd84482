"""Privacy checks: no personal contact, no recognisable person, no small count.

Content is read the way people actually write it: obfuscated e-mail addresses
(« prenom(at)domaine.fr », « [at] … [dot] », HTML entities, fullwidth ＠), French
phone numbers in every usual form (separators, +33, 0033, « (0) »), testimonials
that name or describe someone too precisely, and counts of fewer people than the
programme's small-count threshold (`seuil_petits_effectifs`), in prose and in charts.

Speed: `check` runs on every save. Each text is first scanned with patterns that start
with a literal (an « @ »-like sign, a run of digits, a number word), which the regular
expression engine finds fast; the full patterns only run near such a hit. The YAML
values of a file are joined and read in one pass (`value_problems`). Every pattern is
bounded so that a hostile line costs linear time.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from .errors import Report

if TYPE_CHECKING:  # imported for types only: checks.py imports this module
    from .loader import Corpus
    from .sources import Source

# --------------------------------------------------------------------------- e-mails

_OPEN, _CLOSE = r"[\(\[\{<«]", r"[\)\]\}>»]"
_AT_SIGN = r"(?:@|＠|﹫|&#0*64;|&#x0*40;|&commat;|%40)"
# « @ » with spaces or brackets around it, or spelled out (« (at) », « [arobase] », « at »)
_AT = (rf"(?:\s*{_OPEN}?\s*{_AT_SIGN}\s*{_CLOSE}?\s*"
       rf"|\s*{_OPEN}\s*(?:at|arobase|arobas|a\s+commercial)\s*{_CLOSE}\s*"
       r"|\s+(?:at|AT|arobase|arobas)\s+)")
_DOT_SIGN = r"(?:\.|．|&#0*46;|&#x0*2e;|&period;|%2e)"
_TLD = r"(?-i:com|fr|org|net|eu|info|io|be|ch|ca|de|uk|es|it|gouv|edu|asso)\b"
_DOT = (rf"(?:{_DOT_SIGN}|\s*{_OPEN}\s*(?:dot|point)\s*{_CLOSE}\s*"
        r"|\s+(?:dot|DOT|point)\s+"
        rf"|\s+\.\s*(?={_TLD})|\s*\.\s+(?={_TLD}))")  # « gmail . com »
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL = re.compile(rf"(?<![\w.%+-])[A-Za-z0-9À-ÖØ-öø-ÿ_][\w.%+'-]*{_AT}{_LABEL}(?:{_DOT}{_LABEL})*"
                   rf"{_DOT}(?P<tld>[A-Za-z]{{2,12}})(?![\w-])", re.IGNORECASE)
# Where an « @ » may be. Each pattern starts with a literal (fast search); a hit is kept
# when it really starts one of the forms of `_AT`.
_AT_MARK = re.compile(r"[@＠﹫&%]")
_AT_ENTITY = re.compile(r"&#0*64;|&#x0*40;|&commat;|%40", re.IGNORECASE)
_AT_WORDS = (re.compile(r"at(?=[\s)\]}>»])"), re.compile(r"A[tT](?=[\s)\]}>»])"),
             re.compile(r"rob"), re.compile(r"commercial"))


def _at_marks(text: str) -> Iterator[int]:
    for mark in _AT_MARK.finditer(text):
        at = mark.start()
        if text[at] not in "&%" or _AT_ENTITY.match(text, at):
            yield at
    for pattern in _AT_WORDS:
        for mark in pattern.finditer(text):
            at = mark.start()
            if text[at] == "r":  # « arobase », « Arobas »
                at -= 1
                if at < 0 or text[at] not in "aA":
                    continue
            elif text[at] == "c":  # « a commercial »
                at -= 2
                if at < 0 or text[at:at + 2] not in ("a ", "A "):
                    continue
            if at == 0 or text[at - 1].isspace() or text[at - 1] in "([{<«":
                yield at


_SPELLED = re.compile(rf"{_OPEN}\s*(at|arobase|arobas|a\s+commercial|dot|point)\s*{_CLOSE}"
                      r"|\s+(at|arobase|arobas|dot|point)\s+", re.IGNORECASE)


def normalize_email(text: str) -> str:
    """The address behind an obfuscated form, lowercased: « Prenom (at) X [dot] fr » → prenom@x.fr"""
    low = text.lower()
    for entity, char in (("&#x40;", "@"), ("&#64;", "@"), ("&commat;", "@"), ("%40", "@"),
                         ("＠", "@"), ("﹫", "@"), ("&#x2e;", "."), ("&#46;", "."),
                         ("&period;", "."), ("%2e", "."), ("．", ".")):
        low = low.replace(entity, char)
    low = re.sub(r"&#0+(64|46);", lambda m: "@" if m.group(1) == "64" else ".", low)
    low = _SPELLED.sub(lambda m: "." if (m.group(1) or m.group(2)) in ("dot", "point") else "@",
                       low)
    return re.sub(r"[\s\(\)\[\]\{\}<>«»]", "", low)


# --------------------------------------------------------------------------- phones

_SEP = r"[ \u00a0\u202f\t.\-/]"
_SEPS = rf"(?:\s*[.\-/]\s*|{_SEP})"  # « 06 - 12 », « 06/12 », « 06 12 »
_FR_PREFIX = (r"(?:(?:\+|00)\s?33|\(\s?(?:\+|00)\s?33\s?\))"  # +33, 0033, (+33)
              rf"{_SEPS}?(?:\(\s?0\s?\){_SEPS}?|0{_SEPS}?)?")  # « (0) », or « 0 » by mistake
PHONE = re.compile(
    r"(?<![\w,+])(?<!\d[./-])"
    rf"(?:(?:{_FR_PREFIX}|0|\(\s?0\s?\)){_SEPS}?[1-9](?:{_SEPS}?\d){{8}}"  # 06 12…, +33 6…, (0)6…
    rf"|\+(?!33)[1-9]\d{{0,2}}(?:{_SEPS}?\(0\))?(?:{_SEPS}?\d){{8,12}})"  # +32 …, +44 (0) …
    r"(?![\w]|[.,/-]\w|\s?(?:€|%|euros?\b))")
# digits right after a number: a longer sequence (« 08 30 - 10 00 - 12 00 »), unless a
# second phone number starts there
_MORE_DIGITS = re.compile(r"[ \u00a0\u202f\t]*[.\-/–]?[ \u00a0\u202f\t]*(?!0[1-9]|\+|\(\+)\d")
_NOT_PHONE_BEFORE = re.compile(r"(?:isbn|issn|ean|doi|siret|siren|rna|réf\.?|référence"
                               r"|n°\s?d['’]?ordre|n°\s?de\s+dossier)"
                               r"[\s:\-–n°]*$", re.IGNORECASE)
_DATE = re.compile(r"^\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:19|20)\d{2}")


# A stretch of digits and separators long enough for a phone number; bounded, so that a
# line of « ((((( » or « 1.1.1. » costs linear time.
_DIGIT_RUN = re.compile(r"[0-9+(][0-9 .\-/()+\u00a0\u202f\t]{8,40}[0-9]")


def normalize_phone(text: str) -> str:
    """One form per number: digits only, French numbers as 0XXXXXXXXX, others as +CC…"""
    compact = re.sub(r"\(\s?0\s?\)", "", text)
    compact = re.sub(r"[^\d+]", "", compact)
    if len(compact) == 9 and compact[0] != "0" and "(" in text:
        compact = "0" + compact  # « (0)6 12 34 56 78 »
    if compact.startswith("0033"):
        compact = "+33" + compact[4:]
    if compact.startswith("+33"):
        return "0" + compact[3:].removeprefix("0")
    return compact


def find_phones(text: str) -> Iterator[tuple[str, int]]:
    """Phone numbers: the pattern only runs on runs of digits and separators."""
    seen: set[int] = set()
    for run in _DIGIT_RUN.finditer(text):
        for found in PHONE.finditer(text, run.start(), run.end() + 30):
            value, start = found.group(0), found.start()
            if start in seen:
                continue
            seen.add(start)
            if start and (text[start - 1].isalnum() or text[start - 1] in "_,+"):
                continue
            if (_DATE.match(value) or _MORE_DIGITS.match(text, found.end())
                    or _NOT_PHONE_BEFORE.search(text, max(0, start - 20), start)):
                continue  # a date followed by a time, an ISBN…
            yield value.strip(), start


def find_emails(text: str) -> Iterator[tuple[str, int]]:
    """Addresses around each « @ »-like mark (the pattern only runs near a mark)."""
    windows: list[list[int]] = []
    for mark in sorted(set(_at_marks(text))):
        lo, hi = max(0, mark - 80), mark + 120
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi  # overlapping windows are read once
        else:
            windows.append([lo, hi])
    for lo, hi in windows:
        for found in EMAIL.finditer(text, lo, hi):
            yield found.group(0).strip(), found.start()


# --------------------------------------------------------------------------- public contacts

def public_contacts(corpus: Corpus) -> tuple[set[str], set[str]]:
    """The reviewed contacts of content/data/programme.yml, in normalised form."""
    prog = corpus.programme
    contacts = prog.contacts_publics if prog else []
    emails = {normalize_email(c.email) for c in contacts if c.email}
    phones = {normalize_phone(c.numero) for c in contacts if c.numero}
    canal = prog.canal_alerte if prog else None  # the programme's alert line and address
    if canal and canal.email:
        emails.add(normalize_email(canal.email))
    if canal and canal.telephone:
        phones.add(normalize_phone(canal.telephone))
    return emails, phones


def contact_problems(corpus: Corpus, text: str) -> list[tuple[int, str]]:
    """(offset, message) of each personal e-mail address or phone number in `text`."""
    found_emails = list(find_emails(text))
    found_phones = list(find_phones(text))
    if (not found_emails and not found_phones) or corpus.programme is None:
        return []  # none, or no programme.yml to check them against (its own error says so)
    emails, phones = public_contacts(corpus)
    problems = []
    for found, start in found_emails:
        address = normalize_email(found)
        if address in emails:
            continue
        shown = f"« {found} »" + (f" (soit {address})" if address != found.lower() else "")
        problems.append((start, f"adresse e-mail {shown} : aucune coordonnée personnelle dans "
                         "les contenus. Citez un rôle (« le ou la référent·e du programme ») ou, "
                         "si l'adresse est publique, ajoutez-la aux contacts_publics de "
                         "content/data/programme.yml"))
    for found, start in found_phones:
        if normalize_phone(found) in phones:
            continue
        problems.append((start, f"numéro de téléphone « {found} » : aucune coordonnée "
                         "personnelle dans les contenus. Citez un rôle (« appelez la référente du "
                         "programme ») ou, si le numéro est public, ajoutez-le aux "
                         "contacts_publics de content/data/programme.yml"))
    return problems


# --------------------------------------------------------------------------- small counts

PEOPLE = (r"(?:jeunes?(?:\s+(?:filles?|femmes?|hommes?|gens|mentoré(?:e|s|es)?))?|mentors?|mentores?"
          r"|mentoré(?:e|s|es)?|personnes?|participant(?:e|s|es)?|filles?|garçons?|femmes?|hommes?"
          r"|élèves?|bénévoles?|enfants?|adolescent(?:e|s|es)?|ados?|lycéen(?:ne|s|nes)?"
          r"|collégien(?:ne|s|nes)?|étudiant(?:e|s|es)?|stagiaires?|apprenti(?:e|s|es)?"
          r"|salarié(?:e|s|es)?|volontaires?|bénéficiaires?|inscrit(?:e|s|es)?"
          r"|répondant(?:e|s|es)?|candidat(?:e|s|es)?|décrocheu(?:r|rs|se|ses)|habitant(?:e|s|es)?"
          r"|victimes?|familles?|parents?|mères?|pères?|référent(?:e|s|es)?"
          r"|demandeu(?:r|rs|se|ses)\s+d['’]emploi|mineur(?:e|s|es)?|majeur(?:e|s|es)?)")
NUMBER_WORDS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
                "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
                "quinze": 15, "seize": 16}
_ADJ = r"(?:nouve(?:aux|lles)|ancien(?:ne)?s|autres|seul(?:e)?s|premi(?:er|ère)s|dernier(?:e|è)?s)"
_NUMBER = "|".join(w for word in NUMBER_WORDS for w in (word, word.capitalize()))
COUNT = re.compile(rf"(?P<n>[0-9]{{1,3}}|{_NUMBER})[ \u00a0\u202f]{{1,3}}(?:{_ADJ}\s{{1,3}})?"
                   rf"(?P<who>{PEOPLE})(?![\w-])")
_DIGITS_THEN_SPACE = re.compile(r"[0-9]{1,3}[ \u00a0\u202f]")


@functools.lru_cache(maxsize=8)
def _number_words(seuil: int) -> tuple[tuple[str, ...], re.Pattern]:
    """The numbers in words below `seuil`, and one pattern that finds them (either case)."""
    words = tuple(w for w, n in NUMBER_WORDS.items() if n < seuil)
    either = [w for word in words for w in (word, word.capitalize())]
    return words, re.compile("|".join(either) or "(?!)")


def _starts(text: str, seuil: int) -> Iterator[int]:
    """Where a count may start: a number in digits, or one in words (found by substring)."""
    for found in _DIGITS_THEN_SPACE.finditer(text):
        yield found.start()
    words, pattern = _number_words(seuil)
    low = text.lower() if len(text) >= 400 else ""
    if len(low) != len(text):  # short YAML values, or a rare letter whose lowercase is longer
        for found in pattern.finditer(text):
            yield found.start()
        return
    for word in words:
        at = low.find(word)
        while at >= 0:
            yield at
            at = low.find(word, at + 1)


def _counts(text: str, seuil: int) -> Iterator[re.Match]:
    for start in sorted(set(_starts(text, seuil))):
        if start and (text[start - 1].isalnum() or text[start - 1] in ",._-"
                      or start > 1 and text[start - 2].isdigit() and text[start - 1].isspace()):
            continue  # part of a larger number (« 1 500 jeunes ») or of a word
        found = COUNT.match(text, start)
        if found:
            yield found


# words that make a count a published statistic, even inside a group-size sentence
_RESTRICTIVE = re.compile(r"(?:\bseulement|\buniquement|\bseul(?:e)?s|\bà\s+peine|\btout\s+juste|\bdont"
                          r"|\bparmi\s+(?:eux|elles|les|ces|lesquel(?:le)?s)(?:[\s,]+\w+)?)[\s,]*$",
                          re.IGNORECASE)
_NE_QUE = re.compile(r"\bn(?:e\s|['’]).{0,40}\bqu(?:e\s+|['’])$", re.IGNORECASE | re.DOTALL)
_AGE_AFTER = re.compile(r"^[\s,]*(?:\w+\s+){0,2}(?:de|âgé(?:e|s|es)?\s+de)\s+(?:\d{1,2}|\w[\w-]*)"
                        r"\s*ans\b", re.IGNORECASE)
_TOTAL_BEFORE = re.compile(r"\b(?:sur|parmi)\s+(?:les\s+|ces\s+)?(?:\d[\d \u00a0\u202f]*\d|[1-9]\d+)\s+"
                           + PEOPLE, re.IGNORECASE)
_OUT_OF = re.compile(r"^\s+sur\s+(\d[\d \u00a0\u202f]*)\b", re.IGNORECASE)
_PARTICIPLE = r"[\wàâçéèêëîïôûù]+(?:é|ée|és|ées|i|is|ie|ies|u|us|ue|ues|it|its|ert|erts|ort|orts)\b"
# a verb stating a fact about the people counted: « ont abandonné », « sont partis »
_OUTCOME = re.compile(r"^(?:\s+\w+)?\s+(?:(?:ont|avaient|sont|étaient|se\s+sont|s['’]étaient"
                      r"|n['’]ont|n['’]avaient|ne\s+sont|ne\s+se\s+sont|l['’]ont|y\s+ont|a|est"
                      r"|n['’]a|n['’]est|s['’]est|l['’]a)(?:\s+(?:pas|jamais|plus|tous|toutes|déjà"
                      r"|finalement|ensuite|enfin|vite|été))*\s+" + _PARTICIPLE + ")", re.IGNORECASE)
# a verb in the past before the number: « nous avons accompagné 4 jeunes »
_PAST_BEFORE = re.compile(r"\b(?:ai|as|a|avons|avez|ont|avait|avions|aviez|avaient|eu|été)"
                          r"(?:\s+(?:pas|jamais|plus|déjà|accompagné|finalement|seulement))*\s+"
                          + _PARTICIPLE + r"(?:\s+\w+){0,3}\s*$", re.IGNORECASE)
# words of a report or a statistic: a year, « cette année », « au total », a share
_REPORT = re.compile(r"\b(?:19|20)\d\d\b|\bcette\s+année|\bl['’]an(?:née)?\s+(?:dernier|dernière"
                     r"|passé)|\bau\s+total|\ben\s+tout\b|\bbilan|\brésultats?\b|\bchiffres?"
                     r"\b|\beffectifs?\b|%|\brecensé|\bcompt(?:ait|aient|é|ée|és)\b|\binscrit",
                     re.IGNORECASE)
# contexts where a number of people is a group size, a ratio or a range, not a count
_SIZE_BEFORE = re.compile(
    r"(?:\b(?:par|pour|chaque|entre|jusqu['’]à|max(?:imum|\.)?|minimum|au\s+plus|au\s+moins"
    r"|moins\s+de|plus\s+de|environ|à|ou|et|de)\s+(?:\d{1,3}\s+(?:ou|à|et)\s+)?"
    r"|\b(?:groupes?|sous-groupes?|équipes?|binômes?|trinômes?|tables?|îlots?|cercles?"
    r"|cohortes?|promotions?)\s+(?:de\s+|d['’])(?:\d{1,3}\s+(?:ou|à)\s+)?"
    r"|\d{1,3}\s*(?:ou|à|-|–)\s*|\d{1,3}\s+" + PEOPLE + r"\s*(?:,|/|pour|:|=)\s*)$",
    re.IGNORECASE)
_SIZE_AFTER = re.compile(r"^(?:\s+\w+)?\s*(?:par\b|pour\s+(?:un|une|\d|chaque)|chacun|chacune"
                         r"|au\s+(?:plus|maximum|minimum|moins)\b|maximum|minimum|max\b"
                         r"|(?:,|/|pour)\s*\d{1,3}\s+" + PEOPLE + r")", re.IGNORECASE)
_DETERMINER = re.compile(r"\b(?:les|des|ces|nos|vos|leurs|aux|mes|tes|ses)\s+$", re.IGNORECASE)
_GROUP_WORD = re.compile(r"\b(?:groupes?|sous-groupes?|binômes?|trinômes?|équipes?|collectif"
                         r"|cohortes?|tables?|ateliers?|séances?|promotions?)\b", re.IGNORECASE)
# a hypothesis or a requirement: « si 2 jeunes… », « il faut 2 mentors »
_HYPOTHESIS = re.compile(r"(?:^|\W)(?:si|s['’]il|s['’]ils|quand|lorsque|lorsqu['’]|dès\s+que"
                         r"|au\s+cas\s+où|selon\s+que|il\s+faut|il\s+faudra(?:it)?|besoin\s+d"
                         r"|nécessite|requiert|doi(?:t|vent)|prévoir)(?:\W|$)", re.IGNORECASE)
# an instruction: a verb in « -ez » (« invitez », « formez »), or a sentence that starts
# with an infinitive (« Répartir les jeunes… »)
_IMPERATIVE = re.compile(
    r"(?:^|[\s,«(])(?!(?:chez|assez|nez|rez|ez)\b)[a-zàâçéèêëîïôûù]{2,}ez\b"
    r"|^\W*(?!(?:hier|notre|votre|entre|contre|autre|outre|premier|dernier)\b)"
    r"[A-ZÀÂÇÉÈÊa-zàâçéèêëîïôûù]+(?:er|ir|re)\b(?!\s+(?:et|ou)\b)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…](?=\s)|\n\s*\n|\n\s*(?:[-*+|#>]|\d+\.)\s|\x00")


@dataclass(frozen=True)
class SmallCount:
    text: str  # the words as written (« seulement 3 jeunes filles de 15 ans »)
    start: int
    value: int


def _sentence(text: str, start: int, end: int) -> tuple[str, str]:
    """The sentence around text[start:end], as (before, after)."""
    lo = max(0, start - 300)
    before = text[lo:start]
    ends = list(_SENTENCE_END.finditer(before))
    if ends:
        before = before[ends[-1].end():]
    after = text[end:end + 200]
    stop = _SENTENCE_END.search(after)
    return before, after[:stop.start()] if stop else after


def find_small_counts(text: str, seuil: int) -> Iterator[SmallCount]:
    """Counts of fewer than `seuil` people that read as a published figure.

    A number of people (« 3 jeunes », « 2 mentors ») below the threshold is a small count
    unless the sentence shows it is a group size, a ratio or a range (« par groupes de 3 »,
    « 2 mentors par groupe », « 3 ou 4 jeunes », « 1 jeune, 1 mentor », « un groupe réunit
    4 jeunes et 2 mentors »), an instruction or a hypothesis (« Invitez 2 jeunes… »,
    « Si 2 jeunes sont absents… »), or a reference to people already named (« les 2
    mentors »). Restrictive words (« seulement », « ne … que », « dont », « parmi eux »),
    an age (« de 15 ans ») or a total (« 3 jeunes sur 40 ») always make it a small count.
    Otherwise the number must read as a fact: a verb in the past about these people (« 2
    mentors ont quitté », « nous avons accompagné 4 jeunes ») or, for a number in digits, a
    report (« En 2023, 2 mentors. », « au total », « bilan »). A description in the present
    (« 2 jeunes présentent, les autres écoutent ») is not a published figure.
    """
    for found in _counts(text, seuil):
        raw = found.group("n").lower()
        value = NUMBER_WORDS[raw] if raw in NUMBER_WORDS else int(raw)
        if not 0 < value < seuil:
            continue
        before, after = _sentence(text, found.start(), found.end())
        extent = found.end()
        age = _AGE_AFTER.match(after)
        if age:  # « 3 jeunes filles de 15 ans »: always a small count
            extent = found.end() + age.end()
        elif _HYPOTHESIS.search(before) or _IMPERATIVE.search(before):
            continue  # « si le groupe n'a que 3 jeunes… », « invitez 2 jeunes… »
        tail = before[-80:]  # enough for the words just before the number
        strong = bool(age) or bool(_RESTRICTIVE.search(tail[-40:]) or _NE_QUE.search(tail[-60:])
                                   or _TOTAL_BEFORE.search(before))
        total = _OUT_OF.match(after)
        if total and not age:
            whole = int(re.sub(r"\D", "", total.group(1)))
            if whole <= 10 and not strong:
                continue  # « 1 jeune sur 3 » is a proportion
            strong, extent = True, found.end() + total.end()
        if not strong:
            if _DETERMINER.search(tail[-12:]):
                continue  # « les 2 mentors »: people already named, not a count
            if _SIZE_AFTER.match(after):
                continue  # « 2 mentors par groupe », « 1 jeune, 1 mentor »
            fact = _OUTCOME.match(after) or _PAST_BEFORE.search(tail[-60:])
            if not fact and (_SIZE_BEFORE.search(tail[-40:]) or _GROUP_WORD.search(before)):
                continue  # « groupes de 3 jeunes », « 3 ou 4 jeunes », « un groupe : 4 jeunes »
            if not fact and (raw in NUMBER_WORDS or not _REPORT.search(before + " " + after)):
                continue  # « 2 jeunes présentent, 2 observent »: a description, not a figure
        restrict = _RESTRICTIVE.search(tail[-40:])
        start = found.start() - (len(tail[-40:]) - restrict.start() if restrict else 0)
        yield SmallCount(text[start:extent].strip(), start, value)


def count_problems(corpus: Corpus, text: str) -> list[tuple[int, str]]:
    """(offset, message) of each small count of people stated in `text`."""
    seuil = corpus.programme.seuil_petits_effectifs if corpus.programme else 10
    problems = []
    for count in find_small_counts(text, seuil):
        shown = " ".join(count.text.split())
        problems.append((count.start, f"petit effectif dans le texte : « {shown} » "
                         f"({count.value} personne{'s' if count.value > 1 else ''}, moins de "
                         f"{seuil}) permet de reconnaître des personnes. Écrivez « moins de "
                         f"{seuil} » ou une part (« une minorité des jeunes »), ou regroupez "
                         "avec d'autres chiffres ; une taille de groupe s'écrit « par groupes "
                         "de 3 » ou « 2 mentors par groupe »"))
    return problems


_SIGN = re.compile(r"[0-9@＠﹫&%]")
_AT_WORD = re.compile(r"\bat\b")


def _may_hold(text: str) -> bool:
    """Cheap test: can `text` hold an address, a phone number or a count at all?"""
    if _SIGN.search(text):
        return True
    low = text.lower()
    if "arob" in low or "commercial" in low or "at" in low and _AT_WORD.search(low):
        return True
    for word in NUMBER_WORDS:
        if word in low:
            return True
    return False


# Results by text and by what else they depend on (the public contacts and the small-count
# threshold): the live preview checks the whole corpus again after each save.
_FOUND: dict[tuple, list[tuple[int, str]]] = {}


def problems(corpus: Corpus, text: str) -> list[tuple[int, str]]:
    """Every privacy problem of a free text (a body or a YAML string), as (offset, message)."""
    if len(text) < 400 and not _may_hold(text):
        return []  # most YAML values: no digit, no « @ »-like sign, no number in words
    emails, phones = public_contacts(corpus)
    key = (text, frozenset(emails), frozenset(phones),
           corpus.programme.seuil_petits_effectifs if corpus.programme else 10)
    if key not in _FOUND:
        if len(_FOUND) > 2048:
            _FOUND.clear()
        if any(char in text for char in _INVISIBLE):
            _FOUND[key] = _without_invisible(corpus, text)
        else:
            _FOUND[key] = contact_problems(corpus, text) + count_problems(corpus, text)
    return list(_FOUND[key])


# zero-width and soft-hyphen characters hide an address from a reader's search, not from us
_INVISIBLE = ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")


def _without_invisible(corpus: Corpus, text: str) -> list[tuple[int, str]]:
    kept = [index for index, char in enumerate(text) if char not in _INVISIBLE]
    clean = "".join(text[index] for index in kept)
    return [(kept[offset] if offset < len(kept) else len(text), message)
            for offset, message in problems(corpus, clean)]


_JOIN = "\n\x00\n"  # between two YAML values: no pattern crosses it, it ends a sentence


def value_problems(corpus: Corpus, values: list[tuple[Any, str]]) -> list[tuple[Any, int, str]]:
    """`problems` of many YAML values at once, as (location, offset in the value, message).

    The values are joined and read in one pass: far cheaper than thousands of short texts."""
    joined = _JOIN.join(value for _loc, value in values)
    if not joined:
        return []
    starts, at = [], 0
    for _loc, value in values:
        starts.append(at)
        at += len(value) + len(_JOIN)
    found = []
    for offset, message in problems(corpus, joined):
        index = bisect.bisect_right(starts, offset) - 1
        found.append((values[index][0], offset - starts[index], message))
    return found


def check_text(corpus: Corpus, source: Source, text: str, line: int, report: Report,
               field: str = "") -> None:
    """Report `problems(text)`; `line` is the line of the text's first character."""
    for offset, message in problems(corpus, text):
        report.error(source.rel, line + text.count("\n", 0, offset), message, field)


# --------------------------------------------------------------------------- testimonials

_CAP = r"[A-ZÀÂÇÉÈÊËÎÏÔÛÙÜŸŒ][\w'’-]+"
_NAME = rf"(?:{_CAP}|\d+)(?:\s+{_CAP})*"
_SCHOOL = re.compile(
    r"\b(?i:lycée|collège|école|ecole|établissement|etablissement|université|faculté|IUT|CFA"
    r"|institut|campus|groupe\s+scolaire|LP|LEGT|EREA|SEGPA)"
    r"(?:\s+(?i:privé|public|professionnel|polyvalent|technique|général|agricole|hôtelier"
    r"|catholique|international|militaire|d['’]enseignement\s+\w+))*"
    rf"\s+(?:(?:de\s+la|du|des|de|d['’])\s*)?{_NAME}")
_LEVEL = (r"(?:\d{1,2}\s?(?:e|è|ème|eme|re|ère|nde|de)|seconde|première|terminale|sixième"
          r"|cinquième|quatrième|troisième|tle|CM[12]|CE[12])")
_SECTION = r"(?:[A-Z]\d?|\d{1,2}|[A-Z]{2,5}\d?)\b(?!['’])"
_CLASS = re.compile(
    rf"(?:\ben\s+|\bclasse\s+de\s+)?\b{_LEVEL}\s+{_SECTION}"  # 3e B, terminale STMG, 2nde 4
    r"|\b(?:bac\s+pro|BTS|CAP|BEP|DUT|BUT|licence|master)\s+(?:[A-Z]{2,6}|[A-Z]\w+)\b"
    r"|\b(?:en|classe\s+de)\s+(?:terminale|troisième|quatrième|cinquième|sixième|tle|1re|2nde"
    r"|\d{1,2}\s?(?:e|ème|eme|nde|de)|seconde|première)\b(?!\s+(?:ligne|fois|partie|séance"
    r"|année|étape|position|place|vue|main|temps|heure|personne))")
_AGE_WORD = (r"onze|douze|treize|quatorze|quinze|seize|dix[- ](?:sept|huit|neuf)|vingt(?:[- ](?:et[- ]un"
             r"|deux|trois|quatre|cinq|six|sept|huit|neuf))?")
_AGE = re.compile(rf"(?<![\w,.])(?<!\d\s)(\d{{1,2}}|{_AGE_WORD})\s?ans\b", re.IGNORECASE)
_DURATION_BEFORE = re.compile(
    r"(?:depuis|pendant|durant|il\s+y\s+a|dans|en|pour|après|avant|bout\s+de|plus\s+de|moins"
    r"\s+de|près\s+de|tous\s+les|voilà|fait|faisait|entre|et|ou|\d+\s+à|presque|déjà"
    r"|quelques|les|des|ces|mes|nos|ses|premières?|dernières?)\s*$", re.IGNORECASE)
_PLACE = re.compile(
    rf"\b(?:quartier|cité|résidence|rue|avenue|boulevard|bd|allée|place|impasse|chemin|ville"
    rf"|commune|village|arrondissement|bâtiment|tour|foyer|ZUP|QPV)\s+(?:(?:de\s+la|du|des|de"
    rf"|d['’])\s*)?(?:{_CAP}|\d+)"
    r"|\b\d{5}\b|\bParis\s?\d{1,2}\s?(?:e|ème)\b|\b\d{1,2}\s?(?:e|ème)\s+arrondissement\b"
    r"|\b(?:dans\s+le|du|le|en)\s+(?:9[1-5]|7[578])\b(?![\w,.]\d)"  # « dans le 93 »
    r"|\bSeine-Saint-Denis|\bVal-de-Marne|\bHauts-de-Seine|\bVal-d['’]Oise|\bSeine-et-Marne"
    rf"|\b(?:j['’]habite|habit(?:e|ait|ant|ante)|vi[st]|vivait|vivant|originaire|né|née|venu"
    rf"|venue|grandi)\s+(?:à|au|aux|en|dans|de|d['’]|sur)\s*(?:la\s+|le\s+|les\s+)?{_CAP}",
    re.UNICODE)
def _places() -> re.Pattern:
    """Names of powao/lieux_idf.txt, longest first, as written (capitals included)."""
    from pathlib import Path
    lines = (Path(__file__).with_name("lieux_idf.txt")).read_text(encoding="utf-8").splitlines()
    names = sorted((n.strip() for n in lines if n.strip() and not n.startswith("#")),
                   key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


_PLACE_NAME = _places()
_CIVILITY = re.compile(rf"\b(?:M\.|Mme|Mlle|Mr\.?|Monsieur|Madame|Mademoiselle|Dr\.?|Docteur"
                       rf"|Maître|Me)\s+{_CAP}")
_INITIAL = re.compile(rf"\b{_CAP}\s+[A-Z]\.(?=\s|$|,)")
_DETAIL_KINDS = (("établissement", _SCHOOL), ("classe", _CLASS), ("âge", None),
                 ("lieu", _PLACE), ("lieu", _PLACE_NAME), ("nom de famille", _CIVILITY),
                 ("initiale", _INITIAL))
# one first name: a capital, then letters, apostrophes or hyphens (« Awa », « N'Golo »,
# « Marie-Claire »); no space, no full stop, not in capitals (a family name usually is)
_PRENOM = re.compile(r"^(?=.*[a-zàâäçéèêëîïôöûùüÿœ])[A-ZÀÂÇÉÈÊËÎÏÔÛÙÜŸŒ][A-Za-zÀ-ÖØ-öø-ÿŒœ'’-]*$")


def _ages(text: str) -> Iterator[re.Match]:
    for found in _AGE.finditer(text):
        number = found.group(1)
        if (not number.isdigit() or 8 <= int(number) <= 99) and not _DURATION_BEFORE.search(
                text, max(0, found.start() - 25), found.start()):
            yield found


# in a role, a proper noun between commas: a town or an employer (« mentor, Orange »)
_ROLE_PLACE = re.compile(rf",\s*(?:(?:à|de|d['’]|du)\s*)?({_CAP}(?:\s+{_CAP})*)\s*(?=,|$)")
_NOT_PLACE = {"Mentor", "Mentore", "Jeune", "Conseillère", "Conseiller", "Bénévole"}


def identifying_details(text: str, prenom: str = "", role: bool = False) -> list[tuple[str, str]]:
    """(kind, words) of each detail that helps recognise a person.

    In a role (« jeune mentorée, 17 ans, Sevran »), a capitalised word between commas is a
    place."""
    found: list[tuple[str, str]] = []
    if role:
        found.extend(("nom propre", mt.group(1)) for mt in _ROLE_PLACE.finditer(text)
                     if mt.group(1).split()[0] not in _NOT_PLACE)
    for kind, pattern in _DETAIL_KINDS:
        matches = _ages(text) if pattern is None else pattern.finditer(text)
        found.extend((kind, " ".join(mt.group(0).split())) for mt in matches)
    first = prenom.split()[0] if prenom.strip() else ""
    if first and re.match(r"^\w", first):
        for mt in re.finditer(rf"\b{re.escape(first)}\s+({_CAP})", text):
            found.append(("nom de famille", mt.group(0)))
    unique: dict[str, tuple[str, str]] = {}
    for kind, words in found:
        unique.setdefault(words, (kind, words))  # the same words count once
    # « Bobigny » inside « habite à Bobigny » is the same detail
    return [(kind, words) for kind, words in unique.values()
            if not any(words != other and words in other for other in unique)]


_REMEDY = {"établissement": "« un lycée », « son école »", "classe": "« au lycée », « en fin de "
           "scolarité »", "âge": "« une jeune », « moins de 20 ans »", "lieu": "« en "
           "Île-de-France », « près de chez elle »", "nom de famille": "le prénom seul",
           "initiale": "le prénom seul", "nom propre": "« une grande entreprise », « en "
           "Île-de-France »"}


def check_testimonials(corpus: Corpus, report: Report) -> None:
    """A published testimonial must not let anyone recognise the person who speaks."""
    for index, t in enumerate(corpus.temoignages.values()):
        src, where = t.src, f"temoignages[{index + 1}]"
        loc = ("temoignages", index)
        if not t.consentement:
            report.error(src.rel, src.line(loc + ("consentement",)),
                         f"témoignage « {t.id} » publié sans consentement : obtenez l'accord "
                         "écrit de la personne puis écrivez « consentement: true », ou retirez "
                         "le témoignage", f"{where}.consentement")
        if not t.prenom_modifie:
            report.error(src.rel, src.line(loc + ("prenom_modifie",)),
                         f"témoignage « {t.id} » : le prénom doit être changé avant publication "
                         "(écrivez un autre prénom et « prenom_modifie: true »)",
                         f"{where}.prenom_modifie")
        prenom = t.prenom.strip()
        if not _PRENOM.match(prenom):
            first = re.split(r"[\s.]+", prenom)[0] if prenom else ""
            example = first if _PRENOM.match(first) and len(first) > 1 else "Samia"
            report.error(src.rel, src.line(loc + ("prenom",)),
                         f"témoignage « {t.id} » : prénom « {prenom} » : écrivez un seul prénom "
                         "(modifié), sans nom de famille, initiale ni second prénom, par exemple "
                         f"« prenom: {example} »", f"{where}.prenom")
        details: list[tuple[str, str, str]] = []
        for name in ("citation", "role"):
            for kind, words in identifying_details(getattr(t, name), prenom, name == "role"):
                details.append((name, kind, words))
        kinds = {kind for _f, kind, _w in details}
        named = kinds & {"nom de famille", "initiale"}
        if len(kinds) < 2 and not named:
            continue
        name = details[0][0]
        listed = " ; ".join(f"{kind} « {words} » ({f})" for f, kind, words in details)
        remedy = " ; ".join(f"{kind} → {_REMEDY[kind]}" for kind in sorted(kinds))
        why = ("un nom de famille ou une initiale permet de reconnaître la personne" if named else
               "ces détails, réunis, permettent de reconnaître la personne")
        report.error(src.rel, src.line(loc + (name,)),
                     f"témoignage « {t.id} » : {listed} : {why}, même avec son consentement. "
                     f"Retirez-les ou remplacez-les par des mots généraux ({remedy}) ; gardez "
                     "au plus un détail de ce type", f"{where}.{name}")


# --------------------------------------------------------------------------- figures

_PEOPLE_UNIT = re.compile(rf"^\s*(?:nombre\s+(?:de\s+|d['’])|nb\.?\s*(?:de\s+|d['’])?)?{PEOPLE}\b",
                          re.IGNORECASE)


def people_unit(unite: str) -> bool:
    """True when a chart's `unite` says its values count people (« jeunes », « mentors »)."""
    return not unite.strip() or bool(_PEOPLE_UNIT.match(unite)) and not re.search(
        r"%|\bpar\b|\bpour\b|/|heures?|minutes?|jours?|mois|ans|années?|euros?|€", unite,
        re.IGNORECASE)


def check_figures(corpus: Corpus, report: Report) -> None:
    """Small counts in charts: values of people below `seuil_petits_effectifs`.

    With `effectifs: true` every value is a count of people. With `effectifs: false`, the
    values are still taken as counts when they look like counts: whole numbers and a
    `unite` that is empty or names people (« jeunes », « mentors »)."""
    seuil = corpus.programme.seuil_petits_effectifs if corpus.programme else 10
    for fig in corpus.figures.values():
        counts = fig.effectifs or (people_unit(fig.unite) and all(
            float(v.valeur).is_integer() for v in fig.valeurs))
        if not counts:
            continue
        for index, v in enumerate(fig.valeurs):
            if v.masque or not 0 < v.valeur < seuil:
                continue
            if fig.effectifs:
                why = "une personne pourrait être reconnue"
                fix = ("Regroupez des catégories ou écrivez « masque: true » pour publier "
                       f"« < {seuil} »")
            else:
                unit = f"unité « {fig.unite} »" if fig.unite.strip() else "sans unité"
                why = (f"la figure a « effectifs: false » mais ses valeurs ({unit}, nombres "
                       "entiers) ressemblent à des effectifs de personnes : une personne "
                       "pourrait être reconnue")
                fix = ("S'il s'agit de personnes, écrivez « effectifs: true » puis regroupez des "
                       "catégories ou écrivez « masque: true » ; sinon donnez l'unité réelle "
                       "(« unite: \"%\" », « unite: heures »)")
            report.error(fig.src.rel, fig.src.line(("valeurs", index, "valeur")),
                         f"petit effectif ({_number(v.valeur)}) pour « {v.libelle} » : en dessous "
                         f"de {seuil}, {why}. {fix}", f"valeurs[{index + 1}].valeur")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def check_data(corpus: Corpus, report: Report) -> None:
    check_testimonials(corpus, report)
    check_figures(corpus, report)

