"""What a person typed into a search box, made safe to search with.

Whatever arrives (only spaces, an emoji, 10,000 characters, tone marks typed as
combining characters by an old keyboard), the search runs on a short, normalised
text and the page can say in words what was done with it.
"""

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_QUERY = 100


@dataclass(frozen=True)
class Search:
    text: str  # what to search for ("" for nothing)
    note: str = ""  # what the page tells the person about their query


def read_search(raw: str | None) -> Search:
    """The text to search for, and a note when the query had to be changed."""
    if raw is None:
        return Search("")
    # NFC: names are stored composed; a keyboard that types "e" + combining marks
    # must still find "Kê Sặt". Control characters and runs of spaces go.
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch == " ")
    text = " ".join(text.split())
    if not text:
        note = _("Type part of a name to search.") if raw else ""
        return Search("", note)
    if len(text) > MAX_QUERY:
        return Search(
            text[:MAX_QUERY].rstrip(),
            _("Only the first %(count)d characters were searched.")
            % {"count": MAX_QUERY},
        )
    return Search(text)
