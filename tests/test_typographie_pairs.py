"""The French prose cases of three peers' own test suites, run against our engine.

Sources (each case names its file):

* SPIP — ``ecrire/tests/Typographie/FrTest.php`` and ``ecrire/tests/Texte/TypoTest.php``
  (read from the copy in ``whattheslime/spip``, folder ``tests/``);
* JoliTypo — ``tests/JoliTypo/Tests/FrenchTest.php`` and the fixers the French
  preset uses: ``Fixer/FrenchNoBreakSpaceTest``, ``FrenchQuotesTest``,
  ``CurlyQuoteTest``, ``EllipsisTest``, ``DimensionTest``, ``UnitTest``,
  ``NoSpaceBeforeCommaTest``, ``SmartQuotesTest`` (``jolicode/JoliTypo``);
* typographeur — ``tests/test_*.py`` and ``tests/examples/`` (``brunobord/typographeur``);
* and, beyond the three named by the issue, typographer.js — ``test/punctuation/``,
  ``test/abbreviation/``, ``test/unit/`` (``daformat/typographer.js``), text output.

Normalisations applied to both the expected text and ours (what French usage
allows both ways, or what only the notation differs in):

1. entities and character references are decoded (``&nbsp;``, ``&#8239;``,
   ``&laquo;``, ``&rsquo;``, ``&eacute;``…): the same characters, written otherwise;
2. U+202F (espace fine insécable) and U+00A0 (espace insécable) are one: both are
   no-break, only their width differs, and which width goes where (before ``; ! ?``,
   inside « », before ``%``) is a house style — ours is pinned exactly by
   ``tests/test_typography.py``;
3. soft hyphens (U+00AD) are removed: JoliTypo's Hyphen fixer adds them for
   justified text; we leave hyphenation to the browser and WeasyPrint (CSS
   ``hyphens: auto``);
4. a peer's fixer tested alone (e.g. JoliTypo's ``NoSpaceBeforeComma``) does not
   apply the other rules; our engine has no per-rule switches, so the expected text
   gets the other French rules too, written out in the case (marked "+ rules").

Where our choice differs from the peer's on purpose, the case carries the reason
(``ECART``) and our expected output: the test then checks our convention, and the
reason is the documentation (see also the authors' guide, section Typographie).
Features the project does not claim are listed in ``SET_ASIDE`` with why; they are
not run.
"""
from __future__ import annotations

import html
from typing import NamedTuple

import pytest

from powao.typography import typographier

NB = "\u00a0"   # any no-break space, after normalisation
SHY = "\u00ad"


class Cas(NamedTuple):
    source: str      # peer and file
    entree: str      # the peer's input
    attendu: str     # the peer's expected output, or ours when ecart is set
    ecart: str = ""  # why our convention differs (empty: we agree with the peer)


def normalise(text: str) -> str:
    text = html.unescape(text)
    return text.replace("\u202f", NB).replace(SHY, "")


SPIP_FR = "SPIP ecrire/tests/Typographie/FrTest.php"
SPIP_TYPO = "SPIP ecrire/tests/Texte/TypoTest.php"
JT = "JoliTypo tests/JoliTypo/Tests/"
TG = "typographeur tests/"
TJ = "typographer.js test/"
ANY_SPACES = ("\f\n\r\t\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")

CAS = [
    # --- SPIP: typographie_fr ---------------------------------------------------------
    Cas(SPIP_FR + " providerBase", "bonjour", "bonjour"),
    Cas(SPIP_FR + " providerBase", "bonjour ", "bonjour "),
    Cas(SPIP_FR + " providerBase", "bonjour à toutes et tous", "bonjour à toutes et tous"),
    *[Cas(SPIP_FR + " providerAddsSpaceOnPonctuation", f"bonjour{p}", f"bonjour&nbsp;{p}")
      for p in ":;!?"],
    *[Cas(SPIP_FR + " providerChangeSpaceToNonBreakingSpaceOnPonctuation",
          f"bonjour {p}", f"bonjour&nbsp;{p}") for p in ":;!?"],
    Cas(SPIP_FR + " providerKeepNonBreakingSpaceEntity", "bonjour&nbsp;toi", "bonjour&nbsp;toi"),
    Cas(SPIP_FR + " providerKeepNonBreakingSpaceEntity", "bonjour&nbsp;toi&nbsp;!",
        "bonjour&nbsp;toi&nbsp;!"),
    # marked "NIY" (skipped) in SPIP; we pass them
    Cas(SPIP_FR + " providerKeepNonBreakingSpaceUtf", "bonjour\u00a0toi", "bonjour\u00a0toi"),
    Cas(SPIP_FR + " providerKeepNonBreakingSpaceUtf", "bonjour\u00a0toi\u00a0!",
        "bonjour\u00a0toi\u00a0!"),
    Cas(SPIP_FR + " providerKeepDoubleTwoPoints", "bonjour::", "bonjour::"),
    Cas(SPIP_FR + " providerKeepDoubleTwoPoints", "::1/128", "::1/128"),
    Cas(SPIP_FR + " providerKeepDoubleTwoPoints", "ff00::/8", "ff00::/8"),
    # --- SPIP: typo() -------------------------------------------------------------------
    Cas(SPIP_TYPO + " 0", "Quelle question!", "Quelle question&nbsp;!"),
    Cas(SPIP_TYPO + " 1", "", ""),
    Cas(SPIP_TYPO + " 3", "0", "0"),
    Cas(SPIP_TYPO + " 5", 'Un texte avec des <a href="http://spip.net">liens</a> [Article 1->art1]'
        " [spip->http://www.spip.net] http://www.spip.net",
        'Un texte avec des <a href="http://spip.net">liens</a> [Article 1->art1]'
        " [spip->http://www.spip.net] http://www.spip.net"),
    Cas(SPIP_TYPO + " 7", "Un texte avec des entit&eacute;s &amp;&lt;&gt;&quot;",
        "Un texte avec des entit&eacute;s &amp;&lt;&gt;&quot;"),
    Cas(SPIP_TYPO + " 9", "Un texte sans entites &<>\"'", "Un texte sans entites &<>\"'",
        "a straight quote after a sign, not between letters, is no elision: "
                 "kept (SPIP makes every ' a ’)"),
    Cas(SPIP_TYPO + " 12", "{{{Des raccourcis}}} {italique} {{gras}} <code>du code</code>",
        "{{{Des raccourcis}}} {italique} {{gras}} <code>du code</code>"),
    Cas(SPIP_TYPO + " 15", "Chat!!", "Chat&nbsp;!!"),
    Cas(SPIP_TYPO + " r10177", "(!)", "(!)"),
    # --- JoliTypo: FrenchNoBreakSpace -----------------------------------------------------
    Cas(JT + "Fixer/FrenchNoBreakSpaceTest", "Superman !", "Superman\u202f!"),
    Cas(JT + "Fixer/FrenchNoBreakSpaceTest", "Superman ?", "Superman\u202f?"),
    Cas(JT + "Fixer/FrenchNoBreakSpaceTest", "Superman !?", "Superman\u202f!?"),
    Cas(JT + "Fixer/FrenchNoBreakSpaceTest", "Superman ? Nope.", "Superman\u202f? Nope."),
    Cas(JT + "Fixer/FrenchNoBreakSpaceTest", "Superman : the movie", "Superman\u00a0: the movie"),
    Cas(JT + "Fixer/FrenchNoBreakSpaceTest", "Superman: the movie", "Superman\u00a0: the movie",
        "a colon glued to the word gets its space too, as SPIP and typographeur do "
        "(JoliTypo only replaces an existing space)"),
    Cas(JT + "Fixer/FrenchNoBreakSpaceTest", "Superman ; the movie", "Superman\u202f; the movie"),
    Cas(JT + "Fixer/FrenchNoBreakSpaceTest", "Superman\u00a0; the movie", "Superman\u202f; the movie"),
    Cas(JT + "Fixer/FrenchNoBreakSpaceTest", "fdda:5cc1:23:4::1f", "fdda:5cc1:23:4::1f"),
    Cas(JT + "Fixer/FrenchNoBreakSpaceTest", "Here is a  brand name: Yahoo!",
        "Here is a  brand name\u00a0: Yahoo\u202f!",
        "an English sentence; the engine is for French text and, like SPIP, spaces a "
        "colon or an exclamation mark glued to a word"),
    # --- JoliTypo: FrenchQuotes / SmartQuotes('fr') ----------------------------------------
    Cas(JT + "Fixer/FrenchQuotesTest", '"Good code is like a good joke."',
        "«\u00a0Good code is like a good joke.\u00a0»"),
    Cas(JT + "Fixer/FrenchQuotesTest", '"Good code is like a Bieber." - said no ever, ever.',
        "«\u00a0Good code is like a Bieber.\u00a0» - said no ever, ever."),
    Cas(JT + "Fixer/FrenchQuotesTest", 'Some people are like "Batman", others like "Superman".',
        "Some people are like «\u00a0Batman\u00a0», others like «\u00a0Superman\u00a0»."),
    Cas(JT + "Fixer/FrenchQuotesTest + rules", 'Oh my god, this quote is alone: " !',
        'Oh my god, this quote is alone\u00a0: "\u202f!'),
    Cas(JT + "Fixer/FrenchQuotesTest", 'Liste de "mot" entre "guillemets".',
        "Liste de «\u00a0mot\u00a0» entre «\u00a0guillemets\u00a0»."),
    Cas(JT + "Fixer/FrenchQuotesTest", 'Liste de ("mot" entre "guillemets").',
        "Liste de («\u00a0mot\u00a0» entre «\u00a0guillemets\u00a0»)."),
    Cas(JT + "Fixer/FrenchQuotesTest::testFalsePositives + rules", "This is a time: 2\"44'.",
        "This is a time\u00a0: 2\"44'."),
    # marked "impossible" (skipped) in JoliTypo; we pass it
    Cas(JT + "Fixer/FrenchQuotesTest::testImpossible + rules",
        'Oh my god, this quote is alone: " ! But those are "ok".',
        'Oh my god, this quote is alone\u00a0: "\u202f! But those are «\u00a0ok\u00a0».'),
    Cas(JT + "Fixer/SmartQuotesTest::testFrenchQuoteStyle", '"Bonjour"', "«\u00a0Bonjour\u00a0»"),
    Cas(JT + "Fixer/SmartQuotesTest::testLocaleCanBeChanged", '"Hi"', "«\u00a0Hi\u00a0»"),
    # --- JoliTypo: CurlyQuote (apostrophe) ---------------------------------------------------
    Cas(JT + "Fixer/CurlyQuoteTest + rules", "This text in which there is a quote: I'm SUPERMAN.",
        "This text in which there is a quote\u00a0: I’m SUPERMAN."),
    Cas(JT + "Fixer/CurlyQuoteTest", "Swag'", "Swag'",
        "a straight quote after a word with no letter after it is no French elision (it may "
        "close a 'quotation'): kept; JoliTypo makes it ’ for the English possessive"),
    Cas(JT + "Fixer/CurlyQuoteTest", "Swag' me.", "Swag' me.",
        "same as \"Swag'\": no letter after the quote, no elision"),
    Cas(JT + "Fixer/CurlyQuoteTest", "J'aime la typographie.", "J’aime la typographie."),
    Cas(JT + "Fixer/CurlyQuoteTest", "Qu'est ce que l'univers ?", "Qu’est ce que l’univers\u202f?"),
    Cas(JT + "Fixer/CurlyQuoteTest::testFalsePositives", "She's 6' 10\".", "She’s 6' 10\"."),
    Cas(JT + "Fixer/CurlyQuoteTest::testFalsePositives + rules", "Here is a crying smiley: :'(",
        "Here is a crying smiley\u00a0: :'("),
    # --- JoliTypo: Ellipsis ------------------------------------------------------------------
    Cas(JT + "Fixer/EllipsisTest", "Test", "Test"),
    Cas(JT + "Fixer/EllipsisTest", "Test...", "Test…"),
    Cas(JT + "Fixer/EllipsisTest + rules", "Am I an ellipsis?", "Am I an ellipsis\u202f?"),
    Cas(JT + "Fixer/EllipsisTest", "Am I an ellipsis..", "Am I an ellipsis.."),
    Cas(JT + "Fixer/EllipsisTest", "Am I an ellipsis....", "Am I an ellipsis…"),
    Cas(JT + "Fixer/EllipsisTest", "Am I an ellipsis…", "Am I an ellipsis…"),
    Cas(JT + "Fixer/EllipsisTest", "Am I an ellipsis... With following text.",
        "Am I an ellipsis… With following text."),
    # --- JoliTypo: Dimension -----------------------------------------------------------------
    Cas(JT + "Fixer/DimensionTest", "TestxTest", "TestxTest"),
    Cas(JT + "Fixer/DimensionTest + rules", "Here is a calcul: 99x122.21",
        "Here is a calcul\u00a0: 99×122.21"),
    Cas(JT + "Fixer/DimensionTest + rules", "Here is a calcul: 99 x 122.21",
        "Here is a calcul\u00a0: 99\u00a0×\u00a0122.21",
        "the spaces around × are made no-break, as JoliTypo's own French test "
        "(FrenchTest::testNumericDoesNotBreakOtherFixers) writes them"),
    Cas(JT + "Fixer/DimensionTest + rules", "Here is a calcul: 99 1212,32 x 122.21",
        "Here is a calcul\u00a0: 99 1212,32\u00a0×\u00a0122.21",
        "no-break spaces around ×, as above"),
    Cas(JT + "Fixer/DimensionTest", "3 x 1", "3\u00a0×\u00a01", "no-break spaces around ×"),
    Cas(JT + "Fixer/DimensionTest", '8.5"x10"', '8.5"×10"'),
    Cas(JT + "Fixer/DimensionTest", '8.5" x 10"', '8.5"\u00a0×\u00a010"', "no-break spaces around ×"),
    # --- JoliTypo: Unit ----------------------------------------------------------------------
    Cas(JT + "Fixer/UnitTest", "1 h", "1&nbsp;h"),
    Cas(JT + "Fixer/UnitTest", "3 things", "3&nbsp;things"),
    Cas(JT + "Fixer/UnitTest", "4,5 km", "4,5&nbsp;km"),
    Cas(JT + "Fixer/UnitTest", "5.1 deg", "5.1&nbsp;deg"),
    Cas(JT + "Fixer/UnitTest", "6 ºC", "6&nbsp;ºC"),
    Cas(JT + "Fixer/UnitTest", "9 hours", "9&nbsp;hours"),
    Cas(JT + "Fixer/UnitTest", "10e position", "10<sup>e</sup> position",
        "ordinals are set in superscript (Imprimerie nationale, Lexique des règles "
        "typographiques) and keep an ordinary space after them"),
    Cas(JT + "Fixer/UnitTest", "nº 11", "nº&nbsp;11"),
    Cas(JT + "Fixer/UnitTest", "12 %", "12&nbsp;%"),
    Cas(JT + "Fixer/UnitTest", "13 Ω", "13&nbsp;Ω"),
    Cas(JT + "Fixer/UnitTest", "14\u202fΩ", "14&nbsp;Ω"),
    # --- JoliTypo: NoSpaceBeforeComma -----------------------------------------------------
    Cas(JT + "Fixer/NoSpaceBeforeCommaTest + rules", "Superman,you're my hero",
        "Superman, you’re my hero"),
    Cas(JT + "Fixer/NoSpaceBeforeCommaTest + rules", "Superman ,you're my hero",
        "Superman, you’re my hero"),
    Cas(JT + "Fixer/NoSpaceBeforeCommaTest + rules", "Superman  ,  you're my hero",
        "Superman,  you’re my hero",
        "spaces after a comma are the author's: only the ones before it go"),
    Cas(JT + "Fixer/NoSpaceBeforeCommaTest", "F,bar", "F, bar"),
    Cas(JT + "Fixer/NoSpaceBeforeCommaTest", "Seule 1,7 million de personnes",
        "Seule 1,7&nbsp;million de personnes",
        "a number glued to the noun it counts (JoliTypo's Unit fixer does it too)"),
    Cas(JT + "JoliTypoTest::testSimpleInstance", "Coucou...", "Coucou&hellip;"),
    Cas(JT + "JoliTypoTest::testProtectedTags (pre)",
        "<p>Fixed...</p> <pre>Not fixed...</pre> <p>Fixed...</p>",
        "<p>Fixed&hellip;</p> <pre>Not fixed...</pre> <p>Fixed&hellip;</p>"),
    Cas(JT + "JoliTypoTest::testXmlPrefixedContent", "<p>Hey épic dude...</p>",
        "<p>Hey &eacute;pic dude&hellip;</p>"),
    # --- JoliTypo: the French preset on whole paragraphs (FrenchTest) ------------------------
    Cas(JT + "FrenchTest::testFixFullText", "<p>Ceci est à remplacer par une fâble :p</p>",
        "<p>Ceci est &agrave; rempla&shy;cer par une f&acirc;ble&nbsp;:p</p>"),
    Cas(JT + "FrenchTest::testFixFullText",
        '<pre>Oh, du "code" encodé, mais pas double encodé: &amp;!</pre>',
        '<pre>Oh, du "code" encod&eacute;, mais pas double encod&eacute;: &amp;!</pre>'),
    Cas(JT + "FrenchTest::testFixFullText",
        "<p>Le mec a fini sa course en 2'33\" contre 2'44\" pour le second !</p>",
        "<p>Le mec a fini sa course en 2'33\" contre 2'44\" pour le second&#8239;!</p>"),
    Cas(JT + "FrenchTest::testFixFullText",
        '<p>Je suis "très\ncontent" de t\'avoir <a href="http://coucou">invité</a> !</p>',
        '<p>Je suis &laquo;&nbsp;tr&egrave;s\ncontent&nbsp;&raquo; de t&rsquo;avoir '
        '<a href="http://coucou">invit&eacute;</a>&#8239;!</p>'),
    Cas(JT + "FrenchTest::testFixFullText",
        "<pre><code>\n  &lt;a href=\"\"&gt;\n  pre\n</code></pre>",
        "<pre><code>\n  &lt;a href=\"\"&gt;\n  pre\n</code></pre>"),
    Cas(JT + "FrenchTest::testFixFullText",
        '<p>Ceci &eacute;té un "CHOQUE"&nbsp;! Son salon fait 4x4 m, ce qui est plutôt petit.</p>',
        "<p>Ceci &eacute;t&eacute; un &laquo;&nbsp;CHOQUE&nbsp;&raquo;&#8239;! Son salon fait "
        "4&times;4&nbsp;m, ce qui est plut&ocirc;t petit.</p>"),
    Cas(JT + "FrenchTest::testFixFullText",
        '<p>Les trés long mots sont tronqués, comme "renseignements" par exemple.</p>',
        "<p>Les tr&eacute;s long mots sont tronqu&eacute;s, comme &laquo;&nbsp;rensei&shy;gne"
        "&shy;ments&nbsp;&raquo; par exemple.</p>"),
    Cas(JT + "FrenchTest::testFixFullText",
        '<p>Du HTML dans une citation : "Je suis <strong>fan</strong> de JoliTypo" pose problème.</p>',
        "<p>Du HTML dans une cita&shy;tion&nbsp;: &laquo;&nbsp;Je suis <strong>fan</strong> de "
        "Joli&shy;Typo&nbsp;&raquo; pose probl&egrave;me.</p>"),
    Cas(JT + "FrenchTest::testFixFullText",
        '<p>Une autre exemple : "<strong>Citation forte !</strong>".</p>',
        "<p>Une autre exemple&nbsp;: &laquo;&nbsp;<strong>Cita&shy;tion forte&#8239;!</strong>"
        "&nbsp;&raquo;.</p>"),
    Cas(JT + "FrenchTest::testDoubleQuoteMess",
        '<p>A la sauce "<a href="http://composer.json.jolicode.com">composer.json</a>"\n'
        " attirera forcément plus notre attention qu’une lettre de motivation de 4 pages "
        'en ".docx"</p>',
        '<p>A la sauce &laquo;&nbsp;<a href="http://composer.json.jolicode.com">compo&shy;'
        "ser.json</a>&nbsp;&raquo;\n atti&shy;rera forc&eacute;&shy;ment plus notre atten&shy;"
        "tion qu&rsquo;une lettre de moti&shy;va&shy;tion de 4&nbsp;pages en &laquo;&nbsp;"
        ".docx&nbsp;&raquo;</p>"),
    Cas(JT + "FrenchTest::testEncodingMess", "Ça s'arrête là !",
        "&Ccedil;a s&rsquo;ar&shy;r&ecirc;te l&agrave;&#8239;!"),
    Cas(JT + "FrenchTest::testNoBreakingSpaceInsideGoodQuotes",
        "« test » et «test» sont dans un bateau.",
        "&laquo;&nbsp;test&nbsp;&raquo; et &laquo;&nbsp;test&nbsp;&raquo; sont dans un bateau."),
    Cas(JT + "FrenchTest::testNoBreakingSpaceInsideGoodQuotes",
        "&laquo; test &raquo; et &laquo;test&raquo; sont dans un bateau.",
        "&laquo;&nbsp;test&nbsp;&raquo; et &laquo;&nbsp;test&nbsp;&raquo; sont dans un bateau."),
    Cas(JT + "FrenchTest::testNumericDoesNotBreakOtherFixers",
        "2 x 5 doit être corrigé, et 2 h aussi.",
        "2&nbsp;&times;&nbsp;5&nbsp;doit &ecirc;tre corrig&eacute;, et 2&nbsp;h aussi."),
    Cas(JT + "FrenchTest::testWeirdHyphen",
        '<p><a href="http://foobar.dev/storage/image-1493026187479.gif" target="_self">'
        '<img src="http://foobar.dev/storage/image-1493026187479.gif" alt="file"></a></p>',
        '<p><a href="http://foobar.dev/storage/image-1493026187479.gif" target="_self">'
        '<img src="http://foobar.dev/storage/image-1493026187479.gif" alt="file"></a></p>'),
    # --- typographeur --------------------------------------------------------------------
    *[Cas(TG + "test_insecables.py (fixtures_factory)", entree.format(mark=m),
          attendu.format(mark=m))
      for m in ":!?;"
      for entree, attendu in [
          ("<p>exemple{mark}</p>", "<p>exemple&nbsp;{mark}</p>"),
          ("<p>exemple {mark}</p>", "<p>exemple&nbsp;{mark}</p>"),
          ("<p>exemple\u00a0{mark}</p>", "<p>exemple&nbsp;{mark}</p>"),
          ("<p>exemple    {mark}</p>", "<p>exemple&nbsp;{mark}</p>"),
          ("<p>exemple    {mark} hello</p>", "<p>exemple&nbsp;{mark} hello</p>"),
          ("<p>exemple{mark} hello {mark} here</p>",
           "<p>exemple&nbsp;{mark} hello&nbsp;{mark} here</p>"),
      ]],
    Cas(TG + "test_insecables.py::test_insecable",
        "<p>Exemple : <em>Salut ! ça va ?</em></p>\nIci ; j'aime",
        "<p>Exemple&nbsp;: <em>Salut&nbsp;! ça va&nbsp;?</em></p>\nIci&nbsp;; j’aime",
        "typographeur's correcteur() leaves apostrophes to typographeur(); the engine does "
        "both in one pass"),
    Cas(TG + "test_no_space.py", "(hello)", "(hello)"),
    Cas(TG + "test_no_space.py", "( hello )", "(hello)"),
    Cas(TG + "test_no_space.py", "(   hello    )", "(hello)"),
    Cas(TG + "test_no_space.py (no-break spaces)", "(\u00a0 \u00a0hello \u00a0\u00a0)", "(hello)"),
    Cas(TG + "test_points.py", "hello...", "hello…"),
    Cas(TG + "test_points.py", "hello…", "hello…"),
    Cas(TG + "test_quotes.py", '"hello"', "«&nbsp;hello&nbsp;»"),
    Cas(TG + "test_quotes.py", '" hello   "', "«&nbsp;hello&nbsp;»"),
    Cas(TG + "test_quotes.py (no-break spaces)", '"\u00a0 \u00a0hello \u00a0\u00a0"',
        "«&nbsp;hello&nbsp;»"),
    Cas(TG + "test_quotes.py", '"hello" je vais "bien"',
        "«&nbsp;hello&nbsp;» je vais «&nbsp;bien&nbsp;»"),
    *[Cas(TG + "test_skip.py", f"<{tag}>hello!</{tag}>", f"<{tag}>hello!</{tag}>")
      for tag in ("pre", "samp", "code", "tt", "kbd", "script", "style", "math")],
    Cas(TG + "test_nuples.py", "hello???", "hello&#8239;???"),
    Cas(TG + "test_nuples.py", "hello ???", "hello&#8239;???"),
    Cas(TG + "test_nuples.py", "hello\u202f???", "hello&#8239;???"),
    Cas(TG + "test_nuples.py", "hello ??", "hello&#8239;??",
        "the author's number of marks is kept (typographeur turns ?? and ?????? into ???)"),
    Cas(TG + "test_nuples.py", "hello ??????", "hello&#8239;??????",
        "the author's number of marks is kept"),
    Cas(TG + "test_nuples.py", "hello!!!", "hello&#8239;!!!"),
    Cas(TG + "test_nuples.py", "hello !!!", "hello&#8239;!!!"),
    Cas(TG + "test_nuples.py", "hello !!", "hello&#8239;!!",
        "the author's number of marks is kept"),
    Cas(TG + "test_nuples.py", "hello !!!!!", "hello&#8239;!!!!!",
        "the author's number of marks is kept"),
    Cas(TG + "test_nuples.py", "hello;;;", "hello&#8239;;;;"),
    Cas(TG + "test_nuples.py", "hello ;;;", "hello&#8239;;;;"),
    Cas(TG + "test_nuples.py", "hello ;;", "hello&#8239;;;"),
    Cas(TG + "test_nuples.py", "hello ;;;;;", "hello&#8239;;;;;;"),
    Cas(TG + "examples/input.html", "<h1>Les exemples:</h1>", "<h1>Les exemples&nbsp;:</h1>"),
    Cas(TG + "examples/input.html", "<li>Des exclamations!</li>", "<li>Des exclamations&nbsp;!</li>"),
    Cas(TG + "examples/input.html", "<li>Des questions?</li>", "<li>Des questions&nbsp;?</li>"),
    Cas(TG + "examples/input.html", "<li>Des points , des virgules ; des points-virgules</li>",
        "<li>Des points, des virgules&nbsp;; des points-virgules</li>"),
    Cas(TG + "examples/input.html",
        "<li>Des points... de suspension     , ou des points normaux  .</li>",
        "<li>Des points… de suspension, ou des points normaux.</li>"),
    Cas(TG + "examples/input.html", "<li>Ne nous trompons (    jamais   ) dans les parenthèses</li>",
        "<li>Ne nous trompons (jamais) dans les parenthèses</li>"),
    Cas(TG + "examples/input.html", '<li>Et les «guillemets» sont bien "encadrés"</li>',
        "<li>Et les «&nbsp;guillemets&nbsp;» sont bien «&nbsp;encadrés&nbsp;»</li>"),
    Cas(TG + "examples/input.html", "<title>Ici , je mets des (  grosses  ) fautes!</title>",
        "<title>Ici , je mets des (  grosses  ) fautes!</title>",
        "the engine works on body fragments: a <title> is raw text, left alone (page "
        "titles are typeset on their own, as plain text)"),
]

CAS += [
    Cas(TJ + "punctuation/fr_FR-exclamation-mark", "Bonjour typographer!", "Bonjour typographer\u202f!"),
    Cas(TJ + "punctuation/fr_FR-exclamation-mark", "Bonjour typographer   !",
        "Bonjour typographer\u202f!"),
    Cas(TJ + "punctuation/fr_FR-exclamation-mark", f"Bonjour typographer {ANY_SPACES}!",
        "Bonjour typographer\u202f!"),
    Cas(TJ + "punctuation/fr_FR-semicolon", f"Bonjour typographer {ANY_SPACES}; enchanté",
        "Bonjour typographer\u202f; enchanté"),
    Cas(TJ + "punctuation/fr_FR-quote-marks", "Bonjour «typographer»", "Bonjour «\u202ftypographer\u202f»"),
    Cas(TJ + "punctuation/fr_FR-quote-marks", "Bonjour «   typographer     »",
        "Bonjour «\u202ftypographer\u202f»"),
    Cas(TJ + "punctuation/fr_FR-quote-marks", f"Bonjour « {ANY_SPACES}typographer {ANY_SPACES}»",
        "Bonjour «\u202ftypographer\u202f»"),
    Cas(TJ + "punctuation/fr_FR-quote-marks",
        "Bonjour «typographer», il existe &laquo;plusieurs&raquo; façons de &#xab;représenter&#xbb;",
        "Bonjour «\u202ftypographer\u202f», il existe «\u202fplusieurs\u202f» façons de "
        "«\u202freprésenter\u202f»"),
    Cas(TJ + "punctuation/fr_FR-quote-marks", "Bonjour ‹typographer›", "Bonjour ‹\u202ftypographer\u202f›"),
    Cas(TJ + "punctuation/fr_FR-quote-marks", "Bonjour « monsieur ‹   typographer  ›     »",
        "Bonjour «\u202fmonsieur ‹\u202ftypographer\u202f›\u202f»"),
    Cas(TJ + "punctuation/fr_FR-quote-marks", "Bonjour “    typographer  ”", "Bonjour “typographer”"),
    Cas(TJ + "punctuation/fr_FR-quote-marks", "Bonjour ‘    typographer  ’", "Bonjour ‘    typographer  ’",
        "’ is also the apostrophe: spaces around single English quotes are left alone"),
    Cas(TJ + "abbreviation/fr_FR-super", "C’est la 1ère fois pour moi.",
        "C’est la 1<sup>re</sup> fois pour moi.",
        "in HTML the suffix is set in <sup> (typographer.js's text output leaves it on the line)"),
    Cas(TJ + "abbreviation/fr_FR-super", "C’est la 1 ère fois pour moi.",
        "C’est la 1<sup>re</sup> fois pour moi.", "suffix in <sup>, as above"),
    Cas(TJ + "abbreviation/fr_FR-super", "C’est la 1    ère fois pour moi.",
        "C’est la 1<sup>re</sup> fois pour moi.", "suffix in <sup>, as above"),
    Cas(TJ + "abbreviation/fr_FR-super", "C’est la 1ÈRE fois pour moi.",
        "C’est la 1<sup>re</sup> fois pour moi.", "suffix in <sup>, as above"),
    Cas(TJ + "abbreviation/fr_FR-super", "C’est la 1<sup>ère</sup> fois pour moi.",
        "C’est la 1<sup>re</sup> fois pour moi."),
    Cas(TJ + "abbreviation/fr_FR-super", 'C’est la 1<sup class="yo" id="lo">ère</sup> fois pour moi.',
        'C’est la 1<sup class="yo" id="lo">re</sup> fois pour moi.'),
    Cas(TJ + "abbreviation/fr_FR-super", "C’est la 2 ème fois pour moi.",
        "C’est la 2<sup>e</sup> fois pour moi.", "suffix in <sup>, as above"),
    Cas(TJ + "abbreviation/fr_FR-super", "C’est la 2ÈME fois pour moi.",
        "C’est la 2<sup>e</sup> fois pour moi.", "suffix in <sup>, as above"),
    Cas(TJ + "abbreviation/fr_FR-super", "C’est la 2<sup>ème</sup> fois pour moi.",
        "C’est la 2<sup>e</sup> fois pour moi."),
    Cas(TJ + "unit/temperature", "Il fait au moins -8000°C", "Il fait au moins -8000&nbsp;°C"),
    Cas(TJ + "unit/temperature",
        "La température normale du corps humain se situe entre 36,1 °C et 37,8   °C",
        "La température normale du corps humain se situe entre 36,1&nbsp;°C et 37,8&nbsp;°C"),
    Cas(TJ + "unit/temperature", "Il fait au moins -8000°F", "Il fait au moins -8000&nbsp;°F"),
    Cas(TJ + "unit/temperature", "Une valeur comprise en -42°CA et 42°FK",
        "Une valeur comprise en -42°CA et 42°FK"),
    Cas(TJ + "punctuation/fr_FR-dots", "Bonjour typographer .", "Bonjour typographer."),
    Cas(TJ + "punctuation/fr_FR-dots", f"Bonjour typographer {ANY_SPACES} .", "Bonjour typographer."),
    Cas(TJ + "punctuation/fr_FR-dots", "Bonjour typographer . Enchanté de faire votre connaissance .",
        "Bonjour typographer. Enchanté de faire votre connaissance."),
    Cas(TJ + "punctuation/fr_FR-dots", "Bonjour typographer...", "Bonjour typographer…",
        "three dots become the ellipsis character (JoliTypo, typographeur); typographer.js "
        "keeps them"),
    Cas(TJ + "punctuation/fr_FR-dots", "Bonjour typographer ...", "Bonjour typographer…",
        "the ellipsis character, as above"),
    Cas(TJ + "punctuation/fr_FR-dots", "Bonjour typographer . . .", "Bonjour typographer. . .",
        "spaced dots are left as typed after the first (typographer.js binds them with "
        "no-break spaces)"),
]

# Peer cases not ported, with why: features this project does not claim, or a
# peer's own markup.
SET_ASIDE = {
    SPIP_FR + " providerChangeTildeToNonBreakingSpace*": "SPIP's ~ shortcut for a no-break "
        "space is SPIP markup; our sources are Markdown",
    SPIP_TYPO + " 11, 13, 14": "SPIP markup ({{gras}}, <modele|…>) and SPIP's own <code> class",
    JT + "Fixer/DashTest, HyphenTest, TrademarkTest, EnglishQuotesTest, GermanQuotesTest":
        "dashes, soft hyphens, ™ ® ©, other languages: not claimed",
    JT + "Fixer/UnitTest '2 ฿', '7 $'": "currencies: only € and % are claimed",
    JT + "Fixer/UnitTest '8º 18′ 30″'": "angles in degrees, minutes, seconds: not claimed",
    TG + "test_ligatures.py, test_oe.py": "ligatures (œ, æ): not claimed",
    TG + "test_parameters.py": "per-rule switches of typographeur's API: the engine has one "
        "setting (the width of the spaces), tested in tests/test_typography.py",
    "Month names, dates in words": "not claimed beyond the no-break space in « 14 juillet 2025 »",
}


@pytest.mark.parametrize("cas", CAS, ids=[f"{i}-{c.source.split()[0]}" for i, c in enumerate(CAS)])
def test_peer_case(cas: Cas) -> None:
    out = typographier(cas.entree)
    assert normalise(out) == normalise(cas.attendu), cas.ecart or cas.source
    assert typographier(out) == out  # and a second pass changes nothing


def test_every_difference_is_explained() -> None:
    """A case whose expected text is ours (not the peer's) must say why."""
    for cas in CAS:
        assert cas.ecart == "" or len(cas.ecart) > 20, cas
    assert len(CAS) >= 150
    assert all(reason for reason in SET_ASIDE.values())
