"""How a sealed block of the ledger is written down and hashed. Standard library only.

This module is all an auditor needs, besides Python 3, to check an exported ledger
file offline (scripts/verify_ledger_file.py imports nothing else of the project).
Format 1, never changed once blocks are sealed with it (a new format gets a new
number; blocks keep the format they were sealed with):

- an entry is the JSON array of ENTRY_FIELDS in that order, compact, UTF-8, with
  datetimes in UTC as 2026-10-10T08:30:00.000000Z;
- a block's entries digest is SHA-256 of its entries, ascending by id, each line
  followed by a newline;
- a block's digest is SHA-256 of the JSON array [format, number, previous digest,
  entry count, first id, last id, id runs, entries digest, sealed at].
"""

import hashlib
import json
from datetime import UTC, datetime

FORMAT = 1
GENESIS = "0" * 64
ENTRY_FIELDS = (
    "id",
    "competition_id",
    "person_id",
    "unit_id",
    "points",
    "activity_type_id",
    "rule_id",
    "quantity",
    "submission_id",
    "source",
    "explanation",
    "capped",
    "reverses_id",
    "idempotency_key",
    "occurred_at",
    "created_at",
    "created_by_id",
)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_values(row: dict) -> list:
    """An entry's values in ENTRY_FIELDS order, datetimes written in UTC."""
    return [
        utc(row[name]) if isinstance(row[name], datetime) else row[name]
        for name in ENTRY_FIELDS
    ]


def entry_line(values: list) -> str:
    return _dumps(values)


def entries_digest(lines) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def runs(ids) -> list[list[int]]:
    """Ascending ids as [[first, last], ...] runs of consecutive numbers."""
    found: list[list[int]] = []
    for pk in sorted(ids):
        if found and found[-1][1] == pk - 1:
            found[-1][1] = pk
        else:
            found.append([pk, pk])
    return found


def block_digest(
    *,
    format: int,
    number: int,
    previous_digest: str,
    entry_count: int,
    first_entry_id: int,
    last_entry_id: int,
    entry_runs: list,
    entries_digest: str,
    sealed_at: str,
) -> str:
    header = [
        format,
        number,
        previous_digest,
        entry_count,
        first_entry_id,
        last_entry_id,
        entry_runs,
        entries_digest,
        sealed_at,
    ]
    return hashlib.sha256(_dumps(header).encode("utf-8")).hexdigest()
