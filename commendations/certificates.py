"""A certificate per award, drawn with Pillow: A4 landscape (150 dpi), the national
motto, the signer's title, the award, the recipient, the citation, the decision's
number and date and a QR code to the award's public record. PNG, and PDF (Pillow
writes the same picture as a one-page PDF). Drawn once per award and kept under
MEDIA_ROOT like the badge images (a recorded award never changes; a revoked one
is not drawn at all).

Text uses the bundled DejaVu Sans (badges/fonts), which has every Vietnamese tone
mark; no serif font with a known licence is bundled.
"""

import io
import os
from pathlib import Path

import segno
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from badges.images import FONTS

from .documents import MOTTO, MOTTO_2, date_line

WIDTH, HEIGHT = 1754, 1240  # A4 landscape at 150 dpi
RED = (163, 22, 26)
GOLD = (191, 144, 0)
CREAM = (255, 251, 240)
INK = (30, 30, 30)
VERSION = "1"


def _font(size: int, bold: bool = False):
    return ImageFont.truetype(
        str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size
    )


def _centred(draw, y: int, text: str, font, fill=INK, width=WIDTH) -> int:
    length = draw.textlength(text, font=font)
    draw.text(((width - length) / 2, y), text, font=font, fill=fill)
    return y + int(font.size * 1.3)


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit(draw, text: str, width: int, sizes, bold=True):
    for size in sizes:
        font = _font(size, bold)
        if draw.textlength(text, font=font) <= width:
            return font
    return _font(sizes[-1], bold)


def headline(award) -> tuple[str, str]:
    """What the certificate says it does: give a diploma, a certificate, or a title."""
    kind = award.award_type.form
    if kind == "bang_khen":
        return "TẶNG BẰNG KHEN", ""
    if kind == "giay_khen":
        return "TẶNG GIẤY KHEN", ""
    return "CÔNG NHẬN DANH HIỆU", award.award_type.name.upper()


def draw(award, *, record_url: str) -> Image.Image:
    decision = award.decision
    image = Image.new("RGB", (WIDTH, HEIGHT), CREAM)
    pen = ImageDraw.Draw(image)
    pen.rectangle((30, 30, WIDTH - 30, HEIGHT - 30), outline=RED, width=14)
    pen.rectangle((62, 62, WIDTH - 62, HEIGHT - 62), outline=GOLD, width=4)
    y = 110
    y = _centred(pen, y, MOTTO, _font(34, True))
    y = _centred(pen, y, MOTTO_2, _font(32, True))
    pen.line((WIDTH / 2 - 190, y + 2, WIDTH / 2 + 190, y + 2), fill=INK, width=2)
    y += 40
    signer = decision.signer_title.upper()
    y = _centred(pen, y, signer, _fit(pen, signer, WIDTH - 300, (36, 32, 28, 24)))
    y += 40
    title, subtitle = headline(award)
    y = _centred(pen, y, title, _font(76, True), fill=RED)
    if subtitle:
        y = _centred(
            pen,
            y,
            subtitle,
            _fit(pen, subtitle, WIDTH - 300, (56, 48, 40, 34)),
            fill=RED,
        )
    y += 10
    name = award.recipient_name
    y = _centred(
        pen, y, name, _fit(pen, name, WIDTH - 300, (70, 60, 52, 44, 38)), fill=INK
    )
    if award.person_id:
        y = _centred(pen, y, award.recipient_unit.name, _font(34))
    y += 30
    citation = award.citation or ""
    body = _font(32)
    lines = _wrap(pen, f"Đã có thành tích: {citation}", body, WIDTH - 420)
    if len(lines) > 3:
        lines = lines[:3]
        lines[-1] = lines[-1][: max(0, len(lines[-1]) - 1)] + "…"
    for line in lines:
        y = _centred(pen, y, line, body)
    # QR code to the public record, bottom left, with the decision's reference.
    qr = segno.make(record_url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    code = Image.open(buffer).convert("RGB")
    image.paste(code, (120, HEIGHT - 120 - code.height))
    small = _font(24)
    reference = f"Quyết định số {decision.number} ngày {decision.signed_on:%d/%m/%Y}"
    pen.text((120 + code.width + 24, HEIGHT - 200), reference, font=small, fill=INK)
    pen.text(
        (120 + code.width + 24, HEIGHT - 166),
        "Quét mã để xem hồ sơ công khai",
        font=small,
        fill=INK,
    )
    # Place and date, signer (wrapped to the block), bottom right.
    right = WIDTH - 120 - 560
    title_font = _font(26, True)
    block = [(date_line(decision.issuing_unit, decision.signed_on), _font(26), INK)]
    block += [
        (line, title_font, INK) for line in _wrap(pen, signer, title_font, 560)[:3]
    ]
    block += [("", _font(26), INK), ("", _font(26), INK)]
    block.append((decision.signer_name, _font(30, True), INK))
    yy = HEIGHT - 130 - sum(int(font.size * 1.4) for _t, font, _c in block)
    for text, font, colour in block:
        if text:
            length = pen.textlength(text, font=font)
            pen.text((right + (560 - length) / 2, yy), text, font=font, fill=colour)
        yy += int(font.size * 1.4)
    return image


def cache_path(award, kind: str) -> Path:
    return (
        Path(settings.MEDIA_ROOT)
        / "commendations"
        / "certificates"
        / f"{award.uid}-v{VERSION}.{kind}"
    )


def render(award, *, kind: str, record_url: str) -> bytes:
    """The certificate as PNG or PDF, drawn once per award."""
    path = cache_path(award, kind)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    image = draw(award, record_url=record_url)
    output = io.BytesIO()
    if kind == "pdf":
        image.save(output, format="PDF", resolution=150)
    else:
        image.save(output, format="PNG", optimize=True)
    data = output.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return data
