"""``ctxlint map``: one self-contained HTML page drawing where the code runs; untrusted names run nothing.

The browser tests open the page in the system's Chromium (Debian's ``chromium`` package) driven by
Playwright, with no network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from ctxlint.contextmap import json_for_script

PROJECT = os.path.join(FIXTURES, "whereruns")
CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

# names a repository could hold: each would run script if the page put it into HTML unescaped
HOSTILE_DIR = "\"'><img src=x onerror=window.__pwned=5>"
HOSTILE_MODULE = "<script>window.__pwned=1</script>"  # a folder "<script>window.__pwned=1<" holding "script>.py"
HOSTILE_MODULE_2 = "x\"'><img src=x onerror=window.__pwned=3>"
HOSTILE_SOURCE = '''import threading

from flask import request

from evil import app


def helper():
    return request.args["</script><script>window.__pwned = 2</script>"]


@app.route("/<script>window.__pwned = 4</script>")
def view():
    threading.Thread(target=helper).start()
    return "</script><img src=x onerror=window.__pwned=6>"
'''


def hostile_project(tmp_path: Path) -> Path:
    root = tmp_path / HOSTILE_DIR
    (root / "evil" / HOSTILE_MODULE.split("/")[0]).mkdir(parents=True)
    (root / "setup.cfg").write_text("[metadata]\nname = evil\n")
    (root / "evil" / "__init__.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    (root / "evil" / (HOSTILE_MODULE + ".py")).write_text(HOSTILE_SOURCE)
    (root / "evil" / (HOSTILE_MODULE_2 + ".py")).write_text(HOSTILE_SOURCE)
    return root


def page_data(html: str) -> dict:
    m = re.search(r'<script id="ctxlint-data" type="application/json">(.*?)</script>', html, re.S)
    assert m is not None
    return json.loads(m.group(1))


def write_map(cli, tmp_path: Path, project: str | Path) -> str:
    out = tmp_path / "map.html"
    code, _, err = cli("map", str(project), "-o", str(out))
    assert code == 0, err
    assert "wrote" in err
    return out.read_text(encoding="utf-8")


def test_map_holds_the_projects_functions_roots_and_findings(cli, tmp_path: Path) -> None:
    html = write_map(cli, tmp_path, PROJECT)
    data = page_data(html)
    names = {f["q"] for f in data["functions"]}
    assert {"shop.views:index", "shop.views:checkout", "shop.views:send_receipt", "shop.helpers:audit",
            "shop.helpers:client_ip", "shop.helpers:unused_helper", "shop.cli:report"} <= names
    by_name = {f["q"]: f for f in data["functions"]}
    assert by_name["shop.helpers:audit"]["c"] == ["request", "none"]
    assert by_name["shop.helpers:format_total"]["c"] == ["request", "app"]
    assert by_name["shop.helpers:unused_helper"]["c"] == []
    assert data["categories"] == ["view", "CLI command", "thread"]
    [finding] = data["findings"]
    assert finding["code"] == "CTX201"
    assert [data["functions"][i]["q"] for i in finding["fns"]] == [
        "shop.views:checkout", "shop.views:send_receipt", "shop.helpers:audit", "shop.helpers:client_ip"]
    # self-contained: the drawing library is in the page, nothing is fetched
    assert "cytoscape" in html and "fcose" in html
    assert not re.search(r"<(script|link|img)[^>]*(src|href)=", html)
    assert "default-src 'none'" in html


def test_untrusted_names_stay_data(cli, tmp_path: Path) -> None:
    html = write_map(cli, tmp_path, hostile_project(tmp_path))
    # three script elements (the data, the library, the page's script) and no markup from the project
    assert html.count("<script") == 3 and html.count("</script") == 3
    assert "<img" not in html
    data = page_data(html)
    assert data["title"] == HOSTILE_DIR
    assert any(HOSTILE_MODULE in m["path"] for m in data["modules"])
    assert any(HOSTILE_MODULE_2 in f["q"] for f in data["functions"])
    assert any(HOSTILE_MODULE in f["message"] for f in data["findings"])


def test_json_for_script_escapes_what_ends_a_script() -> None:
    value = {"s": "</script><!-- & \u2028\u2029 <img>"}
    text = json_for_script(value)
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == value


def test_map_of_no_python_exits_2(cli, tmp_path: Path) -> None:
    code, _, err = cli("map", str(tmp_path), "-o", str(tmp_path / "map.html"))
    assert code == 2 and "no Python files" in err
    assert not (tmp_path / "map.html").exists()


# ---- in a real browser ----------------------------------------------------------------------------

def _open(page_path: Path):  # type: ignore[no-untyped-def]
    """The page loaded in headless Chromium, with what it logged and every dialog it opened."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    log: list[tuple[str, str]] = []
    page.on("console", lambda m: log.append((m.type, m.text)))
    page.on("pageerror", lambda e: log.append(("pageerror", str(e))))
    page.on("dialog", lambda d: (log.append(("dialog", d.message)), d.dismiss()))
    page.on("request", lambda r: log.append(("request", r.url)) if not r.url.startswith(("file:", "data:")) else None)
    # a script that ran would call one of these or set the flag
    page.add_init_script("window.__pwned = 0; window.alert = window.confirm = window.prompt = "
                         "function () { window.__pwned = 'dialog'; };")
    page.goto(page_path.as_uri())
    page.wait_for_function("window.ctxlintMap !== undefined", timeout=60_000)
    return pw, browser, page, log


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (Debian: apt-get install chromium); CI installs it")


@pytest.mark.slow
@needs_chromium
def test_map_in_chromium(cli, tmp_path: Path) -> None:
    html_path = tmp_path / "map.html"
    html_path.write_text(write_map(cli, tmp_path, PROJECT), encoding="utf-8")
    pw, browser, page, log = _open(html_path)
    try:
        labels = page.evaluate("window.ctxlintMap.cy.nodes().map(n => n.data('label'))")
        for name in ("index", "checkout", "send_receipt", "audit", "client_ip", "report", "unused_helper",
                     "request.remote_addr", "view index", "thread target send_receipt"):
            assert name in labels
        assert page.evaluate("window.ctxlintMap.cy.nodes().filter(n => n.visible()).length") == len(labels)
        # search: the function is listed, and choosing it selects its node and tells where it runs
        page.fill("#search", "client")
        assert page.inner_text("#results").split("\n")[:2] == ["client_ip", "shop.helpers:client_ip"]
        page.click("#results li")
        details = page.inner_text("#details")
        assert "shop.helpers:client_ip" in details and "Runs with a request context; no context." in details
        assert page.evaluate("window.ctxlintMap.cy.$(':selected').map(n => n.data('label'))") == ["client_ip"]
        # a finding: its path is highlighted
        page.click("#findings li")
        highlighted = page.evaluate("window.ctxlintMap.cy.nodes('.hl').map(n => n.data('label'))")
        assert {"checkout", "send_receipt", "audit", "client_ip", "request.remote_addr"} <= set(highlighted)
        assert "index" not in highlighted
        assert page.evaluate("window.__pwned") == 0
    finally:
        browser.close()
        pw.stop()
    assert [e for e in log if e[0] in ("error", "pageerror", "warning", "dialog", "request")] == []


@pytest.mark.slow
@needs_chromium
def test_hostile_names_run_nothing_in_chromium(cli, tmp_path: Path) -> None:
    html_path = tmp_path / "map.html"
    html_path.write_text(write_map(cli, tmp_path, hostile_project(tmp_path)), encoding="utf-8")
    pw, browser, page, log = _open(html_path)
    try:
        # everything drawn and listed, as text
        page.fill("#search", "helper")
        assert HOSTILE_MODULE_2 in page.inner_text("#results")
        page.click("#results li")
        page.click("#findings li")
        assert HOSTILE_MODULE in page.inner_text("#findings")
        assert page.title() == "ctxlint map — " + HOSTILE_DIR
        labels = page.evaluate("window.ctxlintMap.cy.nodes().map(n => n.data('label'))")
        assert any(HOSTILE_MODULE_2 in label for label in labels)
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        assert page.evaluate("document.scripts.length") == 3
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") == 0
    finally:
        browser.close()
        pw.stop()
    assert [e for e in log if e[0] in ("error", "pageerror", "dialog", "request")] == []


def test_bundled_libraries_are_package_data_with_their_licences() -> None:
    from importlib import resources

    from ctxlint.contextmap import LIBRARIES

    assets = resources.files("ctxlint").joinpath("assets")
    for name in LIBRARIES:
        assert assets.joinpath(name).is_file()
        licence = assets.joinpath(name.removesuffix(".js").removesuffix(".min") + ".LICENSE").read_text()
        assert "Permission is hereby granted, free of charge" in licence  # MIT
    with open(os.path.join(os.path.dirname(FIXTURES), "pyproject.toml"), encoding="utf-8") as fh:
        assert '"assets/*"' in fh.read()  # in the wheel
