"""Compared share: how much of a set of Terraform states driftctl compares.

    python bench/coverage.py STATES_DIR [STATES_DIR ...] [--top 15]

Reads every ``*.tfstate`` below each directory with driftctl's own state reader and prints, per
directory and in total, the managed resource instances, how many of them belong to a Terraform
type a registered resource type reads, the share, and the most frequent types not compared.
States the reader refuses (not version 4, ...) are counted and named, not compared.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from driftctl.errors import ValidationError
from driftctl.iac.terraform_state import read_state_file


def measure(root: Path) -> tuple[int, int, Counter[str], list[str]]:
    """(instances, compared, not-compared instances per type, refused files) below ``root``."""
    total = compared = 0
    skipped: Counter[str] = Counter()
    refused: list[str] = []
    for path in sorted(root.rglob("*.tfstate")):
        try:
            state = read_state_file(path)
        except ValidationError as exc:
            refused.append(f"{path.relative_to(root)}: {exc.message}")
            continue
        total += state.instance_count
        compared += state.instance_count - sum(state.skipped_types.values())
        skipped.update(state.skipped_types)
    return total, compared, skipped, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="+", type=Path, help="directories of *.tfstate files")
    parser.add_argument("--top", type=int, default=15, help="not-compared types to list")
    args = parser.parse_args()
    grand_total = grand_compared = 0
    grand_skipped: Counter[str] = Counter()
    print(f"{'states':<40} {'instances':>9} {'compared':>9} {'share':>7}")
    for root in args.roots:
        total, compared, skipped, refused = measure(root)
        grand_total += total
        grand_compared += compared
        grand_skipped.update(skipped)
        share = compared / total if total else 0.0
        print(f"{root.name:<40} {total:>9} {compared:>9} {share:>7.1%}")
        for line in refused:
            print(f"  refused: {line}")
    share = grand_compared / grand_total if grand_total else 0.0
    print(f"{'total':<40} {grand_total:>9} {grand_compared:>9} {share:>7.1%}")
    print(f"\nmost frequent Terraform types not compared (instances), top {args.top}:")
    for name, count in grand_skipped.most_common(args.top):
        print(f"  {name:<50} {count:>5}")


if __name__ == "__main__":
    main()
