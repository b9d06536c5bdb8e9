"""Programs built from the grammar's shapes: expressions, statements and blocks.

Generated numbers stay small and ``**`` takes only a small literal exponent, so no
program raises a Python int to a huge power (``10**10**10`` has no limit yet).
"""

from __future__ import annotations

import pytest
from fuzzing import check_program
from hypothesis import given
from hypothesis import strategies as st

NAMES = ["x", "y", "z", "t", "a", "b"]
SMALL = st.integers(min_value=-3, max_value=6)
SIZES = st.integers(min_value=0, max_value=4)

numbers = st.one_of(
    SMALL.map(str),
    st.sampled_from(["0.5", "1.", ".25", "-2.5", "1e-3", "1e308", "float('nan')",
                     "float('inf')", "-0.0", "2**31", "2**63 - 1", "True", "False", "None"]),
)
strings = st.sampled_from(["'a'", '"é"', "'''x'''", "f'{1}'", "''", "'ab' * 3", "\"\\n\""])
dtypes = st.sampled_from(["float32", "float64", "int64", "int32", "bool", "int8", "uint8",
                          "float16", "bfloat16", "complex64"])

# gradcli raises Python's recursion limit for deep programs, which hypothesis notes.
pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


def _shape(sizes):
    return ", ".join(str(s) for s in sizes)


shapes = st.lists(SIZES, min_size=1, max_size=3).map(_shape)
tensors = st.one_of(
    shapes.map(lambda s: f"ones({s})"),
    shapes.map(lambda s: f"zeros({s})"),
    shapes.map(lambda s: f"randn({s})"),
    shapes.map(lambda s: f"ones({s}, requires_grad=True)"),
    st.tuples(shapes, dtypes).map(lambda p: f"ones({p[0]}, dtype={p[1]})"),
    st.lists(SMALL, max_size=5).map(lambda v: f"tensor({v})"),
    st.lists(st.sampled_from(["1.5", "-2.", "0.", "3.25"]), max_size=4).map(
        lambda v: f"tensor([{', '.join(v)}], requires_grad=True)"),
    st.lists(st.lists(SMALL, min_size=2, max_size=2), max_size=3).map(lambda v: f"tensor({v})"),
    SIZES.map(lambda n: f"arange({n})"),
    st.tuples(SMALL, SMALL, SIZES).map(lambda p: f"arange({p[0]}, {p[1]}, {p[2]})"),
    st.tuples(SMALL, SMALL, SIZES).map(lambda p: f"linspace({p[0]}, {p[1]}, {p[2]})"),
)
atoms = st.one_of(numbers, strings, tensors, st.sampled_from(NAMES))

BINARY = ["+", "-", "*", "/", "//", "%", "@", "==", "!=", "<", "<=", ">", ">=", "&", "|",
          "^", "and", "or", "<<", ">>", "in", "is", "is not", "not in"]
UNARY = ["-", "+", "~", "not "]
METHODS = [
    "sum", "mean", "exp", "log", "sqrt", "abs", "neg", "relu", "sigmoid", "tanh", "t",
    "clone", "detach", "float", "double", "long", "int", "bool", "half", "numel", "dim", "size",
    "item", "tolist", "flatten", "squeeze", "unsqueeze", "view", "reshape", "transpose",
    "permute", "expand", "repeat", "flip", "cumsum", "cumprod", "softmax", "log_softmax",
    "max", "min", "argmax", "argmin", "amax", "prod", "std", "var", "norm", "clamp", "pow",
    "backward", "requires_grad_", "zero_", "fill_", "add_", "mul_", "sort", "topk", "split",
    "chunk", "narrow", "select", "index_select", "gather", "masked_fill", "where", "roll",
    "diagonal", "tril", "triu", "matmul", "mm", "dot", "outer", "all", "any", "nonzero",
    "unique", "contiguous", "is_contiguous", "stride", "storage_offset", "type", "to",
    "new_ones", "new_zeros", "sum_to_size", "unbind", "logsumexp", "median", "mode", "kthvalue",
    "isnan", "nan_to_num", "round", "floor", "ceil", "trunc", "sign", "reciprocal", "square",
    "retain_grad", "register_hook", "__len__", "__class__", "grad", "T", "mT", "shape", "dtype",
    "grad_fn", "data", "is_leaf", "requires_grad",
]
FUNCTIONS = ["cat", "stack", "where", "matmul", "einsum", "broadcast_tensors", "len", "list",
             "tuple", "abs", "max", "min", "sum", "float", "int", "str", "repr", "print", "range",
             "sorted", "reversed", "enumerate", "zip", "isinstance", "type", "round", "divmod",
             "torch.nn.functional.relu", "torch.autograd.grad", "torch.allclose", "dict", "set",
             "bool", "hash", "chr", "ord", "pow", "any", "all", "map", "filter", "iter", "next",
             "torch.nn.Linear", "torch.nn.functional.softmax", "clamp", "cumsum", "flatten"]
KEYWORDS = ["dim", "keepdim", "dtype", "requires_grad", "out", "retain_graph", "min", "max",
            "descending", "k", "p", "sep", "end", "inplace", "create_graph"]

args_small = st.lists(st.one_of(SMALL.map(str), st.sampled_from(["-1", "None", "True", "()",
                                                                  "(0, 1)", "[1, 0]"])),
                      max_size=3)


def _index(e):
    return st.one_of(
        SMALL.map(str),
        st.sampled_from([":", "::-1", "1:", ":2", "None", "...", "..., 0", ":, 0", "0, 1",
                         "[0, 0]", "[True, False]", "::0", "-1:", "tensor([0, 1])"]),
        e,
        e.map(lambda x: f"{x} > 0"),
    )


def _extend(e):
    args = st.lists(e, max_size=3)
    kwargs = st.lists(st.tuples(st.sampled_from(KEYWORDS), e), max_size=2)
    return st.one_of(
        st.tuples(e, st.sampled_from(BINARY), e).map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
        st.tuples(st.sampled_from(UNARY), e).map(lambda p: f"({p[0]}{p[1]})"),
        # Powers only with a small literal exponent: huge int powers have no limit yet.
        st.tuples(e, st.integers(-2, 3)).map(lambda p: f"({p[0]} ** {p[1]})"),
        st.tuples(e, st.sampled_from(METHODS), args_small).map(
            lambda p: f"{p[0]}.{p[1]}({', '.join(p[2])})"),
        st.tuples(e, st.sampled_from(METHODS)).map(lambda p: f"{p[0]}.{p[1]}"),
        st.tuples(st.sampled_from(FUNCTIONS), args, kwargs).map(
            lambda p: f"{p[0]}({', '.join(p[1] + [f'{k}={v}' for k, v in p[2]])})"),
        st.tuples(e, _index(e)).map(lambda p: f"{p[0]}[{p[1]}]"),
        args.map(lambda v: f"[{', '.join(v)}]"),
        args.map(lambda v: f"({', '.join(v)},)"),
        st.tuples(e, e).map(lambda p: f"{{{p[0]}: {p[1]}}}"),
        st.tuples(e, e, e).map(lambda p: f"({p[0]} if {p[1]} else {p[2]})"),
        e.map(lambda x: f"(lambda v: {x})"),
        e.map(lambda x: f"[{x} for v in range(3)]"),
        e.map(lambda x: f"f'{{{x}}}'"),
    )


expressions = st.recursive(atoms, _extend, max_leaves=12)


def _indent(lines, depth=1):
    return ["    " * depth + line for line in lines]


def _block(statements):
    return st.lists(statements, min_size=1, max_size=3).map(
        lambda blocks: [line for block in blocks for line in block])


def _compound(s):
    body = _block(s)
    e = expressions
    name = st.sampled_from(NAMES)
    return st.one_of(
        st.tuples(e, body, body).map(
            lambda p: [f"if {p[0]}:", *_indent(p[1]), "else:", *_indent(p[2])]),
        st.tuples(name, st.integers(0, 3), body).map(
            lambda p: [f"for {p[0]} in range({p[1]}):", *_indent(p[2])]),
        st.tuples(e, body).map(lambda p: [f"for v in {p[0]}:", *_indent(p[1])]),
        body.map(lambda b: ["n = 0", "while n < 3:", "    n += 1", *_indent(b)]),
        st.tuples(e, body).map(lambda p: ["while True:", *_indent(p[1]),
                                          f"    if {p[0]}:", "        break"]),
        st.tuples(body, e).map(lambda p: ["def f(x, y=1, *args, **kw):", *_indent(p[0]),
                                          f"    return {p[1]}", f"f({p[1]})", "f(f, y=f)"]),
        st.tuples(body, e).map(lambda p: ["class A:", "    def __init__(self, v=1):",
                                          "        self.v = v",
                                          "    def m(self, x):", *_indent(p[0], 2),
                                          f"        return {p[1]}",
                                          "a = A()", f"a.m({p[1]})", "a.v"]),
        st.tuples(body, body).map(
            lambda p: ["try:", *_indent(p[0]), "except Exception as err:", *_indent(p[1]),
                       "    err", "finally:", "    pass"]),
        st.tuples(st.sampled_from(["ValueError", "RuntimeError", "(TypeError, KeyError)",
                                   "IndexError", "ZeroDivisionError", "BaseException"]),
                  body).map(lambda p: ["try:", *_indent(p[1]), f"except {p[0]}:", "    pass"]),
        body.map(lambda b: ["with torch.no_grad():", *_indent(b)]),
        body.map(lambda b: ["with torch.enable_grad():", *_indent(b)]),
    )


def _simple():
    e = expressions
    name = st.sampled_from(NAMES)
    return st.one_of(
        e.map(lambda x: [x]),
        st.tuples(name, e).map(lambda p: [f"{p[0]} = {p[1]}"]),
        st.tuples(name, name, e).map(lambda p: [f"{p[0]}, {p[1]} = {p[2]}"]),
        st.tuples(name, st.sampled_from(["+=", "-=", "*=", "/=", "//=", "%=", "@=", "|=", "&="]),
                  e).map(lambda p: [f"{p[0]} {p[1]} {p[2]}"]),
        st.tuples(name, _index(e), e).map(lambda p: [f"{p[0]}[{p[1]}] = {p[2]}"]),
        st.tuples(name, st.sampled_from(["grad", "requires_grad", "data", "v", "shape"]),
                  e).map(lambda p: [f"{p[0]}.{p[1]} = {p[2]}"]),
        e.map(lambda x: [f"print({x})"]),
        e.map(lambda x: [f"assert {x}"]),
        e.map(lambda x: [f"raise ValueError({x})"]),
        name.map(lambda n: [f"del {n}"]),
        name.map(lambda n: [f"{n}.backward()"]),
        st.sampled_from([["pass"], ["break"], ["continue"], ["return 1"], ["global x"],
                         ["import math"], ["import os"], ["from torch import nn"]]),
    )


# Ops called directly on tensors with odd arguments: nested expressions reach them rarely.
OP_FUNCTIONS = ["cat", "stack", "where", "matmul", "clamp", "cumsum", "flatten", "gather",
                "index_select", "masked_fill", "topk", "sort", "max", "min", "sum", "mean", "std",
                "norm", "outer", "mm", "bmm", "cross", "diag", "tril", "roll", "flip", "tile",
                "repeat_interleave", "chunk", "split", "narrow", "select", "take", "kron",
                "trace", "logsumexp", "softmax", "pow", "atan2", "fmod", "lerp", "addcmul",
                "bucketize", "searchsorted", "histc", "bincount", "unique", "tensordot",
                "broadcast_to", "movedim", "squeeze", "unsqueeze", "reshape", "permute",
                "transpose", "full", "eye", "zeros_like", "linalg.norm", "linalg.inv",
                "linalg.det", "nn.functional.pad", "nn.functional.conv1d",
                "nn.functional.linear", "nn.functional.cross_entropy", "nn.functional.mse_loss",
                "nn.functional.one_hot", "nn.functional.embedding", "nn.functional.max_pool1d",
                "nn.functional.normalize", "nn.functional.dropout", "nn.functional.layer_norm",
                "nn.functional.gelu"]
op_args = st.one_of(SMALL.map(str), tensors, st.sampled_from(
    ["-1", "None", "True", "(0, 1)", "[1, 0]", "0.5", "float32", "int64", "'a'"]))
op_arg_lists = st.lists(st.one_of(op_args, st.tuples(st.sampled_from(KEYWORDS), op_args).map(
    lambda p: f"{p[0]}={p[1]}")), max_size=4).map(", ".join)
op_calls = st.one_of(
    st.tuples(tensors, st.sampled_from(METHODS), op_arg_lists).map(
        lambda p: f"r = {p[0]}.{p[1]}({p[2]})\nr\n"
                  "r.sum().backward() if isinstance(r, torch.Tensor) and r.requires_grad else 0"),
    st.tuples(st.sampled_from(OP_FUNCTIONS), op_arg_lists).map(
        lambda p: f"r = torch.{p[0]}({p[1]})\nr"),
)

statements = st.recursive(_simple(), _compound, max_leaves=6)
PRELUDE = ["x = ones(2, 3, requires_grad=True)", "y = tensor([1., 2., 3.])", "z = arange(6)",
           "t = randn(3, 3)", "a = 2", "b = [1, 2]"]


@given(expressions)
def test_an_expression_never_breaks_gradcli(source):
    check_program(source)


@given(op_calls)
def test_an_op_call_with_odd_arguments_never_breaks_gradcli(source):
    check_program(source)


@given(expressions)
def test_an_expression_after_a_prelude_never_breaks_gradcli(source):
    check_program("\n".join([*PRELUDE, source]))


@given(st.lists(statements, min_size=1, max_size=6))
def test_a_program_never_breaks_gradcli(blocks):
    check_program("\n".join([*PRELUDE, *(line for block in blocks for line in block)]))


@given(st.lists(statements, min_size=1, max_size=4))
def test_a_script_never_breaks_gradcli(blocks):
    lines = ["import torch", *PRELUDE, *(line for block in blocks for line in block)]
    check_program("\n".join(lines).replace("ones(", "torch.ones("), "<fuzz>.py")
