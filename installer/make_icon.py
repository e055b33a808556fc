"""Draw KawaOffice's icon (a water drop over a river wave) and write ``kawaoffice.ico`` and ``kawaoffice.png``.

The files are committed; run this only to change the icon:

    .venv/bin/python installer/make_icon.py

Drawn with Pillow (a reportlab dependency, so always installed) at 4x and scaled down for smooth edges.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ICO = HERE / "kawaoffice.ico"
PNG = HERE / "kawaoffice.png"
SIZES = (16, 24, 32, 48, 64, 128, 256)

BLUE = (21, 101, 192, 255)
LIGHT = (100, 181, 246, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int = 256) -> Image.Image:
    scale = 4
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # rounded square background
    d.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 6, fill=BLUE)
    # the drop: a circle with a triangle on top
    cx, cy, r = s // 2, int(s * 0.56), int(s * 0.25)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
    d.polygon([(cx, int(s * 0.12)), (cx - int(r * 0.93), cy - int(r * 0.35)), (cx + int(r * 0.93), cy - int(r * 0.35))],
              fill=WHITE)  # fmt: skip
    # a wave through the lower part of the drop
    band = int(s * 0.07)
    for i, y0 in enumerate((int(s * 0.58), int(s * 0.70))):
        points = []
        for x in range(0, s + 1, scale * 2):
            t = x / s
            y = y0 + int(band * 0.6 * math.sin(t * 6.283 * 1.5 + i))
            points.append((x, y))
        d.line(points, fill=LIGHT if i == 0 else BLUE, width=band // 2)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    big = draw(256)
    big.save(PNG)
    big.save(ICO, sizes=[(n, n) for n in SIZES])
    print(f"wrote {ICO} and {PNG}")


if __name__ == "__main__":
    main()
