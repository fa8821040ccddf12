"""Import time: CTX101, a context local evaluated when the module is imported (module level, class
bodies, decorator arguments, default values, ``__main__`` blocks).

The fix is a suggestion naming what to move where.  Import-time roots also describe
CTX501 findings of code imported inside ``with app.app_context():``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis.actions import Use
from ..analysis.roots import Root
from ..analysis.values import short_name
from ..findings import Finding, Step
from ..fixing import SUGGESTION, Fix, NoFix
from ..knowledge import base as K
from .base import APP_ERROR_TEXT, REQUEST_ERROR_TEXT, Boundary, Rule

if TYPE_CHECKING:
    from ..propagate import Outcome
    from ..rewrite import FixContext


class ImportTime(Rule):
    code = "CTX101"
    name = "context-local-at-import-time"
    summary = ("a context local is evaluated at import time (module level, class bodies, decorator arguments, "
               "default values, `__main__` blocks)")
    reported_at = "the access, or the module-level call that reaches it"
    why = ("Module-level code, class bodies, decorator arguments and default argument values run once, when the "
           "module is imported: before the application has handled a request and, unless the import happens "
           "inside `with app.app_context():`, without an application context either. The import fails, so the "
           "worker or the `flask` command never starts. `current_app`, `g` and the functions that need the "
           "application raise the second error below, `request`, `session` and the request-bound functions the "
           "first.")
    errors = (REQUEST_ERROR_TEXT, APP_ERROR_TEXT)
    example = ("from flask import current_app\n\n"
               "PAGE_SIZE = current_app.config[\"PAGE_SIZE\"]\n\n\n"
               "def list_orders():\n"
               "    return Order.query.limit(PAGE_SIZE).all()")
    fixed = ("from flask import current_app\n\n\n"
             "def list_orders():\n"
             "    page_size = current_app.config[\"PAGE_SIZE\"]\n"
             "    return Order.query.limit(page_size).all()")
    hint = "move the access into a function that runs during a request (or inside `with app.app_context():`)"

    @classmethod
    def hint_for(cls, root: Root, use: Use) -> str:
        if is_extension_construction(use.text):
            return EXTENSION_HINT
        if use.needs == K.NEEDS_REQUEST:
            return "move the access into a function that runs during a request"
        return cls.hint

    @staticmethod
    def fix(f: Finding, ctx: FixContext) -> Fix:
        return suggest_import_time(f, ctx)


RULES = (ImportTime,)

# an extension constructed with the application proxy (``Cache(current_app)``: knowledge.extension_apps)
EXTENSION_HINT = "construct the extension without the app and call its init_app(app) in the app factory"


def is_extension_construction(text: str) -> bool:
    return text.endswith("current_app)")


class ImportBoundary(Boundary):
    kinds = ("import",)

    def step(self, root: Root, outcome: Outcome) -> Step:
        why = "" if root.label == "module" else f" ({root.label})"
        return Step(root.path, root.pos[0], short_name(root.func), "runs at import time" + why)

    def subject(self, root: Root, rule: type[Rule], functions: list[str], reached: str) -> str:
        if len(functions) == 1:
            return f"{reached.split(' (')[0]} is evaluated at import time"
        return f"module-level call to {short_name(functions[1])}() reaches {reached} at import time"

    def shown(self, root: Root, names: list[str]) -> list[str]:
        return names[1:]  # the subject names the module-level call


BOUNDARIES = (ImportBoundary(),)


# ---- the fix ---------------------------------------------------------------------------------------
# (the rewriting library, and libcst, are imported when a fix is made: the engine never needs them)

def suggest_import_time(f: Finding, ctx: FixContext) -> Fix:
    import libcst as cst

    from ..rewrite import statement_at

    use = f"`{f.uses[0][5]}`" if f.uses else "the context local"
    where = f"line {f.line}"
    try:
        u = ctx.unit(f.path)
    except NoFix:
        return Fix(SUGGESTION, f"move {use} at {where} into a function that runs during a request")
    nodes = u.starting_at(f.line, f.column - 1)
    node = nodes[0] if nodes else None
    if node is not None:
        for a in u.ancestors(node):
            if isinstance(a, cst.Param):
                fn = u.enclosing_function(a) or u.up(u.up(a) or a)
                name = fn.name.value if isinstance(fn, cst.FunctionDef) else "the function"
                return Fix(SUGGESTION, f"the default of `{a.name.value}` ({where}) is evaluated at import time: "
                                       f"default it to None and read {use} inside {name}()")
            if isinstance(a, cst.Decorator):
                fn = u.up(a)
                name = fn.name.value if isinstance(fn, (cst.FunctionDef, cst.ClassDef)) else "the function"
                return Fix(SUGGESTION, f"the decorator argument at {where} is evaluated at import time: read {use} "
                                       f"inside {name}() instead (or configure the decorator from the app factory)")
            if isinstance(a, cst.ClassDef):
                return Fix(SUGGESTION, f"the class body of {a.name.value} runs at import time: move {use} ({where}) "
                                       f"into a method or property of {a.name.value}")
            if isinstance(a, cst.If) and "__main__" in u.code(a.test):
                return Fix(SUGGESTION, f"wrap the code at {where} in `with app.app_context():` (it runs as a "
                                       f"script, with no context)")
        stmt = statement_at(u, f.line, f.column - 1)
        if f.uses and is_extension_construction(f.uses[0][5]) and isinstance(stmt, cst.Assign) \
                and len(stmt.targets) == 1 and isinstance(stmt.targets[0].target, cst.Name):
            var = stmt.targets[0].target.value
            return Fix(SUGGESTION, f"`{var}` ({where}) is constructed at import time with the current_app proxy: "
                                   f"construct it without the app and call `{var}.init_app(app)` in the app factory")
        if isinstance(stmt, (cst.Assign, cst.AnnAssign)) and stmt.value is not None:
            targets = [t.target for t in stmt.targets] if isinstance(stmt, cst.Assign) else [stmt.target]
            if len(targets) == 1 and isinstance(targets[0], cst.Name):
                var = targets[0].value
                func = var.lower() if var.isupper() else f"get_{var}"
                return Fix(SUGGESTION, f"`{var}` ({where}) is computed at import time from {use}: turn it into a "
                                       f"function, `def {func}(): return {u.code(stmt.value)}`, and call it where "
                                       f"`{var}` is used (or compute it inside `with app.app_context():` in the app "
                                       f"factory)")
        if f.uses and f.uses[0][6].split(":")[-1] != "<module>":
            callee = short_name(f.uses[0][6]) if len(f.trace) <= 2 else f.trace[1].note.replace("calls ", "")
            return Fix(SUGGESTION, f"the module-level call at {where} runs at import time and reaches {use} "
                                   f"({f.uses[0][0]}:{f.uses[0][1]}): call {callee.rstrip('()')}() from the view or "
                                   f"function that needs it, or inside `with app.app_context():`")
    return Fix(SUGGESTION, f"move {use} at {where} into a function that runs during a request (or inside "
                           f"`with app.app_context():`)")
