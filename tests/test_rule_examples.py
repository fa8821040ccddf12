"""Each rule's documented example and fixed example run as tiny projects: the example gives the rule's
code, the fixed example nothing, and where the rule's fix of the example is safe it gives exactly the
fixed example.  (What both assume, imports and an app, is the rule's ``assumes``.)"""

from __future__ import annotations

import os

import pytest

from ctxlint import fixes
from ctxlint.engine import Options, analyse
from ctxlint.fixing import SAFE, SourceText
from ctxlint.rules import RULES
from ctxlint.suppression import SourceLines, Suppressions

OPTS = Options(use_cache=False, jobs=1, noqa=False)
EXAMPLES = [code for code, rule in RULES.items() if rule.example]


def source(code: str, body: str) -> str:
    assumes = RULES[code].assumes
    return (assumes + "\n\n\n" if assumes else "") + body + "\n"


def codes(tmp_path, name: str, text: str) -> tuple[str, list[str]]:
    """The codes reported in the one-file project ``name`` holding ``text``, as the CLI would report them
    (CTX001 included)."""
    project = tmp_path / name
    project.mkdir()
    path = project / "example.py"
    path.write_text(text)
    found = analyse([str(project)], OPTS).findings
    suppressions = Suppressions(SourceLines())
    found = [f for f in found if not suppressions.suppresses(f)] + suppressions.unused(found, [str(path)])
    return str(project), sorted(f.code for f in found)


def test_every_rule_has_an_example_and_its_fix() -> None:
    assert EXAMPLES == list(RULES)
    assert all(rule.fixed for rule in RULES.values())


@pytest.mark.parametrize("code", EXAMPLES)
def test_the_example_gives_the_rule_and_the_fixed_example_nothing(tmp_path, code) -> None:
    rule = RULES[code]
    assert codes(tmp_path, "example", source(code, rule.example))[1] == [code]
    assert codes(tmp_path, "fixed", source(code, rule.fixed))[1] == []


@pytest.mark.parametrize("code", EXAMPLES)
def test_a_safe_fix_of_the_example_is_the_fixed_example(tmp_path, code) -> None:
    rule = RULES[code]
    project, _ = codes(tmp_path, "example", source(code, rule.example))
    path = os.path.join(project, "example.py")
    found = analyse([project], OPTS).findings
    if not any(fixes.fix_for(f).applicability == SAFE for f in found if f.code == code):
        pytest.skip(f"{code}'s fix of its example is not safe: a suggestion or an edit to review")
    fixed = fixes.plan_fixes([project], OPTS, False, {path: SourceText.read(path)}, analyse=analyse).texts
    assert fixed[path].text == source(code, rule.fixed)
