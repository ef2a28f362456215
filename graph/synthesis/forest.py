"""The forest plot as inline SVG: each study's proportion with its 95% interval, and
one diamond per population.  Generated here (no JavaScript, no CDN) so a report is one
self-contained file; every label is escaped, because document text is untrusted.
"""

from __future__ import annotations

from html import escape

from graph.synthesis.pooling import PooledEstimate

__all__ = ["forest_svg"]

_W, _LABEL, _RIGHT, _ROW, _TOP = 860, 330, 190, 22, 34
_COLOURS = {"supports": "#2b7a3d", "contradicts": "#c0392b"}


def forest_svg(
    estimates: tuple[PooledEstimate, ...] | list[PooledEstimate], *, title: str = "Incidence by population"
) -> str:
    """An SVG forest plot of ``estimates``; empty string when there is nothing to draw."""
    if not estimates:
        return ""
    plot_w = _W - _LABEL - _RIGHT
    rows: list[str] = []
    y = _TOP
    for est in estimates:
        head = f"{est.population}" + ("" if est.outcome == "any" else f" — {est.outcome}")
        rows.append(f'<text x="6" y="{y + 15}" font-weight="bold">{escape(head)}</text>')
        y += _ROW
        for s in est.studies:
            colour = _COLOURS.get(s.stance, "#555")
            x0, x1, xm = (_x(v, plot_w) for v in (s.low, s.high, s.proportion))
            label = f"{s.study} ({s.events}/{s.total}{'*' if s.events_derived else ''})"
            rows.append(
                f"<g><title>{escape(s.text)}</title>"
                f'<text x="18" y="{y + 15}">{escape(label)}</text>'
                f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{y + 11}" y2="{y + 11}" stroke="{colour}" stroke-width="2"/>'
                f'<rect x="{xm - 5:.1f}" y="{y + 6}" width="10" height="10" fill="{colour}"/>'
                f'<text x="{_W - _RIGHT + 8}" y="{y + 15}">{escape(_ci(s.proportion, s.low, s.high))}</text></g>'
            )
            y += _ROW
        x0, x1, xm = (_x(v, plot_w) for v in (est.low, est.high, est.proportion))
        method = "pooled" if est.k > 1 else "single study"
        i2 = f", I²={est.i2:.0%}" if est.i2 is not None else ""
        rows.append(
            f"<g><title>{escape(est.method)}</title>"
            f'<text x="18" y="{y + 15}" font-style="italic">{escape(f"{method}, k={est.k}{i2}")}</text>'
            f'<polygon points="{x0:.1f},{y + 11} {xm:.1f},{y + 3} {x1:.1f},{y + 11} {xm:.1f},{y + 19}" fill="#1f3b73"/>'
            f'<text x="{_W - _RIGHT + 8}" y="{y + 15}" font-weight="bold">{escape(_ci(est.proportion, est.low, est.high))}</text></g>'
        )
        y += _ROW + 8
    axis_y = y + 4
    ticks = "".join(
        f'<line x1="{_x(t / 100, plot_w):.1f}" x2="{_x(t / 100, plot_w):.1f}" y1="{_TOP}" y2="{axis_y}" stroke="#ddd"/>'
        f'<text x="{_x(t / 100, plot_w):.1f}" y="{axis_y + 16}" text-anchor="middle">{t}%</text>'
        for t in range(0, 101, 20)
    )
    height = axis_y + 44
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{_W}" height="{height}" '
        f'viewBox="0 0 {_W} {height}" font-family="sans-serif" font-size="12">'
        f"<title>{escape(title)}</title>"
        f'<text x="6" y="18" font-size="14" font-weight="bold">{escape(title)}</text>'
        f"{ticks}{''.join(rows)}"
        f'<text x="{_LABEL}" y="{axis_y + 34}" fill="#555">proportion of patients with 95% CI · '
        f"* events derived from a percentage · green supports, red contradicts</text></svg>"
    )


def _x(p: float, plot_w: int) -> float:
    return _LABEL + max(0.0, min(1.0, p)) * plot_w


def _ci(p: float, low: float, high: float) -> str:
    return f"{p:.1%} ({low:.1%}–{high:.1%})"
