"""`make bench`: the leaderboard benchmark, every figure a ratio against a baseline
measured in the same run. Needs PostgreSQL and Redis (`make bench` starts both).

    python -m bench [--people 1000000] [--units 20000] [--small 10000] [--fanout 1000,5000]
    python -m bench --only imports [--import-rows 100000]   (writes bench-results/imports.json)
    python -m bench --only deactivation [--people 1000000]   (bench-results/deactivation.json)
    python -m bench --only scale [--people 200000 --sockets 10000]   (bench-results/scale.json)
    python -m bench --only commendations [--people 1000000]   (bench-results/commendations.json)
    python -m bench --only badges [--people 1000000]   (bench-results/badges.json)
    python -m bench --only campaigns [--people 1000000]   (bench-results/campaigns.json)
    python -m bench --only reports [--people 1000000]   (bench-results/reports.json)
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def machine() -> dict:
    import django
    import redis

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        "?",
    )
    versions = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "redis-py": redis.__version__,
    }
    for package in ("channels", "channels_redis", "daphne", "websockets", "psycopg"):
        try:
            versions[package] = __import__(package).__version__
        except Exception:
            versions[package] = "?"
    for command, key in (
        (["redis-server", "--version"], "redis-server"),
        (["psql", "--version"], "postgresql"),
    ):
        try:
            versions[key] = (
                subprocess.run(command, capture_output=True, text=True)
                .stdout.strip()
                .split(" v=")[-1][:40]
            )
        except OSError:
            versions[key] = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
        ),
        "load_before": os.getloadavg(),
        "versions": versions,
    }


def table(results: dict) -> str:
    a, c, e = results["reads"], results["ingest"], results["rebuild"]
    f = results.get("fanout", {})
    lines = [
        f"{'measure':58} {'ours':>12} {'baseline':>12} {'ratio':>9}",
        f"{'(a) page read, service layer, 1M people (p50 ms)':58} {a['page_service_1M']['p50_ms']:>12} {a['page_naive_orm_1M']['p50_ms']:>12} {a['ratios']['naive_over_service']:>8}x",
        f"{'(a) page read, HTTP endpoint, 1M people (p50 ms)':58} {a['page_endpoint_1M']['p50_ms']:>12} {a['page_naive_orm_1M']['p50_ms']:>12} {a['ratios']['naive_over_endpoint']:>8}x",
        f"{'(a) page read p95, service layer (ms)':58} {a['page_service_1M']['p95_ms']:>12}",
        f"{'(a) page read 1M vs 10k people (p50 ms)':58} {a['page_service_1M']['p50_ms']:>12} {a['page_service_10k']['p50_ms']:>12} {a['ratios']['service_1M_over_10k']:>9}",
        f"{'(a) my rank: Redis vs PostgreSQL COUNT(*) (p50 ms)':58} {a['rank_redis_1M']['p50_ms']:>12} {a['rank_postgres_count_1M']['p50_ms']:>12} {a['ratios']['postgres_count_over_redis_rank']:>8}x",
        f"{'(c) durable awards/s vs Redis-only pipelined ZINCRBY':58} {c['durable']['per_second']:>12} {c['redis_only']['per_second']:>12} {c['share_of_ceiling_percent']:>8}%",
        f"{'(e) cold rebuild (s) / reconcile (s) / mismatches':58} {e['rebuild_seconds']:>12} {e['reconcile_seconds']:>12} {e['mismatches']:>9}",
    ]
    if "deactivation" in results:
        from bench import deactivation

        lines += deactivation.table_lines(results["deactivation"])
    if "imports" in results:
        from bench import imports

        lines += imports.table_lines(results["imports"])
    if "campaigns" in results:
        from bench import campaigns

        lines += campaigns.table_lines(results["campaigns"])
    if "commendations" in results:
        from bench import commendations

        lines += commendations.table_lines(results["commendations"])
    if "reports" in results:
        from bench import reports as report_bench

        lines += report_bench.table_lines(results["reports"])
    if "badges" in results:
        from bench import badges

        lines += badges.table_lines(results["badges"])
    if "award_to_one_subscriber" in f:
        one = f["award_to_one_subscriber"]
        lines.append(
            f"{'(b) award → 1 subscriber (p50 / p95 ms)':58} {one['p50_ms']:>12} {one['p95_ms']:>12}"
        )
    for key, value in f.items():
        if key.startswith("fanout_"):
            lines.append(
                f"{'(b) all ' + key[7:] + ' clients updated (median ms) vs raw broadcast':58} {value['ours']['all_ms_median']:>12} {value['raw_websockets']['all_ms_median']:>12} {value['ratio_all_vs_raw']:>8}x"
            )
    if "reconnect_storm" in f:
        s = f["reconnect_storm"]
        lines.append(
            f"{'(d) storm: failed handshakes / delivery %':58} {s['failed_handshakes']:>12} {s['delivery_percent']:>12}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--fanout", default="1000,5000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--awards", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=300)
    # With --only scale: which of its parts to run (all by default).
    parser.add_argument("--scale-parts", default="awards,shards,pages,sockets")
    # With --only badges: which of its parts (all by default); with --awards-per-label,
    # how many awards each (b) figure is the p50 / p95 of.
    parser.add_argument("--badges-parts", default="subscriber,path,publish")
    parser.add_argument("--awards-per-label", type=int, default=50)
    parser.add_argument(
        "--only",
        choices=[
            "all",
            "imports",
            "badges",
            "deactivation",
            "scale",
            "commendations",
            "campaigns",
            "reports",
        ],
        default="all",
    )
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--sockets", type=int, default=10_000, help="scale: sockets")
    parser.add_argument(
        "--page-requests", type=int, default=20_000, help="scale: nginx page views"
    )
    parser.add_argument("--output")
    args = parser.parse_args()
    if args.output is None:
        name = "latest.json" if args.only == "all" else f"{args.only}.json"
        args.output = str(ROOT / "bench-results" / name)
    if not os.environ.get("REDIS_URL") or not os.environ.get(
        "DATABASE_URL", ""
    ).startswith("postgres"):
        print(
            "make bench needs PostgreSQL and Redis: run it as `make bench`.",
            file=sys.stderr,
        )
        return 2
    ensure_database(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LEADERBOARD_CATCH_UP_SECONDS"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    from bench import (
        badges,
        campaigns,
        commendations,
        data,
        deactivation,
        fanout,
        imports,
        ingest,
        reads,
    )

    results = {
        "machine": machine(),
        "args": vars(args),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    call_command("migrate", verbosity=0)
    if args.only == "imports":
        results["imports"] = imports.run(rows=args.import_rows)
        results["machine"]["load_after"] = os.getloadavg()
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(results, indent=2, default=str))
        print("\n".join(imports.table_lines(results["imports"])))
        print(f"Written to {args.output}")
        return 0
    if args.only == "deactivation":
        print(f"Building {args.people:,} people and {args.units:,} units ...")
        big = data.build(people=args.people, units=args.units, label="A")
        results["data_seconds"] = round(big["seconds"], 1)
        print("  done; cold rebuild (the baseline) and deactivations ...", flush=True)
        results["deactivation"] = deactivation.run(big)
        results["machine"]["load_after"] = os.getloadavg()
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(results, indent=2, default=str))
        print("\n".join(deactivation.table_lines(results["deactivation"])))
        print(f"Written to {args.output}")
        return 0
    print(f"Building {args.people:,} people and {args.units:,} units ...", flush=True)
    big = data.build(people=args.people, units=args.units, label="A")
    if args.only == "scale":
        from bench import scale

        print("  done; rebuilding the boards ...", flush=True)
        from leaderboards import projector

        projector.rebuild()
        results["scale"] = scale.run(
            big,
            sockets_count=args.sockets,
            rounds=args.rounds,
            requests=args.page_requests,
            awards=args.awards,
            parts=args.scale_parts.split(","),
        )
        results["machine"]["load_after"] = os.getloadavg()
        big.pop("totals", None)
        big["competition"] = big["competition"].pk
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(results, indent=2, default=str))
        print("\n".join(scale.table_lines(results["scale"])))
        print(f"Written to {args.output}")
        return 0
    if args.only == "badges":
        # The boards as (b) finds them: award frames carry a full board's snapshot.
        results["rebuild"] = ingest.rebuild_and_reconcile()
        results["badges"] = badges.run(
            big,
            parts=args.badges_parts.split(","),
            samples=args.awards_per_label,
        )
        results["machine"]["load_after"] = os.getloadavg()
        big.pop("totals", None)
        big["competition"] = big["competition"].pk
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(results, indent=2, default=str))
        print("\n".join(badges.table_lines(results["badges"])))
        print(f"Written to {args.output}")
        return 0
    if args.only == "reports":
        from bench import reports as report_bench

        results["reports"] = report_bench.run(big)
        results["machine"]["load_after"] = os.getloadavg()
        big.pop("totals", None)
        big["competition"] = big["competition"].pk
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(results, indent=2, default=str))
        print("\n".join(report_bench.table_lines(results["reports"])))
        print(f"Written to {args.output}")
        return 0
    if args.only == "commendations":
        results["commendations"] = commendations.run(big)
        results["machine"]["load_after"] = os.getloadavg()
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(results, indent=2, default=str))
        print("\n".join(commendations.table_lines(results["commendations"])))
        print(f"Written to {args.output}")
        return 0
    if args.only == "campaigns":
        sizes = [int(size) for size in args.fanout.split(",") if size]
        results["campaigns"] = campaigns.run(big, sizes=sizes, rounds=args.rounds)
        results["machine"]["load_after"] = os.getloadavg()
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(results, indent=2, default=str))
        print("\n".join(campaigns.table_lines(results["campaigns"])))
        print(f"Written to {args.output}")
        return 0
    small = data.build(people=args.small, units=max(201, args.units // 100), label="B")
    results["data_seconds"] = round(big["seconds"] + small["seconds"], 1)
    print(f"  done in {results['data_seconds']}s; cold rebuild ...", flush=True)
    results["rebuild"] = ingest.rebuild_and_reconcile()
    print("Deactivations ...", flush=True)
    results["deactivation"] = deactivation.run(
        big, rebuild_seconds=results["rebuild"]["rebuild_seconds"]
    )
    print("Page reads ...", flush=True)
    worker, port = fanout.start_worker({})
    try:
        results["reads"] = reads.run(big, small, port=port, repeat=args.repeat)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    print("Durable awards ...", flush=True)
    durable = ingest.durable_awards(big, count=args.awards)
    ceiling = ingest.redis_only_ceiling(big, count=args.awards)
    results["ingest"] = {
        "durable": durable,
        "redis_only": ceiling,
        "share_of_ceiling_percent": round(
            100 * durable["per_second"] / ceiling["per_second"], 1
        ),
    }
    sizes = [int(size) for size in args.fanout.split(",") if size]
    if sizes:
        print(f"WebSocket fan-out to {sizes} clients ...", flush=True)
        results["fanout"] = fanout.run(
            big, sizes=sizes, rounds=args.rounds, storm=max(sizes)
        )
    results["imports"] = imports.run(rows=args.import_rows)
    results["badges"] = badges.run(big)
    results["commendations"] = commendations.run(big)
    results["campaigns"] = campaigns.run(big, sizes=sizes, rounds=args.rounds)
    from bench import reports as report_bench

    results["reports"] = report_bench.run(big)
    results["machine"]["load_after"] = os.getloadavg()
    for dataset in (big, small):
        dataset.pop("totals", None)
        dataset["competition"] = dataset["competition"].pk
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2, default=str))
    print()
    print(table(results))
    print(
        f"\nMachine: {results['machine']['cpu']}, {results['machine']['cores']} cores; load {results['machine']['load_before']} → {results['machine']['load_after']}"
    )
    print(f"Written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
