"""``torch.return_types``: the named tuples that reductions such as ``max(dim)`` return.

PyTorch's results are structseqs: tuples that also have named fields, print
their fields on separate lines, and whose class prints as
``<class 'torch.return_types.max'>``. :func:`make` builds one such class;
:data:`TYPES` holds every class gradcli's ops return, by name.

Example:
    >>> values, indices = max_type(("a", "b"))  # unpacks like a tuple
    >>> max_type(("a", "b")).indices
    'b'
"""

from __future__ import annotations


class _ReturnTypeMeta(type):
    """Makes the class itself print as ``<class 'torch.return_types.max'>``."""

    def __repr__(cls) -> str:
        return f"<class 'torch.return_types.{cls.__name__}'>"


class ReturnType(tuple, metaclass=_ReturnTypeMeta):
    """Base of the named tuples; subclasses set ``_fields``."""

    __slots__ = ()
    _fields: tuple = ()

    def __new__(cls, sequence=()):
        items = tuple(sequence)
        if len(items) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls.__name__} needs exactly "
                            f"{len(cls._fields)} items, but {len(items)} were given")
        return super().__new__(cls, items)

    def __repr__(self) -> str:
        fields = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{fields})"

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self),))

    @property
    def n_fields(self) -> int:
        return len(self._fields)

    @property
    def n_sequence_fields(self) -> int:
        return len(self._fields)


def make(name: str, fields: tuple[str, ...]) -> type:
    """A named-tuple class printed as ``torch.return_types.NAME(field=..., ...)``."""
    namespace = {"__slots__": (), "_fields": tuple(fields),
                 "__qualname__": name, "__module__": "torch.return_types"}
    for index, field_name in enumerate(fields):
        namespace[field_name] = property(lambda self, i=index: tuple.__getitem__(self, i),
                                         doc=f"Field {index}: ``{field_name}``.")
    return _ReturnTypeMeta(name, (ReturnType,), namespace)


_VALUES_INDICES = ("values", "indices")

TYPES: dict[str, type] = {
    name: make(name, fields) for name, fields in (
        ("max", _VALUES_INDICES), ("min", _VALUES_INDICES), ("sort", _VALUES_INDICES),
        ("topk", _VALUES_INDICES), ("median", _VALUES_INDICES),
        ("nanmedian", _VALUES_INDICES), ("mode", _VALUES_INDICES),
        ("kthvalue", _VALUES_INDICES), ("cummax", _VALUES_INDICES),
        ("cummin", _VALUES_INDICES), ("aminmax", ("min", "max")),
        ("slogdet", ("sign", "logabsdet")), ("linalg_slogdet", ("sign", "logabsdet")),
        ("qr", ("Q", "R")), ("linalg_qr", ("Q", "R")), ("svd", ("U", "S", "V")),
        ("linalg_svd", ("U", "S", "Vh")), ("linalg_eigh", ("eigenvalues", "eigenvectors")),
        ("linalg_lstsq", ("solution", "residuals", "rank", "singular_values")),
        ("linalg_inv_ex", ("inverse", "info")), ("linalg_cholesky_ex", ("L", "info")),
        ("linalg_solve_ex", ("result", "info")), ("frexp", ("mantissa", "exponent")),
        ("histogram", ("hist", "bin_edges")),
    )
}

max_type = TYPES["max"]
