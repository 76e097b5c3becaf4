"""Sealing the ledger into hash-chained blocks, and checking the seals.

PostgreSQL's triggers stop the application from changing a ledger row, not a
database superuser (who can disable them). So committed entries are sealed: every
minute the scheduled job `ledger.seal` takes the entries queued since (UnsealedEntry,
written in each entry's own transaction, so the award path only adds one row and
never waits) and writes a LedgerBlock whose digest covers them and the previous
block's digest (the format is in ledger_format.py). The digests are published at
/ledger/ and /ledger/blocks.json, and `manage.py export_ledger` writes the sealed
ledger with its digests to a file anyone can check offline.

`verify()` (`manage.py verify_ledger`) recomputes everything from the rows in the
database and reports each changed, deleted or inserted entry, each block whose
header was rewritten and each broken link; given a copy of the digests published
earlier, it also catches a chain rewritten from some block on. What it cannot
catch: an entry inserted behind the application's back together with its queue row
before the next seal, a minute at most; it is then sealed like any other.
"""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import ledger_format as fmt
from .models import LedgerBlock, PointEntry, UnsealedEntry

logger = logging.getLogger(__name__)

BLOCK_SIZE = 10_000


def _entries(ids_or_runs, *, runs: bool = False) -> Iterator[dict]:
    """The ledger rows of these ids (or id runs), ascending by id, as dicts."""
    queryset = PointEntry.objects.order_by("pk")
    if runs:
        condition = Q()
        for first, last in ids_or_runs:
            condition |= Q(pk__range=(first, last))
        queryset = queryset.filter(condition)
    else:
        queryset = queryset.filter(pk__in=list(ids_or_runs))
    yield from queryset.values(*fmt.ENTRY_FIELDS).iterator(chunk_size=5000)


@dataclass
class Sealed:
    blocks: list[LedgerBlock] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return sum(block.entry_count for block in self.blocks)


def seal(*, at=None, max_blocks: int = 100) -> Sealed:
    """Seal the entries committed since the last block, in blocks of BLOCK_SIZE."""
    result = Sealed()
    for _ in range(max_blocks):
        block = _seal_one(at=at or timezone.now())
        if block is None:
            break
        result.blocks.append(block)
        if block.entry_count < BLOCK_SIZE:
            break
    return result


def _seal_one(*, at) -> LedgerBlock | None:
    try:
        with transaction.atomic():
            # The last block, locked: two sealers (a worker's job, a command) take
            # turns, and the unique number catches the first block's race.
            last = LedgerBlock.objects.select_for_update().order_by("-number").first()
            ids = list(
                UnsealedEntry.objects.order_by("entry_id").values_list(
                    "entry_id", flat=True
                )[:BLOCK_SIZE]
            )
            if not ids:
                return None
            lines = [fmt.entry_line(fmt.entry_values(row)) for row in _entries(ids)]
            found = [json.loads(line)[0] for line in lines]
            if len(found) != len(ids):
                # A queued id with no entry: the entry's transaction queued it, so
                # only someone deleting ledger rows by hand leaves one behind.
                logger.error(
                    "ledger entries queued for sealing are missing: %s",
                    sorted(set(ids) - set(found))[:20],
                )
            UnsealedEntry.objects.filter(entry_id__in=ids).delete()
            if not found:
                return None
            header = {
                "format": fmt.FORMAT,
                "number": (last.number + 1) if last else 1,
                "previous_digest": last.digest if last else fmt.GENESIS,
                "entry_count": len(found),
                "first_entry_id": found[0],
                "last_entry_id": found[-1],
                "entry_runs": fmt.runs(found),
                "entries_digest": fmt.entries_digest(lines),
            }
            digest = fmt.block_digest(**header, sealed_at=fmt.utc(at))
            return LedgerBlock.objects.create(**header, sealed_at=at, digest=digest)
    except IntegrityError:
        logger.info("another sealer wrote this block; sealing again next round")
        return None


def seal_job() -> None:
    """The scheduled job: seal what was committed since the last run."""
    sealed = seal()
    if sealed.blocks:
        logger.info(
            "ledger sealed: %d entries in blocks %d-%d, head %s",
            sealed.entries,
            sealed.blocks[0].number,
            sealed.blocks[-1].number,
            sealed.blocks[-1].digest,
        )


_last_verification: dict[str, float] = {}


def verify_job() -> None:
    """The scheduled job: check every seal; a problem is logged as an error."""
    result = verify()
    _last_verification.update(
        at=timezone.now().timestamp(), problems=len(result.problems)
    )
    if result.ok:
        logger.info("ledger matches its seals: %d blocks", result.blocks)
    for problem in result.problems:
        logger.error("ledger seal broken: %s", problem)


def collect_metrics():
    from prometheus_client.core import GaugeMetricFamily

    waiting = GaugeMetricFamily(
        "thidua_ledger_unsealed", "Ledger entries waiting for the next seal."
    )
    waiting.add_metric([], UnsealedEntry.objects.count())
    yield waiting
    head = LedgerBlock.objects.order_by("-number").values("number", "sealed_at").first()
    blocks = GaugeMetricFamily("thidua_ledger_blocks", "Sealed blocks of the ledger.")
    blocks.add_metric([], head["number"] if head else 0)
    yield blocks
    if head:
        sealed = GaugeMetricFamily(
            "thidua_ledger_last_sealed_timestamp", "When the last block was sealed."
        )
        sealed.add_metric([], head["sealed_at"].timestamp())
        yield sealed
    if _last_verification:
        problems = GaugeMetricFamily(
            "thidua_ledger_verify_problems",
            "Problems the last check of the seals in this process found.",
        )
        problems.add_metric([], _last_verification["problems"])
        yield problems


# Checking --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    kind: str  # changed_entries, missing_entries, unsealed_entries, block, chain, published
    block: int | None
    detail: str

    def __str__(self) -> str:
        where = f"block {self.block}: " if self.block is not None else ""
        return f"{self.kind}: {where}{self.detail}"


@dataclass
class Verification:
    blocks: int = 0
    entries: int = 0
    head: str = fmt.GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _header(block: LedgerBlock) -> dict:
    return {
        "format": block.format,
        "number": block.number,
        "previous_digest": block.previous_digest,
        "entry_count": block.entry_count,
        "first_entry_id": block.first_entry_id,
        "last_entry_id": block.last_entry_id,
        "entry_runs": block.entry_runs,
        "entries_digest": block.entries_digest,
        "sealed_at": fmt.utc(block.sealed_at),
    }


def _run_ids(entry_runs) -> list[int]:
    return [pk for first, last in entry_runs for pk in range(first, last + 1)]


def verify(
    *,
    published: dict[int, str] | None = None,
    reference_lines: dict[int, str] | None = None,
) -> Verification:
    """Recompute every seal from the database; report every difference found.

    `published`: block number -> digest, as copied from /ledger/blocks.json (or an
    export) earlier; a block whose digest differs was rewritten since.
    `reference_lines`: entry id -> its line in an earlier export, to name the
    entries that changed.
    """
    result = Verification()
    previous = fmt.GENESIS
    sealed_ids: set[int] = set()
    for number, block in enumerate(LedgerBlock.objects.order_by("number"), start=1):
        result.blocks += 1
        if block.number != number:
            result.problems.append(
                Problem("chain", block.number, f"block {number} is missing")
            )
        if block.previous_digest != previous:
            result.problems.append(
                Problem("chain", block.number, "does not follow the block before it")
            )
        if fmt.block_digest(**_header(block)) != block.digest:
            result.problems.append(
                Problem("block", block.number, "its header was changed after sealing")
            )
        if published and published.get(block.number, block.digest) != block.digest:
            result.problems.append(
                Problem(
                    "published",
                    block.number,
                    f"digest {block.digest} differs from the published "
                    f"{published[block.number]}",
                )
            )
        previous = block.digest
        ids = _run_ids(block.entry_runs)
        sealed_ids.update(ids)
        rows = list(_entries(block.entry_runs, runs=True))
        result.entries += len(rows)
        lines = [fmt.entry_line(fmt.entry_values(row)) for row in rows]
        found = [row["id"] for row in rows]
        if found != ids:
            missing = sorted(set(ids) - set(found))
            added = sorted(set(found) - set(ids))
            if missing:
                result.problems.append(
                    Problem("missing_entries", block.number, f"deleted: {missing[:20]}")
                )
            if added:
                result.problems.append(
                    Problem("unsealed_entries", block.number, f"inserted: {added[:20]}")
                )
        elif fmt.entries_digest(lines) != block.entries_digest:
            # The block keeps one digest; a copy of the entries (an export) tells
            # which ones changed.
            changed = (
                [
                    pk
                    for pk, line in zip(found, lines, strict=True)
                    if pk in reference_lines and reference_lines[pk] != line
                ]
                if reference_lines
                else []
            )
            result.problems.append(
                Problem(
                    "changed_entries",
                    block.number,
                    f"changed: {changed[:20]}"
                    if changed
                    else f"an entry of ids {block.first_entry_id}-"
                    f"{block.last_entry_id} differs from the seal",
                )
            )
    result.head = previous
    if published:
        beyond = sorted(number for number in published if number > result.blocks)
        if beyond:
            result.problems.append(
                Problem("published", None, f"published blocks gone: {beyond[:20]}")
            )
    # Every entry is sealed or queued for sealing; any other was written behind
    # the application's back (the application queues each in its transaction).
    queued = set(UnsealedEntry.objects.values_list("entry_id", flat=True))
    stray = [
        pk
        for pk in PointEntry.objects.order_by("pk").values_list("pk", flat=True)
        if pk not in sealed_ids and pk not in queued
    ]
    if stray:
        result.problems.append(
            Problem(
                "unsealed_entries", None, f"in no block and not queued: {stray[:20]}"
            )
        )
    return result


# Export ----------------------------------------------------------------------------


def export_lines() -> Iterator[str]:
    """The sealed ledger as JSON lines: a header, each block, then its entries."""
    blocks = LedgerBlock.objects.order_by("number")
    yield json.dumps(
        {
            "type": "ledger",
            "format": fmt.FORMAT,
            "fields": list(fmt.ENTRY_FIELDS),
            "exported_at": fmt.utc(timezone.now()),
        },
        ensure_ascii=False,
    )
    head = fmt.GENESIS
    count = 0
    for block in blocks:
        yield json.dumps({"type": "block", **_header(block), "digest": block.digest})
        for row in _entries(block.entry_runs, runs=True):
            yield json.dumps(
                {"type": "entry", "values": fmt.entry_values(row)}, ensure_ascii=False
            )
        head = block.digest
        count += 1
    yield json.dumps({"type": "end", "blocks": count, "head": head})


def read_reference(lines) -> tuple[dict[int, str], dict[int, str]]:
    """Digests and entry lines of an export, or digests of /ledger/blocks.json."""
    text = "".join(lines)
    if text.lstrip().startswith("["):
        return {item["number"]: item["digest"] for item in json.loads(text)}, {}
    digests, entries = {}, {}
    for line in text.splitlines():
        record = json.loads(line)
        if record["type"] == "block":
            digests[record["number"]] = record["digest"]
        elif record["type"] == "entry":
            entries[record["values"][0]] = fmt.entry_line(record["values"])
    return digests, entries


def published_digests() -> list[dict]:
    """What /ledger/blocks.json publishes: every block's number, time, size, digest."""
    return [
        {
            "number": number,
            "sealed_at": fmt.utc(sealed_at),
            "entries": count,
            "first_entry_id": first,
            "last_entry_id": last,
            "previous_digest": previous,
            "digest": digest,
        }
        for number, sealed_at, count, first, last, previous, digest in (
            LedgerBlock.objects.order_by("number").values_list(
                "number",
                "sealed_at",
                "entry_count",
                "first_entry_id",
                "last_entry_id",
                "previous_digest",
                "digest",
            )
        )
    ]
