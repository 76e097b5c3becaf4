"""(a) Board page reads: our service layer and endpoint against the naive ORM aggregate."""

import http.client
import random

from django.db import connection
from django.db.models import Sum

from competitions.models import PointEntry
from leaderboards import selectors
from leaderboards.boards import storage_key
from leaderboards.stores import get_store

from .timing import measure, ratio


def page_read(competition_id: int, province_id: int, me: int):
    """What one visitor's board page needs: top 50 people, top 50 villages, my rank and points."""

    def read():
        page = selectors.overview(
            competition_id, province_id, unit_entity="village", person_id=me, limit=50
        )
        assert len(page["people"]) == 50 and page["mine"] is not None

    return read


def naive_page_read(competition_id: int, me: int):
    """The same page as pinax-points and django-gamification compute it: Sum over the ledger."""

    def read():
        entries = PointEntry.objects.filter(competition_id=competition_id)
        list(
            entries.values("person")
            .annotate(total=Sum("points"))
            .order_by("-total", "person")[:50]
        )
        list(
            entries.values("unit")
            .annotate(total=Sum("points"))
            .order_by("-total", "unit")[:50]
        )
        mine = entries.filter(person_id=me).aggregate(total=Sum("points"))["total"] or 0
        entries.values("person").annotate(total=Sum("points")).filter(
            total__gt=mine
        ).count()

    return read


def fill_sql_totals(competition_id: int, province_id: int) -> str:
    """A 1M-row totals table with its B-tree index, as the SQL baseline for "my rank"."""
    key = storage_key(competition_id, province_id, "people", "all")
    scores = get_store().scores(key)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM leaderboards_standing WHERE board = %s", [key])
        with cursor.connection.cursor().copy(
            "COPY leaderboards_standing (board, member, points) FROM STDIN"
        ) as copy:
            for member, points in scores.items():
                copy.write_row((key, member, points))
        cursor.execute("ANALYZE leaderboards_standing")
    return key


def sql_rank(key: str, me: int):
    def read():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT points FROM leaderboards_standing WHERE board = %s AND member = %s",
                [key, me],
            )
            mine = cursor.fetchone()[0]
            cursor.execute(
                "SELECT COUNT(*) FROM leaderboards_standing WHERE board = %s AND points > %s",
                [key, mine],
            )
            cursor.fetchone()

    return read


def redis_rank(key: str, me: int):
    store = get_store()

    def read():
        store.rank(key, me)

    return read


def endpoint_read(port: int, competition_id: int, province_id: int, me: int):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(path):
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)

    def read():
        get(
            f"/api/v1/overview/{competition_id}-{province_id}/?units=village&limit=50&me=p{me}"
        )

    return read


def run(big: dict, small: dict, *, port: int, repeat: int) -> dict:
    rng = random.Random(3)
    me_big = big["first_person"] + rng.randrange(big["people"])
    me_small = small["first_person"] + rng.randrange(small["people"])
    c_big, p_big = big["competition"].pk, big["province_id"]
    c_small, p_small = small["competition"].pk, small["province_id"]

    ours = measure(page_read(c_big, p_big, me_big), repeat=repeat)
    ours_small = measure(page_read(c_small, p_small, me_small), repeat=repeat)
    naive = measure(naive_page_read(c_big, me_big), repeat=5, warmup=1)
    endpoint = measure(
        endpoint_read(port, c_big, p_big, me_big), repeat=max(20, repeat // 5)
    )
    key = fill_sql_totals(c_big, p_big)
    rank_sql = measure(sql_rank(key, me_big), repeat=50)
    rank_redis = measure(redis_rank(key, me_big), repeat=repeat)
    return {
        "page_service_1M": ours,
        "page_service_10k": ours_small,
        "page_endpoint_1M": endpoint,
        "page_naive_orm_1M": naive,
        "rank_redis_1M": rank_redis,
        "rank_postgres_count_1M": rank_sql,
        "ratios": {
            "naive_over_service": ratio(naive, ours),
            "naive_over_endpoint": ratio(naive, endpoint),
            "service_1M_over_10k": round(ours["p50_ms"] / ours_small["p50_ms"], 2),
            "postgres_count_over_redis_rank": ratio(rank_sql, rank_redis),
        },
    }
