"""Long fuzz run (not a test): grammar-generated programs in a Flask scaffold, for N minutes.

    python bench/fuzz.py --minutes 20
    python bench/fuzz.py --incremental --minutes 20

Each example is analysed twice (file order reversed) and must not raise and must give the
same findings; the fix of every finding is computed and its edits must apply and give text
that parses.  Prints the number of examples, findings, fixes checked and failures; a failing
example is written to bench/fuzz-failures/ for a regression test.

With ``--incremental``: a generated project (``bench/generate.py``) analysed by one
:class:`ctxlint.engine.Workspace` after each of a series of random edits (lines deleted,
duplicated or commented out, context-local reads added and removed, imports pointed elsewhere,
modules added, deleted and renamed, files reverted; on disk or as unsaved buffers), whose findings
must equal a cold run's after every edit.  Prints the number of edits and mismatches; the edits
leading to a mismatch are written to bench/fuzz-failures/.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--incremental", action="store_true", help="random edits: a Workspace against cold runs")
    parser.add_argument("--lines", type=int, default=3000, help="--incremental: the generated project's size")
    args = parser.parse_args()
    if args.incremental:
        return incremental(args)
    import random

    import hypothesmith
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from test_fuzz import FLASKY, SCAFFOLD, analyse_sources, check_fixes

    # the clock starts at the first example: building the grammar strategy takes seconds on a busy machine
    clock: dict[str, float] = {}
    stats = {"examples": 0, "findings": 0, "fixes": 0, "failures": 0}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz-failures")

    @settings(max_examples=10**9, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(hypothesmith.from_grammar(auto_target=False), st.lists(st.sampled_from(FLASKY), max_size=6),
           st.integers(0, 2**32))
    def run(generated: str, extra: list[str], seed: int) -> None:
        deadline = clock.setdefault("deadline", time.time() + args.minutes * 60)
        if time.time() > deadline and stats["examples"]:
            raise KeyboardInterrupt
        parts = extra + [generated]
        random.Random(seed).shuffle(parts)
        source = "\n".join(parts) + "\n"
        sources = dict(SCAFFOLD, **{"app/fuzzed.py": source})
        stats["examples"] += 1
        try:
            first = analyse_sources(sources)
            again = analyse_sources(dict(reversed(list(sources.items()))))
            assert first == again, "findings depend on file order"
            stats["findings"] += len(first)
            stats["fixes"] += check_fixes(sources)
        except Exception:
            stats["failures"] += 1
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, f"failure-{stats['failures']}.py"), "w", encoding="utf-8") as fh:
                fh.write(source + "\n# " + traceback.format_exc().replace("\n", "\n# "))

    start = time.time()
    try:
        run()
    except KeyboardInterrupt:
        pass
    took = time.time() - start
    print(f"fuzz: {stats['examples']} examples in {took / 60:.1f} min, {stats['findings']} findings, "
          f"{stats['fixes']} fixes with edits checked, {stats['failures']} failures")
    return 1 if stats["failures"] else 0


LEAK = ("\n\nimport threading as _fz_threading\nfrom flask import request as _fz_request\n\n\n"
        "def _fz_leak_{n}():\n    return _fz_request.path\n\n\n_fz_threading.Thread(target=_fz_leak_{n}).start()\n")


def incremental(args: argparse.Namespace) -> int:
    import random
    import tempfile

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import generate

    from ctxlint.engine import Options, Workspace, analyse

    rng = random.Random(args.seed)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz-failures")
    deadline = time.time() + args.minutes * 60
    stats = {"projects": 0, "edits": 0, "findings": 0, "mismatches": 0, "changed": 0}

    def found(result) -> list[str]:
        return sorted(repr(f) for f in result.findings)

    while time.time() < deadline:
        with tempfile.TemporaryDirectory(prefix="ctxfuzz-") as work:
            root = os.path.join(work, "proj")
            generate.generate(root, args.lines, rng.randrange(1000))
            stats["projects"] += 1
            originals: dict[str, str] = {}
            for dirpath, _, names in os.walk(root):
                for name in names:
                    if name.endswith(".py"):
                        with open(os.path.join(dirpath, name), encoding="utf-8") as fh:
                            originals[os.path.join(dirpath, name)] = fh.read()
            ws = Workspace([root], Options(jobs=1, use_cache=False))
            log: list[str] = []
            last: list[str] = []
            for _ in range(40):
                if time.time() >= deadline:
                    break
                files = sorted(p for p in originals if os.path.exists(p))
                overrides = _edit(rng, files, originals, log, stats["edits"])
                stats["edits"] += 1
                try:
                    got = found(ws.analyse(overrides))
                    want = found(analyse([root], Options(jobs=1, use_cache=False), overrides))
                    stats["findings"] += len(want)
                    stats["changed"] += got != last
                    last = got
                    assert got == want, "\n".join(["workspace:", *sorted(set(got) - set(want)),
                                                    "cold:", *sorted(set(want) - set(got))])
                except Exception:
                    stats["mismatches"] += 1
                    os.makedirs(out, exist_ok=True)
                    with open(os.path.join(out, f"incremental-{stats['mismatches']}.txt"), "w",
                              encoding="utf-8") as fh:
                        fh.write("\n".join(log) + "\n\n" + traceback.format_exc())
                    break
    print(f"fuzz --incremental: {stats['projects']} projects, {stats['edits']} edits in {args.minutes:.1f} min, "
          f"findings changed after {stats['changed']} of them, {stats['findings']} findings compared, "
          f"{stats['mismatches']} mismatches")
    return 1 if stats["mismatches"] else 0


def _edit(rng, files: list[str], originals: dict[str, str], log: list[str], n: int) -> dict[str, bytes] | None:
    """One random edit, on disk or as an unsaved buffer (returned as overrides)."""
    path = rng.choice(files)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    kind = rng.choice(["delete", "duplicate", "comment", "leak", "unread", "read", "import", "add", "remove",
                       "rename", "revert", "blank"])
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "comment":
        lines[i] = lines[i][:len(lines[i]) - len(lines[i].lstrip())] + "# " + lines[i].lstrip()
    elif kind == "blank":
        lines.insert(i, "# a comment" if rng.random() < 0.5 else "")
    elif kind == "leak":
        lines.append(LEAK.format(n=n))
    elif kind == "unread":
        text = text.replace("request.", "dict_request.").replace("current_app.", "dict_app.")
    elif kind == "read":
        text = text.replace("dict_request.", "request.").replace("dict_app.", "current_app.")
    elif kind == "import":
        others = [p for p in files if "/shopfront/" in p]
        target = rng.choice(others)
        dotted = "shopfront" + target.split("/shopfront", 1)[1][:-3].replace("/", ".").replace(".__init__", "")
        picked = [j for j, line in enumerate(lines) if line.startswith("from shopfront.")]
        if picked:
            j = rng.choice(picked)
            lines[j] = "from " + dotted + " import" + lines[j].split(" import", 1)[1]
    elif kind == "add":
        new = os.path.join(os.path.dirname(path), f"fuzz_added_{n}.py")
        originals[new] = LEAK.format(n=n) if rng.random() < 0.5 else "import os\n"
        with open(new, "w", encoding="utf-8") as fh:
            fh.write(originals[new])
        log.append(f"add {new}")
        return None
    elif kind == "remove":
        os.unlink(path)
        log.append(f"remove {path}")
        return None
    elif kind == "rename":
        new = os.path.join(os.path.dirname(path), f"fuzz_renamed_{n}.py")
        os.rename(path, new)
        originals[new] = text
        log.append(f"rename {path} {new}")
        return None
    elif kind == "revert":
        text = originals[path]
    if kind not in ("unread", "read", "revert"):
        text = "\n".join(lines)
    if rng.random() < 0.3:
        log.append(f"{kind} {path} line {i + 1} (buffer)\n{text}")
        return {path: text.encode()}
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    log.append(f"{kind} {path} line {i + 1}\n{text}")
    return None


if __name__ == "__main__":
    sys.exit(main())
