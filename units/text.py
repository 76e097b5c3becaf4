"""Matching people by name: Vietnamese text folded the way officers type it."""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: "Nguyễn  Văn Đức" -> "nguyen van duc".

    Windows-1258 files carry tone marks as combining characters and UTF-8 files
    usually precomposed ones; decomposing first makes both fold alike.
    """
    decomposed = unicodedata.normalize("NFD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", bare).strip().lower()


def phone_digits(raw: str) -> str:
    """A Vietnamese mobile number as 10 digits starting with 0 ("" if it is not one)."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if len(digits) == 10 and digits.startswith("0") else ""


def phone_digest(raw: str) -> str:
    """A keyed hash of a phone number: people can be matched by phone without the
    platform keeping anyone's number (a leaked table gives no numbers away)."""
    digits = phone_digits(raw)
    if not digits:
        return ""
    key = settings.PERSON_MATCH_KEY.encode()
    return hmac.new(key, b"phone:" + digits.encode(), hashlib.sha256).hexdigest()
