"""The photo pipeline: only real images, within limits, rebuilt without metadata."""

import io
import struct
import zlib

import pikepdf
import pytest
from PIL import Image

from competitions.evidence import (
    MAX_PHOTO_BYTES,
    InvalidEvidence,
    clean_upload,
    difference_hash,
    hamming,
)
from tests.competitions.conftest import photo_bytes


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size (the classic pixel flood)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    raw = zlib.compress(row * height, 9)

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


def phone_photo() -> bytes:
    """A JPEG as a phone makes it: sideways pixels, orientation 6, GPS, XMP, a comment."""
    image = Image.new("RGB", (640, 480), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Phone"
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 42.0), 3: "E", 4: (105.0, 51.0, 12.0)}
    output = io.BytesIO()
    image.save(
        output,
        "JPEG",
        exif=exif.tobytes(),
        comment=b"home address 12 Ho Lien",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><GPSLatitude>21</GPSLatitude></x:xmpmeta>',
    )
    return output.getvalue()


class TestCleanPhoto:
    def test_strips_exif_gps_xmp_and_comments(self):
        stored = clean_upload(phone_photo(), "anh.jpg").content

        image = Image.open(io.BytesIO(stored))
        assert not image.getexif()
        assert (
            "exif" not in image.info
            and "xmp" not in image.info
            and "comment" not in image.info
        )
        assert (
            b"GPS" not in stored
            and b"home address" not in stored
            and b"xmpmeta" not in stored
        )

    def test_applies_the_orientation_so_portraits_stay_portraits(self):
        cleaned = clean_upload(phone_photo(), "anh.jpg")

        assert (cleaned.width, cleaned.height) == (480, 640)

    @pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
    def test_accepts_png_and_webp_and_stores_jpeg(self, fmt):
        cleaned = clean_upload(photo_bytes(fmt=fmt), f"anh.{fmt.lower()}")

        assert Image.open(io.BytesIO(cleaned.content)).format == "JPEG"

    def test_a_transparent_png_gets_a_white_background(self):
        image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
        output = io.BytesIO()
        image.save(output, "PNG")

        cleaned = clean_upload(output.getvalue(), "trong-suot.png")

        assert Image.open(io.BytesIO(cleaned.content)).getpixel((25, 25))[0] > 240

    def test_large_photos_are_scaled_down_for_storage(self):
        cleaned = clean_upload(photo_bytes(size=(4000, 3000)), "lon.jpg")

        assert max(cleaned.width, cleaned.height) == 2560


class TestRefusedUploads:
    @pytest.mark.parametrize(
        "data,message",
        [
            (png_claiming(10_000, 10_000), "quá nhiều điểm ảnh"),  # 100 MP in a few KB
            (png_claiming(20_000, 20_000), "quá nhiều điểm ảnh"),  # 400 MP
            (
                png_claiming(8_000, 6_000),
                "quá nhiều điểm ảnh",
            ),  # 48 MP: above our cap only
            (b"<html><script>alert(1)</script></html>", "không phải ảnh"),
            (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "không phải ảnh"),
            (b"GIF89a" + b"\x00" * 100, "không phải ảnh"),
            (photo_bytes(fmt="GIF"), "không phải ảnh"),
            (photo_bytes(fmt="BMP"), "không phải ảnh"),
            (photo_bytes()[:600], "bị hỏng"),
            (b"", "trống"),
        ],
        ids=[
            "png-100mp",
            "png-400mp",
            "png-48mp",
            "html",
            "svg",
            "gif-header",
            "gif",
            "bmp",
            "truncated",
            "empty",
        ],
    )
    def test_refuses_with_a_vietnamese_reason(self, data, message):
        with pytest.raises(InvalidEvidence) as error:
            clean_upload(data, "tep")

        assert message in str(error.value)

    def test_refuses_files_over_the_byte_limit(self):
        with pytest.raises(InvalidEvidence, match="lớn hơn"):
            clean_upload(b"\xff\xd8" + b"\x00" * MAX_PHOTO_BYTES, "lon.jpg")

    def test_accepts_a_pdf_by_its_bytes_not_its_name(self):
        document = io.BytesIO()
        with pikepdf.new() as pdf:
            pdf.add_blank_page()
            pdf.save(document)

        cleaned = clean_upload(document.getvalue(), "bien-ban.dat")

        assert cleaned.kind == "document"


class TestPerceptualHash:
    def test_survives_re_encoding_and_resizing(self):
        original = Image.open(io.BytesIO(photo_bytes(pattern=5)))
        smaller = original.resize((320, 240))

        assert hamming(difference_hash(original), difference_hash(smaller)) <= 4

    def test_tells_different_pictures_apart(self):
        from tests.competitions.conftest import noisy_photo

        first = difference_hash(Image.open(io.BytesIO(noisy_photo(1))))
        second = difference_hash(Image.open(io.BytesIO(noisy_photo(2))))

        assert hamming(first, second) > 10
