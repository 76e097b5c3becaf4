"""The Vietnamese catalogue is complete and its compiled copy is current."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("locale*/vi/LC_MESSAGES/django.po"))


def test_there_are_catalogues():
    assert len(CATALOGUES) == 2


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-4])
def test_every_message_is_translated(po_path):
    catalogue = polib.pofile(str(po_path))

    missing = [entry.msgid for entry in catalogue if not entry.translated()]

    assert missing == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-4])
def test_the_compiled_catalogue_matches_the_source(po_path):
    source = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0)
        for e in polib.pofile(str(po_path))
        if e.translated()
    }
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0)
        for e in polib.mofile(str(po_path.with_suffix(".mo")))
    }

    assert {key: value for key, value in compiled.items() if key[1]} == source
