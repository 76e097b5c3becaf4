"""The dashboard's picture of reached against target per group, drawn on the server
as inline SVG (presentation attributes only, for the Content-Security-Policy).
Readable without colour: each bar's share and the target are written as text,
the target is a dashed line, and the same numbers are in the table beside it."""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from units.charts import format_number


def _pct(value) -> str:
    return "–" if value is None else f"{format_number(float(value), 1)} %"


def target_bars(rows, *, label: str) -> SafeString:
    """One horizontal bar per target group: reached share, with the target marked."""
    width, left, right, line = 560, 200, 120, 34
    plot = width - left - right
    height = line * len(rows) + 24
    parts = []
    described = []
    for index, row in enumerate(rows):
        y = 8 + index * line
        share = float(row.percent or 0)
        parts.append(
            format_html(
                '<text x="0" y="{ty}" font-size="12" fill="currentColor">{name}</text>'
                '<rect x="{x}" y="{y}" width="{plot}" height="18" fill="#eceef1"/>'
                '<rect x="{x}" y="{y}" width="{w}" height="18" fill="#1d4ed8"/>',
                ty=y + 14,
                name=row.label if len(row.label) <= 30 else row.label[:29] + "…",
                x=left,
                y=y,
                plot=plot,
                w=f"{plot * min(share, 100) / 100:.1f}",
            )
        )
        if row.target is not None:
            tx = left + plot * float(row.target) / 100
            parts.append(
                format_html(
                    '<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="#a3161a" '
                    'stroke-width="2" stroke-dasharray="4 2"/>',
                    x=f"{tx:.1f}",
                    y1=y - 3,
                    y2=y + 21,
                )
            )
        text = _pct(row.percent) + (
            f" / {_pct(row.target)}" if row.target is not None else ""
        )
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" font-size="13" fill="currentColor">{t}</text>',
                x=left + plot + 8,
                y=y + 14,
                t=text,
            )
        )
        described.append(f"{row.label} {text}")
    legend_y = height - 4
    parts.append(
        format_html(
            '<line x1="{x}" x2="{x2}" y1="{y}" y2="{y}" stroke="#a3161a" '
            'stroke-width="2" stroke-dasharray="4 2"/>'
            '<text x="{tx}" y="{ty}" font-size="12" fill="currentColor">{t}</text>',
            x=left,
            x2=left + 20,
            y=legend_y - 4,
            tx=left + 26,
            ty=legend_y,
            t=_("dashed line: the target; first number reached, second the target"),
        )
    )
    return format_html(
        '<svg class="target-bars" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-label="{d}" focusable="false">{body}</svg>',
        w=width,
        h=height,
        d=f"{label}: " + "; ".join(described),
        body=mark_safe("".join(parts)),
    )
