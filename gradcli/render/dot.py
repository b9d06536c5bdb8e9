"""The grad_fn graph as Graphviz DOT text (``gradcli graph --dot``).

Edges point from input to output, as data flows forward; labels are the
tree's (node name, the program's variable names, dtype and shape, notes).
Leaves are light blue boxes, inputs that need no gradient grey, saved values
dashed boxes with dashed edges (their own nodes, never merged with the input
they were saved from).
"""

from __future__ import annotations

from .tree import TreeItem, graph_data

_STYLES = {
    "node": 'shape=box, style="rounded,filled", fillcolor="#fff2cc"',
    "leaf": 'shape=box, style=filled, fillcolor="#cfe2f3"',
    "none": 'shape=plaintext, fontcolor="#888888"',
    "saved": 'shape=box, style=dashed, fontcolor="#555555"',
    "more": 'shape=plaintext, fontcolor="#888888"',
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def node_label(node: dict) -> str:
    """The text in a node's box: name, then variable names, dtype/shape and notes, a line each."""
    lines = [node["label"]]
    if node["names"]:
        lines.append(", ".join(node["names"]))
    if node["meta"]:
        lines.append(node["meta"])
    lines.extend(node["notes"])
    return "\n".join(lines)


def to_dot(tree: TreeItem, title: str = "grad_fn") -> str:
    """DOT text for the graph under ``tree``.

    Example:
        >>> print(to_dot(TreeItem("leaf", "AccumulateGrad", ("x",), "float32[2]", ident=0)))
        digraph "grad_fn" {
          rankdir=BT;
          node [fontname="monospace", fontsize=10];
          n0 [label="AccumulateGrad\\nx\\nfloat32[2]", shape=box, style=filled, fillcolor="#cfe2f3"];
        }
    """
    data = graph_data(tree)
    lines = [f"digraph {_quote(title)} {{", "  rankdir=BT;",
             '  node [fontname="monospace", fontsize=10];']
    for node in data["nodes"]:
        lines.append(f"  {node['id']} [label={_quote(node_label(node))}, {_STYLES[node['kind']]}];")
    for e in data["edges"]:
        style = " [style=dashed]" if e["saved"] else ""
        lines.append(f"  {e['from']} -> {e['to']}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"
