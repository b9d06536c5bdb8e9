"""The gradcli language layer: parse a program, then interpret it.

Example:
    >>> from gradcli.lang import parse, Interpreter
    >>> out = []
    >>> source = "print(sum([1, 2, 3]))"
    >>> Interpreter({}, {}, write=out.append).run(parse(source), source)
    >>> out
    ['6\\n']

Importing this package is cheap: Lark is imported on the first ``parse``.
"""

from gradcli.lang import ast
from gradcli.lang.interpreter import Interpreter, UserFunction, run_source
from gradcli.lang.parser import parse

__all__ = ["Interpreter", "UserFunction", "ast", "parse", "run_source"]
