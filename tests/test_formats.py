"""Output formats, ``--output-file``, ``--statistics``, colour, and the rule pages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import FIXTURES, ROOT

from ctxlint.cli import main
from ctxlint.report import sarif_log
from ctxlint.rules import RULES, rules_table
from ctxlint.rules.base import APP_ERROR_TEXT, REQUEST_ERROR_TEXT

# the OASIS SARIF 2.1.0 schema (errata 01), shipped with the tests so that they need nothing beside the clone
SCHEMA = os.path.join(ROOT, "tests", "data", "sarif-schema-2.1.0.json")
PROJECTS = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--no-cache"] if args[:1] != ("rule",) else list(args))
        out, err = capsys.readouterr()
        return code, out, err
    return run


def example_json(cli) -> list[dict]:
    return json.loads(cli("fixtures/example", "--format", "json")[1])


# ---- SARIF ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    with open(SCHEMA, encoding="utf-8") as fh:
        schema = json.load(fh)
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def assert_valid(validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.mark.parametrize("project", PROJECTS)
def test_sarif_of_every_fixture_validates_against_the_schema(cli, validator, project: str) -> None:
    code, out, _ = cli(os.path.join("fixtures", project), "--format", "sarif")
    assert code in (0, 1)
    assert_valid(validator, json.loads(out))


def test_sarif_of_all_fixtures_at_once(cli, validator, tmp_path) -> None:
    target = tmp_path / "ctxlint.sarif"
    code, out, _ = cli("fixtures", "--format", "sarif", "--output-file", str(target))
    assert code == 1 and out == ""
    log = json.loads(target.read_text(encoding="utf-8"))
    assert_valid(validator, log)
    assert len(log["runs"][0]["results"]) > 50


def test_sarif_content(cli) -> None:
    code, out, _ = cli("fixtures/example", "--format", "sarif")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ctxlint"
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(rules) == set(RULES)
    for code_, rule in RULES.items():
        assert rules[code_]["name"] == rule.name
        assert rules[code_]["help"]["text"] == rule.doc()  # written once, in findings.py
        assert rules[code_]["help"]["markdown"] == rule.markdown()
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    plain = {(f["path"], f["line"], f["code"]): f for f in example_json(cli)}
    assert len(run["results"]) == len(plain) == 7
    for result in run["results"]:
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        f = plain[(loc["artifactLocation"]["uri"], loc["region"]["startLine"], result["ruleId"])]
        assert result["message"]["text"] == f["message"]
        assert loc["region"]["startColumn"] == f["column"] and loc["region"]["endColumn"] == f["end_column"]
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["partialFingerprints"]["ctxlint/v1"]
        flow = result["codeFlows"][0]["threadFlows"][0]["locations"]
        assert [(s["location"]["physicalLocation"]["artifactLocation"]["uri"],
                 s["location"]["physicalLocation"]["region"]["startLine"]) for s in flow] == \
            [(s["path"], s["line"]) for s in f["trace"]]
        assert [s["location"]["message"]["text"] for s in flow] == [f"{s['function']}: {s['note']}" for s in f["trace"]]


def test_sarif_with_errors_and_fixes_validates(validator, tmp_path, monkeypatch) -> None:
    from ctxlint.engine import Options, analyse

    monkeypatch.chdir(ROOT)
    result = analyse(["fixtures/example", str(tmp_path / "missing")], Options(use_cache=False))
    assert result.errors

    def fixes_for(f):
        return [("wrap it", [(f.path, f.line, f.column, f.end_line, f.end_column, "wrapped()")])]

    log = sarif_log(result.findings, errors=result.errors, fixes_for=fixes_for)
    assert_valid(validator, log)
    run = log["runs"][0]
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].endswith(
        "missing: no such file or directory")
    assert run["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"] == \
        {"text": "wrapped()"}


def test_the_schema_is_really_applied(validator) -> None:
    log = sarif_log([])
    assert_valid(validator, log)
    log["runs"][0]["results"] = [{"ruleId": "CTX201"}]  # a result without a message
    assert list(validator.iter_errors(log))


# ---- github, junit, concise, json ---------------------------------------------------------------

def _unescape(text: str) -> str:
    return (text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def test_github_annotations_parse_back(cli) -> None:
    code, out, _ = cli("fixtures/example", "--format", "github")
    assert code == 1
    plain = example_json(cli)
    lines = out.splitlines()
    assert len(lines) == len(plain)
    for line, f in zip(lines, plain):
        m = re.fullmatch(r"::error (?P<props>[^:]*)::(?P<body>.*)", line)
        assert m, line
        props = dict(p.split("=", 1) for p in m.group("props").split(","))
        assert {k: _unescape(v) for k, v in props.items()} == {
            "file": f["path"], "line": str(f["line"]), "endLine": str(f["end_line"]), "col": str(f["column"]),
            "endColumn": str(f["end_column"]), "title": f["code"]}
        body = _unescape(m.group("body")).splitlines()
        assert body[0] == f["message"]
        if len(f["trace"]) > 1:
            assert body[1:] == [f"{s['path']}:{s['line']}  {s['function']}: {s['note']}" for s in f["trace"]]


def test_github_escapes_properties_and_data() -> None:
    from ctxlint.findings import Finding
    from ctxlint.report import github_report

    f = Finding("CTX101", "a,b:c.py", 1, 1, 1, 2, "100% wrong\nreally", "")
    assert github_report([f]) == "::error file=a%2Cb%3Ac.py,line=1,endLine=1,col=1,endColumn=2,title=CTX101::100%25 " \
                                 "wrong%0Areally\n"


def test_junit_parses_back(cli) -> None:
    code, out, _ = cli("fixtures/example", "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    plain = example_json(cli)
    assert root.tag == "testsuites" and root.get("failures") == "7"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 7
    got = sorted((c.get("file"), int(c.get("line")), c.find("failure").get("type"), c.find("failure").get("message"))
                 for c in cases)
    assert got == sorted((f["path"], f["line"], f["code"], f["message"]) for f in plain)
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))


def test_junit_of_a_clean_project_has_one_passing_case(tmp_path, capsys) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n")
    assert main([str(tmp_path), "--format", "junit", "--no-cache"]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 1 and cases[0].find("failure") is None
    assert root.get("failures") == "0"


def test_concise_is_one_line_per_finding(cli) -> None:
    code, out, _ = cli("fixtures/example", "--format", "concise")
    lines = out.splitlines()
    plain = example_json(cli)
    assert lines[:-2] == [f"{f['path']}:{f['line']}:{f['column']}: {f['code']} "
                          f"{'[*] ' if f['fix']['applicability'] == 'safe' else ''}{f['message']}" for f in plain]
    assert lines[-2].startswith("Found 7 problems") and lines[-1].startswith("[*] 1 fixable with `--fix`")


# ---- text -----------------------------------------------------------------------------------------

def test_text_shows_the_line_with_a_caret_under_the_boundary(cli) -> None:
    code, out, _ = cli("fixtures/example")
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("fixtures/example/app/reports.py:37:12: CTX201"))
    source = lines[head + 5]
    caret = lines[head + 6]
    assert source == "    37 |     return pool.submit(build_report, order_ids, fmt)  # expect: CTX201"
    start = source.index("|") + 2 + 11  # column 12
    assert caret.index("^") == start and source[start:].startswith("pool.submit(")
    assert caret.rstrip().endswith("^") and caret.count("^") == 53 - 12
    assert "\x1b[" not in out


def test_a_long_line_is_shown_as_a_window_around_the_span(cli, tmp_path) -> None:
    prefix = "x = 1; " * 60
    (tmp_path / "gen.py").write_text("import threading\nfrom flask import request\n" + prefix
                                     + "threading.Thread(target=lambda: request.args).start()" + "; y = 2" * 60 + "\n")
    _, out, _ = cli(str(tmp_path / "gen.py"))
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if ": CTX201 " in line)
    source, caret = lines[head + 3], lines[head + 4]
    assert len(source) < 200 and source.split("| ", 1)[1].startswith("...") and source.endswith("...")
    start = caret.index("^")
    assert source[start:].startswith("threading.Thread(target=lambda: request.args)")
    assert caret.count("^") == len("threading.Thread(target=lambda: request.args)")


def test_output_file_and_exit_status(cli, tmp_path) -> None:
    target = tmp_path / "report.txt"
    code, out, _ = cli("fixtures/example", "--output-file", str(target))
    assert code == 1 and out == ""
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[-2].startswith("Found 7 problems") and "\x1b[" not in text
    code, _, err = cli("fixtures/example", "--output-file", str(tmp_path / "no" / "such" / "file"))
    assert code == 2 and "cannot write" in err


def test_statistics(cli) -> None:
    code, out, _ = cli("fixtures", "--statistics")
    assert code == 1
    rows = [line.split() for line in out.splitlines()]
    counts = [int(r[0]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert all(r[2] == RULES[r[1]].name for r in rows)
    plain = json.loads(cli("fixtures", "--format", "json")[1])
    assert sum(counts) == len(plain)
    code, out, _ = cli("fixtures/example", "--statistics", "--format", "json")
    assert json.loads(out) == [{"code": c, "name": RULES[c].name, "count": 1}
                               for c in ("CTX101", "CTX201", "CTX202", "CTX203", "CTX301", "CTX401", "CTX501")]


def _run_on_a_terminal(extra_env: dict[str, str]) -> str:
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("NO_COLOR", None)
    env.update(extra_env)
    proc = subprocess.Popen([sys.executable, "-m", "ctxlint", "fixtures/example", "--no-cache"], stdout=slave,
                            stderr=subprocess.PIPE, cwd=ROOT, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    assert proc.returncode == 1
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_unless_no_color() -> None:
    coloured = _run_on_a_terminal({})
    assert "\x1b[" in coloured
    assert "\x1b[31;1mCTX201\x1b[0m" in coloured
    plain = _run_on_a_terminal({"NO_COLOR": "1"})
    assert "\x1b[" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_no_colour_through_a_pipe() -> None:
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("NO_COLOR", None)
    proc = subprocess.run([sys.executable, "-m", "ctxlint", "fixtures/example", "--no-cache"], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 1 and "\x1b[" not in proc.stdout


# ---- rule pages -----------------------------------------------------------------------------------

def test_rule_page(cli) -> None:
    code, out, _ = cli("rule", "CTX201")
    assert code == 0
    assert out == RULES["CTX201"].doc()
    assert out.startswith("CTX201 request-local-in-thread\n")
    for heading in ("Why it breaks at runtime", "Example", "Fix"):
        assert f"\n{heading}\n" in out
    assert "      RuntimeError: Working outside of request context.\n" in out
    assert "pool.submit(build_report, request.json[\"ids\"], agent=request.headers[\"User-Agent\"])" in out
    assert cli("rule", "ctx501")[1] == RULES["CTX501"].doc()


def test_every_rule_page_is_complete() -> None:
    for code, rule in RULES.items():
        assert rule.code == code and rule.name and rule.summary and rule.reported_at and rule.why and rule.hint
        assert rule.example and rule.fixed and rule.example != rule.fixed
        page = rule.doc()
        assert rule.example.splitlines()[0] in page and rule.fixed.splitlines()[-1] in page
        if code not in ("CTX900", "CTX001"):
            # every runtime rule quotes what Flask raises, or says that nothing is raised
            assert bool(rule.errors) != rule.silent, code


def test_rule_pages_quote_what_flask_raises() -> None:
    flask = pytest.importorskip("flask")
    with pytest.raises(RuntimeError) as req:
        flask.request.args  # noqa: B018
    with pytest.raises(RuntimeError) as app:
        flask.current_app.config  # noqa: B018
    assert REQUEST_ERROR_TEXT == f"RuntimeError: {req.value}"
    assert APP_ERROR_TEXT == f"RuntimeError: {app.value}"


def test_rule_all_lists_every_rule(cli) -> None:
    code, out, _ = cli("rule", "--all")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("CTX")]
    assert listed == list(RULES)
    assert json.loads(cli("rule", "--all", "--format", "json")[1])[1]["code"] == "CTX201"
    assert cli("rule", "--all", "--format", "markdown")[1] == rules_table()
    assert cli("rule", "CTX101", "--format", "markdown")[1] == RULES["CTX101"].markdown()


def test_rule_errors(cli) -> None:
    code, out, err = cli("rule", "CTX999")
    assert code == 2 and out == "" and "unknown rule code CTX999" in err
    with pytest.raises(SystemExit) as exc:
        cli("rule")
    assert exc.value.code == 2


def test_readme_rule_table_is_the_rule_docs() -> None:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    start = readme.index("<!-- rules-table: generated by `ctxlint rule --all --format markdown` -->\n")
    start = readme.index("\n", start) + 1
    end = readme.index("<!-- /rules-table -->", start)
    assert readme[start:end] == rules_table(), (
        "README's rule table differs from ctxlint/findings.py: paste the output of "
        "`python -m ctxlint rule --all --format markdown` between the rules-table markers")
