"""Render findings: for people (text, concise), for programs (json), for CI (sarif, github, junit)."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import __version__
from .findings import Finding
from .rules import RULES
from .suppression import SourceLines

FORMATS = ("text", "concise", "json", "sarif", "github", "junit")

# An edit: (path, line, column, end_line, end_column, new text), 1-based columns, end exclusive.
Edit = tuple[str, int, int, int, int, str]
# A fix: a description and its edits.  ``fixes_for(finding)`` gives a finding's fixes (SARIF ``fixes``).
Fix = tuple[str, list[Edit]]
FixesFor = Callable[[Finding], list[Fix]]


def as_dict(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "message": f.message,
        "fix_hint": f.fix_hint,
        "function": f.function,
        "trace": [{"path": s.path, "line": s.line, "function": s.function, "note": s.note} for s in f.trace],
    }


def json_report(findings: list[Finding], fixes: list[dict[str, Any]] | None = None) -> str:
    items = [as_dict(f) for f in findings]
    for item, fix in zip(items, fixes or []):
        item["fix"] = fix
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


# ---- text ---------------------------------------------------------------------------------------

def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def summary_line(findings: list[Finding], files: int, baselined: int = 0) -> str:
    known = f" ({_plural(baselined, 'finding')} in the baseline not shown)" if baselined else ""
    if not findings:
        return f"All clear: no context problems in {_plural(files, 'file')}.{known}"
    counts = Counter(f.code for f in findings)
    parts = ", ".join(f"{n} {code}" for code, n in sorted(counts.items()))
    n = len(findings)
    return f"Found {_plural(n, 'problem')} ({parts}) in {_plural(files, 'file')}.{known}"


@dataclass
class Fixable:
    """Which findings ``--fix`` fixes (``[*]`` before their message, as in ruff), and how many unsafe fixes
    it leaves out; ``unsafe``: --unsafe-fixes was given, unsafe fixes count as fixable."""
    marked: list[bool] = field(default_factory=list)  # one per finding, in order
    hidden: int = 0
    unsafe: bool = False

    def mark(self, i: int) -> str:
        return "[*] " if i < len(self.marked) and self.marked[i] else ""

    def line(self) -> str:
        """ruff's closing line: ``[*] 2 fixable with `--fix` (1 unsafe fix available with `--fix --unsafe-fixes`).``"""
        n = sum(self.marked)
        how = "`--fix --unsafe-fixes`" if self.unsafe else "`--fix`"
        hidden = (f"{self.hidden} unsafe fix{'es' if self.hidden != 1 else ''} available with "
                  f"`--fix --unsafe-fixes`") if self.hidden else ""
        if n:
            return f"[*] {n} fixable with {how}" + (f" ({hidden})." if hidden else ".")
        return f"{hidden}." if hidden else ""


def _closing(findings: list[Finding], files: int, baselined: int, fixable: Fixable | None) -> list[str]:
    extra = fixable.line() if fixable is not None and findings else ""
    return [summary_line(findings, files, baselined)] + ([extra] if extra else [])


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *codes: int) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{';'.join(map(str, codes))}m{text}\x1b[0m"


BOLD, RED, BLUE, CYAN = 1, 31, 34, 36


_WIDTH = 160  # longest source line shown whole
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _snippet(f: Finding, sources: SourceLines, style: _Style) -> list[str]:
    """The boundary's line with carets under the reported span."""
    text = sources.line(f.path, f.line)
    if text is None or not text.strip():
        return []
    # control characters (a binary file named on the command line) would drive the terminal: one
    # replacement character each, so the carets stay aligned
    text = _CONTROL.sub("\ufffd", text)
    start = min(max(f.column, 1) - 1, len(text))
    width = f.end_column - f.column if f.end_line == f.line else len(text) - start
    width = max(1, min(width, len(text) - start))
    if len(text) > _WIDTH:  # a generated or minified line: show a window around the span
        left = max(0, min(start - 16, len(text) - _WIDTH))
        text = ("..." if left else "") + text[left:left + _WIDTH] + ("..." if left + _WIDTH < len(text) else "")
        start = start - left + (3 if left else 0)
        width = max(1, min(width, _WIDTH - (start - (3 if left else 0))))
    pad = "".join(ch if ch == "\t" else " " for ch in text[:start])
    num = str(f.line)
    bar = style("|", BLUE, BOLD)
    return [f"    {style(num, BLUE, BOLD)} {bar} {text}",
            f"    {' ' * len(num)} {bar} {pad}{style('^' * width, RED, BOLD)}"]


def text_report(findings: list[Finding], files: int, *, sources: SourceLines | None = None, color: bool = False,
                baselined: int = 0, fixable: Fixable | None = None) -> str:
    """Each finding, its call path, and its line with a caret under the boundary; then a summary (and, given
    ``fixable``, ``[*]`` on the findings --fix fixes and how many it fixes)."""
    sources = sources or SourceLines()
    style = _Style(color)
    out: list[str] = []
    for i, f in enumerate(findings):
        mark = style(fixable.mark(i), CYAN) if fixable is not None else ""
        out.append(f"{style(f'{f.path}:{f.line}:{f.column}:', BOLD)} {style(f.code, RED, BOLD)} {mark}{f.message}")
        if len(f.trace) > 1:
            width = max(len(f"{s.path}:{s.line}") for s in f.trace)
            for s in f.trace:
                loc = f"{s.path}:{s.line}"
                out.append(f"    {style(loc, CYAN)}{' ' * (width - len(loc))}  {s.function}: {s.note}")
        out.extend(_snippet(f, sources, style))
        out.append("")
    out.extend(_closing(findings, files, baselined, fixable))
    return "\n".join(out) + "\n"


def concise_report(findings: list[Finding], files: int, baselined: int = 0, fixable: Fixable | None = None) -> str:
    """One line per finding, then the summary."""
    marks = fixable or Fixable()
    out = [f"{f.path}:{f.line}:{f.column}: {f.code} {marks.mark(i)}{f.message}" for i, f in enumerate(findings)]
    out.extend(_closing(findings, files, baselined, fixable))
    return "\n".join(out) + "\n"


def statistics_report(findings: list[Finding], fmt: str = "text") -> str:
    """How many findings of each code, most frequent first."""
    counts = sorted(Counter(f.code for f in findings).items(), key=lambda item: (-item[1], item[0]))
    if fmt == "json":
        rows = [{"code": code, "name": RULES[code].name if code in RULES else "", "count": n} for code, n in counts]
        return json.dumps(rows, indent=2) + "\n"
    if not counts:
        return ""
    width = max(len(str(n)) for _, n in counts)
    return "".join(f"{n:>{width}}  {code}  {RULES[code].name if code in RULES else ''}\n" for code, n in counts)


# ---- SARIF 2.1.0 ----------------------------------------------------------------------------------

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"


def _artifact(path: str, root: str) -> dict[str, Any]:
    """A relative URI under %SRCROOT% when the file is under ``root``, else an absolute file URI."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full, root)
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        return {"uri": Path(full).as_uri()}
    return {"uri": quote(rel.replace(os.sep, "/")), "uriBaseId": SRCROOT}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    line = max(line, 1)
    column = max(column, 1)
    end_line = max(end_line, line)
    end_column = max(end_column, 1)
    if end_line == line and end_column < column:
        end_column = column
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _rule_descriptor(code: str) -> dict[str, Any]:
    rule = RULES[code]
    summary = rule.summary[:1].upper() + rule.summary[1:]
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary}. Reported at: {rule.reported_at}."},
        "help": {"text": rule.doc(), "markdown": rule.markdown()},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["flask", "correctness"], "precision": "high"},
    }


def sarif_log(findings: list[Finding], *, errors: list[str] | None = None, sources: SourceLines | None = None,
              root: str | None = None, fixes_for: FixesFor | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run: every rule with its page as help text, and one result per finding
    with the call path as a code flow.  Paths are relative to ``root`` (default: the current directory)."""
    from .baseline import fingerprint

    root = os.path.abspath(root or os.getcwd())
    sources = sources or SourceLines()
    codes = list(RULES)
    index = {code: i for i, code in enumerate(codes)}
    results: list[dict[str, Any]] = []
    for f in findings:
        location = {"physicalLocation": {"artifactLocation": _artifact(f.path, root),
                                         "region": _region(f.line, f.column, f.end_line, f.end_column)}}
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": "error",
            "message": {"text": f.message},
            "locations": [location],
            "partialFingerprints": {"ctxlint/v1": fingerprint(f, sources, root)},
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        if f.trace:
            steps = []
            for order, s in enumerate(f.trace, start=1):
                steps.append({
                    "location": {"physicalLocation": {"artifactLocation": _artifact(s.path, root),
                                                      "region": {"startLine": max(s.line, 1)}},
                                 "message": {"text": f"{s.function}: {s.note}"}},
                    "nestingLevel": order - 1,
                    "executionOrder": order,
                })
            result["codeFlows"] = [{"message": {"text": "call path from the boundary to the use"},
                                    "threadFlows": [{"locations": steps}]}]
        if fixes_for is not None:
            sarif_fixes = []
            for description, edits in fixes_for(f):
                by_file: dict[str, list[dict[str, Any]]] = {}
                for path, line, col, end_line, end_col, text in edits:
                    by_file.setdefault(path, []).append(
                        {"deletedRegion": _region(line, col, end_line, end_col), "insertedContent": {"text": text}})
                if by_file:
                    sarif_fixes.append({"description": {"text": description},
                                        "artifactChanges": [{"artifactLocation": _artifact(p, root), "replacements": r}
                                                            for p, r in by_file.items()]})
            if sarif_fixes:
                result["fixes"] = sarif_fixes
        results.append(result)
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if errors:
        invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": e}} for e in errors]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "ctxlint", "version": __version__, "semanticVersion": __version__,
                                "rules": [_rule_descriptor(code) for code in codes]}},
            "originalUriBaseIds": {SRCROOT: {"uri": Path(root).as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "invocations": [invocation],
            "results": results,
        }],
    }


def sarif_report(findings: list[Finding], **kwargs: Any) -> str:
    return json.dumps(sarif_log(findings, **kwargs), indent=2, ensure_ascii=False) + "\n"


# ---- GitHub Actions workflow commands -----------------------------------------------------------

def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def github_report(findings: list[Finding]) -> str:
    """``::error file=…,line=…,col=…,title=CODE::message`` annotations, the call path under the message."""
    out = []
    for f in findings:
        props = [("file", f.path.replace(os.sep, "/")), ("line", str(f.line)), ("endLine", str(f.end_line)),
                 ("col", str(f.column)), ("endColumn", str(f.end_column)), ("title", f.code)]
        body = f.message
        if len(f.trace) > 1:
            body += "\n" + "\n".join(f"{s.path}:{s.line}  {s.function}: {s.note}" for s in f.trace)
        out.append("::error " + ",".join(f"{k}={_gh_property(v)}" for k, v in props) + "::" + _gh_data(body))
    return "".join(line + "\n" for line in out)


# ---- JUnit XML ----------------------------------------------------------------------------------

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def junit_report(findings: list[Finding], files: int) -> str:
    """A test suite per file with findings, a failed test case per finding (a passing case when clean)."""
    root = ET.Element("testsuites", name="ctxlint", tests=str(max(len(findings), 1)),
                      failures=str(len(findings)), errors="0")
    if not findings:
        suite = ET.SubElement(root, "testsuite", name="ctxlint", tests="1", failures="0", errors="0", skipped="0")
        ET.SubElement(suite, "testcase", name=f"no context problems in {_plural(files, 'file')}", classname="ctxlint")
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)
    for path, group in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=_xml(path), tests=str(len(group)), failures=str(len(group)),
                              errors="0", skipped="0")
        for f in group:
            case = ET.SubElement(suite, "testcase", name=f"{f.code} at line {f.line}, column {f.column}",
                                 classname=_xml(path), file=_xml(path), line=str(f.line))
            failure = ET.SubElement(case, "failure", message=_xml(f.message), type=f.code)
            lines = [f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}"]
            lines += [f"    {s.path}:{s.line}  {s.function}: {s.note}" for s in f.trace]
            failure.text = _xml("\n".join(lines))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
