"""The grad_fn graph of a tensor as plain data: a tree of :class:`TreeItem`.

The tree follows ``next_functions`` in PyTorch's order. A node reached a
second time appears as a reference (``kind="shared"``) without its inputs, so
the tree stays a tree while the graph is a DAG. Leaves carry the program's
variable names (from a ``names`` mapping the caller builds from the
program's namespace), their dtype and shape, and their ``.grad`` when one
exists. Drawing is someone else's job (``gradcli.cli.console``); this module
only builds the data, and :func:`graph_data` flattens it into nodes and edges
for DOT and JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine import Tensor
from ..engine.autograd import edge, walk_graph
from ..engine.node import AccumulateGrad

# A value with more elements than this is shown by its dtype and shape only.
SHORT_VALUE_LIMIT = 8


@dataclass
class TreeItem:
    """One line of the tree.

    Attributes:
        kind: ``"node"`` (an operation), ``"leaf"`` (AccumulateGrad), ``"none"``
            (an input that needs no gradient), ``"shared"`` (a node shown
            earlier), ``"saved"`` (a value the node saved for backward) or
            ``"more"`` (inputs cut off by ``depth``).
        label: the node's PyTorch name (``"MulBackward0"``), or the line's text.
        names: the program's variable names bound to this node's output.
        meta: dtype and shape, as ``float32[2, 2]``.
        notes: short remarks: ``grad=tensor(...)``, ``retains grad``, ``1 hook``.
        ident: the node's number in walk order (shared lines repeat it).
        children: the lines under this one.
    """

    kind: str
    label: str
    names: tuple[str, ...] = ()
    meta: str = ""
    notes: tuple[str, ...] = ()
    ident: int | None = None
    children: list[TreeItem] = field(default_factory=list)


def meta_text(dtype, shape) -> str:
    """``float32[2, 3]``: a dtype and shape, compactly.

    Example:
        >>> from gradcli.engine import dtypes
        >>> meta_text(dtypes.float32, (2, 3))
        'float32[2, 3]'
    """
    return f"{dtype.name}[{', '.join(str(n) for n in shape)}]"


def short_value(t) -> str:
    """A tensor on one line: its printed form when small, else ``dtype[shape]``."""
    if not isinstance(t, Tensor):
        return repr(t)
    if t.numel() > SHORT_VALUE_LIMIT:
        return meta_text(t.dtype, t.shape)
    return " ".join(line.strip() for line in repr(t.detach()).splitlines())


def names_by_tensor(namespace: dict) -> dict[int, list[str]]:
    """Maps ``id(tensor)`` to the names bound to it in ``namespace`` (insertion order)."""
    result: dict[int, list[str]] = {}
    for name, value in namespace.items():
        if isinstance(value, Tensor):
            result.setdefault(id(value), []).append(name)
    return result


def names_by_node(namespace: dict) -> dict[tuple[int, int], list[str]]:
    """Maps ``(id(grad_fn), output_nr)`` to the names of the non-leaf tensors it made."""
    result: dict[tuple[int, int], list[str]] = {}
    for name, value in namespace.items():
        if isinstance(value, Tensor) and value.grad_fn is not None:
            result.setdefault((id(value.grad_fn), value.output_nr), []).append(name)
    return result


class _Namer:
    def __init__(self, namespace: dict) -> None:
        self.tensors = names_by_tensor(namespace)
        self.nodes = names_by_node(namespace)

    def of(self, node) -> tuple[str, ...]:
        if isinstance(node, AccumulateGrad):
            return tuple(self.tensors.get(id(node.variable), ()))
        names: list[str] = []
        for nr in range(len(node._outputs)):
            names.extend(self.nodes.get((id(node), nr), ()))
        return tuple(names)


def _node_meta(node) -> str:
    if isinstance(node, AccumulateGrad):
        return meta_text(node.variable.dtype, node.variable.shape)
    metas = [meta_text(dtype, shape) for shape, dtype in node.output_meta()]
    return ", ".join(metas)


def _node_notes(node) -> tuple[str, ...]:
    notes = []
    if isinstance(node, AccumulateGrad):
        if node.variable.grad is not None:
            notes.append("grad=" + short_value(node.variable.grad))
    elif node.retains_grad():
        notes.append("retains grad")
    hooks = node.hook_count()
    if hooks:
        notes.append(f"{hooks} hook" + ("s" if hooks > 1 else ""))
    return tuple(notes)


def _saved_items(node, namer: _Namer) -> list[TreeItem]:
    if isinstance(node, AccumulateGrad):
        return []
    saved = node.saved()
    if saved.freed:
        return [TreeItem("saved", "saved", notes=("freed by backward",))]
    items = []
    for i, value in enumerate(saved.tensors):
        if isinstance(value, Tensor):
            names = tuple(namer.tensors.get(id(value), ()))
            items.append(TreeItem("saved", f"saved[{i}]", names,
                                  meta_text(value.dtype, value.shape)))
        elif value is not None:
            items.append(TreeItem("saved", f"saved[{i}]", notes=(repr(value),)))
    return items


def build_tree(root, namespace: dict | None = None, *, saved: bool = False,
               depth: int | None = None) -> TreeItem:
    """The tree under ``root`` (a grad_fn node or a tensor that has one).

    Args:
        root: a tensor (its ``grad_fn``, or its AccumulateGrad node for a leaf
            that requires grad) or a node.
        namespace: the program's names, to label nodes and leaves.
        saved: add what each node saved for backward under it.
        depth: show this many levels under the root; deeper inputs are
            summarised by one ``"more"`` line.

    Example:
        >>> build_tree(loss, {"x": x}).label   # doctest: +SKIP
        'SumBackward0'
    """
    namer = _Namer(namespace or {})
    node = root_node(root)
    if node is None:
        return TreeItem("none", "(no grad)")
    idents: dict[int, int] = {}
    top: TreeItem | None = None
    # The walk is preorder; the open item at each depth is the parent of the next deeper one.
    open_items: list[TreeItem] = []
    hidden: dict[int, int] = {}
    saved_items: list[tuple[TreeItem, list[TreeItem]]] = []
    for step in walk_graph(node):
        if depth is not None and step.depth > depth:
            parent = open_items[depth]
            hidden[id(parent)] = hidden.get(id(parent), 0) + (step.depth == depth + 1)
            continue
        item = _item_for(step, namer, idents)
        if saved and item.kind == "node":
            saved_items.append((item, _saved_items(step.node, namer)))
        del open_items[step.depth:]
        if open_items:
            open_items[-1].children.append(item)
        else:
            top = item
        open_items.append(item)
    _add_more_lines(top, hidden)
    for item, extra in saved_items:  # after the inputs, so input positions stay put
        item.children.extend(extra)
    return top


def label_parts(item: TreeItem) -> list[tuple[str, str]]:
    """One tree line as ``(text, role)`` pairs; joined, they are the plain line.

    Roles: ``name`` (the node), ``var`` (the program's names), ``meta`` (dtype
    and shape), ``note``, ``none`` and ``shared``.

    Example:
        >>> item = TreeItem("leaf", "AccumulateGrad", ("x",), "float32[2]")
        >>> "".join(text for text, _ in label_parts(item))
        'AccumulateGrad  x  float32[2]'
    """
    if item.kind in ("none", "more"):
        return [(item.label, "none")]
    parts = [(item.label, "shared" if item.kind == "shared" else "name")]
    if item.names:
        parts += [("  ", ""), (", ".join(item.names), "var")]
    if item.meta:
        parts += [("  ", ""), (item.meta, "meta")]
    for note in item.notes:
        parts += [("  ", ""), (f"({note})" if item.kind == "shared" else note, "note")]
    return parts


def _add_more_lines(item: TreeItem, hidden: dict[int, int]) -> None:
    stack = [item]
    while stack:
        current = stack.pop()
        count = hidden.get(id(current))
        if count:
            current.children.append(TreeItem(
                "more", f"... {count} more input" + ("s" if count > 1 else "")))
        stack.extend(current.children)


def _item_for(step, namer: _Namer, idents: dict) -> TreeItem:
    node = step.node
    if node is None:
        return TreeItem("none", "(no grad)")
    if step.seen:
        return TreeItem("shared", _display_name(node), namer.of(node), _node_meta(node),
                        ("shared, shown above",), idents[id(node)])
    idents[id(node)] = len(idents)
    kind = "leaf" if isinstance(node, AccumulateGrad) else "node"
    return TreeItem(kind, _display_name(node), namer.of(node), _node_meta(node),
                    _node_notes(node), idents[id(node)])


def node_name(node) -> str:
    """The node's class name as PyTorch shows it in ``grad_fn=<...>`` and ``type(fn).__name__``.

    ``grad_fn.name()`` qualifies autograd's own nodes (``torch::autograd::CopySlices``);
    the class name does not.

    Example:
        >>> node_name(AccumulateGrad(None))
        'AccumulateGrad'
    """
    return node.name().rpartition("::")[2]


def _display_name(node) -> str:
    return node_name(node)


def root_node(root):
    """The node a tree starts from: a tensor's grad_fn (or a leaf's AccumulateGrad)."""
    if isinstance(root, Tensor):
        if root.grad_fn is not None:
            return root.grad_fn
        if root.requires_grad:
            return root_accumulator(root)
        return None
    return root


def root_accumulator(leaf):
    """The AccumulateGrad node of a leaf that requires grad."""
    return edge(leaf)[0]


# ------------------------------------------------------------ nodes and edges
def graph_data(tree: TreeItem) -> dict:
    """The tree as ``{"nodes": [...], "edges": [...]}``: each node once, edges input -> output.

    Saved values become nodes of their own (``kind="saved"``) with an edge to
    the node that saved them.
    """
    nodes: list[dict] = []
    edges: list[dict] = []
    counter = [0]

    def node_id(item: TreeItem) -> str:
        if item.ident is not None:
            return f"n{item.ident}"
        counter[0] += 1
        return f"x{counter[0]}"

    stack = [(tree, None, 0)]
    while stack:
        item, parent_id, index = stack.pop()
        ident = node_id(item)
        if item.kind != "shared":
            nodes.append({"id": ident, "kind": item.kind, "label": item.label,
                          "names": list(item.names), "meta": item.meta,
                          "notes": list(item.notes)})
        if parent_id is not None:
            edges.append({"from": ident, "to": parent_id, "input": index,
                          "saved": item.kind == "saved"})
        if item.kind != "shared":
            inputs = [c for c in item.children if c.kind != "saved"]
            saved = [c for c in item.children if c.kind == "saved"]
            children = [(c, ident, i) for i, c in enumerate(inputs)]
            children += [(c, ident, i) for i, c in enumerate(saved)]
            stack.extend(reversed(children))
    return {"nodes": nodes, "edges": edges}


# ------------------------------------------------------------ one box per statement
def _statement_index(marks: list, node) -> int | None:
    if isinstance(node, AccumulateGrad):
        return None
    seq = node.sequence_nr()
    found = None
    for i, (mark, _text) in enumerate(marks):
        if mark < seq:
            found = i
        else:
            break
    return found


def build_statement_tree(root, namespace: dict | None, marks: list) -> TreeItem:
    """The graph with one line per source statement (``--collapse line``).

    ``marks`` is ``[(mark, statement text), ...]`` in program order: a node
    belongs to the last statement whose mark is below its ``sequence_nr()``.
    A statement's line lists the nodes it made; under it come the statements
    and leaves that feed it. Inputs that need no gradient are left out.
    """
    namer = _Namer(namespace or {})
    node = root_node(root)
    if node is None:
        return TreeItem("none", "(no grad)")
    # Group every reachable node by statement (leaves stay on their own).
    group_of: dict[int, object] = {}
    members: dict[object, list] = {}
    inputs: dict[object, list] = {}
    for step in walk_graph(node):
        current = step.node
        if current is None or step.seen:
            continue
        index = _statement_index(marks, current)
        key = ("leaf", id(current)) if index is None else ("line", index)
        group_of[id(current)] = key
        members.setdefault(key, []).append(current)
    for key, nodes in members.items():
        outside = []
        for member in nodes:
            for child, _ in member.next_functions:
                if child is None:
                    continue
                child_key = group_of[id(child)]
                if child_key != key and child_key not in outside:
                    outside.append(child_key)
        inputs[key] = outside

    def make(key, shown: dict) -> TreeItem:
        nodes = members[key]
        if key[0] == "leaf":
            leaf = nodes[0]
            return TreeItem("leaf", "AccumulateGrad", namer.of(leaf), _node_meta(leaf),
                            _node_notes(leaf), shown.setdefault(key, len(shown)))
        text = marks[key[1]][1]
        names: list[str] = []
        for member in nodes:
            names.extend(n for n in namer.of(member) if n not in names)
        ops = tuple(node_name(member) for member in nodes)
        return TreeItem("node", text, (), ", ".join(ops), (),
                        shown.setdefault(key, len(shown)))

    shown: dict = {}
    top = make(group_of[id(node)], shown)
    stack = [(group_of[id(node)], top)]
    while stack:
        key, item = stack.pop()
        pending = []
        for child_key in inputs[key]:
            if child_key in shown:
                ref = make(child_key, {child_key: shown[child_key]})
                ref.kind = "shared"
                ref.notes = ("shared, shown above",)
                item.children.append(ref)
                continue
            child = make(child_key, shown)
            item.children.append(child)
            pending.append((child_key, child))
        stack.extend(reversed(pending))
    return top
