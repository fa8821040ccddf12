"""Fixes at a spawn call: find the call and its target, and move the reads of request data out of the
worker into the code that starts it (CTX201, CTX202).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from .analysis.values import short_name
from .findings import Finding
from .fixing import SAFE, UNSAFE, Fix, NoFix, target_name, worker_label
from .rewrite import (
    Change,
    FixContext,
    Unit,
    adds_kwonly,
    all_names,
    append_items,
    becomes,
    fresh_name,
    last_name,
    param_list,
    preorder,
)

# ---- the spawn site ---------------------------------------------------------------------------

@dataclass
class Spawn:
    unit: Unit
    call: cst.Call
    arg: cst.Arg | None  # the argument holding the target
    partial: cst.Call | None  # functools.partial(target, ...) holding it
    lam: cst.Lambda | None  # a lambda target written in the call
    target_name: str

    @property
    def callee(self) -> str:
        return last_name(self.call.func)

    def statement(self) -> tuple[cst.CSTNode, cst.CSTNode]:
        """The statement the spawn call is evaluated in, and its block."""
        u = self.unit
        node: cst.CSTNode = self.call
        for a in u.ancestors(self.call):
            if isinstance(a, (cst.Lambda, cst.FunctionDef, cst.ClassDef, cst.ListComp, cst.SetComp, cst.DictComp,
                              cst.GeneratorExp)):
                raise NoFix(f"the call at {u.path}:{u.line_of(self.call)} is not a statement of its own")
            if isinstance(a, (cst.IndentedBlock, cst.Module)):
                return node, a
            if isinstance(a, cst.SimpleStatementSuite):
                raise NoFix(f"the call at {u.path}:{u.line_of(self.call)} shares its line with a compound statement")
            node = a
        raise NoFix("no statement")

    def function(self) -> cst.FunctionDef | None:
        return self.unit.enclosing_function(self.call)


_LAMBDA = re.compile(r"<lambda:(\d+):(\d+)>$")
_THREAD_CLASSES = ("Thread", "Timer", "Process")
_FORWARDS_KWARGS = ("submit", "spawn", "spawn_later", "spawn_n", "spawn_after", "start_background_task")
# parameters of the spawners whose extra keyword arguments go to the target (submit, spawn, start_background_task)
SPAWN_KEYWORDS = frozenset({"fn", "func", "target", "run", "seconds"})


def spawn_site(f: Finding, ctx: FixContext) -> Spawn:
    u = ctx.unit(f.path)
    name = target_name(f)
    lam_at = _LAMBDA.match(name)
    calls = [n for n in u.starting_at(f.line, f.column - 1) if isinstance(n, cst.Call)]
    if not calls:
        raise NoFix(f"no call at {f.path}:{f.line}:{f.column}")
    for call in reversed(calls):  # innermost first: Thread(...) before Thread(...).start()
        for arg in call.args:
            v = arg.value
            if lam_at and isinstance(v, cst.Lambda) and u.range(v)[:2] == (int(lam_at[1]), int(lam_at[2])):
                return Spawn(u, call, arg, None, v, name)
            if name and last_name(v) == name:
                return Spawn(u, call, arg, None, None, name)
            if (isinstance(v, cst.Call) and last_name(v.func) == "partial" and v.args
                    and last_name(v.args[0].value) == name and name):
                return Spawn(u, call, arg, v, None, name)
    return Spawn(u, calls[-1], None, None, None, name)


def pass_values(spawn: Spawn, ch: Change, pairs: list[tuple[str, cst.BaseExpression]]) -> str:
    """Hand ``name=value`` pairs to the target at the spawn call; returns how, for the message."""
    if spawn.arg is None:
        raise NoFix("the target is not an argument of the call")
    kws = [cst.Arg(value=v, keyword=cst.Name(n), equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))) for n, v in pairs]
    if spawn.partial is not None:
        ch.sub(spawn.partial, lambda c: c.with_changes(args=append_items(list(c.args), kws)))
        return "keyword arguments of functools.partial"
    positional = sum(1 for a in spawn.call.args if a.keyword is None and not a.star)
    if spawn.callee in _THREAD_CLASSES and positional < (4 if spawn.callee == "Timer" else 5):
        existing = next((a for a in spawn.call.args if a.keyword is not None and a.keyword.value == "kwargs"), None)
        elems = [cst.DictElement(cst.SimpleString(f'"{n}"'), v) for n, v in pairs]
        if existing is None:
            ch.sub(spawn.call, lambda c: c.with_changes(args=append_items(list(c.args), [cst.Arg(
                value=cst.Dict(elems), keyword=cst.Name("kwargs"), equal=kws[0].equal)])))
            return "kwargs="
        if isinstance(existing.value, cst.Dict):
            ch.sub(existing.value, lambda d: d.with_changes(elements=append_items(
                list(d.elements), elems, d.lbrace.whitespace_after)))
            return "kwargs="
    elif spawn.callee in _FORWARDS_KWARGS and spawn.arg.keyword is None and spawn.lam is None:
        ch.sub(spawn.call, lambda c: c.with_changes(args=append_items(list(c.args), kws)))
        return "keyword arguments"
    partial = ch.functools_partial()
    target = spawn.arg.value
    ch.sub(target, lambda t: cst.Call(cst.parse_expression(partial), [cst.Arg(t.with_changes(
        lpar=[], rpar=[]) if isinstance(t, cst.Name) else t)] + kws))
    return partial


# ---- reads that can be made in the caller ------------------------------------------------------

_READ_METHODS = frozenset({"get", "getlist", "get_json", "get_data", "to_dict", "best_match", "copy"})
_MAY_RAISE = frozenset({"json", "form", "data", "values", "get_json", "get_data"})
_NOT_PORTABLE = frozenset({"files", "stream", "input_stream", "environ", "_get_current_object"})
_GENERIC = frozenset({"args", "form", "json", "data", "values", "headers", "cookies", "method", "path", "url",
                      "get_json", "get_data", "environ", "view_args", "endpoint", "host", "scheme"})
_CONDITIONAL = (cst.If, cst.Else, cst.For, cst.While, cst.Try, cst.TryStar, cst.ExceptHandler, cst.Finally, cst.With,
                cst.Match, cst.IfExp, cst.BooleanOperation, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
                cst.GeneratorExp)


@dataclass
class Read:
    node: cst.BaseExpression  # the whole read, e.g. request.args.get("lang", "en")
    root: cst.BaseExpression  # request / fl.request / req
    member: str  # the flask member it starts from
    name: str  # a parameter name for it
    may_raise: bool
    conditional: bool
    text: str
    names: set[str]  # module-level names its arguments use


def _literal(node: cst.CSTNode, unit: Unit, names: set[str]) -> bool:
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.Name):
        if node.value in ("None", "True", "False"):
            return True
        if node.value in unit.names:
            names.add(node.value)
            return True
        return False
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return all(_literal(e.value, unit, names) for e in node.elements if isinstance(e, cst.Element))
    if isinstance(node, cst.UnaryOperation):
        return _literal(node.expression, unit, names)
    return False


def _key(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.SimpleString):
        v = node.evaluated_value
        return v if isinstance(v, str) else None
    return None


def _read(u: Unit, use: cst.BaseExpression, scope: cst.FunctionDef | cst.Lambda) -> Read | None:
    node = use
    parent = u.up(node)
    names: set[str] = set()
    if (isinstance(parent, cst.Subscript) and parent.value is node and len(parent.slice) == 1
            and isinstance(parent.slice[0].slice, cst.Index)
            and _literal(parent.slice[0].slice.value, u, names)):
        node = parent
    # stores and deletions are not reads
    for a in u.ancestors(node):
        if isinstance(a, (cst.AssignTarget, cst.Del)) or (
                isinstance(a, (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr)) and _inside(u, node, a.target)):
            return None
        if isinstance(a, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            break
    steps: list[str] = []
    key: str | None = None
    cur: cst.BaseExpression = node
    if isinstance(cur, cst.Subscript):
        key = _key(cur.slice[0].slice.value)  # type: ignore[attr-defined]
        steps.append("[]")
        cur = cur.value
    if isinstance(cur, cst.Call):
        if not isinstance(cur.func, cst.Attribute) or cur.func.attr.value not in _READ_METHODS:
            return None
        if any(a.star or not _literal(a.value, u, names) for a in cur.args):
            return None
        method = cur.func.attr.value
        if method in ("get", "getlist") and cur.args:
            key = key or _key(cur.args[0].value)
        steps.append(method)
        cur = cur.func.value
    member = u.flask_member(cur, scope)
    while member is None and isinstance(cur, cst.Attribute):
        steps.append(cur.attr.value)
        cur = cur.value
        member = u.flask_member(cur, scope)
    if member not in ("request", "session", "g", "current_app") or not steps or steps == ["[]"] and member != "session":
        return None
    attrs = [s for s in reversed(steps) if s != "[]"]
    if any(s in _NOT_PORTABLE or s.startswith("_") for s in attrs):
        return None
    may_raise = bool(set(attrs) & _MAY_RAISE) or "[]" in steps or (member == "g" and attrs[0] not in _READ_METHODS)
    conditional = False
    for a in u.ancestors(node):
        if a is scope:
            break
        if isinstance(a, _CONDITIONAL) or isinstance(a, (cst.FunctionDef, cst.ClassDef)):
            conditional = True
    if key:
        name = key
    else:
        plain = [s for s in attrs if s not in ("get", "getlist")]
        last = plain[-1].replace("get_", "") if plain else member
        name = f"{member}_{last}" if member == "request" and last in _GENERIC or member == "session" else last
        if len(plain) > 1 and plain[-1] in _READ_METHODS:
            name = "_".join(plain[-2:])
    return Read(node, cur, member, name, may_raise, conditional, u.code(node), names)


def _inside(u: Unit, node: cst.CSTNode, container: cst.CSTNode) -> bool:
    return node is container or any(a is container for a in u.ancestors(node))


def target_def(f: Finding, ctx: FixContext, spawn: Spawn) -> tuple[Unit, cst.FunctionDef | cst.Lambda, str]:
    """The target's node and where it lives: "module" (a top-level def), "closure" (a def in the spawning
    function), "lambda" (written in the spawn call)."""
    if f.target is None:
        raise NoFix("the target is not a project function")
    tpath, tline, tqual = f.target
    if spawn.lam is not None:
        return spawn.unit, spawn.lam, "lambda"
    tu = ctx.unit(tpath)
    name = target_name(f)
    for n in tu.nodes:
        if isinstance(n, cst.FunctionDef) and n.name.value == name and tu.range(n)[0] == tline:
            parent = tu.up(n)
            if isinstance(parent, cst.Module):
                return tu, n, "module"
            holder = tu.enclosing_function(n)
            if (holder is not None and tu is spawn.unit and holder is spawn.function()
                    and isinstance(parent, cst.IndentedBlock) and tu.up(parent) is holder):
                return tu, n, "closure"
            raise NoFix(f"{name}() is a method or nested function; move the reads into its caller by hand")
    raise NoFix(f"cannot find {tqual} at {tpath}:{tline}")


def references(ctx: FixContext, name: str, where: str) -> int:
    """How often the project refers to ``name`` besides defining and importing it."""
    return ctx.references.count(name, where)


def hoist(f: Finding, ctx: FixContext, spawn: Spawn, process: bool) -> Fix:
    """Read the request data in the caller and hand it to the target as new parameters."""
    tu, tnode, where = target_def(f, ctx, spawn)
    tqual = f.target[2] if f.target else ""
    label = worker_label(f)
    if any(q != tqual for *_, q in f.uses):
        inner = sorted({short_name(q) for *_, q in f.uses if q != tqual})
        raise NoFix(f"{short_name(tqual)}() reaches the request through {', '.join(x + '()' for x in inner)}")
    reads: list[Read] = []
    for path, line, col, end_line, end_col, text, _ in f.uses:
        node = tu.spanning((line, col - 1, end_line, end_col - 1), tnode)
        r = _read(tu, node, tnode) if node is not None else None
        if r is None:
            raise NoFix(f"`{text}` at {path}:{line} is not a plain read that can be made before the {label} starts")
        reads.append(r)
    safe = not process
    why: list[str] = []
    if process:
        why.append("the values must be picklable to reach another process")
    if any(r.conditional and r.may_raise for r in reads):
        safe = False
        why.append("a read that only happened on some paths (and may raise) now always happens in the caller")
    caller = spawn.function()
    caller_name = caller.name.value if caller is not None else "the module"
    ch = Change(spawn.unit)
    if where == "module":
        assert isinstance(tnode, cst.FunctionDef)
        if tu is not spawn.unit and any(r.names for r in reads):
            raise NoFix("the reads use names of the target's module")
        taken = all_names(tnode) | SPAWN_KEYWORDS
        params: dict[str, str] = {}
        tch = ch if tu is spawn.unit else Change(tu)
        for r in reads:  # `token = request.headers.get(...)`: the parameter takes the variable's place
            found = _only_assignment(tu, tnode, r)
            if found is not None and r.text not in params and found[0] not in params.values():
                params[r.text] = found[0]
                tch.remove.add(id(found[1]))
        for r in reads:
            if r.text not in params:
                params[r.text] = fresh_name(r.name, taken, r.member)
        for r in reads:
            tch.sub(r.node, becomes(cst.Name(params[r.text])))
        tch.sub(tnode, adds_kwonly(list(params.values())))
        pairs: list[tuple[str, cst.BaseExpression]] = []
        done: set[str] = set()
        for r in reads:
            if r.text in done:
                continue
            done.add(r.text)
            root = cst.parse_expression(ch.flask(r.member)) if tu is not spawn.unit else r.root
            pairs.append((params[r.text], r.node.deep_replace(r.root, root)))  # type: ignore[arg-type]
        how = pass_values(spawn, ch, pairs)
        if tnode.decorators:
            safe = False
            why.append(f"{tnode.name.value}() is decorated")
        refs = references(ctx, tnode.name.value, tu.path)
        if refs != 1:
            safe = False
            why.append(f"{tnode.name.value}() is used elsewhere too: those callers must pass the new "
                       f"argument{'s' if len(params) > 1 else ''}")
        edits = ch.edits() + (tch.edits() if tch is not ch else [])
        plist = ", ".join(params.values())
        msg = (f"read {', '.join(sorted(params))} in {caller_name}() before starting the {label} and pass "
               f"{'it' if len(params) == 1 else 'them'} to {tnode.name.value}() as {plist} ({how})")
    else:
        if caller is None:
            raise NoFix("the spawn call is not in a function")
        stmt, _ = spawn.statement()
        taken = all_names(caller) | tu.names
        locals_: dict[str, str] = {}
        new_stmts: list[cst.BaseStatement] = []
        for r in reads:
            if r.text not in locals_:
                locals_[r.text] = fresh_name(r.name, taken, r.member)
                new_stmts.append(cst.SimpleStatementLine([cst.Assign(
                    [cst.AssignTarget(cst.Name(locals_[r.text]))], r.node)]))
            ch.sub(r.node, becomes(cst.Name(locals_[r.text])))
        ch.insert_before(stmt, new_stmts)
        if where == "closure":
            assert isinstance(tnode, cst.FunctionDef)
            uses = sum(1 for n in preorder(caller) if isinstance(n, cst.Name) and n.value == tnode.name.value
                       and n is not tnode.name)
            if uses != 1:
                safe = False
                why.append(f"{tnode.name.value}() is used elsewhere in {caller_name}() too")
        edits = ch.edits()
        what = "the lambda" if where == "lambda" else f"{_last(tqual)}()"
        msg = (f"read {', '.join(sorted(locals_))} in {caller_name}() before starting the {label} and let "
               f"{what} use the local{'s' if len(locals_) > 1 else ''} {', '.join(locals_.values())}")
    if why:
        msg += f" [unsafe: {'; '.join(why)}]"
    return Fix(SAFE if safe else UNSAFE, msg, edits)


def _only_assignment(u: Unit, fn: cst.FunctionDef, r: Read) -> tuple[str, cst.SimpleStatementLine] | None:
    """``(name, statement)`` when ``r`` is the whole value of ``name = <read>``, a plain statement of ``fn``'s
    body that is the only binding of ``name`` and comes before every use of it."""
    stmt = u.up(r.node)
    line = u.up(stmt) if stmt is not None else None
    if not (isinstance(stmt, cst.Assign) and stmt.value is r.node and len(stmt.targets) == 1
            and isinstance(stmt.targets[0].target, cst.Name) and isinstance(line, cst.SimpleStatementLine)
            and len(line.body) == 1 and u.up(line) is fn.body and line.trailing_whitespace.comment is None
            and all(e.comment is None for e in line.leading_lines)):
        return None
    name = stmt.targets[0].target.value
    if name in SPAWN_KEYWORDS or name in {p.name.value for p in param_list(fn.params)}:
        return None
    at = u.range(line)[:2]
    if name in _local_names_except(fn, line):
        return None
    for n in preorder(fn.body):
        if isinstance(n, (cst.Global, cst.Nonlocal)) and any(x.name.value == name for x in n.names):
            return None
        if isinstance(n, cst.Name) and n.value == name and n is not stmt.targets[0].target:
            p = u.up(n)
            if isinstance(p, cst.Attribute) and p.attr is n or isinstance(p, cst.Arg) and p.keyword is n:
                continue
            if u.range(n)[:2] <= at:
                return None
    return name, line


def _local_names_except(fn: cst.FunctionDef, line: cst.CSTNode) -> set[str]:
    """Names ``fn`` binds other than in ``line``."""
    inside = {id(x) for x in preorder(line)}
    out: set[str] = set()
    for n in preorder(fn.body, into_scopes=False):
        if id(n) in inside:
            continue
        if isinstance(n, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)):
            out |= {m.value for m in preorder(n.target) if isinstance(m, cst.Name)}
        elif isinstance(n, cst.AsName):
            out |= {m.value for m in preorder(n.name) if isinstance(m, cst.Name)}
        elif isinstance(n, (cst.FunctionDef, cst.ClassDef)):
            out.add(n.name.value)
    return out


def _last(qual: str) -> str:
    return qual.split(":", 1)[-1].split(".")[-1]


def process_pool(u: Unit, call: cst.Call) -> bool:
    text = u.code(call.func)
    return "Process" in text or "multiprocessing" in text
