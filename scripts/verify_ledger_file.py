"""Check an exported ledger file offline: python3 scripts/verify_ledger_file.py FILE

Needs Python 3 and competitions/ledger_format.py beside this script's repository,
nothing else (no Django, no database, no network). Recomputes every entry line,
every block's entries digest and digest and the chain, and prints each block's
digest so it can be compared with the ones the platform published at /ledger/
(or pass --published blocks.json, a saved copy of /ledger/blocks.json).
Exits 1 on any difference.
"""

import argparse
import importlib.util
import json
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "ledger_format",
    Path(__file__).resolve().parent.parent / "competitions" / "ledger_format.py",
)
fmt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fmt)


def check(lines, published=None) -> list[str]:
    problems = []
    previous, block, entries = fmt.GENESIS, None, []
    blocks = 0

    def close(block, entries):
        ids = [values[0] for values in entries]
        wanted = [
            pk for first, last in block["entry_runs"] for pk in range(first, last + 1)
        ]
        if ids != wanted:
            problems.append(
                f"block {block['number']}: entries {ids[:5]}... are not its ids"
            )
        digest = fmt.entries_digest(fmt.entry_line(values) for values in entries)
        if digest != block["entries_digest"]:
            problems.append(
                f"block {block['number']}: its entries do not match its digest"
            )

    for raw in lines:
        record = json.loads(raw)
        kind = record["type"]
        if kind == "ledger" and record["format"] != fmt.FORMAT:
            problems.append(f"unknown format {record['format']}")
        elif kind == "block":
            if block is not None:
                close(block, entries)
            block, entries = record, []
            blocks += 1
            header = {
                k: record[k]
                for k in (
                    "format",
                    "number",
                    "previous_digest",
                    "entry_count",
                    "first_entry_id",
                    "last_entry_id",
                    "entry_runs",
                    "entries_digest",
                    "sealed_at",
                )
            }
            if record["number"] != blocks:
                problems.append(f"block {blocks} is missing")
            if record["previous_digest"] != previous:
                problems.append(f"block {record['number']}: the chain is broken")
            if fmt.block_digest(**header) != record["digest"]:
                problems.append(
                    f"block {record['number']}: its header does not match its digest"
                )
            if (
                published
                and published.get(record["number"], record["digest"])
                != record["digest"]
            ):
                problems.append(
                    f"block {record['number']}: differs from the published digest"
                )
            previous = record["digest"]
            print(
                f"block {record['number']:>6}  {record['entry_count']:>6} entries  {record['digest']}"
            )
        elif kind == "entry":
            entries.append(record["values"])
        elif kind == "end":
            if block is not None:
                close(block, entries)
                block = None
            if record["head"] != previous or record["blocks"] != blocks:
                problems.append("the file's end does not match its blocks")
    if block is not None:
        problems.append("the file is cut short")
    print(f"{blocks} blocks, head {previous}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--published", type=Path, help="a saved /ledger/blocks.json")
    args = parser.parse_args(argv)
    published = None
    if args.published:
        published = {
            b["number"]: b["digest"] for b in json.loads(args.published.read_text())
        }
    with args.file.open(encoding="utf-8") as lines:
        problems = check(lines, published)
    for problem in problems:
        print(problem, file=sys.stderr)
    print("the file matches its seals" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
