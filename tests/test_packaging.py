"""What an installed ctxlint carries: the ``py.typed`` marker, and metadata naming the Python versions it runs on.

The package is built from a copy of the project's own files with setuptools (what pip runs), so the test
needs no package index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from conftest import ROOT


def build(tmp_path) -> str:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, name), src / name)
    shutil.copytree(os.path.join(ROOT, "ctxlint"), src / "ctxlint", ignore=shutil.ignore_patterns("__pycache__"))
    for command in (["build_py", "--build-lib", "out"], ["egg_info"]):
        proc = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", *command],
                              cwd=src, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
    return str(src)


def test_the_built_package_is_typed_and_declares_its_python_versions(tmp_path) -> None:
    src = build(tmp_path)
    # what goes into the wheel: the modules and the marker that tells type checkers to read their annotations
    assert os.path.isfile(os.path.join(src, "out", "ctxlint", "py.typed"))
    assert os.path.isfile(os.path.join(src, "out", "ctxlint", "engine.py"))
    with open(os.path.join(src, "ctxlint.egg-info", "PKG-INFO"), encoding="utf-8") as fh:
        info = fh.read()
    assert "Classifier: Typing :: Typed" in info
    minimum = re.search(r"^Requires-Python: >=3\.(\d+)$", info, re.M)
    assert minimum, info
    versions = sorted(int(v) for v in re.findall(r"^Classifier: Programming Language :: Python :: 3\.(\d+)$", info,
                                                  re.M))
    # every minor version from the oldest supported one, and the one running these tests, is declared
    assert versions == list(range(int(minimum[1]), versions[-1] + 1))
    assert sys.version_info[1] in versions
