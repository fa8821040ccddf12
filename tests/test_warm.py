"""The warm path: a file whose size, modification time and mode are those the stat index recorded is not read
again; anything else is (an edit, a file modified too close to when it was recorded, a fresh checkout)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from conftest import FIXTURES, ROOT

from ctxlint.engine import Options, analyse

HOUR = 3600


def project(tmp_path) -> str:
    dst = tmp_path / "proj"
    shutil.copytree(os.path.join(FIXTURES, "example"), dst)
    (dst / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    return str(dst)


def python_files(root: str) -> list[str]:
    return [os.path.join(d, f) for d, _, fs in os.walk(root) if ".ctxlint_cache" not in d for f in fs
            if f.endswith(".py")]


def set_mtime(path: str, seconds_ago: float) -> None:
    t = time.time() - seconds_ago
    os.utime(path, (t, t))


def found(root: str) -> list[tuple[str, int, str]]:
    return sorted((os.path.relpath(f.path, root), f.line, f.code) for f in analyse([root], Options(jobs=1)).findings)


def swap_same_size(path: str) -> None:
    """Replace the thread pool call with one of the same length that starts no thread, keeping size and time."""
    st = os.stat(path)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    new = text.replace("pool.submit(build_report,", "print(      build_report,")
    assert new != text and len(new) == len(text)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(new)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_an_unchanged_stat_is_trusted_and_a_changed_one_is_not(tmp_path) -> None:
    root = project(tmp_path)
    for p in python_files(root):
        set_mtime(p, HOUR)
    before = found(root)
    reports = os.path.join(root, "app", "reports.py")
    assert any(p == os.path.join("app", "reports.py") and code == "CTX201" for p, _, code in before)
    # same size, same time: the index vouches for the old content (as ruff's cache does)
    swap_same_size(reports)
    assert found(root) == before
    # a new modification time: read, hashed and analysed again
    set_mtime(reports, HOUR / 2)
    after = found(root)
    assert not any(p == os.path.join("app", "reports.py") and code == "CTX201" for p, _, code in after)


def test_a_file_modified_just_before_it_was_recorded_is_hashed_again(tmp_path) -> None:
    """An edit in the same tick of the file system's clock leaves size and time as they were: an entry recorded
    within two seconds of the file's modification time is not trusted."""
    root = project(tmp_path)
    for p in python_files(root):
        set_mtime(p, HOUR)
    reports = os.path.join(root, "app", "reports.py")
    os.utime(reports, None)  # modified now, as an editor saving it
    before = found(root)
    swap_same_size(reports)  # the same second: size and time unchanged
    after = found(root)
    assert before != after
    assert not any(p == os.path.join("app", "reports.py") and code == "CTX201" for p, _, code in after)


def test_a_cache_restored_on_a_fresh_checkout_is_used(tmp_path) -> None:
    """CI: the cache folder restored into a new checkout where every file has a new time.  The stat index misses,
    the contents are hashed, and every summary and the findings are found: nothing is parsed again."""
    root = project(tmp_path)
    first = found(root)
    saved = str(tmp_path / "saved")
    shutil.move(root, saved)
    shutil.copytree(saved, root, copy_function=shutil.copy)  # new timestamps, as a checkout writes them
    now = time.time()
    for d, _, fs in os.walk(root):
        for f in fs:
            os.utime(os.path.join(d, f), (now, now))
    heavy = ["libcst", "ctxlint.summary", "ctxlint.propagate"]
    script = ("import sys, json; from ctxlint.engine import analyse, Options; "
              f"r = analyse([{root!r}], Options(jobs=1)); "
              "print(json.dumps([sorted((f.path, f.line, f.code) for f in r.findings), "
              f"[m for m in {heavy!r} if m in sys.modules]]))")
    env = dict(os.environ, PYTHONPATH=ROOT)
    got, imported = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                              env=env, check=True).stdout)
    assert imported == []
    assert sorted((os.path.relpath(p, root), line, code) for p, line, code in got) == first
