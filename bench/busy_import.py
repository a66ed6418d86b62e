"""Time the ICS import on a full-size (2 MB, 400-day) Outlook-shaped calendar."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.domain.busy_import import busy_blocks
from tests.domain.test_busy_import import busy_lawyers_year, utc


def main() -> None:
    ics = busy_lawyers_year()
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        blocks = busy_blocks(ics, utc(2025, 1, 1), utc(2026, 2, 5), "Europe/Berlin")
        timings.append(time.perf_counter() - began)
    print(
        f"busy import: {len(ics) / 2**20:.2f} MB, {len(blocks)} busy blocks; "
        f"best {min(timings):.2f} s, median {statistics.median(timings):.2f} s"
    )


if __name__ == "__main__":
    main()
