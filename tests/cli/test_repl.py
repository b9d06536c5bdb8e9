"""The interactive session: input completeness, persistence, errors abort one input."""

import builtins

import pytest

from gradcli.cli import repl
from gradcli.runtime import RunOptions


def typed(lines):
    """An ``input()`` that returns ``lines`` one by one, then ends the session (EOF)."""
    def fake_input(prompt=""):
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None
    return fake_input


@pytest.mark.parametrize("source, more", [
    ("x = 1", False),
    ("for i in range(2):", True),
    ("for i in range(2):\n    print(i)", True),
    ("for i in range(2):\n    print(i)\n", False),
    ("ones(2,", True),
    ("ones(2,\n3)", False),
    ("1 +", False),  # a plain syntax error: reported, not continued
    ("@torch.no_grad()", True),     # a decorator waits for its definition
    ("@deco\ndef f():\n    return 1", True),
    ("@deco\ndef f():\n    return 1\n", False),
    ("class A:\n    x = 1", True),
    ("try:\n    x = 1\nexcept:\n    pass\n", False),
])
def test_needs_more(source, more):
    assert repl.needs_more(source) is more


def test_session_keeps_names_and_survives_errors(monkeypatch, capsys):
    lines = iter([
        "x = tensor([1.0, 2.0], requires_grad=True)",
        "ones(2) + ones(3)",
        "for v in [1, 2]:",
        "    x * v",
        "",
        "(x * x).sum().backward()",
        "x.grad",
    ])

    monkeypatch.setattr(builtins, "input", typed(lines))
    monkeypatch.setenv("NO_COLOR", "1")
    assert repl.run_repl(RunOptions()) == 0
    out, err = capsys.readouterr()
    assert out == ("tensor([1., 2.], grad_fn=<MulBackward0>)\n"
                   "tensor([2., 4.], grad_fn=<MulBackward0>)\n"
                   "tensor([2., 4.])\n")
    assert "RuntimeError: shapes [2] and [3] cannot be broadcast" in err


def test_seed_command_reseeds_the_generator(monkeypatch, capsys):
    lines = iter(["rand(2)", ":seed 0", "rand(2)", ":seed x", ":nope"])

    monkeypatch.setattr(builtins, "input", typed(lines))
    monkeypatch.setenv("NO_COLOR", "1")
    assert repl.run_repl(RunOptions(seed=7)) == 0
    out, err = capsys.readouterr()
    first, second = out.splitlines()
    assert second == "tensor([0.4963, 0.7682])"  # PyTorch's numbers for seed 0
    assert first != second
    assert "seeded with 0" in err
    assert ":seed needs an integer" in err
    assert "unknown command :nope" in err
