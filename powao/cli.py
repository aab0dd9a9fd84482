"""Command line (French): check, new, site, fiches, kits, livre-blanc, serve."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Callable

from .errors import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, ContentError, PowaoError, Report, UsageError

_FR = {
    "usage: ": "Utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "affiche cette aide et quitte",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "choix invalide : %(value)r (choisissez parmi %(choices)s)",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "expected one argument": "une valeur est attendue",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
}
argparse._ = lambda text: _FR.get(text, text)  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"Erreur : {message}\n")


def _heure(value: str) -> str:
    """« 14:00 », « 9:30 », « 14h », « 14 h 30 » → the stored form « 14:00 »."""
    from .typography import lire_heure
    total = lire_heure(value)
    if total is None:
        raise argparse.ArgumentTypeError(
            f"heure « {value} » invalide : écrivez par exemple 14:00, 14 h ou 14 h 30")
    return f"{total // 60:02d}:{total % 60:02d}"


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"« {value} » : écrivez un nombre entier supérieur à 0")
    return int(value)


class _Renamed(argparse.Action):
    """An option that was renamed: say what to write instead."""

    def __init__(self, option_strings, dest, new: str = "", **kwargs):
        self.new = new
        super().__init__(option_strings, dest, nargs=0, help=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(f"l'option {option_string} s'appelle désormais {self.new}")


def _edition_options(parser: argparse.ArgumentParser, default=False) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--interne", action="store_true", default=default,
                       help="édition interne (contenus « interne » compris) dans site-interne/")
    group.add_argument("--relecture", action="store_true", default=default,
                       help="édition de relecture, brouillons compris, datée et marquée "
                       "« BROUILLON », dans site-relecture/")
    parser.add_argument("--brouillons", action=_Renamed, new="--relecture",
                        default=argparse.SUPPRESS)


def build_parser() -> Parser:
    parser = Parser(prog="build.py", description="Chaîne de publication POWAO : vérifie le "
                    "contenu, construit le site des mentors, les fiches de séance, les kits et "
                    "le livre blanc. Sans commande : construit tout.")
    parser.add_argument("--strict", action="store_true",
                        help="les avertissements deviennent des erreurs")
    parser.add_argument("--jobs", type=_jobs, metavar="N",
                        help="nombre de processus de rendu PDF (par défaut : nombre de cœurs)")
    _edition_options(parser)
    sub = parser.add_subparsers(dest="commande", metavar="commande", parser_class=Parser)
    sub.add_parser("check", help="vérifie tout le contenu sans rien écrire",
                   description="Vérifie tout le contenu et affiche chaque problème "
                   "(fichier:ligne: champ : message).").add_argument(
        "--strict", action="store_true", default=argparse.SUPPRESS,
        help="les avertissements deviennent des erreurs")
    new = sub.add_parser("new", help="crée un atelier, un module ou un chapitre",
                         description="Crée un fichier prêt à remplir, qui passe la vérification.")
    new.add_argument("type", choices=["atelier", "module", "chapitre"], help="ce qu'il faut créer")
    new.add_argument("titre", help="le titre, entre guillemets")
    new.add_argument("--axe", help="axe de l'atelier (par exemple orientation)")
    for name, text in [("site", "construit le site des mentors dans site/"),
                       ("fiches", "construit une fiche de séance PDF par atelier"),
                       ("documents", "construit les documents à photocopier de chaque atelier "
                        "(documents participants et retour de séance)"),
                       ("kits", "construit les kits mentor PDF (cycles et parcours)"),
                       ("livre-blanc", "construit le livre blanc PDF"),
                       ("serve", "aperçu en direct du site sur http://127.0.0.1:8000/")]:
        p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        p.add_argument("--strict", action="store_true", default=argparse.SUPPRESS,
                       help="les avertissements deviennent des erreurs")
        if name in ("fiches",):
            p.add_argument("--heure", type=_heure,
                           help="heure de début des séances (par exemple 14:00 ou 14 h 30) ; "
                           "les fiches vont dans sorties/fiches-<heure>/")
        if name == "livre-blanc":
            p.add_argument("--epreuve", action="store_true",
                           help="épreuve de relecture : filigrane « BROUILLON », date, heure et "
                           "version sur chaque page, dans sorties/livre-blanc-epreuve/")
            p.add_argument("--brouillon", action=_Renamed, new="--epreuve",
                           default=argparse.SUPPRESS)
        if name == "serve":
            p.add_argument("--port", type=_jobs, default=8000, help="port local (8000 par défaut)")
        if name != "serve":
            # SUPPRESS: an option given before the command is not reset by the command.
            _edition_options(p, default=argparse.SUPPRESS)
            p.add_argument("--jobs", type=_jobs, metavar="N", default=argparse.SUPPRESS,
                           help="nombre de processus de rendu PDF (par défaut : nombre de cœurs)")
    editeur = sub.add_parser("editeur", help="éditeur de formulaires sur http://127.0.0.1:8090/",
                             description="Ouvre l'éditeur de formulaires (ateliers, cycles, "
                             "modules, chapitres, pages, données) sur http://127.0.0.1:8090/ ; "
                             "chaque enregistrement est vérifié et le résultat s'affiche dans "
                             "la page.")
    editeur.add_argument("--port", type=_jobs, default=8090, help="port local (8090 par défaut)")
    editeur.add_argument("--configuration", action="store_true",
                         help="affiche la configuration de l'éditeur, générée à partir du "
                         "modèle de contenu, et quitte")
    return parser


def _print_report(report: Report) -> None:
    for problem in report.sorted():
        print(problem.format(), file=sys.stderr)


def _summary(report: Report, strict: bool) -> str:
    e, w = len(report.errors), len(report.warnings)
    parts = []
    if e:
        parts.append(f"{e} erreur{'s' if e > 1 else ''}")
    if w:
        parts.append(f"{w} avertissement{'s' if w > 1 else ''}"
                     + (" (bloquants avec --strict)" if strict else ""))
    return ", ".join(parts)


def _count(n: int, word: str) -> str:
    """« 1 cycle », « 2 cycles », « 2 parcours »."""
    plural = word if word.endswith(("s", "x")) or n < 2 else word + "s"
    return f"{n} {plural}"


def cmd_check(args: argparse.Namespace, root: Path) -> int:
    from .pipeline import load_and_check
    start = time.perf_counter()
    corpus, report = load_and_check(root, strict=args.strict)
    _print_report(report)
    counts = ", ".join(_count(n, word) for n, word in (
        (len(corpus.ateliers), "atelier"), (len(corpus.cycles), "cycle"),
        (len(corpus.parcours), "parcours"), (len(corpus.modules), "module"),
        (len(corpus.chapitres), "chapitre"), (len(corpus.pages), "page")))
    extra = f" ({_summary(report, args.strict)})" if report.problems else ""
    print(f"Contenu valide : {counts}{extra} — {time.perf_counter() - start:.2f} s")
    if corpus.exclus:
        n = len(corpus.exclus)
        print(f"Non publiés sur le site public (brouillon, relu ou interne) : {n} fichier"
              f"{'s' if n > 1 else ''} — {', '.join(corpus.exclus)}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace, root: Path) -> int:
    from . import scaffold
    from .loader import load
    report = Report()
    corpus = load(root, report)
    axes = [a.id for a in corpus.programme.axes] if corpus.programme else []
    path = scaffold.write(root, args.type, args.titre, args.axe, axes, list(corpus.competences))
    print(f"Créé : {path.relative_to(root).as_posix()} (statut : brouillon). "
          "Complétez-le puis lancez « python build.py check ».")
    return EXIT_OK


def cmd_build(args: argparse.Namespace, root: Path) -> int:
    from .pipeline import ALL, build
    which = ALL if args.commande in (None, "tout", "site") else (args.commande,)
    edition = ("relecture" if getattr(args, "relecture", False) else
               "interne" if getattr(args, "interne", False) else "public")
    epreuve = getattr(args, "epreuve", False)
    options = {"heure": getattr(args, "heure", None), "epreuve": epreuve, "edition": edition}
    if epreuve or edition == "relecture":  # drafts say when and from what they were made
        from .base import draft_stamp
        options["tampon"] = draft_stamp(root)
    print("Vérification du contenu…", file=sys.stderr)
    if options["heure"]:
        from .typography import heure
        print(f"Fiches : séances commençant à {heure(options['heure'])}.", file=sys.stderr)
    report, info = build(root, which, strict=args.strict, options=options,
                         workers=getattr(args, "jobs", None))
    _print_report(report)
    t = info["temps"]
    parts = []
    if info["pages"]:
        rebuilt = info.get("reconstruites")
        detail = ("" if rebuilt is None else ", inchangé" if rebuilt == 0 else
                  f" dont {rebuilt} reconstruite{'s' if rebuilt > 1 else ''}")
        parts.append(f"site : {info['pages']} pages{detail} ({t.get('site', 0):.1f} s)")
    if info["pdf"]:
        parts.append(f"{info['pdf']} PDF, {info['pages_pdf']} pages ({t.get('pdf', 0):.1f} s)")
    print(f"Terminé en {t['total']:.1f} s — " + ", ".join(parts)
          + f". Résultat dans {info['dossier']}/.")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, root: Path) -> int:
    from .serve import serve
    serve(root, port=args.port, workers=getattr(args, "jobs", None))
    return EXIT_OK


def cmd_editeur(args: argparse.Namespace, root: Path) -> int:
    from .editeur import config_text, serve
    if args.configuration:
        sys.stdout.write(config_text(root).decode("utf-8"))
        return EXIT_OK
    serve(root, port=args.port)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Path], int]] = {
    "check": cmd_check,
    "new": cmd_new,
    "site": cmd_build,
    "fiches": cmd_build,
    "documents": cmd_build,
    "kits": cmd_build,
    "livre-blanc": cmd_build,
    "tout": cmd_build,
    "serve": cmd_serve,
    "editeur": cmd_editeur,
}


EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

# After Ctrl+C, a build or the preview ends within this delay whatever Python is doing:
# the KeyboardInterrupt normally unwinds it in a few tenths of a second, but an
# interrupt raised where a library swallows it, or an exit held by a thread that does
# not end, would otherwise leave the process (and its render processes) running.
STOP_GRACE_S = 1.5
_said: list[str] = []


def _say_stopped(message: str) -> None:
    """Print the stop message once (the normal path or the guard, whichever is first)."""
    if not _said:
        _said.append(message)
        print(message, file=sys.stderr, flush=True)


def _guard_ctrl_c(message: str):
    """Ctrl+C raises KeyboardInterrupt as usual, and arms a timer that ends the process
    if it is still there STOP_GRACE_S later (render processes die with it, see
    `outputs._die_with_parent`). A build's staging chains to this handler."""
    import signal
    import threading

    def force() -> None:
        if not _said:  # written directly: the stuck thread may hold sys.stderr's lock
            _said.append(message)
            try:
                os.write(2, f"{message}\n".encode("utf-8"))
            except OSError:
                pass
        os._exit(EXIT_INTERRUPTED)

    def interrupted(_signum, _frame):
        if not _said and not getattr(interrupted, "armed", False):
            interrupted.armed = True  # type: ignore[attr-defined]
            timer = threading.Timer(STOP_GRACE_S, force)
            timer.daemon = True
            timer.start()
        raise KeyboardInterrupt
    _said.clear()
    try:
        previous = signal.signal(signal.SIGINT, interrupted)
    except ValueError:  # not the main thread (called from another program): its own rules
        return None
    if os.environ.get("POWAO_SORTIE_BLOQUEE"):  # fault injection: an exit that never ends
        threading.Thread(target=threading.Event().wait, daemon=False).start()
    return previous


def main(argv: list[str], root: Path) -> int:
    root = Path(root).resolve()
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.commande or "tout"
    run = COMMANDS[command]
    stopped = ("Aperçu arrêté." if command == "serve" else
               "Interrompu. Les sorties publiées précédemment sont intactes.")
    # The form editor says its own word and holds no render process.
    previous = _guard_ctrl_c(stopped) if command != "editeur" else None
    try:
        from .base import build_epoch
        build_epoch()  # an unusable SOURCE_DATE_EPOCH is refused before anything runs
        return run(args, root)
    except ContentError as exc:
        _print_report(exc.report)
        print(f"Échec : {_summary(exc.report, args.strict)}. Rien n'a été écrit ni modifié.",
              file=sys.stderr)
        return EXIT_CONTENT
    except PowaoError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        _say_stopped(stopped)
        return EXIT_INTERRUPTED
    except OSError as exc:  # the machine, not the content: disk, permissions…
        from .errors import describe_os_error
        print(f"Erreur : {describe_os_error(exc)}. Rien de ce qui était publié n'a changé.",
              file=sys.stderr)
        return EXIT_CONTENT
    except RecursionError:
        print("Erreur : un contenu est imbriqué trop profondément pour être lu "
              f"({_working_on()}). Simplifiez-le ; rien de ce qui était publié n'a changé.",
              file=sys.stderr)
        return EXIT_CONTENT
    except Exception as exc:  # a bug of the toolchain: said as such, never a traceback
        print(f"Erreur interne de la chaîne de publication ({exc.__class__.__name__}) "
              f"pendant le traitement de {_working_on()}. Rien de ce qui était publié n'a "
              "changé. Signalez-le à l'équipe technique avec cette ligne.", file=sys.stderr)
        if os.environ.get("POWAO_DEBUG"):
            raise
        return EXIT_INTERNAL
    finally:
        if previous is not None and not _said:  # not stopped: the caller's handler back
            import signal
            signal.signal(signal.SIGINT, previous)


def _working_on() -> str:
    from .errors import working_on
    return working_on() or "la construction"
