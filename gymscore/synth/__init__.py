"""GymSynth: procedural, labelled gymnastics routine videos (motion from codebook attributes).

>>> from gymscore.synth import generate_skeleton_routine
>>> r = generate_skeleton_routine("FX", seed=3)   # doctest: +SKIP
"""

from gymscore.synth.api import SynthRoutine, generate_routine, generate_skeleton_routine

__all__ = ["SynthRoutine", "generate_routine", "generate_skeleton_routine"]
