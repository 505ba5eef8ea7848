"""Keep the gymnast, not a judge or the crowd, across frames; fill the frames where she was lost.

How the gymnast is chosen (:class:`GymnastTracker`):

* **Acquire.** With no live track, the estimator looks at the whole frame and at one crop. After a
  loss, the crop is the place where she was lost at 2.5 times her size, upright on one try and turned
  180 degrees on the next (inverted on the bar), and on every third try a crop around the centre of
  the strong residual motion (camera pan removed): gymnasts move, judges and spectators mostly do
  not. Without such a place, tries alternate between the motion crop and a sweep of the centre, left
  and right of the frame (a small gymnast standing still makes no motion). The motion crop is centred
  on the mean of the cells holding at least half the peak motion, not on the peak itself (a swinging
  foot). These crops, and the turned crops below, use the estimator's ``detect_weak`` when it has one
  (a lower detector threshold: small or inverted gymnasts on bars and beam often score below the usual
  one); whole frames and the crops around a live prediction keep the usual threshold, which keeps
  floor and vault tracking as it was. Candidates are scored by landmark visibility, size, closeness
  to the image centre and motion inside their box; the best one above ``min_score`` starts the track.
* **Follow.** The track predicts the next box (constant velocity). A whole-frame detection (BlazePose's
  own ROI tracking) is accepted only if it lies near the prediction and has a similar size. Otherwise
  the estimator is re-run on a crop around the prediction (re-detection where she should be), and a
  far-away person is rejected. When both fail, the crop turned by 180, 90 or 270 degrees is tried
  (inverted or sideways bodies).
* **Lean.** With ``lean`` (a full-rate pass follows: :mod:`gymscore.features.densify` estimates the
  elements' frames again) and an estimator that offers ``detect_follow`` (BlazePose's tracking mode on
  a square crop around the prediction, which follows her at the cost of one landmark pass a frame),
  a live track spends one call on most frames: the following crop. Where it loses her (mostly in
  saltos, which the full-rate pass does again; a failing call costs two or three times a good one),
  the next frame is skipped and the one after tried again with the following crop (which then runs
  its detector); from the 4th lost frame the turned crop is tried as well. The whole frame is looked
  at every ``lean_probe_every`` followed frames for a clearly better person elsewhere (a camera cut
  the motion did not show). Measured in ``bench/results/analysis.md`` and ``accuracy_*_fast.md``.
* **Lose.** After ``lost_after`` processed frames without an accepted detection (a scene cut, a
  close-up) the track is dropped and acquisition starts again.

:func:`gymscore.features.gaps.fill_gaps` then interpolates joints through gaps of up to ``max_gap``
frames (BlazePose loses inverted bodies in fast saltos) and across the frames skipped by the stride.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gymscore.features.pose import Box, PoseCandidate, PoseEstimator


@dataclass
class Track:
    """The gymnast's box over time (centre, size, velocity in pixels per processed frame)."""

    center: np.ndarray
    size: float
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(2))
    last_index: int = 0
    misses: int = 0
    hits: int = 1

    def predict(self, index: int) -> tuple[np.ndarray, float]:
        """Predicted centre and size at processed-frame ``index``."""
        steps = index - self.last_index
        return self.center + self.velocity * steps, self.size

    def update(self, cand: PoseCandidate, index: int) -> None:
        c = np.asarray(cand.center, dtype=np.float64)
        steps = max(index - self.last_index, 1)
        new_v = (c - self.center) / steps
        self.velocity = 0.5 * self.velocity + 0.5 * new_v
        self.center = c
        self.size = 0.6 * self.size + 0.4 * cand.size
        self.last_index = index
        self.misses = 0
        self.hits += 1


def roi_around(center: np.ndarray, size: float, margin: float, width: int, height: int) -> Box:
    """A square box of side ``size * margin`` centred on ``center``, clipped to the image."""
    half = size * margin / 2
    x0, y0 = max(0.0, center[0] - half), max(0.0, center[1] - half)
    x1, y1 = min(float(width), center[0] + half), min(float(height), center[1] + half)
    return (x0, y0, x1, y1)


def motion_in_box(motion: np.ndarray | None, box: Box, width: int, height: int) -> float:
    """Mean of a (coarse) motion-magnitude map inside a box given in image pixels."""
    if motion is None or motion.size == 0:
        return 0.0
    mh, mw = motion.shape
    sx, sy = mw / width, mh / height
    x0, y0 = int(max(0, box[0] * sx)), int(max(0, box[1] * sy))
    x1, y1 = int(min(mw, np.ceil(box[2] * sx))), int(min(mh, np.ceil(box[3] * sy)))
    if x1 <= x0 or y1 <= y0:
        return 0.0
    return float(motion[y0:y1, x0:x1].mean())


def motion_centre(motion: np.ndarray, width: int, height: int, share: float = 0.5) -> np.ndarray | None:
    """Centre (image pixels) of the cells of a coarse motion map holding at least ``share`` of its
    peak, weighted by their motion; None without motion."""
    peak = float(motion.max()) if motion is not None and motion.size else 0.0
    if peak <= 0:
        return None
    mh, mw = motion.shape
    weight = np.where(motion >= share * peak, motion, 0.0)
    ys, xs = np.mgrid[0:mh, 0:mw]
    total = float(weight.sum())
    return np.array([float((weight * (xs + 0.5)).sum()) / total * width / mw,
                     float((weight * (ys + 0.5)).sum()) / total * height / mh])


def candidate_score(cand: PoseCandidate, width: int, height: int, motion: np.ndarray | None = None) -> float:
    """How likely a candidate is the gymnast: visible, large, central and moving."""
    cx, cy = cand.center
    off = np.hypot((cx - width / 2) / width, (cy - height / 2) / height)  # 0 centre .. ~0.7 corner
    centrality = 1.0 - 0.8 * min(off / 0.7, 1.0)
    size = min(cand.size / height, 1.0)
    score = cand.score * (0.3 + size) * centrality
    if motion is not None and motion.size and motion.max() > 0:
        score *= 0.5 + motion_in_box(motion, cand.box, width, height) / float(motion.max())
    return float(score)


class GymnastTracker:
    """Follows one person through a video using a single-person :class:`PoseEstimator`."""

    def __init__(
        self,
        estimator: PoseEstimator,
        width: int,
        height: int,
        lost_after: int = 8,
        gate: float = 0.9,
        roi_margin: float = 1.8,
        min_score: float = 0.15,
        switch_ratio: float = 2.0,
        shrink: float = 0.75,
        try_rotations: bool = True,
        min_rotated_score: float = 0.6,
        roi_first: bool = True,
        probe_every: int = 6,
        reacquire_margin: float = 2.5,
        lean: bool = False,
        lean_probe_every: int = 15,
    ) -> None:
        """``lean``: the lean mode of the module docstring (when the estimator has ``detect_follow``)."""
        self.estimator = estimator
        self.width, self.height = width, height
        self.lost_after = lost_after
        self.gate = gate
        self.roi_margin = roi_margin
        self.min_score = min_score
        self.switch_ratio = switch_ratio
        self.shrink = shrink
        self.try_rotations = try_rotations
        self.min_rotated_score = min_rotated_score
        self.roi_first = roi_first
        self.probe_every = probe_every
        self.reacquire_margin = reacquire_margin
        # Crops where she is expected but hard to see take a lower detector threshold when the
        # estimator offers one (``detect_weak``).
        self._detect_weak = getattr(estimator, "detect_weak", estimator.detect)
        self._follow = getattr(estimator, "detect_follow", None) if lean else None
        self.lean_probe_every = lean_probe_every
        self._follow_streak = 0  # frames in a row the following crop found her
        self._roi_streak = 0  # frames in a row where the crop found her and the whole frame did not
        self._last_place: tuple[np.ndarray, float] | None = None  # where a dropped track was last seen
        self._acquire_tries = 0
        self._sweep = 0  # next place of the centre/left/right sweep
        self.track: Track | None = None
        self.stats = dict.fromkeys(("full", "roi", "rotated", "follow", "rejected", "acquired", "switched",
                                    "cuts"), 0)

    def consistent(self, cand: PoseCandidate, index: int) -> bool:
        """Whether a candidate lies where the track expects the gymnast, with a similar size. After a
        miss, near where she was last seen counts too: the constant-velocity guess can run away (off
        the frame, on a real bar clip) while she swings back."""
        assert self.track is not None
        center, size = self.track.predict(index)
        steps = max(index - self.track.last_index, 1)
        gate = size * min(self.gate + 0.25 * (steps - 1), 2.5)
        dist = float(np.hypot(*(np.asarray(cand.center) - center)))
        if self.track.misses:
            dist = min(dist, float(np.hypot(*(np.asarray(cand.center) - self.track.center))))
        ratio = cand.size / max(size, 1.0)
        return dist <= gate and 0.4 <= ratio <= 2.5

    def _acquire(self, index: int, rgb: np.ndarray, motion: np.ndarray | None) -> PoseCandidate | None:
        cands = []
        full = self.estimator.detect(rgb)
        self.stats["full"] += 1
        if full is not None:
            cands.append(full)
        moving = motion is not None and motion.size and motion.max() > 0
        roi, turn = None, 0
        tries = self._acquire_tries
        centre = motion_centre(motion, self.width, self.height) if moving else None
        if self._last_place is not None and (tries % 3 != 2 or centre is None):
            # Where she was lost, at her size: upright, then turned 180 degrees (inverted on the bar).
            roi = roi_around(self._last_place[0], self._last_place[1], self.reacquire_margin,
                             self.width, self.height)
            turn = 2 if tries % 3 == 1 else 0
        elif centre is not None and (tries % 2 == 0 or self._last_place is not None):
            roi = roi_around(centre, 0.7 * self.height, 1.0, self.width, self.height)
        elif full is None:
            x = self.width * (0.5, 0.2, 0.8)[self._sweep % 3]
            self._sweep += 1
            roi = roi_around(np.array([x, self.height / 2]), 0.6 * self.height, 1.0,
                             self.width, self.height)
        self._acquire_tries += 1
        if roi is not None and turn:
            c = self._detect_turned(rgb, roi, turn)
            if c is not None and c.score >= self.min_rotated_score:
                cands.append(c)
        elif roi is not None and (full is None or not _inside(full.center, roi)):
            c = self._detect_weak(rgb, roi)
            self.stats["roi"] += 1
            if c is not None:
                cands.append(c)
        scored = [(candidate_score(c, self.width, self.height, motion), i) for i, c in enumerate(cands)]
        scored = [s for s in scored if s[0] >= self.min_score]
        if not scored:
            return None
        best = cands[max(scored)[1]]
        self.track = Track(np.asarray(best.center, dtype=np.float64), best.size, last_index=index)
        self.stats["acquired"] += 1
        self._last_place, self._acquire_tries = None, 0
        return best

    def _detect_turned(self, rgb: np.ndarray, roi: Box, k: int) -> PoseCandidate | None:
        """The estimator on the ROI crop turned by ``k`` quarter turns, mapped back to image pixels."""
        x0, y0, x1, y1 = (int(v) for v in roi)
        crop = rgb[y0:y1, x0:x1]
        if crop.shape[0] < 16 or crop.shape[1] < 16:
            return None
        turned = np.ascontiguousarray(np.rot90(crop, k))
        th, tw = turned.shape[:2]
        cand = self._detect_weak(turned, (0.0, 0.0, float(tw), float(th)))
        self.stats["rotated"] += 1
        return None if cand is None else unrotate(cand, k, crop.shape[1], crop.shape[0], x0, y0)

    def _detect_rotated(self, rgb: np.ndarray, roi: Box, index: int) -> PoseCandidate | None:
        """Look for an inverted or sideways body in the ROI crop turned by 180, 90 or 270 degrees.

        One turn per lost frame (180, then 90, then 270 on the following ones) keeps the cost of a
        long loss at one extra estimator call per frame.
        """
        k = (2, 1, 3)[self.track.misses % 3] if self.track is not None else 2
        cand = self._detect_turned(rgb, roi, k)
        if cand is None:
            return None
        if cand.score >= self.min_rotated_score and self.consistent(cand, index):
            return cand
        return None

    def new_shot(self) -> None:
        """A camera cut: forget where she was (the next frame acquires afresh)."""
        if self.track is not None:
            self.stats["cuts"] += 1
        self.track = None
        self._last_place = None
        self.estimator.reset()
        self._reset_follow()

    def _reset_follow(self) -> None:
        self._follow_streak = 0
        if self._follow is not None:
            self.estimator.reset_follow()

    def _update_lean(self, index: int, rgb: np.ndarray, motion: np.ndarray | None) -> PoseCandidate | None:
        """One frame of a live track in lean mode (see the module docstring)."""
        assert self.track is not None and self._follow is not None
        misses = self.track.misses
        if misses % 2 == 1:  # she was lost on the last frame looked at (a salto): skip this one
            self._miss()
            return None
        center, size = self.track.predict(index)
        steps = index - self.track.last_index
        half = size * (self.roi_margin + 0.3 * min(steps, 4)) / 2
        cand = self._follow(rgb, (center[0] - half, center[1] - half, center[0] + half, center[1] + half))
        self.stats["follow"] += 1
        if cand is not None and not self.consistent(cand, index):
            self._reset_follow()  # the crop holds someone else: detect afresh next time
            cand = None
        if cand is not None:
            self._follow_streak += 1
            if self._follow_streak % self.lean_probe_every == 0:
                other = self.estimator.detect(rgb)
                self.stats["full"] += 1
                if (other is not None and not self.consistent(other, index)
                        and self._clearly_better(other, cand, motion)):
                    self.track = Track(np.asarray(other.center, np.float64), other.size, last_index=index)
                    self.stats["switched"] += 1
                    self._reset_follow()
                    return other
            self.track.update(cand, index)
            return cand
        self._follow_streak = 0
        if misses >= 4 and self.try_rotations and self.track.size >= 0.2 * self.height:
            found = self._detect_rotated(rgb, self._roi(index), index)
            if found is not None:
                self.track.update(found, index)
                return found
        self._miss()
        return None

    def _miss(self) -> None:
        assert self.track is not None
        self.track.misses += 1
        if self.track.misses >= self.lost_after:
            self._last_place = (self.track.center.copy(), self.track.size)
            self.track = None
            self.estimator.reset()
            self._reset_follow()

    def _clearly_better(self, a: PoseCandidate, b: PoseCandidate, motion: np.ndarray | None) -> bool:
        sa = candidate_score(a, self.width, self.height, motion)
        sb = candidate_score(b, self.width, self.height, motion)
        return sa > self.switch_ratio * sb

    def _roi(self, index: int) -> Box:
        assert self.track is not None
        center, size = self.track.predict(index)
        steps = index - self.track.last_index
        return roi_around(center, size, self.roi_margin + 0.3 * min(steps, 4), self.width, self.height)

    def _detect_in_roi(self, rgb: np.ndarray, roi: Box, index: int) -> PoseCandidate | None:
        cand = self.estimator.detect(rgb, roi)
        self.stats["roi"] += 1
        return cand if cand is not None and self.consistent(cand, index) else None

    def update(self, index: int, rgb: np.ndarray, motion: np.ndarray | None = None) -> PoseCandidate | None:
        """Process frame ``index`` (processed-frame counter); the gymnast's pose or None.

        Estimator calls are spent where they find her: while BlazePose's whole-frame tracking keeps
        losing her and the crop around the prediction finds her, the crop is tried first (the
        whole frame again every ``probe_every`` frames); while she stays lost, the rotated crop is
        tried on every other frame after the first two.
        """
        if self.track is None:
            self._roi_streak = 0
            return self._acquire(index, rgb, motion)
        if self._follow is not None:
            return self._update_lean(index, rgb, motion)
        roi_tried = False
        if self.roi_first and self._roi_streak and self._roi_streak % self.probe_every:
            roi = self._roi(index)
            roi_tried = True
            found = self._detect_in_roi(rgb, roi, index)
            if found is not None:
                self.track.update(found, index)
                self._roi_streak += 1
                return found
        cand = self.estimator.detect(rgb)
        self.stats["full"] += 1
        if cand is not None and self.consistent(cand, index):
            self._roi_streak = 0
            if cand.size < self.shrink * self.track.size:
                # BlazePose's own tracking may drift onto someone further away (a camera cut while
                # she runs): ask the detector on the whole frame for a second opinion.
                other = self.estimator.detect(rgb, (0.0, 0.0, float(self.width), float(self.height)))
                self.stats["roi"] += 1
                if other is not None and self._clearly_better(other, cand, motion):
                    self.track = Track(np.asarray(other.center, np.float64), other.size, last_index=index)
                    self.estimator.reset()
                    self.stats["switched"] += 1
                    return other
            self.track.update(cand, index)
            return cand
        if cand is not None:
            self.stats["rejected"] += 1
        roi = self._roi(index)
        misses = self.track.misses
        cand2 = None if roi_tried else self._detect_in_roi(rgb, roi, index)
        if cand2 is not None:
            if cand is not None and self._clearly_better(cand, cand2, motion):
                # A camera cut or zoom: the person the whole-frame detector sees is far more likely
                # the gymnast (bigger, more visible, moving) than what is left where she was.
                self.track = Track(np.asarray(cand.center, dtype=np.float64), cand.size, last_index=index)
                self.stats["switched"] += 1
                self._roi_streak = 0
                return cand
            self.track.update(cand2, index)
            self._roi_streak += 1
            if cand is not None:
                self.estimator.reset()  # the whole-frame tracker follows someone else: re-detect
            return cand2
        self._roi_streak = 0
        if self.try_rotations and self.track.size >= 0.2 * self.height and (misses < 2 or misses % 2):
            rotated = self._detect_rotated(rgb, roi, index)
            if rotated is not None:
                self.track.update(rotated, index)
                return rotated
        self._miss()
        return None


def unrotate(cand: PoseCandidate, k: int, width: int, height: int, dx: float, dy: float) -> PoseCandidate:
    """Map a candidate found in ``np.rot90(crop, k)`` back to image pixels (crop ``width`` x ``height``
    whose top-left corner is at ``(dx, dy)``)."""
    def back(pts: np.ndarray) -> np.ndarray:
        xr, yr = pts[:, 0], pts[:, 1]
        if k % 4 == 1:
            x, y = width - 1 - yr, xr
        elif k % 4 == 2:
            x, y = width - 1 - xr, height - 1 - yr
        elif k % 4 == 3:
            x, y = yr, height - 1 - xr
        else:
            x, y = xr, yr
        return np.stack([x + dx, y + dy], axis=1).astype(np.float32)

    joints = back(cand.joints)
    corners = back(np.array([[cand.box[0], cand.box[1]], [cand.box[2], cand.box[3]]], dtype=np.float32))
    box = (float(corners[:, 0].min()), float(corners[:, 1].min()),
           float(corners[:, 0].max()), float(corners[:, 1].max()))
    return PoseCandidate(joints, cand.visibility, box, cand.score, from_roi=True)


def _inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]
