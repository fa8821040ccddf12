"""Command-line scripts: argparse dispatch, typer commands, fire components.

``sub.set_defaults(func=add_admin)`` then ``args.func(args)`` is a call of ``add_admin`` where the
script makes it, with the context the script has there (none, unless it pushes one).  typer and
fire run the functions they are given with no context of their own, like a plain click command.
"""

from __future__ import annotations

from .base import Library, Root

LIBRARY = Library(
    name="scripts",
    packages=("argparse", "typer", "fire"),
    namespace_stores=("argparse.ArgumentParser()*.set_defaults",),
    namespaces=("argparse.ArgumentParser().parse_args()",),
    roots={
        # ``@cli.command()`` / ``@cli.command("name")``: the first argument is a name, not the function
        "typer.Typer().command": Root("job", "typer command", call=False),
        "fire.Fire": Root("job", "fire command", 0, "component", decorator=False),
    },
)
