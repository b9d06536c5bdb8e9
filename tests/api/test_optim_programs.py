"""torch.optim as programs use it (plain SGD, momentum, Adam): values printed as PyTorch prints them."""

import pytest

from gradcli.runtime import run_program


def run(source: str) -> str:
    out: list[str] = []
    error = run_program(source, "<test>", out.append)
    assert error is None, error
    return "".join(out)


SETUP = ("import torch\nw = torch.tensor([1.0, -2.0], requires_grad=True)\n"
         "def grad_step(opt):\n    opt.zero_grad()\n    (w * w).sum().backward()\n    opt.step()\n")


def test_plain_sgd_subtracts_lr_times_grad():
    source = SETUP + "opt = torch.optim.SGD([w], lr=0.25)\ngrad_step(opt)\nprint(w)\n"
    assert run(source) == "tensor([ 0.5000, -1.0000], requires_grad=True)\n"


def test_momentum_keeps_a_buffer_and_zero_grad_clears_to_none():
    source = (SETUP + "opt = torch.optim.SGD([w], lr=0.25, momentum=0.5)\n"
              "grad_step(opt)\ngrad_step(opt)\nprint(w)\nopt.zero_grad()\nprint(w.grad)\n")
    # step 1: buf = g = [2, -4], w = [0.5, -1]; step 2: g = [1, -2], buf = [2, -4],
    # w = [0, 0]
    assert run(source) == "tensor([0., 0.], requires_grad=True)\nNone\n"


def test_parameter_groups_and_validation():
    source = (SETUP + "b = torch.tensor([4.0], requires_grad=True)\n"
              "opt = torch.optim.SGD([{'params': [w]}, {'params': [b], 'lr': 0.5}], lr=0.25)\n"
              "opt.zero_grad()\n((w * w).sum() + b.sum()).backward()\nopt.step()\n"
              "print(w.detach(), b.detach(), len(opt.param_groups))\n")
    assert run(source) == "tensor([ 0.5000, -1.0000]) tensor([3.5000]) 2\n"
    error = run_program("import torch\ntorch.optim.SGD([], lr=0.1)\n", "<t>", lambda s: None)
    assert error is not None and error.kind == "ValueError"


@pytest.mark.parametrize("kwargs", ["lr=-1", "momentum=-0.5", "nesterov=True"])
def test_bad_hyperparameters_are_value_errors(kwargs):
    source = f"import torch\nw = torch.ones(1, requires_grad=True)\ntorch.optim.SGD([w], {kwargs})\n"
    error = run_program(source, "<t>", lambda s: None)
    assert error is not None and error.kind == "ValueError"


def test_adam_first_step_moves_each_parameter_by_lr():
    # With zero state, Adam's first update is lr * g / (|g| + eps): about lr per coordinate.
    source = (SETUP + "opt = torch.optim.Adam([w], lr=0.5)\ngrad_step(opt)\n"
              "print(w)\nprint(len(opt.state), opt.param_groups[0]['betas'])\n")
    assert run(source) == "tensor([ 0.5000, -1.5000], requires_grad=True)\n1 (0.9, 0.999)\n"


def test_adam_refuses_bad_betas():
    error = run_program("import torch\nw = torch.ones(1, requires_grad=True)\n"
                        "torch.optim.Adam([w], betas=(1.5, 0.9))\n", "<t>", lambda s: None)
    assert error is not None and error.kind == "ValueError"


def test_deterministic_nn_init_functions_fill_in_place_without_recording():
    source = ("import torch\nfrom torch import nn\nlin = nn.Linear(2, 2)\n"
              "w = nn.init.eye_(lin.weight)\nb = nn.init.constant_(lin.bias, 0.25)\n"
              "print(w is lin.weight, lin.weight.grad_fn, lin.weight.is_leaf)\n"
              "print(lin(torch.tensor([1.0, 2.0])))\n")
    assert run(source) == ("True None True\n"
                           "tensor([1.2500, 2.2500], grad_fn=<ViewBackward0>)\n")
