"""Runs a gradcli syntax tree with Python's semantics.

A tree-walking evaluator: one ``visit_<Node>`` method per class of
:mod:`gradcli.lang.ast`, dispatched through a dict built once per interpreter.
Statements return ``None`` to go on or a signal (break, continue, return) that
blocks pass up; there are no exceptions for control flow.

Operators go through :mod:`operator` on the program's own values, so a host
object's dunder methods (a tensor's ``__add__``, ``__iadd__``, ``__enter__``)
do the work. Any exception raised while evaluating becomes a
:class:`~gradcli.errors.ProgramError` carrying the span of the innermost node
being evaluated; a ``ProgramError`` that already has a span keeps it.

Sandbox: a program never reaches Python itself. Attribute names starting with
``_`` are refused on every object (get, set, del), as are ``str.format``, the
frame/code attributes of generators and tracebacks, the file I/O methods of
NumPy, ``mro``, and any module object the host did not hand over in
``modules``. The exceptions, all read-only: the special methods of
:data:`PROTOCOL_METHODS` on ``super()`` objects and on a program's classes
and their instances (``super().__init__()``), ``__class__`` of such an
instance, and ``__name__`` of a class or function.

Classes: a ``class`` statement runs its body in a scope of its own and makes
a real Python class (so Python calls its special methods), whose bases must
be ``object``, exception classes, other program classes, or host classes that
set :data:`SUBCLASSABLE` (``nn.Module``, ``autograd.Function``); its body may
bind no ``_`` name but those special methods. ``super()`` without arguments
finds the class and first argument of the running method. Exceptions: a
``try`` catches the :class:`~gradcli.errors.ProgramError` an error became and
matches its kind to the handler's class; handlers see a fresh exception
object, never the host's (except what the program raised itself). The step
limit is fatal: no ``except`` or ``__exit__`` stops it. Generators run
lazily on hand-over threads (see :class:`Generator`).

Python frames: one user-level call costs 4 to 15 Python frames (more with
deeply nested expressions or blocks in its body); :meth:`Interpreter.run`
raises Python's recursion limit to ``1000 + 60 * max_depth`` when it is lower
(13 000 for the default ``max_depth`` of 200) and never lowers it.
"""

# Every error a program meets, whatever its class, must become a ProgramError
# with a span: catching Exception (never BaseException) is the design.
# ruff: noqa: BLE001

from __future__ import annotations

import operator
import string
import sys
import threading
from collections import namedtuple
from collections.abc import Callable
from itertools import islice
from types import MethodType, ModuleType, new_class
from typing import Any

from gradcli.errors import ProgramError
from gradcli.lang import ast
from gradcli.lang.builtins import make_builtins
from gradcli.lang.parser import parse

__all__ = ["PROTOCOL_METHODS", "SUBCLASSABLE", "Generator", "Interpreter", "UserFunction",
           "run_source"]

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "@": operator.matmul,
    "<<": operator.lshift, ">>": operator.rshift, "&": operator.and_, "|": operator.or_,
    "^": operator.xor,
}
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.iadd, "-": operator.isub, "*": operator.imul, "/": operator.itruediv,
    "//": operator.ifloordiv, "%": operator.imod, "**": operator.ipow, "@": operator.imatmul,
    "<<": operator.ilshift, ">>": operator.irshift, "&": operator.iand, "|": operator.ior,
    "^": operator.ixor,
}
_UNARY: dict[str, Callable[[Any], Any]] = {
    "-": operator.neg, "+": operator.pos, "~": operator.invert, "not": operator.not_,
}


def _in(left: Any, right: Any) -> bool:
    return left in right


def _not_in(left: Any, right: Any) -> bool:
    return left not in right


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge, "in": _in, "not in": _not_in,
    "is": operator.is_, "is not": operator.is_not,
}

# Attribute names refused besides the private ones: the way from a generator,
# coroutine or traceback to frames and globals; str.format (it reads
# attributes named in the format string); NumPy's file I/O.
_FRAME_ATTRIBUTES = frozenset({
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "cr_origin",
    "ag_frame", "ag_code", "ag_await", "tb_frame", "tb_next", "f_back", "f_builtins",
    "f_code", "f_globals", "f_locals", "f_trace", "func_globals", "func_code",
})
_FILE_ATTRIBUTES = frozenset({
    "tofile", "dump", "load", "save", "savez", "savez_compressed", "savetxt", "loadtxt",
    "fromfile", "genfromtxt", "fromregex", "memmap", "open_memmap", "DataSource",
    "ctypes", "ctypeslib",
})
# ``mro`` lists a class's bases up to Python's ``object``.
_GUARDED = _FRAME_ATTRIBUTES | _FILE_ATTRIBUTES | {"format", "format_map", "mro"}

# Underscore names PyTorch users read (``x._version`` in tutorials on in-place
# ops): readable, never writable, and only where the class defines a property.
_READABLE_PRIVATE = frozenset({"_version"})

# The features ``from __future__ import`` accepts (all of them on in Python 3).
_FUTURE_FEATURES = frozenset({
    "nested_scopes", "generators", "division", "absolute_import", "with_statement",
    "print_function", "unicode_literals", "generator_stop", "annotations",
})


def _safe_format(template: str) -> Callable[..., str]:
    """``template.format`` limited to plain fields: ``{}``, ``{0}``, ``{name:.2f}``.

    Python's format strings can read attributes and items (``{0.__class__}``),
    which would bypass the attribute rules, so such fields are refused.
    """

    def check(text: str) -> None:
        for _literal, field, spec, _conversion in string.Formatter().parse(text):
            if field and ("." in field or "[" in field):
                raise ValueError(f"format field '{{{field}}}' reads an attribute or item, "
                                 "which gradcli does not allow; use an f-string")
            if spec:
                check(spec)

    def format(*args: Any, **kwargs: Any) -> str:
        check(template)
        return template.format(*args, **kwargs)

    return format


# The special methods a program's class may define, and read through ``super()``,
# a class of its own or an instance of one (``super().__init__()``,
# ``Base.__repr__(self)``); Python calls them as usual. Attribute hooks
# (``__getattribute__``, ``__setattr__``), ``__del__``, ``__new__``,
# ``__init_subclass__``, ``__class__``, ``__dict__`` and the like stay out.
PROTOCOL_METHODS = frozenset({
    "__init__", "__call__", "__repr__", "__str__", "__len__", "__getitem__",
    "__setitem__", "__delitem__", "__iter__", "__next__", "__contains__", "__bool__",
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__format__",
    "__float__", "__int__", "__index__", "__enter__", "__exit__", "__getattr__",
    "__neg__", "__pos__", "__abs__", "__invert__",
    *(f"__{prefix}{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod",
                                     "pow", "matmul", "and", "or", "xor", "lshift", "rshift")
      for prefix in ("", "r", "i")),
})
# Marks a class a program defined (set by the interpreter, private to programs).
_USER_CLASS = "_gradcli_user_class"
# Host classes a program may subclass say so with this attribute.
SUBCLASSABLE = "_gradcli_subclassable"


def _readable_private(obj: Any, attr: str) -> bool:
    if attr in PROTOCOL_METHODS:
        return _protocol_readable(obj)
    if attr == "__name__":
        return isinstance(obj, type) or type(obj) is UserFunction
    if attr == "__class__":     # of an instance of a program's class: its class
        return not isinstance(obj, type) and type(obj) is not super and _protocol_readable(obj)
    return attr in _READABLE_PRIVATE and isinstance(getattr(type(obj), attr, None), property)


def _protocol_readable(obj: Any) -> bool:
    """Whether a program may read a protocol method of ``obj``."""
    if type(obj) is super:
        return True
    cls = obj if isinstance(obj, type) else type(obj)
    return bool(getattr(cls, _USER_CLASS, False) or getattr(cls, SUBCLASSABLE, False))

_MISSING = object()
_Name = ast.Name
_UNKNOWN_EXCEPTIONS: dict[str, type] = {}
_PLAIN_ARGUMENTS = frozenset({str, int, float, bool, type(None)})


def _unknown_exception_class(kind: str) -> type:
    """A stand-in class for an error kind that is no Python builtin (``torch.X``)."""
    cls = _UNKNOWN_EXCEPTIONS.get(kind)
    if cls is None:
        base = RuntimeError if kind.endswith("Error") else Exception
        cls = _UNKNOWN_EXCEPTIONS[kind] = type(kind.rpartition(".")[2], (base,), {})
    return cls

# Signals a statement returns to the enclosing block (None: carry on).
_BREAK = 1
_CONTINUE = 2
_RETURN = 3


def _frames_needed(max_depth: int) -> int:
    return 1000 + 60 * max_depth


def _ensure_recursion_limit(limit: int) -> None:
    if sys.getrecursionlimit() < limit:
        sys.setrecursionlimit(limit)


def _quoted_list(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


# One scope: a function call, a comprehension, or the module. ``vars`` holds
# the names bound in it (the module's is the host's namespace dict),
# ``local_names`` the names it may bind (None for the module), ``parent`` the
# lexically enclosing scope. A named tuple made with tuple.__new__ (no Python
# __init__ to run) because one is made per call.
_Frame = namedtuple("_Frame", ("vars", "local_names", "parent", "function"))
_new_frame = tuple.__new__


class UserFunction:
    """A function a program defined with ``def`` or ``lambda``.

    It is a real Python callable, so host code can call it (a hook, the
    function given to ``jacobian``); an error inside still comes out as a
    :class:`~gradcli.errors.ProgramError` with the span inside the function.
    It is a descriptor, as Python's functions are, so that a class body's
    ``def`` becomes a method. Its state lives in private attributes, out of
    the program's reach.
    """

    def __init__(self, interpreter: Interpreter, node: ast.FunctionDef | ast.Lambda,
                 name: str, defaults: tuple, closure: _Frame, source: str | None,
                 kw_defaults: dict | None = None) -> None:
        self._interpreter = interpreter
        params = node.params
        self._params = tuple(param.name for param in params
                             if param.kind in ("positional", "posonly"))
        self._posonly = tuple(param.name for param in params if param.kind == "posonly")
        self._kwonly = tuple(param.name for param in params if param.kind == "kwonly")
        self._vararg = next((param.name or None for param in params
                             if param.kind == "vararg"), None)
        self._kwarg = next((param.name for param in params if param.kind == "kwarg"), None)
        self._is_lambda = type(node) is ast.Lambda
        self._redirects = None if self._is_lambda or not (
            node.global_names or node.nonlocal_names) else (node.global_names,
                                                             node.nonlocal_names)
        # Plain positional parameters and no global/nonlocal: _call's fast path.
        self._simple = (len(self._params) == len(params) and not self._posonly
                        and self._redirects is None)
        self._defaults = defaults
        self._kw_defaults = kw_defaults or {}
        self._local_names = node.local_names
        self._closure = closure
        self._source = source
        self._is_generator = not self._is_lambda and node.is_generator
        self._body = node.body
        self._owner: type | None = None     # the class whose body defined it (for super())
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._interpreter._call(self, args, kwargs)

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return MethodType(self, obj)

    def __repr__(self) -> str:
        return f"<function {self.__name__}>"


# type(f) of a user function shows as Python's: <class 'function'>.
UserFunction.__name__ = UserFunction.__qualname__ = "function"
UserFunction.__module__ = "builtins"


class _Close(BaseException):
    """Raised at a suspended ``yield`` to close its generator (GeneratorExit's role).

    A BaseException, so no ``except`` of the program catches it (they catch
    Exception), while ``finally`` blocks and ``with`` exits still run.
    """


class _Channel:
    """What a generator's body and its consumers share across threads.

    Exactly one side runs at a time: the consumer waits on ``handoff``
    while the body runs, the body waits on ``resume`` while suspended. The
    channel never refers to its :class:`Generator`, so dropping the
    generator closes it.
    """

    __slots__ = ("base_depth", "closing", "done", "error", "function", "handoff", "resume",
                 "running", "sent", "state", "thread", "thrown", "value")

    def __init__(self, function: UserFunction, state: tuple) -> None:
        self.function = function
        self.state: tuple | None = state    # the body's interpreter state while suspended
        self.handoff = threading.Semaphore(0)
        self.resume = threading.Semaphore(0)
        self.thread: threading.Thread | None = None
        self.value: Any = None
        self.sent: Any = None
        self.error: BaseException | None = None
        self.done = False
        self.running = False
        self.closing = False
        self.thrown: BaseException | None = None    # what throw() raises at the yield
        self.base_depth = 0


class Generator:
    """What calling a generator function returns.

    Its body runs lazily, in step with the consumer, as Python's does: on a
    thread of its own that hands control back and forth with whoever calls
    ``next()`` (only one of them runs at any time, so the interpreter's
    state is simply swapped at each hand-over). Dropping an unfinished
    generator closes it (its ``finally`` blocks run).
    """

    __slots__ = ("_channel", "_interpreter")

    def __init__(self, interpreter: Interpreter, channel: _Channel) -> None:
        self._interpreter = interpreter
        self._channel = channel

    def __iter__(self) -> Generator:
        return self

    def __next__(self) -> Any:
        return self._interpreter._resume(self._channel, None)

    def send(self, value: Any) -> Any:
        if self._channel.thread is None and value is not None:
            raise TypeError("can't send non-None value to a just-started generator")
        return self._interpreter._resume(self._channel, value)

    def throw(self, value: Any) -> Any:
        """Raises ``value`` (an exception or its class) at the suspended ``yield``."""
        if isinstance(value, type) and issubclass(value, BaseException):
            value = value()
        if not isinstance(value, BaseException):
            raise TypeError("exceptions must derive from BaseException")
        channel = self._channel
        if channel.thread is None or channel.done:
            channel.done = True
            raise value
        channel.thrown = value
        return self._interpreter._resume(channel, None)

    def close(self) -> None:
        self._interpreter._close(self._channel)

    def __del__(self) -> None:
        try:
            self._interpreter._close(self._channel)
        except BaseException:   # noqa: S110 - nothing may escape a finalizer
            pass

    def __repr__(self) -> str:
        return f"<generator object {self._channel.function.__name__}>"


class _GeneratorExpression:
    """A generator expression's value: its items are computed one by one, on demand.

    ``items`` is a Python generator of the interpreter's that evaluates each
    item in the expression's own scope (an expression cannot suspend inside,
    so no thread is needed).
    """

    __slots__ = ("_items",)

    def __init__(self, items: Any) -> None:
        self._items = items

    def __iter__(self) -> _GeneratorExpression:
        return self

    def __next__(self) -> Any:
        return next(self._items)

    def close(self) -> None:
        self._items.close()

    def __repr__(self) -> str:
        return "<generator object <genexpr>>"


for _cls in (Generator, _GeneratorExpression):
    _cls.__name__ = _cls.__qualname__ = "generator"
    _cls.__module__ = "builtins"

# Generator bodies run on threads of their own: the stack deep recursion needs.
_GENERATOR_STACK = 64 * 1024 * 1024


class _ScopeVars(dict):
    """A function scope's variables where some names live elsewhere.

    Names declared ``global`` are read and written in the module's dict,
    ``nonlocal`` ones in the enclosing function's.
    """

    __slots__ = ("_elsewhere",)

    def __init__(self, variables: dict, elsewhere: dict[str, dict]) -> None:
        super().__init__(variables)
        self._elsewhere = elsewhere

    def get(self, name: Any, default: Any = None) -> Any:
        target = self._elsewhere.get(name)
        if target is not None:
            return target.get(name, default)
        return dict.get(self, name, default)

    def __getitem__(self, name: Any) -> Any:
        target = self._elsewhere.get(name)
        return target[name] if target is not None else dict.__getitem__(self, name)

    def __setitem__(self, name: Any, value: Any) -> None:
        target = self._elsewhere.get(name)
        if target is not None:
            target[name] = value
        else:
            dict.__setitem__(self, name, value)

    def __delitem__(self, name: Any) -> None:
        target = self._elsewhere.get(name)
        if target is not None:
            del target[name]
        else:
            dict.__delitem__(self, name)

    def __contains__(self, name: object) -> bool:
        target = self._elsewhere.get(name)
        return name in target if target is not None else dict.__contains__(self, name)


class _ClassScope(frozenset):
    """The ``local_names`` of a class body's frame: functions defined there skip it."""



# Exceptions that gradcli's engine and API never raise on purpose (their deliberate
# errors are TypeError, RuntimeError, IndexError, ValueError...): met in their code,
# one of these is a bug in gradcli, reported as such rather than as the program's.
_BUG_CLASSES = (AttributeError, KeyError, NameError, AssertionError)
_OWN_CODE = ("/gradcli/engine/", "/gradcli/api/", "/gradcli/render/")


def _is_internal(exc: BaseException) -> bool:
    if not isinstance(exc, _BUG_CLASSES):
        return False
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    where = tb.tb_frame.f_code.co_filename.replace("\\", "/")
    return any(part in where for part in _OWN_CODE)


class Interpreter:
    """Evaluates gradcli modules against a namespace.

    Args:
        namespace: the program's global names (the host puts PyTorch's API
            there); the program's own top-level assignments land in it too.
            The safe builtins sit under it: a name in ``namespace`` wins.
        modules: importable modules by dotted name (``"torch"``,
            ``"torch.nn.functional"``, ``"numpy"``, ``"math"``). Any module
            object a program can reach by attribute must be among these
            (NumPy's and math's own submodules excepted).
        write: where ``print`` and the default display send text.
        display: called with the value of each top-level expression statement
            that is not None; defaults to writing ``repr(value) + "\\n"``.
        max_steps: statements plus loop iterations one :meth:`run` may execute.
        max_depth: how deeply user functions may call each other.

    Example:
        >>> from gradcli.lang.parser import parse
        >>> out = []
        >>> source = "x = 2\\nx * 21"
        >>> Interpreter({}, {}, write=out.append).run(parse(source), source)
        >>> out
        ['42\\n']
    """

    def __init__(self, namespace: dict[str, object], modules: dict[str, object], *,
                 write: Callable[[str], None], display: Callable[[object], None] | None = None,
                 max_steps: int = 1_000_000, max_depth: int = 200) -> None:
        self._globals = namespace
        self._builtins = make_builtins(write)
        self._modules = modules
        self._module_ids = {id(module) for module in modules.values()}
        self._module_roots = {name.partition(".")[0] for name in modules}
        self._write = write
        self._display = display if display is not None else self._default_display
        self._max_steps = max_steps
        self._max_depth = max_depth
        self._steps_left = max_steps
        self._depth = 0
        self._source: str | None = None
        self._module_frame = _new_frame(_Frame, (namespace, None, None, None))
        self._return_value: Any = None
        self._frame = self._module_frame
        self._vars = namespace      # self._frame.vars, kept at hand for speed
        self._generator: _Channel | None = None     # the generator whose body runs
        self._handling: list[ProgramError] = []   # errors being handled (bare `raise`)
        self._super = self._builtins["super"]
        self._visitors: dict[type, Callable[[Any], Any]] = {
            cls: getattr(self, "visit_" + cls.__name__) for cls in ast.NODE_CLASSES}

    # ------------------------------------------------------------ public

    def run(self, module: ast.Module, source: str) -> None:
        """Runs a module's statements in order (REPL semantics).

        Args:
            module: what :func:`gradcli.lang.parser.parse` returned.
            source: the text it was parsed from (errors quote it).

        Raises:
            ProgramError: the first error the program meets; what it printed
                before stays printed.
        """
        _ensure_recursion_limit(_frames_needed(self._max_depth))
        self._source = source
        self._steps_left = self._max_steps
        self._depth = 0
        self._frame = self._module_frame
        self._vars = self._globals
        try:
            self.visit_Module(module)
        except Exception as exc:
            raise self._fail(exc, module)
        finally:
            self._frame = self._module_frame
            self._vars = self._globals

    # ----------------------------------------------------------- helpers

    def _default_display(self, value: object) -> None:
        self._write(repr(value) + "\n")

    def _fail(self, exc: Exception, node: Any) -> ProgramError:
        """The ProgramError to raise for ``exc`` met while evaluating ``node``."""
        if isinstance(exc, ProgramError):
            if exc.span is None:
                exc.span = node.span
                exc.source = self._source
            return exc
        error = ProgramError(type(exc).__name__, str(exc), node.span, self._source)
        error.__cause__ = exc
        error.internal = _is_internal(exc)
        return error

    def _step_error(self, node: Any) -> ProgramError:
        error = ProgramError(
            "RuntimeError", f"program exceeded the step limit of {self._max_steps} steps "
            "(raise it with --max-steps)", node.span, self._source)
        error.fatal = True      # no `except` catches it
        return error

    def _exec_block(self, body: tuple) -> int | None:
        visitors = self._visitors
        for stmt in body:
            self._steps_left -= 1
            if self._steps_left < 0:
                raise self._step_error(stmt)
            signal = visitors[type(stmt)](stmt)
            if signal is not None:
                return signal
        return None

    def _lookup(self, node: ast.Name) -> Any:
        """Finds a name missing from the current scope: enclosing scopes, then builtins."""
        name = node.id
        frame = current = self._frame
        while frame.parent is not None:
            if name in frame.local_names and type(frame.local_names) is not _ClassScope:
                if frame is current:
                    message = (f"cannot access local variable '{name}' where it is not "
                               "associated with a value")
                    raise ProgramError("UnboundLocalError", message, node.span, self._source)
                message = (f"cannot access free variable '{name}' where it is not associated "
                           "with a value in enclosing scope")
                raise ProgramError("NameError", message, node.span, self._source)
            frame = frame.parent
            value = frame.vars.get(name, _MISSING)
            if value is not _MISSING:
                return value
        value = self._builtins.get(name, _MISSING)
        if value is _MISSING:
            raise ProgramError("NameError", f"name '{name}' is not defined", node.span,
                               self._source)
        return value

    def _check_attribute(self, obj: Any, attr: str) -> None:
        """Raises AttributeError for an attribute out of a program's reach."""
        if attr[:1] == "_":
            raise AttributeError(f"attribute '{attr}' is private: names starting with '_' "
                                 "are not accessible in gradcli")
        if attr in ("format", "format_map"):
            if isinstance(obj, str) or (isinstance(obj, type) and issubclass(obj, str)):
                raise AttributeError(f"str.{attr} is not available in gradcli; use an "
                                     "f-string")
            return
        if attr in _FILE_ATTRIBUTES:
            raise AttributeError(f"'{attr}' is not available in gradcli (no file access)")
        if attr == "mro" and isinstance(obj, type):
            raise AttributeError("a class's mro() is not accessible in gradcli; use "
                                 "isinstance() or issubclass()")
        if attr == "mro":
            return
        raise AttributeError(f"attribute '{attr}' is not accessible in gradcli")

    def _check_module(self, value: ModuleType) -> None:
        """Refuses a module object the host did not hand over."""
        if id(value) in self._module_ids:
            return
        name = getattr(value, "__name__", None) or "?"
        root = name.partition(".")[0]
        if root in ("numpy", "math") and root in self._module_roots:
            return
        raise AttributeError(f"module '{name}' is not accessible in gradcli")

    def _import(self, name: str) -> Any:
        modules = self._modules
        prefix = ""
        for part in name.split("."):
            prefix = f"{prefix}.{part}" if prefix else part
            if prefix not in modules:
                raise ModuleNotFoundError(f"No module named '{prefix}'")
        return modules[name]

    def _assign(self, target: Any, value: Any) -> None:
        """Binds ``value`` to an assignment target (name, attribute, subscript, tuple)."""
        kind = type(target)
        if kind is ast.Name:
            self._vars[target.id] = value
        elif kind is ast.Attribute:
            obj_node = target.value
            obj = self._visitors[type(obj_node)](obj_node)
            attr = target.attr
            try:
                if attr[0] == "_" or attr in _GUARDED:
                    self._check_attribute(obj, attr)
                setattr(obj, attr, value)
            except Exception as exc:
                raise self._fail(exc, target)
        elif kind is ast.Subscript:
            visitors = self._visitors
            obj_node, key_node = target.value, target.slice
            obj = visitors[type(obj_node)](obj_node)
            key = visitors[type(key_node)](key_node)
            try:
                obj[key] = value
            except Exception as exc:
                raise self._fail(exc, target)
        else:   # Tuple or List
            elts = target.elts
            count = len(elts)
            if (type(value) is tuple or type(value) is list) and len(value) == count:
                items = value
            else:
                try:
                    items = self._unpack(value, count)
                except Exception as exc:
                    raise self._fail(exc, target)
            for element, item in zip(elts, items):
                self._assign(element, item)

    @staticmethod
    def _unpack(value: Any, count: int) -> list:
        try:
            iterator = iter(value)
        except TypeError:
            raise TypeError(f"cannot unpack non-iterable {type(value).__name__} object") \
                from None
        items = list(islice(iterator, count + 1))
        if len(items) > count:
            raise ValueError(f"too many values to unpack (expected {count})")
        if len(items) < count:
            raise ValueError(f"not enough values to unpack (expected {count}, got "
                             f"{len(items)})")
        return items

    def _delete(self, target: Any) -> None:
        kind = type(target)
        if kind is ast.Name:
            variables = self._vars
            if target.id not in variables:
                self._lookup(target)    # raises the NameError/UnboundLocalError Python would
                raise ProgramError("NameError", f"name '{target.id}' is not defined",
                                   target.span, self._source)
            del variables[target.id]
        elif kind is ast.Attribute:
            obj_node = target.value
            obj = self._visitors[type(obj_node)](obj_node)
            try:
                if target.attr[0] == "_" or target.attr in _GUARDED:
                    self._check_attribute(obj, target.attr)
                delattr(obj, target.attr)
            except Exception as exc:
                raise self._fail(exc, target)
        elif kind is ast.Subscript:
            visitors = self._visitors
            obj = visitors[type(target.value)](target.value)
            key = visitors[type(target.slice)](target.slice)
            try:
                del obj[key]
            except Exception as exc:
                raise self._fail(exc, target)
        else:
            for element in target.elts:
                self._delete(element)

    def _make_function(self, node: ast.FunctionDef | ast.Lambda, name: str) -> UserFunction:
        defaults = []
        kw_defaults = {}
        for param in node.params:
            if param.default is not None:
                value = self.visit_Param(param)
                if param.kind == "kwonly":
                    kw_defaults[param.name] = value
                else:
                    defaults.append(value)
        closure = self._frame
        if type(closure.local_names) is _ClassScope:   # a method: the class body is no scope
            closure = closure.parent
        return UserFunction(self, node, name, tuple(defaults), closure, self._source,
                            kw_defaults)

    def _redirected(self, function: UserFunction, variables: dict) -> dict:
        """The variables of a call whose function declares ``global``/``nonlocal`` names."""
        global_names, nonlocal_names = function._redirects
        elsewhere = dict.fromkeys(global_names, self._globals)
        for name in nonlocal_names:
            frame = function._closure
            while frame.parent is not None and name not in frame.local_names:
                frame = frame.parent
            if frame.parent is None:
                raise SyntaxError(f"no binding for nonlocal '{name}' found")
            elsewhere[name] = frame.vars
        return _ScopeVars(variables, elsewhere)

    def _call(self, function: UserFunction, args: Any, kwargs: dict | None) -> Any:
        """Calls a user function: binds arguments, runs the body in a new scope."""
        if self._depth >= self._max_depth:
            raise RecursionError(f"maximum recursion depth exceeded (more than "
                                 f"{self._max_depth} nested calls)")
        params = function._params
        count = len(args)
        if kwargs or count != len(params) or not function._simple:
            variables = self._bind(function, args, kwargs)
            if function._redirects is not None:
                variables = self._redirected(function, variables)
        elif count == 1:
            variables = {params[0]: args[0]}
        elif count == 2:
            variables = {params[0]: args[0], params[1]: args[1]}
        else:
            variables = dict(zip(params, args))
        saved_frame, saved_vars, saved_source = self._frame, self._vars, self._source
        self._frame = _new_frame(_Frame, (variables, function._local_names, function._closure,
                                          function))
        self._vars = variables
        self._source = function._source
        self._depth += 1
        try:
            body = function._body
            if function._is_lambda:
                return self._visitors[type(body)](body)
            if function._is_generator:
                return Generator(self, _Channel(function, self._save_state()))
            if self._exec_block(body) is _RETURN:
                return self._return_value
            return None
        finally:
            self._frame = saved_frame
            self._vars = saved_vars
            self._source = saved_source
            self._depth -= 1

    @staticmethod
    def _bind(function: UserFunction, args: Any, kwargs: dict | None) -> dict[str, Any]:
        """Python's argument binding, with Python's TypeError messages."""
        name = function.__name__
        params = function._params
        defaults = function._defaults
        required = len(params) - len(defaults)
        variables = dict(zip(params, args))
        if len(args) > len(params):
            if function._vararg is None:
                if defaults:
                    takes = f"from {required} to {len(params)} positional arguments"
                else:
                    takes = (f"{len(params)} positional argument"
                             f"{'' if len(params) == 1 else 's'}")
                given = f"{len(args)} {'was' if len(args) == 1 else 'were'}"
                raise TypeError(f"{name}() takes {takes} but {given} given")
            variables[function._vararg] = tuple(args[len(params):])
        elif function._vararg is not None:
            variables[function._vararg] = ()
        extra = {} if function._kwarg is not None else None
        kwonly = function._kwonly
        posonly = function._posonly
        wrongly_named = []
        for key, value in (kwargs or {}).items():
            if key in posonly:
                if extra is not None:
                    extra[key] = value
                else:
                    wrongly_named.append(key)
            elif key in params or key in kwonly:
                if key in variables:
                    raise TypeError(f"{name}() got multiple values for argument '{key}'")
                variables[key] = value
            elif extra is not None:
                extra[key] = value
            else:
                raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
        if wrongly_named:
            raise TypeError(f"{name}() got some positional-only arguments passed as keyword "
                            f"arguments: '{', '.join(wrongly_named)}'")
        missing = [param for param in params[:required] if param not in variables]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            raise TypeError(f"{name}() missing {len(missing)} required positional "
                            f"argument{plural}: {_quoted_list(missing)}")
        for param, default in zip(params[required:], defaults):
            if param not in variables:
                variables[param] = default
        if kwonly:
            kw_defaults = function._kw_defaults
            missing = []
            for param in kwonly:
                if param not in variables:
                    if param in kw_defaults:
                        variables[param] = kw_defaults[param]
                    else:
                        missing.append(param)
            if missing:
                plural = "s" if len(missing) > 1 else ""
                raise TypeError(f"{name}() missing {len(missing)} required keyword-only "
                                f"argument{plural}: {_quoted_list(missing)}")
        if extra is not None:
            variables[function._kwarg] = extra
        return variables

    def _comprehension(self, node: Any, result: Any) -> Any:
        """Fills ``result`` (list or dict) from a comprehension, in its own scope."""
        generators = node.generators
        iterable = self.visit_Comprehension(generators[0])
        variables: dict[str, Any] = {}
        saved, saved_vars = self._frame, self._vars
        self._frame = _new_frame(_Frame, (variables, node.local_names, saved, None))
        self._vars = variables
        try:
            self._generate(node, generators, 0, iterable, variables, result)
        finally:
            self._frame = saved
            self._vars = saved_vars
        return result

    def _generate(self, node: Any, generators: tuple, index: int, iterable: Any,
                  variables: dict, result: Any) -> None:
        visitors = self._visitors
        generator = generators[index]
        target = generator.target
        name = target.id if type(target) is ast.Name else None
        ifs = generator.ifs
        last = index + 1 == len(generators)
        is_dict = type(node) is ast.DictComp
        elt = None if is_dict else node.elt
        try:
            for item in iterable:
                self._steps_left -= 1
                if self._steps_left < 0:
                    raise self._step_error(node)
                if name is not None:
                    variables[name] = item
                else:
                    self._assign(target, item)
                if ifs and not self._all_true(ifs):
                    continue
                if not last:
                    following = generators[index + 1]
                    self._generate(node, generators, index + 1,
                                   self.visit_Comprehension(following), variables, result)
                elif is_dict:
                    key = visitors[type(node.key)](node.key)
                    value = visitors[type(node.value)](node.value)
                    try:
                        result[key] = value
                    except Exception as exc:
                        raise self._fail(exc, node)
                elif type(result) is set:
                    value = visitors[type(elt)](elt)
                    try:
                        result.add(value)
                    except Exception as exc:
                        raise self._fail(exc, node)
                else:
                    result.append(visitors[type(elt)](elt))
        except Exception as exc:
            raise self._fail(exc, generator.iter)

    def _all_true(self, conditions: tuple) -> bool:
        visitors = self._visitors
        for condition in conditions:
            value = visitors[type(condition)](condition)
            try:
                if not value:
                    return False
            except Exception as exc:
                raise self._fail(exc, condition)
        return True

    def _zero_argument_super(self) -> Any:
        """``super()`` inside a method: the defining class and the first argument."""
        frame = self._frame     # a comprehension's frame has no function: look outwards
        while frame.function is None and frame.parent is not None:
            frame = frame.parent
        function = frame.function
        owner = function._owner if function is not None else None
        if owner is None:
            raise RuntimeError("super(): no arguments outside a method of a class")
        variables = frame.vars
        if function._params:
            first = variables.get(function._params[0], _MISSING)
        elif function._vararg and variables.get(function._vararg):
            first = variables[function._vararg][0]
        else:
            first = _MISSING
        if first is _MISSING:
            raise RuntimeError("super(): no arguments")
        return super(owner, first)

    def _with(self, items: tuple, index: int, body: tuple) -> int | None:
        item = items[index]
        manager, exit_method, value = self.visit_WithItem(item)
        try:
            if item.optional_vars is not None:
                self._assign(item.optional_vars, value)
            if index + 1 < len(items):
                signal = self._with(items, index + 1, body)
            else:
                signal = self._exec_block(body)
        except BaseException as exc:
            fatal = getattr(exc, "fatal", False)
            if isinstance(exc, ProgramError) and getattr(manager, _USER_CLASS, False):
                # A program's __exit__ sees the exception as an `except` would.
                value = self._exception_value(exc)
                arguments = (type(value), value, None)
            else:
                arguments = (type(exc), exc, exc.__traceback__)
            try:
                suppress = exit_method(manager, *arguments)
            except Exception as exit_exc:
                raise self._fail(exit_exc, item.context_expr)
            if suppress and not fatal:
                return None
            raise
        returned = self._return_value    # __exit__ may run a user function
        try:
            exit_method(manager, None, None, None)
        except Exception as exc:
            raise self._fail(exc, item.context_expr)
        self._return_value = returned
        return signal

    # -------------------------------------------------------- statements

    def visit_Module(self, node: ast.Module) -> int | None:
        return self._exec_block(node.body)

    def visit_Expr(self, node: ast.Expr) -> None:
        value_node = node.value
        value = self._visitors[type(value_node)](value_node)
        if value is not None and self._frame is self._module_frame:
            try:
                self._display(value)
            except Exception as exc:
                raise self._fail(exc, node)

    def visit_Assign(self, node: ast.Assign) -> None:
        value_node = node.value
        value = self._visitors[type(value_node)](value_node)
        for target in node.targets:
            if type(target) is ast.Name:
                self._vars[target.id] = value
            else:
                self._assign(target, value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        visitors = self._visitors
        target = node.target
        value_node = node.value
        operation = _INPLACE[node.op]
        kind = type(target)
        if kind is ast.Name:
            current = self.visit_Name(target)
            value = visitors[type(value_node)](value_node)
            try:
                result = operation(current, value)
            except Exception as exc:
                raise self._fail(exc, node)
            self._vars[target.id] = result
            return
        obj = visitors[type(target.value)](target.value)
        if kind is ast.Attribute:
            attr = target.attr
            try:
                if attr[0] == "_" or attr in _GUARDED:
                    self._check_attribute(obj, attr)
                current = getattr(obj, attr)
            except Exception as exc:
                raise self._fail(exc, target)
            value = visitors[type(value_node)](value_node)
            try:
                result = operation(current, value)
            except Exception as exc:
                raise self._fail(exc, node)
            try:
                setattr(obj, attr, result)
            except Exception as exc:
                raise self._fail(exc, target)
            return
        key = visitors[type(target.slice)](target.slice)
        try:
            current = obj[key]
        except Exception as exc:
            raise self._fail(exc, target)
        value = visitors[type(value_node)](value_node)
        try:
            result = operation(current, value)
        except Exception as exc:
            raise self._fail(exc, node)
        try:
            obj[key] = result
        except Exception as exc:
            raise self._fail(exc, target)
        return

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._delete(target)

    def visit_Pass(self, node: ast.Pass) -> None:
        return None

    def visit_Break(self, node: ast.Break) -> int:
        return _BREAK

    def visit_Continue(self, node: ast.Continue) -> int:
        return _CONTINUE

    def visit_Return(self, node: ast.Return) -> int:
        value_node = node.value
        self._return_value = None if value_node is None else \
            self._visitors[type(value_node)](value_node)
        return _RETURN

    def visit_Assert(self, node: ast.Assert) -> None:
        test_node = node.test
        value = self._visitors[type(test_node)](test_node)
        try:
            if value:
                return
        except Exception as exc:
            raise self._fail(exc, test_node)
        message = ""
        if node.msg is not None:
            msg = self._visitors[type(node.msg)](node.msg)
            try:
                message = str(msg)
            except Exception as exc:
                raise self._fail(exc, node.msg)
        raise ProgramError("AssertionError", message, node.span, self._source)

    def visit_Alias(self, node: ast.Alias) -> None:
        """Runs one ``import name [as asname]``."""
        try:
            module = self._import(node.name)
        except Exception as exc:
            raise self._fail(exc, node)
        if node.asname is not None:
            self._vars[node.asname] = module
        else:
            root = node.name.partition(".")[0]
            self._vars[root] = self._modules[root]

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.visit_Alias(alias)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module_name = node.module
        if module_name == "__future__":
            return self._future(node)
        try:
            module = self._import(module_name)
        except Exception as exc:
            raise self._fail(exc, node)
        for alias in node.names:
            name = alias.name
            try:
                if name[:1] == "_":
                    raise ImportError(f"cannot import name '{name}' from '{module_name}' "
                                      "(names starting with '_' are private in gradcli)")
                full_name = f"{module_name}.{name}"
                if full_name in self._modules:
                    value = self._modules[full_name]
                else:
                    try:
                        value = getattr(module, name)
                    except AttributeError:
                        raise ImportError(f"cannot import name '{name}' from "
                                          f"'{module_name}'") from None
                    if type(value) is ModuleType:
                        self._check_module(value)
            except Exception as exc:
                raise self._fail(exc, alias)
            self._vars[alias.asname or name] = value

    def _future(self, node: ast.ImportFrom) -> None:
        """``from __future__ import ...``: every feature Python 3 has is already on, so
        the statement only checks the names (nothing is bound)."""
        for alias in node.names:
            if alias.name == "braces":
                raise self._fail(SyntaxError("braces will never be a Python feature"), alias)
            if alias.name not in _FUTURE_FEATURES:
                raise self._fail(SyntaxError(f"'{alias.name}' is not a __future__ feature"),
                                 alias)

    def visit_If(self, node: ast.If) -> int | None:
        test = node.test
        value = self._visitors[type(test)](test)
        try:
            branch = node.body if value else node.orelse
        except Exception as exc:
            raise self._fail(exc, test)
        return self._exec_block(branch)

    def visit_For(self, node: ast.For) -> int | None:
        iter_node = node.iter
        iterable = self._visitors[type(iter_node)](iter_node)
        target = node.target
        name = target.id if type(target) is ast.Name else None
        variables = self._vars
        body = node.body
        visitors = self._visitors
        try:
            for item in iterable:
                self._steps_left -= 1
                if self._steps_left < 0:
                    raise self._step_error(node)
                if name is not None:
                    variables[name] = item
                else:
                    self._assign(target, item)
                for stmt in body:     # self._exec_block(body), inlined
                    self._steps_left -= 1
                    if self._steps_left < 0:
                        raise self._step_error(stmt)
                    signal = visitors[type(stmt)](stmt)
                    if signal is not None:
                        break
                else:
                    continue
                if signal is _CONTINUE:
                    continue
                if signal is _BREAK:
                    return None
                return signal
        except Exception as exc:
            raise self._fail(exc, iter_node)
        if node.orelse:
            return self._exec_block(node.orelse)
        return None

    def visit_While(self, node: ast.While) -> int | None:
        test = node.test
        visitors = self._visitors
        test_visitor = visitors[type(test)]
        body = node.body
        while True:
            value = test_visitor(test)
            try:
                if not value:
                    break
            except Exception as exc:
                raise self._fail(exc, test)
            self._steps_left -= 1
            if self._steps_left < 0:
                raise self._step_error(node)
            signal = self._exec_block(body)
            if signal is None or signal is _CONTINUE:
                continue
            if signal is _BREAK:
                return None
            return signal
        if node.orelse:
            return self._exec_block(node.orelse)
        return None

    def visit_Raise(self, node: ast.Raise) -> None:
        if node.exc is None:
            if not self._handling:
                raise ProgramError("RuntimeError", "No active exception to reraise",
                                   node.span, self._source)
            raise self._handling[-1]
        value = self._visitors[type(node.exc)](node.exc)
        if node.cause is not None:
            self._visitors[type(node.cause)](node.cause)
        try:
            if isinstance(value, type) and issubclass(value, BaseException):
                value = value()
            if not isinstance(value, BaseException):
                raise TypeError("exceptions must derive from BaseException")
            message = str(value)
        except Exception as exc:
            raise self._fail(exc, node.exc)
        error = ProgramError(type(value).__name__, message, node.span, self._source)
        error.value = value
        raise error

    def visit_Global(self, node: ast.Global) -> None:
        return None

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        return None

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        """Evaluates the handler's class (or tuple of classes); None for a bare ``except``."""
        if node.type is None:
            return None
        classes = self._visitors[type(node.type)](node.type)
        checked = classes if isinstance(classes, tuple) else (classes,)
        for cls in checked:
            if not (isinstance(cls, type) and issubclass(cls, BaseException)):
                raise ProgramError("TypeError", "catching classes that do not inherit from "
                                   "BaseException is not allowed", node.type.span,
                                   self._source)
        return classes

    def visit_Try(self, node: ast.Try) -> int | None:
        try:
            try:
                signal = self._exec_block(node.body)
            except Exception as exc:
                error = self._fail(exc, node)
                if not node.handlers or getattr(error, "fatal", False):
                    raise error from None
                value = self._exception_value(error)
                for handler in node.handlers:
                    classes = self.visit_ExceptHandler(handler)
                    if classes is None or isinstance(value, classes):
                        break
                else:
                    raise error from None
                self._handling.append(error)
                try:
                    if handler.name is not None:
                        self._vars[handler.name] = value
                    signal = self._exec_block(handler.body)
                finally:
                    self._handling.pop()
                    if handler.name is not None:
                        self._vars.pop(handler.name, None)
                return signal
            if node.orelse and signal is None:
                return self._exec_block(node.orelse)
            return signal
        finally:
            if node.finalbody:
                returned = self._return_value
                final_signal = self._exec_block(node.finalbody)
                if final_signal is not None:
                    return final_signal     # noqa: B012 - as in Python, it wins
                self._return_value = returned

    def _exception_value(self, error: ProgramError) -> BaseException:
        """The exception object a handler (or ``__exit__``) sees for ``error``.

        What a program raised is handed back as is; an error from gradcli or
        from Python becomes a fresh exception of the class its kind names
        (never the host's own exception object, whose attributes could
        reach objects the program was not given).
        """
        value = getattr(error, "value", None)
        if value is not None:
            return value
        cls = self._builtins.get(error.kind)
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            cls = _unknown_exception_class(error.kind)
        cause = error.__cause__
        args = getattr(cause, "args", None)
        if type(cause) is cls and isinstance(args, tuple) and all(
                type(arg) in _PLAIN_ARGUMENTS for arg in args):
            value = cls(*args)      # KeyError('a') keeps str() "'a'" and its args
        else:
            value = cls(error.message)
        error.value = value
        return value

    def visit_WithItem(self, node: ast.WithItem) -> tuple[Any, Any, Any]:
        """Evaluates a context manager and enters it: (manager, __exit__, entered value)."""
        expr = node.context_expr
        manager = self._visitors[type(expr)](expr)
        try:
            cls = type(manager)
            enter = getattr(cls, "__enter__", None)
            exit_method = getattr(cls, "__exit__", None)
            if enter is None or exit_method is None:
                raise TypeError(f"'{cls.__name__}' object does not support the context "
                                "manager protocol")
            value = enter(manager)
        except Exception as exc:
            raise self._fail(exc, expr)
        return manager, exit_method, value

    def visit_With(self, node: ast.With) -> int | None:
        return self._with(node.items, 0, node.body)

    def visit_Param(self, node: ast.Param) -> Any:
        """Evaluates a parameter's default (at ``def`` time)."""
        default = node.default
        return None if default is None else self._visitors[type(default)](default)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        decorators = [self._visitors[type(d)](d) for d in node.decorators]
        value: Any = self._make_function(node, node.name)
        self._vars[node.name] = self._decorate(decorators, node, value)

    def _decorate(self, decorators: list, node: Any, value: Any) -> Any:
        for decorator, decorator_node in zip(reversed(decorators), reversed(node.decorators)):
            try:
                if type(decorator) is UserFunction and decorator._interpreter is self:
                    value = self._call(decorator, (value,), None)
                else:
                    value = decorator(value)
            except Exception as exc:
                raise self._fail(exc, decorator_node)
        return value

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        visitors = self._visitors
        decorators = [visitors[type(d)](d) for d in node.decorators]
        bases = []
        for base_node in node.bases:
            base = visitors[type(base_node)](base_node)
            if not self._subclassable(base):
                name = getattr(base, "__name__", type(base).__name__)
                raise ProgramError(
                    "TypeError", f"a gradcli class cannot subclass {name!r}: the bases it "
                    "takes are object, exception classes, torch.nn.Module and its layers, "
                    "torch.autograd.Function and classes the program defines",
                    base_node.span, self._source)
            bases.append(base)
        if node.keywords:
            raise ProgramError("TypeError", "class keywords (metaclass=...) are not supported "
                               "in gradcli", node.keywords[0].span, self._source)
        namespace: dict[str, Any] = {}
        saved, saved_vars = self._frame, self._vars
        self._frame = _new_frame(_Frame, (namespace, _ClassScope(node.local_names), saved,
                                          None))
        self._vars = namespace
        try:
            self._exec_block(node.body)
        finally:
            self._frame = saved
            self._vars = saved_vars
        for name in namespace:
            if name[:1] == "_" and name not in PROTOCOL_METHODS:
                raise ProgramError(
                    "AttributeError", f"class attribute '{name}' is private: names starting "
                    "with '_' are not accessible in gradcli (special methods such as "
                    "__init__, __call__ and __repr__ are)", node.span, self._source)
        namespace["__module__"] = "__main__"
        namespace["__qualname__"] = node.name
        namespace[_USER_CLASS] = True
        if any(hasattr(base, "_qualified") for base in bases):
            namespace["_qualified"] = f"__main__.{node.name}"
        try:
            cls = new_class(node.name, tuple(bases), exec_body=lambda ns: ns.update(namespace))
        except Exception as exc:
            raise self._fail(exc, node)
        for value in namespace.values():
            for function in (value, getattr(value, "__func__", None),
                             getattr(value, "fget", None), getattr(value, "fset", None)):
                if type(function) is UserFunction and function._owner is None:
                    function._owner = cls
        self._vars[node.name] = self._decorate(decorators, node, cls)

    @staticmethod
    def _subclassable(base: Any) -> bool:
        if not isinstance(base, type) or issubclass(base, type):
            return False
        return (base is object or issubclass(base, BaseException)
                or bool(getattr(base, _USER_CLASS, False))
                or bool(getattr(base, SUBCLASSABLE, False)))

    # ------------------------------------------------------- expressions

    def visit_Name(self, node: ast.Name) -> Any:
        value = self._vars.get(node.id, _MISSING)
        if value is _MISSING:
            return self._lookup(node)
        return value

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_FormattedValue(self, node: ast.FormattedValue) -> str:
        value_node = node.value
        value = self._visitors[type(value_node)](value_node)
        spec = "" if node.format_spec is None else self.visit_JoinedStr(node.format_spec)
        try:
            conversion = node.conversion
            if conversion == "r":
                value = repr(value)
            elif conversion == "s":
                value = str(value)
            elif conversion == "a":
                value = ascii(value)
            return format(value, spec)
        except Exception as exc:
            raise self._fail(exc, node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> str:
        parts = []
        for value in node.values:
            if type(value) is ast.Constant:
                parts.append(value.value)
            else:
                parts.append(self.visit_FormattedValue(value))
        return "".join(parts)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        # Operands that are names are looked up inline: the hottest path.
        left, right = node.left, node.right
        if type(left) is _Name:
            left_value = self._vars.get(left.id, _MISSING)
            if left_value is _MISSING:
                left_value = self._lookup(left)
        else:
            left_value = self._visitors[type(left)](left)
        if type(right) is _Name:
            right_value = self._vars.get(right.id, _MISSING)
            if right_value is _MISSING:
                right_value = self._lookup(right)
        else:
            right_value = self._visitors[type(right)](right)
        try:
            return _BINARY[node.op](left_value, right_value)
        except Exception as exc:
            raise self._fail(exc, node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = node.operand
        value = self._visitors[type(operand)](operand)
        try:
            return _UNARY[node.op](value)
        except Exception as exc:
            raise self._fail(exc, node)

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        visitors = self._visitors
        values = node.values
        last = len(values) - 1
        want = node.op == "or"     # `or` stops at the first true value, `and` at a false one
        for index, value_node in enumerate(values):
            value = visitors[type(value_node)](value_node)
            if index == last:
                return value
            try:
                if want:
                    if value:
                        return value
                elif not value:
                    return value
            except Exception as exc:
                raise self._fail(exc, value_node)
        return None

    def visit_Compare(self, node: ast.Compare) -> Any:
        visitors = self._visitors
        left = visitors[type(node.left)](node.left)
        ops, comparators = node.ops, node.comparators
        if len(ops) == 1:
            right_node = comparators[0]
            right = visitors[type(right_node)](right_node)
            try:
                return _COMPARE[ops[0]](left, right)
            except Exception as exc:
                raise self._fail(exc, node)
        last = len(ops) - 1
        for index, op in enumerate(ops):
            right_node = comparators[index]
            right = visitors[type(right_node)](right_node)
            try:
                result = _COMPARE[op](left, right)
                if index == last or not result:
                    return result
            except Exception as exc:
                raise self._fail(exc, node)
            left = right
        return None

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        visitors = self._visitors
        test = node.test
        value = visitors[type(test)](test)
        try:
            chosen = node.body if value else node.orelse
        except Exception as exc:
            raise self._fail(exc, test)
        return visitors[type(chosen)](chosen)

    def visit_Yield(self, node: ast.Yield) -> Any:
        value = None if node.value is None else \
            self._visitors[type(node.value)](node.value)
        channel = self._generator
        if channel is None:
            raise ProgramError("SyntaxError", "'yield' outside function", node.span,
                               self._source)
        if not node.from_:
            return self._suspend(channel, value)
        try:
            iterator = iter(value)
        except Exception as exc:
            raise self._fail(exc, node)
        while True:
            try:
                item = next(iterator)
            except StopIteration:
                return None
            except Exception as exc:
                raise self._fail(exc, node)
            self._suspend(channel, item)

    # ------------------------------------------------------- generators

    def _save_state(self) -> tuple:
        return (self._frame, self._vars, self._source, self._depth,
                self._handling, self._return_value, self._generator)

    def _restore_state(self, state: tuple) -> None:
        (self._frame, self._vars, self._source, self._depth,
         self._handling, self._return_value, self._generator) = state

    def _resume(self, channel: _Channel, sent: Any) -> Any:
        """Runs a generator's body to its next ``yield`` (a consumer's ``next()``)."""
        if channel.running:
            raise ValueError("generator already executing")
        if channel.done:
            raise StopIteration
        consumer = self._save_state()
        channel.running = True
        channel.sent = sent
        channel.base_depth = self._depth
        try:
            if channel.thread is None:
                thread = threading.Thread(target=self._generator_body, args=(channel,),
                                          name="gradcli-generator", daemon=True)
                channel.thread = thread
                try:
                    previous: int | None = threading.stack_size(_GENERATOR_STACK)
                except (ValueError, RuntimeError):     # a platform without the setting
                    previous = None
                try:
                    thread.start()
                finally:
                    if previous is not None:
                        threading.stack_size(previous)
            else:
                channel.resume.release()
            channel.handoff.acquire()
        finally:
            channel.running = False
            self._restore_state(consumer)
        error = channel.error
        if error is not None:
            channel.error = None
            raise error
        if channel.done:
            raise StopIteration
        return channel.value

    def _suspend(self, channel: _Channel, value: Any) -> Any:
        """A ``yield`` in a generator's body: hands ``value`` over and waits."""
        if channel.closing:
            raise _Close
        channel.value = value
        channel.state = self._save_state()
        channel.handoff.release()
        channel.resume.acquire()
        self._restore_state(channel.state)
        self._depth = channel.base_depth + 1
        if channel.closing:
            raise _Close
        thrown = channel.thrown
        if thrown is not None:
            channel.thrown = None
            error = ProgramError(type(thrown).__name__, str(thrown))
            error.value = thrown
            raise error
        return channel.sent

    def _generator_body(self, channel: _Channel) -> None:
        """A generator's thread: runs the body, handing over at each ``yield``."""
        self._restore_state(channel.state)
        self._generator = channel
        self._handling = []
        self._depth = channel.base_depth + 1
        try:
            self._exec_block(channel.function._body)
        except _Close:
            pass
        except ProgramError as error:
            if error.kind == "StopIteration":   # as Python does (PEP 479)
                error = ProgramError("RuntimeError", "generator raised StopIteration",
                                     error.span, error.source)
            channel.error = error
        except Exception as exc:
            channel.error = ProgramError(type(exc).__name__, str(exc))
        finally:
            channel.done = True
            channel.state = None
            channel.handoff.release()

    def _close(self, channel: _Channel) -> None:
        """Closes a suspended generator: its body meets _Close at the ``yield``."""
        if channel.done or channel.running:
            return
        if channel.thread is None:
            channel.done = True
            return
        consumer = self._save_state()
        channel.closing = True
        channel.running = True
        try:
            channel.resume.release()
            channel.handoff.acquire()
        finally:
            channel.running = False
            self._restore_state(consumer)
        channel.error = None

    def visit_Starred(self, node: ast.Starred) -> Any:
        raise ProgramError("SyntaxError", "can't use starred expression here", node.span,
                           self._source)

    def visit_Lambda(self, node: ast.Lambda) -> UserFunction:
        return self._make_function(node, "<lambda>")

    def visit_Keyword(self, node: ast.Keyword) -> Any:
        value = node.value
        return self._visitors[type(value)](value)

    def visit_Call(self, node: ast.Call) -> Any:
        visitors = self._visitors
        func_node = node.func
        function = visitors[type(func_node)](func_node)
        arg_nodes = node.args
        if function is self._super and not arg_nodes and not node.keywords:
            try:
                return self._zero_argument_super()
            except Exception as exc:
                raise self._fail(exc, node)
        if not arg_nodes:
            args: Any = ()
        elif len(arg_nodes) == 1 and type(arg_nodes[0]) is not ast.Starred:
            arg = arg_nodes[0]
            args = (visitors[type(arg)](arg),)
        else:
            args = self.visit_List(node)
        kwargs = None
        if node.keywords:
            kwargs = {}
            for keyword in node.keywords:
                value = self.visit_Keyword(keyword)
                if keyword.arg is not None:
                    kwargs[keyword.arg] = value
                    continue
                try:
                    items = value.items() if isinstance(value, dict) else None
                    if items is None:
                        raise TypeError(f"argument after ** must be a mapping, not "
                                        f"{type(value).__name__}")
                    for key, item in items:
                        if key in kwargs:
                            raise TypeError(f"got multiple values for keyword argument "
                                            f"'{key}'")
                        kwargs[key] = item
                except Exception as exc:
                    raise self._fail(exc, keyword)
        try:
            if type(function) is UserFunction and function._interpreter is self:
                return self._call(function, args, kwargs)
            if kwargs is None:
                return function(*args)
            return function(*args, **kwargs)
        except Exception as exc:
            raise self._fail(exc, node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        value_node = node.value
        if type(value_node) is _Name:
            obj = self._vars.get(value_node.id, _MISSING)
            if obj is _MISSING:
                obj = self._lookup(value_node)
        else:
            obj = self._visitors[type(value_node)](value_node)
        attr = node.attr
        try:
            if attr == "format" and type(obj) is str:
                return _safe_format(obj)
            if (attr[0] == "_" or attr in _GUARDED) and not _readable_private(obj, attr):
                self._check_attribute(obj, attr)
            value = getattr(obj, attr)
            if type(value) is ModuleType:
                self._check_module(value)
        except Exception as exc:
            raise self._fail(exc, node)
        return value

    def visit_Slice(self, node: ast.Slice) -> slice:
        visitors = self._visitors
        lower, upper, step = node.lower, node.upper, node.step
        return slice(None if lower is None else visitors[type(lower)](lower),
                     None if upper is None else visitors[type(upper)](upper),
                     None if step is None else visitors[type(step)](step))

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        visitors = self._visitors
        value_node, key_node = node.value, node.slice
        obj = visitors[type(value_node)](value_node)
        key = visitors[type(key_node)](key_node)
        try:
            return obj[key]
        except Exception as exc:
            raise self._fail(exc, node)

    def visit_Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.visit_List(node))

    def visit_List(self, node: ast.List | ast.Tuple | ast.Set | ast.Call) -> list:
        visitors = self._visitors
        values = []
        for elt in (node.args if type(node) is ast.Call else node.elts):
            if type(elt) is ast.Starred:
                if elt.double:
                    raise ProgramError("SyntaxError", "'**' is only allowed in a call",
                                       elt.span, self._source)
                iterable = visitors[type(elt.value)](elt.value)
                try:
                    values.extend(iterable)
                except Exception as exc:
                    raise self._fail(exc, elt)
            else:
                values.append(visitors[type(elt)](elt))
        return values

    def visit_Set(self, node: ast.Set) -> set:
        try:
            return set(self.visit_List(node))
        except ProgramError:
            raise
        except Exception as exc:
            raise self._fail(exc, node)

    def visit_SetComp(self, node: ast.SetComp) -> set:
        return self._comprehension(node, set())

    def visit_Dict(self, node: ast.Dict) -> dict:
        visitors = self._visitors
        result = {}
        for key_node, value_node in zip(node.keys, node.values):
            if key_node is None:    # {**mapping}
                mapping = visitors[type(value_node)](value_node)
                try:
                    if not isinstance(mapping, dict):
                        raise TypeError(f"'{type(mapping).__name__}' object is not a mapping")
                    result.update(mapping)
                except Exception as exc:
                    raise self._fail(exc, value_node)
                continue
            key = visitors[type(key_node)](key_node)
            value = visitors[type(value_node)](value_node)
            try:
                result[key] = value
            except Exception as exc:
                raise self._fail(exc, key_node)
        return result

    def visit_Comprehension(self, node: ast.Comprehension) -> Any:
        """Evaluates a ``for`` clause's iterable (in the scope active when called)."""
        iter_node = node.iter
        return self._visitors[type(iter_node)](iter_node)

    def visit_ListComp(self, node: ast.ListComp) -> list:
        return self._comprehension(node, [])

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> Any:
        # As in Python, the first iterable is evaluated now, everything else lazily.
        iterable = self.visit_Comprehension(node.generators[0])
        try:
            iterator = iter(iterable)
        except Exception as exc:
            raise self._fail(exc, node.generators[0].iter)
        variables: dict[str, Any] = {}
        frame = _new_frame(_Frame, (variables, node.local_names, self._frame, None))
        return _GeneratorExpression(self._generator_items(node, frame, iterator, 0))

    def _in_scope(self, frame: _Frame, fn: Callable[..., Any], *args: Any) -> Any:
        """Runs ``fn`` with ``frame`` as the current scope (a generator expression's)."""
        saved_frame, saved_vars = self._frame, self._vars
        self._frame, self._vars = frame, frame.vars
        try:
            return fn(*args)
        finally:
            self._frame, self._vars = saved_frame, saved_vars

    def _generator_items(self, node: ast.GeneratorExp, frame: _Frame, iterator: Any,
                         index: int) -> Any:
        """Yields a generator expression's items (its ``index``-th ``for`` and inner ones)."""
        generator = node.generators[index]
        last = index + 1 == len(node.generators)
        target = generator.target
        elt = node.elt
        while True:
            self._steps_left -= 1
            if self._steps_left < 0:
                raise self._step_error(node)
            try:
                item = next(iterator)
            except StopIteration:
                return
            except ProgramError:
                raise
            except Exception as exc:
                raise self._fail(exc, generator.iter)
            self._in_scope(frame, self._assign, target, item)
            if generator.ifs and not self._in_scope(frame, self._all_true, generator.ifs):
                continue
            if last:
                yield self._in_scope(frame, self._visitors[type(elt)], elt)
                continue
            following = node.generators[index + 1]
            inner = self._in_scope(frame, self.visit_Comprehension, following)
            try:
                inner_iterator = iter(inner)
            except Exception as exc:
                raise self._fail(exc, following.iter)
            yield from self._generator_items(node, frame, inner_iterator, index + 1)

    def visit_DictComp(self, node: ast.DictComp) -> dict:
        return self._comprehension(node, {})


def run_source(source: str, filename: str, namespace: dict[str, object],
               modules: dict[str, object], write: Callable[[str], None],
               display: Callable[[object], None] | None = None, **limits: int) -> None:
    """Parses and runs a program (nothing runs if it does not parse).

    ``limits`` are :class:`Interpreter`'s ``max_steps`` and ``max_depth``.

    Example:
        >>> out = []
        >>> run_source("print('hi', 6 * 7)", "<string>", {}, {}, out.append)
        >>> out
        ['hi 42\\n']
    """
    module = parse(source, filename)
    Interpreter(namespace, modules, write=write, display=display, **limits).run(module, source)
