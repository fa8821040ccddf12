"""``ctxlint explain TARGET``: where a function runs, why a finding was reported, what it reaches."""

from __future__ import annotations

import json
import os

from conftest import FIXTURES

PROJECT = os.path.join(FIXTURES, "whereruns")
SHOP = os.path.join(PROJECT, "shop")


def test_helper_reached_from_a_view_a_command_and_a_thread(cli) -> None:
    code, out, err = cli("explain", "shop.helpers:audit", PROJECT)
    assert code == 0, err
    assert "Runs with a request context — 1 root:" in out
    assert "view index()" in out
    assert "Runs with no context — 1 root:" in out
    # the shortest path from the thread root: the spawn, then each call
    thread = out.split("Runs with no context", 1)[1]
    assert "checkout: hands send_receipt to a thread target" in thread
    assert "send_receipt: calls audit()" in thread
    # the use it reaches, and where it is missing
    assert "request.remote_addr" in out and "via client_ip()" in out
    assert "missing where it runs with no context" in out
    assert "CTX201" in out.split("Findings whose path passes through it:", 1)[1]


def test_finding_line_says_why_it_was_reported(cli) -> None:
    code, out, err = cli("explain", os.path.join(SHOP, "views.py") + ":19")
    assert code == 0, err
    assert "CTX201 request-local-in-thread (reported)" in out
    why = out.split("Why:", 1)[1]
    steps = ["checkout: hands send_receipt to a thread target", "send_receipt: calls audit()",
             "audit: calls client_ip()", "client_ip: uses request.remote_addr"]
    assert [why.index(s) for s in steps] == sorted(why.index(s) for s in steps)
    assert out.startswith("checkout()  shop.views:checkout")


def test_json(cli) -> None:
    code, out, err = cli("explain", os.path.join(SHOP, "views.py") + ":19", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["function"]["qualname"] == "shop.views:checkout"
    assert data["reached"] is True
    [finding] = data["findings_on_line"]
    assert finding["code"] == "CTX201" and finding["status"] == "reported"
    assert finding["functions"] == ["shop.views:checkout", "shop.views:send_receipt", "shop.helpers:audit",
                                    "shop.helpers:client_ip"]
    code, out, _ = cli("explain", "shop.helpers:format_total", PROJECT, "--format", "json")
    data = json.loads(out)
    by_context = {c["context"]: {r["function"] for r in c["roots"]} for c in data["contexts"]}
    assert by_context == {"request": {"shop.views:index"}, "app": {"shop.cli:report"}}
    [app_root] = [c for c in data["contexts"] if c["context"] == "app"][0]["roots"]
    assert app_root["category"] == "CLI command"
    assert [h["note"] for h in app_root["path_from_root"]] == ["CLI command report()", "calls format_total()", "runs"]
    assert data["uses"] == []


def test_function_no_root_reaches(cli) -> None:
    code, out, err = cli("explain", os.path.join(SHOP, "helpers.py") + ":18")
    assert code == 0, err
    assert "No root reaches unused_helper()" in out
    assert "request.path" in out  # what it would need, were it run
    code, out, _ = cli("explain", "shop.helpers:unused_helper", PROJECT, "--format", "json")
    data = json.loads(out)
    assert data["reached"] is False and data["contexts"] == []
    assert [u["text"] for u in data["uses"]] == ["request.path"]


def test_bad_targets_exit_2_with_a_message(cli) -> None:
    code, out, err = cli("explain", os.path.join(SHOP, "nope.py") + ":3")
    assert code == 2 and "nope.py: no such file" in err and out == ""
    code, _, err = cli("explain", os.path.join(SHOP, "views.py") + ":999")
    assert code == 2 and "no such line" in err
    code, _, err = cli("explain", "shop.helpers:nope", PROJECT)
    assert code == 2 and "no function nope in shop.helpers" in err
    code, _, err = cli("explain", "shop.nowhere:index", PROJECT)
    assert code == 2 and "shop.nowhere: no such module" in err
    code, _, err = cli("explain", "just words", PROJECT)
    assert code == 2 and "expected path:line" in err
