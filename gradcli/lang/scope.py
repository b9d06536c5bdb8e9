"""The names a program sees: the torch API (bare and as ``torch``) and importable modules."""

from __future__ import annotations

from ..api import BARE_NAMES, build_modules


def program_scope() -> tuple[dict, dict]:
    """Fresh ``(namespace, modules)`` for one program.

    ``namespace`` binds ``torch`` and every name of ``torch.__all__`` that
    gradcli implements and that does not shadow a Python builtin; ``modules``
    maps the importable dotted names to module objects.
    """
    modules = build_modules()
    torch = modules["torch"]
    namespace = {name: value for name, value in vars(torch).items()
                 if name in BARE_NAMES and not name.startswith("_")}
    namespace["torch"] = torch
    return namespace, modules
