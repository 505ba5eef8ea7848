"""OpenCV renderer: textured floor and wall by homography, apparatus boxes and bars, and the gymnast
as shaded tapered capsules (skin, leotard, a head with hair) in painter's order by depth.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from gymscore.synth.body import BodyParams
from gymscore.synth.camera import CameraTrack
from gymscore.synth.scene import BOX_FACES, PPM_FLOOR, PPM_WALL, Scene

SKIN = ((160, 190, 230), (120, 160, 210), (90, 130, 185), (60, 90, 140), (175, 200, 235))
HAIR = ((20, 20, 25), (30, 50, 90), (60, 110, 170), (40, 40, 60))
LIGHT_DIR = np.array([0.3, -0.5, 0.8]) / np.linalg.norm([0.3, -0.5, 0.8])


@dataclass
class Look:
    """How the gymnast and the image look in one routine."""

    skin: tuple[int, int, int]
    leotard: tuple[int, int, int]
    leotard2: tuple[int, int, int]
    hair: tuple[int, int, int]
    sleeves: bool
    blur: float  # motion blur strength 0..1
    noise: float  # noise sigma (grey levels)
    jpeg: int  # JPEG quality for compression artefacts (0 = off)


def make_look(rng: np.random.Generator, mode: str) -> Look:
    """Random colours and image degradations for a camera mode."""
    hsv = np.uint8([[[rng.integers(0, 180), rng.integers(120, 255), rng.integers(90, 240)]]])
    leo = tuple(int(v) for v in cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0])
    leo2 = (
        tuple(int(v * 0.6) for v in leo)
        if rng.uniform() < 0.5
        else tuple(int(min(255, v * 1.4)) for v in leo)
    )
    hard = mode == "hard"
    return Look(
        skin=SKIN[int(rng.integers(len(SKIN)))],
        leotard=leo,
        leotard2=leo2,  # type: ignore[arg-type]
        hair=HAIR[int(rng.integers(len(HAIR)))],
        sleeves=bool(rng.uniform() < 0.5),
        blur=float(rng.uniform(0.3, 0.6) if hard else rng.uniform(0.0, 0.3)),
        noise=float(rng.uniform(4, 9) if hard else rng.uniform(0.0, 3.0)),
        jpeg=int(rng.integers(25, 50)) if hard else 0,
    )


def _shade(c: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    return (int(min(255, c[0] * k)), int(min(255, c[1] * k)), int(min(255, c[2] * k)))


class Renderer:
    """Draws frames of one routine (scene, camera, look fixed)."""

    def __init__(
        self, scene: Scene, cam: CameraTrack, body: BodyParams, look: Look, rng: np.random.Generator
    ):
        self.scene, self.cam, self.body, self.look = scene, cam, body, look
        w, h = cam.size
        self.size = (w, h)
        fx0, fy0 = scene.floor_origin
        self.floor_tex = np.array([[1 / PPM_FLOOR, 0, fx0], [0, -1 / PPM_FLOOR, fy0], [0, 0, 1]])
        wx0, wz0 = scene.wall_origin
        self.wall_tex = np.array([[1 / PPM_WALL, 0, wx0], [0, -1 / PPM_WALL, wz0], [0, 0, 1]])
        noise = rng.normal(0, 1, (h + 64, w + 64, 3)) * look.noise if look.noise > 0 else None
        self.noise_pos = np.clip(noise, 0, 255).astype(np.uint8) if noise is not None else None
        self.noise_neg = np.clip(-noise, 0, 255).astype(np.uint8) if noise is not None else None
        self._views: list | None = None
        self.rng = rng
        self.prev: np.ndarray | None = None
        # limb radii (m) per bone (parent, child)
        self.limbs = (
            (3, 5, 0.05, 0.04, "arm"),
            (5, 7, 0.04, 0.032, "arm"),
            (4, 6, 0.05, 0.04, "arm"),
            (6, 8, 0.04, 0.032, "arm"),
            (9, 11, 0.08, 0.055, "leg"),
            (11, 13, 0.055, 0.038, "leg"),
            (10, 12, 0.08, 0.055, "leg"),
            (12, 14, 0.055, 0.038, "leg"),
            (13, 15, 0.035, 0.025, "foot"),
            (14, 16, 0.035, 0.025, "foot"),
            (1, 0, 0.045, 0.045, "neck"),
        )

    # --- background -----------------------------------------------------------------------------
    def _static_view(self, K: np.ndarray, R: np.ndarray, t: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """Ceiling, floor and wall textures (by homography), then apparatus behind the gymnast."""
        sc = self.scene
        w, h = size
        img = np.empty((h, w, 3), np.uint8)
        img[...] = np.array(sc.ceiling, np.uint8)
        hf = K @ np.column_stack([R[:, 0], R[:, 1], t]) @ self.floor_tex
        cv2.warpPerspective(
            sc.floor, hf, (w, h), dst=img, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT
        )
        hw = K @ np.column_stack([R[:, 0], R[:, 2], R[:, 1] * sc.wall_y + t]) @ self.wall_tex
        cv2.warpPerspective(
            sc.wall, hw, (w, h), dst=img, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT
        )
        self._boxes(img, K, R, t, front=False)
        self._bars(img, K, R, t, front=False)
        return img

    def _shot_views(self) -> list[tuple[int, int, np.ndarray | None, np.ndarray | None]]:
        """Per camera shot (fixed centre): a wide reference view covering every frame of the shot.

        A camera that only rotates and zooms sees the static scene through a homography of one
        reference image, so each frame costs one warp. Returns (start, end, K_ref @ R_ref, image).
        """
        cam = self.cam
        n = len(cam.K)
        w, h = self.size
        bounds = [0, *cam.cuts, n]
        corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1], [w / 2, 0, 1], [w / 2, h, 1]], float)
        views = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            mid = (a + b) // 2
            r_ref = cam.R[mid]
            f_ref = float(cam.K[a:b, 0, 0].max())
            idx = np.unique(np.r_[np.arange(a, b, 3), b - 1])
            rays = np.einsum("tij,nj->tni", np.linalg.inv(cam.K[idx]), corners)
            world = np.einsum("tji,tnj->tni", cam.R[idx], rays)
            ref = world @ r_ref.T
            if (ref[..., 2] < 0.2 * np.linalg.norm(ref, axis=-1)).any():
                views.append((a, b, None, None))
                continue
            uv = ref[..., :2] / ref[..., 2:3]
            lo, hi = uv.reshape(-1, 2).min(0), uv.reshape(-1, 2).max(0)
            scale = min(1.0, np.sqrt(8e6 / max(((hi - lo) * f_ref).prod(), 1.0)))
            f = f_ref * scale
            lo_px, hi_px = lo * f - 4, hi * f + 4
            size = (int(np.ceil(hi_px[0] - lo_px[0])), int(np.ceil(hi_px[1] - lo_px[1])))
            k_ref = np.array([[f, 0, -lo_px[0]], [0, f, -lo_px[1]], [0, 0, 1]])
            t_ref = -r_ref @ cam.centres[mid]
            views.append((a, b, k_ref @ r_ref, self._static_view(k_ref, r_ref, t_ref, size)))
        return views

    def background(self, i: int) -> np.ndarray:
        """The static scene of frame ``i``."""
        if self._views is None:
            self._views = self._shot_views()
        cam = self.cam
        for a, b, kr, img in self._views:
            if a <= i < b:
                if img is None:
                    break
                hom = cam.K[i] @ cam.R[i] @ np.linalg.inv(kr)
                return cv2.warpPerspective(
                    img, hom, self.size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
                )
        return self._static_view(cam.K[i], cam.R[i], cam.t[i], self.size)

    def _project(self, i: int, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _project(self.cam.K[i], self.cam.R[i], self.cam.t[i], pts)

    def _boxes(self, img: np.ndarray, K: np.ndarray, R: np.ndarray, t: np.ndarray, front: bool) -> None:
        centre = -R.T @ t
        for box in self.scene.boxes:
            if box.front != front:
                continue
            c = box.corners()
            uv, z = _project(K, R, t, c)
            if (z < 0.2).any():
                continue
            for idx, normal in BOX_FACES:
                nrm = np.array(normal, dtype=np.float64)
                if np.dot(c[idx[0]] - centre, nrm) >= 0:
                    continue
                k = 0.55 + 0.45 * max(0.0, float(nrm @ LIGHT_DIR))
                cv2.fillConvexPoly(img, np.round(uv[list(idx)]).astype(np.int32), _shade(box.colour, k))

    def _bars(self, img: np.ndarray, K: np.ndarray, R: np.ndarray, t: np.ndarray, front: bool) -> None:
        for p0, p1, r in self.scene.bars:
            mid = (p0 + p1) / 2 - np.array([0, 0.2, 0])
            a, b = (p0, mid) if front else (mid, p1)
            uv, z = _project(K, R, t, np.stack([a, b]))
            if (z < 0.2).any():
                continue
            th = max(1, int(round(2 * r * K[0, 0] / z.mean())))
            p, q = np.round(uv).astype(int)
            cv2.line(img, (int(p[0]), int(p[1])), (int(q[0]), int(q[1])), (215, 215, 220), th, cv2.LINE_AA)

    # --- gymnast --------------------------------------------------------------------------------
    def _gymnast(self, img: np.ndarray, i: int, joints: np.ndarray) -> None:
        uv, z = self._project(i, joints)
        if (z < 0.3).any():
            return
        f = self.cam.K[i, 0, 0]
        look = self.look
        pelvis_z = z[2]
        up = joints[1] - joints[2]
        side = joints[9] - joints[10]
        fwd = np.cross(side, up)
        fwd /= max(np.linalg.norm(fwd), 1e-9)
        parts: list[tuple[float, int, object]] = []
        for a, b, ra, rb, kind in self.limbs:
            if kind == "arm":
                col = look.leotard if look.sleeves else look.skin
            elif kind == "foot":
                col = _shade(look.skin, 0.95)
            else:
                col = look.skin
            parts.append(
                ((z[a] + z[b]) / 2, len(parts), ("capsule", a, b, ra * f / z[a], rb * f / z[b], col))
            )
        # hands: extend the forearm
        for el, wr in ((5, 7), (6, 8)):
            d = joints[wr] - joints[el]
            tip = joints[wr] + d / max(np.linalg.norm(d), 1e-9) * self.body.hand * 0.8
            tuv, tz = self._project(i, tip[None])
            parts.append(
                (
                    float((z[wr] + tz[0]) / 2),
                    len(parts),
                    ("hand", uv[wr], tuv[0], 0.03 * f / z[wr], look.skin),
                )
            )
        torso_z = float(z[[1, 2, 3, 4, 9, 10]].mean())
        parts.append((torso_z, len(parts), ("torso",)))
        parts.append((float(z[0]) - 0.01, len(parts), ("head", fwd)))
        parts.sort(key=lambda p: (-p[0], p[1]))
        for depth, _, part in parts:
            k = 0.78 if depth > pelvis_z + 0.05 else 1.0
            kind = part[0]
            if kind == "capsule":
                _, a, b, ra, rb, col = part
                _capsule(img, uv[a], uv[b], ra, rb, _shade(col, k))
            elif kind == "hand":
                _, p0, p1, r, col = part
                _capsule(img, p0, p1, r, r * 0.8, _shade(col, k))
            elif kind == "torso":
                self._torso(img, uv, z, f)
            else:
                self._head(img, i, uv, z, joints, f, part[1])

    def _torso(self, img: np.ndarray, uv: np.ndarray, z: np.ndarray, f: float) -> None:
        look = self.look
        ls, rs, lh, rh, neck, pel = uv[3], uv[4], uv[9], uv[10], uv[1], uv[2]
        waist_l = 0.55 * ls + 0.45 * lh
        waist_r = 0.55 * rs + 0.45 * rh
        r_sh = 0.06 * f / z[1]
        r_hip = 0.085 * f / z[2]
        _capsule(img, neck, pel, r_sh * 1.6, r_hip * 1.3, look.leotard)
        poly = np.array([ls, waist_l, lh, rh, waist_r, rs])
        cv2.fillPoly(img, [np.round(poly).astype(np.int32)], look.leotard)
        for a, b in ((ls, lh), (rs, rh)):
            _capsule(img, a, 0.5 * (a + b), r_sh, r_sh * 0.9, look.leotard)
        _capsule(img, lh, rh, r_hip, r_hip, look.leotard2)

    def _head(self, img, i, uv, z, joints, f, fwd) -> None:
        look = self.look
        r = self.body.head_radius * f / z[0]
        back_uv, _ = self._project(i, (joints[0] - fwd * 0.07 + (joints[0] - joints[1]) * 0.25)[None])
        face_uv, _ = self._project(i, (joints[0] + fwd * 0.03)[None])
        c = tuple(np.round(uv[0]).astype(int))
        cv2.circle(img, c, max(1, int(r)), look.skin, -1, cv2.LINE_AA)
        cv2.circle(
            img, tuple(np.round(back_uv[0]).astype(int)), max(1, int(r * 0.85)), look.hair, -1, cv2.LINE_AA
        )
        bun_uv, _ = self._project(i, (joints[0] - fwd * 0.12 + (joints[0] - joints[1]) * 0.5)[None])
        cv2.circle(
            img, tuple(np.round(bun_uv[0]).astype(int)), max(1, int(r * 0.4)), look.hair, -1, cv2.LINE_AA
        )
        cv2.circle(
            img, tuple(np.round(face_uv[0]).astype(int)), max(1, int(r * 0.7)), look.skin, -1, cv2.LINE_AA
        )

    # --- frame ----------------------------------------------------------------------------------
    def frame(self, i: int, joints: np.ndarray) -> np.ndarray:
        """Frame ``i`` with the gymnast's world joints (17,3)."""
        img = self.background(i)
        self._gymnast(img, i, joints)
        K, R, t = self.cam.K[i], self.cam.R[i], self.cam.t[i]
        self._boxes(img, K, R, t, front=True)
        self._bars(img, K, R, t, front=True)
        if self.look.blur > 0 and self.prev is not None and i not in self.cam.cuts:
            img = cv2.addWeighted(img, 1.0 - 0.5 * self.look.blur, self.prev, 0.5 * self.look.blur, 0)
        self.prev = img
        out = img
        if self.noise_pos is not None and self.noise_neg is not None:
            h, w = img.shape[:2]
            oy, ox = int(self.rng.integers(0, 64)), int(self.rng.integers(0, 64))
            out = cv2.subtract(
                cv2.add(img, self.noise_pos[oy : oy + h, ox : ox + w]),
                self.noise_neg[oy : oy + h, ox : ox + w],
            )
        if self.look.jpeg:
            ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, self.look.jpeg])
            out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        return out


def _project(K: np.ndarray, R: np.ndarray, t: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (N,2) and depths (N,) of world points (N,3) for one camera."""
    pc = pts @ R.T + t
    z = pc[:, 2]
    uv = (pc[:, :2] / np.maximum(z, 1e-3)[:, None]) * K[0, 0] + K[:2, 2]
    return uv, z


def _capsule(img: np.ndarray, p0: np.ndarray, p1: np.ndarray, r0: float, r1: float, col) -> None:
    """A filled tapered capsule between two image points."""
    d = p1 - p0
    n = np.array([-d[1], d[0]])
    ln = np.hypot(*n)
    if ln > 1e-6:
        n = n / ln
        poly = np.array([p0 + n * r0, p1 + n * r1, p1 - n * r1, p0 - n * r0])
        cv2.fillConvexPoly(img, np.round(poly * 16).astype(np.int32), col, cv2.LINE_AA, 4)
    cv2.circle(
        img,
        (int(round(p0[0] * 16)), int(round(p0[1] * 16))),
        max(1, int(round(r0 * 16))),
        col,
        -1,
        cv2.LINE_AA,
        4,
    )
    cv2.circle(
        img,
        (int(round(p1[0] * 16)), int(round(p1[1] * 16))),
        max(1, int(round(r1 * 16))),
        col,
        -1,
        cv2.LINE_AA,
        4,
    )
