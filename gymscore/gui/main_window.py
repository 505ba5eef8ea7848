"""The main window: video + transport, timeline, score and element panels, training page; wiring only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gymscore.gui import edits
from gymscore.gui.autosave import Autosaver
from gymscore.gui.codebook_browser import CodebookBrowser
from gymscore.gui.document import ProjectDocument
from gymscore.gui.element_panel import ElementPanel
from gymscore.gui.prompts import Prompts
from gymscore.gui.score_panel import ScorePanel
from gymscore.gui.services import Services, default_services
from gymscore.gui.settings import Settings
from gymscore.gui.timeline_view import TimelineView, block_specs, legend_html
from gymscore.gui.training_page import TrainingPage
from gymscore.gui.transport import TransportBar
from gymscore.gui.video_view import PlaybackController, VideoView
from gymscore.gui.window_actions import build_actions
from gymscore.gui.window_files import FileActions
from gymscore.gui.workers import AnalysisRunner
from gymscore.timeline import lost_stretches


class MainWindow(FileActions, QMainWindow):
    """The gymscore desktop application."""

    def __init__(self, services: Services | None = None, settings: Settings | None = None) -> None:
        super().__init__()
        self.services = services or default_services()
        self.settings = settings or Settings.load()
        self.prompts = Prompts(self)
        self.doc = ProjectDocument(self.services, self)
        self.setWindowTitle("gymscore")
        self.resize(1440, 860)
        self.setAcceptDrops(True)

        self.video = VideoView()
        self.player = PlaybackController(self.video, self)
        self.transport = TransportBar(self.player)
        self.timeline = TimelineView()
        self.score = ScorePanel()
        self.score.set_editions(self.services.editions())
        self.element = ElementPanel(self.services)
        self.training = TrainingPage(self)
        self.runner = AnalysisRunner(self)
        self.autosaver = Autosaver(self.doc, self.settings.autosave_s, self)
        self._build_layout()
        self.actions = build_actions(self)
        self._connect()
        self._on_timeline_changed()
        self._on_score(self.doc.summary)

    # --- layout --------------------------------------------------------------------------
    def _build_layout(self) -> None:
        video_box = QWidget()
        v = QVBoxLayout(video_box)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.video, 1)
        v.addWidget(self.transport)
        side = QTabWidget()
        side.addTab(self.score, "Score")
        side.addTab(self.element, "Element")
        self.side_tabs = side
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(video_box)
        top.addWidget(side)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        top.setSizes([860, 560])
        review = QSplitter(Qt.Orientation.Vertical)
        review.addWidget(top)
        self.timeline_legend = QLabel()
        self.timeline_legend.setContentsMargins(6, 0, 6, 0)
        timeline_box = QWidget()
        tb = QVBoxLayout(timeline_box)
        tb.setContentsMargins(0, 0, 0, 0)
        tb.setSpacing(0)
        tb.addWidget(self.timeline_legend)
        tb.addWidget(self.timeline)
        review.addWidget(timeline_box)
        review.setStretchFactor(0, 1)
        review.setSizes([660, 170])
        self.pages = QTabWidget()
        self.pages.addTab(review, "Review")
        self.pages.addTab(self.training, "Training")
        self.setCentralWidget(self.pages)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(320)
        self.progress.setFormat("Analysing… %p%")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_analysis)
        sb = self.statusBar()
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()

    def _connect(self) -> None:
        d = self.doc
        d.timelineChanged.connect(self._on_timeline_changed)
        d.scoreChanged.connect(self._on_score)
        d.selectionChanged.connect(self._on_selection)
        d.editFailed.connect(lambda msg: self.statusBar().showMessage(msg, 6000))
        d.undo_stack.cleanChanged.connect(self._update_title)
        d.pathChanged.connect(self._update_title)
        self.player.frameChanged.connect(self.timeline.set_playhead)
        self.timeline.playheadMoved.connect(self.player.request_seek)
        self.timeline.segmentClicked.connect(d.select)
        self.timeline.segmentActivated.connect(lambda _i: self.relabel_dialog())
        self.timeline.boundaryMoved.connect(
            lambda i, side, f: d.edit(f"Move {side} of element {i + 1}", edits.move_boundary, i, side, f)
        )
        self.timeline.segmentMoved.connect(
            lambda i, delta: d.edit(f"Move element {i + 1}", edits.move_segment, i, delta)
        )
        self.score.rowSelected.connect(self.go_to_element)
        self.score.apparatusChanged.connect(
            lambda a: (
                d.edit(f"Apparatus {a}", edits.set_apparatus, a, d.selected)
                if a != d.timeline.apparatus
                else None
            )
        )
        self.score.editionChanged.connect(
            lambda e: (
                d.edit(f"Codebook {e}", edits.set_edition, e, d.selected) if e != d.timeline.edition else None
            )
        )
        self.element.alternativeChosen.connect(self.apply_element)
        self.element.relabelRequested.connect(self.relabel_dialog)
        self.transport.prev_button.clicked.connect(lambda: self.jump_element(-1))
        self.transport.next_button.clicked.connect(lambda: self.jump_element(1))
        self.transport.loop.toggled.connect(lambda _on: self._update_loop())
        self.transport.overlay.toggled.connect(self.set_overlay)
        self.runner.progress.connect(self._on_progress)
        self.runner.succeeded.connect(self._on_analysis_done)
        self.runner.failed.connect(self._on_analysis_failed)
        self.runner.cancelled.connect(lambda: self.statusBar().showMessage("Analysis cancelled", 5000))
        self.runner.finished.connect(self._analysis_ended)
        self.autosaver.saved.connect(lambda p: self.statusBar().showMessage(f"Autosaved to {p}", 3000))
        self.training.weightsInstalled.connect(self._on_weights)

    # --- document -> views ---------------------------------------------------------------
    def _on_timeline_changed(self) -> None:
        tl = self.doc.timeline
        specs = block_specs(tl, self.services)
        self.timeline_legend.setText(legend_html(tl, self.services))
        self.timeline.set_blocks(specs, self.doc.selected)
        self.timeline.set_lost(lost_stretches(tl))
        self.score.set_routine(tl.apparatus, tl.edition)
        self._update_loop()

    def _on_score(self, summary) -> None:
        self.score.set_summary(summary, self.doc.timeline.video.fps or 25.0)
        self.score.select_row(self.doc.selected)

    def _on_selection(self, index) -> None:
        self.timeline.set_selected(index)
        self.score.select_row(index)
        self.element.show_segment(self.doc.timeline, index)
        self._update_loop()

    def _update_title(self, *_args) -> None:
        try:
            dirty = self.doc.dirty
        except RuntimeError:  # the undo stack is being destroyed with the window
            return
        name = self.doc.project_path or self.doc.timeline.video.path or "untitled"
        star = "*" if dirty else ""
        self.setWindowTitle(f"gymscore: {name.rsplit('/', 1)[-1]}{star}")

    # --- navigation ----------------------------------------------------------------------
    def current_index(self) -> int | None:
        """The selected element, else the one under the playhead."""
        if self.doc.selected is not None:
            return self.doc.selected
        return self.doc.timeline.segment_at(self.player.frame)

    def go_to_element(self, index: int) -> None:
        """Select an element and move the playhead to its start."""
        self.doc.select(index)
        if self.doc.selected is not None:
            self.player.pause()
            self.player.seek(self.doc.timeline.segments[index].start_frame)

    def jump_element(self, direction: int) -> None:
        """Previous (-1) or next (+1) element relative to the playhead."""
        segs, f = self.doc.timeline.segments, self.player.frame
        if direction > 0:
            cand = [i for i, s in enumerate(segs) if s.start_frame > f]
            target = cand[0] if cand else None
        else:
            cand = [i for i, s in enumerate(segs) if s.start_frame < f]
            target = cand[-1] if cand else None
            if (
                target is not None
                and segs[target].start_frame <= f < segs[target].end_frame
                and f - segs[target].start_frame < 3
                and target > 0
            ):
                target -= 1
        if target is not None:
            self.go_to_element(target)

    def jump_lost(self, direction: int) -> None:
        """Move the playhead to the start of the previous (-1) or next (+1) stretch where the analysis
        lost the gymnast (where elements may be missing)."""
        f = self.player.frame
        starts = [a for a, _ in lost_stretches(self.doc.timeline)]
        cand = [a for a in starts if a > f] if direction > 0 else [a for a in starts if a < f]
        if cand:
            self.player.pause()
            self.player.seek(cand[0] if direction > 0 else cand[-1])
        elif not starts:
            self.statusBar().showMessage("The analysis found the gymnast throughout (no lost stretch)", 4000)

    def _update_loop(self) -> None:
        i = self.doc.selected
        if self.transport.loop.isChecked() and i is not None:
            s = self.doc.timeline.segments[i]
            self.player.loop_range = (s.start_frame, s.end_frame)
            if not s.start_frame <= self.player.frame < s.end_frame:
                self.player.seek(s.start_frame)
        else:
            self.player.loop_range = None

    def set_overlay(self, on: bool) -> None:
        self.video.show_overlay = on
        if self.transport.overlay.isChecked() != on:
            self.transport.overlay.setChecked(on)
        self.player.refresh()

    # --- editing -------------------------------------------------------------------------
    def edit_current(self, text: str, fn, *args) -> bool:
        i = self.current_index()
        if i is None:
            self.statusBar().showMessage("Select an element first (click a block on the timeline)", 5000)
            return False
        return self.doc.edit(text.format(n=i + 1), fn, i, *args)

    def split(self) -> bool:
        i = self.doc.timeline.segment_at(self.player.frame)
        if i is None:
            self.statusBar().showMessage("Put the playhead inside an element to split it", 5000)
            return False
        return self.doc.edit(f"Split element {i + 1}", edits.split_segment, i, self.player.frame)

    def insert(self) -> bool:
        return self.doc.edit("Insert element", edits.insert_segment, self.player.frame)

    def set_boundary_to_playhead(self, side: str) -> bool:
        return self.edit_current(
            f"Move {side} of element {{n}}",
            edits.move_boundary,
            side,
            self.player.frame + (1 if side == "end" else 0),
        )

    def apply_element(self, element_id: str) -> bool:
        """Relabel the current element to ``element_id``."""
        info = self.services.element(self.doc.timeline.edition, element_id)
        return self.edit_current(
            f"Relabel element {{n}} as {info.name if info else element_id}",
            edits.relabel,
            element_id,
            info.set_id if info else None,
        )

    def apply_alternative(self, k: int) -> bool:
        """Keys 1-5: the model's k-th alternative for the current element."""
        i = self.current_index()
        if i is None:
            return False
        alts = self.doc.timeline.segments[i].alternatives
        if k >= len(alts):
            self.statusBar().showMessage(f"Element {i + 1} has no alternative {k + 1}", 4000)
            return False
        return self.apply_element(alts[k].element_id)

    def make_browser(self) -> CodebookBrowser | None:
        """The relabel dialog for the current element (None when nothing is selected)."""
        i = self.current_index()
        if i is None:
            return None
        seg = self.doc.timeline.segments[i]
        cb = self.services.codebook(self.doc.timeline.edition)
        return CodebookBrowser(
            cb,
            self.doc.timeline.apparatus,
            seg.element_id,
            seg.set_id,
            [(a.element_id, a.probability) for a in seg.alternatives],
            self,
        )

    def relabel_dialog(self) -> bool:
        dlg = self.make_browser()
        if dlg is None:
            self.statusBar().showMessage("Select an element to relabel", 4000)
            return False
        if dlg.cb is None:
            self.prompts.error(
                "No codebook", "The codebook could not be loaded, so elements cannot be relabelled."
            )
            return False
        ok = self.prompts.run_dialog(dlg) and dlg.chosen_id is not None
        return self.apply_element(dlg.chosen_id) if ok else False

    # --- analysis ------------------------------------------------------------------------
    def analyse(self) -> bool:
        """Run the pipeline on the open video in a worker thread."""
        if not self.doc.has_video:
            self.prompts.error("Analyse", "Open a video first.")
            return False
        if self.runner.running:
            return False
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.actions["analyse"].setEnabled(False)
        self.runner.start(
            self.services.analyze,
            self.doc.timeline.video.path,
            apparatus=edits.apparatus_for_analysis(self.doc.timeline),
            device=self.settings.device,
            fast=self.settings.analysis == "fast",
            workers=self.settings.workers,
            pose_backend=self.settings.pose_backend,
        )
        return True

    def cancel_analysis(self) -> None:
        self.cancel_button.setEnabled(False)
        self.progress.setFormat("Cancelling…")
        self.runner.cancel()

    def _on_progress(self, done: float, total: float, msg: str) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
        self.progress.setFormat(f"{msg[:40]} %p%" if msg else "Analysing… %p%")

    def _on_analysis_done(self, tl) -> None:
        self.doc.edit("Analyse video", edits.replace_timeline, tl, 0 if tl.segments else None)
        video = self.doc.timeline.video
        self.timeline.set_fps(video.fps, video.frame_count or self.player.frame_count)
        self.player.set_poses(self.services.load_poses(self.doc.timeline))
        self.statusBar().showMessage(f"Analysis found {len(tl.segments)} elements", 6000)
        warned = (tl.metadata.get("analysis") or {}).get("warnings") or []
        if warned:  # (a truncated video, a GPU fallback, nothing found: the user must know)
            self.prompts.info("Analysis finished with warnings", "\n\n".join(str(w) for w in warned))

    def _on_analysis_failed(self, message: str) -> None:
        self.prompts.error("Analysis failed", f"The analysis stopped; your edits are unchanged.\n\n{message}")

    def _analysis_ended(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.progress.setFormat("Analysing… %p%")
        self.actions["analyse"].setEnabled(True)

    def _on_weights(self, name: str) -> None:
        self.settings.model = name
        self.settings.save()
        self.statusBar().showMessage(f"New weights installed and selected: {name}", 8000)

    # --- window events -------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.confirm_discard():
            event.ignore()
            return
        self.player.pause()
        self.runner.cancel()
        self.runner.wait(3000)
        self.training.stop()
        self.player.set_source(None)  # stops the background decoder
        self.autosaver.discard()
        event.accept()
