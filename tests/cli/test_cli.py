"""The gradcli command end to end, through a subprocess as a user runs it."""

import os
import subprocess
import sys

import pytest

ENV = {**os.environ, "NO_COLOR": "1"}


def gradcli(*args, stdin=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "gradcli", *args], input=stdin,
                          capture_output=True, text=True, env=ENV, cwd=cwd, timeout=60,
                          check=False)


def test_one_liner_prints_like_pytorch():
    r = gradcli("x = tensor([[1, 2], [3, 4]]); x * 2.5")
    assert r.returncode == 0
    assert r.stdout == "tensor([[ 2.5000,  5.0000],\n        [ 7.5000, 10.0000]])\n"
    assert r.stderr == ""


def test_piped_statements():
    r = gradcli(stdin="arange(6).view(2, 3).t()\n")
    assert r.returncode == 0
    assert r.stdout == "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])\n"


def test_run_file_and_dash(tmp_path):
    program = tmp_path / "prog.gc"
    program.write_text("x = ones(2, requires_grad=True)\n(x * 3).sum().backward()\nx.grad\n")
    r = gradcli("run", str(program))
    assert (r.returncode, r.stdout) == (0, "tensor([3., 3.])\n")
    r = gradcli("run", "-", stdin="print('hi')\n")
    assert (r.returncode, r.stdout) == (0, "hi\n")


def test_runtime_error_keeps_earlier_output_and_points_at_the_source(tmp_path):
    program = tmp_path / "bad.gc"
    program.write_text("ones(1)\nones(2, 3) + ones(4)\n'never printed'\n")
    r = gradcli("run", str(program))
    assert r.returncode == 1
    assert r.stdout == "tensor([1.])\n"
    assert r.stderr.splitlines()[0].startswith("RuntimeError: shapes [2, 3] and [4]")
    assert f"--> {program}:2:1" in r.stderr
    assert " 2 | ones(2, 3) + ones(4)" in r.stderr
    assert "Traceback" not in r.stderr


def test_syntax_error_runs_nothing():
    r = gradcli("print('first')\nx = (1,\n")
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.startswith("SyntaxError:")


def test_unsupported_python_is_named():
    r = gradcli("async def f():\n    pass")
    assert r.returncode == 1
    assert "SyntaxError" in r.stderr and "async" in r.stderr


def test_missing_file_is_a_usage_error():
    r = gradcli("run", "does-not-exist.gc")
    assert r.returncode == 2
    assert "does-not-exist.gc" in r.stderr


def test_unknown_option_is_a_usage_error():
    r = gradcli("run", "--no-such-option", "x.gc")
    assert r.returncode == 2


def test_runaway_loop_stops_at_the_default_step_limit():
    r = gradcli("for i in range(10**12):\n    pass")
    assert r.returncode == 1
    assert r.stderr.startswith("RuntimeError: program exceeded the step limit of 1000000 steps")


def test_infinite_recursion_stops_at_the_default_depth():
    r = gradcli("def f(n):\n    return f(n + 1)\nf(0)")
    assert r.returncode == 1
    assert r.stderr.startswith("RecursionError:")


@pytest.mark.parametrize("seed", ["0", "7"])
def test_seed_makes_random_numbers_reproducible(seed):
    first = gradcli("--seed", seed, "rand(3).tolist()")
    second = gradcli("--seed", seed, "rand(3).tolist()")
    assert first.returncode == 0 and first.stdout == second.stdout


def test_max_steps_option():
    r = gradcli("--max-steps", "10", "for i in range(100):\n    pass")
    assert r.returncode == 1 and "step limit of 10 steps" in r.stderr


def test_sandbox_blocks_python_internals():
    for source in ("ones(1).__class__", "import os", "open('x')"):
        r = gradcli(source)
        assert r.returncode == 1, source
        assert "Traceback" not in r.stderr



@pytest.mark.parametrize("args, stdin", [
    (("--seed", "3", "rand(2)"), None),
    (("--seed", "3"), "rand(2)\n"),
    (("--max-steps", "100", "--seed", "3"), "rand(2)\n"),
    (("run", "--seed", "3", "-"), "rand(2)\n"),
])
def test_seed_option_in_every_form(args, stdin):
    r = gradcli(*args, stdin=stdin)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "tensor([0.0043, 0.1056])\n"  # PyTorch after manual_seed(3)


def test_programs_start_seeded_with_zero():
    assert gradcli("randn(4)").stdout == "tensor([ 1.5410, -0.2934, -2.1788,  0.5684])\n"


def test_version_names_numpy_and_python():
    r = gradcli("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("gradcli 0.1.0 (NumPy ") and ", Python 3." in r.stdout


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F"),
                                           ("zsh", "#compdef gradcli"),
                                           ("fish", "complete --no-files --command gradcli")])
def test_completion_scripts(shell, marker):
    r = gradcli("completion", shell)
    assert r.returncode == 0 and marker in r.stdout


@pytest.mark.parametrize("words, cword, expected", [
    ("gradcli ru", 1, "plain,run"),
    ("gradcli run --se", 2, "plain,--seed"),
    ("gradcli gra", 1, "plain,grad\nplain,graph"),
])
def test_bash_completion_of_commands_and_options(words, cword, expected):
    env = {**ENV, "_GRADCLI_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(cword)}
    r = subprocess.run([sys.executable, "-m", "gradcli"], capture_output=True, text=True,
                       env=env, timeout=60, check=False)
    assert r.returncode == 0
    assert r.stdout.strip() == expected


def test_a_py_file_runs_as_a_script_and_echo_flags_override(tmp_path):
    script = tmp_path / "tutorial.py"
    script.write_text("import torch\ntorch.manual_seed(0)\nx = torch.ones(2)\nx.add_(1)\n"
                      "print(x)\n", encoding="utf-8")
    assert gradcli("run", str(script)).stdout == "tensor([2., 2.])\n"
    echoed = gradcli("run", "--echo", str(script)).stdout
    assert echoed == "<torch._C.Generator>\ntensor([2., 2.])\ntensor([2., 2.])\n"
    program = tmp_path / "prog.gc"
    program.write_text("1 + 1\nprint(3)\n", encoding="utf-8")
    assert gradcli("run", str(program)).stdout == "2\n3\n"
    assert gradcli("run", "--no-echo", str(program)).stdout == "3\n"
    assert gradcli("--no-echo", "1 + 1; print(3)").stdout == "3\n"


def test_ctrl_c_keeps_the_output_and_exits_130(tmp_path):
    import signal
    import time
    program = tmp_path / "loop.gc"
    program.write_text("print('started')\nfor i in range(10 ** 9):\n    x = i\n")
    proc = subprocess.Popen([sys.executable, "-m", "gradcli", "run", "--max-steps",
                             str(10 ** 12), str(program)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV)
    assert proc.stdout.readline() == "started\n"  # flushed before the loop runs
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "KeyboardInterrupt" in err and "Traceback" not in err


@pytest.mark.parametrize("source", ["ones(10 ** 6, 10 ** 6)", "ones(10 ** 6, 1) + ones(1, 10 ** 6)",
                                    "randn(10 ** 7, 10 ** 6)"])
def test_huge_tensors_are_refused_before_allocation(source):
    r = gradcli(source)
    assert r.returncode == 1
    assert "RuntimeError" in r.stderr and "GRADCLI_MAX_ELEMENTS" in r.stderr


def test_the_tensor_size_limit_is_configurable():
    env = {**ENV, "GRADCLI_MAX_ELEMENTS": "10"}
    r = subprocess.run([sys.executable, "-m", "gradcli", "ones(11)"], capture_output=True,
                       text=True, env=env, timeout=60, check=False)
    assert r.returncode == 1 and "limit of 10;" in r.stderr
