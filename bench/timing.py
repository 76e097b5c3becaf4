import statistics
import time


def measure(function, *, repeat: int, warmup: int = 3) -> dict:
    """Run function repeatedly; return p50, p95 and mean in milliseconds."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "n": repeat,
    }


def ratio(slow: dict, fast: dict, key: str = "p50_ms") -> float:
    return round(slow[key] / fast[key], 1) if fast[key] else float("inf")
