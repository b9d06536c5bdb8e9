"""The gradcli syntax tree: one small frozen dataclass per construct.

Nodes mirror Python's own :mod:`ast` where gradcli has the construct, with
simpler fields: operators are their source text (``BinOp(left, "+", right)``),
sequences are tuples, and every node carries the :class:`~gradcli.errors.Span`
it was parsed from as its last field. The parser builds them; nothing here
evaluates anything.

A few nodes carry a derived field computed when they are built:
``FunctionDef.local_names``, ``Lambda.local_names`` and the comprehensions'
``local_names`` hold the names bound in that scope, so the interpreter knows
which names are local without scanning the body at run time.

Example:
    >>> from gradcli.lang.parser import parse
    >>> dump(parse("y = -2 ** x").body[0])
    "Assign([Name('y')], UnaryOp('-', BinOp(Constant(2), '**', Name('x'))))"
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from gradcli.errors import Span

_node = dataclass(frozen=True, slots=True)


# ---------------------------------------------------------------- module

@_node
class Module:
    """A whole program: its top-level statements in order."""

    body: tuple[Statement, ...]
    span: Span


# ------------------------------------------------------------ statements

@_node
class Expr:
    """An expression statement; at top level its value is displayed."""

    value: Expression
    span: Span


@_node
class Assign:
    """``t1 = t2 = value``: targets are Name/Attribute/Subscript/Tuple/List."""

    targets: tuple[Expression, ...]
    value: Expression
    span: Span


@_node
class AugAssign:
    """``target op= value`` with ``op`` the operator without ``=`` (``"+"``)."""

    target: Expression
    op: str
    value: Expression
    span: Span


@_node
class Delete:
    """``del t1, t2``."""

    targets: tuple[Expression, ...]
    span: Span


@_node
class Pass:
    """``pass``."""

    span: Span


@_node
class Break:
    """``break``."""

    span: Span


@_node
class Continue:
    """``continue``."""

    span: Span


@_node
class Return:
    """``return [value]``."""

    value: Expression | None
    span: Span


@_node
class Assert:
    """``assert test[, msg]``."""

    test: Expression
    msg: Expression | None
    span: Span


@_node
class Raise:
    """``raise [exc [from cause]]``."""

    exc: Expression | None
    cause: Expression | None
    span: Span


@_node
class Global:
    """``global a, b``."""

    names: tuple[str, ...]
    span: Span


@_node
class Nonlocal:
    """``nonlocal a, b``."""

    names: tuple[str, ...]
    span: Span


@_node
class Alias:
    """One imported name: ``torch.nn as nn`` (``name`` may be dotted)."""

    name: str
    asname: str | None
    span: Span


@_node
class Import:
    """``import a.b as c, d``."""

    names: tuple[Alias, ...]
    span: Span


@_node
class ImportFrom:
    """``from module import a as b, c``."""

    module: str
    names: tuple[Alias, ...]
    span: Span


@_node
class If:
    """``if``/``elif``/``else``; an ``elif`` is an ``If`` alone in ``orelse``."""

    test: Expression
    body: tuple[Statement, ...]
    orelse: tuple[Statement, ...]
    span: Span


@_node
class For:
    """``for target in iter: body [else: orelse]``."""

    target: Expression
    iter: Expression
    body: tuple[Statement, ...]
    orelse: tuple[Statement, ...]
    span: Span


@_node
class While:
    """``while test: body [else: orelse]``."""

    test: Expression
    body: tuple[Statement, ...]
    orelse: tuple[Statement, ...]
    span: Span


@_node
class ExceptHandler:
    """``except [type [as name]]: body``."""

    type: Expression | None
    name: str | None
    body: tuple[Statement, ...]
    span: Span


@_node
class Try:
    """``try: body except...: ... else: orelse finally: finalbody``."""

    body: tuple[Statement, ...]
    handlers: tuple[ExceptHandler, ...]
    orelse: tuple[Statement, ...]
    finalbody: tuple[Statement, ...]
    span: Span


@_node
class WithItem:
    """One ``context_expr [as optional_vars]`` of a ``with`` statement."""

    context_expr: Expression
    optional_vars: Expression | None
    span: Span


@_node
class With:
    """``with a as x, b: body``."""

    items: tuple[WithItem, ...]
    body: tuple[Statement, ...]
    span: Span


@_node
class Param:
    """A function parameter with its default expression, if any.

    ``kind`` is ``"posonly"`` (before ``/``), ``"positional"`` (positional
    or keyword), ``"vararg"``
    (``*args``), ``"kwonly"`` (after ``*`` or ``*args``) or ``"kwarg"``
    (``**kwargs``).
    """

    name: str
    default: Expression | None
    span: Span
    kind: str = "positional"


@_node
class FunctionDef:
    """``[@decorators] def name(params): body``.

    ``local_names`` leaves out the names declared ``global``/``nonlocal``
    (``global_names``/``nonlocal_names``); ``is_generator`` tells whether the
    body yields.
    """

    name: str
    params: tuple[Param, ...]
    body: tuple[Statement, ...]
    span: Span
    decorators: tuple[Expression, ...] = ()
    local_names: frozenset[str] = field(init=False, repr=False, compare=False)
    global_names: frozenset[str] = field(init=False, repr=False, compare=False)
    nonlocal_names: frozenset[str] = field(init=False, repr=False, compare=False)
    is_generator: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {param.name for param in self.params}
        _collect_bound_names(self.body, names)
        declared_global: set[str] = set()
        declared_nonlocal: set[str] = set()
        _collect_declarations(self.body, declared_global, declared_nonlocal)
        object.__setattr__(self, "local_names",
                           frozenset(names - declared_global - declared_nonlocal))
        object.__setattr__(self, "global_names", frozenset(declared_global))
        object.__setattr__(self, "nonlocal_names", frozenset(declared_nonlocal))
        object.__setattr__(self, "is_generator", _yields(self.body))


@_node
class ClassDef:
    """``[@decorators] class name(bases, keywords): body``."""

    name: str
    bases: tuple[Expression, ...]
    keywords: tuple[Keyword, ...]
    body: tuple[Statement, ...]
    span: Span
    decorators: tuple[Expression, ...] = ()
    local_names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names: set[str] = set()
        _collect_bound_names(self.body, names)
        object.__setattr__(self, "local_names", frozenset(names))


# ----------------------------------------------------------- expressions

@_node
class Name:
    """A variable reference (or assignment target)."""

    id: str
    span: Span


@_node
class Constant:
    """A literal: int, float, complex, str, ``True``/``False``/``None``, ``...``."""

    value: object
    span: Span


@_node
class FormattedValue:
    """One ``{value!conversion:format_spec}`` field of an f-string."""

    value: Expression
    conversion: str | None
    format_spec: JoinedStr | None
    span: Span


@_node
class JoinedStr:
    """An f-string: Constant (str) and FormattedValue parts in order."""

    values: tuple[Constant | FormattedValue, ...]
    span: Span


@_node
class BinOp:
    """``left op right``; ``op`` is one of ``+ - * / // % ** @ << >> & | ^``."""

    left: Expression
    op: str
    right: Expression
    span: Span


@_node
class UnaryOp:
    """``op operand``; ``op`` is one of ``- + ~ not``."""

    op: str
    operand: Expression
    span: Span


@_node
class BoolOp:
    """``a and b and c`` / ``a or b`` (short-circuiting)."""

    op: str
    values: tuple[Expression, ...]
    span: Span


@_node
class Compare:
    """``left op1 c1 op2 c2`` (chained); ops include ``in``, ``not in``, ``is``, ``is not``."""

    left: Expression
    ops: tuple[str, ...]
    comparators: tuple[Expression, ...]
    span: Span


@_node
class Yield:
    """``yield [value]`` (``from_`` for ``yield from value``)."""

    value: Expression | None
    span: Span
    from_: bool = False


@_node
class Starred:
    """``*value`` in a call, list or tuple; ``**value`` (``double``) in a call."""

    value: Expression
    span: Span
    double: bool = False


@_node
class IfExp:
    """``body if test else orelse``."""

    test: Expression
    body: Expression
    orelse: Expression
    span: Span


@_node
class Lambda:
    """``lambda params: body``."""

    params: tuple[Param, ...]
    body: Expression
    span: Span
    local_names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "local_names", frozenset(p.name for p in self.params))


@_node
class Keyword:
    """A keyword argument ``arg=value`` of a call."""

    arg: str
    value: Expression
    span: Span


@_node
class Call:
    """``func(*args, **keywords)``."""

    func: Expression
    args: tuple[Expression, ...]
    keywords: tuple[Keyword, ...]
    span: Span


@_node
class Attribute:
    """``value.attr``."""

    value: Expression
    attr: str
    span: Span


@_node
class Slice:
    """``lower:upper:step`` inside a subscript (missing parts are None)."""

    lower: Expression | None
    upper: Expression | None
    step: Expression | None
    span: Span


@_node
class Subscript:
    """``value[slice]``; several indices make ``slice`` a Tuple."""

    value: Expression
    slice: Expression
    span: Span


@_node
class Tuple:
    """``(a, b)`` or a bare ``a, b``."""

    elts: tuple[Expression, ...]
    span: Span


@_node
class List:
    """``[a, b]``."""

    elts: tuple[Expression, ...]
    span: Span


@_node
class Dict:
    """``{k: v, ...}``; a key of None stands for ``**mapping`` (its value)."""

    keys: tuple[Expression, ...]
    values: tuple[Expression, ...]
    span: Span


@_node
class Set:
    """``{a, b}``."""

    elts: tuple[Expression, ...]
    span: Span


@_node
class Comprehension:
    """One ``for target in iter if cond...`` clause of a comprehension."""

    target: Expression
    iter: Expression
    ifs: tuple[Expression, ...]
    span: Span


@_node
class ListComp:
    """``[elt for ... in ... if ...]``."""

    elt: Expression
    generators: tuple[Comprehension, ...]
    span: Span
    local_names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "local_names", _comprehension_names(self.generators))


@_node
class GeneratorExp:
    """``(elt for ... in ...)``: its items are computed on demand, as in Python."""

    elt: Expression
    generators: tuple[Comprehension, ...]
    span: Span
    local_names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "local_names", _comprehension_names(self.generators))


@_node
class DictComp:
    """``{key: value for ... in ...}``."""

    key: Expression
    value: Expression
    generators: tuple[Comprehension, ...]
    span: Span
    local_names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "local_names", _comprehension_names(self.generators))


@_node
class SetComp:
    """``{elt for ... in ...}``."""

    elt: Expression
    generators: tuple[Comprehension, ...]
    span: Span
    local_names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "local_names", _comprehension_names(self.generators))


Statement = (Expr | Assign | AugAssign | Delete | Pass | Break | Continue | Return | Assert
             | Raise | Global | Nonlocal | Import | ImportFrom | If | For | While | Try
             | With | FunctionDef | ClassDef)
Expression = (Name | Constant | JoinedStr | FormattedValue | BinOp | UnaryOp | BoolOp | Compare
              | IfExp | Lambda | Call | Attribute | Subscript | Slice | Tuple | List | Dict
              | Set | ListComp | GeneratorExp | DictComp | SetComp | Yield | Starred)

#: Every node class, in definition order (the interpreter has one visitor each).
NODE_CLASSES: tuple[type, ...] = (
    Module, Expr, Assign, AugAssign, Delete, Pass, Break, Continue, Return, Assert,
    Raise, Global, Nonlocal, Alias, Import, ImportFrom, If, For, While, ExceptHandler, Try,
    WithItem, With, Param, FunctionDef, ClassDef,
    Name, Constant, FormattedValue, JoinedStr, BinOp, UnaryOp, BoolOp, Compare, Yield,
    Starred, IfExp, Lambda, Keyword, Call, Attribute, Slice, Subscript, Tuple, List, Dict,
    Set, Comprehension, ListComp, GeneratorExp, DictComp, SetComp,
)


# ------------------------------------------------------- scope analysis

def target_names(target: Expression, names: set[str]) -> None:
    """Adds the names an assignment to ``target`` binds (``a, (b, c)`` binds three)."""
    if isinstance(target, Name):
        names.add(target.id)
    elif isinstance(target, (Tuple, List)):
        for element in target.elts:
            target_names(element, names)


def _comprehension_names(generators: tuple[Comprehension, ...]) -> frozenset[str]:
    names: set[str] = set()
    for generator in generators:
        target_names(generator.target, names)
    return frozenset(names)


def _collect_bound_names(body: tuple[Statement, ...], names: set[str]) -> None:
    """Adds the names that statements bind in their own scope.

    Nested ``def`` bodies, lambdas and comprehensions are scopes of their own
    and are not entered; a nested ``def`` binds its name here.
    """
    for stmt in body:
        kind = type(stmt)
        if kind is Assign:
            for target in stmt.targets:
                target_names(target, names)
        elif kind is AugAssign or kind is For:
            target_names(stmt.target, names)
            if kind is For:
                _collect_bound_names(stmt.body, names)
                _collect_bound_names(stmt.orelse, names)
        elif kind is Delete:
            for target in stmt.targets:
                target_names(target, names)
        elif kind is If or kind is While:
            _collect_bound_names(stmt.body, names)
            _collect_bound_names(stmt.orelse, names)
        elif kind is Try:
            _collect_bound_names(stmt.body, names)
            for handler in stmt.handlers:
                if handler.name is not None:
                    names.add(handler.name)
                _collect_bound_names(handler.body, names)
            _collect_bound_names(stmt.orelse, names)
            _collect_bound_names(stmt.finalbody, names)
        elif kind is With:
            for item in stmt.items:
                if item.optional_vars is not None:
                    target_names(item.optional_vars, names)
            _collect_bound_names(stmt.body, names)
        elif kind is FunctionDef or kind is ClassDef:
            names.add(stmt.name)
        elif kind is Import:
            for alias in stmt.names:
                names.add(alias.asname or alias.name.partition(".")[0])
        elif kind is ImportFrom:
            for alias in stmt.names:
                names.add(alias.asname or alias.name)


def _blocks(stmt: Statement) -> tuple[tuple[Statement, ...], ...]:
    """The statement blocks nested in ``stmt`` that belong to its own scope."""
    kind = type(stmt)
    if kind is If or kind is For or kind is While:
        return (stmt.body, stmt.orelse)
    if kind is With:
        return (stmt.body,)
    if kind is Try:
        return (stmt.body, *(handler.body for handler in stmt.handlers), stmt.orelse,
                stmt.finalbody)
    return ()


def _collect_declarations(body: tuple[Statement, ...], globals_: set[str],
                          nonlocals: set[str]) -> None:
    """Adds the names declared ``global``/``nonlocal`` in a scope (nested defs excluded)."""
    for stmt in body:
        kind = type(stmt)
        if kind is Global:
            globals_.update(stmt.names)
        elif kind is Nonlocal:
            nonlocals.update(stmt.names)
        for block in _blocks(stmt):
            _collect_declarations(block, globals_, nonlocals)


def contains_yield(node: object) -> bool:
    """Tells whether an expression or statement yields (nested scopes excluded)."""
    kind = type(node)
    if kind is Yield:
        return True
    if kind in (FunctionDef, ClassDef, Lambda, ListComp, GeneratorExp, DictComp, SetComp):
        return False
    if isinstance(node, tuple):
        return any(contains_yield(item) for item in node)
    if kind in _NODE_SET:
        return any(contains_yield(getattr(node, f.name)) for f in fields(node)
                   if f.init and f.name != "span")
    return False


def _yields(body: tuple[Statement, ...]) -> bool:
    return contains_yield(body)


# ----------------------------------------------------------------- dump

def dump(node: object) -> str:
    """Renders a node (or tuple of nodes) compactly, without spans.

    Example:
        >>> dump(BinOp(Name("a", None), "+", Constant(1, None), None))
        "BinOp(Name('a'), '+', Constant(1))"
    """
    if isinstance(node, tuple):
        return "[" + ", ".join(dump(item) for item in node) + "]"
    if type(node) in _NODE_SET:
        parts = [dump(getattr(node, f.name)) for f in fields(node)
                 if f.init and f.name != "span" and getattr(node, f.name) != f.default]
        return f"{type(node).__name__}({', '.join(parts)})"
    return repr(node)


_NODE_SET = frozenset(NODE_CLASSES)
