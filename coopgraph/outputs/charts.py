"""Charts of tidy tables: aid against UN voting alignment per recipient.

``aid_alignment_points`` reduces ``api.aidalign`` rows to one point per recipient over a
period: the aid received (summed, current USD) and the mean Cohen's kappa of its votes
with the donor's. ``svg_scatter`` draws them as a self-contained SVG (no script, no
external reference; every label is escaped), ``html_page`` wraps it in a page, and
``png_scatter`` draws the same with matplotlib (an optional dependency).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopgraph.errors import CoopgraphError, UsageError
from coopgraph.outputs.writers import write_text
from coopgraph.paths import shown


@dataclass(frozen=True, order=True)
class Point:
    """One recipient: aid over the period and its mean alignment with the donor."""

    code: str
    name: str
    aid: float
    kappa: float


def aid_alignment_points(rows: Sequence[dict[str, Any]]) -> list[Point]:
    """Recipients with both aid and votes in the rows, as points (aid summed over the
    rows' years, kappa averaged over the years it is defined).

    >>> rows = [
    ...     {"recipient": "EGY", "recipient_name": "Egypt", "aid": 2.0, "kappa": 0.1},
    ...     {"recipient": "EGY", "recipient_name": "Egypt", "aid": 1.0, "kappa": 0.3},
    ...     {"recipient": "CUB", "recipient_name": "Cuba", "aid": 0.0, "kappa": -0.2},
    ... ]
    >>> [(p.code, p.aid, round(p.kappa, 2)) for p in aid_alignment_points(rows)]
    [('EGY', 3.0, 0.2)]
    """
    totals: dict[str, float] = {}
    kappas: dict[str, list[float]] = {}
    names: dict[str, str] = {}
    for row in rows:
        code = row["recipient"]
        names[code] = row.get("recipient_name") or code
        totals[code] = totals.get(code, 0.0) + (row.get("aid") or 0.0)
        if row.get("kappa") is not None:
            kappas.setdefault(code, []).append(row["kappa"])
    return sorted(
        Point(code, names[code], totals[code], sum(values) / len(values))
        for code, values in kappas.items()
        if totals.get(code, 0.0) > 0
    )


def _check_finite(points: Sequence[Point]) -> None:
    """A CoopgraphError for a point whose aid or kappa is not finite (an infinite amount
    read from a hostile file), which no chart can place."""
    for p in points:
        if not (math.isfinite(p.aid) and math.isfinite(p.kappa)):
            raise CoopgraphError(
                f"{p.code}: aid {p.aid} or kappa {p.kappa} is not a finite number; "
                "check the amounts of the sources shown"
            )


def svg_scatter(points: Sequence[Point], title: str, width: int = 900, height: int = 560) -> str:
    """An SVG scatter: log10 of aid (x) against mean kappa (y), one labelled dot each."""
    _check_finite(points)
    left, right, top, bottom = 70, 20, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = [math.log10(p.aid) for p in points] or [0.0, 1.0]
    lo, hi = math.floor(min(xs)), math.ceil(max(xs))
    hi = hi if hi > lo else lo + 1

    def x(value: float) -> float:
        return left + (math.log10(value) - lo) / (hi - lo) * plot_w

    def y(kappa: float) -> float:
        return top + (1 - (max(-1.0, min(1.0, kappa)) + 1) / 2) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">'
        f"{html.escape(title)}</text>",
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#999"/>',
        f'<line x1="{left}" y1="{y(0)}" x2="{left + plot_w}" y2="{y(0)}" stroke="#ccc" '
        'stroke-dasharray="4 3"/>',
    ]
    for tick in range(lo, hi + 1):
        px = left + (tick - lo) / (hi - lo) * plot_w
        parts.append(
            f'<text x="{px}" y="{top + plot_h + 18}" text-anchor="middle" font-size="11">'
            f"10^{tick}</text>"
        )
    for tick in (-1.0, -0.5, 0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{left - 8}" y="{y(tick) + 4}" text-anchor="end" font-size="11">'
            f"{tick:+.1f}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 15}" text-anchor="middle" font-size="12">'
        "military aid received over the period (current USD, log scale)</text>"
    )
    parts.append(
        f'<text x="16" y="{top + plot_h / 2}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 16 {top + plot_h / 2})">'
        "UN voting alignment with the donor (mean Cohen's kappa)</text>"
    )
    for p in points:
        label = html.escape(f"{p.name}: {p.aid:,.0f} USD, kappa {p.kappa:+.3f}")
        parts.append(
            f'<circle cx="{x(p.aid):.1f}" cy="{y(p.kappa):.1f}" r="4" fill="#d9534f" '
            f'fill-opacity="0.75"><title>{label}</title></circle>'
        )
        parts.append(
            f'<text x="{x(p.aid) + 5:.1f}" y="{y(p.kappa) - 5:.1f}" font-size="9" '
            f'fill="#333">{html.escape(p.code)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def html_page(svg: str, title: str, note: str) -> str:
    """A self-contained page around an SVG chart (a CSP forbids any request)."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:1.5rem}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(note)}</p>{svg}</body></html>\n"
    )


def png_scatter(points: Sequence[Point], title: str, path: Path) -> None:
    """The same scatter as a PNG (needs matplotlib: ``pip install 'coopgraph[plot]'``)."""
    _check_finite(points)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 5.6), dpi=110)
    axes.scatter([p.aid for p in points], [p.kappa for p in points], s=18, color="#d9534f")
    for p in points:
        axes.annotate(p.code, (p.aid, p.kappa), fontsize=6, xytext=(3, 3),
                      textcoords="offset points")  # fmt: skip
    axes.set_xscale("log")
    axes.set_ylim(-1, 1)
    axes.axhline(0, color="#ccc", linestyle="--", linewidth=0.8)
    axes.set_xlabel("military aid received over the period (current USD, log scale)")
    axes.set_ylabel("UN voting alignment with the donor (mean Cohen's kappa)")
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def aidalign_plot(
    rows: Sequence[dict[str, Any]], path: Path, *, donor: str, first: int, last: int
) -> int:
    """Draw ``aidalign`` rows as aid against mean kappa per recipient into ``path``
    (.html: a self-contained SVG page; .png: matplotlib); returns the points drawn."""
    points = aid_alignment_points(rows)
    title = f"Military aid from {donor} and UN voting alignment with {donor}, {first}-{last}"
    suffix = path.suffix.lower()
    if suffix == ".png":
        try:
            png_scatter(points, title, path)
        except ImportError:
            raise UsageError("PNG charts need matplotlib: pip install 'coopgraph[plot]'") from None
        except OSError as error:
            raise UsageError(f"cannot write output: {error.strerror}", path=shown(path)) from None
    elif suffix in (".html", ".htm"):
        note = (
            "One dot per recipient that received aid and voted in the UN General Assembly: "
            "the aid summed over the period, and the mean of the yearly Cohen's kappa of its "
            "votes with the donor's (Häge 2011). Hover a dot for its figures."
        )
        write_text(html_page(svg_scatter(points, title), title, note), path)
    else:
        raise UsageError("--plot takes a .html or a .png file", path=shown(path))
    return len(points)
