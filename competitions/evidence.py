"""Evidence files: photos rebuilt with Pillow, PDFs rebuilt without active content.

A photo is never stored as uploaded. It must be a real JPEG, PNG or WebP within a byte
limit and our own pixel cap (Pillow only warns up to ~179 megapixels, and a 12 KB PNG
can claim 100); it is decoded, turned upright from its EXIF orientation, pasted into a
brand-new image and saved as JPEG, so EXIF, GPS, XMP and JPEG comments are gone
(research/reliability.md §1.5 measured that a plain re-save keeps the comment).
"""

import io
import re
import warnings
from dataclasses import dataclass

import pikepdf
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
MAX_UPLOAD_BYTES = max(MAX_PHOTO_BYTES, MAX_DOCUMENT_BYTES)
# The most one photo may take in memory once decoded: 16 megapixels of PNG, 8 of WebP;
# a JPEG within MAX_PHOTO_PIXELS is decoded at a reduced scale to fit.
MAX_DECODED_BYTES = 64 * 1024 * 1024


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


def check_size(size: int, name: str) -> None:
    """Refuse a file over the byte limit, judged before its content is read."""
    if size > MAX_UPLOAD_BYTES:
        raise InvalidEvidence(
            _(
                "“%(name)s” is larger than %(limit)d MB. Take the photo at a lower resolution or send a smaller copy."
            )
            % {"name": name, "limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )


def _decoded_bytes(image: Image.Image) -> int:
    # Pillow holds RGB, RGBA, CMYK and palette images (converted below) at four
    # bytes a pixel, greyscale at one; WebP is decoded into a buffer of its own
    # first and copied (a 12-megapixel WebP peaked at 169 MB counted as four).
    per_pixel = 1 if image.mode in ("1", "L") else 4
    if image.format == "WEBP":
        per_pixel *= 2
    return image.width * image.height * per_pixel


def clean_photo(data: bytes, name: str = "") -> CleanFile:
    """Return a safe JPEG rebuilt from the upload, or raise InvalidEvidence."""
    check_size(len(data), name)
    if not data:
        raise InvalidEvidence(_("“%(name)s” is empty.") % {"name": name})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=PHOTO_FORMATS)
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise Image.DecompressionBombError(name)
            # What is stored is at most STORED_LONGEST_SIDE long: a JPEG decodes at
            # the smallest power-of-two scale that still covers that, or smaller if
            # its decode would pass MAX_DECODED_BYTES (a 40-megapixel photo at a
            # quarter of its pixels). PNG and WebP cannot, so the budget caps them.
            if image.format == "JPEG":
                scale = 1
                while scale < 8 and (
                    max(image.size) // (scale * 2) >= STORED_LONGEST_SIDE
                    or _decoded_bytes(image) // scale**2 > MAX_DECODED_BYTES
                ):
                    scale *= 2
                if scale > 1:
                    image.draft(None, (image.width // scale, image.height // scale))
            if _decoded_bytes(image) > MAX_DECODED_BYTES:
                raise InvalidEvidence(
                    _(
                        "“%(name)s” has too many pixels for a PNG or WebP picture (at most %(limit)d megapixels). Send it as a JPEG photo or make it smaller."
                    )
                    % {
                        "name": name,
                        "limit": MAX_DECODED_BYTES
                        * image.width
                        * image.height
                        // _decoded_bytes(image)
                        // 1_000_000,
                    }
                )
            image.load()
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

    # Shrink first, then turn upright and rebuild: every copy after the decode is
    # of the small image, so one photo never holds more than its decode and a
    # thumbnail (tests/test_upload_memory.py).
    transparent = image.mode in ("RGBA", "LA", "P")
    if transparent:
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail(
        (STORED_LONGEST_SIDE, STORED_LONGEST_SIDE), Image.Resampling.LANCZOS
    )
    ImageOps.exif_transpose(image, in_place=True)
    fresh = Image.new("RGB", image.size, (255, 255, 255))
    if transparent:
        fresh.paste(image, mask=image.getchannel("A"))
    else:
        fresh.paste(image)  # greyscale is converted by paste itself
    del image
    output = io.BytesIO()
    fresh.save(output, format="JPEG", quality=85, optimize=True)
    return CleanFile(
        kind="photo",
        content=output.getvalue(),
        width=fresh.width,
        height=fresh.height,
        phash=difference_hash(fresh),
    )


# Actions a PDF may keep: a jump inside the document, and a web or mail link (it
# runs only when clicked, and viewers ask first). Every other action type (among
# them JavaScript, Launch, SubmitForm, ImportData, GoToR, GoToE) is removed.
KEPT_ACTIONS = {"/GoTo", "/URI"}
ACTION_TYPES = {
    "/GoTo", "/GoToR", "/GoToE", "/GoToDp", "/Launch", "/Thread", "/URI", "/Sound",
    "/Movie", "/Hide", "/Named", "/SubmitForm", "/ResetForm", "/ImportData",
    "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView", "/JavaScript",
    "/RichMediaExecute",
}  # fmt: skip
# Keys that only ever hold active content: actions run on opening or on events,
# scripts, embedded files (and the file streams of file specifications), XFA forms.
ACTIVE_KEYS = {"/OpenAction", "/AA", "/JavaScript", "/JS", "/EmbeddedFiles", "/EF"}
ACTIVE_KEYS |= {"/XFA"}
# Annotations that carry a file or media rather than marks on the page.
DROPPED_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"}
SAFE_LINK = re.compile(r"^(https?|mailto):", re.IGNORECASE)


def _is_action(value) -> bool:
    return (
        isinstance(value, pikepdf.Dictionary)
        and str(value.get("/S", "")) in ACTION_TYPES
    )


def _removable(key: str, value) -> bool:
    if key in ACTIVE_KEYS:
        return True
    if not _is_action(value):
        return False
    kind = str(value.S)
    if kind not in KEPT_ACTIONS:
        return True
    return kind == "/URI" and not SAFE_LINK.match(str(value.get("/URI", "")))


def strip_active_content(pdf: pikepdf.Pdf) -> int:
    """Remove scripts, actions other than links, and embedded files; return how many."""
    removed = 0
    for page in pdf.pages:
        if "/Annots" in page:
            kept = [
                annotation
                for annotation in page.Annots
                if str(annotation.get("/Subtype", "")) not in DROPPED_ANNOTATIONS
            ]
            removed += len(page.Annots) - len(kept)
            page.Annots = pikepdf.Array(kept)
    # Every dictionary reachable from the catalogue, without recursion (a crafted
    # file can nest deeper than Python's stack) and each shared object once.
    seen = set()
    pending = [pdf.Root]
    while pending:
        current = pending.pop()
        if current.is_indirect:
            if current.objgen in seen:
                continue
            seen.add(current.objgen)
        if isinstance(current, pikepdf.Array):
            pending.extend(
                item
                for item in current
                if isinstance(item, pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream)
            )
            continue
        chained = _is_action(current)
        for key in list(current.keys()):
            value = current[key]
            if _removable(key, value) or (chained and key == "/Next"):
                del current[key]
                removed += 1
            elif isinstance(value, pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream):
                pending.append(value)
    return removed


def clean_document(data: bytes, name: str = "") -> CleanFile:
    """Rebuild a PDF without its active content, or raise InvalidEvidence.

    Checked by its bytes (not its name); opened with qpdf through pikepdf, which
    repairs what it can. Scripts, open and event actions, launches and embedded
    files are removed; links to web pages stay. Streams are copied as they are,
    never decompressed, so a compression bomb costs nothing.
    """
    check_size(len(data), name)
    if not data.startswith(b"%PDF-"):
        raise InvalidEvidence(
            _("“%(name)s” is neither a photo (JPEG, PNG, WebP) nor a PDF document.")
            % {"name": name}
        )
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            strip_active_content(pdf)
            output = io.BytesIO()
            pdf.save(
                output,
                encryption=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                # Dictionaries outside compressed object streams: what was removed
                # can be checked in the stored bytes.
                object_stream_mode=pikepdf.ObjectStreamMode.disable,
            )
    except pikepdf.PasswordError:
        raise InvalidEvidence(
            _(
                "“%(name)s” is protected by a password. Save or print it as a PDF without a password and send it again."
            )
            % {"name": name}
        ) from None
    except (pikepdf.PdfError, ValueError, RuntimeError, OSError):
        raise InvalidEvidence(
            _(
                "“%(name)s” is damaged or not a PDF we can read. Export it as a PDF again and send it again."
            )
            % {"name": name}
        ) from None
    content = output.getvalue()
    check_size(len(content), name)
    return CleanFile(kind="document", content=content)


def clean_upload(data: bytes, name: str) -> CleanFile:
    """Classify an upload by its content and clean it."""
    if data.startswith(b"%PDF-"):
        return clean_document(data, name)
    return clean_photo(data, name)
