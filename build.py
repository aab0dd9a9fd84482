#!/usr/bin/env python3
"""POWAO publishing toolchain — the one command-line entry point.

Run `python build.py --help` (French) for the commands.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from powao.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], root=ROOT))
