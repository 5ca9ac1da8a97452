"""Public identifiers: a type prefix and a time-ordered random part (``sub_0193…``)."""

from __future__ import annotations

import os
import time


def new_id(prefix: str) -> str:
    return f"{prefix}_{time.time_ns() // 1_000_000:012x}{os.urandom(8).hex()}"
