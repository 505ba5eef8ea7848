"""What an analysis tells the user about its own limits: where it lost the gymnast, which elements to
check, and the warnings when it found little or nothing. No Qt, no torch: the pipeline calls these."""

from __future__ import annotations

from typing import Any

import numpy as np

from gymscore.features.gaps import missing_spans
from gymscore.timeline import Segment

# A video shorter than this is called a clip when nothing is found in it: the four real clips of one
# beam or floor element (1.0-1.7 s) gave no element, the bars clips (2.4-2.9 s) one each
# (bench/results/realclips_reading.md); the models learnt from whole routines.
SHORT_CLIP_S = 3.0


def nothing_found_warning(name: str, result: Any) -> str:
    """What to tell the user when the analysis found no element at all."""
    found = result.features.found_rate
    tl = result.timeline
    app = tl.apparatus
    given = (tl.metadata.get("analysis") or {}).get("apparatus_source") == "user"
    share = result.apparatus_probs.get(app)
    seconds = tl.video.duration
    clip = (f" The video is only {seconds:.1f} s long: the models learnt from whole routines and often find "
            "nothing in a clip of one element." if 0 < seconds < SHORT_CLIP_S else "")
    if given:
        return (f"{name}: no element was found on {app} (the apparatus given); the gymnast was found in "
                f"{found:.0%} of the frames.{clip} Insert the elements by hand. The D-score shown is 0.")
    read = f"the apparatus was read as {app}" + (f", {share:.0%} of the set evidence" if share else "")
    return (f"{name}: no element was found; the gymnast was found in {found:.0%} of the frames and {read}."
            f"{clip} If the video shows a routine, name its apparatus (the command line's --apparatus, or "
            "the score panel's apparatus in the app) and analyse again, or insert the elements by hand. The "
            "D-score shown is 0.")


# Below this share of frames with her pose the analysis warns that it may have missed elements. On the
# 24 broadcast-camera routines of docs/models.md ("The broadcast camera") 10 fell below it (two beam
# routines of 4 and 7 elements were read as 2 and 3); none of the 24 hard-camera ones (lowest 90 %)
# and none of the real clips (lowest 92 %) did.
LOW_FOUND_SHARE = 0.8


# Stretches without her pose shorter than this are not reported (an element lasts at least 0.6 s);
# stretches less than LOST_JOIN_S apart (a pose or two found in between) are reported as one.
LOST_MIN_S = 0.4
LOST_JOIN_S = 0.2


def lost_spans(source: np.ndarray, fps: float) -> list[tuple[int, int]]:
    """The stretches of frames (start, end exclusive) where the gymnast was not found and nothing was
    filled in, joined across gaps under :data:`LOST_JOIN_S` and at least :data:`LOST_MIN_S` long:
    where elements may be missing. Kept in the timeline's ``metadata["analysis"]["pose_lost"]``,
    listed by the CLI, marked on the app's timeline."""
    fps = fps if fps > 0 else 25.0
    joined: list[tuple[int, int]] = []
    for a, b in missing_spans(source):
        if joined and a - joined[-1][1] < LOST_JOIN_S * fps:
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    least = max(1, int(round(LOST_MIN_S * fps)))
    return [(a, b) for a, b in joined if b - a >= least]


# An element with at least this share of its frames in a lost stretch gets a note: on the 24 broadcast
# routines of docs/models.md ("The broadcast camera") 3 of 17 such segments named their element right,
# against 70 of 92 with none of their frames lost (bench/results/lost_spans_99036_broadcast.md).
LOST_NOTE_SHARE = 0.5


def lost_share(start: int, end: int, lost: list[tuple[int, int]] | list[list[int]]) -> float:
    """The share of frames [start, end) inside the ``lost`` stretches (start, end exclusive)."""
    inside = sum(max(0, min(end, b) - max(start, a)) for a, b in lost)
    return inside / max(1, end - start)


def note_lost(segments: list[Segment], lost: list[tuple[int, int]]) -> None:
    """Add to the note of each segment with at least :data:`LOST_NOTE_SHARE` of its frames in a
    ``lost`` stretch that the gymnast was not found there (its label is mostly wrong then)."""
    for seg in segments:
        share = lost_share(seg.start_frame, seg.end_frame, lost)
        if share >= LOST_NOTE_SHARE:
            said = f"the gymnast was not found in {share:.0%} of its frames: check it against the video"
            seg.note = f"{seg.note}; {said}" if seg.note else said


def low_found_warning(name: str, result: Any) -> str | None:
    """What to tell the user when the gymnast was lost in many frames, or None."""
    found = result.features.found_rate
    if found >= LOW_FOUND_SHARE:
        return None
    return (f"{name}: the gymnast was found in only {found:.0%} of the frames (the pose estimator lost "
            "her: a busy background, a small or upside-down gymnast, close-ups or cuts); elements where she "
            "was lost may be missing or misread, so check the timeline against the video.")
