"""Find the Python files to analyse, the module names imports will use, and a file's project.

Tools that hand ctxlint single files (flake8, pre-commit, editors) still need
the whole project for context: a thread target in ``views.py`` reaches
``request`` through ``helpers.py``.  The project is the nearest directory above
the file that holds ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or ``.git``.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Collection
from dataclasses import dataclass, field

import pathspec

from .knowledge import APP, APP_CONTEXT_ENTRY_FILES
from .knowledge.jobs import PROCESS_COMMANDS as COMMANDS
from .knowledge.jobs import PROCESS_DIRS, PROCESS_FILES, WORKER_LINE_WORDS, WORKER_MARKS
from .projectroot import PROJECT_MARKERS, _is_marker, find_project_root
from .requirements import REQUIRES, declared_requirements

DEFAULT_EXCLUDES = frozenset({
    ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", "__pycache__", "node_modules", "build", "dist",
    ".eggs", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".ctxlint_cache", "__pypackages__",
    ".direnv", "_build", "buck-out", ".pants.d", ".ipynb_checkpoints",
})


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # as shown to the user (relative to the current directory when possible)
    abspath: str
    import_name: str
    is_package: bool
    aliases: tuple[str, ...] = ()
    entry_ctx: int = 0


@dataclass(slots=True)
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # entry points the analysed projects declare (pyproject.toml, setup.cfg): group -> "module:attr" targets
    entry_points: dict[str, tuple[str, ...]] = field(default_factory=dict)


def declared_entry_points(root: str) -> dict[str, tuple[str, ...]]:
    """The entry points a project declares in ``pyproject.toml`` and ``setup.cfg`` (``setup.py``'s
    are read from its summary)."""
    out: dict[str, list[str]] = {}
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(os.path.join(root, "pyproject.toml"), "rb") as fh:
            data = tomllib.load(fh)
        groups = data.get("project", {}).get("entry-points", {})
        for group, entries in groups.items() if isinstance(groups, dict) else ():
            if isinstance(entries, dict):
                out.setdefault(str(group), []).extend(str(v) for v in entries.values())
    except (OSError, ValueError, AttributeError):
        pass
    import configparser
    cfg = configparser.ConfigParser(interpolation=None)
    try:
        cfg.read(os.path.join(root, "setup.cfg"), encoding="utf-8")
        if cfg.has_section("options.entry_points"):
            for group, text in cfg.items("options.entry_points"):
                out.setdefault(group, []).extend(line.split("=", 1)[1].strip() for line in text.splitlines()
                                                 if "=" in line)
    except (configparser.Error, UnicodeDecodeError):
        pass
    return {g: tuple(v) for g, v in out.items()}


def display_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith(".." + os.sep + "..") else rel


def _is_identifier_path(parts: list[str]) -> bool:
    return all(p.isidentifier() for p in parts)


def module_name(abspath: str, packages: dict[str, tuple[tuple[str, ...], str]] | None = None) -> tuple[str, bool, str]:
    """(dotted name, is package, directory the name is relative to) from ``__init__.py`` files; ``packages``
    keeps what was found of each directory, for the other files of a walk."""
    directory, filename = os.path.split(abspath)
    stem = filename[:-3] if filename.endswith(".py") else filename
    is_package = stem == "__init__"
    chain, base = _package_chain(directory, {} if packages is None else packages)
    return ".".join(chain if is_package else (*chain, stem)) or stem, is_package, base


def _package_chain(directory: str, memo: dict[str, tuple[tuple[str, ...], str]]) -> tuple[tuple[str, ...], str]:
    """The names of the packages from the outermost one holding ``directory`` down to it, and the folder
    above the outermost."""
    found = memo.get(directory)
    if found is None:
        if os.path.isfile(os.path.join(directory, "__init__.py")):
            parent, pkg = os.path.split(directory)
            if not pkg:
                found = (pkg,), parent
            else:
                chain, base = _package_chain(parent, memo)
                found = (*chain, pkg), base
        else:
            found = (), directory
        memo[directory] = found
    return found


def _gitignore_specs(start: str) -> list[tuple[str, pathspec.PathSpec]]:
    """``.gitignore`` files of the directories above ``start`` up to the repository root."""
    specs = []
    d = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start))
    while True:
        spec = _read_gitignore(d)
        if spec is not None:
            specs.append((d, spec))
        if os.path.isdir(os.path.join(d, ".git")):
            break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return specs


def _read_gitignore(directory: str) -> pathspec.PathSpec | None:
    path = os.path.join(directory, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return pathspec.GitIgnoreSpec.from_lines(fh)
    except OSError:
        return None


def _ignored(path: str, is_dir: bool, specs: list[tuple[str, pathspec.PathSpec]]) -> bool:
    for base, spec in specs:
        rel = os.path.relpath(path, base)
        if rel.startswith(".."):
            continue
        rel = rel.replace(os.sep, "/")
        if spec.match_file(rel + ("/" if is_dir else "")):
            return True
    return False


def discover(paths: list[str], respect_gitignore: bool = True, extra_excludes: tuple[str, ...] = (),
             virtual: Collection[str] = ()) -> Discovery:
    """The Python files under ``paths``; ``virtual``: absolute paths of files not on disk whose text the caller
    has (standard input, an unsaved buffer), found when they are given."""
    out = Discovery()
    seen: set[str] = set()
    exclude_spec = pathspec.GitIgnoreSpec.from_lines(extra_excludes) if extra_excludes else None
    folders = _Folders()
    nested: set[str] = set()
    for given in paths:
        if not os.path.lexists(given) and os.path.abspath(given) in virtual:
            _add(out, seen, os.path.abspath(given), given_dir=None)
            continue
        if not os.path.lexists(given):
            out.errors.append(f"{given}: no such file or directory")
            continue
        if os.path.isfile(given):
            _add(out, seen, os.path.abspath(given), given_dir=None)
            continue
        if not os.path.isdir(given):
            out.errors.append(f"{given}: not a file or directory")
            continue
        top = os.path.abspath(given)
        specs = _gitignore_specs(top) if respect_gitignore else []

        for dirpath, dirnames, filenames in os.walk(top, onerror=_walk_error(out, top)):
            if dirpath != top and (".git" in dirnames or any(m in filenames for m in PROJECT_MARKERS)) \
                    and any(_is_marker(dirpath, m) for m in PROJECT_MARKERS):
                nested.add(dirpath)  # a project of its own inside the one given (a service of a monorepo)
            if respect_gitignore and dirpath != top:
                spec = _read_gitignore(dirpath)
                if spec is not None:
                    specs = specs + [(dirpath, spec)]
            keep = []
            for d in sorted(dirnames):
                full = os.path.join(dirpath, d)
                if d in DEFAULT_EXCLUDES or d.endswith(".egg-info") or os.path.isfile(os.path.join(full, "pyvenv.cfg")):
                    continue
                if os.path.islink(full):
                    continue
                if specs and _ignored(full, True, specs):
                    continue
                if exclude_spec is not None and exclude_spec.match_file(os.path.relpath(full, top) + "/"):
                    continue
                keep.append(d)
            dirnames[:] = keep
            for f in sorted(filenames):
                if not (f.endswith(".py") or f.endswith(".pyi") and False):
                    continue
                full = os.path.join(dirpath, f)
                if specs and _ignored(full, False, specs):
                    continue
                if exclude_spec is not None and exclude_spec.match_file(os.path.relpath(full, top)):
                    continue
                _add(out, seen, full, given_dir=top, folders=folders)
    for root in sorted({find_project_root(os.path.abspath(p)) for p in paths if os.path.exists(p)}):
        for group, targets in declared_entry_points(root).items():
            out.entry_points[group] = out.entry_points.get(group, ()) + targets
        commands = declared_commands(root)
        if commands:
            out.entry_points[COMMANDS] = out.entry_points.get(COMMANDS, ()) + commands
    for root in sorted(nested | {find_project_root(os.path.abspath(p)) for p in paths if os.path.exists(p)}):
        requires = declared_requirements(root)
        if requires:  # by project: each module is judged by its own project's (requirements.requires_of)
            out.entry_points[REQUIRES + root] = requires
    return out


def declared_commands(root: str) -> tuple[str, ...]:
    """Lines of the project's process files (Procfile, compose files, Makefile, shell scripts, supervisor
    and systemd units) that start a worker (knowledge.jobs says which): how the project really runs its
    jobs.  They are kept beside the entry-point groups, under COMMANDS."""
    out: list[str] = []
    for sub in PROCESS_DIRS:
        folder = os.path.join(root, sub)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            if not any(fnmatch.fnmatchcase(name, pat) for pat in PROCESS_FILES) or not os.path.isfile(path):
                continue
            try:
                if os.path.getsize(path) > 262144:
                    continue
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            if not any(w in data for w in WORKER_MARKS):
                continue
            for line in data.decode("utf-8", "replace").splitlines():
                if all(w in line for w in WORKER_LINE_WORDS):
                    out.append(line.strip())
    return tuple(out)


def _walk_error(out: Discovery, top: str):  # type: ignore[no-untyped-def]
    def onerror(err: OSError) -> None:
        out.errors.append(f"{display_path(err.filename or top)}: {err.strerror or err}")
    return onerror


class _Folders:
    """What discovery works out once per folder rather than once per file: its real path, how it is shown,
    its packages, and its path relative to the folders given."""

    def __init__(self) -> None:
        self.real: dict[str, str] = {}
        self.shown: dict[str, str | None] = {}
        self.packages: dict[str, tuple[tuple[str, ...], str]] = {}
        self.relative: dict[tuple[str, str], str] = {}

    def realpath(self, full: str) -> str:
        directory, name = os.path.split(full)
        if os.path.islink(full):
            return os.path.realpath(full)
        real = self.real.get(directory)
        if real is None:
            real = self.real[directory] = os.path.realpath(directory)
        return os.path.join(real, name)

    def display(self, full: str) -> str:
        """:func:`display_path` of a file, from its folder's path relative to the current directory."""
        directory, name = os.path.split(full)
        if directory not in self.shown:
            try:
                self.shown[directory] = os.path.relpath(directory)
            except ValueError:
                self.shown[directory] = None
        rel = self.shown[directory]
        if rel is None:
            return full
        rel = name if rel == "." else os.path.join(rel, name)
        return full if rel.startswith(".." + os.sep + "..") else rel

    def relpath(self, full: str, root: str) -> str:
        directory, name = os.path.split(full)
        rel = self.relative.get((directory, root))
        if rel is None:
            rel = self.relative[(directory, root)] = os.path.relpath(directory, root)
        return name if rel == "." else os.path.join(rel, name)


def _add(out: Discovery, seen: set[str], full: str, given_dir: str | None, folders: _Folders | None = None) -> None:
    folders = folders or _Folders()
    real = folders.realpath(full)
    if real in seen:
        return
    seen.add(real)
    name, is_package, base = module_name(full, folders.packages)
    aliases: list[str] = []
    if given_dir is not None:
        # namespace packages: the name relative to the directory given and its src/
        for root in (given_dir, os.path.join(given_dir, "src")):
            rel = folders.relpath(full, root)
            if rel.startswith(".."):
                continue
            parts = rel[:-3].split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if parts and _is_identifier_path(parts):
                alias = ".".join(parts)
                if alias != name and alias not in aliases:
                    aliases.append(alias)
    entry_ctx = 0
    for pattern, marker in APP_CONTEXT_ENTRY_FILES:
        tail = "/".join(full.replace(os.sep, "/").split("/")[-(pattern.count("/") + 1):])
        if fnmatch.fnmatchcase(tail, pattern) and os.path.exists(os.path.join(os.path.dirname(full), marker)):
            entry_ctx = APP
    out.files.append(SourceFile(folders.display(full), full, name, is_package, tuple(aliases), entry_ctx))


# ---- a file's project ----------------------------------------------------------------------------

def by_project(paths: list[str]) -> dict[str, list[str]]:
    """Group paths by project root, keeping their order."""
    groups: dict[str, list[str]] = {}
    for p in paths:
        groups.setdefault(find_project_root(p), []).append(p)
    return groups
