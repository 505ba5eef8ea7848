"""The video: frames drawn on a QGraphicsView with an optional skeleton overlay, and the playback clock."""

from __future__ import annotations

import time

import cv2
import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView

from gymscore.gui.frame_source import FrameSource
from gymscore.skeleton import BONES

SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0)


def frame_to_qimage(frame: np.ndarray) -> QImage:
    """A QImage sharing nothing with the BGR array (safe after the array is freed)."""
    h, w = frame.shape[:2]
    frame = np.ascontiguousarray(frame)
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()


class VideoView(QGraphicsView):
    """Shows one frame, scaled to fit, with the detected skeleton drawn over it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setBackgroundBrush(QColor(18, 18, 22))
        self.setMinimumSize(320, 200)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._skeleton = QGraphicsPathItem()
        pen = QPen(QColor(80, 255, 140), 3)
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self._skeleton.setPen(pen)
        self._skeleton.setZValue(1)
        self.scene().addItem(self._pixmap)
        self.scene().addItem(self._skeleton)
        self._placeholder = self.scene().addText("Open a video or project (File > Open, or drop it here)")
        self._placeholder.setDefaultTextColor(QColor(170, 170, 180))
        self._placeholder.setFont(QFont("DejaVu Sans", 14))
        self.show_overlay = True
        self.frames_shown = 0
        self._buffer: np.ndarray | None = None

    def set_frame(self, frame: np.ndarray | None, pose: np.ndarray | None = None) -> None:
        """Show a BGR frame and, when the overlay is on, the pose (17 x 2+ pixel coordinates)."""
        if frame is None:
            return
        self._placeholder.setVisible(False)
        h, w = frame.shape[:2]
        target = max(64, int(self.viewport().width() * self.devicePixelRatioF()))
        shown = frame
        if w > target * 1.15:  # shrink once with OpenCV instead of smooth-scaling the full frame per paint
            shown = cv2.resize(frame, (target, max(1, round(h * target / w))), interpolation=cv2.INTER_LINEAR)
        # 32-bit BGRA is the raster engine's native layout: QPixmap then needs no conversion. The pixmap may
        # share the buffer, so it is kept alive until the next frame.
        self._buffer = cv2.cvtColor(shown, cv2.COLOR_BGR2BGRA)
        bh, bw = self._buffer.shape[:2]
        img = QImage(self._buffer.data, bw, bh, self._buffer.strides[0], QImage.Format.Format_RGB32)
        self._pixmap.setPixmap(QPixmap.fromImage(img))
        self._pixmap.setScale(w / img.width())
        if self.scene().sceneRect().size() != QSizeF(w, h):
            self.scene().setSceneRect(QRectF(0, 0, w, h))
            self._fit()
        self._skeleton.setPath(
            self._pose_path(pose) if self.show_overlay and pose is not None else QPainterPath()
        )
        self.frames_shown += 1

    def clear(self) -> None:
        """Back to the empty placeholder."""
        self._pixmap.setPixmap(QPixmap())
        self._skeleton.setPath(QPainterPath())
        self._placeholder.setVisible(True)
        self.scene().setSceneRect(self._placeholder.boundingRect())
        self._fit()

    @staticmethod
    def _pose_path(pose: np.ndarray) -> QPainterPath:
        path = QPainterPath()
        pts = np.asarray(pose, dtype=float)
        if pts.ndim != 2 or pts.shape[0] < 17 or pts.shape[1] < 2:
            return path
        ok = np.isfinite(pts[:, :2]).all(axis=1)
        if pts.shape[1] >= 3:  # a visibility / score column
            ok &= np.nan_to_num(pts[:, 2], nan=0.0) > 0.05
        for a, b in BONES:
            if ok[a] and ok[b]:
                path.moveTo(QPointF(pts[a, 0], pts[a, 1]))
                path.lineTo(QPointF(pts[b, 0], pts[b, 1]))
        for j in np.flatnonzero(ok):
            path.addEllipse(QPointF(pts[j, 0], pts[j, 1]), 2.5, 2.5)
        return path

    def _fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()


class PlaybackController(QObject):
    """The playhead: seeks frame-accurately, plays at a speed on a timer, loops a frame range."""

    frameChanged = Signal(int)
    playingChanged = Signal(bool)
    speedChanged = Signal(float)

    def __init__(self, view: VideoView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.source: FrameSource | None = None
        self.poses: np.ndarray | None = None
        self.frame = 0
        self.speed = 1.0
        self.loop_range: tuple[int, int] | None = None  # [start, end) frames
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._t0 = 0.0
        self._f0 = 0
        self._pending: int | None = None
        self.direction = 1

    # --- source --------------------------------------------------------------------------
    @property
    def fps(self) -> float:
        return self.source.fps if self.source else 25.0

    @property
    def frame_count(self) -> int:
        return self.source.frame_count if self.source else 0

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def set_source(self, source: FrameSource | None, poses: np.ndarray | None = None) -> None:
        """Show another video (None: none) from its first frame."""
        self.pause()
        if self.source is not None and self.source is not source:
            self.source.close()
        self.source, self.poses = source, poses
        self.frame = -1
        if source is None:
            self.view.clear()
        else:
            self.seek(0)

    def set_poses(self, poses: np.ndarray | None) -> None:
        self.poses = poses
        self.refresh()

    # --- moving the playhead ------------------------------------------------------------
    def seek(self, frame: int) -> None:
        """Show ``frame`` (clamped to the video)."""
        if self.source is None:
            return
        last = max(0, self.frame_count - 1)
        frame = max(0, min(int(frame), last))
        if frame == self.frame:
            return
        self.frame = frame
        self._show()
        self.frameChanged.emit(frame)

    def request_seek(self, frame: int) -> None:
        """Seek soon, keeping only the latest request: a fast playhead drag shows the newest frame instead
        of decoding every frame it passed over."""
        first = self._pending is None
        self._pending = int(frame)
        if first:
            QTimer.singleShot(0, self._do_pending)

    def _do_pending(self) -> None:
        frame, self._pending = self._pending, None
        if frame is not None:
            self.seek(frame)

    def refresh(self) -> None:
        """Redraw the current frame (after the overlay was toggled)."""
        if self.source is not None and self.frame >= 0:
            self._show()

    def _show(self) -> None:
        pose = None
        if self.poses is not None and 0 <= self.frame < len(self.poses):
            pose = self.poses[self.frame]
        self.view.set_frame(self.source.read(self.frame), pose)

    def step(self, delta: int) -> None:
        """Pause and move ``delta`` frames."""
        self.pause()
        self.seek(self.frame + delta)

    # --- playing ---------------------------------------------------------------------------
    def play(self, direction: int = 1) -> None:
        """Play forward (1) or backward (-1) at the current speed."""
        if self.source is None:
            return
        if self.playing and direction == self.direction:
            return
        self.direction = 1 if direction >= 0 else -1
        if self.loop_range is None:
            if self.direction > 0 and self.frame >= self.frame_count - 1:
                self.seek(0)
            elif self.direction < 0 and self.frame <= 0:
                self.seek(self.frame_count - 1)
        was_playing = self.playing
        self.play_from_here()
        if not was_playing:
            self.playingChanged.emit(True)

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play(1)

    def set_speed(self, speed: float) -> None:
        speed = min(SPEEDS, key=lambda s: abs(s - speed))
        if speed == self.speed:
            return
        self.speed = speed
        if self.playing:
            self.play_from_here()
        self.speedChanged.emit(speed)

    def play_from_here(self) -> None:
        self._t0, self._f0 = time.monotonic(), self.frame
        self._timer.start(max(5, int(500 / (self.fps * self.speed))))

    def shuttle(self, direction: int) -> None:
        """L (1) / J (-1) as in video editors: start playing that way at 1x; pressed again while playing
        that way, play faster (up to 2x). The other key reverses at 1x; K pauses."""
        if self.playing and self.direction == direction:
            i = SPEEDS.index(self.speed)
            self.set_speed(SPEEDS[min(i + 1, len(SPEEDS) - 1)])
            return
        self.set_speed(1.0)
        self.play(direction)

    def _tick(self) -> None:
        step = int((time.monotonic() - self._t0) * self.fps * self.speed)
        target = self._f0 + self.direction * step
        if self.loop_range is not None:
            start, end = self.loop_range
            if not start <= target < end:  # wrap around within the element, either way
                self._f0 = start if self.direction > 0 else end - 1
                self._t0 = time.monotonic()
                target = self._f0
        elif target >= self.frame_count - 1 or target <= 0:
            self.seek(max(0, min(target, self.frame_count - 1)))
            self.pause()
            return
        if target != self.frame:
            self.seek(target)
