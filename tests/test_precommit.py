"""The pre-commit hook, run through the real pre-commit.

``pre-commit try-repo`` installs the hook the way users get it: it clones the
hook repository at a commit and pip-installs it into a fresh virtualenv.  The
test commits a copy of this working tree (uncommitted changes included) to a
temporary repository and points try-repo at that.  Installing needs the package
index for ctxlint's build and runtime dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

GIT_ENV = {
    "GIT_AUTHOR_NAME": "ctxlint tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "ctxlint tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}

VIEWS = '''\
from concurrent.futures import ThreadPoolExecutor

from flask import request

from . import app
from .helpers import build_report

pool = ThreadPoolExecutor(max_workers=2)


@app.post("/reports")
def create_report():
    ids = request.json["ids"]
    pool.submit(build_report, ids)
    return {"queued": len(ids)}, 202
'''

FIXED_VIEWS = VIEWS.replace("    pool.submit(build_report, ids)\n",
                            "    pool.submit(build_report, ids, request.headers.get('User-Agent', ''))\n")

HELPERS = '''\
from flask import request


def build_report(ids, agent=None):
    agent = agent if agent is not None else request.headers.get("User-Agent", "")
    return [(i, agent) for i in ids]
'''

FIXED_HELPERS = '''\
def build_report(ids, agent):
    return [(i, agent) for i in ids]
'''

# another bug, in a file the commit does not touch
JOBS = '''\
import threading

from flask import session

from . import app


def remember():
    return session.get("user")


@app.post("/remember")
def start():
    threading.Thread(target=remember).start()
    return "", 204
'''


def git(*args: str, cwd: str) -> str:
    env = dict(os.environ, **GIT_ENV, HOME=cwd)
    proc = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def hook_repository(dest: str) -> str:
    """This working tree, uncommitted changes included, committed to a new repository."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    for rel in filter(None, listed.stdout.split("\0")):
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):  # deleted in the working tree
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        shutil.copy2(src, os.path.join(dest, rel))
    assert os.path.isfile(os.path.join(dest, ".pre-commit-hooks.yaml"))
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "ctxlint under test", cwd=dest)
    return dest


def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def try_repo(hooks: str, project: str, home: str, *files: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, **GIT_ENV, PRE_COMMIT_HOME=home, PRE_COMMIT_COLOR="never")
    env.pop("PYTHONPATH", None)  # the hook must run from what pre-commit installed
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", hooks, "ctxlint", "--verbose",
                           "--files", *files], cwd=project, env=env, capture_output=True, text=True, timeout=900)


def test_pre_commit_hook_fails_on_the_changed_file_then_passes_after_the_fix(tmp_path) -> None:
    hooks = hook_repository(str(tmp_path / "hooks"))
    project = str(tmp_path / "shop")
    write(os.path.join(project, "shop", "__init__.py"), "from flask import Flask\n\napp = Flask(__name__)\n\n"
          "from . import views  # noqa: E402,F401\n")
    write(os.path.join(project, "shop", "views.py"), VIEWS)
    write(os.path.join(project, "shop", "helpers.py"), HELPERS)
    write(os.path.join(project, "shop", "jobs.py"), JOBS)
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    home = str(tmp_path / "pre-commit-home")

    proc = try_repo(hooks, project, home, "shop/views.py")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Failed" in out
    # found through helpers.py, which is not among the files passed, and reported in views.py only
    # ``[*]``: the hook's text output marks what --fix fixes, as ctxlint's does
    assert "shop/views.py:14:5: CTX201 [*] thread pool task build_report() reaches request.headers " \
           "(shop/helpers.py:5)" in out
    assert "shop/jobs.py" not in out
    assert "Found 1 problem (1 CTX201) in 1 file." in out

    # the bug in jobs.py shows when jobs.py is among the changed files
    proc = try_repo(hooks, project, home, "shop/views.py", "shop/jobs.py")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "shop/jobs.py:14:5: CTX201" in out and "shop/views.py:14:5: CTX201" in out

    # the project's configuration applies to the hook as it does to ctxlint
    write(os.path.join(project, "pyproject.toml"),
          '[tool.ctxlint.per-file-ignores]\n"shop/jobs.py" = ["CTX2"]\n')
    proc = try_repo(hooks, project, home, "shop/views.py", "shop/jobs.py")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "shop/jobs.py" not in out and "shop/views.py:14:5: CTX201" in out
    os.unlink(os.path.join(project, "pyproject.toml"))

    # fixed in the view (the data is read in the request and handed over) and in the helper
    write(os.path.join(project, "shop", "views.py"), FIXED_VIEWS)
    write(os.path.join(project, "shop", "helpers.py"), FIXED_HELPERS)
    proc = try_repo(hooks, project, home, "shop/views.py", "shop/helpers.py")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Passed" in out
