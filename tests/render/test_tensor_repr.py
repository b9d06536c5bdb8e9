"""Tests for ``gradcli.render.tensor_repr``.

The expected strings in ``CASES`` were printed by PyTorch 2.13 (CPU) and pasted
here, so the suite means something without torch. When torch is installed the
same table, some larger cases and a few hundred random tensors are also
compared with ``repr(torch_tensor)`` live.
"""

from __future__ import annotations

import math
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pytest

from gradcli.engine import printopts
from gradcli.engine.printopts import PrintOptions
from gradcli.render.tensor_repr import tensor_repr

NAN, INF = math.nan, math.inf


@dataclass(frozen=True)
class Case:
    id: str
    values: object  # anything np.array() takes
    dtype: str
    expected: str | None = None  # None: only compared with torch
    flags: dict = field(default_factory=dict)  # keyword arguments of tensor_repr
    opts: dict = field(default_factory=dict)  # keyword arguments of set_printoptions


# Expected strings printed by PyTorch 2.13.
CASES = [
    Case("scalar-float", 3.5, "float32",
         'tensor(3.5000)'),
    Case("scalar-int", 7, "int64",
         'tensor(7)'),
    Case("scalar-bool", True, "bool",
         'tensor(True)'),
    Case("scalar-whole-float", -2.0, "float32",
         'tensor(-2.)'),
    Case("scalar-nan", NAN, "float32",
         'tensor(nan)'),
    Case("scalar-neg-zero", -0.0, "float32",
         'tensor(-0.)'),
    Case("scalar-float64", 0.1, "float64",
         'tensor(0.1000, dtype=torch.float64)'),
    Case("scalar-big", 1e10, "float32",
         'tensor(1.0000e+10)'),
    Case("scalar-int8", -5, "int8",
         'tensor(-5, dtype=torch.int8)'),
    Case("whole-floats", [1.0, 2.0, -30.0], "float32",
         'tensor([  1.,   2., -30.])'),
    Case("fixed-common-width", [1.0, 2.5, -3.0, 100.25], "float32",
         'tensor([  1.0000,   2.5000,  -3.0000, 100.2500])'),
    Case("float32-rounding", [0.1, 2.5, 0.00015, 0.33335, 123456.7], "float32",
         'tensor([1.0000e-01, 2.5000e+00, 1.5000e-04, 3.3335e-01, 1.2346e+05])'),
    Case("float32-half-even", [0.00005, 1.00005, 0.12345], "float32",
         'tensor([5.0000e-05, 1.0000e+00, 1.2345e-01])'),
    Case("fixed-neg-zero", [0.5, -0.0, -1.25], "float32",
         'tensor([ 0.5000, -0.0000, -1.2500])'),
    Case("int-mode-neg-zero", [1.0, -0.0], "float32",
         'tensor([1., -0.])'),
    Case("all-zero", [0.0, -0.0, 0.0], "float32",
         'tensor([0., -0., 0.])'),
    Case("sci-ratio", [1.0, 1500.0], "float32",
         'tensor([1.0000e+00, 1.5000e+03])'),
    Case("sci-ratio-just-under", [1.0, 1000.0], "float32",
         'tensor([   1., 1000.])'),
    Case("sci-big", [1e10, 2.5], "float32",
         'tensor([1.0000e+10, 2.5000e+00])'),
    Case("sci-small", [1e-5, 2e-5], "float32",
         'tensor([1.0000e-05, 2.0000e-05])'),
    Case("sci-whole-huge", [1e9, 2e9], "float32",
         'tensor([1.0000e+09, 2.0000e+09])'),
    Case("whole-1e8", [1e8, 2e7], "float32",
         'tensor([100000000.,  20000000.])'),
    Case("whole-1e8-float32-rounds-up", [123456789.0], "float32",
         'tensor([1.2346e+08])'),
    Case("whole-float64-big", [12345678.0, 87654321.0], "float64",
         'tensor([12345678., 87654321.], dtype=torch.float64)'),
    Case("sci-forced", [1.0, 2.5], "float32",
         'tensor([1.0000e+00, 2.5000e+00])',
         opts={"sci_mode": True}),
    Case("sci-forced-whole", [1.0, 20.0], "float32",
         'tensor([1.0000e+00, 2.0000e+01])',
         opts={"sci_mode": True}),
    Case("sci-disabled", [1e-5, 1e5], "float32",
         'tensor([     0.0000, 100000.0000])',
         opts={"sci_mode": False}),
    Case("sci-negative-exponent-3-digits", [1e-300, 1.0], "float64",
         'tensor([1.0000e-300,  1.0000e+00], dtype=torch.float64)'),
    Case("nan-inf-whole", [NAN, 1.0, INF, -INF, 20.0], "float32",
         'tensor([nan,  1., inf, -inf, 20.])'),
    Case("nan-inf-fixed", [NAN, 1.5, -INF], "float32",
         'tensor([   nan, 1.5000,   -inf])'),
    Case("nan-inf-sci", [NAN, 1e-7, INF], "float32",
         'tensor([       nan, 1.0000e-07,        inf])'),
    Case("nan-whole-sci", [NAN, 1e9, -2e9], "float32",
         'tensor([        nan,  1.0000e+09, -2.0000e+09])'),
    Case("all-nan", [NAN, NAN, NAN], "float32",
         'tensor([nan, nan, nan])'),
    Case("all-inf", [INF, -INF], "float64",
         'tensor([inf, -inf], dtype=torch.float64)'),
    Case("nan-2d", [[NAN, 1.0], [2.0, -INF]], "float32",
         """\
tensor([[nan, 1.],
        [2., -inf]])"""),
    Case("bool-1d", [True, False, True], "bool",
         'tensor([ True, False,  True])'),
    Case("bool-2d", [[True, False], [False, False]], "bool",
         """\
tensor([[ True, False],
        [False, False]])"""),
    Case("int-negative-width", [[-100, 5], [7, 12]], "int64",
         """\
tensor([[-100,    5],
        [   7,   12]])"""),
    Case("int32", [1, -2, 3], "int32",
         'tensor([ 1, -2,  3], dtype=torch.int32)'),
    Case("int16", [300, -2], "int16",
         'tensor([300,  -2], dtype=torch.int16)'),
    Case("int64-huge", [2**62, -1], "int64",
         'tensor([4611686018427387904,                  -1])'),
    Case("int8", [-128, 127], "int8",
         'tensor([-128,  127], dtype=torch.int8)'),
    Case("uint8", [0, 255, 7], "uint8",
         'tensor([  0, 255,   7], dtype=torch.uint8)'),
    Case("float16", [0.1, 65504.0, -2.0], "float16",
         'tensor([ 9.9976e-02,  6.5504e+04, -2.0000e+00], dtype=torch.float16)'),
    Case("float16-whole", [1.0, 2.0], "float16",
         'tensor([1., 2.], dtype=torch.float16)'),
    Case("bfloat16", [0.1, 3.14159, 1000.0], "bfloat16",
         'tensor([1.0010e-01, 3.1406e+00, 1.0000e+03], dtype=torch.bfloat16)'),
    Case("float64", [0.1, 0.2, 0.30000000000000004], "float64",
         'tensor([0.1000, 0.2000, 0.3000], dtype=torch.float64)'),
    Case("complex64", [1 + 2j, -3.5 - 0.25j, 0.5j], "complex64",
         'tensor([ 1.0000+2.0000j, -3.5000-0.2500j,  0.0000+0.5000j])'),
    Case("complex-scalar", -1.5j, "complex64",
         'tensor(-0.-1.5000j)'),
    Case("complex-sci", [1e-6 + 1j, 2 - 3e5j], "complex64",
         'tensor([1.0000e-06+1.0000e+00j, 2.0000e+00-3.0000e+05j])'),
    Case("default64-float64", [1.5, 2.0], "float64",
         'tensor([1.5000, 2.0000])',
         flags={"default_dtype": "float64"}),
    Case("default64-float32", [1.5, 2.0], "float32",
         'tensor([1.5000, 2.0000], dtype=torch.float32)',
         flags={"default_dtype": "float64"}),
    Case("default64-int64", [1, 2], "int64",
         'tensor([1, 2])',
         flags={"default_dtype": "float64"}),
    Case("default64-complex128", [1j], "complex128",
         'tensor([0.+1.j])',
         flags={"default_dtype": "float64"}),
    Case("default64-complex64", [1j], "complex64",
         'tensor([0.+1.j], dtype=torch.complex64)',
         flags={"default_dtype": "float64"}),
    Case("default64-empty-float32", np.zeros(0), "float32",
         'tensor([], dtype=torch.float32)',
         flags={"default_dtype": "float64"}),
    Case("default64-empty-float64", np.zeros(0), "float64",
         'tensor([])',
         flags={"default_dtype": "float64"}),
    Case("empty-float32", np.zeros(0), "float32",
         'tensor([])'),
    Case("empty-2d", np.zeros((0, 3)), "float32",
         'tensor([], size=(0, 3))'),
    Case("empty-3d", np.zeros((2, 0, 3)), "float32",
         'tensor([], size=(2, 0, 3))'),
    Case("empty-int64", np.zeros(0), "int64",
         'tensor([], dtype=torch.int64)'),
    Case("empty-bool-2d", np.zeros((3, 0)), "bool",
         'tensor([], size=(3, 0), dtype=torch.bool)'),
    Case("empty-float64", np.zeros(0), "float64",
         'tensor([], dtype=torch.float64)'),
    Case("empty-uint8-requires-grad-no", np.zeros((0, 0)), "uint8",
         'tensor([], size=(0, 0), dtype=torch.uint8)'),
    Case("empty-requires-grad", np.zeros((0, 2)), "float32",
         'tensor([], size=(0, 2), requires_grad=True)',
         flags={"requires_grad": True}),
    Case("2d", [[1.0, 2.0], [3.0, 4.0]], "float32",
         """\
tensor([[1., 2.],
        [3., 4.]])"""),
    Case("3d", np.arange(12.0).reshape(2, 3, 2) / 4, "float32",
         """\
tensor([[[0.0000, 0.2500],
         [0.5000, 0.7500],
         [1.0000, 1.2500]],

        [[1.5000, 1.7500],
         [2.0000, 2.2500],
         [2.5000, 2.7500]]])"""),
    Case("4d", np.arange(16).reshape(2, 2, 2, 2), "int64",
         """\
tensor([[[[ 0,  1],
          [ 2,  3]],

         [[ 4,  5],
          [ 6,  7]]],


        [[[ 8,  9],
          [10, 11]],

         [[12, 13],
          [14, 15]]]])"""),
    Case("5d", np.arange(32).reshape(2, 2, 2, 2, 2) % 3 == 0, "bool",
         """\
tensor([[[[[ True, False],
           [False,  True]],

          [[False, False],
           [ True, False]]],


         [[[False,  True],
           [False, False]],

          [[ True, False],
           [False,  True]]]],



        [[[[False, False],
           [ True, False]],

          [[False,  True],
           [False, False]]],


         [[[ True, False],
           [False,  True]],

          [[False, False],
           [ True, False]]]]])"""),
    Case("3d-single-blocks", [[[1.5]]], "float32",
         'tensor([[[1.5000]]])'),
    Case("wrap-1d", np.arange(30) * 1.25, "float32",
         """\
tensor([ 0.0000,  1.2500,  2.5000,  3.7500,  5.0000,  6.2500,  7.5000,  8.7500,
        10.0000, 11.2500, 12.5000, 13.7500, 15.0000, 16.2500, 17.5000, 18.7500,
        20.0000, 21.2500, 22.5000, 23.7500, 25.0000, 26.2500, 27.5000, 28.7500,
        30.0000, 31.2500, 32.5000, 33.7500, 35.0000, 36.2500])"""),
    Case("wrap-1d-int", np.arange(40) - 20, "int64",
         """\
tensor([-20, -19, -18, -17, -16, -15, -14, -13, -12, -11, -10,  -9,  -8,  -7,
         -6,  -5,  -4,  -3,  -2,  -1,   0,   1,   2,   3,   4,   5,   6,   7,
          8,   9,  10,  11,  12,  13,  14,  15,  16,  17,  18,  19])"""),
    Case("wrap-2d", np.arange(48.0).reshape(2, 24) / 3, "float32",
         """\
tensor([[ 0.0000,  0.3333,  0.6667,  1.0000,  1.3333,  1.6667,  2.0000,  2.3333,
          2.6667,  3.0000,  3.3333,  3.6667,  4.0000,  4.3333,  4.6667,  5.0000,
          5.3333,  5.6667,  6.0000,  6.3333,  6.6667,  7.0000,  7.3333,  7.6667],
        [ 8.0000,  8.3333,  8.6667,  9.0000,  9.3333,  9.6667, 10.0000, 10.3333,
         10.6667, 11.0000, 11.3333, 11.6667, 12.0000, 12.3333, 12.6667, 13.0000,
         13.3333, 13.6667, 14.0000, 14.3333, 14.6667, 15.0000, 15.3333, 15.6667]])"""),
    Case("wrap-3d", np.arange(40.0).reshape(2, 1, 20) * 1000 + 0.5, "float64",
         """\
tensor([[[5.0000e-01, 1.0005e+03, 2.0005e+03, 3.0005e+03, 4.0005e+03,
          5.0005e+03, 6.0005e+03, 7.0005e+03, 8.0005e+03, 9.0005e+03,
          1.0000e+04, 1.1000e+04, 1.2000e+04, 1.3000e+04, 1.4000e+04,
          1.5000e+04, 1.6000e+04, 1.7000e+04, 1.8000e+04, 1.9000e+04]],

        [[2.0000e+04, 2.1000e+04, 2.2000e+04, 2.3000e+04, 2.4000e+04,
          2.5000e+04, 2.6000e+04, 2.7000e+04, 2.8000e+04, 2.9000e+04,
          3.0000e+04, 3.1000e+04, 3.2000e+04, 3.3000e+04, 3.4000e+04,
          3.5000e+04, 3.6000e+04, 3.7000e+04, 3.8000e+04, 3.9000e+04]]],
       dtype=torch.float64)"""),
    Case("narrow-linewidth", np.arange(10), "int64",
         """\
tensor([0, 1, 2, 3,
        4, 5, 6, 7,
        8, 9])""",
         opts={"linewidth": 20}),
    Case("tiny-linewidth", [100, 200, 300], "int64",
         """\
tensor([100,
        200,
        300])""",
         opts={"linewidth": 5}),
    Case("summarize-1d", np.arange(2000), "int64",
         'tensor([   0,    1,    2,  ..., 1997, 1998, 1999])'),
    Case("summarize-1d-float", np.arange(1001) / 8, "float32",
         'tensor([  0.0000,   0.1250,   0.2500,  ..., 124.7500, 124.8750, 125.0000])'),
    Case("summarize-2d", np.arange(1600.0).reshape(40, 40), "float32",
         """\
tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 3.7000e+01, 3.8000e+01,
         3.9000e+01],
        [4.0000e+01, 4.1000e+01, 4.2000e+01,  ..., 7.7000e+01, 7.8000e+01,
         7.9000e+01],
        [8.0000e+01, 8.1000e+01, 8.2000e+01,  ..., 1.1700e+02, 1.1800e+02,
         1.1900e+02],
        ...,
        [1.4800e+03, 1.4810e+03, 1.4820e+03,  ..., 1.5170e+03, 1.5180e+03,
         1.5190e+03],
        [1.5200e+03, 1.5210e+03, 1.5220e+03,  ..., 1.5570e+03, 1.5580e+03,
         1.5590e+03],
        [1.5600e+03, 1.5610e+03, 1.5620e+03,  ..., 1.5970e+03, 1.5980e+03,
         1.5990e+03]])"""),
    Case("summarize-3d", np.arange(200).reshape(5, 4, 10) - 100, "int64",
         """\
tensor([[[-100,  -99,  ...,  -92,  -91],
         [ -90,  -89,  ...,  -82,  -81],
         [ -80,  -79,  ...,  -72,  -71],
         [ -70,  -69,  ...,  -62,  -61]],

        [[ -60,  -59,  ...,  -52,  -51],
         [ -50,  -49,  ...,  -42,  -41],
         [ -40,  -39,  ...,  -32,  -31],
         [ -30,  -29,  ...,  -22,  -21]],

        ...,

        [[  20,   21,  ...,   28,   29],
         [  30,   31,  ...,   38,   39],
         [  40,   41,  ...,   48,   49],
         [  50,   51,  ...,   58,   59]],

        [[  60,   61,  ...,   68,   69],
         [  70,   71,  ...,   78,   79],
         [  80,   81,  ...,   88,   89],
         [  90,   91,  ...,   98,   99]]])""",
         opts={"threshold": 100, "edgeitems": 2}),
    Case("summarize-scans-shown-only",
         np.concatenate([[0.5, 1, 2], np.full(1000, 1e10), [3, 4, 5]]), "float32",
         'tensor([0.5000, 1.0000, 2.0000,  ..., 3.0000, 4.0000, 5.0000])'),
    Case("summarize-short-dim-kept", np.arange(3 * 400).reshape(3, 400), "int32",
         """\
tensor([[   0,    1,    2,  ...,  397,  398,  399],
        [ 400,  401,  402,  ...,  797,  798,  799],
        [ 800,  801,  802,  ..., 1197, 1198, 1199]], dtype=torch.int32)"""),
    Case("threshold-5", np.arange(10), "int64",
         'tensor([0, 1, 2,  ..., 7, 8, 9])',
         opts={"threshold": 5}),
    Case("threshold-edgeitems-1", np.arange(24).reshape(2, 3, 4), "int64",
         """\
tensor([[[ 0,  ...,  3],
         ...,
         [ 8,  ..., 11]],

        [[12,  ..., 15],
         ...,
         [20,  ..., 23]]])""",
         opts={"threshold": 5, "edgeitems": 1}),
    Case("edgeitems-0-summarized", np.arange(10.0), "float32",
         'tensor([...], size=(10,))',
         opts={"threshold": 5, "edgeitems": 0}),
    Case("edgeitems-0-2d", np.arange(100).reshape(10, 10), "int64",
         'tensor([...], size=(10, 10))',
         opts={"threshold": 5, "edgeitems": 0}),
    Case("edgeitems-0-not-summarized", [[1, 2], [3, 4]], "int64",
         """\
tensor([[1, 2],
        [3, 4]], size=(2, 2))""",
         opts={"edgeitems": 0}),
    Case("edgeitems-0-scalar", 2.5, "float64",
         'tensor(2.5000, size=(), dtype=torch.float64)',
         opts={"edgeitems": 0}),
    Case("precision-2", [1.12345, -2.5, 3.0], "float32",
         'tensor([ 1.12, -2.50,  3.00])',
         opts={"precision": 2}),
    Case("precision-0", [2.5, 0.5, 1.5], "float32",
         'tensor([2, 0, 2])',
         opts={"precision": 0}),
    Case("precision-8", [0.1, 0.3], "float32",
         'tensor([0.10000000, 0.30000001])',
         opts={"precision": 8}),
    Case("precision-10-float64", [0.1, 1.0 / 3], "float64",
         'tensor([0.1000000000, 0.3333333333], dtype=torch.float64)',
         opts={"precision": 10}),
    Case("profile-short", np.arange(1200) / 7, "float32",
         'tensor([0.00e+00, 1.43e-01,  ..., 1.71e+02, 1.71e+02])',
         opts={"profile": "short"}),
    Case("profile-then-option", [1.23456], "float32",
         'tensor([1.235])',
         opts={"profile": "short", "precision": 3}),
    Case("grad-fn", [1.0, 2.0, 3.0], "float32",
         'tensor([1., 2., 3.], grad_fn=<MulBackward0>)',
         flags={"grad_fn": "MulBackward0"}),
    Case("grad-fn-wins-over-requires-grad", [1.5], "float32",
         'tensor([1.5000], grad_fn=<MulBackward0>)',
         flags={"grad_fn": "MulBackward0", "requires_grad": True}),
    Case("requires-grad", [[1.0, 2.0], [3.0, 4.0]], "float32",
         """\
tensor([[1., 2.],
        [3., 4.]], requires_grad=True)""",
         flags={"requires_grad": True}),
    Case("requires-grad-scalar", 2.0, "float32",
         'tensor(2., requires_grad=True)',
         flags={"requires_grad": True}),
    Case("dtype-and-grad-fn", [1.0, 2.0], "float64",
         'tensor([1., 2.], dtype=torch.float64, grad_fn=<MulBackward0>)',
         flags={"grad_fn": "MulBackward0"}),
    Case("parameter", [[0.5, -0.25]], "float32",
         """\
Parameter containing:
tensor([[ 0.5000, -0.2500]], requires_grad=True)""",
         flags={"is_parameter": True, "requires_grad": True}),
    Case("parameter-no-grad", [1, 2], "int64",
         """\
Parameter containing:
tensor([1, 2])""",
         flags={"is_parameter": True}),
    Case("suffix-fits", np.arange(10) * 1.5, "float16",
         """\
tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,
        12.0000, 13.5000], dtype=torch.float16, requires_grad=True)""",
         flags={"requires_grad": True}),
    Case("suffix-on-last-row", np.arange(11) * 1.5, "float16",
         """\
tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,
        12.0000, 13.5000, 15.0000], dtype=torch.float16)"""),
    Case("suffix-second-wraps", [1.5, 2.5, 3.5, 4.5, 5.5], "float64",
         """\
tensor([1.5000, 2.5000, 3.5000, 4.5000, 5.5000], dtype=torch.float64,
       grad_fn=<MulBackward0>)""",
         flags={"grad_fn": "MulBackward0"}),
    Case("suffix-wraps-two-columns-early", [1, 2, 3], "int32",
         """\
tensor([1, 2, 3],
       dtype=torch.int32)""",
         opts={"linewidth": 36}),
    Case("suffix-fits-one-column-wider", [1, 2, 3], "int32",
         'tensor([1, 2, 3], dtype=torch.int32)',
         opts={"linewidth": 37}),
    Case("scalar-grad-fn", -0.5, "float32",
         'tensor(-0.5000, grad_fn=<MulBackward0>)',
         flags={"grad_fn": "MulBackward0"}),
    Case("suffix-after-multiline", np.arange(30) * 1.25, "float64",
         """\
tensor([ 0.0000,  1.2500,  2.5000,  3.7500,  5.0000,  6.2500,  7.5000,  8.7500,
        10.0000, 11.2500, 12.5000, 13.7500, 15.0000, 16.2500, 17.5000, 18.7500,
        20.0000, 21.2500, 22.5000, 23.7500, 25.0000, 26.2500, 27.5000, 28.7500,
        30.0000, 31.2500, 32.5000, 33.7500, 35.0000, 36.2500],
       dtype=torch.float64, grad_fn=<MulBackward0>)""",
         flags={"grad_fn": "MulBackward0"}),
    Case("suffix-narrow", [1.0, 2.0], "float64",
         """\
tensor([1., 2.],
       dtype=torch.float64,
       requires_grad=True)""",
         flags={"requires_grad": True}, opts={"linewidth": 20}),
    Case("suffix-all", np.arange(6.0).reshape(2, 3), "float64",
         """\
tensor([[0., 1., 2.],
        [3., 4., 5.]],
       size=(2, 3),
       dtype=torch.float64,
       requires_grad=True)""",
         flags={"requires_grad": True}, opts={"edgeitems": 0, "linewidth": 30}),
]

# Too long to paste: compared with torch only.
ORACLE_CASES = [
    Case("profile-full", np.arange(1200).reshape(30, 40), "int16", opts={"profile": "full"}),
    Case("summarize-4d", np.arange(4 * 5 * 6 * 70).reshape(4, 5, 6, 70) / 3, "float32"),
    Case("summarize-3d-default", np.arange(2400).reshape(6, 20, 20) - 100, "int64"),
    Case("summarize-bool", np.arange(3000) % 3 == 0, "bool"),
    Case("summarize-wide-rows", np.arange(1100.0).reshape(2, 550) * 1e5, "float64",
         flags={"requires_grad": True}),
    Case("float16-mixed", np.linspace(-70000, 70000, 37), "float16"),
    Case("bfloat16-wide", np.geomspace(1e-30, 1e30, 25), "bfloat16"),
    Case("complex-2d", (np.arange(12) - 5.5).reshape(3, 4) * (1 - 0.5j), "complex64",
         flags={"grad_fn": "MulBackward0"}),
    Case("linewidth-200", np.arange(100) / 3, "float64", opts={"linewidth": 200}),
    Case("edgeitems-5", np.arange(3000).reshape(30, 100), "int64", opts={"edgeitems": 5}),
    Case("parameter-2d", np.ones((3, 30)) / 7, "float32",
         flags={"is_parameter": True, "requires_grad": True}),
]

INT_DTYPES = ("uint8", "int8", "int16", "int32", "int64")


@contextmanager
def live_options(opts: dict):
    """Sets gradcli's print options for the block, then restores the defaults."""
    printopts.set_printoptions(**opts)
    try:
        yield
    finally:
        printopts.reset_printoptions()


def ours(case: Case) -> str:
    with live_options(case.opts):
        return tensor_repr(np.array(case.values), case.dtype, **case.flags)


def torch_repr(case: Case) -> str:
    """What PyTorch prints for the case; torch's global settings are restored after."""
    torch = pytest.importorskip("torch")
    old_default = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, case.flags.get("default_dtype", "float32")))
    torch.set_printoptions(**case.opts)
    try:
        tensor = torch.from_numpy(np.array(case.values)).to(getattr(torch, case.dtype))
        if case.flags.get("grad_fn"):
            assert case.flags["grad_fn"] == "MulBackward0", "only x * 1 is built here"
            tensor = tensor.requires_grad_() * 1  # same values, grad_fn=<MulBackward0>
        elif case.flags.get("requires_grad"):
            tensor.requires_grad_()
        if case.flags.get("is_parameter"):
            requires_grad = bool(case.flags.get("requires_grad"))
            tensor = torch.nn.Parameter(tensor, requires_grad=requires_grad)
        return repr(tensor)
    finally:
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(old_default)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden(case: Case) -> None:
    assert ours(case) == case.expected


@pytest.mark.parametrize("case", CASES + ORACLE_CASES, ids=lambda c: c.id)
def test_matches_torch(case: Case) -> None:
    assert ours(case) == torch_repr(case)


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES + ORACLE_CASES]
    assert len(ids) == len(set(ids))


def test_options_argument_beats_live_options() -> None:
    with live_options({"precision": 6}):
        assert tensor_repr(np.array([0.5]), "float32") == "tensor([0.500000])"
        explicit = tensor_repr(np.array([0.5]), "float32", options=PrintOptions(precision=1))
    assert explicit == "tensor([0.5])"


def test_profile_full_prints_every_element() -> None:
    with live_options({"profile": "full"}):
        text = tensor_repr(np.arange(1200).reshape(30, 40), "int16")
    assert "..." not in text
    assert text.count("\n") == 119
    assert text.endswith("1199]], dtype=torch.int16)")


def test_values_are_rounded_to_the_tensor_dtype() -> None:
    # A float64 array for a float32 tensor prints as the float32 tensor does.
    with live_options({"precision": 8}):
        assert tensor_repr(np.array([0.3]), "float32") == "tensor([0.30000001])"
        assert tensor_repr(np.array([0.3], dtype=np.float32), "float64") == (
            "tensor([0.30000001], dtype=torch.float64)")
    # float16 is reached through float32, as in PyTorch: two roundings.
    assert tensor_repr(np.array([1 + 2**-11 + 2**-40]), "float16") == (
        "tensor([1.], dtype=torch.float16)")
    assert tensor_repr(np.array([1e6]), "float16") == "tensor([inf], dtype=torch.float16)"
    assert tensor_repr(np.array([3], dtype=np.int8), "float32") == "tensor([3.])"


def test_non_contiguous_values() -> None:
    values = np.arange(6.0).reshape(2, 3).T
    assert tensor_repr(values, "bfloat16") == (
        "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]], dtype=torch.bfloat16)")


def test_unknown_dtype_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported dtype"):
        tensor_repr(np.array([1]), "qint8")


def test_module_imports_neither_torch_nor_ui_libraries() -> None:
    code = ("import sys, gradcli.render.tensor_repr; "
            "print(sorted({'torch', 'rich', 'click', 'lark'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=None).stdout
    assert out.strip() == "[]"


# --- random tensors, compared with torch ---------------------------------------------

def _random_floats(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    values = rng.standard_normal(shape) * 10.0 ** rng.uniform(-10, 12)
    style = rng.integers(4)
    if style == 0:
        values = np.round(values)  # whole numbers: integer mode, or sci when huge
    elif style == 1:
        values = values * 10.0 ** rng.uniform(-4, 4, shape)  # wide spread: sci mode
    elif style == 2:
        values = np.round(values * 4) / 4
    values = np.array(values, dtype=np.float64)
    if values.size and rng.random() < 0.3:
        spots = rng.integers(values.size, size=rng.integers(1, 4))
        values.reshape(-1)[spots] = rng.choice([NAN, INF, -INF, 0.0, -0.0], size=spots.size)
    return values


def _random_case(rng: np.random.Generator, index: int) -> Case:
    dtype = str(rng.choice(["float32"] * 4 + ["float64", "float16", "bfloat16", "bool",
                                              "complex64", *INT_DTYPES]))
    ndim = int(rng.choice([0, 1, 1, 2, 2, 3, 4]))
    sizes = [0, 1, 2, 3, 4, 7] if ndim > 2 else [0, 1, 2, 5, 9, 30, 120]
    shape = tuple(int(rng.choice(sizes)) for _ in range(ndim))
    if dtype == "bool":
        values = rng.random(shape) < 0.5
    elif dtype in INT_DTYPES:
        info = np.iinfo(dtype)
        high = min(int(info.max), 10 ** int(rng.integers(1, 19)))
        values = rng.integers(max(int(info.min), -high), high, size=shape, endpoint=True)
    elif dtype == "complex64":
        values = _random_floats(rng, shape).astype(np.complex128)
        values.imag = _random_floats(rng, shape)  # not "+ 1j * x": 1j * inf has a nan part
    else:
        values = _random_floats(rng, shape)

    flags: dict = {}
    if rng.random() < 0.3:
        flags["default_dtype"] = "float64"
    if dtype not in INT_DTYPES and dtype != "bool":
        roll = rng.random()
        if roll < 0.15 and dtype != "complex64":  # complex x * 1 turns inf parts into nan
            flags["grad_fn"] = "MulBackward0"
        elif roll < 0.3:
            flags["requires_grad"] = True
    if "grad_fn" not in flags and rng.random() < 0.05:
        flags["is_parameter"] = True

    opts: dict = {}
    choices = {"profile": ["default", "short", "full"], "precision": [0, 1, 2, 3, 6, 8],
               "linewidth": [7, 23, 40, 57, 61, 80, 97, 120], "threshold": [3, 10, 50, 1000, INF],
               "edgeitems": [0, 1, 2, 4], "sci_mode": [None, True, False]}
    if rng.random() < 0.5:
        for name, options in choices.items():
            if rng.random() < 0.35:
                opts[name] = options[rng.integers(len(options))]
    return Case(f"random-{index}", values, dtype, flags=flags, opts=opts)


@pytest.mark.parametrize("seed", range(25))
def test_random_tensors_match_torch(seed: int) -> None:
    pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    for index in range(20):
        case = _random_case(rng, index)
        expected = torch_repr(case)
        got = ours(case)
        assert got == expected, (f"seed {seed} case {index}: {case.dtype} "
                                 f"shape {np.shape(case.values)} {case.flags} {case.opts}")
