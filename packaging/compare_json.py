"""Compare two ``gymscore analyze --json`` outputs field by field (the unfrozen run and the bundle's).

Usage: ``python packaging/compare_json.py EXPECTED.json ACTUAL.json [--tol 1e-6] [--ignore KEY ...]``

Prints one line per difference (``path: expected != actual``) and exits 1 when there is any; 0 when
they agree. Run-dependent fields are ignored by default: ``timings`` and ``pose.from_cache``. Numbers
agree when they differ by at most ``--tol`` (absolute) or ``--tol`` relative to the larger one.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

DEFAULT_IGNORE = ("timings", "pose.from_cache")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _numbers_agree(a: float, b: float, tol: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= tol or abs(a - b) <= tol * max(abs(a), abs(b))


def compare(expected: Any, actual: Any, tol: float = 1e-6, ignore: tuple[str, ...] = DEFAULT_IGNORE,
            path: str = "") -> list[str]:
    """Differences between two JSON values, as ``path: expected != actual`` lines (empty: equal)."""
    if path in ignore:
        return []
    where = path or "(root)"
    if _is_number(expected) and _is_number(actual):
        agree = _numbers_agree(float(expected), float(actual), tol)
        return [] if agree else [f"{where}: {expected!r} != {actual!r}"]
    if type(expected) is not type(actual):
        te, ta = type(expected).__name__, type(actual).__name__
        return [f"{where}: {te} {expected!r:.80} != {ta} {actual!r:.80}"]
    if isinstance(expected, dict):
        out = []
        for k in sorted(set(expected) | set(actual)):
            sub = f"{path}.{k}" if path else str(k)
            if sub in ignore:
                continue
            if k not in actual:
                out.append(f"{sub}: missing in the second file")
            elif k not in expected:
                out.append(f"{sub}: only in the second file")
            else:
                out += compare(expected[k], actual[k], tol, ignore, sub)
        return out
    if isinstance(expected, list):
        out = []
        if len(expected) != len(actual):
            out.append(f"{where}: {len(expected)} items != {len(actual)} items")
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            out += compare(e, a, tol, ignore, f"{path}[{i}]")
        return out
    return [] if expected == actual else [f"{where}: {expected!r} != {actual!r}"]


def _load(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SystemExit(f"compare_json: {path}: cannot read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise SystemExit(f"compare_json: {path}: not JSON ({exc.msg} at line {exc.lineno})") from None


def count_fields(value: Any) -> int:
    """Number of leaf values (what was compared)."""
    if isinstance(value, dict):
        return sum(count_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_fields(v) for v in value)
    return 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--ignore", nargs="*", default=list(DEFAULT_IGNORE), help="dotted paths to skip")
    args = ap.parse_args(argv)
    expected, actual = _load(args.expected), _load(args.actual)
    diffs = compare(expected, actual, args.tol, tuple(args.ignore))
    for d in diffs:
        print(f"  differs: {d}")
    kept = expected
    if isinstance(expected, dict):
        kept = {k: v for k, v in expected.items() if k not in args.ignore}
    ignored = ", ".join(args.ignore) or "-"
    print(f"compare_json: {len(diffs)} difference(s) over {count_fields(kept)} fields (ignored: {ignored})")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
