"""Fill msgstr in locale/vi from a Python dict file, then compile.

    python scripts/fill_translations.py /path/to/dict.py

The dict file defines VI = {msgid: msgstr} and optionally PLURAL = {msgid: [forms]}.
Existing translations are kept unless the dict gives a new one.
"""

import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/vi/LC_MESSAGES/django.po"

values = runpy.run_path(sys.argv[1])
singular, plural = values.get("VI", {}), values.get("PLURAL", {})
catalogue = polib.pofile(str(PO))
catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
catalogue.metadata["Language"] = "vi"
for entry in catalogue:
    if entry.msgid_plural and entry.msgid in plural:
        entry.msgstr_plural = dict(enumerate(plural[entry.msgid]))
    elif entry.msgid in singular:
        entry.msgstr = singular[entry.msgid]
    else:
        continue
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
catalogue.save()
catalogue.save_as_mofile(str(PO.with_suffix(".mo")))
missing = [e.msgid for e in catalogue if not e.translated()]
print(f"{len(catalogue)} entries, {len(missing)} untranslated")
for msgid in missing:
    print("  untranslated:", msgid[:80])
