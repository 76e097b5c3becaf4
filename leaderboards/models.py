from django.db import models


class Standing(models.Model):
    """The SQL ranking store: a member's points on one stored board."""

    board = models.CharField(max_length=120)
    member = models.BigIntegerField()
    points = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "member"], name="standing_once")
        ]
        indexes = [
            models.Index(fields=["board", "-points", "member"], name="standing_order")
        ]

    def __str__(self) -> str:
        return f"{self.board} {self.member}: {self.points}"


class ProjectorLock(models.Model):
    """One row whose lock serialises projection and rebuilds across workers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "projector"


class RankSnapshot(models.Model):
    """The SQL store's ranks at the start of the day, for "places moved since
    yesterday" (stores.SqlStore.take_rank_snapshot). One row per (board, member);
    the row of board TAKEN holds when the snapshot was taken (Unix seconds)."""

    TAKEN = "@taken"

    board = models.CharField(max_length=120)
    member = models.BigIntegerField()
    rank = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "member"], name="snapshot_once")
        ]

    def __str__(self) -> str:
        return f"{self.board} {self.member}: #{self.rank}"
