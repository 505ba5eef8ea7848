"""Draw a 17-joint skeleton on a frame (for contact sheets, debugging and exports)."""

from __future__ import annotations

import cv2
import numpy as np

from gymscore.skeleton import BONES

LEFT = (60, 220, 60)
RIGHT = (40, 120, 255)
CENTRE = (255, 220, 60)
INTERPOLATED = (200, 200, 200)


def _colour(child: int) -> tuple[int, int, int]:
    if child in (0, 2):
        return CENTRE
    return LEFT if child % 2 == 1 else RIGHT


def draw_skeleton(
    image: np.ndarray,
    joints: np.ndarray,
    visibility: np.ndarray | None = None,
    min_visibility: float = 0.1,
    interpolated: bool = False,
    thickness: int = 2,
) -> np.ndarray:
    """Draw bones and joints in place on a BGR image and return it (grey when interpolated)."""
    vis = np.ones(len(joints)) if visibility is None else visibility
    pts = [tuple(int(round(v)) for v in p) for p in joints]
    for a, b in BONES:
        if vis[a] >= min_visibility and vis[b] >= min_visibility:
            colour = INTERPOLATED if interpolated else _colour(b)
            cv2.line(image, pts[a], pts[b], colour, thickness, cv2.LINE_AA)
    for i, p in enumerate(pts):
        if vis[i] >= min_visibility:
            cv2.circle(image, p, thickness + 1, (255, 255, 255), -1, cv2.LINE_AA)
    return image
