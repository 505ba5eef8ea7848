"""D-score estimation from a Timeline: rules as data, a ScoreCard with reasons (no Qt, no torch)."""

from gymscore.scoring.card import (
    ConnectionLine,
    ElementLine,
    RequirementLine,
    ScoreCard,
    UnverifiedRule,
    format_card,
)
from gymscore.scoring.engine import score
from gymscore.scoring.predicates import RulesError
from gymscore.scoring.rules import ApparatusRules, clear_rules_cache, load_rules

__all__ = [
    "ApparatusRules",
    "ConnectionLine",
    "ElementLine",
    "RequirementLine",
    "RulesError",
    "ScoreCard",
    "UnverifiedRule",
    "clear_rules_cache",
    "format_card",
    "load_rules",
    "score",
]
