#!/usr/bin/env python3
"""Benchmark of the POWAO toolchain on a synthetic corpus.

Usage (from the repository root):

    .venv/bin/python benchmarks/run.py                 # N = 60 workshops, 3 runs
    .venv/bin/python benchmarks/run.py --ateliers 300 --runs 1

It copies the toolchain into a temporary folder, generates N workshops, 10
training modules and a long white paper from the real content, then measures
median wall time and peak memory (PSS of the whole process tree, sampled every
500 ms) of:
`check`, a cold full build, a no-change rebuild, a rebuild after editing one
workshop; and, on the same corpus, a naive baseline: `mkdocs build` plus one
`weasyprint` command per PDF, run one after the other (the reference: fiches,
binders and white paper; and once, the same PDFs as the build: handout packs and
the printer's edition too). Prints a table (French) and writes JSON next to this
script.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


# -- corpus ---------------------------------------------------------------------------------
def generate(root: Path, ateliers: int, modules: int, chapitres: int) -> None:
    for name in ("powao", "templates", "content", "whitepaper", "trainings", "workshops",
                 "build.py", "mkdocs.yml"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, root / name)
    real = sorted((REPO / "workshops").glob("*.md"))
    for i in range(len(real), ateliers):
        model = real[i % len(real)]
        text = model.read_text(encoding="utf-8")
        text = re.sub(r"^titre: (.*)$", lambda m: f"titre: {m.group(1).strip()} (variante {i})",
                      text, count=1, flags=re.M)
        (root / "workshops" / f"{model.stem}-v{i}.md").write_text(text, encoding="utf-8")
    real_modules = sorted((REPO / "trainings" / "modules").glob("*.md"))
    for i in range(len(real_modules), modules):
        model = real_modules[i % len(real_modules)]
        shutil.copy(model, root / "trainings" / "modules" / f"{model.stem}-v{i}.md")
    book = root / "whitepaper" / "livre-blanc.yml"
    text = book.read_text(encoding="utf-8")
    chapters = re.findall(r"^  - ([a-z0-9-]+)$", text, flags=re.M)
    extra = []
    for i in range(chapitres - len(chapters)):
        model = chapters[2 + i % (len(chapters) - 2)]
        src = root / "whitepaper" / "chapitres" / f"{model}.md"
        copy = src.read_text(encoding="utf-8").replace("{{ figure:", "{{ figure_absente:")
        copy = re.sub(r"^\{\{ figure_absente:.*\}\}$", "", copy, flags=re.M)
        copy = re.sub(r"^titre: (.*)$", lambda m: f"titre: {m.group(1).strip()} ({i + 2})",
                      copy, count=1, flags=re.M)
        (root / "whitepaper" / "chapitres" / f"{model}-v{i}.md").write_text(copy, "utf-8")
        extra.append(f"{model}-v{i}")
    insert = "".join(f"  - {c}\n" for c in extra)
    book.write_text(text.replace("  - annexes\n", insert + "  - annexes\n"), encoding="utf-8")


# -- measuring ------------------------------------------------------------------------------
def tree_memory(pid: int) -> int:
    """Memory (bytes) of a process and all its descendants, as PSS: each shared page
    counts once, split between the processes that share it. (Summing RSS would count
    the pages a forked render process shares with the build several times.)"""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            try:
                rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
                total += int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1)) * 1024
            except OSError:  # kernels without smaps_rollup: resident size
                status = Path(f"/proc/{current}/status").read_text()
                total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack += [int(c) for c in children]
        except (OSError, AttributeError):
            continue
    return total


# Memory is sampled twice a second. Reading a process's PSS makes the kernel walk its
# page tables: at 20 samples a second, the sampler took about a fifth of a core during
# a cold build (15.8 s of CPU, nearly all in the kernel, for a 72 s build), which the
# build, using both cores, paid in wall time and the one-process naive reference, with
# a core to spare, did not.
SAMPLE_S = 0.5


def measure(cmd: list[str], cwd: Path) -> tuple[float, int, int]:
    """(wall seconds, peak memory of the process tree in bytes, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_memory(proc.pid))
            done.wait(SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    done.set()
    sampler.join()
    return time.perf_counter() - start, peak, code


def clean_outputs(root: Path) -> None:
    for name in ("site", ".cache", ".build"):
        shutil.rmtree(root / name, ignore_errors=True)


def naive_inputs(root: Path, out: Path, complet: bool = False) -> tuple[Path, list[Path]]:
    """The naive pipeline's inputs: the docs tree and one HTML file per PDF (the
    reference: fiches, binders, white paper). `complet`: every PDF the build publishes,
    the handout packs and the white paper's printer edition too."""
    script = f"""
import sys; sys.path.insert(0, {str(root)!r})
from pathlib import Path
from powao.pipeline import load_and_check
from powao.templating import Templates
from powao.site import SiteBuilder
from powao import fiches, livre, outputs
import yaml
root, out = Path({str(root)!r}), Path({str(out)!r})
corpus, _ = load_and_check(root)
t = Templates(corpus)
b = SiteBuilder(corpus, t)
b.write_docs(out / "docs")
cfg = b.config(out / "docs", out / "site")
(out / "mkdocs.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True))
for job in outputs.plan(corpus, {{"fiches", "kits", "livre-blanc"}}):
    if job.kind == "fiche":
        html = fiches.fiche_html(t, corpus.ateliers[job.ident])
    elif job.kind == "livre":
        html = livre.document_html(corpus, t)
    else:
        html = fiches.kit_html(t, job.kind.split("-")[1], job.ident)
    (out / "html").mkdir(exist_ok=True)
    (out / "html" / (job.ident + ".html")).write_text(html, encoding="utf-8")
    if {complet!r} and job.kind == "fiche":
        (out / "html" / (job.ident + "-documents.html")).write_text(
            fiches.documents_html(t, corpus.ateliers[job.ident]), encoding="utf-8")
    if {complet!r} and job.kind == "livre":
        (out / "html" / "livre-blanc-impression.html").write_text(
            livre.document_html(corpus, t, impression=True), encoding="utf-8")
"""
    subprocess.run([PY, "-c", script], check=True)
    return out / "mkdocs.yml", sorted((out / "html").glob("*.html"))


def naive_run(root: Path, config: Path, documents: list[Path], out: Path) -> tuple[float, int]:
    weasyprint = Path(PY).with_name("weasyprint")
    mkdocs = Path(PY).with_name("mkdocs")
    base = root / "templates" / "print"
    total, peak = 0.0, 0
    wall, rss, _ = measure([str(mkdocs), "build", "-q", "-f", str(config)], root)
    total, peak = total + wall, max(peak, rss)
    for doc in documents:
        target = out / "pdf" / (doc.stem + ".pdf")
        target.parent.mkdir(parents=True, exist_ok=True)
        wall, rss, _ = measure([str(weasyprint), "-q", "-u", base.as_uri() + "/", str(doc),
                                str(target)], root)
        total, peak = total + wall, max(peak, rss)
    return total, peak


# -- the live preview (« aperçu ») -----------------------------------------------------------
def _get(url: str) -> bytes | None:
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except OSError:
        return None


def _wait_idle(log: Path, proc: subprocess.Popen, timeout: float = 1800) -> None:
    """Until the preview has no PDF left to render (each « rendu de N PDF » is followed
    by its « N PDF mis à jour »), and a little more."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, log.read_text(encoding="utf-8")
        text = log.read_text(encoding="utf-8")
        ready = "fiches des kits en mémoire" in text  # the corpus has a cycle
        if ready and "Aperçu sur" in text and text.count("Aperçu : rendu de") <= text.count(
                "PDF mis à jour en"):
            time.sleep(2)
            text2 = log.read_text(encoding="utf-8")
            if text2 == text:
                return
        time.sleep(0.5)
    raise RuntimeError("l'aperçu n'a pas fini de rendre ses PDF")


def _etag(url: str, known: str = "") -> str:
    """A PDF's ETag, by a conditional request (the preview answers « 304 » while it is
    unchanged: polling a 150-page binder twenty times a second no longer slows the
    preview being measured)."""
    import urllib.error
    import urllib.request
    request = urllib.request.Request(url, headers={"If-None-Match": known} if known else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.headers.get("ETag", "")
    except urllib.error.HTTPError as error:
        return error.headers.get("ETag", "") if error.code == 304 else ""
    except OSError:
        return ""


def preview_edit(root: Path, base: str, path: Path, page: str, pdfs: list[str],
                 mark: str) -> dict[str, float]:
    """Save an edit; seconds until the page shows it and until each PDF changed."""
    before = {pdf: _etag(base + pdf) for pdf in pdfs}
    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    path.write_text(text.replace("## Pourquoi cet atelier",
                                 f"## Pourquoi cet atelier\n\n{mark}.", 1), encoding="utf-8")
    seen: dict[str, float] = {}
    while len(seen) < 1 + len(pdfs) and time.perf_counter() - start < 300:
        if "page" not in seen and mark.encode() in (_get(base + page) or b""):
            seen["page"] = time.perf_counter() - start
        for pdf in pdfs:
            if pdf not in seen and _etag(base + pdf, before[pdf]) not in ("", before[pdf]):
                seen[pdf] = time.perf_counter() - start
        time.sleep(0.05)
    return seen


def measure_preview(root: Path, runs: int, edited: Path, in_cycle: Path,
                    originals: dict[Path, str]) -> dict[str, list[tuple[float, int]]]:
    """The author's loop through the running preview: save → page updated, save →
    fiche updated, cycle workshop saved → binder updated."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = root / ".." / "apercu.log"
    base = f"http://127.0.0.1:{port}/"
    found: dict[str, list[tuple[float, int]]] = {"apercu_page": [], "apercu_fiche": [],
                                                  "apercu_kit": []}
    with open(log, "w", encoding="utf-8") as err:
        proc = subprocess.Popen([PY, "build.py", "serve", "--port", str(port)], cwd=root,
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        _wait_idle(log, proc)
        site = root / ".build" / "apercu" / "site"
        for n in range(1, runs + 1):
            for path, key in ((edited, "apercu_fiche"), (in_cycle, "apercu_kit")):
                page = next(site.rglob(f"{path.stem}.html")).relative_to(site).as_posix()
                pdf = (f"pdf/kits/cycle-six-mois.pdf" if key == "apercu_kit"
                       else f"pdf/fiches/{path.stem}.pdf")
                print(f"Aperçu {n}/{runs} : {path.name} modifié…", file=sys.stderr)
                # One word the typography leaves alone (no digit, no space, no mark).
                mark = "revisionapercu" + "x" * n + key.split("_")[1]
                seen = preview_edit(root, base, path, page, [pdf], mark)
                memory = tree_memory(proc.pid)
                if key == "apercu_fiche":
                    found["apercu_page"].append((seen.get("page", float("nan")), memory))
                found[key].append((seen.get(pdf, float("nan")), memory))
                path.write_text(originals[path], encoding="utf-8")
                _wait_idle(log, proc)
    finally:
        proc.send_signal(__import__("signal").SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # Ctrl+C ignored (started with SIGINT ignored)
            proc.terminate()
            proc.wait(timeout=30)
    return found


def run(ateliers: int, runs: int, jobs: int, naive: bool = True,
        apercu_seul: bool = False) -> dict:
    results: dict = {"ateliers": ateliers, "runs": runs, "jobs": jobs, "cpu": os.cpu_count(),
                     "memoire": "PSS de l'arbre de processus, pic échantillonné toutes les 500 ms"}
    with tempfile.TemporaryDirectory(prefix="powao-bench-") as tmp:
        root = Path(tmp) / "projet"
        root.mkdir()
        print(f"Corpus synthétique : {ateliers} ateliers, 10 modules, livre blanc long…",
              file=sys.stderr)
        generate(root, ateliers, modules=10, chapitres=22)
        build = [PY, "build.py", "--jobs", str(jobs)]
        cases: dict[str, list[tuple[float, int]]] = {k: [] for k in LABELS}
        # Two edits: a workshop no binder contains (its fiche and its page), and one
        # of the cycle (its fiche, its page and the 150-page mentor kit).
        cycle = (root / "workshops" / "cycles" / "cycle-six-mois.md").read_text(encoding="utf-8")
        in_binder = set(re.findall(r"atelier: ([a-z0-9-]+)", cycle))
        workshops = sorted((root / "workshops").glob("*.md"))
        edited = next(p for p in workshops if p.stem not in in_binder)
        in_cycle = next(p for p in workshops if p.stem in in_binder)
        originals = {path: path.read_text(encoding="utf-8") for path in (edited, in_cycle)}
        if apercu_seul:
            runs_build = 0
            print("Construction initiale (caches de l'aperçu)…", file=sys.stderr)
            assert measure(build, root)[2] == 0, "la construction a échoué"
        else:
            runs_build = runs
        for n in range(1, runs_build + 1):
            print(f"Mesure {n}/{runs} : check…", file=sys.stderr)
            for _ in range(5):  # cheap: measured five times per run
                cases["check"].append(measure([PY, "build.py", "check"], root)[:2])
            clean_outputs(root)
            print(f"Mesure {n}/{runs} : construction à froid…", file=sys.stderr)
            wall, rss, code = measure(build, root)
            assert code == 0, "la construction a échoué"
            cases["froid"].append((wall, rss))
            print(f"Mesure {n}/{runs} : reconstruction sans changement…", file=sys.stderr)
            cases["sans_changement"].append(measure(build, root)[:2])
            print(f"Mesure {n}/{runs} : reconstruction après modification d'un atelier…",
                  file=sys.stderr)
            for case, path in (("un_atelier", edited), ("atelier_du_cycle", in_cycle)):
                path.write_text(originals[path].replace(
                    "## Pourquoi cet atelier", f"## Pourquoi cet atelier\n\nRévision {n}.", 1),
                    encoding="utf-8")
                cases[case].append(measure(build, root)[:2])
                path.write_text(originals[path], encoding="utf-8")
                measure(build, root)  # back to the unedited corpus (not measured)
            if not naive:
                continue
            print(f"Mesure {n}/{runs} : référence naïve (mkdocs build + weasyprint par PDF)…",
                  file=sys.stderr)
            reference = Path(tmp) / f"naif-{n}"
            config, documents = naive_inputs(root, reference)
            cases["naif"].append(naive_run(root, config, documents, reference))
            results["pdf_naif"] = len(documents)
            if n == 1:  # once: the same PDFs as the build, made naively
                print("Mesure 1 : référence naïve avec les mêmes PDF que la construction…",
                      file=sys.stderr)
                reference = Path(tmp) / "naif-complet"
                config, documents = naive_inputs(root, reference, complet=True)
                cases["naif_complet"].append(naive_run(root, config, documents, reference))
                results["pdf_naif_complet"] = len(documents)
        cases.update(measure_preview(root, runs, edited, in_cycle, originals))
        if not naive or apercu_seul:
            del cases["naif"], cases["naif_complet"]
        for name, values in cases.items():
            if not values:
                continue
            results[name] = {"temps_median_s": round(statistics.median(v[0] for v in values), 2),
                             "memoire_pic_mio": round(max(v[1] for v in values) / 2**20),
                             "temps_s": [round(v[0], 2) for v in values]}
    if "naif" in results:
        base = results["naif"]["temps_median_s"]
        for name in ("froid", "sans_changement", "un_atelier", "atelier_du_cycle"):
            results[name]["ratio_naif"] = round(results[name]["temps_median_s"] / base, 3)
        if "naif_complet" in results:  # the cold build against the same PDFs made naively
            results["froid"]["ratio_naif_complet"] = round(
                results["froid"]["temps_median_s"] / results["naif_complet"]["temps_median_s"], 3)
    return results


LABELS = {"check": "check", "froid": "construction à froid", "sans_changement":
          "sans changement", "un_atelier": "un atelier modifié", "atelier_du_cycle":
          "un atelier du cycle modifié", "naif": "référence naïve",
          "naif_complet": "naïf, mêmes PDF (1 mesure)",
          "apercu_page": "aperçu : page à jour", "apercu_fiche": "aperçu : fiche à jour",
          "apercu_kit": "aperçu : kit du cycle à jour"}


def table(results: dict) -> str:
    lines = [f"N = {results['ateliers']} ateliers, {results['runs']} mesure(s), "
             f"{results['jobs']} processus de rendu, {results['cpu']} cœurs",
             f"{'étape':<30}{'médiane':>10}{'pic mémoire (PSS)':>20}{'× naïf':>9}"]
    for key, label in LABELS.items():
        if key not in results:
            continue
        r = results[key]
        ratio = f"{r['ratio_naif']:.2f}" if "ratio_naif" in r else ""
        lines.append(f"{label:<30}{r['temps_median_s']:>9.2f}s{r['memoire_pic_mio']:>16} Mio"
                     f"{ratio:>9}")
    if "ratio_naif_complet" in results.get("froid", {}):
        lines.append("construction à froid / naïf avec les mêmes PDF : "
                     f"{results['froid']['ratio_naif_complet']:.2f}")
    if "charge" in results:
        lines.append("charge de la machine (1, 5, 15 min) : "
                     + ", ".join(f"{x:.2f}" for x in results["charge"]))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="Mesure la vitesse de la chaîne POWAO.")
    parser.add_argument("--ateliers", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sans-naif", action="store_true",
                        help="ne pas mesurer la référence naïve (longue à N = 300)")
    parser.add_argument("--apercu-seul", action="store_true",
                        help="ne mesurer que l'aperçu (enregistrement → page, fiche, kit)")
    args = parser.parse_args()
    results = run(args.ateliers, args.runs, args.jobs, naive=not args.sans_naif,
                  apercu_seul=args.apercu_seul)
    results["charge"] = os.getloadavg()  # the machine's load when the run ended
    print(table(results))
    out = Path(__file__).with_name(f"resultats-{args.ateliers}.json")
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Résultats écrits dans {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
