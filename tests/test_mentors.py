"""The mentors' site without a browser: controlled tags, the alert channel's contacts,
tap-to-call links, safety links, the search tokenizer and index."""
from __future__ import annotations

from types import SimpleNamespace

from powao import model as m
from powao.recherche import build_index, sections, termes
from powao.sitelinks import Linker

ATELIER = "workshops/construire-son-reseau.md"
PROGRAMME = "content/data/programme.yml"


def errors(projet, capsys) -> tuple[int, list[str]]:
    code, _out, err = projet.run("check", capsys=capsys)
    return code, [line for line in err.splitlines() if not line.startswith("Échec")]


# ------------------------------------------------------------------------------- tags

def test_unknown_tag_is_refused_with_the_closest(projet, capsys):
    projet.write(PROGRAMME, projet.read(PROGRAMME) + "etiquettes: [réseau, confiance en soi]\n")
    projet.replace(ATELIER, "mots_cles: [réseau]", "mots_cles: [réseau]\netiquettes: [réseaux]")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert lines == [f"{ATELIER}:22: champ « etiquettes[1] » : étiquette « réseaux » absente de la "
                     "liste « etiquettes » de content/data/programme.yml. Vouliez-vous dire "
                     "« réseau » ? Choisissez une étiquette de la liste ou ajoutez-la à la liste si "
                     "plusieurs ateliers la partagent"], lines


def test_a_tag_from_the_list_passes(projet, capsys):
    projet.write(PROGRAMME, projet.read(PROGRAMME) + "etiquettes: [réseau]\n")
    projet.replace(ATELIER, "mots_cles: [réseau]", "mots_cles: [réseau]\netiquettes: [réseau]")
    code, lines = errors(projet, capsys)
    assert code == 0, lines


def test_alert_channel_line_is_an_allowed_contact_but_a_personal_one_is_not(projet, capsys):
    projet.write(PROGRAMME, projet.read(PROGRAMME) + (
        "canal_alerte:\n  libelle: Ligne d'alerte\n  roles: [Référent·e de permanence]\n"
        "  telephone: \"01 23 45 67 89\"\n  illustratif: true\n"))
    projet.replace(ATELIER, "Parce que", "Appelez le 01 23 45 67 89 ou le 06 11 22 33 44. Parce que")
    code, lines = errors(projet, capsys)
    assert code == 1
    assert len(lines) == 1 and "06 11 22 33 44" in lines[0], lines


# ------------------------------------------------------------------------- site links

def _programme() -> m.Programme:
    return m.Programme(nom="P", nom_long="P", presentation="P", associations=[], chiffres={},
                       axes=[], contacts_publics=[
        m.ContactPublic(libelle="Police", numero="17"), m.ContactPublic(libelle="SAMU", numero="15"),
        m.ContactPublic(libelle="Suicide", numero="3114")])


def test_phone_numbers_become_tel_links_keeping_their_spelling():
    linker = Linker(_programme(), {})
    html = linker.page("<p>Appelez le 17, le 15 ou le 01 23 45 67 89. Le 3114 écoute. "
                       "Le 15 mars, 17 ateliers, le 17 h.</p>", lambda u: u)
    assert '<a class="powao-tel" href="tel:17">17</a>, le <a class="powao-tel" href="tel:15">15</a>' in html
    assert '<a class="powao-tel" href="tel:+33123456789">01 23 45 67 89</a>' in html
    assert 'Le <a class="powao-tel" href="tel:3114">3114</a> écoute' in html
    assert "Le 15 mars, 17 ateliers, le 17 h." in html  # dates, counts, hours stay text


def test_safety_mentions_and_bare_links_point_at_sections():
    linker = Linker(_programme(), {"alerte": "page/s#la-chaine", "cadre": "page/s#essentiel"})
    link = {"page/s#la-chaine": "s.html#la-chaine", "page/s#essentiel": "s.html#essentiel"}.get
    html = linker.page('<h2>La chaîne d’alerte</h2><p>Suivez la chaîne d’alerte du cadre de '
                       'sécurité. Voir <a href="../cadre-de-securite.html">la chaîne d’alerte</a>.</p>'
                       '<p><a href="s.html#x">cadre de sécurité</a></p>', link)
    assert "<h2>La chaîne d’alerte</h2>" in html
    assert 'Suivez la <a class="powao-lien-securite" href="s.html#la-chaine">chaîne d’alerte</a>' in html
    assert 'du <a class="powao-lien-securite" href="s.html#essentiel">cadre de sécurité</a>' in html
    assert '<a href="s.html#la-chaine">la chaîne d’alerte</a>' in html
    assert '<a href="s.html#x">cadre de sécurité</a>' in html  # an anchor already chosen


# ------------------------------------------------------------------------------ search

def test_query_terms_drop_stop_words_and_elisions_and_join_forms():
    assert termes("Que faire si un jeune pleure ?") == ["jeun", "pleur"]
    assert termes("qu'est-ce qu'on fait quand l'élève pleurent") == termes("élève pleurer")
    assert termes("Réseaux") == termes("réseau") == termes("RESEAU")
    assert termes("le 3114") == ["3114"]


def test_sections_and_glossary_terms_are_separate_and_clean():
    body = ('<nav class="md-tags" data-search-exclude><a>Réseau</a></nav><p>Intro.</p>'
            '<dl class="powao-apercu-grille" data-search-exclude><dt>Durée</dt><dd>2 h</dd></dl>'
            '<h2 id="a">Quand un jeune se confie</h2><p>Écoutez.</p>'
            '<dl><dt id="terme-alerte">Alerte</dt><dd>Prévenir.</dd></dl>')
    found = [(s.anchor, s.title, "".join(s.text).split()) for s in sections("Titre", body)]
    assert found == [("", "Titre", ["Intro."]), ("a", "Quand un jeune se confie", ["Écoutez."]),
                     ("terme-alerte", "Alerte", ["Prévenir."])]


def test_vocabulary_finds_the_content_wording():
    page = SimpleNamespace(doc="x.md", title="Atelier",
                           body='<h3 id="emo">Si un jeune bloque</h3><p>Accueillir l’émotion.</p>'
                                '<h3 id="autre">Autre</h3><p>Rien.</p>')
    voc = [m.Correspondance(mentor=["pleure"], contenu=["émotion"])]
    index = build_index([page], voc)
    docs = [index["docs"][n][0] for n in index["termes"]["pleur"][1][::2]]
    assert docs == ["x.html#emo"]


def test_internal_pages_go_to_the_team_space(projet):
    from powao.content import load_and_check
    from powao.site import SiteBuilder
    from powao.templating import Templates
    projet.write("content/guide.md", "---\ntitre: Guide de rédaction\nstatut: publie\n"
                 "diffusion: interne\nresume: Pour l'équipe.\n---\n\nLe guide.\n")
    for edition, expected in (("public", None), ("interne", [{"Guide de rédaction": "guide.md"}])):
        corpus, _ = load_and_check(projet.root, edition=edition)
        nav = SiteBuilder(corpus, Templates(corpus), {}, edition).nav()
        sections = {next(iter(n)): n[next(iter(n))] for n in nav}
        assert sections.get("Espace équipe") == expected
        assert "guide.md" not in str(sections["Ressources"])
