"""Badge art and 1200×630 link previews, drawn with Pillow and cached on disk.

Text is drawn with the bundled DejaVu Sans (fonts/), which has every Vietnamese
tone mark. An image is named by a fingerprint of what it shows; it is rendered
once per change and then served from MEDIA_ROOT/badges/cache/ (shared by every
worker) with that fingerprint as its ETag, never per request.
"""

import hashlib
import io
import math
import os
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from .models import LEVEL_COLOURS

FONTS = Path(__file__).resolve().parent / "fonts"
ART_VERSION = "1"  # bump to redraw every cached image after a change of design
BRAND = (179, 38, 30)
CREAM = (252, 248, 238)
INK = (32, 32, 32)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def _lighter(rgb, amount: float):
    return tuple(int(c + (255 - c) * amount) for c in rgb)


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _fit(draw, text: str, width: int, max_lines: int, sizes=(64, 54, 46, 40, 34, 28)):
    for size in sizes:
        font = _font(size, bold=True)
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines:
            return font, lines
    return font, lines[:max_lines]


def _emblem(draw, kind: str, centre, radius: int, fill) -> None:
    """A simple emblem drawn with shapes (no image files to license)."""
    cx, cy = centre
    r = radius
    if kind == "mentor":
        draw.ellipse(
            (cx - r * 0.75, cy - r * 0.8, cx - r * 0.15, cy - r * 0.2), fill=fill
        )
        draw.pieslice(
            (cx - r * 0.95, cy - r * 0.1, cx + r * 0.05, cy + r * 0.9),
            180,
            360,
            fill=fill,
        )
        draw.ellipse(
            (cx + r * 0.2, cy - r * 0.55, cx + r * 0.7, cy - r * 0.05), fill=fill
        )
        draw.pieslice(
            (cx + r * 0.05, cy + r * 0.1, cx + r * 0.85, cy + r * 0.9),
            180,
            360,
            fill=fill,
        )
    elif kind == "book":
        draw.polygon(
            [
                (cx - r, cy - r * 0.6),
                (cx - 4, cy - r * 0.4),
                (cx - 4, cy + r * 0.7),
                (cx - r, cy + r * 0.5),
            ],
            fill=fill,
        )
        draw.polygon(
            [
                (cx + r, cy - r * 0.6),
                (cx + 4, cy - r * 0.4),
                (cx + 4, cy + r * 0.7),
                (cx + r, cy + r * 0.5),
            ],
            fill=fill,
        )
    elif kind == "house":
        draw.polygon(
            [(cx, cy - r), (cx + r, cy - r * 0.1), (cx - r, cy - r * 0.1)], fill=fill
        )
        draw.rectangle(
            (cx - r * 0.7, cy - r * 0.1, cx + r * 0.7, cy + r * 0.8), fill=fill
        )
    elif kind == "village":
        for dx, scale in ((-0.55, 0.55), (0.45, 0.7)):
            s = r * scale
            x = cx + r * dx
            draw.polygon([(x, cy - s), (x + s, cy), (x - s, cy)], fill=fill)
            draw.rectangle((x - s * 0.7, cy, x + s * 0.7, cy + s * 0.9), fill=fill)
    elif kind == "team":
        for angle in range(0, 360, 45):
            a = math.radians(angle)
            x, y = cx + math.cos(a) * r * 0.75, cy + math.sin(a) * r * 0.75
            draw.ellipse(
                (x - r * 0.2, y - r * 0.2, x + r * 0.2, y + r * 0.2), fill=fill
            )
        draw.ellipse(
            (cx - r * 0.6, cy - r * 0.6, cx + r * 0.6, cy + r * 0.6), fill=fill
        )
    elif kind == "school":
        draw.polygon(
            [
                (cx, cy - r * 0.9),
                (cx + r, cy - r * 0.4),
                (cx, cy + r * 0.1),
                (cx - r, cy - r * 0.4),
            ],
            fill=fill,
        )
        draw.rectangle(
            (cx - r * 0.55, cy - r * 0.2, cx + r * 0.55, cy + r * 0.5), fill=fill
        )
    elif kind == "flag":
        draw.rectangle((cx - r * 0.8, cy - r, cx - r * 0.65, cy + r), fill=fill)
        draw.polygon(
            [(cx - r * 0.65, cy - r), (cx + r, cy - r * 0.5), (cx - r * 0.65, cy)],
            fill=fill,
        )
    else:  # star
        points = []
        for i in range(10):
            a = math.radians(-90 + i * 36)
            length = r if i % 2 == 0 else r * 0.45
            points.append((cx + math.cos(a) * length, cy + math.sin(a) * length))
        draw.polygon(points, fill=fill)


def _medal(image, centre, radius: int, colour, emblem: str) -> None:
    draw = ImageDraw.Draw(image)
    cx, cy = centre
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)
    inner = int(radius * 0.84)
    draw.ellipse(
        (cx - inner, cy - inner, cx + inner, cy + inner), fill=_lighter(colour, 0.85)
    )
    _emblem(draw, emblem, (cx, cy), int(radius * 0.5), colour)


def badge_art(*, name: str, emblem: str, level: str, level_label: str = "") -> bytes:
    """A square 600×600 badge: a medal in the level's colour, the emblem, the name."""
    colour = _rgb(LEVEL_COLOURS.get(level, LEVEL_COLOURS[""]))
    image = Image.new("RGB", (600, 600), CREAM)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 592, 592), radius=48, outline=colour, width=10)
    _medal(image, (300, 215), 150, colour, emblem)
    font, lines = _fit(draw, name, 520, 2, sizes=(52, 46, 40, 34, 30))
    y = 390
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((600 - width) / 2, y), line, font=font, fill=INK)
        y += font.size + 8
    if level_label:
        small = _font(34, bold=True)
        width = draw.textlength(level_label, font=small)
        draw.rounded_rectangle(
            ((600 - width) / 2 - 20, 528, (600 + width) / 2 + 20, 576),
            radius=24,
            fill=colour,
        )
        draw.text(
            ((600 - width) / 2, 533), level_label, font=small, fill=(255, 255, 255)
        )
    return _png(image)


def preview(
    *, title: str, subtitle: str, lines: list[str], colour: str, emblem: str
) -> bytes:
    """A 1200×630 link preview (Open Graph, Twitter card)."""
    rgb = _rgb(colour)
    image = Image.new("RGB", (1200, 630), CREAM)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1200, 18), fill=rgb)
    draw.rectangle((0, 612, 1200, 630), fill=rgb)
    _medal(image, (930, 315), 210, rgb, emblem)
    font, wrapped = _fit(draw, title, 620, 3, sizes=(66, 58, 50, 44, 38))
    y = 90
    for line in wrapped:
        draw.text((70, y), line, font=font, fill=INK)
        y += font.size + 10
    small = _font(36, bold=True)
    for line in _wrap(draw, subtitle, small, 620)[:2]:
        draw.text((70, y + 20), line, font=small, fill=rgb)
        y += 46
    text = _font(32)
    y += 50
    for line in lines[:4]:
        draw.text((70, y), line[:48], font=text, fill=INK)
        y += 44
    draw.text(
        (70, 548),
        "Thi Đua Số · Bình dân học vụ số",
        font=_font(30, bold=True),
        fill=BRAND,
    )
    return _png(image)


def _png(image) -> bytes:
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def fingerprint(*parts) -> str:
    return hashlib.sha256(
        "\x1f".join([ART_VERSION, *map(str, parts)]).encode()
    ).hexdigest()[:32]


def cache_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "badges" / "cache"


def cached(tag: str, render) -> bytes:
    """The image named by `tag` (a fingerprint), rendered by `render()` if missing."""
    path = cache_dir() / f"{tag}.png"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = render()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)  # atomic: two workers rendering at once both win
    return data
