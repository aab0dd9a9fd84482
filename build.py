#!/usr/bin/env python3
"""POWAO publishing toolchain — the one command-line entry point.

Run `python build.py --help` (French) for the commands.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

try:
    from importlib.util import find_spec

    from powao.cli import main  # noqa: E402
    for needed in ("markdown", "weasyprint", "mkdocs"):  # found, not imported: start-up stays fast
        if find_spec(needed) is None:
            raise ModuleNotFoundError(name=needed)
except ImportError as exc:  # run outside the project's virtual environment
    venv = ROOT / ".venv" / "bin" / "python"
    hint = (f"lancez « {venv.relative_to(Path.cwd()) if venv.is_relative_to(Path.cwd()) else venv} "
            "build.py … »" if venv.exists() else "lancez d'abord « make build » (il installe tout)")
    sys.exit(f"Erreur : le module Python « {exc.name} » est introuvable : cette commande doit "
             f"tourner dans l'environnement du projet ; {hint}.")

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], root=ROOT))
