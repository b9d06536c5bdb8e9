"""``import numpy as np`` inside programs: printing, memory sharing with tensors, safety."""

import numpy as real_np
import pytest

from gradcli.api import numpy as ndarray
from gradcli.api import torch as api
from gradcli.engine import dtypes as dt
from gradcli.engine.tensor import Tensor
from gradcli.runtime import prepare_engine


@pytest.fixture()
def np():
    prepare_engine()
    return ndarray.build()


@pytest.fixture()
def torch():
    prepare_engine()
    return api.build()["torch"]


# ================================================================ printing
GOLDEN = [
    # (expression, repr NumPy 2 / PyTorch print for it)
    ("np.array([1, 2, 3])", "array([1, 2, 3])"),
    ("np.array([[1.5, 2.0], [3.0, 4.25]])", "array([[1.5 , 2.  ],\n       [3.  , 4.25]])"),
    ("np.zeros(3)", "array([0., 0., 0.])"),
    ("np.empty(2)", "array([0., 0.])"),
    ("np.ones((2, 2), dtype=np.float32)", "array([[1., 1.],\n       [1., 1.]], dtype=float32)"),
    ("np.arange(6).reshape(2, 3)", "array([[0, 1, 2],\n       [3, 4, 5]])"),
    ("np.arange(2000)", "array([   0,    1,    2, ..., 1997, 1998, 1999], shape=(2000,))"),
    ("np.linspace(0, 1, 5)", "array([0.  , 0.25, 0.5 , 0.75, 1.  ])"),
    ("np.array([True, False])", "array([ True, False])"),
    ("np.array([])", "array([], dtype=float64)"),
    ("np.array(2.5)", "array(2.5)"),
    ("np.array([np.nan, np.inf, -np.inf])", "array([ nan,  inf, -inf])"),
    ("np.zeros((2, 3)).shape", "(2, 3)"),
    ("np.zeros((2, 3)).dtype", "dtype('float64')"),
    ("np.array([1, 2]).dtype", "dtype('int64')"),
    ("np.dtype('float32')", "dtype('float32')"),
    ("np.array([1.5, 2.0]).sum()", "np.float64(3.5)"),
    ("np.array([1.5, 2.0])[0]", "np.float64(1.5)"),
    ("np.arange(6)[4]", "np.int64(4)"),
    ("np.float32(2.5)", "np.float32(2.5)"),
    ("np.float32(0.1)", "np.float32(0.1)"),
    ("np.float32(0.1) + 0.2", "np.float32(0.3)"),
    ("np.int32(3) + np.int64(4)", "np.int64(7)"),
    ("np.int64(2) / 3", "np.float64(0.6666666666666666)"),
    ("1 + np.float64(1.0)", "np.float64(2.0)"),
    ("np.float32(1) == 1", "np.True_"),
    ("np.array([1, 2]) > 1", "array([False,  True])"),
    ("(np.array([1, 2]) > 1).any()", "np.True_"),
    ("np.bool_(False)", "np.False_"),
    ("round(np.float64(2.567), 2)", "np.float64(2.57)"),
    ("round(np.float64(2.5))", "2"),
    ("np.float32", "<class 'numpy.float32'>"),
    ("np.ndarray", "<class 'numpy.ndarray'>"),
    ("np.dtype", "<class 'numpy.dtype'>"),
    ("type(np.arange(3)[0])", "<class 'numpy.int64'>"),
    ("np.exp", "<ufunc 'exp'>"),
    ("np.abs", "<ufunc 'absolute'>"),
    ("np.sqrt(2.0)", "np.float64(1.4142135623730951)"),
    ("np.where(np.array([1.5, 3.0]) > 2)", "(array([1]),)"),
    ("list(np.arange(2.0))", "[np.float64(0.0), np.float64(1.0)]"),
    ("np.arange(3.0).tolist()", "[0.0, 1.0, 2.0]"),
    ("np.arange(6).reshape(2, 3).sum(axis=1, keepdims=True)", "array([[ 3],\n       [12]])"),
    ("np.arange(6).reshape(2, 3).T", "array([[0, 3],\n       [1, 4],\n       [2, 5]])"),
    ("np.linalg.norm(np.array([3.0, 4.0]))", "np.float64(5.0)"),
    ("np.pi", "3.141592653589793"),
]


@pytest.mark.parametrize(("expr", "expected"), GOLDEN)
def test_repr_is_numpys(np, expr, expected):
    assert repr(eval(expr, {"np": np})) == expected


def test_str_and_format_are_numpys(np):
    a = np.arange(6).reshape(2, 3)
    assert str(a) == "[[0 1 2]\n [3 4 5]]"
    assert f"{a}" == "[[0 1 2]\n [3 4 5]]"
    assert str(np.float32(0.1)) == "0.1"
    assert f"{np.float32(0.1):.10f}" == "0.1000000015"
    assert f"{a.sum():5d}" == "   15"
    assert str(a.dtype) == "int64"
    assert a.dtype.name == "int64"


def test_dtypes_compare_as_numpys(np):
    a = np.zeros(2, dtype=np.float32)
    assert a.dtype == np.float32
    assert np.float32 == a.dtype
    assert a.dtype == "float32"
    assert a.dtype != np.float64
    assert np.arange(2).dtype == int
    assert a.dtype.type is np.float32
    assert isinstance(a, np.ndarray)
    assert isinstance(a[0], np.floating)
    assert np.issubdtype(a.dtype, np.floating)


def test_set_printoptions_is_per_program(np):
    np.set_printoptions(precision=3)
    assert repr(np.array([1 / 3])) == "array([0.333])"
    with np.printoptions(precision=1):
        assert repr(np.array([1 / 3])) == "array([0.3])"
    assert repr(np.array([1 / 3])) == "array([0.333])"
    fresh = ndarray.build()
    assert repr(fresh.array([1 / 3])) == "array([0.33333333])"
    assert real_np.get_printoptions()["precision"] == 8


def test_printing_ignores_process_wide_numpy_options(np):
    saved = real_np.get_printoptions()
    real_np.set_printoptions(precision=2)
    try:
        assert repr(np.array([1 / 3])) == "array([0.33333333])"
    finally:
        real_np.set_printoptions(**saved)


def test_random_is_seeded_per_program(np):
    first = np.random.rand(3).tolist()
    again = ndarray.build().random.rand(3).tolist()
    assert first == again
    np.random.seed(5)
    a = np.random.randn(2, 2)
    np.random.seed(5)
    assert np.array_equal(a, np.random.randn(2, 2))
    assert np.random.randint(0, 10, size=4).dtype == np.int64


# ============================================================ views, setitem
def test_views_share_memory_with_their_base(np):
    m = np.arange(6).reshape(2, 3)
    row = m[1]
    row[0] = 40
    m[:, 2] = 0
    assert repr(m) == "array([[ 0,  1,  0],\n       [40,  4,  0]])"
    m[m > 8] = -1
    assert m.tolist() == [[0, 1, 0], [-1, 4, 0]]
    for r in m:
        r += 1
    assert m.tolist() == [[1, 2, 1], [0, 5, 1]]


def test_inplace_operators_keep_the_object(np):
    a = np.ones(2)
    b = a
    a += 1
    a *= 3
    assert a is b
    assert a.tolist() == [6.0, 6.0]
    assert a.astype(np.float64, copy=False) is a
    assert np.asarray(a) is a


# ==================================================== the tensor <-> array door
def test_from_numpy_shares_memory_both_ways(np, torch):
    array = np.zeros(3)
    shared = torch.from_numpy(array)
    assert shared._data is array._array
    assert shared.dtype is dt.float64 and shared.is_leaf and not shared.requires_grad
    array[1] = 5.0
    assert repr(shared) == "tensor([0., 5., 0.], dtype=torch.float64)"
    shared.add_(1)
    assert repr(array) == "array([1., 6., 1.])"


def test_numpy_shares_memory_both_ways(np, torch):
    values = torch.ones(3)
    array = values.numpy()
    assert repr(array) == "array([1., 1., 1.], dtype=float32)"
    values.add_(1)
    assert repr(array) == "array([2., 2., 2.], dtype=float32)"
    array[2] = 10
    assert repr(values) == "tensor([ 2.,  2., 10.])"
    array += 1
    assert values.tolist() == [3.0, 3.0, 11.0]


def test_numpy_of_a_view_writes_through_to_the_base(np, torch):
    base = torch.zeros(2, 3)
    transposed = base.t().numpy()
    transposed[1] = 7
    assert base.tolist() == [[0.0, 7.0, 0.0], [0.0, 7.0, 0.0]]


def test_tensor_copies_and_keeps_dtype(np, torch):
    array = np.array([1.0, 2.0, 3.0])
    copied = torch.tensor(array)
    array[0] = 100.0
    assert repr(copied) == "tensor([1., 2., 3.], dtype=torch.float64)"
    assert torch.tensor(np.arange(3)).dtype is dt.int64
    assert torch.tensor(np.zeros(2, dtype=np.float32)).dtype is dt.float32
    assert torch.from_numpy(np.array([True])).dtype is dt.bool_


def test_from_numpy_errors(np, torch):
    with pytest.raises(TypeError):
        torch.from_numpy([1, 2])
    with pytest.raises(TypeError):
        torch.from_numpy(np.array(["a"]))
    with pytest.raises(TypeError):
        torch.tensor(np.array(["a"]))
    with pytest.raises(ValueError):
        torch.from_numpy(np.arange(3.0)[::-1])
    with pytest.raises(RuntimeError):
        torch.tensor([1.0], requires_grad=True).numpy()


def test_non_contiguous_arrays_keep_their_strides(np, torch):
    t = torch.from_numpy(np.arange(6).reshape(2, 3).T)
    assert t.stride() == (1, 3)
    assert not t.is_contiguous()


def test_array_with_tensor_operands(np, torch):
    a = np.array([1.5, 2.0, 3.0])
    t = torch.tensor([1.0, 2.0, 3.0])
    for op in ("a * t", "a + t", "a - t", "a ** t", "a @ t", "a < t", "a // t"):
        with pytest.raises(TypeError):
            eval(op, {"a": a, "t": t})
    with pytest.raises(TypeError):
        a += t
    assert repr(a == t) == "tensor([False,  True,  True])"
    assert repr(a / t) == "tensor([1.5000, 1.0000, 1.0000], dtype=torch.float64)"
    assert (a != t) is True


def test_reflected_operators_compute_as_numpy_and_give_a_tensor(np, torch):
    # What ``tensor OP array`` gives once the tensor's operator gives way (NotImplemented).
    a = np.array([1.5, 2.0, 3.0])
    t = torch.tensor([1.0, 2.0, 3.0])
    assert repr(a.__rmul__(t)) == "tensor([1.5000, 4.0000, 9.0000], dtype=torch.float64)"
    assert repr(a.__rmatmul__(t)) == "tensor(14.5000, dtype=torch.float64)"
    assert repr(np.array([1, 2]).__rmul__(torch.tensor([1.0, 2.0]))) == \
        "tensor([1., 4.], dtype=torch.float64)"
    assert repr(np.array([1, 2, 3]).__rmul__(torch.tensor([4, 5, 6]))) == "tensor([ 4, 10, 18])"
    with pytest.raises(RuntimeError):
        a.__rmul__(torch.ones(3, requires_grad=True))


def test_numpy_scalars_act_as_python_numbers_for_tensors(np, torch):
    t = torch.tensor([1.0, 2.0, 3.0])
    a = np.array([1.5, 2.0])
    assert repr(a[0] * t) == "tensor([1.5000, 3.0000, 4.5000])"
    assert repr(t * np.float64(2)) == "tensor([2., 4., 6.])"
    assert repr(np.float64(2.0) - t) == "tensor([ 1.,  0., -1.])"
    assert repr(torch.tensor([1, 2]) * np.int64(2)) == "tensor([2, 4])"
    assert repr(torch.ones(np.int64(2))) == "tensor([1., 1.])"
    assert ndarray.numpy_scalar_dtype(a[0]) is dt.float64
    assert ndarray.numpy_scalar_dtype(1.5) is None


def test_ufunc_of_a_tensor_gives_a_tensor(np, torch):
    result = np.exp(torch.zeros(2))
    assert isinstance(result, Tensor)
    assert repr(result) == "tensor([1., 1.])"
    with pytest.raises(RuntimeError):
        np.exp(torch.zeros(2, requires_grad=True))


# ================================================================== safety
def _is_real_numpy(value) -> bool:
    module = getattr(type(value), "__module__", "") or ""
    return module.split(".")[0] == "numpy"


_REFUSED = object()


def _attempt(fn):
    """``fn()``, or _REFUSED when it raises (a method that needs arguments, ...)."""
    try:
        return fn()
    except Exception:  # noqa: BLE001
        return _REFUSED


def _public(obj):
    for name in dir(obj):
        if not name.startswith("_"):
            value = _attempt(lambda name=name: getattr(obj, name))
            if value is not _REFUSED:
                yield name, value


def test_no_public_attribute_or_method_result_is_a_real_numpy_object(np, torch):
    a = np.arange(6.0).reshape(2, 3)
    samples = [a, a[0, 0], np.arange(3)[0], np.True_, a.dtype, np.exp, np.float32,
               np.ndarray, np.random, np.linalg, np.printoptions(precision=2),
               torch.ones(2).numpy(), np.array([1 + 2j])[0]]
    seen = []
    for sample in samples:
        assert not _is_real_numpy(sample)
        for name, value in _public(sample):
            assert not _is_real_numpy(value), (sample, name)
            if callable(value) and not isinstance(value, type):
                result = _attempt(value)
                if result is _REFUSED:
                    continue
                seen.append(name)
                assert not _is_real_numpy(result), (sample, name)
                for item in (result if isinstance(result, (list, tuple)) else [result]):
                    assert not _is_real_numpy(item), (sample, name)
    assert {"copy", "sum", "tolist", "item", "flatten"} <= set(seen)
    for row in a:
        assert not _is_real_numpy(row)
        assert not _is_real_numpy(iter(row))
    for name, value in _public(np):
        assert not _is_real_numpy(value), name


def test_iteration_never_hands_out_a_generator(np):
    it = iter(np.arange(3))
    assert type(it).__name__ == "list_iterator"


def test_the_wrapper_classes_cannot_be_used_to_make_new_classes(np):
    meta = type(np.ndarray)
    with pytest.raises(TypeError):
        meta("Evil", (), {})


def test_ndarray_constructor_is_zero_filled(np):
    assert repr(np.ndarray((2,))) == "array([0., 0.])"


# ====================================================== against real PyTorch
COMPARED = [
    "np.arange(12, dtype=np.float32).reshape(3, 4).mean(axis=0)",
    "np.array([0.1, 0.2, 0.3], dtype=np.float32).sum()",
    "np.array([1, 2, 3]).std()",
    "np.float64(0.1) + np.float32(0.2)",
    "np.uint8(250) + np.uint8(10)",
    "np.int64(-7) % 3",
    "divmod(np.int64(7), 2)",
    "np.float64(-1) ** 0.5",
    "np.True_ + np.True_",
    "np.concatenate([np.ones((1, 2)), np.zeros((1, 2))], axis=1)",
    "np.clip(np.array([1.5, 2.0, 3.0]), 1.8, 2.5)",
    "np.array([[1, 2], [3, 4]]) @ np.array([1, 1])",
    "np.stack([np.arange(2), np.arange(2)])",
    "np.maximum(np.array([1.5, 2.5]), 2)",
    "np.allclose(np.ones(2), np.ones(2))",
    "np.array([1e-10, 1.0])",
    "np.arange(0, 1, 0.25)",
    "np.eye(2)",
    "np.full((2, 2), 7)",
    "np.arange(6).reshape(2, 3)[:, None, 1]",
    "torch.from_numpy(np.arange(3.0))",
    "torch.from_numpy(np.ones(2, dtype=np.float32))",
    "torch.from_numpy(np.array(2.5))",
    "torch.tensor(np.array([1, 2], dtype=np.int32))",
    "torch.ones(2, 2).numpy()",
    "torch.arange(6.0).view(2, 3).numpy().T",
    "torch.tensor([1, 2]).numpy()",
    "np.array([1.5, 2.0, 3.0]) == torch.tensor([1.0, 2.0, 3.0])",
    "np.float32(2.0) * torch.tensor([1.0, 2.0])",
    "torch.tensor([1.0]) * np.int64(2)",
    "np.array([1.5, 2.0, 3.0]) / torch.tensor([4, 5, 6])",
    "np.array([[1.0, 2.0]]) == torch.tensor([[1.0, 3.0]])",
]


@pytest.mark.parametrize("expr", COMPARED)
def test_matches_real_numpy_and_pytorch(np, torch, expr):
    real_torch = pytest.importorskip("torch")
    ours = repr(eval(expr, {"np": np, "torch": torch}))
    theirs = repr(eval(expr, {"np": real_np, "torch": real_torch}))
    assert ours == theirs
