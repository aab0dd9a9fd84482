#!/usr/bin/env python3
"""Speed of the typography engine, per 5 KB HTML fragment.

Usage (from the repository root):

    .venv/bin/python benchmarks/typographie.py            # 5 rounds
    .venv/bin/python benchmarks/typographie.py --rounds 9

The fragments are the real white-paper chapters and workshops, rendered to HTML
with python-markdown (tables, attributes) and cut at block boundaries into pieces
of about 5 KB, as the site and the PDFs hand them to the engine.  The snapshot of
the sources is taken from git (``--rev``, default ``HEAD``) so that a before/after
comparison runs on the very same text.  Each round times every fragment once, in
CPU time of this process (the machine is shared: wall time mostly measures the
other processes); the figure reported is the best round, normalised to 5 000
bytes, with the median beside it.
``--compare REV`` loads the engine of another revision and times both,
interleaved round by round, so that load affects both alike.  With ``--json``, the
figures are written next to this script.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import markdown  # noqa: E402

from powao.typography import typographier  # noqa: E402

SIZE = 5000
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
BLOCK_END = re.compile(r"</(?:p|ul|ol|table|h[1-6]|blockquote|pre)>\Z")


def sources(rev: str) -> list[str]:
    names = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev, "whitepaper/chapitres", "workshops"],
        cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    texts = []
    for name in sorted(n for n in names if n.endswith(".md")):
        text = subprocess.run(["git", "show", f"{rev}:{name}"], cwd=REPO,
                              capture_output=True, text=True, check=True).stdout
        texts.append(FRONT_MATTER.sub("", text))
    return texts


def fragments(rev: str) -> list[str]:
    html = "\n".join(markdown.markdown(t, extensions=["tables", "attr_list"])
                     for t in sources(rev))
    out, current = [], ""
    for line in html.split("\n"):
        current += line + "\n"
        if len(current.encode()) >= SIZE and BLOCK_END.search(line):
            out.append(current)
            current = ""
    return out


def engine_at(rev: str) -> Callable[[str], str]:
    """typographier() of powao/typography.py as it was at a git revision."""
    code = subprocess.run(["git", "show", f"{rev}:powao/typography.py"], cwd=REPO,
                          capture_output=True, text=True, check=True).stdout
    module = types.ModuleType(f"typography_{rev}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(code, f"{rev}:powao/typography.py", "exec"), module.__dict__)
    return module.typographier


def measure(engines: list[Callable[[str], str]], pieces: list[str],
            rounds: int) -> list[list[float]]:
    """Per engine, the time per 5 KB of each round (engines interleaved)."""
    total_bytes = sum(len(p.encode()) for p in pieces)
    for engine in engines:  # warm-up: compiled regexes, tag cache
        for piece in pieces:
            engine(piece)
    per_5kb: list[list[float]] = [[] for _ in engines]
    for _ in range(rounds):
        for index, engine in enumerate(engines):
            start = time.process_time()
            for piece in pieces:
                engine(piece)
            elapsed = time.process_time() - start
            per_5kb[index].append(elapsed / total_bytes * SIZE)
    return per_5kb


def line(label: str, times: list[float]) -> str:
    return (f"{label} : {min(times) * 1e3:.3f} ms par fragment de 5 Ko (meilleur tour), "
            f"médiane {statistics.median(times) * 1e3:.3f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--rev", default="HEAD", help="git revision of the sources")
    parser.add_argument("--compare", metavar="REV",
                        help="also time the engine of this git revision, interleaved")
    parser.add_argument("--json", action="store_true", help="write typographie.json")
    args = parser.parse_args()
    pieces = fragments(args.rev)
    engines = [typographier] + ([engine_at(args.compare)] if args.compare else [])
    results = measure(engines, pieces, args.rounds)
    print(f"{len(pieces)} fragments, {args.rounds} tours")
    print(line("Moteur actuel", results[0]))
    if args.compare:
        print(line(f"Moteur de {args.compare}", results[1]))
        ratio = min(results[0]) / min(results[1])
        print(f"Rapport actuel / {args.compare} : {ratio:.2f}")
    if args.json:
        out = {"fragments": len(pieces), "tours": args.rounds,
               "ms_par_5ko": round(min(results[0]) * 1e3, 4),
               "ms_par_5ko_mediane": round(statistics.median(results[0]) * 1e3, 4)}
        if args.compare:
            out["reference"] = {"revision": args.compare,
                                "ms_par_5ko": round(min(results[1]) * 1e3, 4),
                                "ms_par_5ko_mediane":
                                    round(statistics.median(results[1]) * 1e3, 4)}
        (REPO / "benchmarks" / "typographie.json").write_text(
            json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
