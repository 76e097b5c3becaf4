"""Draw the site's icons (favicon, home-screen icons) with Pillow.

Run once after changing the mark: `.venv/bin/python scripts/make_icons.py`. The PNGs
are committed (a few KB each), so neither `make run` nor a deployment draws them.
The mark is the one in templates/brand_mark.svg: a red star on a gold medal.
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "static" / "icons"
RED, GOLD, WHITE = (163, 22, 26), (242, 183, 5), (255, 255, 255)


def star(cx, cy, outer, inner):
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    scale = 4  # drawn large, then reduced: smooth edges without antialiasing support
    big = size * scale
    image = Image.new("RGBA", (big, big), RED + (255,) if maskable else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    centre = big / 2
    # A maskable icon keeps its mark inside the central 80% "safe zone".
    ring = big * (0.36 if maskable else 0.5)
    if not maskable:
        pen.ellipse((0, 0, big - 1, big - 1), fill=RED)
        ring = big * 0.42
    pen.ellipse(
        (centre - ring, centre - ring, centre + ring, centre + ring), fill=WHITE
    )
    medal = ring * 0.84
    pen.ellipse(
        (centre - medal, centre - medal, centre + medal, centre + medal), fill=GOLD
    )
    pen.polygon(star(centre, centre * 1.03, medal * 0.8, medal * 0.33), fill=RED)
    # 64 colours are plenty for four flat colours and their edges, at a third of
    # the bytes.
    return image.resize((size, size), Image.LANCZOS).quantize(64)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (32, 180, 192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
