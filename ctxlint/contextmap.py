"""``ctxlint map``: one self-contained HTML page that draws where the application's code runs.

Roots grouped by kind (views, request handlers, CLI commands, jobs, threads, import time, ...), the
functions they reach grouped by module (a module is one node until it is opened), the contexts each
function runs in, the context-bound uses, and each finding's path.  The drawing is Cytoscape.js
with its fCoSE layout (``ctxlint/assets/``, MIT, the licences next to them), inlined with the page's own script
(``ctxlint/assets/map.js``) so the file opens with no network.

Everything read from the analysed project (names, paths, messages) is untrusted: it is only ever in the
page as JSON inside ``<script type="application/json">``, with ``<``, ``>``, ``&`` and U+2028/U+2029
escaped, and the script renders it with ``textContent`` and Cytoscape's data API.  A Content Security
Policy allows the two inline scripts by their hashes and nothing else (no inline handlers, no network).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
from importlib import resources
from typing import Any

from .analysis.values import short_name
from .config import ConfigError, Settings
from .explain import add_project_options, project_settings, status_of
from .knowledge import base as K
from .suppression import SourceLines, Suppressions
from .whereruns import CATEGORIES, CONTEXT_NAMES, WhereRuns, analyse_project

DEFAULT_OUTPUT = "ctxlint-map.html"
# the drawing library and its fCoSE layout (compound nodes), in the order they load (see assets/README.md)
LIBRARIES = ("cytoscape.min.js", "layout-base.js", "cose-base.js", "cytoscape-fcose.js")


def map_data(w: WhereRuns, settings: Settings, title: str) -> dict[str, Any]:
    """What the page draws, as plain data (indexes into lists rather than names, to stay small)."""
    g = w.graph
    used: set[str] = set()
    for info in w.functions.values():
        if info.reached or info.calls or info.uses:
            used.add(info.qual)
            used.update(c for c in info.calls if c in w.functions)
    for r in w.roots:
        used.update((r.entry, r.boundary))
    quals = sorted((q for q in used if q in w.functions),
                   key=lambda q: (w.functions[q].module, w.functions[q].line, q))
    index = {q: i for i, q in enumerate(quals)}
    modules: list[dict[str, Any]] = []
    module_index: dict[str, int] = {}
    uses: list[dict[str, str]] = []
    use_index: dict[str, int] = {}
    functions: list[dict[str, Any]] = []
    for q in quals:
        info = w.functions[q]
        mi = module_index.get(info.module)
        if mi is None:
            mi = module_index[info.module] = len(modules)
            mod = g.modules.get(info.module)
            name = mod.import_name or mod.name if mod is not None else info.module
            modules.append({"name": name.removeprefix("<jinja>"), "path": w.show(info.path),
                            "template": info.module.startswith("<jinja>")})
        fn_uses = []
        for text, needs, line in info.uses:
            ui = use_index.get(text)
            if ui is None:
                ui = use_index[text] = len(uses)
                uses.append({"text": text, "needs": needs})
            fn_uses.append([ui, line])
        functions.append({"q": q, "n": short_name(q), "m": mi, "l": info.line, "k": info.kind,
                          "c": [CONTEXT_NAMES[c] for c in info.contexts],
                          "r": sorted({r.root for r in info.reached}),
                          "u": fn_uses, "calls": sorted({index[c] for c in info.calls if c in index})})
    roots: list[dict[str, Any]] = []
    root_of: dict[tuple[str, str, str], int] = {}
    remap: dict[int, int] = {}
    for r in w.roots:
        key = (r.category, r.label, r.entry)
        ri = root_of.get(key)
        if ri is None:
            ri = root_of[key] = len(roots)
            roots.append({"cat": r.category, "label": r.label, "f": index[r.entry], "b": [],
                          "path": w.show(r.path), "l": r.line, "c": CONTEXT_NAMES.get(r.context, str(r.context))})
        if r.boundary != r.entry and index[r.boundary] not in roots[ri]["b"]:
            roots[ri]["b"].append(index[r.boundary])
        remap[r.index] = ri
    for fn in functions:
        fn["r"] = sorted({remap[r] for r in fn["r"]})
    suppressions = Suppressions(SourceLines({}))
    findings = []
    for fi in w.findings:
        f = fi.finding
        if status_of(f, settings, suppressions) != "reported":
            continue
        findings.append({"code": f.code, "path": f.path, "line": f.line, "message": f.message,
                         "fns": [index[q] for q in fi.functions if q in index],
                         "uses": sorted({use_index[u[5]] for u in f.uses if u[5] in use_index})})
    return {"title": title, "categories": [c for c in CATEGORIES if any(r["cat"] == c for r in roots)]
            + sorted({r["cat"] for r in roots} - set(CATEGORIES)),
            "contexts": {CONTEXT_NAMES[c]: w for c, w in
                         ((K.REQUEST, "a request context"), (K.APP, "an application context only"),
                          (K.NONE, "no context"))},
            "modules": modules, "functions": functions, "roots": roots, "uses": uses, "findings": findings}


def json_for_script(data: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">`` whatever its strings hold."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _asset(name: str) -> str:
    return resources.files("ctxlint").joinpath("assets", name).read_text(encoding="utf-8")


def _inline_script(code: str) -> str:
    """Script text safe between ``<script>`` tags (a ``</script`` in a string would end the element)."""
    if "<!--" in code:
        raise ValueError("a bundled script holds '<!--', which an inline script cannot")
    return code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def _sha256(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() + "'"


def render_html(data: dict[str, Any]) -> str:
    library = _inline_script(";\n".join(_asset(name) for name in LIBRARIES))
    script = _inline_script(_asset("map.js"))
    csp = (f"default-src 'none'; script-src {_sha256(library)} {_sha256(script)}; style-src 'unsafe-inline'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ctxlint map">
<title>ctxlint map</title>
<style>
{_asset("map.css")}
</style>
</head>
<body>
<aside id="side">
  <h1 id="title">ctxlint map</h1>
  <p id="stats"></p>
  <input id="search" type="search" placeholder="Search functions…" autocomplete="off" spellcheck="false">
  <ul id="results" class="list"></ul>
  <div id="buttons">
    <button id="expand" type="button">Open all modules</button>
    <button id="collapse" type="button">Close all</button>
    <button id="fit" type="button">Fit</button>
  </div>
  <h2>Contexts</h2>
  <ul id="legend" class="legend"></ul>
  <h2>Where code starts running</h2>
  <ul id="categories" class="list"></ul>
  <h2>Findings</h2>
  <ul id="findings" class="list"></ul>
  <h2>Selected</h2>
  <div id="details"><p class="hint">Click a node: a module opens to show its functions; a function shows where
  it runs. Search for a function by name.</p></div>
</aside>
<main id="graph"></main>
<script id="ctxlint-data" type="application/json">{json_for_script(data)}</script>
<script>{library}</script>
<script>{script}</script>
</body>
</html>
"""


def map_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="ctxlint map",
        description="Write one self-contained HTML page (it opens offline) drawing where the application's code "
                    "runs: roots by kind, the functions they reach by module, the context each runs in, the "
                    "context-bound uses and each finding's path; searchable by function name.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="the project to draw (default: .)")
    p.add_argument("-o", "--output", default=DEFAULT_OUTPUT, metavar="FILE",
                   help=f"the HTML file to write (default: {DEFAULT_OUTPUT}; - writes to standard output)")
    add_project_options(p)
    args = p.parse_args(argv)
    paths = args.paths or ["."]
    try:
        settings, options = project_settings(args, paths)
    except ConfigError as exc:
        print(f"ctxlint map: {exc}", file=sys.stderr)
        return 2
    errors: list[str] = []
    w = analyse_project(paths, options, errors)
    for err in errors:
        print(f"ctxlint: {err}", file=sys.stderr)
    if w is None:
        print("ctxlint map: no Python files to analyse", file=sys.stderr)
        return 2
    title = os.path.basename(os.path.abspath(paths[0])) if len(paths) == 1 else "project"
    data = map_data(w, settings, title)
    page = render_html(data)
    if args.output == "-":
        sys.stdout.write(page)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(page)
    except OSError as exc:
        print(f"ctxlint map: {args.output}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 2
    n = len(page.encode("utf-8"))
    counts = ", ".join(f"{len(data[k])} {k if len(data[k]) != 1 else k[:-1]}"
                       for k in ("functions", "roots", "findings"))
    print(f"ctxlint map: wrote {args.output} ({counts}; {n // 1024} KiB)", file=sys.stderr)
    return 0
