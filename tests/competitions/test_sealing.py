"""The ledger's seals: hash-chained blocks that show any later change.

The tampering tests work on PostgreSQL as its superuser, with the append-only
triggers switched off for the session (`session_replication_role = replica`), as
a database administrator could.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from competitions import ledger, sealing
from competitions.models import LedgerBlock, PointEntry, UnsealedEntry
from tests.competitions.conftest import a_credit, credit_one

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def entries(tree, competition, initiative):
    """Five entries, sealed in two blocks (three, then two)."""
    made = [
        credit_one(a_credit(competition, initiative, tree["ho_lien"], key=f"k{n}"))
        for n in range(3)
    ]
    sealing.seal()
    with transaction.atomic():
        made += ledger.credit(
            credits=[
                a_credit(competition, initiative, tree["quan_goi"], key=f"k{n}")
                for n in range(3, 5)
            ],
            by=None,
            at=timezone.now(),
        )
    sealing.seal()
    return made


def _verify_command(*args) -> tuple[int, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue() + err.getvalue()


class TestSealing:
    def test_seals_committed_entries_into_chained_blocks(self, entries):
        first, second = LedgerBlock.objects.order_by("number")

        assert (first.number, first.entry_count) == (1, 3)
        assert (second.number, second.entry_count) == (2, 2)
        assert first.previous_digest == "0" * 64
        assert second.previous_digest == first.digest
        assert second.entry_runs == [[entries[3].pk, entries[4].pk]]
        assert not UnsealedEntry.objects.exists()

    def test_nothing_new_seals_nothing(self, entries):
        assert sealing.seal().blocks == []

    def test_an_untouched_ledger_verifies(self, entries):
        code, output = _verify_command()

        assert code == 0
        assert "2 blocks, 5 sealed entries" in output
        assert "the ledger matches its seals" in output

    def test_entries_waiting_for_the_seal_are_not_a_problem(
        self, entries, competition, initiative, tree
    ):
        credit_one(a_credit(competition, initiative, tree["ho_lien"], key="later"))

        assert sealing.verify().ok

    @pytest.mark.django_db(transaction=True)
    def test_the_scheduler_process_seals_and_projects(
        self, competition, initiative, tree, settings
    ):
        from io import StringIO

        from competitions.models import UnprojectedEntry
        from units import schedule

        schedule.forget_local_state()
        settings.LEDGER_SEAL_SECONDS = 60
        credit_one(a_credit(competition, initiative, tree["ho_lien"], key="s1"))
        out = StringIO()

        call_command("run_scheduler", "--once", stdout=out)

        assert "ledger.seal" in out.getvalue()
        assert LedgerBlock.objects.get().entry_count == 1
        assert not UnprojectedEntry.objects.exists()

    def test_the_public_page_and_json_publish_every_digest(self, client, entries):
        page = client.get("/ledger/")
        published = client.get("/ledger/blocks.json").json()

        assert page.status_code == 200
        for block in LedgerBlock.objects.all():
            assert block.digest in page.content.decode()
        assert [b["digest"] for b in published] == list(
            LedgerBlock.objects.order_by("number").values_list("digest", flat=True)
        )
        assert "public" in page["Cache-Control"]

    def test_the_exported_file_verifies_offline(self, entries, tmp_path):
        export = tmp_path / "ledger.jsonl"
        call_command("export_ledger", str(export))

        clean = subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "verify_ledger_file.py"),
                str(export),
            ],
            capture_output=True,
            text=True,
        )
        lines = export.read_text().splitlines()
        forged = [json.loads(line) for line in lines]
        entry = next(record for record in forged if record["type"] == "entry")
        entry["values"][4] = 1000  # points
        export.write_text(
            "\n".join(json.dumps(record, ensure_ascii=False) for record in forged)
        )
        tampered = subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "verify_ledger_file.py"),
                str(export),
            ],
            capture_output=True,
            text=True,
        )

        assert clean.returncode == 0, clean.stderr
        assert LedgerBlock.objects.get(number=2).digest in clean.stdout
        assert tampered.returncode == 1
        assert "block 1: its entries do not match its digest" in tampered.stderr


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
class TestTamperingAsSuperuser:
    """Each change a superuser can make behind the triggers is found."""

    def _as_superuser(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            try:
                cursor.execute(sql, params)
            finally:
                cursor.execute("SET session_replication_role = origin")

    def test_the_triggers_stop_the_application_itself(self, entries):
        from django.db import DatabaseError

        with pytest.raises(DatabaseError), transaction.atomic():
            PointEntry.objects.filter(pk=entries[0].pk).update(points=1000)

    def test_a_changed_entry_is_found_and_named_against_an_export(
        self, entries, tmp_path
    ):
        export = tmp_path / "before.jsonl"
        call_command("export_ledger", str(export))
        self._as_superuser(
            "UPDATE competitions_pointentry SET points = 1000 WHERE id = %s",
            [entries[1].pk],
        )

        code, output = _verify_command()
        named_code, named = _verify_command("--against", str(export))

        assert code == 1
        assert "changed_entries: block 1" in output
        assert named_code == 1
        assert f"changed: [{entries[1].pk}]" in named

    def test_a_deleted_entry_is_found(self, entries):
        self._as_superuser(
            "DELETE FROM competitions_pointentry WHERE id = %s", [entries[3].pk]
        )

        code, output = _verify_command()

        assert code == 1
        assert f"missing_entries: block 2: deleted: [{entries[3].pk}]" in output

    def test_an_inserted_entry_is_found(self, entries, competition, initiative, tree):
        self._as_superuser(
            "INSERT INTO competitions_pointentry (competition_id, unit_id, points, "
            "activity_type_id, quantity, source, explanation, capped, idempotency_key, "
            "occurred_at, created_at) VALUES (%s, %s, 500, %s, 1, 'test', '', false, "
            "'forged', now(), now()) RETURNING id",
            [competition.pk, tree["ho_lien"].pk, initiative.pk],
        )
        forged = PointEntry.objects.get(idempotency_key="forged")

        code, output = _verify_command()

        assert code == 1
        assert f"in no block and not queued: [{forged.pk}]" in output

    def test_an_entry_replaced_under_its_own_id_is_found(self, entries):
        self._as_superuser(
            "DELETE FROM competitions_pointentry WHERE id = %s", [entries[0].pk]
        )
        self._as_superuser(
            "INSERT INTO competitions_pointentry (id, competition_id, unit_id, points, "
            "activity_type_id, quantity, source, explanation, capped, idempotency_key, "
            "occurred_at, created_at) SELECT %s, competition_id, unit_id, 900, "
            "activity_type_id, 1, source, explanation, capped, idempotency_key || 'x', "
            "occurred_at, created_at FROM competitions_pointentry WHERE id = %s",
            [entries[0].pk, entries[1].pk],
        )

        found = sealing.verify()

        assert [problem.kind for problem in found.problems] == ["changed_entries"]
        assert found.problems[0].block == 1

    def test_a_rewritten_chain_is_found_against_the_published_digests(
        self, entries, client, tmp_path
    ):
        published = tmp_path / "blocks.json"
        published.write_bytes(client.get("/ledger/blocks.json").content)
        # The superuser changes an entry and then reseals every block from it on,
        # so that the database agrees with itself again.
        self._as_superuser(
            "UPDATE competitions_pointentry SET points = 1000 WHERE id = %s",
            [entries[0].pk],
        )
        self._as_superuser("DELETE FROM competitions_ledgerblock")
        self._as_superuser(
            "INSERT INTO competitions_unsealedentry (entry_id) "
            "SELECT id FROM competitions_pointentry"
        )
        sealing.seal()

        alone = sealing.verify()
        code, output = _verify_command("--against", str(published))

        assert alone.ok  # the database agrees with itself again...
        assert code == 1  # ...but not with what was published
        assert "published: block 1" in output
