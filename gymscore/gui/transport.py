"""The transport bar under the video: play/pause, frame steps, speed, loop, overlay, timecode."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget

from gymscore.gui.score_view import format_time
from gymscore.gui.video_view import SPEEDS, PlaybackController


class TransportBar(QWidget):
    """Buttons bound to a :class:`PlaybackController`; the labels follow its playhead."""

    def __init__(self, player: PlaybackController, parent=None) -> None:
        super().__init__(parent)
        self.player = player
        self.play_button = self._button("▶", "Play / pause (Space)", player.toggle)
        self.buttons = [
            self._button("", "Previous element (Up)", None, QStyle.StandardPixmap.SP_MediaSkipBackward),
            self._button("◀|", "Back one frame (Left)", lambda: player.step(-1)),
            self.play_button,
            self._button("|▶", "Forward one frame (Right)", lambda: player.step(1)),
            self._button("", "Next element (Down)", None, QStyle.StandardPixmap.SP_MediaSkipForward),
        ]
        self.prev_button, self.next_button = self.buttons[0], self.buttons[4]
        self.speed = QComboBox()
        self.speed.addItems([f"{s:g}×" for s in SPEEDS])
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.setToolTip("Playback speed 0.25x-2x (J backward, K pause, L forward; again: faster)")
        self.speed.activated.connect(lambda i: player.set_speed(SPEEDS[i]))
        self.loop = QCheckBox("Loop element")
        self.loop.setToolTip("Loop the selected element (O)")
        self.overlay = QCheckBox("Skeleton")
        self.overlay.setToolTip("Show the detected skeleton (P)")
        self.overlay.setChecked(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(lambda v: player.request_seek(v) if v != player.frame else None)
        mono = QFont("DejaVu Sans Mono", 10)
        self.timecode = QLabel("0:00.00")
        self.timecode.setFont(mono)
        self.timecode.setToolTip("Time (minutes:seconds.frame)")
        self.frame_label = QLabel("frame 0 / 0")
        self.frame_label.setFont(mono)
        self.frame_label.setMinimumWidth(130)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        for b in self.buttons:
            lay.addWidget(b)
        lay.addWidget(self.speed)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.timecode)
        lay.addWidget(self.frame_label)
        lay.addWidget(self.loop)
        lay.addWidget(self.overlay)
        player.frameChanged.connect(self.show_frame)
        player.playingChanged.connect(lambda p: self.play_button.setText("⏸" if p else "▶"))
        player.speedChanged.connect(lambda s: self.speed.setCurrentIndex(SPEEDS.index(s)))

    def _button(self, text: str, tip: str, slot, icon: QStyle.StandardPixmap | None = None) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        if icon is not None:
            b.setIcon(self.style().standardIcon(icon))
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.setMinimumWidth(30)
        if slot is not None:
            b.clicked.connect(slot)
        return b

    def reset(self) -> None:
        """Adapt to the player's current video."""
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, self.player.frame_count - 1))
        self.slider.blockSignals(False)
        self.show_frame(max(0, self.player.frame))

    def show_frame(self, frame: int) -> None:
        fps = self.player.fps
        self.timecode.setText(format_time(frame / fps, fps))
        self.frame_label.setText(f"frame {frame} / {max(0, self.player.frame_count - 1)}")
        if self.slider.value() != frame:
            self.slider.blockSignals(True)
            self.slider.setValue(frame)
            self.slider.blockSignals(False)
