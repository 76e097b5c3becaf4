"""Evidence files: photos opened and rebuilt with Pillow, PDFs checked by their bytes.

A photo is never stored as uploaded. It must be a real JPEG, PNG or WebP within a byte
limit and our own pixel cap (Pillow only warns up to ~179 megapixels, and a 12 KB PNG
can claim 100); it is decoded, turned upright from its EXIF orientation, pasted into a
brand-new image and saved as JPEG, so EXIF, GPS, XMP and JPEG comments are gone
(research/reliability.md §1.5 measured that a plain re-save keeps the comment).
"""

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Stored photos are at most this long on their longest side: enough to read a
# certificate or count people in a class, small for a village officer's data plan.
STORED_LONGEST_SIDE = 2560
MAX_FILES_PER_SUBMISSION = 10


class InvalidEvidence(Exception):
    """An uploaded file that cannot be accepted; the message says why, for the user."""


@dataclass(frozen=True)
class CleanFile:
    kind: str  # "photo" or "document"
    content: bytes
    width: int | None = None
    height: int | None = None
    phash: str = ""


def difference_hash(image: Image.Image) -> str:
    """A 64-bit perceptual hash (dHash): re-encoding or resizing barely changes it."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()  # one byte per pixel in mode L
    bits = 0
    for row in range(8):
        for column in range(8):
            left = pixels[row * 9 + column]
            right = pixels[row * 9 + column + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return f"{bits:016x}"


def hamming(first: str, second: str) -> int:
    return (int(first, 16) ^ int(second, 16)).bit_count()


def clean_photo(data: bytes, name: str = "") -> CleanFile:
    """Return a safe JPEG rebuilt from the upload, or raise InvalidEvidence."""
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidEvidence(
            _(
                "“%(name)s” is larger than %(limit)d MB. Take the photo at a lower resolution or send a smaller copy."
            )
            % {"name": name, "limit": MAX_PHOTO_BYTES // (1024 * 1024)}
        )
    if not data:
        raise InvalidEvidence(_("“%(name)s” is empty.") % {"name": name})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=PHOTO_FORMATS)
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise Image.DecompressionBombError(name)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except InvalidEvidence:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidEvidence(
            _("“%(name)s” has too many pixels (at most %(limit)d megapixels).")
            % {"name": name, "limit": MAX_PHOTO_PIXELS // 1_000_000}
        ) from None
    except UnidentifiedImageError:
        raise InvalidEvidence(
            _(
                "“%(name)s” is not a photo we can accept. Send a JPEG, PNG or WebP picture."
            )
            % {"name": name}
        ) from None
    except (OSError, ValueError, SyntaxError):
        # Truncated or corrupt image data.
        raise InvalidEvidence(
            _("“%(name)s” is damaged or incomplete. Take or copy the photo again.")
            % {"name": name}
        ) from None

    if upright.mode in ("RGBA", "LA", "P"):
        rgba = upright.convert("RGBA")
        fresh = Image.new("RGB", rgba.size, (255, 255, 255))
        fresh.paste(rgba, mask=rgba.getchannel("A"))
    else:
        fresh = Image.new("RGB", upright.size)
        fresh.paste(upright.convert("RGB"))
    fresh.thumbnail(
        (STORED_LONGEST_SIDE, STORED_LONGEST_SIDE), Image.Resampling.LANCZOS
    )
    output = io.BytesIO()
    fresh.save(output, format="JPEG", quality=85, optimize=True)
    return CleanFile(
        kind="photo",
        content=output.getvalue(),
        width=fresh.width,
        height=fresh.height,
        phash=difference_hash(fresh),
    )


def clean_document(data: bytes, name: str = "") -> CleanFile:
    """Accept a PDF by its bytes (not its name), within the size limit."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidEvidence(
            _("“%(name)s” is larger than %(limit)d MB.")
            % {"name": name, "limit": MAX_DOCUMENT_BYTES // (1024 * 1024)}
        )
    if not data.startswith(b"%PDF-"):
        raise InvalidEvidence(
            _("“%(name)s” is neither a photo (JPEG, PNG, WebP) nor a PDF document.")
            % {"name": name}
        )
    return CleanFile(kind="document", content=data)


def clean_upload(data: bytes, name: str) -> CleanFile:
    """Classify an upload by its content and clean it."""
    if data.startswith(b"%PDF-"):
        return clean_document(data, name)
    return clean_photo(data, name)
