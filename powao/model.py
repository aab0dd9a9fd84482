"""The one content model: every front-matter and data field is declared here once.

Validation, French error messages, defaults, the scaffolder (`build.py new`) and
the field table of the authoring guide all read these classes. Field names are
French, ASCII, snake_case; each field's `description` is its documentation and
its first `examples` entry is what the guide and the scaffolder show.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, StrictInt, field_validator, model_validator
from pydantic.fields import FieldInfo

Minutes = Annotated[StrictInt, Field(ge=1, le=600)]
Nombre = StrictInt | float

STATUTS = ("brouillon", "relu", "publie")
DIFFUSIONS = ("public", "interne")

_HEURE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_DATE = re.compile(r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_COULEUR = re.compile(r"#[0-9a-fA-F]{6}")

# Text formats enforced by the validators below: (pattern, French hint for authors).
MOTIFS: dict[str, tuple[re.Pattern[str], str]] = {
    "heure": (_HEURE, "une heure au format HH:MM, par exemple 14:00"),
    "date": (_DATE, "une date au format AAAA-MM-JJ, par exemple 2026-03-15"),
    "id": (_ID, "un identifiant en minuscules sans accents, mots séparés par des tirets, "
                "par exemple construire-son-reseau"),
    "couleur": (_COULEUR, "une couleur au format #rrggbb, par exemple #047857"),
}
# What a `ref` points to: content kinds (KINDS) or ids listed in a data file.
REFS = ("atelier", "module", "chapitre", "axe", "competence")


def F(description: str, example: Any = None, *, ref: str | None = None,
      motif: str | None = None, **kw: Any) -> Any:
    """A documented field: `description` is French, `example` shows a valid value.

    `ref` names the kind of content the value identifies (see REFS: the form
    editor offers a choice among them); `motif` names the text format its
    validator enforces (see MOTIFS: the editor checks it while typing).
    """
    extra = {"examples": [example]} if example is not None else {}
    powao = {k: v for k, v in (("ref", ref), ("motif", motif)) if v}
    if powao:
        extra["json_schema_extra"] = {"powao": powao}
    return Field(description=description, **extra, **kw)


def field_meta(info: FieldInfo) -> dict[str, str]:
    """The `ref` / `motif` declared on a field by F()."""
    extra = info.json_schema_extra
    return dict(extra.get("powao", {})) if isinstance(extra, dict) else {}


class Modele(BaseModel):
    """Base: unknown keys are errors, nothing is silently coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, coerce_numbers_to_str=False,
                              validate_default=False, frozen=False)

    # The file this object was read from (set by the loader; None for nested blocks).
    _source: Any = PrivateAttr(default=None)

    @property
    def src(self) -> Any:
        """The `Source` this object was read from."""
        return self._source


def check_heure(value: Optional[str]) -> Optional[str]:
    if value is not None and not _HEURE.fullmatch(value):
        raise ValueError("heure attendue au format HH:MM, par exemple \"14:00\"")
    return value


def check_date(value: Optional[str]) -> Optional[str]:
    if value is not None and not _DATE.fullmatch(value):
        raise ValueError("date attendue au format AAAA-MM-JJ, par exemple 2026-03-15")
    return value


def pattern_check(regex: str, message: str):
    """A field validator: an absent value, or one matching `regex` whole; else `message`."""
    compiled = re.compile(regex)

    def check(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not compiled.fullmatch(value):
            raise ValueError(message)
        return value
    return classmethod(check)


def check_id(value: Optional[str]) -> Optional[str]:
    if value is not None and not _ID.fullmatch(value):
        raise ValueError("identifiant attendu en minuscules sans accents, mots séparés "
                         "par des tirets, par exemple construire-son-reseau")
    return value


class Publication(Modele):
    """Fields shared by every publishable content kind."""

    id: Optional[str] = F("Identifiant unique ; par défaut le nom du fichier sans extension.",
                          "construire-son-reseau", default=None, motif="id")
    statut: Literal["brouillon", "relu", "publie"] = F(
        "Avancement : brouillon, relu ou publie. Seul « publie » part sur le site public.",
        "publie", default="brouillon")
    diffusion: Literal["public", "interne"] = F(
        "Public visé : public (site et PDF publics) ou interne (équipe du programme).",
        "public", default="public")
    mise_a_jour: Optional[str] = F("Date de dernière mise à jour (AAAA-MM-JJ), affichée « Mis à "
                                   "jour le … » ; sans elle, la date de l'édition.", "2026-03-15",
                                   default=None, motif="date")

    v_id = field_validator("id")(classmethod(lambda cls, v: check_id(v)))
    v_date = field_validator("mise_a_jour")(classmethod(lambda cls, v: check_date(v)))


# --------------------------------------------------------------------------- programme data

class Chiffre(Modele):
    valeur: Nombre = F("La valeur, sans espace ni unité.", 1500)
    libelle: str = F("Ce que compte le chiffre, au pluriel.", "jeunes mentorés")
    source: Optional[str] = F("D'où vient le chiffre (texte libre).", "Bilan WAO 2025", default=None)
    illustratif: StrictBool = F(
        "true si le chiffre est une illustration à remplacer par un chiffre réel.", False,
        default=False)


class Axe(Modele):
    id: str = F("Identifiant de l'axe, utilisé par le champ « axe » des ateliers.", "orientation",
                 motif="id")
    titre: str = F("Nom affiché de l'axe.", "Orientation")
    description: str = F("Une ou deux phrases sur l'axe.", "Découvrir les parcours et les métiers.")
    couleur: str = F("Couleur d'accent (#rrggbb), lisible sur fond blanc.", "#047857",
                      motif="couleur")
    icone: str = F("Icône Material (nom sans préfixe).", "compass-outline")

    @field_validator("couleur")
    @classmethod
    def _couleur(cls, v: str) -> str:
        if not _COULEUR.fullmatch(v):
            raise ValueError("couleur attendue au format #rrggbb, par exemple #047857")
        return v

    v_id = field_validator("id")(classmethod(lambda cls, v: check_id(v)))


class Groupe(Modele):
    jeunes: StrictInt = F("Nombre de jeunes dans le groupe.", 4, ge=1, le=30)
    mentors: StrictInt = F("Nombre de mentors dans le groupe.", 2, ge=1, le=10)


class Association(Modele):
    id: str = F("Identifiant court.", "wao")
    nom: str = F("Nom de l'association.", "WAO")
    description: str = F("Ce que fait l'association, en une phrase.", "Mentorat en collectif.")


class Partenaire(Modele):
    nom: str = F("Nom du partenaire ou de la catégorie de partenaires.", "Missions locales")
    type: Literal["public", "socio-educatif", "economique", "financeur"] = F(
        "Famille de partenaire.", "socio-educatif")
    description: str = F("Rôle du partenaire dans le programme.", "Orientent des jeunes vers les groupes.")


class EtapeAlerte(Modele):
    role: str = F("Qui prévenir (fonction, jamais un nom de personne).",
                  "Référent·e protection du programme")
    quand: str = F("Dans quelle situation.", "Toute révélation de violence ou de danger.")
    comment: str = F("Comment le joindre (fonction, canal), sans coordonnées personnelles.",
                     "Par le canal d'alerte indiqué lors de la formation, le jour même.")


class ContactPublic(Modele):
    libelle: str = F("À quoi sert ce contact.", "Police secours")
    numero: Optional[str] = F("Numéro public (service national, accueil du programme).", "17",
                              default=None)
    email: Optional[str] = F("Adresse publique du programme.", default=None)
    description: str = F("Quand l'utiliser.", "En cas de danger immédiat.", default="")


class CanalAlerte(Modele):
    """How a mentor reaches the programme to raise an alert: roles, a programme line and
    address (never a person's own contact), and who may read them."""

    libelle: str = F("Nom du canal.", "Ligne d'alerte du programme")
    roles: list[str] = F("Qui répond (fonctions, jamais des noms de personnes).",
                         ["Le ou la référent·e de groupe de permanence"], min_length=1)
    telephone: Optional[str] = F("Numéro de la ligne du programme (jamais un numéro personnel).",
                                 "01 23 45 67 89", default=None)
    email: Optional[str] = F("Adresse e-mail du programme (jamais une adresse personnelle).",
                             "alerte@powao.example", default=None)
    horaires: str = F("Quand le canal répond.", "7 j/7, de 8 h à 22 h", default="")
    audience: Literal["public", "interne"] = F(
        "interne : les coordonnées ne paraissent que dans l'édition interne ; l'édition "
        "publique dit où les mentors les trouvent.", "interne", default="interne")
    ou_le_trouver: str = F("Dans l'édition publique, où les mentors trouvent ces coordonnées.",
                           "Sur la carte remise en formation initiale.", default="")
    illustratif: StrictBool = F("true si les coordonnées sont un exemple à remplacer "
                                "(publiées avec la mention « coordonnées illustratives »).",
                                False, default=False)


class Programme(Modele):
    """content/data/programme.yml"""

    nom: str = F("Nom court du programme.", "POWAO")
    nom_long: str = F("Nom développé.", "POWAO — mentorat en collectif")
    presentation: str = F("Présentation en quelques lignes (Markdown).", "POWAO accompagne…")
    associations: list[Association] = F("Les associations porteuses.", [])
    chiffres: dict[str, Chiffre] = F(
        "Chiffres clés, par identifiant ; cités dans les textes par {{ chiffres.identifiant }}.",
        {"jeunes_mentores": {"valeur": 1500, "libelle": "jeunes mentorés"}})
    chiffres_accueil: list[str] = F("Identifiants des chiffres montrés en page d'accueil.",
                                    ["jeunes_mentores", "mentors"], default_factory=list)
    axes: list[Axe] = F("Les quatre axes d'ateliers.", [])
    groupe: Groupe = F("Taille de groupe par défaut des ateliers.", {"jeunes": 4, "mentors": 2},
                       default_factory=lambda: Groupe(jeunes=4, mentors=2))
    heure_debut: str = F("Heure de début par défaut des séances (HH:MM, entre guillemets).",
                         "14:00", default="14:00", motif="heure")
    partenaires: list[Partenaire] = F("Partenaires du programme.", [], default_factory=list)
    chaine_alerte: list[EtapeAlerte] = F("Chaîne d'alerte du cadre de sécurité, dans l'ordre.",
                                         [], default_factory=list)
    contacts_publics: list[ContactPublic] = F(
        "Seuls contacts autorisés dans les contenus (numéros nationaux, accueil du programme), "
        "après relecture. Reconnus sous toutes leurs écritures : « 01 23 45 67 89 », "
        "« 01.23.45.67.89 », « +33 1 23 45 67 89 » ; adresses sans tenir compte des majuscules.",
        [], default_factory=list)
    canal_alerte: Optional[CanalAlerte] = F(
        "Le canal d'alerte du programme (chaîne d'alerte, « En cas de problème »).",
        {"libelle": "Ligne d'alerte du programme", "roles": ["Référent·e de permanence"],
         "telephone": "01 23 45 67 89", "audience": "interne"}, default=None)
    premiers_gestes: list[str] = F(
        "Page « En cas de problème » : ce que fait un mentor quand un jeune se confie, "
        "en quelques étapes courtes (Markdown).", ["Restez calme et écoutez."],
        default_factory=list)
    etiquettes: list[str] = F(
        "Liste fermée des étiquettes (mots_cles) permises ; vide : toutes sont permises.",
        ["réseau", "confiance en soi"], default_factory=list)
    seuil_petits_effectifs: StrictInt = F(
        "En dessous de ce nombre, un effectif publié doit être masqué (« < 10 ») : dans les "
        "figures et dans le texte (« seulement 3 jeunes filles de 15 ans » est refusé).", 10,
        default=10, ge=1)

    v_heure = field_validator("heure_debut")(classmethod(lambda cls, v: check_heure(v)))


class Competence(Modele):
    id: str = F("Identifiant de la compétence.", "ecoute-active", motif="id")
    titre: str = F("Intitulé, commençant par un verbe.", "Écouter activement")
    domaine: Literal["posture", "animation", "securite", "accompagnement", "reseau"] = F(
        "Domaine du référentiel.", "accompagnement")
    description: str = F("Ce que le mentor sait faire.", "Reformule sans juger…")

    v_id = field_validator("id")(classmethod(lambda cls, v: check_id(v)))


class Competences(Modele):
    """content/data/competences.yml"""

    competences: list[Competence] = F("Le référentiel de compétences du mentor.", [])


class Terme(Modele):
    id: str = F("Identifiant, cité par [](glossaire:identifiant).", "cadre-de-securite",
                 motif="id")
    terme: str = F("Le terme.", "Cadre de sécurité")
    definition: str = F("Définition (Markdown).", "Ensemble des règles…")

    v_id = field_validator("id")(classmethod(lambda cls, v: check_id(v)))


class Glossaire(Modele):
    """content/data/glossaire.yml"""

    termes: list[Terme] = F("Termes du glossaire.", [])


# --------------------------------------------------------------------------- workshops

class Correspondance(Modele):
    mentor: list[str] = F("Comment un mentor le cherche (mots ou expressions).",
                          ["pleure", "en larmes"], min_length=1)
    contenu: list[str] = F("Comment le contenu le dit : une section qui contient l'un de ces "
                           "mots est aussi trouvée par les mots du mentor.",
                           ["émotion", "pleurer"], min_length=1)


class Vocabulaire(Modele):
    """content/data/vocabulaire.yml — the words mentors type, mapped to the content's."""

    correspondances: list[Correspondance] = F("Les correspondances, une par idée.", [],
                                              default_factory=list)


class Materiel(Modele):
    article: str = F("Ce qu'il faut apporter.", "Post-it")
    par_jeune: Optional[StrictInt] = F("Quantité par jeune (multipliée par le nombre de jeunes).",
                                       10, default=None, ge=1)
    par_mentor: Optional[StrictInt] = F("Quantité par mentor.", 1, default=None, ge=1)
    par_personne: Optional[StrictInt] = F("Quantité par participant (jeunes et mentors).", 1,
                                          default=None, ge=1)
    par_groupe: Optional[StrictInt] = F("Quantité par groupe.", 1, default=None, ge=1)
    quantite: Optional[StrictInt] = F("Quantité fixe pour la séance.", 1, default=None, ge=1)
    note: Optional[str] = F("Précision utile.", "de couleurs différentes", default=None)

    @model_validator(mode="after")
    def _one_quantity(self) -> "Materiel":
        given = [k for k in QUANTITES if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"une seule quantité par article (ici : {', '.join(given)})")
        return self

    def total(self, groupe: Groupe, groupes: int = 1) -> int:
        if self.par_jeune:
            return self.par_jeune * groupe.jeunes * groupes
        if self.par_mentor:
            return self.par_mentor * groupe.mentors * groupes
        if self.par_personne:
            return self.par_personne * (groupe.jeunes + groupe.mentors) * groupes
        if self.par_groupe:
            return self.par_groupe * groupes
        return self.quantite or 1


QUANTITES = ("par_jeune", "par_mentor", "par_personne", "par_groupe", "quantite")

FORMATS_ETAPE = ("pleniere", "sous-groupes", "binomes", "individuel", "pause")
LIBELLES_FORMAT = {"pleniere": "Plénière", "sous-groupes": "Sous-groupes", "binomes": "Binômes",
                   "individuel": "Individuel", "pause": "Pause"}


class Etape(Modele):
    titre: str = F("Nom de l'étape.", "Météo d'arrivée")
    duree: Minutes = F("Durée en minutes.", 10)
    format: Literal["pleniere", "sous-groupes", "binomes", "individuel", "pause"] = F(
        "Organisation : pleniere, sous-groupes, binomes, individuel ou pause.", "pleniere",
        default="pleniere")
    consignes: str = F("Ce que fait et dit l'animateur, ce que font les jeunes (Markdown).",
                       "Chacun dit en un mot comment il arrive.", default="")


class Atelier(Publication):
    """workshops/<id>.md — one workshop module."""

    titre: str = F("Titre de l'atelier, en minuscules sauf la première lettre.",
                   "Construire son réseau à partir de zéro")
    axe: str = F("Axe de l'atelier (identifiant défini dans content/data/programme.yml).",
                 "insertion-professionnelle", ref="axe")
    resume: str = F("Une phrase qui dit à quoi sert l'atelier.",
                    "Cartographier les personnes que l'on connaît déjà pour trouver un stage.")
    duree: Minutes = F("Durée totale en minutes : la somme des étapes du déroulé.", 120)
    public: str = F("À qui s'adresse l'atelier.", "Jeunes de 18 à 25 ans", default="Jeunes de 18 à 25 ans")
    groupe: Optional[Groupe] = F("Taille du groupe ; par défaut celle de programme.yml.",
                                 {"jeunes": 4, "mentors": 2}, default=None)
    modalite: Literal["presentiel", "distanciel", "hybride"] = F(
        "presentiel, distanciel ou hybride.", "presentiel", default="presentiel")
    heure_debut: Optional[str] = F("Heure de début conseillée (HH:MM, entre guillemets).",
                                   "14:00", default=None, motif="heure")
    sensible: StrictBool = F("true si le sujet touche à l'intime (récit de soi, confiance, "
                             "réseaux sociaux) : les points de vigilance sont alors obligatoires.",
                             False, default=False)
    objectifs: list[str] = F("2 à 4 objectifs, chacun commençant par un verbe.",
                             ["Identifier trois personnes ressources"], min_length=2, max_length=4)
    materiel: list[Materiel] = F("Matériel, avec une quantité par article.",
                                 [{"article": "Post-it", "par_jeune": 10}], default_factory=list)
    preparation: list[str] = F("Ce que l'animateur prépare avant la séance.",
                               ["Imprimer un document participant par jeune"], default_factory=list)
    deroule: list[Etape] = F("Les étapes minutées ; les heures sont calculées.",
                             [{"titre": "Accueil", "duree": 10, "format": "pleniere",
                               "consignes": "…"}], min_length=1)
    vigilance: list[str] = F("Points de vigilance liés au cadre de sécurité.",
                             ["Personne n'est obligé de parler de sa famille"], default_factory=list)
    mots_cles: list[str] = F("Mots-clés pour la recherche (non affichés).", ["liens faibles", "stage"],
                             default_factory=list)
    etiquettes: list[str] = F("Étiquettes affichées, prises dans la liste « etiquettes » de "
                              "content/data/programme.yml.", ["réseau", "stage et alternance"],
                              default_factory=list)
    version: str = F("Version de la fiche.", "1.0", default="1.0")

    v_heure = field_validator("heure_debut")(classmethod(lambda cls, v: check_heure(v)))


class Seance(Modele):
    atelier: str = F("Identifiant de l'atelier de la séance.", "faire-connaissance",
                     ref="atelier")
    mois: StrictInt = F("Mois du cycle (1 = premier mois).", 1, ge=1, le=24)
    defi: str = F("Défi d'intersession proposé aux jeunes jusqu'à la séance suivante.",
                  "Parler de son projet à une personne de son entourage.", default="")


class Cycle(Publication):
    """workshops/cycles/<id>.md — the ordered sessions a group follows."""

    titre: str = F("Nom du cycle.", "Cycle de six mois")
    resume: str = F("Une phrase de présentation.", "Le parcours type d'un groupe.")
    duree_mois: StrictInt = F("Durée du cycle en mois.", 6, ge=1, le=24)
    seances: list[Seance] = F("Les séances dans l'ordre.", [{"atelier": "faire-connaissance", "mois": 1}],
                              min_length=1)


# --------------------------------------------------------------------------- trainings

METHODES = ("apport", "atelier-pratique", "jeu-de-role", "etude-de-cas", "analyse-de-pratique",
            "echange", "quiz", "pause")
LIBELLES_METHODE = {"apport": "Apport", "atelier-pratique": "Atelier pratique",
                    "jeu-de-role": "Jeu de rôle", "etude-de-cas": "Étude de cas",
                    "analyse-de-pratique": "Analyse de pratique", "echange": "Échange",
                    "quiz": "Quiz", "pause": "Pause"}


class Sequence(Modele):
    titre: str = F("Nom de la séquence.", "Jeu de rôle : la révélation")
    duree: Minutes = F("Durée en minutes.", 30)
    methode: Literal["apport", "atelier-pratique", "jeu-de-role", "etude-de-cas",
                     "analyse-de-pratique", "echange", "quiz", "pause"] = F(
        "Méthode pédagogique.", "jeu-de-role")
    description: str = F("Déroulé de la séquence (Markdown).", "Par trois : un jeune, un mentor, "
                         "un observateur…", default="")


class Evaluation(Modele):
    formative: str = F("Comment on vérifie les acquis pendant le module.", "Tour de table…")
    sommative: str = F("Comment on valide le module à la fin.", "Quiz de cinq questions…")


class ModuleFormation(Publication):
    """trainings/modules/<id>.md — one module of mentor training."""

    titre: str = F("Titre du module.", "Poser et tenir un cadre de sécurité")
    resume: str = F("Une phrase de présentation.", "Savoir quoi faire quand un jeune se confie.")
    duree: Minutes = F("Durée totale en minutes : la somme des séquences.", 180)
    modalite: Literal["presentiel", "distanciel", "hybride"] = F(
        "presentiel, distanciel ou hybride.", "presentiel", default="presentiel")
    competences: list[str] = F("Compétences visées (identifiants de competences.yml).",
                               ["poser-le-cadre"], min_length=1, ref="competence")
    objectifs: list[str] = F("2 à 4 objectifs, chacun commençant par un verbe.",
                             ["Réagir à une révélation"], min_length=2, max_length=4)
    sequences: list[Sequence] = F("Les séquences minutées.", [{"titre": "Apport", "duree": 30,
                                                               "methode": "apport"}], min_length=1)
    materiel: list[str] = F("Matériel de la séance de formation.", ["Vidéoprojecteur"],
                            default_factory=list)
    evaluation: Evaluation = F("Évaluation formative et sommative.",
                               {"formative": "…", "sommative": "…"})
    ateliers_lies: list[str] = F("Ateliers liés (identifiants).", ["faire-connaissance"],
                                 default_factory=list, ref="atelier")
    ressources: list[str] = F("Ressources complémentaires (texte ou liens Markdown).",
                              ["[Le cadre de sécurité](../../content/cadre-de-securite.md)"],
                              default_factory=list)
    sensible: StrictBool = F("true si le module traite de situations sensibles.", False, default=False)
    vigilance: list[str] = F("Points de vigilance pour le formateur.", [], default_factory=list)


class Parcours(Publication):
    """trainings/<id>.md — a mentor-training curriculum."""

    titre: str = F("Nom du parcours.", "Formation initiale des mentors")
    type: Literal["initiale", "continue"] = F("initiale ou continue.", "initiale")
    resume: str = F("Une phrase de présentation.", "Les six modules avant la première séance.")
    public: str = F("À qui s'adresse le parcours.", "Mentors bénévoles", default="Mentors bénévoles")
    modules: list[str] = F("Modules du parcours, dans l'ordre (identifiants).", ["role-et-posture"],
                           min_length=1, ref="module")


# --------------------------------------------------------------------------- white paper

TYPES_CHAPITRE = ("avant-propos", "chiffres-cles", "contexte", "methode", "enseignements",
                  "formation", "temoignages", "recommandations", "partenaires", "annexe")


class Chapitre(Publication):
    """whitepaper/chapitres/<id>.md — one chapter of the livre blanc."""

    titre: str = F("Titre du chapitre.", "Ce que nous avons appris")
    type: Literal["essentiel", "avant-propos", "chiffres-cles", "contexte", "methode", "enseignements",
                  "formation", "temoignages", "recommandations", "partenaires", "annexe"] = F(
        "Nature du chapitre.", "enseignements")
    chapeau: str = F("Paragraphe d'introduction, imprimé en tête du chapitre (pour "
                     "« L'essentiel » : le message clé, repris en quatrième de couverture).",
                     "Trois ans de mentorat en collectif…")


class LivreBlanc(Modele):
    """whitepaper/livre-blanc.yml — the book file."""

    titre: str = F("Titre du livre blanc.", "Mentorer en collectif")
    sous_titre: str = F("Sous-titre.", "Trois ans de POWAO en Île-de-France")
    auteurs: list[str] = F("Auteurs (personnes ou équipes).", ["L'équipe POWAO"], min_length=1)
    organisations: list[str] = F("Organisations éditrices.", ["WAO", "POWA"], min_length=1)
    date: str = F("Date de publication (AAAA-MM-JJ).", "2026-01-15", motif="date")
    edition: str = F("Édition.", "Première édition", default="Première édition")
    licence: str = F("Licence de diffusion.", "CC BY-SA 4.0")
    format: Literal["A4", "A5", "B5"] = F("Format de page du PDF.", "A4", default="A4")
    resume: str = F("Résumé (métadonnées du PDF).", "Ce que trois ans de mentorat…")
    mots_cles: list[str] = F("Mots-clés (métadonnées du PDF).", ["mentorat"], default_factory=list)
    chapitres: list[str] = F("Chapitres dans l'ordre (identifiants).", ["avant-propos"], min_length=1,
                           ref="chapitre")
    remerciements: str = F("Remerciements (Markdown), imprimés au colophon.", "Merci aux mentors…",
                           default="")
    version: Optional[str] = F("Version du document, imprimée au colophon et dans la citation.",
                               "1.0", default=None)
    directeur_publication: Optional[str] = F(
        "Directeur ou directrice de la publication (nom ou fonction), imprimé au colophon.",
        "La présidence de WAO", default=None)
    depot_legal: Optional[str] = F("Dépôt légal (mois et année), imprimé au colophon.",
                                   "janvier 2026", default=None)
    isbn: Optional[str] = F("ISBN, s'il en a été attribué un (rien n'est imprimé sinon).",
                            "978-2-0000-0000-0", default=None)
    issn: Optional[str] = F("ISSN de la collection, s'il existe (rien n'est imprimé sinon).",
                            "0000-0000", default=None)
    imprimeur: Optional[str] = F("Imprimeur (nom et ville), pour l'édition imprimée ; rien "
                                 "n'est imprimé s'il est absent.", "Imprimerie Exemple, Paris",
                                 default=None)

    v_date = field_validator("date")(classmethod(lambda cls, v: check_date(v)))


class Reference(Modele):
    auteurs: str = F("Auteur(s) ou organisation, tels qu'imprimés (ISO 690 : NOM Prénom "
                     "ou organisation).", "INJEP")
    titre: str = F("Titre de la source.", "Évaluation du plan « 1 jeune, 1 mentor »")
    langue: str = F("Langue du titre (code ISO 639-1) : un titre en anglais (« en ») garde "
                    "la typographie anglaise.", "fr", default="fr")
    annee: StrictInt = F("Année.", 2025, ge=1900, le=2100)
    lieu: Optional[str] = F("Lieu d'édition.", "Paris", default=None)
    editeur: Optional[str] = F("Éditeur ou site.", "vie-publique.fr", default=None)
    collection: Optional[str] = F("Collection et numéro.", "Notes et rapports, n° 12", default=None)
    url: Optional[str] = F("Adresse web (https://…) d'une source en ligne.",
                           "https://www.lementorat.fr/", default=None)
    doi: Optional[str] = F("Identifiant DOI (10.xxxx/…), s'il existe.", "10.1000/exemple",
                           default=None)
    consulte: Optional[str] = F("Date de consultation (AAAA-MM-JJ), obligatoire avec une "
                                "adresse web ou un DOI.", "2026-01-05", default=None)
    note: Optional[str] = F("Précision (rapport, page…).", default=None)

    v_consulte = field_validator("consulte")(classmethod(lambda cls, v: check_date(v)))

    v_langue = field_validator("langue")(pattern_check(
        r"[a-z]{2}", "code de langue attendu en deux lettres minuscules, par exemple « fr » "
        "ou « en »"))
    v_url = field_validator("url")(pattern_check(
        r"https?://[^\s<>\"']+", "adresse web attendue, commençant par https://, par exemple "
        "https://www.lementorat.fr/"))
    v_doi = field_validator("doi")(pattern_check(
        r"10\.\d{4,9}/[^\s<>\"']+", "DOI attendu sous la forme 10.xxxx/identifiant, sans "
        "« https://doi.org/ », par exemple 10.1000/exemple"))

    @model_validator(mode="after")
    def _consultation(self) -> "Reference":
        if (self.url or self.doi) and not self.consulte:
            raise ValueError("source en ligne sans date de consultation : ajoutez "
                             "« consulte: AAAA-MM-JJ » (la date où vous l'avez lue)")
        return self


class References(Modele):
    """whitepaper/references.yml — cited by [@cle]."""

    references: dict[str, Reference] = F("Références bibliographiques, par clé de citation.", {})


class Valeur(Modele):
    libelle: str = F("Étiquette de la barre ou de la part.", "Méthodologie")
    valeur: Nombre = F("Valeur.", 420)
    masque: StrictBool = F("true pour publier « < seuil » au lieu d'un petit effectif "
                           "(valeur sous seuil_petits_effectifs).", False, default=False)


class Figure(Modele):
    """whitepaper/donnees/<id>.yml — the data of one chart."""

    titre: str = F("Titre de la figure.", "Jeunes par axe d'atelier")
    type: Literal["barres", "barres-horizontales", "courbe", "anneau"] = F(
        "Type de graphique.", "barres")
    unite: str = F("Unité des valeurs (« % », « heures », « jeunes »…). Sans unité ou avec une "
                   "unité de personnes (« jeunes », « mentors »), des valeurs entières sont "
                   "contrôlées comme des effectifs, même avec « effectifs: false ».", "jeunes",
                   default="")
    effectifs: StrictBool = F("true si les valeurs sont des effectifs de personnes : toute valeur "
                              "sous le seuil des petits effectifs (programme.yml, "
                              "seuil_petits_effectifs) est refusée si elle n'est pas masquée. "
                              "false seulement pour des parts (%), des moyennes ou des durées.",
                              True, default=False)
    illustratif: StrictBool = F("true tant que les valeurs sont illustratives (mention imprimée).",
                                True)
    champ: str = F("Champ : la population et la période que couvrent les données (imprimé "
                   "« Champ : … » sous la figure).",
                   "Jeunes mentorés par POWAO en Île-de-France, cycles 2022 à 2024")
    lecture: str = F("Exemple de lecture d'une valeur (imprimé « Lecture : … » sous la figure).",
                     "1 180 jeunes ont suivi au moins un atelier de méthodologie.")
    source: str = F("Source des données (imprimée « Source : … » sous la figure).",
                    "Suivi du programme")
    alt: str = F("Description du graphique pour les lecteurs d'écran.", "Barres : …")
    valeurs: list[Valeur] = F("Les valeurs, dans l'ordre d'affichage.", [], min_length=2)


class Temoignage(Modele):
    id: str = F("Identifiant, cité par {{ temoignage: identifiant }}.", "samia", motif="id")
    citation: str = F("Les mots de la personne, sans détail qui la fasse reconnaître : au plus un "
                      "détail parmi établissement nommé (« lycée Jean-Jaurès »), classe (« 3e B », "
                      "« terminale STMG »), âge (« 15 ans »), ville ou quartier, en comptant le "
                      "rôle ; aucun nom de famille (« M. Dupont »).",
                      "Je ne savais pas que j'avais un réseau.")
    prenom: str = F("Un seul prénom, modifié : pas de nom de famille, d'initiale (« Samia B. ») "
                    "ni de second prénom séparé par une espace.", "Samia")
    role: str = F("Qui parle, en termes généraux (compté avec la citation pour les détails "
                  "identifiants).", "jeune mentorée, 21 ans")
    prenom_modifie: StrictBool = F("true : le prénom a été changé (obligatoire).", True)
    consentement: StrictBool = F("true : la personne a consenti à la publication.", True)
    illustratif: StrictBool = F("true si le témoignage est reconstitué à titre d'illustration.", True)

    v_id = field_validator("id")(classmethod(lambda cls, v: check_id(v)))


class Temoignages(Modele):
    """whitepaper/temoignages.yml"""

    temoignages: list[Temoignage] = F("Témoignages.", [])


# --------------------------------------------------------------------------- site pages

class Page(Publication):
    """content/<id>.md — a site page (home, programme, safety framework…)."""

    titre: str = F("Titre de la page.", "Le cadre de sécurité")
    resume: str = F("Une phrase de présentation (moteurs de recherche, cartes).", "…", default="")
    ordre: StrictInt = F("Rang dans la navigation.", 10, default=50)
    icone: Optional[str] = F("Icône Material de la page.", "shield-check-outline", default=None)


KINDS: dict[str, type[Modele]] = {
    "atelier": Atelier, "cycle": Cycle, "module": ModuleFormation, "parcours": Parcours,
    "chapitre": Chapitre, "page": Page,
}
DATA_KINDS: dict[str, type[Modele]] = {
    "programme": Programme, "competences": Competences, "glossaire": Glossaire,
    "livre-blanc": LivreBlanc, "references": References, "figure": Figure,
    "temoignages": Temoignages, "vocabulaire": Vocabulaire,
}


def field_rows(model: type[BaseModel], prefix: str = "") -> list[dict[str, str]]:
    """One row per field (nested models flattened) for the authoring guide."""
    rows: list[dict[str, str]] = []
    for name, info in model.model_fields.items():
        rows.append({"champ": prefix + name, "obligatoire": "oui" if info.is_required() else "non",
                     "type": type_label(info), "sens": info.description or "",
                     "exemple": example_text(info)})
        for sub in nested_models(info):
            rows.extend(field_rows(sub, prefix + name + "."))
    return rows


def nested_models(info: FieldInfo) -> list[type[BaseModel]]:
    found = []
    for arg in _flatten(info.annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            found.append(arg)
    return found


def _flatten(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    out = []
    for a in args:
        out.extend(_flatten(a))
    return out


def type_label(info: FieldInfo) -> str:
    ann = info.annotation
    text = repr(ann)
    origin = getattr(ann, "__origin__", None)
    if "Literal" in text:
        values = [a for a in _flatten(ann) if isinstance(a, str)]
        return "choix : " + ", ".join(values)
    if origin is dict:
        return "dictionnaire"
    if origin is list:
        inner = _flatten(ann)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return "liste d'éléments"
        return "liste de textes"
    if any(isinstance(a, type) and issubclass(a, BaseModel) for a in _flatten(ann)):
        return "bloc de champs"
    if "bool" in text:
        return "true ou false"
    if "int" in text and "float" in text:
        return "nombre"
    if "int" in text:
        return "nombre entier"
    return "texte"


def example_text(info: FieldInfo) -> str:
    if not info.examples:
        return ""
    import json
    value = info.examples[0]
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)
