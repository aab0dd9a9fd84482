"""French typography engine: rule table, protected zones and properties."""
from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powao.typography import NBSP, NNBSP, Reglages, typographier, typographier_texte

assert NBSP == "\u00a0" and NNBSP == "\u202f"

# (input, expected) for typographier with the default settings.
CASES = [
    # --- : ; ! ? ---------------------------------------------------------------------
    ("Attention : ceci", "Attention\u00a0: ceci"),
    ("Attention: ceci", "Attention\u00a0: ceci"),
    ("Oui ; non ! Quoi ?", "Oui\u202f; non\u202f! Quoi\u202f?"),
    ("Vraiment?", "Vraiment\u202f?"),
    ("Quoi\u00a0? Hein\u202f!", "Quoi\u202f? Hein\u202f!"),
    ("Vraiment ?! Quoi?!", "Vraiment\u202f?! Quoi\u202f?!"),
    ("Une réussite ? : la liste", "Une réussite\u202f?\u00a0: la liste"),
    ("<strong>Note</strong>: texte", "<strong>Note</strong>\u00a0: texte"),
    ("<p><em>vraiment</em>?</p>", "<p><em>vraiment</em>\u202f?</p>"),
    ("Rendez-vous à 14:30.", "Rendez-vous à 14:30."),
    ("un ratio 1:2", "un ratio 1:2"),
    ("le protocole http: simple", "le protocole http: simple"),
    # --- guillemets and apostrophes --------------------------------------------------
    ("« oui »", "«\u00a0oui\u00a0»"),
    ("«oui»", "«\u00a0oui\u00a0»"),
    ('Il dit "oui".', "Il dit «\u00a0oui\u00a0»."),
    ('<p>"<em>oui</em>"</p>', "<p>«\u00a0<em>oui</em>\u00a0»</p>"),
    ('<p>Il a dit "a "b" c"</p>', '<p>Il a dit "a "b" c"</p>'),
    ('Un écran de 5" seulement', 'Un écran de 5" seulement'),
    ('<p>"a</p><p>b"</p>', '<p>"a</p><p>b"</p>'),
    ("l'atelier, aujourd'hui", "l’atelier, aujourd’hui"),
    ("<p>l'<em>atelier</em></p>", "<p>l’<em>atelier</em></p>"),
    ("qu'« une »", "qu’«\u00a0une\u00a0»"),
    # --- spaces before , . … ) and after ( ; ellipsis ---------------------------------
    ("mot , mot . ( texte ) fin …", "mot, mot. (texte) fin…"),
    ("Attends... la suite", "Attends… la suite"),
    ("1.5 et 3,14 et .net", "1.5 et 3,14 et .net"),
    ("« … »", "«\u00a0…\u00a0»"),
    # --- numbers: grouping -----------------------------------------------------------
    ("15000", "15\u202f000"),
    ("1234567", "1\u202f234\u202f567"),
    ("Plus de 1500 jeunes.", "Plus de 1\u202f500\u00a0jeunes."),
    ("2500 €", "2\u202f500\u202f€"),
    ("1200 km", "1\u202f200\u00a0km"),
    ("1 500 et 1\u00a0500 et 15 000", "1\u202f500 et 1\u202f500 et 15\u202f000"),
    ("15\u202f000 et 1\u202f500\u00a0jeunes", "15\u202f000 et 1\u202f500\u00a0jeunes"),
    ("12345,67 et 1234,5", "12\u202f345,67 et 1234,5"),
    # --- numbers: never grouped ------------------------------------------------------
    ("en 2021, 2022, de 2022 à 2025, mai 2021", "en 2021, 2022, de 2022 à 2025, mai 2021"),
    ("à partir de 2022 sortaient", "à partir de 2022 sortaient"),
    ("2000 km, 2050 €", "2\u202f000\u00a0km, 2\u202f050\u202f€"),
    ("75011 et 93200 Saint-Denis", "75011 et 93200 Saint-Denis"),
    ("14:30 et 14h30", "14:30 et 14h30"),
    ("01 23 45 67 89 ou 0123456789", "01 23 45 67 89 ou 0123456789"),
    ("le 3114, le 3919", "le 3114, le 3919"),
    ("Appelez le 3919 gratuitement", "Appelez le 3919 gratuitement"),
    ("1.0.2 et v2.3", "1.0.2 et v2.3"),
    ("page 1234 et rapport 299126", "page 1234 et rapport 299126"),
    ("p. 1234, art. 1234, n° 12345", "p.\u00a01234, art.\u00a01234, n°\u00a012345"),
    ("A4, WCAG2, 3D", "A4, WCAG2, 3D"),
    # --- percent, currency, glued units, dates, times --------------------------------
    ("25% et 25 % et 5‰", "25\u202f% et 25\u202f% et 5\u202f‰"),
    ("400€, 400 €, 10$, 3 £", "400\u202f€, 400\u202f€, 10\u202f$, 3\u202f£"),
    ("750 mentors, 10 min", "750\u00a0mentors, 10\u00a0min"),
    ("22 h 30", "22\u00a0h\u00a030"),
    ("le 14 juillet 2025", "le 14\u00a0juillet\u00a02025"),
    ("le 1er janvier 2025", "le 1<sup>er</sup>\u00a0janvier\u00a02025"),
    ("<strong>1500</strong> jeunes", "<strong>1\u202f500</strong>\u00a0jeunes"),
    # --- abbreviations ---------------------------------------------------------------
    ("M. Dupont, Mme Martin, Dr Leroy", "M.\u00a0Dupont, Mme\u00a0Martin, Dr\u00a0Leroy"),
    ("p. 12, n° 3", "p.\u00a012, n°\u00a03"),
    # --- ordinals --------------------------------------------------------------------
    ("1er, 1re, 1ers, 1res", "1<sup>er</sup>, 1<sup>re</sup>, 1<sup>ers</sup>, 1<sup>res</sup>"),
    ("2e, 2es, 2d, 2de", "2<sup>e</sup>, 2<sup>es</sup>, 2<sup>d</sup>, 2<sup>de</sup>"),
    ("2ème 2ième 2eme 2éme", "2<sup>e</sup> 2<sup>e</sup> 2<sup>e</sup> 2<sup>e</sup>"),
    ("1ère, 1ere, 2nd, 2nde", "1<sup>re</sup>, 1<sup>re</sup>, 2<sup>d</sup>, 2<sup>de</sup>"),
    ("le XXIe siècle, le XXe, François Ier",
     "le XXI<sup>e</sup> siècle, le XX<sup>e</sup>, François I<sup>er</sup>"),
    ("v2eme9, #4e4e4e, Le De Ce Vers", "v2eme9, #4e4e4e, Le De Ce Vers"),
    ("2<sup>e</sup> et 1<sup>er</sup>", "2<sup>e</sup> et 1<sup>er</sup>"),
    # --- protected zones -------------------------------------------------------------
    ('<p>Voir <code>a : b "c"</code> !</p>', '<p>Voir <code>a : b "c"</code>\u202f!</p>'),
    ("<pre><code>x = 'a' : 15000...</code></pre>", "<pre><code>x = 'a' : 15000...</code></pre>"),
    ("<p><kbd>Ctrl!</kbd> <samp>a ;b</samp> <var>n?</var></p>",
     "<p><kbd>Ctrl!</kbd> <samp>a ;b</samp> <var>n?</var></p>"),
    ("<script>if (a < b) { x = 'a:b'; }</script>", "<script>if (a < b) { x = 'a:b'; }</script>"),
    ('<a href="http://x?a=1:2" title="Pourquoi ?">lien</a> !',
     '<a href="http://x?a=1:2" title="Pourquoi ?">lien</a>\u202f!'),
    ("Voir https://x.fr/a?b=c !", "Voir https://x.fr/a?b=c\u202f!"),
    ("Écrire à contact@wao.fr ou www.exemple.fr !",
     "Écrire à contact@wao.fr ou www.exemple.fr\u202f!"),
    ("<!-- a : b --><p>a : b</p>", "<!-- a : b --><p>a\u00a0: b</p>"),
    ('<p class="notypo">a : b</p><p>a : b</p>', '<p class="notypo">a : b</p><p>a\u00a0: b</p>'),
    ('<p>Le <span class="x notypo">1500 jeunes : "x"</span> !</p>',
     '<p>Le <span class="x notypo">1500 jeunes : "x"</span>\u202f!</p>'),
    # --- entities, footnotes, tables, malformed HTML ---------------------------------
    ("<p>&quot;oui&quot; &amp; l&#39;atelier&nbsp;: x</p>",
     "<p>«\u00a0oui\u00a0» &amp; l’atelier\u00a0: x</p>"),
    ("<p>a &lt; b : c</p>", "<p>a &lt; b\u00a0: c</p>"),
    ('jeunes<sup id="fnref:1"><a href="#fn:1">1</a></sup> :',
     'jeunes<sup id="fnref:1"><a href="#fn:1">1</a></sup>\u00a0:'),
    ("<table><tr><td>1500</td><td>jeunes</td></tr></table>",
     "<table><tr><td>1500</td><td>jeunes</td></tr></table>"),
    ("<p>Oui : <em>non", "<p>Oui\u00a0: <em>non"),
    ("<p>x<br>\"oui\"</p>", "<p>x<br>«\u00a0oui\u00a0»</p>"),
    # --- issue 16: what the peers' suites revealed ------------------------------------
    ("mot\u00a0, mot\u202f. fin\u00a0… (\u00a0texte\u202f)", "mot, mot. fin… (texte)"),
    ("<p>un <em>mot</em>\u00a0, et (\u00a0<em>là</em>)</p>", "<p>un <em>mot</em>, et (<em>là</em>)</p>"),
    ("Quoi \ufeff\u00a0? Oui \u200b: non", "Quoi\u202f? Oui\u00a0: non"),
    ("<p>a&#11; : b</p>", "<p>a&#11;\u00a0: b</p>"),
    ("<p>a\x01b : c</p>", "<p>a\x01b\u00a0: c</p>"),
    ('" bonjour "', "«\u00a0bonjour\u00a0»"),
    ('Le " Chat Botté ".', "Le «\u00a0Chat Botté\u00a0»."),
    ('Un écran de 5" et "oui" dit-il', 'Un écran de 5" et «\u00a0oui\u00a0» dit-il'),
    ('Seul : " ! Mais "ok".', 'Seul\u00a0: "\u202f! Mais «\u00a0ok\u00a0».'),
    ('"Début sans fin et "paire" ici', '"Début sans fin et «\u00a0paire\u00a0» ici'),
    ('en ".docx" ou ".odt"', "en «\u00a0.docx\u00a0» ou «\u00a0.odt\u00a0»"),
    ("1ÈRE, 2ÈME, 3ÈMES, 1ER, XXIÈME", "1<sup>re</sup>, 2<sup>e</sup>, 3<sup>es</sup>, 1<sup>er</sup>, XXI<sup>e</sup>"),
    ("2E, 3D, IER, VERS, DERNIER", "2E, 3D, IER, VERS, DERNIER"),
    ("1<sup>ère</sup>, 2<sup>ème</sup>, XXI<sup>ème</sup>, 2<sup>nd</sup>",
     "1<sup>re</sup>, 2<sup>e</sup>, XXI<sup>e</sup>, 2<sup>d</sup>"),
    ('x<sup>2</sup> et <sup id="fnref:1">1</sup>', 'x<sup>2</sup> et <sup id="fnref:1">1</sup>'),
    ("Attends.... la suite, ..... 12", "Attends… la suite, ..... 12"),
    ("20 °F et 20 °C", "20\u00a0°F et 20\u00a0°C"),
    ("4x4 m, 2 x 5 m, 0x1F, 0x10, Windows x64", "4×4\u00a0m, 2\u00a0×\u00a05\u00a0m, 0x1F, 0x10, Windows x64"),
    ("F,bar et 1,5 et 3,mot", "F, bar et 1,5 et 3,mot"),
    ("Bonjour « monsieur ‹  typographe  › »", "Bonjour «\u00a0monsieur ‹\u00a0typographe\u00a0›\u00a0»"),
    ("il a dit “  oui  ” puis ‘ non ’", "il a dit “oui” puis ‘ non ’"),
    ("la 1 ère fois, la 2   ème, 1234 ème, en 2010 ère", "la 1<sup>re</sup> fois, la 2<sup>e</sup>, 1234 ème, en 2010 ère"),
    ('la 1<sup class="x">ère</sup> fois', 'la 1<sup class="x">re</sup> fois'),
    ('1<sup class="notypo">ère</sup> et 1<sup lang="en">st</sup>',
     '1<sup class="notypo">ère</sup> et 1<sup lang="en">st</sup>'),
    ("-8000°C, 36,1 °C, 42°CA, 20°", "-8000\u00a0°C, 36,1\u00a0°C, 42°CA, 20°"),
    ("<p><tt>a : b</tt> <var>x ?</var> <samp>« c »</samp> <kbd>d!</kbd></p>",
     "<p><tt>a : b</tt> <var>x ?</var> <samp>« c »</samp> <kbd>d!</kbd></p>"),
    # --- the reference sentence ------------------------------------------------------
    ("Pourquoi ? Parce que 1500 jeunes l'ont dit : \"oui\" !",
     "Pourquoi\u202f? Parce que 1\u202f500\u00a0jeunes l’ont dit\u00a0: «\u00a0oui\u00a0»\u202f!"),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_rule_table(source: str, expected: str) -> None:
    assert typographier(source) == expected
    assert typographier(expected) == expected  # the expected output is a fixed point


TEXT_CASES = [
    ("la 2ème fois, la 1ère", "la 2e fois, la 1re"),
    ("le XXIème siècle", "le XXIe siècle"),
    ("l'atelier : \"oui\" !", "l’atelier\u00a0: «\u00a0oui\u00a0»\u202f!"),
    ("a < b : 1500 jeunes", "a < b\u00a0: 1\u202f500\u00a0jeunes"),
    ("\"a\"\n\n\"b\"", "«\u00a0a\u00a0»\n\n«\u00a0b\u00a0»"),
]


@pytest.mark.parametrize(("source", "expected"), TEXT_CASES)
def test_plain_text(source: str, expected: str) -> None:
    assert typographier_texte(source) == expected
    assert typographier_texte(expected) == expected


def test_narrow_space_setting() -> None:
    etroit = Reglages(deux_points=NNBSP, guillemets=NNBSP)
    assert typographier("« oui » : x", etroit) == "«\u202foui\u202f»\u202f: x"
    assert typographier('Il dit : "oui"', etroit) == "Il dit\u202f: «\u202foui\u202f»"
    # switching the setting rewrites the spaces the other setting had put
    assert typographier("«\u202foui\u202f»\u202f: x") == "«\u00a0oui\u00a0»\u00a0: x"
    assert typographier_texte("a : b", etroit) == "a\u202f: b"


def test_default_settings() -> None:
    assert Reglages() == Reglages(deux_points=NBSP, guillemets=NBSP)
    with pytest.raises(AttributeError):
        Reglages().deux_points = NNBSP  # type: ignore[misc]


def test_untouched_html_is_byte_identical() -> None:
    source = ("<div class='a'  data-x=\"1:2\"><p id=x>Rien à faire</p><img src=a.png alt=\"a : b\"/>"
              "<!-- ? --><br/><p>D&eacute;j&agrave; vu</p></div>")
    assert typographier(source) == source


def test_empty_inputs() -> None:
    assert typographier("") == ""
    assert typographier_texte("") == ""


# Inputs on which an earlier version was not idempotent (found by the properties below).
REGRESSIONS = ["0 ...0", "...1e", "RAPPORT:!0 e", "1\n.fr\n.fr.fr", "e'https://:",
               "...https://:", "https://\n,«;", "https://\n,(:", "15000www.x.fr",
               "voir wao.fr/a(b )?", "1er<>"]


@pytest.mark.parametrize("source", REGRESSIONS)
def test_idempotent_regressions(source: str) -> None:
    for function in (typographier, typographier_texte):
        once = function(source)
        assert function(once) == once


# --- properties ------------------------------------------------------------------------
WORDS = ["oui", "la", "Paul", "tout", "quoi", "jeunes", "mentors", "juillet", "h", "min",
         "en", "rapport", "p.", "n°", "M.", "Mme", "l'", "aujourd'hui", "A4", "www.x.fr",
         "a@b.fr", "https://x.fr/a?b=c:d"]
NUMBERS = ["1", "2", "14", "30", "750", "1500", "2021", "15000", "1 500", "15\u00a0000",
           "01 23", "3,5", "1.0.2", "14:30", "1er", "2ème", "2e", "XXIe", "Ier", "2nd", "1ÈRE",
           "2ÈME", "4x4", "°F"]
PUNCT = [" ", " ", " ", "\u00a0", "\u202f", "\n", ":", ";", "!", "?", "?!", ",", ".", "...",
         "…", "(", ")", '"', "'", "«", "»", "%", "€", "-", "’", "\ufeff", "....", " x ", "x"]
ENTITIES = ["&amp;", "&quot;", "&nbsp;", "&#39;", "&lt;", "&gt;", "&", "<", ">", "&#1;"]
TAGS = ["<p>", "</p>", "<em>", "</em>", "<strong>", "</strong>", '<a href="https://x.fr/?a=1:2">',
        "</a>", "<br>", "<code>", "</code>", "<li>", "</li>", "<!-- c : d -->",
        '<span class="notypo">', "</span>", "<sup>", "</sup>", "<td>", "<kbd>", "</kbd>",
        "<pre>", "</pre>", "<img alt='a : b'>", "<script>", "</script>", "<tt>", "</tt>",
        "&#11;", "\x0b", "\x01"]

prose = st.lists(st.sampled_from(WORDS + NUMBERS + PUNCT), max_size=40).map("".join)
html_fragment = st.lists(st.sampled_from(WORDS + NUMBERS + PUNCT + ENTITIES + TAGS),
                         max_size=60).map("".join)
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
wild_text = st.text(alphabet=st.sampled_from(
    list("aé eE12 09:;!?.,…()\"'«»<>&/#%€@\u00a0\u202f\n\ufdd0\ufdd1\ufdd4")), max_size=80)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_idempotent_on_any_text(text: str) -> None:
    once = typographier_texte(text)
    assert typographier_texte(once) == once
    once_html = typographier(text)
    assert typographier(once_html) == once_html


@settings(max_examples=300, deadline=None)
@given(st.one_of(prose, wild_text))
def test_idempotent_on_prose(text: str) -> None:
    once = typographier_texte(text)
    assert typographier_texte(once) == once
    once_nnbsp = typographier_texte(text, Reglages(NNBSP, NNBSP))
    assert typographier_texte(once_nnbsp, Reglages(NNBSP, NNBSP)) == once_nnbsp


@settings(max_examples=300, deadline=None)
@given(html_fragment)
def test_idempotent_on_html(fragment: str) -> None:
    once = typographier(fragment)
    assert typographier(once) == once


TAG_RE = re.compile(r"<(?:/?[A-Za-z][^>]*|!--.*?--)>", re.S)


@settings(max_examples=300, deadline=None)
@given(html_fragment)
def test_tags_kept_in_order(fragment: str) -> None:
    """Only text changes: the tags stay, in order (added <sup> aside)."""
    out = typographier(fragment)
    kept = [t for t in TAG_RE.findall(out) if t not in ("<sup>", "</sup>")]
    original = [t for t in TAG_RE.findall(fragment) if t not in ("<sup>", "</sup>")]
    assert kept == original


def _skeleton(text: str) -> str:
    """What must survive: every visible character bar spacing and quote styles."""
    text = re.sub(r"(?<!\.)\.{4}(?!\.)", "...", text)  # four dots are a slip for three
    text = re.sub(r"[\s\ufeff\u200b\u2060]", "", text)
    text = text.replace("«", '"').replace("»", '"').replace("’", "'").replace("…", "...")
    return text.replace("×", "x")


# Ordinals rewrite letters ("2ème" → "2e"); this alphabet cannot form one.
SAFE_WORDS = ["oui", "la", "Paul", "tout", "quoi", "jeunes", "A4", "www.x.fr", "15000",
              "1500", "2021", "14", "1 500", "3,5", "14:30", "p.", "M."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SAFE_WORDS + PUNCT), max_size=40).map("".join))
def test_no_character_lost_or_moved(text: str) -> None:
    assert _skeleton(typographier_texte(text)) == _skeleton(text)


code_content = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(prose, code_content, prose, st.sampled_from(["code", "pre", "kbd", "samp", "var", "tt"]))
def test_protected_elements_unchanged(before: str, content: str, after: str, tag: str) -> None:
    inner = html.escape(content, quote=False)
    element = f"<{tag}>{inner}</{tag}>"
    out = typographier(f"<p>{html.escape(before, quote=False)}{element}"
                       f"{html.escape(after, quote=False)}</p>")
    assert element in out


@settings(max_examples=300, deadline=None)
@given(prose, st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                             blacklist_characters='"'), max_size=60))
def test_href_unchanged(text: str, href: str) -> None:
    tag = f'<a href="{href}" title="{html.escape(text)}">'
    out = typographier(f"<p>{html.escape(text, quote=False)} : {tag}{html.escape(text)}</a> !</p>")
    assert tag in out


@settings(max_examples=300, deadline=None)
@given(st.one_of(any_text, wild_text, html_fragment))
def test_never_raises(text: str) -> None:
    assert isinstance(typographier(text), str)
    assert isinstance(typographier_texte(text), str)
    assert isinstance(typographier(text, Reglages(NNBSP, NNBSP)), str)
