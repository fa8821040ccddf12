"""Generate a synthetic Flask project of a given size for the benchmark.

    python bench/generate.py --lines 50000 --seed 1 --out DIR

The project is deterministic from the seed and looks like a real service
(``shopfront``): an app factory (``create_app``), blueprints whose views call
services and helper modules, helper modules calling each other across modules
(chains several modules deep; some read ``request``, ``g`` or ``current_app``,
some guard the read with ``has_request_context()``, most are pure), service
classes, a thread pool fed by the views, Celery tasks (Flask's ``FlaskTask``
pattern, plus a plain Celery app for periodic jobs), ``flask`` CLI command
groups and streamed responses.  The code is valid Python 3 and flake8-clean.

It grows by adding modules, packages and blueprints, never by making files
longer, so the size scales linearly.  Most patterns are correct; a few are
real context bugs, planted at known places.  The generator writes them to
``ctxlint_bench_manifest.json`` at the root of the tree (``bugs``: path, line,
code), together with a helper module that many modules import (``touch``),
which the benchmark edits for its one-file-changed measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass

PKG = "shopfront"
MANIFEST = "ctxlint_bench_manifest.json"
MAX_LINE = 79

NONE, APP, REQ = 0, 1, 2  # what a function reaches: nothing, an app-bound local, a request-bound local

DOMAINS = [
    "billing", "catalog", "shipping", "accounts", "inventory", "pricing", "orders", "payments",
    "reviews", "search", "loyalty", "returns", "tax", "promotions", "suppliers", "reporting",
    "notifications", "fulfilment", "subscriptions", "support", "warehouse", "analytics",
    "marketing", "fraud", "checkout", "media", "localisation", "partners", "audit", "gifting",
]
NOUNS = [
    "invoice", "order", "customer", "cart", "payment", "refund", "shipment", "product", "coupon",
    "review", "account", "address", "ledger", "discount", "stock", "supplier", "plan", "parcel",
    "basket", "voucher", "receipt", "quote", "carrier", "listing", "rating", "wallet", "tariff",
    "bundle", "vendor", "batch",
]
QUALS = [
    "rules", "totals", "rows", "summary", "keys", "labels", "windows", "limits", "flags",
    "formats", "filters", "codes", "rates", "states", "events", "links", "terms", "costs",
]
VERBS = [
    "load", "build", "compute", "normalize", "format", "validate", "merge", "resolve", "collect",
    "summarize", "fetch", "apply", "prepare", "estimate", "score", "rank", "index", "encode",
    "split", "group", "select", "describe", "reconcile", "refresh", "expand", "match",
]
PARAMS = ["items", "key", "value", "limit", "rows", "payload", "amount", "when", "code", "ident",
          "options", "entries", "label", "region", "currency"]
VARS = ["total", "digest", "stamp", "parts", "picked", "slug", "counts", "due", "started",
        "window", "keyed", "flags", "result", "extra", "merged", "width", "score", "spec",
        "bucket", "marker", "ratio", "subset", "shaped", "tally"]
ROUTE_WORDS = ["list", "show", "create", "update", "export", "sync", "preview", "search", "refresh",
               "archive", "import", "summary", "stats", "feed", "check", "recompute"]

THIRD_PARTY = ("flask", "celery", "click", "apscheduler")


@dataclass
class Func:
    module: str  # dotted name of the module defining it
    name: str  # function name, or "Class.method"
    params: list[str]
    taint: int  # NONE, APP or REQ, through everything it calls
    cls: str = ""  # the class, for a service method


@dataclass
class BlueprintPkg:
    name: str
    dotted: str  # the package
    views: list[str]  # its view modules
    size: int  # how many view modules it gets


@dataclass
class Bug:
    path: str
    line: int
    code: str
    note: str


def dotted_path(module: str, package: bool = False) -> str:
    parts = module.split(".")
    return os.path.join(*parts, "__init__.py") if package else os.path.join(*parts) + ".py"


class Module:
    """One generated source file: its imports, collected as the body uses names, and its body."""

    def __init__(self, dotted: str, doc: str, package: bool = False) -> None:
        self.dotted = dotted
        self.package = package
        self.path = dotted_path(dotted, package)
        self.doc = doc
        self.plain: set[str] = set()  # import x
        self.froms: dict[str, dict[str, str]] = {}  # from m import name as alias -> {m: {alias: name}}
        self.bound: dict[str, tuple[str, str]] = {}  # local name -> (module, name) it is bound to
        self.prelude: list[str] = []  # module-level statements after the imports
        self.body: list[str] = []
        self.bugs: list[tuple[int, str, str]] = []  # (body index, code, note)
        self.prelude_bugs: list[tuple[int, str, str]] = []
        self.tail: list[str] = []  # statements after the body (e.g. late imports)

    # -- names
    def imp(self, module: str) -> str:
        """``import module``: the name to use."""
        self.plain.add(module)
        return module

    def use(self, module: str, name: str, prefer: str | None = None) -> str | None:
        """``from module import name``; the local name, or None when the name is taken by something else."""
        local = prefer or name
        have = self.bound.get(local)
        if have is not None:
            return local if have == (module, name) else None
        self.bound[local] = (module, name)
        self.froms.setdefault(module, {})[local] = name
        return local

    def define(self, name: str) -> None:
        self.bound[name] = (self.dotted, name)

    def free(self, name: str) -> bool:
        return name not in self.bound

    def flask(self, name: str) -> str:
        got = self.use("flask", name)
        assert got is not None, name
        return got

    def logger(self) -> str:
        if "log" not in self.bound:
            self.imp("logging")
            self.bound["log"] = (self.dotted, "log")
            self.prelude.append("log = logging.getLogger(__name__)")
        return "log"

    # -- body
    def add(self, *lines: str) -> None:
        self.body.extend(lines)

    def mark(self, code: str, note: str) -> None:
        """The next body line is where ctxlint must report ``code``."""
        self.bugs.append((len(self.body), code, note))

    def mark_prelude(self, code: str, note: str) -> None:
        self.prelude_bugs.append((len(self.prelude), code, note))

    def blank_top(self) -> None:
        """Two blank lines before a top-level definition (none at the start)."""
        if self.body:
            self.body.extend(["", ""])

    # -- output
    def _import_lines(self) -> list[str]:
        groups: dict[int, list[str]] = {0: [], 1: [], 2: [], 3: []}
        for m in sorted(self.plain):
            groups[1 if m.split(".")[0] in THIRD_PARTY else 0].append(f"import {m}")
        # a route abandoned half-way may have asked for a name it did not use in the end
        used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", "\n".join(self.prelude + self.body + self.tail)))
        def order(mod: str) -> tuple[bool, int, str]:  # isort: absolute, then relative from the furthest
            rel = len(mod) - len(mod.lstrip("."))
            return rel > 0, -rel, mod.lstrip(".").lower()

        for m in sorted(self.froms, key=order):
            plain = sorted((n for a, n in self.froms[m].items() if a == n and a in used), key=_isort_key)
            aliased = sorted((f"{n} as {a}" for a, n in self.froms[m].items() if a != n and a in used),
                             key=_isort_key)
            top = m.split(".")[0]
            group = 3 if m.startswith(".") else 2 if top == PKG else 1 if top in THIRD_PARTY else 0
            statements = sorted(([plain] if plain else []) + [[x] for x in aliased], key=lambda ns: _isort_key(ns[0]))
            for names in statements:  # as-imports on their own (combine-as-imports off), in the order of names
                line = f"from {m} import {', '.join(names)}"
                if len(line) <= MAX_LINE:
                    groups[group].append(line)
                else:
                    groups[group].append(f"from {m} import (")
                    groups[group].extend(f"    {n}," for n in names)
                    groups[group].append(")")
        # plain imports first within the standard library group, as isort does with force_sort_within_sections off
        out: list[str] = []
        for g in (0, 1, 2, 3):
            if groups[g]:
                if out:
                    out.append("")
                out.extend(groups[g])
        return out

    def render(self) -> tuple[str, list[Bug]]:
        head = [f'"""{self.doc}"""']
        imports = self._import_lines()
        if imports:
            head += [""] + imports
        bugs: list[Bug] = []
        if self.prelude:
            head.append("")
            start = len(head)
            head += self.prelude
            for idx, code, note in self.prelude_bugs:
                bugs.append(Bug(self.path, start + idx + 1, code, note))
        if self.body:
            head += ["", ""]
        start = len(head)
        for idx, code, note in self.bugs:
            bugs.append(Bug(self.path, start + idx + 1, code, note))
        lines = head + self.body
        if self.tail:
            lines += [""] + self.tail
        return "\n".join(lines) + "\n", bugs


def _isort_key(name: str) -> tuple[int, str]:
    """isort's default order of imported names: CONSTANTS, Classes, functions."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[0].isupper() else 2
    return kind, name.lower()


def wrap_call(indent: str, prefix: str, callee: str, args: list[str], suffix: str = "") -> list[str]:
    """``{indent}{prefix}{callee}(args){suffix}``, wrapped with a hanging indent when too long."""
    one = f"{indent}{prefix}{callee}({', '.join(args)}){suffix}"
    if len(one) <= MAX_LINE:
        return [one]
    out = [f"{indent}{prefix}{callee}("]
    out += [f"{indent}    {a}," for a in args]
    out.append(f"{indent}){suffix}")
    return out


class Generator:
    def __init__(self, lines: int, seed: int) -> None:
        self.target = lines
        self.seed = seed
        self.rng = random.Random(seed)
        self.modules: list[Module] = []
        self.total = 0
        self.helpers: list[tuple[Module, list[Func]]] = []
        self.helper_domain: dict[str, str] = {}
        self.helper_layer: dict[str, int] = {}
        self.importers: dict[str, int] = {}  # helper module -> how many modules import it
        self.services: list[tuple[Module, str, list[Func]]] = []
        self.must_call: list[Func] = []  # service methods with a planted spawn bug: a view must call them
        self.tasks: list[Func] = []  # app-context Celery tasks (shared_task)
        self.blueprints: list[BlueprintPkg] = []
        self.command_modules: list[str] = []
        self.periodic_modules: list[str] = []
        self.used_names: dict[str, set[str]] = {}
        self.counts = {"helper": 0, "service": 0, "view": 0, "task": 0, "command": 0, "periodic": 0}
        self.kind_lines = dict.fromkeys(self.counts, 0)
        self.forced: set[str] = set()  # kinds that already planted their guaranteed bugs
        self._import_pairs: set[tuple[str, str]] = set()

    # ------------------------------------------------------------------ names
    def unique(self, scope: str, make) -> str:
        taken = self.used_names.setdefault(scope, set())
        for _ in range(50):
            name = make()
            if name not in taken:
                taken.add(name)
                return name
        n = 2
        base = make()
        while f"{base}{n}" in taken:
            n += 1
        taken.add(f"{base}{n}")
        return f"{base}{n}"

    def func_name(self, scope: str) -> str:
        r = self.rng
        return self.unique(scope, lambda: f"{r.choice(VERBS)}_{r.choice(NOUNS)}"
                           + (f"_{r.choice(QUALS)}" if r.random() < 0.5 else ""))

    def domain_for(self, index: int) -> str:
        base = DOMAINS[index % len(DOMAINS)]
        rnd = index // len(DOMAINS)
        return base if rnd == 0 else f"{base}{rnd + 1}"

    # ------------------------------------------------------------- statements
    def pure_statement(self, m: Module, ind: str, values: list[str], var: str) -> list[str]:
        r = self.rng
        a = r.choice(values)
        k = r.randrange(12)
        if k == 0:
            return [f"{ind}{var} = [str(x).strip() for x in ({a} or ())]"]
        if k == 1:
            m.imp("hashlib")
            return [f"{ind}{var} = hashlib.sha256(repr({a}).encode()).hexdigest()"]
        if k == 2:
            m.imp("json")
            return [f"{ind}{var} = json.dumps({a}, sort_keys=True, default=str)"]
        if k == 3:
            m.use("datetime", "datetime")
            m.use("datetime", "timezone")
            return [f"{ind}{var} = datetime.now(timezone.utc).isoformat()"]
        if k == 4:
            return [f"{ind}{var} = []",
                    f"{ind}for idx, item in enumerate({a} or ()):",
                    f"{ind}    if idx >= {r.choice([10, 20, 50, 100, 250])}:",
                    f"{ind}        break",
                    f"{ind}    {var}.append((idx, item))"]
        if k == 5:
            m.use("decimal", "Decimal")
            return [f'{ind}{var} = Decimal(str({a} or 0)).quantize(Decimal("0.01"))']
        if k == 6:
            log = m.logger()
            empty = r.choice(["0", "()", "{}", '""'])
            return [f"{ind}if {a} is None:",
                    f'{ind}    {log}.debug("%s: empty input", __name__)',
                    f"{ind}{var} = {a} if {a} is not None else {empty}"]
        if k == 7:
            m.use("collections", "Counter")
            return [f"{ind}{var} = Counter(str(x) for x in ({a} or ()))"]
        if k == 8:
            m.imp("re")
            return [f'{ind}{var} = re.sub(r"[^a-z0-9]+", "-", str({a}).lower())']
        if k == 9:
            m.imp("time")
            return [f"{ind}{var} = time.monotonic()"]
        if k == 10:
            b = r.choice(values)
            return [f'{ind}{var} = {{"{a}": {a}, "other": {b}}}']
        return [f"{ind}try:",
                f"{ind}    {var} = int({a})",
                f"{ind}except (TypeError, ValueError):",
                f"{ind}    {var} = 0"]

    def context_statement(self, m: Module, ind: str, var: str, kind: int) -> list[str]:
        """A statement reading a context local (or a guarded read, for kind NONE)."""
        r = self.rng
        if kind == REQ:
            req = m.flask("request")
            return [r.choice([
                f'{ind}{var} = {req}.headers.get("User-Agent", "unknown")',
                f'{ind}{var} = {req}.args.get("page", 1, type=int)',
                f"{ind}{var} = {req}.get_json(silent=True) or {{}}",
                f'{ind}{var} = {req}.remote_addr or "-"',
                f"{ind}{var} = {req}.path",
            ])]
        if kind == APP:
            which = r.randrange(3)
            if which == 0:
                return [f'{ind}{var} = {m.flask("current_app")}.config.get("PAGE_SIZE", 50)']
            if which == 1:
                return [f'{ind}{var} = {m.flask("g")}.get("user_id")']
            return [f'{ind}{var} = {m.flask("current_app")}.config["REGION"]']
        if r.random() < 0.5:
            hrc, req = m.flask("has_request_context"), m.flask("request")
            return [f"{ind}if {hrc}():",
                    f'{ind}    {var} = {req}.headers.get("X-Request-Id", "")',
                    f"{ind}else:",
                    f'{ind}    {var} = ""']
        hac, app = m.flask("has_app_context"), m.flask("current_app")
        return [f"{ind}if {hac}():",
                f'{ind}    {var} = {app}.config.get("CURRENCY", "EUR")',
                f"{ind}else:",
                f'{ind}    {var} = "EUR"']

    def call_expr(self, m: Module, f: Func, local_funcs: set[str]) -> str | None:
        """How module ``m`` calls the helper ``f`` (adding the import), or None if it cannot."""
        if f.module == m.dotted:
            return f.name if f.name in local_funcs else None
        target_pkg, _, target_mod = f.module.rpartition(".")
        own_pkg = m.dotted.rpartition(".")[0]
        r = self.rng.random()
        if r < 0.45:  # module import
            if target_pkg == own_pkg and self.rng.random() < 0.6:
                local = m.use(".", target_mod)
            else:
                local = m.use(target_pkg, target_mod)
                if local is None:
                    local = m.use(target_pkg, target_mod, f"{target_pkg.rpartition('.')[2]}_{target_mod}")
            if local is not None:
                self._imported(m, f.module)
                return f"{local}.{f.name}"
        if r < 0.75 and own_pkg.startswith(f"{PKG}.lib") and target_pkg.startswith(f"{PKG}.lib"):
            rel = f".{target_mod}" if target_pkg == own_pkg else f"..{target_pkg.rpartition('.')[2]}.{target_mod}"
            local = m.use(rel, f.name)
        else:
            local = m.use(f.module, f.name)
        if local is None:
            local = m.use(target_pkg, target_mod, f"{target_pkg.rpartition('.')[2]}_{target_mod}")
            if local is None:
                return None
            self._imported(m, f.module)
            return f"{local}.{f.name}"
        self._imported(m, f.module)
        return local

    def _imported(self, m: Module, target: str) -> None:
        key = (m.dotted, target)
        if key not in self._import_pairs:
            self._import_pairs.add(key)
            self.importers[target] = self.importers.get(target, 0) + 1

    def function_body(self, m: Module, ind: str, values: list[str], candidates: list[Func],
                      local_funcs: set[str], own: int, calls: int,
                      prefix_lines: list[str] | None = None, extra: tuple[str, ...] = (),
                      result_var: str | None = None) -> tuple[list[str], int]:
        """Statements and a return (or ``result_var = {...}``); the taint reached."""
        r = self.rng
        out = list(prefix_lines or [])
        taken = set(values) | set(extra)
        names = [v for v in VARS if v not in taken]
        r.shuffle(names)
        assigned: list[str] = list(extra)
        taint = NONE
        steps = ["p"] * r.randint(2, 4) + ["c"] * calls + (["x"] if own != -1 else [])
        r.shuffle(steps)
        for step in steps:
            var = names.pop()
            if step == "p":
                out += self.pure_statement(m, ind, values, var)
            elif step == "x":
                out += self.context_statement(m, ind, var, own)
                taint = max(taint, own)
            else:
                f = r.choice(candidates) if candidates else None
                expr = self.call_expr(m, f, local_funcs) if f is not None else None
                if expr is None:
                    out += self.pure_statement(m, ind, values, var)
                else:
                    args = [r.choice(values) for _ in f.params]
                    out += wrap_call(ind, f"{var} = ", expr, args)
                    taint = max(taint, f.taint)
            values = values + [var]
            assigned.append(var)
        lead = f"{result_var} = " if result_var else "return "
        if len(assigned) <= 2 and not result_var:
            out.append(f"{ind}return {', '.join(assigned)}")
        else:
            out.append(f"{ind}{lead}{{")
            out += [f'{ind}    "{v}": {v},' for v in assigned]
            out.append(f"{ind}}}")
        return out, taint

    def pick_own(self) -> int:
        x = self.rng.random()
        return REQ if x < 0.07 else APP if x < 0.17 else NONE if x < 0.30 else -1  # NONE: a guarded read

    # ---------------------------------------------------------------- helpers
    def gen_helper(self) -> Module:
        r = self.rng
        index = len(self.helpers)
        domain = self.domain_for(index // 12)
        name = self.unique(f"lib.{domain}", lambda: f"{r.choice(NOUNS)}_{r.choice(QUALS)}")
        m = Module(f"{PKG}.lib.{domain}.{name}", f"{domain.capitalize()}: {name.replace('_', ' ')} helpers.")
        self.helper_domain[m.dotted] = domain
        # Helper modules sit in layers (0: base utilities ... 5: composite helpers) and import a few earlier
        # modules of lower layers, mostly recent ones (the same area of the code), sometimes an older one:
        # call chains run up to six modules deep, as in a real code base, whatever the project's size.
        layer = 0 if not self.helpers else r.choice([0, 1, 1, 2, 2, 3, 3, 4, 5])
        self.helper_layer[m.dotted] = layer
        below = [h for h in self.helpers if self.helper_layer[h[0].dotted] < layer]
        recent, older = below[-40:], below[:-40]
        neighbours = r.sample(recent, min(len(recent), r.randint(1, 3))) if layer else []
        if layer and older and r.random() < 0.5:
            neighbours.append(r.choice(older))
        external = [f for mod, funcs in neighbours for f in funcs]
        funcs: list[Func] = []
        local: set[str] = set()
        for _ in range(r.randint(9, 13)):
            fname = self.func_name(m.dotted)
            while not m.free(fname):
                fname = self.func_name(m.dotted)
            m.define(fname)
            params = r.sample(PARAMS, r.randint(1, 3))
            own = self.pick_own()
            calls = r.choice([0, 0, 1, 1, 1, 2])
            cands = funcs + external
            if own in (NONE, -1) and cands and r.random() < 0.75:  # pure code mostly calls pure code
                pure = [f for f in cands if f.taint == NONE]
                cands = pure or cands
            body, taint = self.function_body(m, "    ", params, cands, local, own, calls)
            m.blank_top()
            m.add(f"def {fname}({', '.join(params)}):",
                  f'    """{fname.replace("_", " ").capitalize()}."""')
            m.add(*body)
            f = Func(m.dotted, fname, params, taint)
            funcs.append(f)
            local.add(fname)
        self.helpers.append((m, funcs))
        return m

    # --------------------------------------------------------------- services
    def all_helper_funcs(self, recent: int = 40) -> list[Func]:
        return [f for _, funcs in self.helpers[-recent:] for f in funcs]

    def gen_service(self) -> Module:
        r = self.rng
        noun = r.choice(NOUNS)
        name = self.unique("services", lambda: f"{noun}_{r.choice(QUALS)}")
        cls = "".join(p.capitalize() for p in name.split("_")) + "Service"
        m = Module(f"{PKG}.services.{name}", f"The {name.replace('_', ' ')} service.")
        m.define(cls)
        helpers = self.all_helper_funcs()
        cands = r.sample(helpers, min(len(helpers), 14))
        m.add(f"class {cls}:",
              f'    """{noun.capitalize()} operations used by the views and the tasks."""',
              "",
              "    def __init__(self, page_size=50, region=None):",
              "        self.page_size = page_size",
              "        self.region = region",
              "        self.cache = {}")
        methods: list[Func] = []
        force_bug = "service" not in self.forced
        for i in range(r.randint(5, 8)):
            mname = self.unique(m.dotted + "." + cls, lambda: f"{r.choice(VERBS)}_{r.choice(QUALS)}")
            params = r.sample(PARAMS, r.randint(1, 2))
            m.add("")
            m.add(f"    def {mname}(self, {', '.join(params)}):",
                  f'        """{mname.replace("_", " ").capitalize()}."""')
            pre: list[str] = []
            extra: list[str] = []
            taint = NONE
            if methods and r.random() < 0.5:
                other = r.choice(methods)
                args = [r.choice(params) for _ in other.params]
                pre += wrap_call("        ", "cached = ", f"self.{other.name.split('.')[1]}", args)
                extra.append("cached")
                taint = max(taint, other.taint)
            pure1 = [f for f in cands if f.taint == NONE and len(f.params) == 1]
            bug = None
            if i == 1 and (force_bug or r.random() < 0.10):
                req1 = [f for f in cands if f.taint == REQ and len(f.params) == 1] or \
                       [f for f in helpers if f.taint == REQ and len(f.params) == 1]
                if req1:
                    bug = req1[0]
            target = bug if bug is not None else r.choice(pure1) if pure1 and r.random() < 0.3 else None
            expr = self.call_expr(m, target, set()) if target is not None else None
            if expr is None:
                bug = None
            else:
                tpe = m.use("concurrent.futures", "ThreadPoolExecutor")
                p0 = params[0]
                pre.append(f"        with {tpe}(max_workers=4) as ex:")
                if bug is not None:
                    m.body.extend(pre)
                    pre = []
                    m.mark("CTX201", f"{cls}.{mname} submits {target.name}, which reads request")
                    self.forced.add("service")
                line = f"            futures = [ex.submit({expr}, x) for x in {p0}]"
                if len(line) <= MAX_LINE:
                    pre.append(line)
                else:
                    pre += [f"            futures = [ex.submit({expr}, x)", f"{' ' * 23}for x in {p0}]"]
                pre.append("        done = [f.result() for f in futures]")
                extra.append("done")
            body, t2 = self.function_body(m, "        ", params, cands, set(),
                                          self.pick_own() if r.random() < 0.3 else -1,
                                          r.choice([1, 1, 2]), pre, tuple(extra))
            m.add(*body)
            f = Func(m.dotted, f"{cls}.{mname}", params, max(taint, t2), cls)
            methods.append(f)
            if bug is not None:
                self.must_call.append(f)
        self.services.append((m, cls, methods))
        return m

    # ------------------------------------------------------------------ tasks
    def gen_task_module(self) -> Module:
        r = self.rng
        domain = self.domain_for(self.counts["task"])
        name = self.unique("tasks", lambda: f"{domain}_{r.choice(QUALS)}")
        m = Module(f"{PKG}.tasks.{name}", f"Celery tasks for {domain}; FlaskTask pushes an app context.")
        shared = m.use("celery", "shared_task")
        log = m.logger()
        helpers = self.all_helper_funcs(60)
        force = "task" not in self.forced
        for i in range(r.randint(5, 10)):
            tname = self.func_name(m.dotted)
            while not m.free(tname):
                tname = self.func_name(m.dotted)
            m.define(tname)
            params = r.sample(PARAMS, r.randint(1, 2))
            bug = (i == 0 and force) or r.random() < 0.03
            pool = [f for f in helpers if (f.taint == REQ) == bug]
            target = r.choice(pool) if pool else None
            expr = self.call_expr(m, target, set()) if target is not None else None
            bind = r.random() < 0.3
            m.blank_top()
            m.add(f"@{shared}(bind=True, max_retries=3)" if bind else f"@{shared}(ignore_result=True)")
            if bug and expr is not None:
                m.mark("CTX501", f"task {tname} reaches request through {target.name}")
                self.forced.add("task")
            m.add(f"def {tname}({'self, ' if bind else ''}{', '.join(params)}):",
                  f'    """{tname.replace("_", " ").capitalize()} in the worker."""',
                  f'    {log}.info("{tname} %s", {params[0]})')
            if expr is None:
                m.add(f"    return {params[0]}")
                self.tasks.append(Func(m.dotted, tname, params, NONE))
                continue
            args = [r.choice(params) for _ in target.params]
            if bind:
                m.add("    try:")
                m.add(*wrap_call("        ", "result = ", expr, args))
                m.add("    except (OSError, TimeoutError) as exc:",
                      "        raise self.retry(exc=exc, countdown=30) from exc",
                      "    return result")
            else:
                m.add(*wrap_call("    ", "return ", expr, args))
            self.tasks.append(Func(m.dotted, tname, params, target.taint))
        return m

    def gen_periodic_module(self) -> Module:
        """Periodic jobs on a plain Celery app: no Flask context at all."""
        r = self.rng
        name = self.unique("periodic", lambda: f"{r.choice(NOUNS)}_jobs")
        m = Module(f"{PKG}.periodic.{name}", "Periodic jobs; the scheduler runs them with no Flask context.")
        sched = m.use(f"{PKG}.periodic", "scheduler")
        helpers = self.all_helper_funcs(80)
        force = "periodic" not in self.forced
        for i in range(r.randint(4, 8)):
            jname = self.func_name(m.dotted)
            while not m.free(jname):
                jname = self.func_name(m.dotted)
            m.define(jname)
            want = NONE
            if force and i < 2:
                want = REQ if i == 0 else APP
            elif r.random() < 0.05:
                want = r.choice([REQ, APP])
            pool = [f for f in helpers if f.taint == want]
            target = r.choice(pool) if pool else None
            expr = self.call_expr(m, target, set()) if target is not None else None
            m.blank_top()
            m.add(f'@{sched}.scheduled_job("interval", minutes={r.choice([5, 15, 30, 60])})')
            if want != NONE and expr is not None:
                code = "CTX301" if want == REQ else "CTX302"
                m.mark(code, f"periodic job {jname} reaches {'request' if want == REQ else 'an app local'}")
                self.forced.add("periodic")
            m.add(f"def {jname}():", f'    """{jname.replace("_", " ").capitalize()}, every hour."""')
            if expr is None:
                m.add("    return None")
                continue
            args = [repr(r.choice(["all", "daily", "eu", 100])) for _ in target.params]
            m.add(*wrap_call("    ", "return ", expr, args))
        self.periodic_modules.append(m.dotted)
        return m

    # --------------------------------------------------------------- commands
    def gen_command_module(self) -> Module:
        r = self.rng
        domain = self.domain_for(len(self.command_modules))
        name = self.unique("commands", lambda: domain)
        m = Module(f"{PKG}.commands.{name}", f"``flask {name} ...`` commands for operators.")
        click = m.imp("click")
        grp = m.use("flask.cli", "AppGroup")
        m.prelude.append(f'group = {grp}("{name}", help="{domain.capitalize()} maintenance.")')
        m.define("group")
        helpers = self.all_helper_funcs(60)
        force = "command" not in self.forced
        for i in range(r.randint(4, 9)):
            cname = self.func_name(m.dotted)
            while not m.free(cname):
                cname = self.func_name(m.dotted)
            m.define(cname)
            bug = (i == 0 and force) or r.random() < 0.03
            pool = [f for f in helpers if (f.taint == REQ) == bug]
            target = r.choice(pool) if pool else None
            expr = self.call_expr(m, target, set()) if target is not None else None
            m.blank_top()
            m.add(f'@group.command("{cname.replace("_", "-")}")',
                  f'@{click}.option("--limit", default=100, show_default=True)')
            if bug and expr is not None:
                m.mark("CTX501", f"command {cname} reaches request through {target.name}")
                self.forced.add("command")
            m.add(f"def {cname}(limit):", f'    """{cname.replace("_", " ").capitalize()}."""')
            if expr is None:
                m.add(f'    {click}.echo(f"nothing to do (limit {{limit}})")')
                continue
            args = ["limit" for _ in target.params]
            m.add(*wrap_call("    ", "result = ", expr, args))
            m.add(f'    {click}.echo(f"done: {{result!r}}")')
        self.command_modules.append(m.dotted)
        return m

    # ------------------------------------------------------------------ views
    def gen_view_module(self) -> list[Module]:
        r = self.rng
        made: list[Module] = []
        if not self.blueprints or len(self.blueprints[-1].views) >= self.blueprints[-1].size:
            bname = self.domain_for(len(self.blueprints))
            self.blueprints.append(BlueprintPkg(bname, f"{PKG}.blueprints.{bname}", [], r.randint(2, 5)))
        bname, views = self.blueprints[-1].name, self.blueprints[-1].views
        vname = self.unique(f"bp.{bname}", lambda: f"{r.choice(NOUNS)}_views")
        views.append(vname)
        m = Module(f"{PKG}.blueprints.{bname}.{vname}", f"{bname.capitalize()}: {vname.replace('_', ' ')}.")
        bp = m.use(".blueprint", "bp")
        assert bp
        first = "view" not in self.forced
        helpers = self.all_helper_funcs(50)
        services = self.services[-6:]
        tasks = [t for t in self.tasks[-20:]]
        if first or r.random() < 0.02:
            app = m.flask("current_app")
            m.mark_prelude("CTX101", "config read at import time")
            m.prelude.append(f'PAGE_SIZE = {app}.config.get("PAGE_SIZE", 50)')
            m.define("PAGE_SIZE")
        if len(views) == 1:
            sess, gg = m.flask("session"), m.flask("g")
            m.define("load_user")
            m.add(f"@{bp}.before_request", "def load_user():", f'    {gg}.user_id = {sess}.get("user_id")')
        kinds = ["read", "read", "submit", "submit", "stream", "app_worker", "copy_ctx", "enqueue", "service"]
        plan = [r.choice(kinds) for _ in range(r.randint(5, 8))]
        if first:
            plan = ["submit:CTX201", "submit:CTX202", "submit:CTX203", "stream:CTX401"] + plan
        while self.must_call:
            self.view_route(m, bp, "must", helpers, services, tasks, self.must_call.pop())
        for kind in plan:
            self.view_route(m, bp, kind, helpers, services, tasks, None)
        if first:
            self.forced.add("view")
        made.append(m)
        return made

    def route_head(self, m: Module, bp: str, word: str, method: str = "GET") -> tuple[str, str]:
        noun = self.rng.choice(NOUNS)
        fname = self.unique(m.dotted, lambda: f"{self.rng.choice(ROUTE_WORDS)}_{noun}")
        while not m.free(fname):
            fname = self.unique(m.dotted, lambda: f"{self.rng.choice(ROUTE_WORDS)}_{noun}")
        m.define(fname)
        url = f"/{noun}{'es' if noun.endswith('s') else 's'}/<int:item_id>/{fname.split('_')[0]}"
        m.blank_top()
        if method == "GET":
            m.add(f'@{bp}.get("{url}")')
        else:
            m.add(f'@{bp}.route("{url}", methods=["{method}"])')
        m.add(f"def {fname}(item_id):")
        return fname, noun

    def view_route(self, m: Module, bp: str, kind: str, helpers: list[Func], services, tasks,
                   must: Func | None) -> None:
        r = self.rng
        kind, _, forced = kind.partition(":")
        req = m.flask("request")
        jsonify = m.flask("jsonify")
        if kind == "must" and must is not None:
            svc_mod = must.module
            cls = must.cls
            local = m.use(svc_mod, cls)
            if local is None:
                return
            self.route_head(m, bp, "run", "POST")
            m.add(f'    value = {req}.args.get("value", "")',
                  f"    service = {local}()")
            m.add(*wrap_call("    ", "result = ", f"service.{must.name.split('.')[1]}",
                             ["[value, item_id]" for _ in must.params]))
            m.add(f"    return {jsonify}(result=result, id=item_id)")
            return
        if kind == "read":
            self.route_head(m, bp, "show")
            pre = [f'    limit = {req}.args.get("limit", 20, type=int)',
                   f'    key = {req}.args.get("key", "")']
            body, _ = self.function_body(m, "    ", ["item_id", "limit", "key"], helpers, set(),
                                         -1, r.choice([1, 2, 2, 3]), pre, ("limit", "key"), "data")
            m.add(*body)
            m.add(f"    return {jsonify}(data)")
            return
        if kind == "service" and services:
            smod, cls, methods = r.choice(services)
            local = m.use(smod.dotted, cls)
            if local is None:
                return
            meth = r.choice(methods)
            self.route_head(m, bp, "summary")
            m.add(f'    region = {req}.args.get("region", "eu")',
                  f"    service = {local}(region=region)")
            m.add(*wrap_call("    ", "data = ", f"service.{meth.name.split('.')[1]}",
                             [r.choice(["item_id", "region"]) for _ in meth.params]))
            m.add(f"    return {jsonify}(data=data, id=item_id)")
            return
        if kind == "enqueue" and tasks:
            t = r.choice(tasks)
            local = self.call_expr(m, t, set())
            if local is None:
                return
            self.route_head(m, bp, "sync", "POST")
            args = ["item_id"] + [f'{req}.form.get("{p}")' for p in t.params[1:]]
            if r.random() < 0.03:
                args[0] = req
                m.mark("CTX203", f"hands the request proxy to task {t.name}")
            m.add(*wrap_call("    ", "job = ", f"{local}.delay", args))
            m.add(f"    return {jsonify}(job=job.id), 202")
            return
        if kind in ("submit", "app_worker", "copy_ctx"):
            pool = m.use(f"{PKG}.extensions", "pool")
            if pool is None:
                return
        if kind == "submit":
            want = None
            if forced:
                want = forced
            elif r.random() < 0.04:
                want = r.choice(["CTX201", "CTX201", "CTX202", "CTX203"])
            if want in ("CTX201", "CTX202"):
                cands = [f for f in helpers if f.taint == (REQ if want == "CTX201" else APP)]
            else:
                cands = [f for f in helpers if f.taint == NONE]
            if not cands:
                return
            target = r.choice(cands)
            expr = self.call_expr(m, target, set())
            if expr is None:
                return
            self.route_head(m, bp, "export", "POST")
            args = [f'payload.get("{p}")' for p in target.params]
            if want == "CTX203":
                args[0] = req
            if any(a.startswith("payload") for a in args):
                m.add(f"    payload = {req}.get_json(silent=True) or {{}}")
            if want:
                m.mark(want, f"pool.submit({target.name})")
            m.add(*wrap_call("    ", "future = ", f"{pool}.submit", [expr] + args))
            m.add(f'    return {jsonify}(queued=future.running(), id=item_id), 202')
            return
        if kind == "app_worker":
            cands = [f for f in helpers if f.taint == APP]
            if not cands:
                return
            target = r.choice(cands)
            expr = self.call_expr(m, target, set())
            if expr is None:
                return
            wname = self.unique(m.dotted, lambda: f"_{target.name.split('.')[-1]}_in_app")
            m.define(wname)
            params = ["app"] + target.params
            m.blank_top()
            m.add(f"def {wname}({', '.join(params)}):",
                  '    """Runs in the pool, inside its own application context."""',
                  "    with app.app_context():")
            m.add(*wrap_call("        ", "return ", expr, target.params))
            app = m.flask("current_app")
            self.route_head(m, bp, "refresh", "POST")
            args = [f"{app}._get_current_object()"] + [f'{req}.args.get("{p}")' for p in target.params]
            m.add(*wrap_call("    ", "future = ", f"{pool}.submit", [wname] + args))
            m.add(f'    return {jsonify}(queued=future.running(), id=item_id), 202')
            return
        if kind == "copy_ctx":
            cands = [f for f in helpers if f.taint == REQ]
            if not cands:
                return
            target = r.choice(cands)
            expr = self.call_expr(m, target, set())
            if expr is None:
                return
            cc = m.flask("copy_current_request_context")
            self.route_head(m, bp, "check", "POST")
            m.add(f"    @{cc}",
                  "    def work():")
            m.add(*wrap_call("        ", "return ", expr, ["item_id" for _ in target.params]))
            m.add("",
                  f"    future = {pool}.submit(work)",
                  f'    return {jsonify}(queued=future.running(), id=item_id), 202')
            return
        if kind == "stream":
            resp = m.flask("Response")
            bug = forced == "CTX401" or (not forced and r.random() < 0.04)
            tainted = bug or r.random() < 0.4
            cands = [f for f in helpers if (f.taint != NONE) == tainted]
            if not cands:
                return
            target = r.choice(cands)
            expr = self.call_expr(m, target, set())
            if expr is None:
                return
            self.route_head(m, bp, "export")
            m.add(f'    rows = {req}.args.getlist("row")',
                  "",
                  "    def generate():",
                  '        yield "id,value\\n"',
                  "        for row in rows:")
            m.add(*wrap_call("            ", "value = ", expr, ["row"] * len(target.params)))
            m.add('            yield f"{row},{value}\\n"', "")
            if tainted and not bug:
                swc = m.flask("stream_with_context")
                m.add(f'    body = {swc}(generate())',
                      f'    return {resp}(body, mimetype="text/csv")')
            else:
                if bug:
                    m.mark("CTX401", f"streams a body that reaches a context local via {target.name}")
                    self.forced.add("stream")
                m.add(f'    return {resp}(generate(), mimetype="text/csv")')
            return

    # ------------------------------------------------------------ fixed files
    def fixed_files(self) -> list[tuple[str, str]]:
        files: list[tuple[str, str]] = []
        files.append(("pyproject.toml",
                      '[project]\nname = "shopfront"\nversion = "1.0.0"\nrequires-python = ">=3.9"\n'
                      'dependencies = ["flask>=2.3", "celery>=5.3", "click>=8", "apscheduler>=3.10"]\n'
                      '\n[tool.ruff]\nline-length = 79\n'))
        files.append(("wsgi.py", f'"""WSGI entry point: ``gunicorn wsgi:app``."""\nfrom {PKG} import create_app\n\n'
                                 "app = create_app()\n"))
        files.append(("celery_worker.py",
                      f'"""Worker entry point: ``celery -A celery_worker worker``."""\nfrom {PKG} import create_app\n\n'
                      'flask_app = create_app()\ncelery_app = flask_app.extensions["celery"]\n'))
        files.append((dotted_path(PKG, True), f'''"""Shopfront: the web shop's back office and storefront API."""
from flask import Flask

from .blueprints import register_blueprints
from .commands import register_commands
from .extensions import celery_init_app


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object("{PKG}.config.Config")
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.update(test_config)
    celery_init_app(app)
    register_blueprints(app)
    register_commands(app)
    return app
'''))
        files.append((dotted_path(f"{PKG}.config"), '''"""Default settings; the environment overrides them (FLASK_*)."""
import os
from typing import ClassVar


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev")
    PAGE_SIZE = 50
    REGION = "eu"
    CURRENCY = "EUR"
    CELERY: ClassVar[dict[str, object]] = {
        "broker_url": os.environ.get("BROKER_URL", "redis://localhost"),
        "result_backend": os.environ.get("RESULT_URL", "redis://localhost"),
        "task_ignore_result": True,
    }
'''))
        files.append((dotted_path(f"{PKG}.extensions"), '''\
"""Extensions shared by the app factory, the views and the workers."""
from concurrent.futures import ThreadPoolExecutor

from celery import Celery, Task
from flask import Flask

pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="shopfront")


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
'''))
        for sub, doc in (("lib", "Helpers shared by the views, services and tasks."),
                         ("services", "Service classes."), ("tasks", "Celery tasks (app context).")):
            files.append((dotted_path(f"{PKG}.{sub}", True), f'"""{doc}"""\n'))
        domains = sorted({d for d in self.helper_domain.values()})
        for d in domains:
            files.append((dotted_path(f"{PKG}.lib.{d}", True), f'"""{d.capitalize()} helpers."""\n'))
        # blueprints
        for b in self.blueprints:
            bname, views = b.name, b.views
            files.append((dotted_path(f"{b.dotted}.blueprint"),
                          f'"""The {bname} blueprint object."""\nfrom flask import Blueprint\n\n'
                          f'bp = Blueprint("{bname}", __name__, url_prefix="/{bname}")\n'))
            views = sorted(views)
            text = f'"""The {bname} blueprint and its views."""\n'
            imp = f"from . import {', '.join(views)}"
            if len(imp) > MAX_LINE:
                imp = "from . import (\n" + "".join(f"    {v},\n" for v in views) + ")"
            text += imp + "\nfrom .blueprint import bp\n\n"
            tup = f"VIEWS = ({', '.join(views)}{',' if len(views) == 1 else ''})"
            if len(tup) > MAX_LINE:
                tup = "VIEWS = (\n" + "".join(f"    {v},\n" for v in views) + ")"
            text += tup + '\n__all__ = ["VIEWS", "bp"]\n'
            files.append((dotted_path(b.dotted, True), text))
        names = sorted(b.name for b in self.blueprints)
        text = '"""Every blueprint of the application."""\nfrom flask import Flask\n\n'
        text += "from . import (\n" + "".join(f"    {n},\n" for n in names) + ")\n\n"
        text += "BLUEPRINTS = (\n" + "".join(f"    {n}.bp,\n" for n in names) + ")\n\n\n"
        text += ("def register_blueprints(app: Flask) -> None:\n    for bp in BLUEPRINTS:\n"
                 "        app.register_blueprint(bp)\n")
        files.append((dotted_path(f"{PKG}.blueprints", True), text))
        cmds = sorted(c.rpartition(".")[2] for c in self.command_modules)
        text = ('"""CLI command groups, registered on ``app.cli``."""\nimport click\nfrom flask import Flask\n'
                "from flask.cli import with_appcontext\n\n")
        if cmds:
            text += "from . import (\n" + "".join(f"    {n},\n" for n in cmds) + ")\n\n"
        text += "GROUPS = (\n" + "".join(f"    {n}.group,\n" for n in cmds) + ")\n\n\n"
        text += ('@click.command("check-config")\n@with_appcontext\ndef check_config():\n'
                 '    """Print the settings that matter."""\n    click.echo("ok")\n\n\n'
                 "def register_commands(app: Flask) -> None:\n    for group in GROUPS:\n"
                 "        app.cli.add_command(group)\n    app.cli.add_command(check_config)\n")
        files.append((dotted_path(f"{PKG}.commands", True), text))
        files.append((dotted_path(f"{PKG}.periodic", True), '''\
"""Periodic jobs, run by ``python scheduler_main.py`` (no Flask context)."""
from apscheduler.schedulers.background import BackgroundScheduler

scheduler = BackgroundScheduler(timezone="UTC")
'''))
        jobs = sorted(p.rpartition(".")[2] for p in self.periodic_modules)
        text = ('"""The scheduler process: ``python scheduler_main.py``."""\nimport time\n\n'
                f"from {PKG}.periodic import (\n" + "".join(f"    {j},\n" for j in sorted(jobs + ["scheduler"]))
                + ")\n\n"
                "# importing the job modules registers their jobs\n"
                "JOBS = (\n" + "".join(f"    {j},\n" for j in jobs) + ")\n")
        text += ("\n\ndef main():\n    scheduler.start()\n    while True:\n        time.sleep(60)\n\n\n"
                 'if __name__ == "__main__":\n    main()\n')
        files.append(("scheduler_main.py", text))
        return files

    # ------------------------------------------------------------------- main
    SHARES = {"helper": 0.50, "service": 0.17, "view": 0.24, "task": 0.04, "command": 0.03, "periodic": 0.02}
    START = ["helper", "helper", "helper", "helper", "service", "task", "view", "command", "periodic"]

    def build(self) -> tuple[dict[str, str], list[Bug]]:
        rendered: dict[str, str] = {}
        bugs: list[Bug] = []
        step = 0
        fixed_estimate = 120
        while True:
            if step < len(self.START):
                kind = self.START[step]
            else:
                if self.total + fixed_estimate >= self.target:
                    break
                total = max(self.total, 1)
                kind = min(self.SHARES, key=lambda k: self.kind_lines[k] / total - self.SHARES[k])
            step += 1
            gen = {"helper": self.gen_helper, "service": self.gen_service, "task": self.gen_task_module,
                   "command": self.gen_command_module, "periodic": self.gen_periodic_module}.get(kind)
            mods = [gen()] if gen is not None else self.gen_view_module()
            self.counts[kind] += 1
            for m in mods:
                text, mbugs = m.render()
                rendered[m.path] = text
                bugs += mbugs
                n = text.count("\n")
                self.total += n
                self.kind_lines[kind] += n
            fixed_estimate = 120 + 13 * len(self.blueprints) + 2 * len(self.command_modules) + \
                2 * len(self.periodic_modules) + len(self.helpers) // 12
        while self.must_call:  # a service spawn bug no view calls yet
            self.forced.add("view")
            for m in self.gen_view_module():
                text, mbugs = m.render()
                rendered[m.path] = text
                bugs += mbugs
        for path, text in self.fixed_files():
            rendered[path] = text
        return rendered, bugs


def generate(out: str, lines: int, seed: int = 1, clean: bool = True) -> dict:
    """Write the project into ``out``; return the manifest (also written to ``out/MANIFEST``)."""
    started = time.perf_counter()
    gen = Generator(lines, seed)
    files, bugs = gen.build()
    if clean and os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)
    total = 0
    for rel in sorted(files):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(files[rel])
        if rel.endswith(".py"):
            total += files[rel].count("\n")
    helpers = sorted((mod for mod in gen.importers if mod in gen.helper_domain),
                     key=lambda mod: (-gen.importers[mod], mod))
    # the longest chain of helper modules importing helper modules
    deps: dict[str, list[str]] = {}
    for src, dst in gen._import_pairs:
        if src in gen.helper_domain and dst in gen.helper_domain:
            deps.setdefault(src, []).append(dst)
    depth: dict[str, int] = {}
    for mod, _ in gen.helpers:  # in creation order: a module only imports earlier ones
        depth[mod.dotted] = 1 + max((depth[d] for d in deps.get(mod.dotted, ())), default=0)
    taints = [f.taint for _, funcs in gen.helpers for f in funcs]
    touch = dotted_path(helpers[0]) if helpers else dotted_path(gen.helpers[0][0].dotted)
    manifest = {
        "seed": seed,
        "target_lines": lines,
        "lines": total,
        "files": sum(1 for rel in files if rel.endswith(".py")),
        "modules": dict(gen.counts),
        "blueprints": len(gen.blueprints),
        "helper_functions": {"pure": taints.count(NONE), "app": taints.count(APP), "request": taints.count(REQ)},
        "helper_chain_depth": max(depth.values(), default=0),
        "touch": touch.replace(os.sep, "/"),
        "touch_importers": gen.importers.get(helpers[0], 0) if helpers else 0,
        "bugs": [{"path": b.path.replace(os.sep, "/"), "line": b.line, "code": b.code, "note": b.note}
                 for b in sorted(bugs, key=lambda b: (b.path, b.line, b.code))],
    }
    with open(os.path.join(out, MANIFEST), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    manifest["seconds"] = round(time.perf_counter() - started, 2)  # not in the file: that stays deterministic
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lines", type=int, default=50_000, help="approximate size in lines of Python (default 50000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True, help="directory to write the project into (replaced if it exists)")
    opts = p.parse_args(argv)
    m = generate(opts.out, opts.lines, opts.seed)
    codes: dict[str, int] = {}
    for b in m["bugs"]:
        codes[b["code"]] = codes.get(b["code"], 0) + 1
    print(f"{opts.out}: {m['lines']} lines in {m['files']} files, {m['blueprints']} blueprints, "
          f"{len(m['bugs'])} planted bugs {dict(sorted(codes.items()))}, in {m['seconds']}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
