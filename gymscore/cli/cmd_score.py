"""``gymscore score TIMELINE``: the D-score card of a timeline, as a table or JSON."""

from __future__ import annotations

import argparse
import json

from gymscore.scoring import format_card, score
from gymscore.timeline.io import load_timeline
from gymscore.timeline.lost import describe_lost


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``score`` command."""
    p = sub.add_parser("score", help="estimate the D-score of a Timeline JSON file")
    p.add_argument("timeline", help="Timeline JSON file")
    p.add_argument("--json", action="store_true", help="print the score card as JSON")
    p.add_argument(
        "--vault-mode",
        choices=("single", "average"),
        default="single",
        help="vault: the first vault's value, or the average of two (unverified rule)",
    )
    p.add_argument("--edition", default=None, help="rules edition (default: the timeline's)")
    p.set_defaults(func=run_score)


def run_score(args: argparse.Namespace) -> int:
    """Print the score card."""
    tl = load_timeline(args.timeline)
    card = score(tl, edition=args.edition, vault_mode=args.vault_mode)
    if args.json:
        print(json.dumps(card.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_card(card, connection_rule=str(tl.metadata.get("connection_rule", ""))))
        if (lost := describe_lost(tl)) is not None:  # (an analysed timeline: where it could not see)
            print(f"note: the analysis behind this timeline: {lost}")
    return 0
