"""tools/transcript_oracle.py writes a page's outputs with PyTorch and flags where gradcli differs."""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "transcript_oracle.py"

PAGE = """\
# A page

```gradcli
>>> x = tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum()
WRONG
>>> ones(2) @ ones(3)
>>> print("after")
```
"""


def run(path):
    return subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True,
                          text=True, check=False, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"})


def test_outputs_come_from_pytorch_and_messages_from_gradcli(tmp_path):
    pytest.importorskip("torch")
    if not (ROOT.parent / "shared" / "tools" / "oracle.py").exists():
        pytest.skip("the project's oracle (../shared/tools/oracle.py) is not beside this checkout")
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    result = run(page)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 statements, 0 where gradcli differs" in result.stdout
    text = page.read_text(encoding="utf-8")
    assert ">>> (x * x).sum()\ntensor(5., grad_fn=<SumBackward0>)\n" in text
    assert "WRONG" not in text
    error = text.split(">>> ones(2) @ ones(3)\n")[1].split("\n")[0]
    assert error.startswith("RuntimeError: ") and len(error) > len("RuntimeError: ") + 10
    assert text.endswith('>>> print("after")\nafter\n```\n')
    # The page now passes gradcli check as it stands.
    check = subprocess.run([sys.executable, "-m", "gradcli", "check", str(page)],
                           capture_output=True, text=True, check=False,
                           env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"})
    assert check.returncode == 0, check.stdout
