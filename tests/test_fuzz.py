"""Property tests: any Python source, dropped into a Flask-shaped project, is analysed without
raising, and the findings do not depend on the order of files or on --jobs."""

from __future__ import annotations

import os
import random
import re

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ctxlint.engine import Options, findings_for  # noqa: E402
from ctxlint.findings import Finding  # noqa: E402
from ctxlint.fixes import SAFE, SUGGESTION, UNSAFE, FixContext, Sources, fix_for  # noqa: E402
from ctxlint.fixing import FixError, SourceText, apply_edits, check_parses  # noqa: E402
from ctxlint.summary import summarise_many  # noqa: E402

SCAFFOLD = {
    "app/__init__.py": "from flask import Flask\nfrom .views import bp\n\ndef create_app():\n"
                       "    app = Flask(__name__)\n    app.register_blueprint(bp)\n    return app\n",
    "app/views.py": "from concurrent.futures import ThreadPoolExecutor\nfrom flask import Blueprint, request, g\n"
                    "from . import fuzzed\n\nbp = Blueprint('b', __name__)\npool = ThreadPoolExecutor()\n\n"
                    "@bp.route('/')\ndef index():\n    pool.submit(fuzzed.work, request.args)\n"
                    "    for name in dir(fuzzed):\n        pool.submit(getattr(fuzzed, name))\n"
                    "    return fuzzed.__name__\n",
}

# Flask-flavoured statements mixed into generated programs, so that views, threads and
# context locals appear in them.
FLASKY = [
    "from flask import request, g, current_app, session",
    "from concurrent.futures import ThreadPoolExecutor",
    "pool = ThreadPoolExecutor()",
    "def work(x=None):\n    return request.args if x is None else x",
    "def helper():\n    return g.user",
    "with current_app.app_context():\n    pass",
    "if request:\n    y = session.get('k')",
    "t = pool.submit(work)",
    "class C:\n    def m(self):\n        return current_app.config\n    p = property(m)",
    "lambda: request.json",
]


def _findings(sources: dict[str, str]) -> list[Finding]:
    items = []
    for path, text in sources.items():
        name = path[:-3].replace("/", ".").removesuffix(".__init__")
        items.append((text.encode("utf-8", "surrogatepass"), name, name, path, path.endswith("__init__.py")))
    return findings_for(summarise_many(items), Options(jobs=1))


def analyse_sources(sources: dict[str, str]) -> list[tuple[str, int, str, str]]:
    return sorted((f.path, f.line, f.code, f.message) for f in _findings(sources))


def check_fixes(sources: dict[str, str]) -> int:
    """Compute the fix of every finding (in memory) and check that its edits do not overlap and give
    text that parses.  Returns how many fixes had edits."""
    texts = {}
    for path, text in sources.items():
        try:
            texts[os.path.abspath(path)] = SourceText.from_bytes(os.path.abspath(path),
                                                                 text.encode("utf-8", "surrogatepass"))
        except FixError:
            pass
    ctx = FixContext(Sources(texts), files=list(texts))
    with_edits = 0
    for f in _findings(sources):
        fix = fix_for(f, ctx)
        assert fix.applicability in (SAFE, UNSAFE, SUGGESTION) and fix.message
        if not fix.edits:
            continue
        with_edits += 1
        for path in {e.path for e in fix.edits}:
            old = texts[os.path.abspath(path)].text
            mine = [e for e in fix.edits if e.path == path]
            # apply_edits raises FixError on overlapping edits, check_parses on text that does not parse
            check_parses(apply_edits(old, mine), path)
    return with_edits


# hypothesmith builds a parser of the whole Python grammar for each strategy it makes (seconds of
# work): make the strategy once, when first drawn from, rather than for every example.
GRAMMAR = st.deferred(lambda: hypothesmith.from_grammar(auto_target=False))


@st.composite
def programs(draw: st.DrawFn) -> str:
    generated = draw(GRAMMAR)
    extra = draw(st.lists(st.sampled_from(FLASKY), max_size=5))
    parts = extra + [generated]
    random.Random(draw(st.integers(0, 2**16))).shuffle(parts)
    return "\n".join(parts) + "\n"


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(programs())
def test_generated_programs_never_crash_and_are_deterministic(source: str) -> None:
    sources = dict(SCAFFOLD, **{"app/fuzzed.py": source})
    first = analyse_sources(sources)
    reordered = dict(reversed(list(sources.items())))
    assert analyse_sources(reordered) == first
    for _, _, code, message in first:
        assert code.startswith("CTX") and message
    check_fixes(sources)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_ctx900_or_analysed(data: bytes) -> None:
    items = [(data, "app.blob", "app.blob", "app/blob.py", False)]
    modules = summarise_many(items)
    found = findings_for(modules, Options())
    assert all(f.code.startswith("CTX") for f in found)
    if modules[0].error is not None:
        assert [f.code for f in found] == ["CTX900"]


# The script's time budget starts before hypothesmith builds its grammar parser (about 4 s on an idle
# machine, more on a busy one): with 3 s it could run out before the first example.  Half a minute
# leaves room for that on a loaded machine, which makes it a slow test.
@pytest.mark.slow
def test_the_long_run_script_runs_and_reports() -> None:
    import subprocess
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    proc = subprocess.run([sys.executable, os.path.join(here, "..", "bench", "fuzz.py"), "--minutes", "0.5"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"fuzz: [1-9]\d* examples in .* min, \d+ findings, \d+ fixes with edits checked, 0 failures",
                     proc.stdout), proc.stdout
