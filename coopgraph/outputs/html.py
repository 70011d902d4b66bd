"""Self-contained HTML graphs with pyvis: nodes, edges and their facts, offline.

``network`` turns a projected cooperation graph into a pyvis ``Network`` (nodes coloured
by kind, edges by relation, tooltips stating each fact with its dates and source);
``to_html`` writes it as one page with vis-network's script and style inlined from
pyvis's own package. pyvis's template is not used: it loads Bootstrap and vis-network
from CDNs even with ``cdn_resources="in_line"``. Every value reaches the page as JSON
text (``<`` escaped) and is shown through ``textContent`` or drawn on the canvas, so a
label such as ``<img src=x onerror=alert(1)>`` is shown, never run.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from string import Template

import networkx as nx
from pyvis.network import Network

NODE_STYLE = {
    "nation": {"color": "#4e79a7", "shape": "dot", "size": 14, "label": "nation"},
    "alliance": {"color": "#e15759", "shape": "diamond", "size": 26, "label": "alliance"},
    "operation": {"color": "#59a14f", "shape": "square", "size": 22, "label": "operation"},
}
EDGE_STYLE = {
    "member of": {"color": "#e8a0a1", "label": "member of (nation - alliance)"},
    "took part in": {"color": "#8cc97e", "label": "took part in (nation - operation)"},
    "aid to": {"color": "#f28e2b", "label": "military aid (donor -> recipient)"},
}
OPTIONS = {
    "physics": {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90},
        "stabilization": {"enabled": True, "iterations": 300, "fit": True},
    },
    "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
    "edges": {"smooth": False},
    "nodes": {"font": {"size": 14, "face": "system-ui, sans-serif"}},
}


def _vis_asset(name: str) -> str:
    """A vis-network file from pyvis's package (pyvis 0.3.2 ships vis-network 9.1.2)."""
    lib = resources.files("pyvis") / "lib" / "vis-9.1.2" / name
    return lib.read_text(encoding="utf-8")


def network(graph: nx.MultiDiGraph, *, title: str = "coopgraph") -> Network:
    """A pyvis ``Network`` of a cooperation graph (see ``project.cooperation_graph``).

    Node tooltips name the node and its kind; edge tooltips state the fact with its dates
    and its source. Aid edges are arrows whose width grows with the amount.
    """
    net = Network(directed=True, height="100%", width="100%", heading=title)
    degree = dict(graph.degree())
    for node, attrs in sorted(graph.nodes(data=True), key=lambda item: str(item[0])):
        kind = attrs.get("kind", "nation")
        style = NODE_STYLE[kind]
        lines = [f"{attrs.get('label', node)} ({node})", f"{kind}"]
        if attrs.get("detail"):
            lines.append(attrs["detail"])
        lines.append(f"{degree.get(node, 0)} link(s) this year")
        net.add_node(
            str(node),
            label=str(node),  # the short id; the full name is in the tooltip
            title="\n".join(lines),
            color=style["color"],
            shape=style["shape"],
            size=style["size"] + (min(degree.get(node, 0), 30) if kind == "nation" else 0),
            kind=kind,  # not "group": pyvis drops the colour of grouped nodes
        )
    for u, v, attrs in graph.edges(data=True):
        relation = attrs["relation"]
        amount = attrs.get("amount") or 0.0
        width = 1.0 + (math.log10(1 + amount / 1e6) if relation == "aid to" else 0.0)
        net.add_edge(
            str(u),
            str(v),
            title=f"{attrs['fact']}\nSource: {attrs['source']}",
            color=EDGE_STYLE[relation]["color"],
            width=round(width, 2),
            arrows="to" if relation == "aid to" else "",
            relation=relation,
        )
    net.set_options(json.dumps(OPTIONS))
    return net


def _json_for_script(value: object) -> str:
    """JSON that cannot close its <script> element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_html(net: Network, *, title: str, subtitle: str = "") -> str:
    """The page for ``net``: one file, every script and style inside, no network use."""
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    if isinstance(options, str):
        options = json.loads(options)
    kinds = {n.get("kind") for n in nodes}
    relations = {e.get("relation") for e in edges}
    data = {
        "title": title,
        "subtitle": subtitle,
        "nodes": nodes,
        "edges": edges,
        "options": options,
        "legend": {
            "nodes": [
                {"label": s["label"], "color": s["color"]}
                for k, s in NODE_STYLE.items()
                if k in kinds
            ],
            "edges": [
                {"label": s["label"], "color": s["color"]}
                for r, s in EDGE_STYLE.items()
                if r in relations
            ],
        },
    }
    template = Template(
        (resources.files("coopgraph.outputs") / "graph.html").read_text(encoding="utf-8")
    )
    return template.substitute(
        title=_escape_text(title),
        vis_css=_vis_asset("vis-network.css"),
        vis_js=_vis_asset("vis-network.min.js").replace("</script", "<\\/script"),
        data=_json_for_script(data),
    )


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
