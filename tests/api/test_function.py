"""torch.autograd.Function subclasses written by a program."""

import pytest

from gradcli.runtime import run_program

HEAD = "import torch\n"


def run(source: str):
    out: list[str] = []
    error = run_program(HEAD + source, "<test>", out.append)
    return "".join(out), error


def function(forward: str, backward: str, name: str = "F") -> str:
    return (f"class {name}(torch.autograd.Function):\n    @staticmethod\n"
            f"    def forward(ctx, *args):\n        {forward}\n    @staticmethod\n"
            f"    def backward(ctx, *grads):\n        {backward}\n")


def test_the_node_is_named_after_the_class_and_runs_the_programs_backward():
    out, error = run(function("return args[0] * 2", "return grads[0] * 2", "Double")
                     + "x = torch.ones(2, requires_grad=True)\ny = Double.apply(x)\n"
                       "print(y.grad_fn.name(), y.grad_fn)\ny.sum().backward()\nprint(x.grad)\n")
    assert error is None
    assert out == ("DoubleBackward <torch.autograd.function.DoubleBackward>\n"
                   "tensor([2., 2.])\n")


@pytest.mark.parametrize(("backward", "words"), [
    ("return grads[0]", "incorrect number of gradients (expected 2, got 1)"),
    ("return torch.ones(3), None", "invalid gradient at index 0 - got [3]"),
    ("return grads[0], grads[0]", "different from None at position 2"),
    ("return 'x', None", "gradient of type str"),
])
def test_what_backward_returns_is_checked_as_pytorch_checks_it(backward, words):
    _, error = run(function("return args[0] * args[1]", backward)
                   + "F.apply(torch.ones(2, requires_grad=True), 3.0).sum().backward()\n")
    assert error is not None and error.kind == "RuntimeError"
    assert words in error.message


def test_a_broadcastable_gradient_is_summed_to_the_input_shape():
    out, error = run(function("return args[0] + 0", "return torch.ones(3, 2)")
                     + "x = torch.ones(2, requires_grad=True)\n"
                       "F.apply(x).sum().backward()\nprint(x.grad)\n")
    assert error is None and out == "tensor([3., 3.])\n"


def test_without_grad_nothing_is_recorded_and_dirty_leaves_are_refused():
    out, error = run(function("return args[0] * 2", "return grads[0]")
                     + "with torch.no_grad():\n    print(F.apply(torch.ones(1, requires_grad=True)))\n")
    assert error is None and out == "tensor([2.])\n"
    _, error = run(function("args[0].add_(1); ctx.mark_dirty(args[0]); return args[0]",
                            "return grads[0]")
                   + "F.apply(torch.ones(1, requires_grad=True))\n")
    assert error is not None and error.kind == "RuntimeError"


def test_ctx_keeps_attributes_and_knows_which_inputs_need_grad():
    source = ("class F(torch.autograd.Function):\n    @staticmethod\n"
              "    def forward(ctx, a, b, k):\n        ctx.k = k\n"
              "        ctx.save_for_backward(a, b)\n        return a * b * k\n"
              "    @staticmethod\n    def backward(ctx, g):\n        a, b = ctx.saved_tensors\n"
              "        print(ctx.needs_input_grad, ctx.k)\n"
              "        return g * b * ctx.k, None, None\n"
              "a = torch.ones(2, requires_grad=True)\n"
              "F.apply(a, torch.full((2,), 3.0), 2.0).sum().backward()\nprint(a.grad)\n")
    out, error = run(source)
    assert error is None
    assert out == "(True, False, False) 2.0\ntensor([6., 6.])\n"
