"""The training page: choose data, model and epochs, run ``python -m gymscore train ...`` as a separate
process (QProcess), plot its per-epoch CSV log live, stop it, and install the weights when it succeeds."""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QProcess, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gymscore.paths import resource_path, user_data_dir

DATA_CHOICES = (
    "GymSynth (synthetic routines)",
    "FineGym folder (prepared routines)",
    "My corrections + GymSynth",
)
MODELS = {
    "classifier": ("stgcn_small", "stgcn_base"),
    "segmenter": ("mstcn_small", "mstcn_base"),
}
CONFIGS = {"classifier": "classifier_skeleton.yaml", "segmenter": "segmenter.yaml"}
CURVE_COLORS = ("#e0656b", "#3f8fd9", "#4fb06d", "#e59a3b", "#8e6cd8", "#47b8a8")


@dataclass
class TrainOptions:
    """What the user chose on the page."""

    task: str = "classifier"
    model: str = "stgcn_small"
    data: int = 0  # index into DATA_CHOICES
    folder: str = ""
    epochs: int = 10
    device: str = "auto"


def train_command(opts: TrainOptions, run_dir: Path) -> list[str]:
    """Arguments of the training process (after the Python executable)."""
    args = ["-m", "gymscore", "train", opts.task, "--run-dir", str(run_dir)]
    config = resource_path("configs", CONFIGS.get(opts.task, ""))
    if config.is_file():
        args += ["--config", str(config)]
    args += [
        f"model.name={opts.model}",
        f"optim.epochs={opts.epochs}",
        f"device={opts.device}",
        "progress=false",
    ]
    if opts.data == 1:
        if not opts.folder:
            raise ValueError("choose the FineGym folder of prepared routines first")
        args += ["data.source=dirs", f"data.train_dirs=[{opts.folder}]"]
    elif opts.data == 2:
        args += ["data.source=synth", "data.use_corrections=true"]
    else:
        args += ["data.source=synth"]
    return args


def export_command(run_dir: Path, name: str) -> list[str]:
    """Arguments of ``gymscore train export RUN --name NAME --select`` (installed and used from now on)."""
    return ["-m", "gymscore", "train", "export", str(run_dir), "--name", name, "--select"]


def read_log(path: Path) -> dict[str, list[float]]:
    """Columns of a training ``log.csv`` as float lists (unparsable cells are skipped)."""
    if not path.is_file():
        return {}
    cols: dict[str, list[float]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for k, v in row.items():
                try:
                    cols.setdefault(k, []).append(float(v))
                except (TypeError, ValueError):
                    pass
    return cols


class TrainingPage(QWidget):
    """Runs and monitors one training process at a time."""

    weightsInstalled = Signal(str)
    finished = Signal(bool)  # succeeded

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.python = sys.executable
        self.make_command = train_command
        self.make_export = export_command
        self.process: QProcess | None = None
        self.run_dir: Path | None = None
        self.stage = "idle"  # idle | training | exporting
        self._pending = ""
        self._build()
        self.poll = QTimer(self)
        self.poll.setInterval(1000)
        self.poll.timeout.connect(self.refresh_curves)

    def _build(self) -> None:
        self.data = QComboBox()
        self.data.addItems(list(DATA_CHOICES))
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("folder of prepared FineGym routines")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.task = QComboBox()
        self.task.addItems(list(MODELS))
        self.model = QComboBox()
        self.model.setEditable(True)
        self.task.currentTextChanged.connect(self._fill_models)
        self._fill_models(self.task.currentText())
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 1000)
        self.epochs.setValue(10)
        self.device = QComboBox()
        self.device.addItems(["auto", "cpu", "cuda", "mps"])
        self.name = QLineEdit(f"my-model-{time.strftime('%Y%m%d')}")
        self.start_button = QPushButton("Start training")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.status = QLabel("Ready.")
        self.status.setWordWrap(True)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)
        form = QFormLayout()
        form.addRow("Training data", self.data)
        form.addRow("FineGym folder", folder_row)
        form.addRow("Task", self.task)
        form.addRow("Model", self.model)
        form.addRow("Epochs", self.epochs)
        form.addRow("Device", self.device)
        form.addRow("Install as", self.name)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addLayout(buttons)
        left.addWidget(self.status)
        left.addWidget(QLabel("Output"))
        left.addWidget(self.log, 1)
        self.loss_plot = pg.PlotWidget(title="Loss per epoch")
        self.acc_plot = pg.PlotWidget(title="Accuracy / validation metrics")
        for plot in (self.loss_plot, self.acc_plot):
            plot.addLegend(offset=(-10, 10))
            plot.showGrid(x=True, y=True, alpha=0.3)
            plot.setLabel("bottom", "epoch")
        right = QVBoxLayout()
        right.addWidget(self.loss_plot)
        right.addWidget(self.acc_plot)
        lay = QHBoxLayout(self)
        left_box = QWidget()
        left_box.setLayout(left)
        left_box.setMaximumWidth(460)
        lay.addWidget(left_box)
        lay.addLayout(right, 1)

    def _fill_models(self, task: str) -> None:
        self.model.clear()
        self.model.addItems(list(MODELS.get(task, ())))

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "FineGym routines folder")
        if path:
            self.folder.setText(path)
            self.data.setCurrentIndex(1)

    def options(self) -> TrainOptions:
        return TrainOptions(
            self.task.currentText(),
            self.model.currentText(),
            self.data.currentIndex(),
            self.folder.text().strip(),
            self.epochs.value(),
            self.device.currentText(),
        )

    # --- process -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.process is not None

    def start(self) -> bool:
        """Start training in a separate process; False (with a message) when it cannot start."""
        if self.running:
            return False
        run_dir = user_data_dir() / "runs" / f"{self.task.currentText()}-{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            args = self.make_command(self.options(), run_dir)
        except ValueError as exc:
            self.status.setText(str(exc))
            return False
        self.run_dir = run_dir
        self.loss_plot.clear()
        self.acc_plot.clear()
        self.log.clear()
        self._launch(args, "training")
        self.status.setText(f"Training… run folder {run_dir}")
        self.poll.start()
        return True

    def _launch(self, args: list[str], stage: str) -> None:
        self.stage = stage
        proc = QProcess(self)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        proc.readyReadStandardOutput.connect(self._read_output)
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self.process = proc
        self.log.appendPlainText("$ python " + " ".join(args))
        proc.start(self.python, args)
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)

    def stop(self) -> None:
        """Stop the running process (terminate, then kill after 3 s)."""
        proc = self.process
        if proc is None:
            return
        self.stage = "stopped"
        proc.terminate()
        if not proc.waitForFinished(3000):
            proc.kill()
            proc.waitForFinished(2000)

    def _read_output(self, flush: bool = False) -> None:
        """Append complete output lines to the log (a partial line waits for its end)."""
        if self.process is not None:
            self._pending += bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace")
        *lines, self._pending = self._pending.replace("\r", "\n").split("\n")
        if flush and self._pending:
            lines.append(self._pending)
            self._pending = ""
        for line in lines:
            if line.strip():
                self.log.appendPlainText(line)

    def _on_error(self, err) -> None:
        if err == QProcess.ProcessError.FailedToStart:
            self.log.appendPlainText(f"cannot start {self.python}")

    def _on_finished(self, code: int, _status) -> None:
        self._read_output(flush=True)
        self.refresh_curves()
        stage, self.process = self.stage, None
        if stage == "training" and code == 0 and self.run_dir is not None:
            self.status.setText("Training finished; installing the weights…")
            self._launch(self.make_export(self.run_dir, self.name.text().strip() or "my-model"), "exporting")
            return
        self.poll.stop()
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.stage = "idle"
        if stage == "exporting" and code == 0:
            self.status.setText(f"Installed the new weights as {self.name.text()}; analyses now use them.")
            self.weightsInstalled.emit(self.name.text().strip() or "my-model")
            self.finished.emit(True)
        else:
            what = "stopped" if stage == "stopped" else f"failed (exit code {code}); see the output"
            self.status.setText(f"{'Installing' if stage == 'exporting' else 'Training'} {what}.")
            self.finished.emit(False)

    def refresh_curves(self) -> None:
        """Re-read ``log.csv`` of the run and redraw the curves."""
        if self.run_dir is None:
            return
        cols = read_log(self.run_dir / "log.csv")
        epochs = cols.get("epoch")
        if not epochs:
            return
        self.loss_plot.clear()
        self.acc_plot.clear()
        k_loss = k_acc = 0
        for name, values in cols.items():
            if name == "epoch" or len(values) != len(epochs):
                continue
            if "loss" in name:
                self.loss_plot.plot(
                    epochs,
                    values,
                    name=name,
                    symbol="o",
                    symbolSize=5,
                    pen=pg.mkPen(CURVE_COLORS[k_loss % 6], width=2),
                )
                k_loss += 1
            elif any(t in name for t in ("acc", "top1", "top5", "f1", "map", "edit")):
                self.acc_plot.plot(
                    epochs,
                    values,
                    name=name,
                    symbol="o",
                    symbolSize=5,
                    pen=pg.mkPen(CURVE_COLORS[k_acc % 6], width=2),
                )
                k_acc += 1
