"""Python multiprocessing on this machine: the baseline plugin-host's users come from.

Usage: python3 mp_baseline.py SPAWN_REPEATS APPLY_WARMUP APPLY_CALLS MAP_ITEMS MAP_REPEATS

Prints one JSON object on stdout, and nothing else there. Times are integer nanoseconds
(time.perf_counter_ns); rates are items per second. Every process this starts is ended before
it exits.
"""

import json
import multiprocessing
import os
import platform
import sys
import time


def square(x):
    return x * x


def child(queue):
    queue.put(square(7))


def spawn_process_ns(ctx, repeats):
    """From Process.start() to the child's result read from a Queue, one spawn-method process per repeat."""
    samples = []
    for _ in range(repeats + 1):  # The first primes imports and the resource tracker; not kept.
        queue = ctx.Queue()
        process = ctx.Process(target=child, args=(queue,))
        start = time.perf_counter_ns()
        process.start()
        result = queue.get(timeout=60)
        end = time.perf_counter_ns()
        process.join(60)
        if result != 49:
            raise RuntimeError("child answered %r" % (result,))
        samples.append(end - start)
        queue.close()
        queue.join_thread()
    return samples[1:]


def pool_apply_ns(pool, warmup, calls):
    for _ in range(warmup):
        pool.apply(square, (7,))
    samples = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        result = pool.apply(square, (7,))
        end = time.perf_counter_ns()
        if result != 49:
            raise RuntimeError("apply answered %r" % (result,))
        samples.append(end - start)
    return samples


def pool_map_rates(pool, items, repeats, chunksize):
    data = range(items)
    pool.map(square, range(min(items, 1000)), chunksize)  # Warm-up.
    rates = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        result = pool.map(square, data, chunksize)
        end = time.perf_counter_ns()
        if len(result) != items or result[-1] != (items - 1) ** 2:
            raise RuntimeError("map answered wrongly")
        rates.append(items * 1e9 / (end - start))
    return rates


def default_chunksize(items, processes):
    # What Pool.map computes when chunksize is None (multiprocessing/pool.py, _map_async).
    chunksize, extra = divmod(items, processes * 4)
    return chunksize + 1 if extra else chunksize


def main(argv):
    spawn_repeats, apply_warmup, apply_calls, map_items, map_repeats = (int(a) for a in argv[1:6])
    ctx = multiprocessing.get_context("spawn")
    report = {
        "python_version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "start_method": ctx.get_start_method(),
        "cpu_count": os.cpu_count(),
        "pool_processes": 2,
    }
    report["spawn_process_ns"] = spawn_process_ns(ctx, spawn_repeats)
    with ctx.Pool(2) as pool:
        report["pool_apply_ns"] = pool_apply_ns(pool, apply_warmup, apply_calls)
        report["map_items"] = map_items
        report["map_chunksize1_items_per_s"] = pool_map_rates(pool, map_items, map_repeats, 1)
        report["map_default_items_per_s"] = pool_map_rates(pool, map_items, map_repeats, None)
        report["map_default_chunksize"] = default_chunksize(map_items, 2)
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv)
