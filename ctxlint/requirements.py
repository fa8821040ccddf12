"""The versions of libraries a project declares it runs with.

Some libraries changed what needs a context between major versions (Flask-SQLAlchemy 2 bound to an
app at construction, or by ``db.app = app``, needs none; 3 always needs one).  What the project pins
tells which applies: its ``pyproject.toml`` (``[project] dependencies``, Poetry's dependencies),
``setup.cfg`` (``install_requires``), ``setup.py`` (``install_requires=[...]``, read from its summary),
``Pipfile`` and its requirements files (``requirements*.txt``/``.in`` at the root or in a
``requirements/`` folder).  A version is taken as below a major only when every declaration of the
library caps it below that major; no declaration tells nothing.
"""

from __future__ import annotations

import configparser
import os
import re

from .projectroot import find_project_root

# the key discovery keeps a project's declarations under (followed by the project's folder), beside the
# entry-point groups
REQUIRES = "<requires>"

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")
_SPEC = re.compile(r"^(===|==|~=|<=|>=|!=|<|>|\^|~)?\s*v?([0-9][0-9A-Za-z.*+!-]*)$")
_MAX_FILE = 1_000_000


def normalise(name: str) -> str:
    """A package name as the index compares them (``Flask_SQLAlchemy`` is ``flask-sqlalchemy``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_requirements(root: str) -> tuple[str, ...]:
    """The requirement lines a project declares in its metadata and requirements files (``setup.py``'s are
    read from its summary)."""
    out: list[str] = []
    out += _pyproject(os.path.join(root, "pyproject.toml"))
    out += _setup_cfg(os.path.join(root, "setup.cfg"))
    out += _pipfile(os.path.join(root, "Pipfile"))
    folders = [root, os.path.join(root, "requirements")]
    for folder in folders:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if (name.endswith((".txt", ".in")) and (folder != root or name.startswith("requirements"))):
                out += _requirements_file(os.path.join(folder, name))
    return tuple(out)


def _read(path: str) -> str:
    try:
        if os.path.getsize(path) > _MAX_FILE:
            return ""
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def _toml(path: str) -> dict[str, object]:
    text = _read(path)
    if not text:
        return {}
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(text)
    except ValueError:
        return {}


def _pyproject(path: str) -> list[str]:
    data = _toml(path)
    out: list[str] = []
    project = data.get("project")
    deps = project.get("dependencies") if isinstance(project, dict) else None
    if isinstance(deps, list):
        out += [d for d in deps if isinstance(d, str)]
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    pdeps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(pdeps, dict):
        out += _table(pdeps)
    return out


def _table(deps: dict[object, object]) -> list[str]:
    """Poetry's and Pipfile's ``name = "spec"`` / ``name = {version = "spec"}``."""
    out: list[str] = []
    for name, spec in deps.items():
        if isinstance(spec, dict):
            spec = spec.get("version", "*")
        if isinstance(name, str) and isinstance(spec, str):
            out.append(f"{name} {'' if spec.strip() == '*' else spec}".strip())
    return out


def _pipfile(path: str) -> list[str]:
    packages = _toml(path).get("packages")
    return _table(packages) if isinstance(packages, dict) else []


def _setup_cfg(path: str) -> list[str]:
    text = _read(path)
    if not text:
        return []
    cfg = configparser.ConfigParser(interpolation=None)
    try:
        cfg.read_string(text)
        if cfg.has_option("options", "install_requires"):
            return [line for line in cfg.get("options", "install_requires").splitlines() if line.strip()]
    except configparser.Error:
        pass
    return []


def _requirements_file(path: str) -> list[str]:
    out: list[str] = []
    for line in _read(path).splitlines():
        line = line.split(" #", 1)[0].strip().rstrip("\\").strip()
        if not line or line.startswith(("#", "-")):
            continue  # comments, options (-r other.txt, -e ., --hash=...)
        out.append(line)
    return out


def specifiers(requires: tuple[str, ...], package: str) -> list[list[str]]:
    """Each declaration of ``package`` as its list of version specifiers (``[]``: any version)."""
    want = normalise(package)
    out: list[list[str]] = []
    for line in requires:
        line = line.split(";", 1)[0]  # environment markers
        m = _NAME.match(line)
        if m is None or normalise(m.group(1)) != want:
            continue
        rest = m.group(2).strip().strip("()").strip()
        out.append([s.strip() for s in rest.split(",") if s.strip()] if rest else [])
    return out


def below_major(requires: tuple[str, ...], package: str, major: int) -> bool:
    """Whether every declaration of ``package`` caps its version below ``major`` (and there is one)."""
    declared = specifiers(requires, package)
    return bool(declared) and all(any(_caps(s, major) for s in specs) for specs in declared)


def _caps(spec: str, major: int) -> bool:
    m = _SPEC.match(spec.replace(" ", ""))
    if m is None:
        return False
    op, version = m.group(1) or "==", m.group(2)
    parts = version.split(".")
    try:
        first = int(parts[0])
    except ValueError:
        return False
    rest_zero = all(p in ("0", "*") for p in parts[1:])
    if op in ("==", "===", "~=", "<=", "^", "~"):
        return first < major
    if op == "<":
        return first < major or (first == major and rest_zero)
    return False


def requires_of(declared: dict[str, tuple[str, ...]], path: str) -> tuple[str, ...]:
    """The declarations of the project a module (by its absolute path) belongs to."""
    return declared.get(REQUIRES + find_project_root(path), ())
