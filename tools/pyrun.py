#!/usr/bin/env python3
"""Developer tool: runs a .gc program with Python's own parser over gradcli's engine.

It executes each top-level statement in 'single' mode (REPL echo), with the
names gradcli binds, so the engine can be checked against PyTorch's recorded
output independently of gradcli's language front end.

usage: python tools/pyrun.py FILE.gc
"""
import ast
import builtins
import sys

from gradcli.lang.scope import program_scope
from gradcli.runtime import prepare_engine


def main(path):
    prepare_engine()
    namespace, modules = program_scope()
    ns = {"__name__": "__main__", "__builtins__": builtins, **namespace}
    src = open(path, encoding="utf-8").read()
    tree = ast.parse(src, path)
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                full = (stmt.module + "." + alias.name) if isinstance(stmt, ast.ImportFrom) \
                    else alias.name
                obj = modules.get(full) or getattr(modules.get(getattr(stmt, "module", "") or
                                                               "", None), alias.name, None)
                if isinstance(stmt, ast.Import) and not alias.asname:
                    ns[full.split(".")[0]] = modules[full.split(".")[0]]
                else:
                    ns[alias.asname or alias.name] = obj
            continue
        try:
            exec(compile(ast.Interactive(body=[stmt]), path, "single"), ns)
        except Exception as e:  # noqa: BLE001
            sys.stdout.flush()
            print(f"{type(e).__name__}: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
