"""Source text to a gradcli syntax tree.

Three steps, all before anything runs: Lark's LALR parser reads the text with
the grammar in ``grammar/gradcli.lark`` (an indentation post-lexer gives it
Python's INDENT/DEDENT tokens), :class:`_AstBuilder` turns Lark's tree into the
frozen nodes of :mod:`gradcli.lang.ast` (building only, never evaluating), and
:func:`_check_context` rejects ``return``/``break``/``continue`` out of place.
Every problem is a :class:`~gradcli.errors.ProgramError` of kind
``SyntaxError`` (``IndentationError`` for indentation, as Python) with the span
Python would point at.

Lark is imported, and the parser built, on the first :func:`parse` call only:
``import gradcli.lang`` stays cheap. The LALR tables are cached on disk (in
``$XDG_CACHE_HOME/gradcli`` or ``~/.cache/gradcli``), which cuts building the
parser from about half a second to a few tens of milliseconds.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

from gradcli.errors import ProgramError, Span
from gradcli.lang import ast

__all__ = ["parse"]

# Python keywords gradcli refuses, as the grammar's terminals, with what to say.
_UNSUPPORTED_KEYWORDS: dict[str, str] = {
    "ASYNC": "'async' functions are not supported in gradcli",
    "AWAIT": "'await' is not supported in gradcli",
    "WALRUS": "assignment expressions (':=') are not supported in gradcli",
}
_OPENING = {"LPAR": "(", "LSQB": "[", "LBRACE": "{"}
_CLOSING = {"RPAR": "(", "RSQB": "[", "RBRACE": "{"}
_LAYOUT = frozenset({"_NEWLINE", "_INDENT", "_DEDENT"})
_HEADERS = {"IF": "'if' statement", "ELIF": "'elif' statement", "ELSE": "'else' statement",
            "FOR": "'for' statement", "WITH": "'with' statement", "DEF": "function definition",
            "WHILE": "'while' statement", "TRY": "'try' statement",
            "EXCEPT": "'except' statement", "FINALLY": "'finally' statement",
            "CLASS": "class definition"}
# Python's class for layout errors (a subclass of SyntaxError); "SyntaxError"
# here would report them under the parent class instead.
_INDENTATION_ERROR = "IndentationError"
# Bumped whenever the post-lexer or options change, so a stale disk cache is never read.
_CACHE_SALT = "gradcli-parser-2"

_parser: Any = None     # the Lark object, built by _get_parser()
_lark: Any = None       # the lark module, imported by _get_parser()


def parse(source: str, filename: str = "<string>") -> ast.Module:
    """Parses a whole program.

    Args:
        source: the program text (any of ``\\n``, ``\\r\\n``, ``\\r`` line ends;
            a final newline is optional).
        filename: the name spans and error messages use.

    Returns:
        The :class:`~gradcli.lang.ast.Module`.

    Raises:
        ProgramError: kind ``SyntaxError`` (or ``IndentationError``) with the
            span of the offending token, for any syntax problem, including
            Python constructs gradcli does not support.

    Example:
        >>> module = parse("x = 1\\nx + 2")
        >>> [type(stmt).__name__ for stmt in module.body]
        ['Assign', 'Expr']
    """
    text = source
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    parser = _get_parser()
    builder = _AstBuilder(filename, source, parser)
    _ensure_recursion_limit(10_000)
    try:
        tree = parser.parse(text, start="file_input")
    except (_lark.exceptions.UnexpectedInput, _TokenError) as exc:
        raise builder.syntax_error(exc, text) from None
    try:
        module = builder.build(tree)
    except RecursionError:
        raise ProgramError("SyntaxError", "too many nested expressions",
                           builder.span_of(tree.meta), source) from None
    _check_context(module.body, builder, in_function=False, in_loop=False)
    return module


def _ensure_recursion_limit(limit: int) -> None:
    """Raises Python's recursion limit to ``limit`` (never lowers it)."""
    if sys.getrecursionlimit() < limit:
        sys.setrecursionlimit(limit)


# ------------------------------------------------------------ Lark setup

class _TokenError(Exception):
    """A tokenizer-level error (brackets, indentation) found by the post-lexer."""

    def __init__(self, kind: str, message: str, token: Any) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.token = token


class _Indenter:
    """Lark post-lexer giving Python's layout rules to the token stream.

    Newlines inside brackets are dropped; the indentation carried by each
    remaining ``_NEWLINE`` becomes ``_INDENT``/``_DEDENT`` tokens placed at the
    next real token. Brackets are matched here so that an unclosed one is
    reported at its opening token, as Python does. State lives in the
    generator, so one instance serves nested parses (f-string fields).
    """

    always_accept = ("_NEWLINE", *_UNSUPPORTED_KEYWORDS)

    def process(self, stream: Iterator[Any]) -> Iterator[Any]:
        token_class = _lark.Token
        indents = [0]
        brackets: list[Any] = []
        newline = None
        first = True
        for token in stream:
            kind = token.type
            if kind == "_NEWLINE":
                if not brackets and newline is None:
                    newline = token
                elif not brackets:
                    newline = token_class.new_borrow_pos("_NEWLINE", newline + token, newline)
                continue
            if newline is not None:
                yield newline
                indent_text = newline.rsplit("\n", 1)[-1] if "\n" in newline else None
                newline = None
                if indent_text is not None:
                    indent = len(indent_text.expandtabs(8))
                    if indent > indents[-1]:
                        indents.append(indent)
                        yield token_class.new_borrow_pos("_INDENT", indent_text, token)
                    else:
                        while indent < indents[-1]:
                            indents.pop()
                            yield token_class.new_borrow_pos("_DEDENT", "", token)
                        if indent != indents[-1]:
                            raise _TokenError(
                                _INDENTATION_ERROR,
                                "unindent does not match any outer indentation level", token)
            elif first and token.column > 1:
                raise _TokenError(_INDENTATION_ERROR, "unexpected indent", token)
            first = False
            if kind in _OPENING:
                brackets.append(token)
            elif kind in _CLOSING:
                if not brackets:
                    raise _TokenError("SyntaxError", f"unmatched '{token}'", token)
                opening = brackets.pop()
                if opening.value != _CLOSING[kind]:
                    where = "" if opening.line == token.line else f" on line {opening.line}"
                    raise _TokenError(
                        "SyntaxError", f"closing parenthesis '{token}' does not match "
                        f"opening parenthesis '{opening}'{where}", token)
            yield token
        if brackets:
            raise _TokenError("SyntaxError", f"'{brackets[-1]}' was never closed", brackets[-1])
        if newline is not None:
            yield newline
        while len(indents) > 1:
            indents.pop()
            yield token_class("_DEDENT", "", 0, 1, 1, 1, 1, 0) if newline is None else \
                token_class.new_borrow_pos("_DEDENT", "", newline)


def _grammar_text() -> str:
    # A source checkout's grammar/ beside the gradcli package wins: an editable
    # install elsewhere may map gradcli.grammar to another checkout's copy.
    path = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "grammar",
                        "gradcli.lark")
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    return (files("gradcli.grammar") / "gradcli.lark").read_text(encoding="utf-8")


def _cache_file(grammar: str, lark_version: str) -> str | bool:
    """Where to cache the parse tables, or False when no cache directory is usable."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "gradcli")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return False
    if not os.access(directory, os.W_OK):
        return False
    key = f"{grammar}\0{_CACHE_SALT}\0{lark_version}\0{sys.version}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return os.path.join(directory, f"parser-{digest}.lark-cache")


def _get_parser() -> Any:
    """Builds the Lark parser once per process (its tables come from the cache)."""
    global _parser, _lark
    if _parser is None:
        import lark.exceptions  # lazy: importing gradcli.lang alone must not load Lark

        _lark = lark
        grammar = _grammar_text()
        _parser = _lark.Lark(
            grammar, parser="lalr", lexer="basic", postlex=_Indenter(),
            start=["file_input", "eval_input"], propagate_positions=True,
            maybe_placeholders=True, cache=_cache_file(grammar, _lark.__version__))
    return _parser


# ------------------------------------------------------- tree to nodes

_ESCAPES = re.compile(
    r"\\(?:(\n)|([\\'\"abfnrtv])|([0-7]{1,3})|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})"
    r"|U([0-9a-fA-F]{8})|N\{([^}\n]*)\}|([\s\S]))")
_SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f",
                   "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_STRING_START = re.compile(r"(?i:[rbuf]|rb|br|rf|fr)?('''|\"\"\"|'|\")")
_TARGET_WORDS = {
    ast.Call: "function call", ast.BinOp: "expression", ast.UnaryOp: "expression",
    ast.BoolOp: "expression", ast.Compare: "comparison", ast.IfExp: "conditional expression",
    ast.Lambda: "lambda", ast.ListComp: "list comprehension",
    ast.GeneratorExp: "generator expression", ast.DictComp: "dict comprehension",
    ast.Dict: "dict literal", ast.JoinedStr: "f-string expression",
    ast.FormattedValue: "f-string expression", ast.Slice: "slice",
    ast.Yield: "yield expression", ast.Set: "set display", ast.SetComp: "set comprehension",
}


class _AstBuilder:
    """Turns Lark's parse tree into :mod:`gradcli.lang.ast` nodes.

    One ``_b_<rule>`` method per grammar rule or alias (``_RULES`` maps the
    names), called with the rule's position and its already-built children.
    Besides building, it only checks what Python's compiler checks (assignment
    targets, parameter and argument order) and refuses unsupported constructs
    by name.
    """

    def __init__(self, filename: str, source: str, parser: Any) -> None:
        self._filename = filename
        self._source = source
        self._parser = parser
        # Where an f-string field being parsed on its own sits in the source:
        # (line, column) of its first character, or None for the whole file.
        self._origin: tuple[int, int] | None = None

    # -- positions and errors

    def _position(self, line: int, column: int) -> tuple[int, int]:
        if self._origin is None:
            return line, column
        origin_line, origin_column = self._origin
        if line == 1:   # the f-string field is parsed as "(" + text + ")"
            return origin_line, origin_column + column - 2
        return origin_line + line - 1, column

    def _span(self, line: int, column: int, end_line: int, end_column: int) -> Span:
        line, column = self._position(line, column)
        end_line, end_column = self._position(end_line, end_column)
        return Span(self._filename, line, column, end_line, end_column)

    def span_of(self, meta: Any) -> Span:
        """The span of a Lark tree's meta (1:1 for an empty rule)."""
        if getattr(meta, "empty", True):
            return self._span(1, 1, 1, 1)
        return self._span(meta.line, meta.column, meta.end_line, meta.end_column)

    def _token_span(self, token: Any) -> Span:
        if token.line is None:
            return self._span(1, 1, 1, 1)
        if token.type in _LAYOUT or token.type == "$END" or not token.end_line:
            # A newline (or what stands for one) is pointed at by one character.
            return self._span(token.line, token.column, token.line, token.column + 1)
        return self._span(token.line, token.column, token.end_line, token.end_column)

    def _block_span(self, meta: Any, *blocks: tuple) -> Span:
        """A compound statement's span: from its keyword to its last statement.

        (Lark's position for the rule would run on to the layout tokens that
        close the block, that is to the start of the next statement.)
        """
        start = self.span_of(meta)
        for block in reversed(blocks):
            if block:
                last = block[-1].span
                return Span(self._filename, start.line, start.column, last.end_line,
                            last.end_column)
        return start

    def _error(self, message: str, span: Span, kind: str = "SyntaxError") -> ProgramError:
        return ProgramError(kind, message, span, self._source)

    def syntax_error(self, exc: Exception, text: str) -> ProgramError:
        """Converts a Lark or post-lexer exception into the error Python would give."""
        exceptions = _lark.exceptions
        if isinstance(exc, _TokenError):
            return self._error(exc.message, self._token_span(exc.token), exc.kind)
        if isinstance(exc, exceptions.UnexpectedCharacters):
            return self._character_error(exc, text)
        if not isinstance(exc, exceptions.UnexpectedToken):
            return self._error("invalid syntax", self._span(exc.line, exc.column, exc.line,
                                                            exc.column + 1))
        token = exc.token
        kind = token.type
        span = self._token_span(token)
        expected = exc.expected
        if kind in _UNSUPPORTED_KEYWORDS:
            return self._error(_UNSUPPORTED_KEYWORDS[kind], span)
        if kind == "_INDENT":
            return self._error("unexpected indent", span, _INDENTATION_ERROR)
        if "_INDENT" in expected:
            return self._error(self._missing_block(exc), span, _INDENTATION_ERROR)
        if kind == "NAME" and "DEF" not in expected:
            line = text.splitlines()[token.line - 1] if token.line else ""
            if re.match(r"\s*match\b[^=]*:\s*(#.*)?$", line):
                column = line.index("match") + 1
                return self._error("'match' statements are not supported in gradcli",
                                   self._span(token.line, column, token.line, column + 5))
        tokenizer_error = self._tokenizer_error(text)
        if tokenizer_error is not None:
            return tokenizer_error
        if kind == "_NEWLINE" and "COLON" in expected:
            return self._error("expected ':'", span)
        return self._error("invalid syntax", span)

    def _missing_block(self, exc: Any) -> str:
        stack = getattr(exc.state, "value_stack", ())
        for value in reversed(stack):
            header = _HEADERS.get(getattr(value, "type", None))
            if header is not None:
                return f"expected an indented block after {header} on line {value.line}"
        return "expected an indented block"

    def _tokenizer_error(self, text: str) -> ProgramError | None:
        """Python lets a tokenizer error anywhere (an unclosed bracket) win over a
        plain "invalid syntax"; lexes the whole text to find one."""
        exceptions = _lark.exceptions
        try:
            for _token in self._parser.lex(text):
                pass
        except _TokenError as exc:
            return self._error(exc.message, self._token_span(exc.token), exc.kind)
        except exceptions.UnexpectedCharacters as exc:
            return self._character_error(exc, text)
        return None

    def _character_error(self, exc: Any, text: str) -> ProgramError:
        position = exc.pos_in_stream
        column = exc.column
        if text[position:position + 1] in ("'", '"') and \
                text[position - 2:position] == text[position] * 2:
            # `"""abc` lexes as an empty string `""` and then fails at `"abc`.
            position -= 2
            column -= 2
        rest = text[position:]
        span = self._span(exc.line, column, exc.line, column + 1)
        quote = _STRING_START.match(rest)
        if quote:
            if len(quote.group(1)) == 3:
                last = text.count("\n") + (self._origin[0] - 1 if self._origin else 0)
                return self._error(
                    f"unterminated triple-quoted string literal (detected at line {last})", span)
            return self._error(f"unterminated string literal (detected at line "
                               f"{span.line})", span)
        char = rest[:1]
        if char == "\\":
            return self._error("unexpected character after line continuation character", span)
        if char and (not char.isascii() or not char.isprintable()):
            return self._error(f"invalid character '{char}' (U+{ord(char):04X})", span)
        return self._error("invalid syntax", span)

    def _unsupported(self, meta: Any, message: str) -> ProgramError:
        return self._error(message, self.span_of(meta))

    # -- driving

    def build(self, tree: Any) -> Any:
        """Builds the node for ``tree`` (children first)."""
        tree_class = _lark.Tree
        children = [self.build(child) if isinstance(child, tree_class) else child
                    for child in tree.children]
        return _RULES[tree.data](self, tree.meta, children)

    # -- statements

    def _b_module(self, meta: Any, children: list) -> ast.Module:
        if not children:
            return ast.Module((), self._span(1, 1, 1, 1))
        first, last = children[0].span, children[-1].span
        return ast.Module(tuple(children), Span(self._filename, first.line, first.column,
                                                last.end_line, last.end_column))

    def _b_suite(self, meta: Any, children: list) -> tuple:
        return tuple(children)

    def _b_expr(self, meta: Any, children: list) -> ast.Expr:
        return ast.Expr(children[0], self.span_of(meta))

    def _b_assign(self, meta: Any, children: list) -> ast.Assign:
        targets = tuple(children[:-1])
        for target in targets:
            self._check_target(target, "assign to")
        return ast.Assign(targets, children[-1], self.span_of(meta))

    def _b_ann_assign(self, meta: Any, children: list) -> ast.Assign | ast.Pass:
        """``target: annotation [= value]``: the annotation is ignored."""
        target, _annotation, value = children
        if not isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
            word = "tuple" if isinstance(target, ast.Tuple) else "expression"
            raise self._error(f"only single target (not {word}) can be annotated",
                              target.span)
        if value is None:
            return ast.Pass(self.span_of(meta))
        return ast.Assign((target,), value, self.span_of(meta))

    def _b_aug_assign(self, meta: Any, children: list) -> ast.AugAssign:
        target, op, value = children
        if not isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
            word = _TARGET_WORDS.get(type(target), type(target).__name__.lower())
            if isinstance(target, ast.Constant):
                word = "literal"
            raise self._error(f"'{word}' is an illegal expression for augmented assignment",
                              target.span)
        return ast.AugAssign(target, op.value[:-1], value, self.span_of(meta))

    def _b_delete(self, meta: Any, children: list) -> ast.Delete:
        target = children[0]
        targets = target.elts if isinstance(target, ast.Tuple) else (target,)
        for item in targets:
            self._check_target(item, "delete")
        return ast.Delete(targets, self.span_of(meta))

    def _b_pass(self, meta: Any, children: list) -> ast.Pass:
        return ast.Pass(self.span_of(meta))

    def _b_break(self, meta: Any, children: list) -> ast.Break:
        return ast.Break(self.span_of(meta))

    def _b_continue(self, meta: Any, children: list) -> ast.Continue:
        return ast.Continue(self.span_of(meta))

    def _b_return(self, meta: Any, children: list) -> ast.Return:
        return ast.Return(children[0], self.span_of(meta))

    def _b_assert(self, meta: Any, children: list) -> ast.Assert:
        return ast.Assert(children[0], children[1], self.span_of(meta))

    def _b_raise(self, meta: Any, children: list) -> ast.Raise:
        exc, cause = (children + [None, None])[:2]
        return ast.Raise(exc, cause, self.span_of(meta))

    def _b_global(self, meta: Any, children: list) -> ast.Global:
        return ast.Global(tuple(str(name) for name in children), self.span_of(meta))

    def _b_nonlocal(self, meta: Any, children: list) -> ast.Nonlocal:
        return ast.Nonlocal(tuple(str(name) for name in children), self.span_of(meta))

    def _b_yield(self, meta: Any, children: list) -> ast.Yield:
        return ast.Yield(children[0] if children else None, self.span_of(meta))

    def _b_yield_from(self, meta: Any, children: list) -> ast.Yield:
        return ast.Yield(children[0], self.span_of(meta), True)

    def _b_while(self, meta: Any, children: list) -> ast.While:
        test, body, orelse = children
        return ast.While(test, body, orelse or (), self._block_span(meta, body, orelse or ()))

    def _b_except_handler(self, meta: Any, children: list) -> ast.ExceptHandler:
        kind, name, body = children
        if kind is None and name is not None:
            raise self._error("invalid syntax", self.span_of(meta))
        return ast.ExceptHandler(kind, None if name is None else str(name), body,
                                 self._block_span(meta, body))

    def _b_try(self, meta: Any, children: list) -> ast.Try:
        body = children[0]
        handlers = tuple(child for child in children[1:-2])
        orelse, finalbody = children[-2] or (), children[-1] or ()
        for handler in handlers[:-1]:
            if handler.type is None:
                raise self._error("default 'except:' must be last", handler.span)
        return ast.Try(body, handlers, orelse, finalbody,
                       self._block_span(meta, body, *(h.body for h in handlers), orelse,
                                        finalbody))

    def _b_try_finally(self, meta: Any, children: list) -> ast.Try:
        body, finalbody = children
        return ast.Try(body, (), (), finalbody, self._block_span(meta, body, finalbody))

    def _b_class_def(self, meta: Any, children: list) -> ast.ClassDef:
        name, arguments, body = children
        call = self._b_call(meta, [None, arguments])
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                raise self._error("'*' in a class's bases is not supported in gradcli",
                                  arg.span)
        return ast.ClassDef(str(name), call.args, call.keywords, body,
                            self._block_span(meta, body))

    def _b_decorator(self, meta: Any, children: list) -> Any:
        return children[0]

    def _b_decorated(self, meta: Any, children: list) -> ast.FunctionDef | ast.ClassDef:
        *decorators, definition = children
        span = Span(self._filename, decorators[0].span.line, decorators[0].span.column - 1,
                    definition.span.end_line, definition.span.end_column)
        if isinstance(definition, ast.FunctionDef):
            return ast.FunctionDef(definition.name, definition.params, definition.body, span,
                                   tuple(decorators))
        return ast.ClassDef(definition.name, definition.bases, definition.keywords,
                            definition.body, span, tuple(decorators))

    def _b_import(self, meta: Any, children: list) -> ast.Import:
        return ast.Import(tuple(children), self.span_of(meta))

    def _b_import_from(self, meta: Any, children: list) -> ast.ImportFrom:
        return ast.ImportFrom(children[0], tuple(children[1:]), self.span_of(meta))

    def _b_import_star(self, meta: Any, children: list) -> None:
        raise self._unsupported(meta, "'from ... import *' is not supported in gradcli")

    def _b_alias(self, meta: Any, children: list) -> ast.Alias:
        name, asname = children
        return ast.Alias(str(name), None if asname is None else str(asname),
                         self.span_of(meta))

    def _b_dotted_name(self, meta: Any, children: list) -> str:
        return ".".join(children)

    def _b_if(self, meta: Any, children: list) -> ast.If:
        orelse = children[-1] or ()
        node = None
        for index in range(len(children) - 3, -1, -2):
            test, body = children[index], children[index + 1]
            if index == 0:
                span = self._block_span(meta, body, orelse)
            else:   # an elif: from its test to the end of its last branch
                last = (orelse or body)[-1].span
                span = Span(self._filename, test.span.line, test.span.column,
                            last.end_line, last.end_column)
            node = ast.If(test, body, orelse, span)
            orelse = (node,)
        return node

    def _b_for(self, meta: Any, children: list) -> ast.For:
        target, iterable, body, orelse = children
        self._check_target(target, "assign to")
        return ast.For(target, iterable, body, orelse or (),
                       self._block_span(meta, body, orelse or ()))

    def _b_with(self, meta: Any, children: list) -> ast.With:
        return ast.With(tuple(children[:-1]), children[-1],
                        self._block_span(meta, children[-1]))

    def _b_with_item(self, meta: Any, children: list) -> ast.WithItem:
        context, target = children
        if target is not None:
            self._check_target(target, "assign to")
        return ast.WithItem(context, target, self.span_of(meta))

    def _b_function_def(self, meta: Any, children: list) -> ast.FunctionDef:
        name, params, _returns, body = children     # the return annotation is ignored
        return ast.FunctionDef(str(name), params or (), body, self._block_span(meta, body))

    def _b_parameters(self, meta: Any, children: list) -> tuple:
        seen: set[str] = set()
        has_default = False
        keyword_only = False
        params: list[ast.Param] = []
        markers = [index for index, param in enumerate(children) if param.kind == "/"]
        if markers:     # `def f(a, b, /, c)`: the parameters before `/` are positional-only
            marker = children[markers[0]]
            if len(markers) > 1:
                raise self._error("/ may appear only once", children[markers[1]].span)
            if markers[0] == 0:
                raise self._error("at least one argument must precede /", marker.span)
            if any(param.kind != "positional" for param in children[:markers[0]]):
                raise self._error("/ must be ahead of *", marker.span)
            children = [ast.Param(p.name, p.default, p.span, "posonly")
                        for p in children[:markers[0]]] + children[markers[0] + 1:]
        for index, param in enumerate(children):
            if params and params[-1].kind == "kwarg":
                raise self._error("arguments cannot follow var-keyword argument", param.span)
            if param.kind == "vararg":
                if keyword_only:
                    raise self._error("* argument may appear only once", param.span)
                keyword_only = True
                if not param.name:     # a bare `*`: keyword-only parameters must follow
                    following = children[index + 1:index + 2]
                    if not following or following[0].kind == "kwarg":
                        raise self._error("named arguments must follow bare *", param.span)
            elif param.kind == "positional" and keyword_only:
                param = ast.Param(param.name, param.default, param.span, "kwonly")
            if param.name:
                if param.name in seen:
                    raise self._error(f"duplicate argument '{param.name}' in function "
                                      "definition", param.span)
                seen.add(param.name)
            if param.kind in ("positional", "posonly"):
                if param.default is not None:
                    has_default = True
                elif has_default:
                    raise self._error("non-default argument follows default argument",
                                      param.span)
            params.append(param)
        return tuple(params)

    def _b_annotated_param(self, meta: Any, children: list) -> ast.Param:
        name, _annotation, default = children      # the annotation is ignored
        return ast.Param(str(name), default, self.span_of(meta))

    def _b_param(self, meta: Any, children: list) -> ast.Param:
        return ast.Param(str(children[0]), children[1], self.span_of(meta))

    def _b_vararg_param(self, meta: Any, children: list) -> ast.Param:
        name = children[0] if children else None
        return ast.Param("" if name is None else str(name), None, self.span_of(meta), "vararg")

    def _b_positional_only_marker(self, meta: Any, children: list) -> ast.Param:
        return ast.Param("", None, self.span_of(meta), "/")

    def _b_kwarg_param(self, meta: Any, children: list) -> ast.Param:
        return ast.Param(str(children[0]), None, self.span_of(meta), "kwarg")

    # -- expressions

    def _b_eval_input(self, meta: Any, children: list) -> Any:
        return children[0]

    def _b_lambda(self, meta: Any, children: list) -> ast.Lambda:
        params, body = children
        return ast.Lambda(params or (), body, self.span_of(meta))

    def _b_if_exp(self, meta: Any, children: list) -> ast.IfExp:
        body, test, orelse = children
        return ast.IfExp(test, body, orelse, self.span_of(meta))

    def _b_bool_op(self, meta: Any, children: list) -> ast.BoolOp:
        return ast.BoolOp(str(children[1]), tuple(children[0::2]), self.span_of(meta))

    def _b_unary_op(self, meta: Any, children: list) -> ast.UnaryOp:
        return ast.UnaryOp(str(children[0]), children[1], self.span_of(meta))

    def _b_compare(self, meta: Any, children: list) -> ast.Compare:
        ops: list[str] = []
        comparators = []
        words: list[str] = []
        for child in children[1:]:
            if isinstance(child, str):
                words.append(str(child))
            else:
                ops.append(" ".join(words))
                words = []
                comparators.append(child)
        return ast.Compare(children[0], tuple(ops), tuple(comparators), self.span_of(meta))

    def _b_bin_op(self, meta: Any, children: list) -> ast.BinOp:
        left, op, right = children
        return ast.BinOp(left, str(op), right, self.span_of(meta))

    def _b_call(self, meta: Any, children: list) -> ast.Call:
        func, arguments = children
        args = []
        keywords: list[ast.Keyword] = []
        arguments = arguments or ()
        unpacked_keywords = False
        for argument in arguments:
            if isinstance(argument, ast.Starred) and argument.double:
                keywords.append(ast.Keyword(None, argument.value, argument.span))
                unpacked_keywords = True
                continue
            if isinstance(argument, ast.Keyword):
                if argument.arg is not None and any(keyword.arg == argument.arg
                                                    for keyword in keywords):
                    raise self._error(f"keyword argument repeated: {argument.arg}",
                                      argument.span)
                keywords.append(argument)
                continue
            if unpacked_keywords and not isinstance(argument, ast.Starred):
                raise self._error("positional argument follows keyword argument unpacking",
                                  argument.span)
            if keywords and not isinstance(argument, ast.Starred):
                raise self._error("positional argument follows keyword argument",
                                  argument.span)
            if (isinstance(argument, ast.GeneratorExp) and len(arguments) > 1
                    and (argument.span.line, argument.span.column)
                    == (argument.elt.span.line, argument.elt.span.column)):
                raise self._error("Generator expression must be parenthesized", argument.span)
            args.append(argument)
        return ast.Call(func, tuple(args), tuple(keywords), self.span_of(meta))

    def _b_arguments(self, meta: Any, children: list) -> list:
        return children

    def _b_keyword(self, meta: Any, children: list) -> ast.Keyword:
        return ast.Keyword(str(children[0]), children[1], self.span_of(meta))

    def _b_starred(self, meta: Any, children: list) -> ast.Starred:
        return ast.Starred(children[0], self.span_of(meta))

    def _b_double_starred(self, meta: Any, children: list) -> ast.Starred:
        return ast.Starred(children[0], self.span_of(meta), True)

    def _b_subscript(self, meta: Any, children: list) -> ast.Subscript:
        return ast.Subscript(children[0], children[1], self.span_of(meta))

    def _b_attribute(self, meta: Any, children: list) -> ast.Attribute:
        return ast.Attribute(children[0], str(children[1]), self.span_of(meta))

    def _b_slice(self, meta: Any, children: list) -> ast.Slice:
        lower, upper, step = (children + [None, None])[:3]
        return ast.Slice(lower, upper, step, self.span_of(meta))

    def _b_tuple(self, meta: Any, children: list) -> ast.Tuple:
        return ast.Tuple(tuple(children), self.span_of(meta))

    def _b_list(self, meta: Any, children: list) -> ast.List:
        return ast.List(tuple(children), self.span_of(meta))

    def _b_dict(self, meta: Any, children: list) -> ast.Dict:
        keys: list = []
        values: list = []
        index = 0
        while index < len(children):
            child = children[index]
            if isinstance(child, ast.Starred) and child.double:   # {**mapping}
                keys.append(None)
                values.append(child.value)
                index += 1
            else:
                keys.append(child)
                values.append(children[index + 1])
                index += 2
        return ast.Dict(tuple(keys), tuple(values), self.span_of(meta))

    def _b_set(self, meta: Any, children: list) -> ast.Set:
        return ast.Set(tuple(children), self.span_of(meta))

    def _b_set_comp(self, meta: Any, children: list) -> ast.SetComp:
        return ast.SetComp(children[0], tuple(children[1:]), self.span_of(meta))

    def _b_comprehension(self, meta: Any, children: list) -> ast.Comprehension:
        target, iterable, *ifs = children
        self._check_target(target, "assign to")
        return ast.Comprehension(target, iterable, tuple(ifs), self.span_of(meta))

    def _b_list_comp(self, meta: Any, children: list) -> ast.ListComp:
        return ast.ListComp(children[0], tuple(children[1:]), self.span_of(meta))

    def _b_generator_exp(self, meta: Any, children: list) -> ast.GeneratorExp:
        return ast.GeneratorExp(children[0], tuple(children[1:]), self.span_of(meta))

    def _b_dict_comp(self, meta: Any, children: list) -> ast.DictComp:
        return ast.DictComp(children[0], children[1], tuple(children[2:]), self.span_of(meta))

    def _b_name(self, meta: Any, children: list) -> ast.Name:
        return ast.Name(str(children[0]), self.span_of(meta))

    def _b_constant(self, meta: Any, children: list) -> ast.Constant:
        token = children[0]
        kind = token.type
        text = str(token)
        span = self.span_of(meta)
        if kind == "NONE":
            value: object = None
        elif kind == "TRUE":
            value = True
        elif kind == "FALSE":
            value = False
        elif kind == "ELLIPSIS":
            value = ...
        else:
            try:
                if kind == "DEC_NUMBER":
                    if text[0] == "0" and text.strip("0_"):
                        raise self._error("leading zeros in decimal integer literals are not "
                                          "permitted; use an 0o prefix for octal integers", span)
                    value = int(text)
                elif kind == "FLOAT_NUMBER":
                    value = float(text)
                elif kind == "IMAG_NUMBER":
                    value = complex(text.replace("_", ""))
                else:
                    value = int(text, 0)
            except ValueError as exc:
                raise self._error(str(exc), span) from None
        return ast.Constant(value, span)

    # -- strings and f-strings

    def _b_string(self, meta: Any, children: list) -> ast.Constant | ast.JoinedStr:
        parts: list[Any] = []
        formatted = False
        for token in children:
            prefix = _STRING_START.match(token).group(0)
            quote = prefix.lstrip("rbufRBUF")
            flags = prefix[:len(prefix) - len(quote)].lower()
            if "b" in flags:
                raise self._error("bytes literals are not supported in gradcli",
                                  self._token_span(token))
            raw = "r" in flags
            start, end = len(prefix), len(token) - len(quote)
            if "f" in flags:
                formatted = True
                parts.extend(self._fstring_parts(token, start, end, raw, in_spec=False)[0])
            else:
                body = token[start:end]
                parts.append(body if raw else self._unescape(body, token, start))
        span = self.span_of(meta)
        if not formatted:
            return ast.Constant("".join(parts), span)
        values: list[Any] = []
        for part in parts:
            if isinstance(part, str):
                if values and isinstance(values[-1], ast.Constant):
                    values[-1] = ast.Constant(values[-1].value + part, values[-1].span)
                elif part:
                    values.append(ast.Constant(part, span))
            else:
                values.append(part)
        return ast.JoinedStr(tuple(values), span)

    def _unescape(self, body: str, token: Any, offset: int) -> str:
        if "\\" not in body:
            return body

        def replace(match: re.Match) -> str:
            newline, simple, octal, hex2, hex4, hex8, name, other = match.groups()
            if newline is not None:
                return ""
            if simple is not None:
                return _SIMPLE_ESCAPES[simple]
            if octal is not None:
                return chr(int(octal, 8))
            code = hex2 or hex4 or hex8
            if code is not None:
                if int(code, 16) > 0x10FFFF:
                    raise self._escape_error("illegal Unicode character", token, offset, match)
                return chr(int(code, 16))
            if name is not None:
                try:
                    return unicodedata.lookup(name)
                except KeyError:
                    raise self._escape_error("unknown Unicode character name", token, offset,
                                             match) from None
            if other in "xuUN":
                raise self._escape_error(f"truncated \\{other} escape", token, offset, match)
            return match.group(0)   # an unknown escape keeps its backslash, as in Python

        return _ESCAPES.sub(replace, body)

    def _escape_error(self, message: str, token: Any, offset: int,
                      match: re.Match) -> ProgramError:
        line, column = self._token_index(token, offset + match.start())
        return self._error(f"(unicode error) {message}", self._span(line, column, line,
                                                                     column + 1))

    def _token_index(self, token: Any, index: int) -> tuple[int, int]:
        """Lark line/column of character ``index`` of a token's text."""
        newline = token.rfind("\n", 0, index)
        if newline < 0:
            return token.line, token.column + index
        return token.line + token.count("\n", 0, index), index - newline

    def _fstring_error(self, message: str, token: Any, index: int) -> ProgramError:
        line, column = self._token_index(token, index)
        return self._error(f"f-string: {message}", self._span(line, column, line, column + 1))

    def _fstring_parts(self, token: Any, index: int, end: int, raw: bool,
                       in_spec: bool) -> tuple[list, int]:
        """Splits f-string text ``token[index:end]`` into str and FormattedValue parts.

        In a format spec (``in_spec``) it stops at the ``}`` closing the field.
        """
        parts: list[Any] = []
        literal: list[str] = []
        literal_start = index

        def flush() -> None:
            if literal:
                text = "".join(literal)
                parts.append(text if raw else self._unescape(text, token, literal_start))
                literal.clear()

        while index < end:
            char = token[index]
            if char == "{":
                if not in_spec and token[index + 1:index + 2] == "{":
                    literal.append("{")
                    index += 2
                    continue
                flush()
                field_parts, index = self._fstring_field(token, index + 1, end, raw)
                parts.extend(field_parts)
                literal_start = index
                continue
            if char == "}":
                if in_spec:
                    break
                if token[index + 1:index + 2] == "}":
                    literal.append("}")
                    index += 2
                    continue
                raise self._fstring_error("single '}' is not allowed", token, index)
            if char == "\\" and not raw:
                if token.startswith("N{", index + 1):   # \N{NAME}: its braces are not a field
                    close = token.find("}", index)
                    if 0 <= close < end:
                        literal.append(token[index:close + 1])
                        index = close + 1
                        continue
                literal.append(token[index:index + 2])
                index += 2
                continue
            literal.append(char)
            index += 1
        flush()
        return parts, index

    def _fstring_field(self, token: Any, index: int, end: int, raw: bool) -> tuple[list, int]:
        """Parses one ``{expr[=][!c][:spec]}`` field starting after its ``{``."""
        start = index
        depth = 0
        quote = ""
        while index < end:
            char = token[index]
            if quote:
                if char == "\\":
                    index += 2
                    continue
                if token.startswith(quote, index):
                    index += len(quote)
                    quote = ""
                    continue
                index += 1
                continue
            if char in "'\"":
                quote = token[index:index + 3] if token[index:index + 3] in ("'''", '"""') \
                    else char
                index += len(quote)
                continue
            if char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0:
                following = token[index + 1:index + 2]
                if char == "!" and following != "=":
                    break
                if char == ":":
                    break
                if char == "=" and following != "=" and token[index - 1] not in "=!<>":
                    break
            index += 1
        if index >= end:
            raise self._fstring_error("expecting '}'", token, start - 1)
        expression = token[start:index]
        if not expression.strip():
            raise self._fstring_error("empty expression not allowed", token, index)
        debug = None
        if token[index] == "=":
            index += 1
            while index < end and token[index] in " \t":
                index += 1
            debug = token[start:index]
        conversion = None
        if token[index] == "!":
            conversion = token[index + 1:index + 2]
            if conversion not in ("s", "r", "a") or not conversion:
                raise self._fstring_error(
                    "invalid conversion character: expected 's', 'r', or 'a'", token, index + 1)
            index += 2
        spec_parts = None
        spec_index = index
        if index < end and token[index] == ":":
            spec_parts, index = self._fstring_parts(token, index + 1, end, raw, in_spec=True)
        if index >= end or token[index] != "}":
            raise self._fstring_error("expecting '}'", token, min(index, end - 1))
        index += 1
        value = self._parse_field(expression, token, start)
        span = self._span(*self._token_index(token, start - 1),
                          *self._token_index(token, index))
        spec = None
        if spec_parts is not None:
            spec_values = tuple(ast.Constant(part, span) if isinstance(part, str) else part
                                for part in spec_parts)
            spec_line, spec_column = self._token_index(token, spec_index)
            spec = ast.JoinedStr(spec_values, self._span(spec_line, spec_column,
                                                         *self._token_index(token, index - 1)))
        if debug is not None and conversion is None and spec is None:
            conversion = "r"
        parts: list[Any] = [] if debug is None else [debug]
        parts.append(ast.FormattedValue(value, conversion, spec, span))
        return parts, index

    def _parse_field(self, expression: str, token: Any, index: int) -> Any:
        """Parses an f-string field's expression where it sits in the source."""
        saved = self._origin
        self._origin = self._position(*self._token_index(token, index))
        try:
            try:
                tree = self._parser.parse("(" + expression + ")", start="eval_input")
            except (_lark.exceptions.UnexpectedInput, _TokenError) as exc:
                raise self.syntax_error(exc, "(" + expression + ")") from None
            return self.build(tree)
        finally:
            self._origin = saved

    # -- checks

    def _check_target(self, target: Any, verb: str) -> None:
        if isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
            return
        if isinstance(target, ast.Starred):
            raise self._error("starred assignment targets ('a, *rest = ...') are not "
                              "supported in gradcli", target.span)
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._check_target(element, verb)
            return
        if isinstance(target, ast.Constant):
            value = target.value
            word = repr(value) if value is None or isinstance(value, bool) else (
                "ellipsis" if value is ... else "literal")
        else:
            word = _TARGET_WORDS.get(type(target), "expression")
        raise self._error(f"cannot {verb} {word}", target.span)


# Grammar rule or alias name -> the _AstBuilder method building its node.
_RULES = {name[len("_b_"):]: function for name, function in vars(_AstBuilder).items()
          if name.startswith("_b_")}


def _check_context(body: tuple, builder: _AstBuilder, *, in_function: bool,
                   in_loop: bool) -> None:
    """Rejects ``return``/``yield`` outside a function, ``break``/``continue``
    outside a loop and ``nonlocal`` at module level."""
    for stmt in body:
        kind = type(stmt)
        if kind is ast.Return and not in_function:
            raise builder._error("'return' outside function", stmt.span)
        if kind is ast.Break and not in_loop:
            raise builder._error("'break' outside loop", stmt.span)
        if kind is ast.Continue and not in_loop:
            raise builder._error("'continue' not properly in loop", stmt.span)
        if kind is ast.Nonlocal and not in_function:
            raise builder._error("nonlocal declaration not allowed at module level", stmt.span)
        if not in_function and kind not in (ast.FunctionDef, ast.ClassDef) \
                and ast.contains_yield(_own_expressions(stmt)):
            raise builder._error("'yield' outside function", stmt.span)
        if kind is ast.If:
            _check_context(stmt.body, builder, in_function=in_function, in_loop=in_loop)
            _check_context(stmt.orelse, builder, in_function=in_function, in_loop=in_loop)
        elif kind is ast.For or kind is ast.While:
            _check_context(stmt.body, builder, in_function=in_function, in_loop=True)
            _check_context(stmt.orelse, builder, in_function=in_function, in_loop=in_loop)
        elif kind is ast.With:
            _check_context(stmt.body, builder, in_function=in_function, in_loop=in_loop)
        elif kind is ast.Try:
            for block in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse,
                          stmt.finalbody):
                _check_context(block, builder, in_function=in_function, in_loop=in_loop)
        elif kind is ast.FunctionDef:
            _check_context(stmt.body, builder, in_function=True, in_loop=False)
        elif kind is ast.ClassDef:
            _check_context(stmt.body, builder, in_function=False, in_loop=False)


def _own_expressions(stmt: Any) -> tuple:
    """A statement's expressions, without its nested statement blocks."""
    kind = type(stmt)
    if kind in (ast.If, ast.While):
        return (stmt.test,)
    if kind is ast.For:
        return (stmt.iter,)
    if kind is ast.With:
        return tuple(item.context_expr for item in stmt.items)
    if kind is ast.Try:
        return tuple(h.type for h in stmt.handlers if h.type is not None)
    return (stmt,)
