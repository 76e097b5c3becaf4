"""The photo pipeline: only real images, within limits, rebuilt without metadata."""

import io
import struct
import zlib

import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from competitions import services
from competitions.evidence import (
    MAX_FILES_PER_SUBMISSION,
    MAX_PHOTO_BYTES,
    MAX_UPLOAD_BYTES,
    STORED_LONGEST_SIDE,
    InvalidEvidence,
    clean_upload,
    difference_hash,
    hamming,
)
from tests.competitions.conftest import make_submission, photo_bytes


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


class TestDecodedSize:
    """A photo is decoded within MAX_DECODED_BYTES: JPEG at a reduced scale, others capped."""

    def test_a_jpeg_too_big_to_decode_whole_is_decoded_at_half_scale(self):
        # 17.3 MP, under 5,120 pixels long: covering 2,560 needs the full scale,
        # whose 69 MB decode is over the budget; half scale is stored instead.
        cleaned = clean_upload(photo_bytes(size=(4800, 3600)), "anh.jpg")

        assert (cleaned.width, cleaned.height) == (2400, 1800)

    def test_a_forty_megapixel_jpeg_is_accepted(self):
        cleaned = clean_upload(photo_bytes(size=(7200, 5500)), "anh.jpg")

        assert cleaned.width == STORED_LONGEST_SIDE

    @pytest.mark.parametrize(
        "fmt, size, limit",
        [("PNG", (4800, 3600), 16), ("WEBP", (3500, 2500), 8)],
    )
    def test_png_and_webp_over_their_decoded_size_are_refused(self, fmt, size, limit):
        with pytest.raises(InvalidEvidence) as error:
            clean_upload(photo_bytes(size=size, fmt=fmt), "anh")

        assert f"tối đa {limit} megapixel" in str(error.value)
        assert "JPEG" in str(error.value)


class TestAddEvidence:
    """Files are judged by their metadata first and read one at a time."""

    class Upload(ContentFile):
        def __init__(self, data, name, log, size=None):
            super().__init__(data, name=name)
            self.log = log
            if size is not None:
                self.size = size

        def read(self, *args):
            self.log.append(f"read {self.name}")
            return super().read(*args)

    def test_files_over_the_count_or_size_are_never_read(
        self, tree, officer, competition, community_class
    ):
        # A draft that already holds one photo.
        submission = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
            submit=False,
        )
        log = []
        uploads = [
            self.Upload(photo_bytes(pattern=n), f"anh-{n}.jpg", log)
            for n in range(MAX_FILES_PER_SUBMISSION - 1)
        ]
        uploads.insert(3, self.Upload(b"x", "lon.jpg", log, size=MAX_UPLOAD_BYTES + 1))
        uploads.append(self.Upload(photo_bytes(), "thua.jpg", log))

        stored, errors = services.add_evidence(
            submission=submission, uploads=uploads, by=officer, at=timezone.now()
        )

        assert len(stored) == MAX_FILES_PER_SUBMISSION - 1
        assert "read lon.jpg" not in log and "read thua.jpg" not in log
        assert len(errors) == 2
        assert "lớn hơn 10 MB" in errors[0]
        assert "tối đa 10 tệp" in errors[1]

    def test_each_file_is_cleaned_before_the_next_is_read(
        self, tree, officer, competition, community_class, monkeypatch
    ):
        # A draft that already holds one photo.
        submission = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
            submit=False,
        )
        log = []
        real_clean = services.clean_upload

        def logged_clean(data, name):
            log.append(f"clean {name}")
            return real_clean(data, name)

        monkeypatch.setattr(services, "clean_upload", logged_clean)
        uploads = [self.Upload(photo_bytes(pattern=n), f"{n}.jpg", log) for n in (1, 2)]

        services.add_evidence(
            submission=submission, uploads=uploads, by=officer, at=timezone.now()
        )

        assert log == ["read 1.jpg", "clean 1.jpg", "read 2.jpg", "clean 2.jpg"]


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
