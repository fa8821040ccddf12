"""Long fuzz run (not a test): grammar-generated programs in a Flask scaffold, for N minutes.

    python bench/fuzz.py --minutes 20

Each example is analysed twice (file order reversed) and must not raise and must give the
same findings; the fix of every finding is computed and its edits must apply and give text
that parses.  Prints the number of examples, findings, fixes checked and failures; a failing
example is written to bench/fuzz-failures/ for a regression test.
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    sys.exit(main())
