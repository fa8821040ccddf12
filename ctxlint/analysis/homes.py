"""Which project a module belongs to, from its file and dotted name alone (two applications side by side in
one repository have their own templates, context processors and Flask-Babel selectors)."""

from __future__ import annotations

import os
from typing import NamedTuple

from ..model import Module


class Home(NamedTuple):
    """Where a module's project is: the folder its top-level package is in, and that package ("" for
    a top-level module, which shares its folder's project with every package there)."""

    root: str
    package: str


def home_of(mod: Module) -> Home:
    parts = (mod.import_name or mod.name).split(".")
    up = len(parts) if mod.is_package else len(parts) - 1
    root = os.path.dirname(os.path.abspath(mod.path))
    for _ in range(up):
        root = os.path.dirname(root)
    return Home(root, parts[0] if mod.is_package or len(parts) > 1 else "")


def same_project(a: Home, b: Home) -> bool:
    """Two modules of one application as far as the files tell: the same source folder and the same
    top-level package (two services side by side have their own templates and context processors)."""
    return a.root == b.root and (not a.package or not b.package or a.package == b.package)
