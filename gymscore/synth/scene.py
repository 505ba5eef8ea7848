"""The arena: floor and wall textures (crowd, boards, banners) and apparatus to scale as 3D boxes.

Apparatus (metres, world frame of :mod:`gymscore.synth.camera`): floor exercise 12 x 12 m carpet with
a 1 m border; beam 5 m x 10 cm, top at 1.25 m; bars along y, low bar 1.70 m at x = 0, high bar 2.50 m
at x = 1.55; vault table top 1.25 m at x = 0 with the springboard and a 25 m runway toward -x.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from gymscore.synth.motion.bars import BAR_GAP, HIGH_BAR, LOW_BAR
from gymscore.synth.motion.vault import BOARD_X, LANDING_Z

PPM_FLOOR = 20.0
PPM_WALL = 16.0


@dataclass
class Box:
    """An axis-aligned box with a colour (BGR); ``front`` boxes are drawn after the gymnast."""

    lo: tuple[float, float, float]
    hi: tuple[float, float, float]
    colour: tuple[int, int, int]
    front: bool = False

    def corners(self) -> np.ndarray:
        (x0, y0, z0), (x1, y1, z1) = self.lo, self.hi
        return np.array([[x, y, z] for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)], dtype=np.float64)


# Faces of a box as corner indices (corners ordered x-major, then y, then z) and outward normals.
BOX_FACES = (
    ((0, 1, 3, 2), (-1, 0, 0)),
    ((4, 6, 7, 5), (1, 0, 0)),
    ((0, 4, 5, 1), (0, -1, 0)),
    ((2, 3, 7, 6), (0, 1, 0)),
    ((0, 2, 6, 4), (0, 0, -1)),
    ((1, 5, 7, 3), (0, 0, 1)),
)


@dataclass
class Scene:
    """Textures and apparatus of one routine's arena."""

    apparatus: str
    floor: np.ndarray  # texture of the z = 0 plane
    floor_origin: tuple[float, float]  # world (x, y) of the texture's top-left pixel (y decreases downward)
    wall: np.ndarray  # texture of the back wall plane y = wall_y
    wall_origin: tuple[float, float]  # world (x, z) of the wall texture's top-left pixel
    wall_y: float
    ceiling: tuple[int, int, int]
    boxes: list[Box] = field(default_factory=list)
    bars: list[tuple[np.ndarray, np.ndarray, float]] = field(default_factory=list)  # (p0, p1, radius)


def _tint(rng: np.random.Generator) -> np.ndarray:
    return np.clip(rng.normal(1.0, 0.08, 3), 0.8, 1.2) * rng.uniform(0.75, 1.15)


def _colour(base: tuple[int, int, int], tint: np.ndarray) -> tuple[int, int, int]:
    return tuple(int(v) for v in np.clip(np.array(base) * tint, 0, 255))  # type: ignore[return-value]


def _crowd(w: int, h: int, rng: np.random.Generator, tint: np.ndarray) -> np.ndarray:
    """Rows of spectators: dark stands with small coloured blobs (heads, clothes)."""
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = _colour((40, 38, 45), tint)
    row_h = 9
    for y in range(4, h, row_h):
        n = w // 7
        xs = rng.integers(0, w, n)
        cols = rng.integers(20, 230, (n, 3))
        for x, c in zip(xs.tolist(), cols.tolist(), strict=True):
            if rng.uniform() < 0.8:
                cv2.rectangle(img, (x, y + 3), (x + 4, y + row_h - 1), c, -1)
                cv2.circle(
                    img, (x + 2, y + 2), 2, (int(90 * tint[0]), int(120 * tint[1]), int(170 * tint[2])), -1
                )
    return cv2.GaussianBlur(img, (3, 3), 0)


def _boards(img: np.ndarray, y0: int, y1: int, rng: np.random.Generator, tint: np.ndarray) -> None:
    """Advertising boards: coloured panels with light 'lettering' blocks."""
    w = img.shape[1]
    x = 0
    while x < w:
        pw = int(rng.integers(60, 160))
        c = _colour(tuple(int(v) for v in rng.integers(30, 255, 3)), tint)  # type: ignore[arg-type]
        cv2.rectangle(img, (x, y0), (x + pw, y1), c, -1)
        lc = (255, 255, 255) if sum(c) < 380 else (20, 20, 20)
        for k in range(int(rng.integers(2, 6))):
            lx = x + 6 + k * (pw - 12) // 6
            cv2.rectangle(img, (lx, y0 + (y1 - y0) // 3), (lx + (pw - 12) // 8, y1 - (y1 - y0) // 3), lc, -1)
        x += pw + 2


def make_scene(apparatus: str, rng: np.random.Generator) -> Scene:
    """Random arena (colours, crowd, boards, lighting) around the apparatus."""
    tint = _tint(rng)
    x0, x1 = (-45.0, 25.0) if apparatus == "VT" else (-22.0, 22.0)
    y0, y1 = -30.0, 12.0
    fw, fh = int((x1 - x0) * PPM_FLOOR), int((y1 - y0) * PPM_FLOOR)
    floor = np.zeros((fh, fw, 3), np.uint8)
    arena = _colour(tuple(int(v) for v in rng.choice([[70, 60, 55], [60, 70, 90], [90, 80, 70]])), tint)
    floor[:] = arena

    def rect(xa: float, ya: float, xb: float, yb: float, colour) -> None:
        pa = (int((xa - x0) * PPM_FLOOR), int((y1 - yb) * PPM_FLOOR))
        pb = (int((xb - x0) * PPM_FLOOR), int((y1 - ya) * PPM_FLOOR))
        cv2.rectangle(floor, pa, pb, colour, -1)

    podium = _colour((150, 110, 60) if rng.uniform() < 0.5 else (60, 60, 150), tint)
    rect(-10, -8, 10, 8, podium)
    boxes: list[Box] = []
    bars: list[tuple[np.ndarray, np.ndarray, float]] = []
    mat = _colour((170, 120, 40) if rng.uniform() < 0.6 else (60, 140, 60), tint)
    if apparatus == "FX":
        border = _colour((60, 60, 170) if rng.uniform() < 0.5 else (40, 40, 40), tint)
        carpet = _colour((170, 90, 30) if rng.uniform() < 0.7 else (50, 110, 40), tint)
        rect(-7, -7, 7, 7, border)
        rect(-6, -6, 6, 6, carpet)
        a = (int((-6 - x0) * PPM_FLOOR), int((y1 - 6) * PPM_FLOOR))
        b = (int((6 - x0) * PPM_FLOOR), int((y1 + 6) * PPM_FLOOR))
        cv2.rectangle(floor, a, b, (235, 235, 235), 2)
    elif apparatus == "BB":
        rect(-4, -1.5, 4, 1.5, mat)
        wood = _colour((150, 190, 215), tint)
        boxes.append(Box((-2.5, -0.05, 1.09), (2.5, 0.05, 1.25), wood))
        for lx in (-1.9, 1.9):
            boxes.append(
                Box((lx - 0.04, -0.04, 0.1), (lx + 0.04, 0.04, 1.09), _colour((120, 120, 120), tint))
            )
            boxes.append(Box((lx - 0.1, -0.6, 0.0), (lx + 0.1, 0.6, 0.1), _colour((90, 90, 90), tint)))
    elif apparatus == "UB":
        rect(-3.5, -2, 5.0, 2, mat)
        steel = _colour((200, 200, 205), tint)
        frame = _colour((80, 80, 220) if rng.uniform() < 0.5 else (200, 200, 200), tint)
        for bar in (LOW_BAR, HIGH_BAR):
            bx, bz = float(bar[0]), float(bar[2])
            bars.append((np.array([bx, -1.2, bz]), np.array([bx, 1.2, bz]), 0.02))
            for py in (-1.25, 1.25):
                boxes.append(
                    Box((bx - 0.04, py - 0.04, 0.0), (bx + 0.04, py + 0.04, bz), frame, front=py < 0)
                )
        for py in (-1.25, 1.25):
            boxes.append(
                Box((-0.05, py - 0.04, 0.05), (BAR_GAP + 0.05, py + 0.04, 0.13), frame, front=py < 0)
            )
        del steel
    elif apparatus == "VT":
        runway = _colour((90, 70, 160), tint)
        rect(-26, -0.6, BOARD_X - 0.5, 0.6, runway)
        boxes.append(Box((0.7, -1.5, 0.0), (7.0, 1.5, LANDING_Z), mat))
        boxes.append(Box((-0.55, -0.47, 1.05), (0.55, 0.47, 1.25), _colour((200, 200, 210), tint)))
        boxes.append(Box((-0.2, -0.2, 0.0), (0.2, 0.2, 1.05), _colour((60, 60, 60), tint)))
        boxes.append(
            Box((BOARD_X - 0.6, -0.3, 0.0), (BOARD_X + 0.4, 0.3, 0.2), _colour((60, 140, 220), tint))
        )
    floor = cv2.GaussianBlur(floor, (3, 3), 0)
    wx0, wx1, wz1 = x0 - 20, x1 + 20, 24.0
    ww, wh = int((wx1 - wx0) * PPM_WALL), int(wz1 * PPM_WALL)
    wall = _crowd(ww, wh, rng, tint)
    _boards(wall, wh - int(1.0 * PPM_WALL), wh, rng, tint)
    _boards(wall, wh - int(6.5 * PPM_WALL), wh - int(5.5 * PPM_WALL), rng, tint)
    return Scene(
        apparatus,
        floor,
        (x0, y1),
        wall,
        (wx0, wz1),
        14.0 if apparatus != "VT" else 16.0,
        _colour((30, 28, 30), tint),
        boxes,
        bars,
    )
