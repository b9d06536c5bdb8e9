"""Print options shared by the engine (``torch.set_printoptions``) and the renderers.

The engine owns the state because programs change it; ``gradcli.render``
reads it. No formatting happens here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class PrintOptions:
    """PyTorch's print options; the defaults are PyTorch's ``profile="default"``."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_PROFILES = {
    "default": PrintOptions(),
    "short": PrintOptions(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": PrintOptions(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80),
}

_current = PrintOptions()


def get_printoptions() -> PrintOptions:
    """Returns the options in force."""
    return _current


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Changes the print options as ``torch.set_printoptions`` does.

    A ``profile`` resets every option first; ``sci_mode`` is always set (None
    means automatic), as in PyTorch.

    Example:
        >>> set_printoptions(precision=2); get_printoptions().precision
        2
        >>> set_printoptions(profile="default")
    """
    global _current
    opts = _current
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"unknown print profile {profile!r}: use 'default', 'short' or 'full'")
        opts = _PROFILES[profile]
    changes = {}
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            changes[name] = value
    changes["sci_mode"] = sci_mode
    _current = replace(opts, **changes)


def reset_printoptions() -> None:
    """Restores PyTorch's defaults (each program starts from them)."""
    global _current
    _current = PrintOptions()
