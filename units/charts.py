"""Small pictures drawn on the server as inline SVG: charts, avatars, unit emblems.

No chart library and no script: a page stays complete without JavaScript, weighs a
few hundred bytes more per picture, and passes the Content-Security-Policy (inline
<svg> with presentation attributes, never a style attribute). Every chart is
readable without colour: its numbers are written beside or above the marks, and
it carries a text alternative (role="img" with an aria-label, or aria-hidden when
the numbers are already on the page next to it).
"""

import zlib
from collections.abc import Sequence

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Backgrounds for white initials, each at least 4.5:1 against white (WCAG AA for
# text), so an avatar's letters stay readable whichever colour a name falls on.
AVATAR_COLOURS = (
    "#a3161a",  # red, 7.0:1
    "#1d4ed8",  # blue, 6.7:1
    "#047857",  # green, 5.5:1
    "#7c3aed",  # violet, 5.7:1
    "#b45309",  # amber, 5.0:1
    "#0e7490",  # cyan, 5.4:1
    "#be185d",  # pink, 6.0:1
    "#4d5562",  # slate, 7.4:1
)
ANONYMOUS_COLOUR = "#6b7280"  # 4.8:1


def format_number(value, decimals: int | None = None) -> str:
    """A number as the language writes it, grouped by thousands: 46.630 and 1,97 in
    Vietnamese, 46,630 and 1.97 in English. Django's Vietnamese formats name the
    separators but no grouping, so the grouping is given here."""
    if decimals is None and isinstance(value, float) and value.is_integer():
        value = int(value)
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimals,
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return format_number(value, 1)
    return format_number(int(value))


def _fmt(value: float) -> str:
    """A coordinate: short, no exponent."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def colour_for(name: str) -> str:
    """The same colour for the same name, on every page and in every process."""
    return AVATAR_COLOURS[zlib.crc32(name.encode()) % len(AVATAR_COLOURS)]


def initials(name: str) -> str:
    """Two letters for a name: the family and the given name ("Nguyễn Văn An" -> "NA").

    Unit names lose their kind first ("Thôn Hồ Liễn" -> "HL"), or every village
    would be "T".
    """
    words = [w for w in (name or "").replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper() if len(words[0]) > 1 else words[0].upper()
    return (words[0][0] + words[-1][0]).upper()


def avatar(name: str, *, size: int = 40, anonymous: bool = False) -> SafeString:
    """A round avatar with the name's initials; decorative (the name is beside it)."""
    letters = "?" if anonymous else initials(name)
    colour = ANONYMOUS_COLOUR if anonymous else colour_for(name)
    return format_html(
        '<svg class="avatar" width="{size}" height="{size}" viewBox="0 0 40 40" '
        'aria-hidden="true" focusable="false">'
        '<circle cx="20" cy="20" r="20" fill="{colour}"/>'
        '<text x="20" y="20" dy=".35em" text-anchor="middle" fill="#fff" '
        'font-size="{font}" font-weight="700" font-family="system-ui, sans-serif">'
        "{letters}</text></svg>",
        size=size,
        colour=colour,
        font=16 if len(letters) > 1 else 18,
        letters=letters,
    )


# Unit kinds grouped by the shape of their emblem: the shape tells a village from a
# school at a glance, the letters tell one village from another.
_KIND_SHAPE = {
    "province": "shield",
    "commune": "shield",
    "ward": "shield",
    "village": "house",
    "residential_group": "house",
    "school": "book",
    "department": "building",
    "office": "building",
    "enterprise": "building",
    "cooperative": "building",
    "party_cell": "star",
    "youth_union": "star",
    "youth_branch": "star",
    "women_union": "star",
    "farmers_union": "star",
    "digital_team": "hexagon",
}
_SHAPES = {
    "shield": "M20 2 L37 8 V20 C37 30 29 36 20 39 C11 36 3 30 3 20 V8 Z",
    "house": "M20 2 L38 17 V38 H2 V17 Z",
    "book": "M3 6 Q12 2 20 7 Q28 2 37 6 V37 Q28 33 20 38 Q12 33 3 37 Z",
    "building": "M5 5 H35 V38 H5 Z",
    "star": "M20 1 L25 13 L38 14 L28 23 L31 37 L20 30 L9 37 L12 23 L2 14 L15 13 Z",
    "hexagon": "M20 1 L37 10.5 V29.5 L20 39 L3 29.5 V10.5 Z",
}
# Words that name a unit's kind, left out of its initials.
_KIND_WORDS = {
    "thôn",
    "xóm",
    "ấp",
    "bản",
    "tổ",
    "dân",
    "phố",
    "xã",
    "phường",
    "thị",
    "trấn",
    "tỉnh",
    "thành",
    "trường",
    "chi",
    "đoàn",
    "village",
    "commune",
    "ward",
    "school",
}


def unit_initials(name: str) -> str:
    words = [w for w in (name or "").split() if w.lower() not in _KIND_WORDS]
    return initials(" ".join(words) or name)


def emblem(name: str, kind: str, *, size: int = 40) -> SafeString:
    """A unit's emblem: the shape of its kind, its colour and initials; decorative."""
    shape = _SHAPES[_KIND_SHAPE.get(kind, "shield")]
    letters = unit_initials(name)
    return format_html(
        '<svg class="emblem" width="{size}" height="{size}" viewBox="0 0 40 40" '
        'aria-hidden="true" focusable="false">'
        '<path d="{shape}" fill="{colour}"/>'
        '<text x="20" y="23" dy=".3em" text-anchor="middle" fill="#fff" '
        'font-size="13" font-weight="700" font-family="system-ui, sans-serif">'
        "{letters}</text></svg>",
        size=size,
        shape=shape,
        colour=colour_for(name),
        letters=letters,
    )


def sparkline(
    values: Sequence[float], *, label: str, width: int = 120, height: int = 32
) -> SafeString:
    """A line of values over time, the last one marked, labelled for screen readers.

    The caller writes the latest value beside it in text; the aria-label carries
    every value, so the picture is never the only way to read them.
    """
    values = [float(v) for v in values] or [0.0]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 4) / max(1, len(values) - 1)
    points = [
        (2 + i * step, height - 3 - (v - low) / span * (height - 6))
        for i, v in enumerate(values)
    ]
    path = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
    last_x, last_y = points[-1]
    described = f"{label}: " + ", ".join(_number(v) for v in values)
    return format_html(
        '<svg class="sparkline" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'role="img" aria-label="{described}" focusable="false">'
        '<polyline points="{path}" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
        '<circle cx="{x}" cy="{y}" r="3" fill="currentColor"/></svg>',
        w=width,
        h=height,
        described=described,
        path=path,
        x=_fmt(last_x),
        y=_fmt(last_y),
    )


def bar(value: float, maximum: float) -> SafeString:
    """One horizontal bar, as wide as value is of maximum; its number is beside it
    in the page, so the bar itself is hidden from screen readers."""
    share = 0.0 if not maximum else max(0.0, min(1.0, float(value) / float(maximum)))
    return format_html(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">'
        '<rect class="bar-track" width="100" height="10" rx="2"/>'
        '<rect class="bar-fill" width="{w}" height="10" rx="2"/></svg>',
        w=_fmt(share * 100),
    )


def column_chart(
    items: Sequence[tuple[str, float]], *, label: str, height: int = 120
) -> SafeString:
    """Vertical bars with their value above each and their label below.

    Numbers and labels are text inside the picture and in its aria-label; the
    bars differ by height, never only by colour.
    """
    items = list(items)
    if not items:
        return mark_safe("")
    top = max((float(v) for _l, v in items), default=0.0) or 1.0
    slot = 40
    width = slot * len(items)
    plot = height - 34  # room for the value above and the label below
    parts = []
    for index, (name, value) in enumerate(items):
        h = max(1.0, float(value) / top * plot) if value else 0.0
        x = index * slot + 6
        y = 16 + plot - h
        parts.append(
            format_html(
                '<rect class="col" x="{x}" y="{y}" width="28" height="{h}" rx="2"/>'
                '<text x="{cx}" y="{ty}" text-anchor="middle" font-size="11" '
                'fill="currentColor">{value}</text>'
                '<text x="{cx}" y="{ly}" text-anchor="middle" font-size="11" '
                'fill="currentColor">{name}</text>',
                x=x,
                y=_fmt(y),
                h=_fmt(h),
                cx=x + 14,
                ty=_fmt(y - 4),
                ly=height - 4,
                value=_number(value),
                name=name,
            )
        )
    described = f"{label}: " + ", ".join(f"{n} {_number(v)}" for n, v in items)
    return format_html(
        '<svg class="columns" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'role="img" aria-label="{d}" '
        'focusable="false">{body}</svg>',
        w=width,
        h=height,
        d=described,
        body=mark_safe("".join(parts)),
    )


def medal(colour: str, *, size: int = 40) -> SafeString:
    """A medal on a ribbon in a badge level's colour; decorative (the badge's name
    and level are written beside it)."""
    return format_html(
        '<svg class="medal" width="{size}" height="{size}" viewBox="0 0 40 40" '
        'aria-hidden="true" focusable="false">'
        '<path d="M12 2 H19 L22 14 H15 Z M21 2 H28 L25 14 H18 Z" fill="#a3161a"/>'
        '<circle cx="20" cy="25" r="13" fill="{colour}"/>'
        '<circle cx="20" cy="25" r="9.5" fill="none" stroke="#fff" stroke-width="1.5"/>'
        '<path d="M20 18.5 l2 4.1 4.5.6 -3.3 3.1 .8 4.5 -4 -2.2 -4 2.2 .8 -4.5 '
        '-3.3 -3.1 4.5 -.6z" fill="#fff"/></svg>',
        size=size,
        colour=colour,
    )
