"""The typed attribute schema of codebook elements (the project's own schema).

Every element carries these attributes. The decision trees ask questions about them, GymSynth
generates motion from them, and the classifier's attribute heads predict them. Values not relevant
to an element are ``"none"`` (categorical) or ``0`` (counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Categorical attributes and their allowed values. Keep this list the single source of truth.
CATEGORICAL: dict[str, tuple[str, ...]] = {
    # what family of movement the element is
    "kind": (
        "vault", "leap", "jump", "hop", "turn", "salto", "handspring", "aerial",
        "walkover", "circle", "flight", "release", "transition", "dismount", "other",
    ),
    # main direction of travel / rotation
    "direction": ("forward", "backward", "sideward", "none"),
    # body shape in flight or during the main phase
    "body_shape": ("tucked", "piked", "stretched", "straddled", "arched", "none"),
    # leg position of leaps, jumps and hops (and some turns)
    "leg_position": (
        "split", "switch", "side_split", "straddle_pike", "ring", "stag", "sheep", "wolf",
        "tuck", "pike", "stretched", "sissone", "cossack", "butterfly",
        # added with the wag-2017 codebook: cat leap, hop with free leg extended, legs apart < 180
        "cat", "free_leg_extended", "straddle", "none",
    ),
    # free-leg / body position during a turn on one leg
    "turn_position": (
        "free_leg_low", "free_leg_horizontal", "free_leg_up", "tuck_stand", "illusion", "wolf",
        "attitude", "split_hold",
        # added with the wag-2017 codebook: spin on the back, turn on one knee, turn in prone position
        "on_back", "knee", "prone", "none",
    ),
    # how the element takes off
    "take_off": ("one_foot", "two_feet", "hands", "bar", "springboard", "none"),
    # how the element lands or ends
    "landing": (
        "feet", "one_foot", "front_lying", "side", "hands", "bar_hang", "bar_support",
        # added with the wag-2017 codebook: ends in handstand, in a sit, in front support on the beam
        "handstand", "sit", "support", "none",
    ),
    # bars: the bar the element starts on and ends on
    "bar": ("low", "high", "low_to_high", "high_to_low", "none"),
    # bars: grip or the body facing the bar
    "grip": ("overgrip", "undergrip", "mixed", "l_grip", "dorsal", "none"),
    # vault: the entry onto the table (first flight phase)
    "vault_entry": ("handspring", "round_off", "tsukahara", "none"),
}

# Numeric attributes (counts of full rotations; half rotations allowed).
NUMERIC: dict[str, str] = {
    "salto_count": "number of saltos (rotations about the transverse axis), e.g. 1, 1.5, 2",
    "twist_count": "number of full twists about the long axis during flight, e.g. 0.5, 1, 2.5",
    "turn_amount": "turns about the long axis on the floor/beam/bar or during a leap, e.g. 0.5, 1, 2",
    "entry_turn": "vault: turn in the first flight phase, in turns (0, 0.25, 0.5, 1)",
}


@dataclass
class Attributes:
    """An element's attributes. Use :meth:`validate` to check values against the schema."""

    kind: str = "other"
    direction: str = "none"
    body_shape: str = "none"
    leg_position: str = "none"
    turn_position: str = "none"
    take_off: str = "none"
    landing: str = "none"
    bar: str = "none"
    grip: str = "none"
    vault_entry: str = "none"
    salto_count: float = 0.0
    twist_count: float = 0.0
    turn_amount: float = 0.0
    entry_turn: float = 0.0
    # free-form flags for distinctions the typed fields do not capture
    flags: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Every attribute whose value is outside the schema."""
        out = []
        for name, allowed in CATEGORICAL.items():
            v = getattr(self, name)
            if v not in allowed:
                out.append(f"attribute {name}={v!r} is not one of {list(allowed)}")
        for name in NUMERIC:
            v = getattr(self, name)
            if not isinstance(v, int | float) or isinstance(v, bool) or v < 0:
                out.append(f"attribute {name}={v!r} must be a number >= 0")
        if not isinstance(self.flags, list) or not all(isinstance(f, str) for f in self.flags):
            out.append("attribute flags must be a list of strings")
        return out

    def to_dict(self) -> dict:
        """Plain dict, omitting default values for compactness."""
        d = {}
        for name in CATEGORICAL:
            if getattr(self, name) != "none" or name == "kind":
                d[name] = getattr(self, name)
        for name in NUMERIC:
            if getattr(self, name):
                d[name] = getattr(self, name)
        if self.flags:
            d["flags"] = list(self.flags)
        return d
