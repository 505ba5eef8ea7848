"""What every motion generator receives: the body, the frame rate, a random generator and the apparatus."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gymscore.synth.body import BodyParams


@dataclass
class MotionContext:
    """Generation context. ``rng`` drives small natural variations (amplitudes, timing)."""

    body: BodyParams
    fps: float
    rng: np.random.Generator
    apparatus: str = "FX"
    variation: float = 1.0  # 0 = no random variation (used by the distinguishability test)

    def jitter(self, value: float, rel: float = 0.05) -> float:
        """``value`` times a random factor around 1 (relative spread ``rel``)."""
        return float(value * (1.0 + rel * self.variation * self.rng.standard_normal()))

    def n(self, seconds: float) -> int:
        """Frames of a duration (at least 2)."""
        return max(2, int(round(seconds * self.fps)))


def has_flag(flags: list[str], *words: str) -> bool:
    """Whether any flag contains any of ``words`` (case-insensitive substring match)."""
    low = [f.lower() for f in flags]
    return any(w in f for f in low for w in words)
