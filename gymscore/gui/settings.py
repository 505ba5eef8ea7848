"""Settings (QSettings in the user data folder), recent files, the settings dialog and the theme."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pyqtgraph as pg
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
)

from gymscore.paths import user_data_dir

MAX_RECENT = 8
DEVICES = ("auto", "cpu", "cuda", "mps")
ANALYSIS_MODES = {"thorough": "thorough (default)",
                  "fast": "fast: about 30 % quicker on 720p and larger, less accurate"}
THEMES = ("light", "dark")
POSE_BACKENDS = {"auto": "automatic (default): torch with a CUDA GPU, else LiteRT",
                 "litert": "LiteRT on the CPU (about 1.6 times faster than MediaPipe)",
                 "mediapipe": "MediaPipe's pose solution on the CPU (slower)",
                 "torch": "torch, batched (on the GPU when there is one)"}
SETTINGS_FORMAT = 2  # 2: only values that differ from the defaults are stored


def qsettings() -> QSettings:
    """The application's settings file (``gui.ini`` in the user data folder, so tests stay private)."""
    return QSettings(str(user_data_dir() / "gui.ini"), QSettings.Format.IniFormat)


@dataclass
class Settings:
    """User preferences of the desktop application."""

    device: str = "auto"
    analysis: str = "thorough"  # a key of ANALYSIS_MODES (gymscore analyze --fast for "fast")
    workers: int = 2  # pose worker processes for long videos; 0: one per core (analyze --workers)
    pose_backend: str = "auto"  # a key of POSE_BACKENDS (analyze --pose-backend; auto: the pipeline's choice)
    model: str = "default"
    edition: str = "wag-2017"
    autosave_s: int = 60
    theme: str = "light"

    @classmethod
    def load(cls) -> Settings:
        qs = qsettings()
        out = cls()
        if qs.value("settings/format", None) is None:
            # an older file stored every value, so a default then (the pose backend: mediapipe, later
            # litert) cannot be told from a choice: those follow today's default instead
            qs.remove("settings/pose_backend")
        for f in fields(cls):
            raw = qs.value(f"settings/{f.name}", None)
            if raw is not None:
                try:
                    setattr(out, f.name, type(getattr(out, f.name))(raw))
                except (TypeError, ValueError):
                    pass
        return out

    def save(self) -> None:
        """Store the values that differ from the defaults (a later release's better default then
        reaches everyone who did not choose otherwise)."""
        qs = qsettings()
        defaults = type(self)()
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(defaults, f.name):
                qs.remove(f"settings/{f.name}")
            else:
                qs.setValue(f"settings/{f.name}", value)
        qs.setValue("settings/format", SETTINGS_FORMAT)
        qs.sync()


def recent_files() -> list[str]:
    """Recently opened videos and projects, newest first."""
    raw = qsettings().value("recent", [])
    if isinstance(raw, str):
        raw = [raw]
    return [str(x) for x in (raw or [])][:MAX_RECENT]


def add_recent(path: str) -> list[str]:
    """Put ``path`` first in the recent list and return the list."""
    items = [path] + [p for p in recent_files() if p != path]
    qs = qsettings()
    qs.setValue("recent", items[:MAX_RECENT])
    qs.sync()
    return items[:MAX_RECENT]


def installed_models() -> tuple[dict[str, list[str]], dict[str, str]]:
    """Installed model names per task and the selected one per task (empty when the registry is absent)."""
    try:
        from gymscore.models.manifest import list_installed, selected_models
    except ImportError:
        return {}, {}
    names: dict[str, list[str]] = {"segmenter": [], "classifier": []}
    try:
        for _origin, m in list_installed():
            if m.name not in names.setdefault(m.task, []):
                names[m.task].append(m.name)
        return names, selected_models()
    except (OSError, ValueError):
        return names, {}


def apply_model_choice(choice: dict[str, str | None]) -> None:
    """Make these models the ones analyses use (None: the shipped default)."""
    from gymscore.models.manifest import select_model

    for task, name in choice.items():
        select_model(task, name)


class SettingsDialog(QDialog):
    """Edit a :class:`Settings`; :meth:`result_settings` returns the edited copy."""

    def __init__(self, settings: Settings, editions: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(380)
        self.device = QComboBox()
        self.device.addItems(list(DEVICES))
        self.device.setCurrentText(settings.device)
        self.analysis = QComboBox()
        for key, label in ANALYSIS_MODES.items():
            self.analysis.addItem(label, key)
        self.analysis.setCurrentIndex(max(0, self.analysis.findData(settings.analysis)))
        self.workers = QSpinBox()
        self.workers.setRange(0, 64)
        self.workers.setSpecialValueText("one per CPU core")
        self.workers.setValue(settings.workers)
        self.workers.setToolTip("Processes (threads on a GPU) that estimate the pose of videos of 20 s or "
                                "more, each over its own stretch of the video: more are faster on a "
                                "machine with more cores, and each process takes about 0.7 GB of memory. "
                                "The results change a little with the number of stretches; 16 measured "
                                "as accurate as 2 on 36 held-out routines")
        self.pose_backend = QComboBox()
        for key, label in POSE_BACKENDS.items():
            self.pose_backend.addItem(label, key)
        self.pose_backend.setCurrentIndex(max(0, self.pose_backend.findData(settings.pose_backend)))
        self.pose_backend.setToolTip("How BlazePose runs. Automatic: with a CUDA GPU as the device, its "
                                     "networks in torch on the GPU (on an H200 machine a 92 s routine took "
                                     "8 s, against 24 s with the pose on the CPU); otherwise directly "
                                     "through LiteRT on the CPU (the shipped classifier was fine-tuned on "
                                     "its poses; the GPU's give the same within rounding). MediaPipe's pose "
                                     "solution is slower (figures in the README)")
        names, selected = installed_models()
        self.models: dict[str, QComboBox] = {}
        for task in ("segmenter", "classifier"):
            combo = QComboBox()
            combo.addItem("shipped default", None)
            for name in names.get(task, []):
                combo.addItem(name, name)
            combo.setCurrentIndex(max(0, combo.findData(selected.get(task))))
            self.models[task] = combo
        self._initial_models = self.model_choice()
        self.edition = QComboBox()
        self.edition.addItems(editions)
        self.edition.setCurrentText(settings.edition)
        self.autosave = QSpinBox()
        self.autosave.setRange(0, 3600)
        self.autosave.setSuffix(" s")
        self.autosave.setSpecialValueText("off")
        self.autosave.setValue(settings.autosave_s)
        self.theme = QComboBox()
        self.theme.addItems(list(THEMES))
        self.theme.setCurrentText(settings.theme)
        form = QFormLayout()
        form.addRow("Analysis device", self.device)
        form.addRow("Analysis", self.analysis)
        form.addRow("Pose workers", self.workers)
        form.addRow("Pose estimator", self.pose_backend)
        form.addRow("Segmenter model", self.models["segmenter"])
        form.addRow("Classifier model", self.models["classifier"])
        form.addRow("Codebook edition", self.edition)
        form.addRow("Autosave every", self.autosave)
        form.addRow("Theme", self.theme)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def model_choice(self) -> dict[str, str | None]:
        """The model chosen per task (None: the shipped default)."""
        return {task: combo.currentData() for task, combo in self.models.items()}

    def models_changed(self) -> bool:
        return self.model_choice() != self._initial_models

    def result_settings(self) -> Settings:
        return Settings(
            device=self.device.currentText(),
            analysis=self.analysis.currentData() or "thorough",
            workers=self.workers.value(),
            pose_backend=self.pose_backend.currentData() or "auto",
            model=self.models["classifier"].currentData() or "default",
            edition=self.edition.currentText(),
            autosave_s=self.autosave.value(),
            theme=self.theme.currentText(),
        )


def apply_theme(theme: str) -> None:
    """Light (Fusion default) or dark palette for the whole application and pyqtgraph."""
    app = QApplication.instance()
    if app is None:
        return
    app.setStyle("Fusion")
    if theme == "dark":
        pal = QPalette()
        base, text = QColor(37, 38, 43), QColor(225, 225, 230)
        for role, color in (
            (QPalette.ColorRole.Window, QColor(45, 46, 52)),
            (QPalette.ColorRole.WindowText, text),
            (QPalette.ColorRole.Base, base),
            (QPalette.ColorRole.AlternateBase, QColor(50, 51, 58)),
            (QPalette.ColorRole.Text, text),
            (QPalette.ColorRole.Button, QColor(55, 56, 63)),
            (QPalette.ColorRole.ButtonText, text),
            (QPalette.ColorRole.Highlight, QColor(70, 120, 200)),
            (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255)),
            (QPalette.ColorRole.ToolTipBase, base),
            (QPalette.ColorRole.ToolTipText, text),
        ):
            pal.setColor(role, color)
        app.setPalette(pal)
        pg.setConfigOptions(background="#1e1f24", foreground="#d0d0d6")
    else:
        app.setPalette(app.style().standardPalette())
        pg.setConfigOptions(background="#fafafa", foreground="#303036")
