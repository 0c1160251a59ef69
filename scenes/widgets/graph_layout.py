"""Where each node of a computational graph goes: columns from `graph.layers()` (inputs left, output
right), the main path along one row, every other node pulled towards its neighbours (barycentre
sweeps) and spread at least a row apart, crossings removed by mirroring. Pure Python: tested alone."""
from __future__ import annotations

from collections import defaultdict

from engine import Graph

DENSE_COLUMN = 3  # a column of more inputs than this is staggered


def _pool_adjacent_violators(values: list[float], weights: list[float]) -> list[float]:
    """The non-increasing sequence closest to `values` in weighted least squares."""
    blocks: list[tuple[float, float, int]] = []  # (mean, weight, count)
    for v, w in zip(values, weights):
        blocks.append((v, w, 1))
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append(((m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2))
    return [m for m, _, c in blocks for _ in range(c)]


def main_path(graph: Graph) -> list[str]:
    """From the output back to an input, always through the source with the longest chain of ops
    behind it (a learnable input before a constant): the line the rest of the graph hangs off."""
    depth: dict[str, int] = {}
    for n in graph.nodes:
        depth[n.name] = 1 + max((depth[e.source] for e in graph.inputs_of(n.name)), default=-1)
    path = [graph.output_name]
    while sources := [e.source for e in graph.inputs_of(path[-1]) if e.source not in path]:
        path.append(max(sources, key=lambda s: (depth[s], graph.node(s).learnable)))
    return path


def column_rows(graph: Graph, sweeps: int = 12) -> tuple[dict[str, int], dict[str, float], set[int]]:
    """Column of every node (from `graph.layers()`), its height in row units (1 = the minimum gap),
    and the columns drawn staggered.

    The main path runs straight along row 0. Each sweep moves every other node towards the mean
    height of its neighbours (the barycentre, which also orders each column so edges rarely cross;
    ties go above), then spreads each column to at least one row apart with the least movement.
    A tall column of inputs only (many weights and features) is staggered: every second node steps
    left, so its nodes may sit half a row apart.
    """
    layer = graph.layers()
    columns: dict[int, list[str]] = defaultdict(list)
    for n in graph.nodes:
        columns[layer[n.name]].append(n.name)
    staggered = {c for c, names in columns.items()
                 if len(names) > DENSE_COLUMN and all(graph.node(n).kind != "op" for n in names)}
    gap = {c: 0.5 if c in staggered else 1.0 for c in columns}
    neighbours: dict[str, list[str]] = defaultdict(list)
    for e in graph.edges:
        neighbours[e.source].append(e.target)
        neighbours[e.target].append(e.source)
    spine = set(main_path(graph))
    y = {name: 0.0 if name in spine else float(len(names) - i) for names in columns.values()
         for i, name in enumerate(names)}
    order = sorted(columns)
    for sweep in range(sweeps):
        for c in order if sweep % 2 == 0 else reversed(order):
            names = columns[c]
            desired = {n: 0.0 if n in spine else
                       (sum(y[m] for m in neighbours[n]) / len(neighbours[n]) if neighbours[n] else y[n]) + 0.01
                       for n in names}
            names.sort(key=lambda n: -desired[n])  # stable: ties keep their order
            spread = _pool_adjacent_violators([desired[n] + i * gap[c] for i, n in enumerate(names)],
                                              [1e6 if n in spine else 1.0 for n in names])
            for i, n in enumerate(names):
                y[n] = spread[i] - i * gap[c]
    y = _uncross(graph, layer, columns, spine, y, gap)
    middle = (max(y.values()) + min(y.values())) / 2
    return layer, {n: v - middle for n, v in y.items()}, staggered


def _crossings(graph: Graph, layer: dict[str, int], y: dict[str, float]) -> int:
    """How many pairs of edges cross, drawn as straight segments from (column, row) to (column, row)."""
    def orient(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    segments = [((layer[e.source], y[e.source]), (layer[e.target], y[e.target]), {e.source, e.target}) for e in graph.edges]
    count = 0
    for i, (p1, p2, ends1) in enumerate(segments):
        for p3, p4, ends2 in segments[i + 1:]:
            if ends1 & ends2:
                continue
            if orient(p1, p2, p3) * orient(p1, p2, p4) < 0 and orient(p3, p4, p1) * orient(p3, p4, p2) < 0:
                count += 1
    return count


def _uncross(graph: Graph, layer: dict[str, int], columns: dict[int, list[str]], spine: set[str],
             y: dict[str, float], gap: dict[int, float]) -> dict[str, float]:
    """Greedily mirror nodes to the other side of the main path (swapping with whatever sits there)
    while that removes crossings."""
    best = _crossings(graph, layer, y)
    improved = True
    while improved and best:
        improved = False
        for name in (n for n in y if n not in spine):
            trial = dict(y)
            trial[name] = -y[name]
            clash = [m for m in columns[layer[name]] if m != name and abs(y[m] - trial[name]) < gap[layer[name]] - 1e-3]
            if any(m in spine for m in clash) or len(clash) > 1:
                continue
            for m in clash:
                trial[m] = y[name]
            crossings = _crossings(graph, layer, trial)
            if crossings < best:
                y, best, improved = trial, crossings, True
    return y
