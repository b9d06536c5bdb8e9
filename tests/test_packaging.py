"""The wheel ships every package of the source tree (pyproject lists them by hand)."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def listed_packages() -> set[str]:
    """The names in pyproject's ``[tool.setuptools] packages = [...]`` (tomllib is 3.11+)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^packages = \[(.*?)\]", text, re.DOTALL | re.MULTILINE)
    assert block, "pyproject.toml has no packages = [...] list"
    return set(re.findall(r'"([\w.]+)"', block.group(1)))


def test_every_package_is_listed_in_pyproject():
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for init in (ROOT / "gradcli").rglob("__init__.py")}
    listed = listed_packages()
    assert found - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - found == {"gradcli.grammar"}  # mapped from grammar/ by package-dir
