"""The desktop application end to end (offscreen): open, analyse, edit, score, undo, save, recover."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gymscore.gui.demo_data import make_demo, routine_timeline  # noqa: E402
from gymscore.gui.main_window import MainWindow  # noqa: E402
from gymscore.gui.services import Services  # noqa: E402
from gymscore.gui.settings import Settings  # noqa: E402
from gymscore.util.progress import Cancelled  # noqa: E402

pytestmark = pytest.mark.gui


class ScriptedPrompts:
    """Answers the window's questions without dialogs and records what it showed."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.infos: list[str] = []
        self.confirm_answer = True
        self.unsaved_answer = "discard"
        self.paths: list[str] = []
        self.dialog_script = None

    def confirm(self, title, text):
        return self.confirm_answer

    def unsaved(self, text):
        return self.unsaved_answer

    def error(self, title, text):
        self.errors.append(f"{title}: {text}")

    def info(self, title, text):
        self.infos.append(f"{title}: {text}")

    def open_path(self, title, filters):
        return self.paths.pop(0) if self.paths else None

    def save_path(self, title, filters, suggested):
        return self.paths.pop(0) if self.paths else None

    def run_dialog(self, dialog):
        return bool(self.dialog_script(dialog)) if self.dialog_script else False


@pytest.fixture
def demo(tmp_path):
    video, tl_path, tl = make_demo(tmp_path / "demo", frames=120, size=(160, 90), n_elements=8)
    return video, tl_path, tl


class FakePipeline:
    """analyze(): returns the demo routine; can block until cancelled, or fail."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.started = threading.Event()
        self.calls: list[dict] = []

    def __call__(self, video_path, progress=None, cancel=None, **kw):
        self.calls.append(kw)
        self.started.set()
        if self.mode == "fail":
            raise RuntimeError("the segmenter weights are missing")
        if self.mode == "slow":
            for k in range(500):
                cancel.check()
                progress(k, 500, "pose")
                time.sleep(0.01)
            raise Cancelled("not cancelled in time")
        for k in range(4):
            progress(k + 1, 4, "step")
        return routine_timeline(video_path, 120, 25.0, (160, 90), 8)


def make_window(qtbot, pipeline=None) -> MainWindow:
    w = MainWindow(Services(analyze=pipeline or FakePipeline()), Settings(autosave_s=0))
    w.prompts = ScriptedPrompts()
    qtbot.addWidget(w)
    w.resize(1200, 760)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    QApplication.processEvents()
    return w


def dscore(w: MainWindow) -> tuple[float, float, float, float]:
    s = w.doc.summary
    return (s.d_score, s.dv, s.cr, s.cv)


def analyse(qtbot, w: MainWindow) -> None:
    with qtbot.waitSignal(w.runner.finished, timeout=10000):
        assert w.analyse()


def drag(qtbot, widget, start: QPointF, end: QPointF, steps: int = 8) -> None:
    """A real left-button drag on a widget's viewport."""
    vp = widget.viewport()
    a, b = start.toPoint(), end.toPoint()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=a)
    for k in range(1, steps + 1):
        p = QPointF(a + (b - a) * k / steps)
        ev = QMouseEvent(
            QMouseEvent.Type.MouseMove,
            p,
            vp.mapToGlobal(p),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(vp, ev)
        qtbot.wait(20)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=b)


def block_edge(w: MainWindow, index: int, side: str) -> QPointF:
    blk = w.timeline.blocks[index]
    x = blk.start if side == "start" else blk.end
    scene = blk.mapToScene(QPointF(x, 0.5))
    return QPointF(w.timeline.mapFromScene(scene))


def test_open_analyse_drag_relabel_undo_redo(qtbot, demo):
    video, _, _ = demo
    w = make_window(qtbot)
    assert w.open_path(str(video))
    assert w.doc.timeline.segments == [] and w.player.frame_count == 120
    analyse(qtbot, w)
    assert len(w.doc.timeline.segments) == 8 and w.doc.selected == 0
    assert dscore(w) == (5.1, 3.1, 2.0, 0.0)
    assert w.score.table.rowCount() == 8 and w.score.total.text() == "D-score 5.100"

    # drag the end of element 4 (frames 47-58) to the right: it snaps to a frame, stops before element 5
    qtbot.wait(50)
    start = block_edge(w, 3, "end")
    drag(qtbot, w.timeline, start, start + QPointF(w.timeline.width() / 40, 0))
    seg = w.doc.timeline.segments[3]
    assert seg.start_frame == 47 and 59 <= seg.end_frame <= 62 and seg.source == "user"
    assert w.doc.undo_stack.count() == 2 and dscore(w) == (5.1, 3.1, 2.0, 0.0)

    # relabel element 4 through the codebook browser (search by id)
    def pick(dlg):
        dlg.tabs.setCurrentIndex(1)
        dlg.search_edit.setText("FX-158")
        dlg.search_results.setCurrentRow(0)
        return True

    w.prompts.dialog_script = pick
    w.doc.select(3)
    assert w.relabel_dialog()
    assert w.doc.timeline.segments[3].element_id == "FX-158"
    assert dscore(w) == (5.2, 3.2, 2.0, 0.0)
    assert w.score.table.item(3, 2).text() == "double salto forward tucked with 0.5 twist"

    # break the dance passage 2 -> 3: CR drops by 0.5
    w.doc.select(1)
    w.actions["connect"].trigger()
    assert w.doc.timeline.segments[1].connected_to_next is False and dscore(w) == (4.7, 3.2, 1.5, 0.0)

    w.actions["undo"].trigger()
    assert dscore(w) == (5.2, 3.2, 2.0, 0.0)
    w.actions["undo"].trigger()
    assert w.doc.timeline.segments[3].element_id == "FX-159" and dscore(w) == (5.1, 3.1, 2.0, 0.0)
    w.actions["undo"].trigger()
    assert w.doc.timeline.segments[3].end_frame == 58
    w.actions["undo"].trigger()
    assert w.doc.timeline.segments == [] and w.doc.summary.d_score == 0.0
    for _ in range(4):
        w.actions["redo"].trigger()
    assert w.doc.timeline.segments[1].connected_to_next is False and dscore(w) == (4.7, 3.2, 1.5, 0.0)


def test_save_reopen_and_autosave_recovery(qtbot, demo, tmp_path):
    _, tl_path, _ = demo
    w = make_window(qtbot)
    assert w.open_path(str(tl_path)) and dscore(w) == (5.1, 3.1, 2.0, 0.0)
    w.doc.select(0)
    assert w.apply_alternative(1)  # FX-180, G
    assert dscore(w) == (5.2, 3.2, 2.0, 0.0)
    w.player.seek(33)
    proj = tmp_path / "routine.gymproj"
    assert w.save_to(str(proj)) and not w.doc.dirty

    w2 = make_window(qtbot)
    assert w2.open_path(str(proj))
    assert w2.doc.timeline.segments[0].element_id == "FX-180" and dscore(w2) == (5.2, 3.2, 2.0, 0.0)
    assert w2.player.frame == 33 and w2.doc.selected == 0 and w2.player.poses.shape == (120, 17, 3)

    # an unsaved edit, autosaved, then a "crash" (no clean close): the next open offers recovery
    w2.doc.select(7)
    w2.actions["delete"].trigger()
    side = w2.autosaver.save_now()
    assert side == Path(str(proj) + ".autosave") and side.exists()
    w3 = make_window(qtbot)
    w3.prompts.confirm_answer = True
    assert w3.open_path(str(proj))
    assert len(w3.doc.timeline.segments) == 7 and w3.doc.dirty
    assert w3.save_to(str(proj)) and not side.exists()
    w2.doc.undo_stack.setClean()


def test_keyboard_shortcuts(qtbot, demo):
    _, tl_path, _ = demo
    w = make_window(qtbot)
    assert w.open_path(str(tl_path))
    key = lambda k, mod=Qt.KeyboardModifier.NoModifier: qtbot.keyClick(w.timeline, k, mod)  # noqa: E731
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_Right)
    assert w.player.frame == 2 and w.transport.frame_label.text() == "frame 2 / 119"
    key(Qt.Key.Key_Left)
    assert w.player.frame == 1
    key(Qt.Key.Key_Down)
    assert w.doc.selected == 0 and w.player.frame == 2
    key(Qt.Key.Key_Down)
    assert w.doc.selected == 1 and w.player.frame == 17
    key(Qt.Key.Key_Up)
    assert w.doc.selected == 0 and w.player.frame == 2
    key(Qt.Key.Key_Space)
    assert w.player.playing
    key(Qt.Key.Key_K)
    assert not w.player.playing
    key(Qt.Key.Key_L)
    key(Qt.Key.Key_L)
    assert w.player.playing and (w.player.direction, w.player.speed) == (1, 1.5)
    key(Qt.Key.Key_L)
    key(Qt.Key.Key_L)
    assert w.player.speed == 2.0
    key(Qt.Key.Key_J)
    assert w.player.playing and (w.player.direction, w.player.speed) == (-1, 1.0)
    key(Qt.Key.Key_J)
    assert (w.player.direction, w.player.speed) == (-1, 1.5)
    key(Qt.Key.Key_K)
    assert not w.player.playing
    key(Qt.Key.Key_P)
    assert not w.video.show_overlay and not w.transport.overlay.isChecked()
    key(Qt.Key.Key_O)
    assert w.transport.loop.isChecked()
    w.player.seek(50)
    w.doc.select(None)
    key(Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert len(w.doc.timeline.segments) == 9 and w.doc.timeline.segments[3].end_frame == 50
    w.doc.select(3)
    key(Qt.Key.Key_M)
    assert len(w.doc.timeline.segments) == 8 and w.doc.timeline.segments[3].end_frame == 58
    key(Qt.Key.Key_3)
    assert w.doc.timeline.segments[3].element_id == "FX-158"
    key(Qt.Key.Key_Delete)
    assert len(w.doc.timeline.segments) == 7
    w.player.seek(50)
    key(Qt.Key.Key_I)
    assert w.doc.timeline.segments[3].start_frame == 50 and w.doc.timeline.segments[3].element_id is None
    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(w.doc.timeline.segments) == 8
    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(w.doc.timeline.segments) == 7


def test_cancel_and_failure_keep_edits(qtbot, demo):
    _, tl_path, _ = demo
    slow = FakePipeline("slow")
    w = make_window(qtbot, slow)
    assert w.open_path(str(tl_path))
    w.doc.select(2)
    w.actions["delete"].trigger()
    with qtbot.waitSignal(w.runner.cancelled, timeout=10000):
        assert w.analyse()
        assert slow.started.wait(5)
        qtbot.waitUntil(lambda: w.progress.value() > 0, timeout=5000)
        assert w.progress.isVisible() and w.cancel_button.isVisible()
        qtbot.mouseClick(w.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.runner.running, timeout=5000)
    assert len(w.doc.timeline.segments) == 7 and not w.progress.isVisible()
    assert slow.calls == [{"apparatus": "FX", "device": "auto", "fast": False, "workers": 2,
                          "pose_backend": "auto"}]

    w.services.analyze = FakePipeline("fail")
    with qtbot.waitSignal(w.runner.finished, timeout=10000):
        w.analyse()
    assert len(w.doc.timeline.segments) == 7 and w.doc.undo_stack.count() == 1
    assert (
        "Analysis failed" in w.prompts.errors[-1] and "segmenter weights are missing" in w.prompts.errors[-1]
    )


def test_open_errors_are_shown(qtbot, tmp_path):
    w = make_window(qtbot)
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video")
    assert not w.open_path(str(bad))
    assert w.prompts.errors == [f"Cannot open: {bad}: cannot open the video (unknown format or damaged file)"]
    assert not w.open_path(str(tmp_path / "none.gymproj"))
    assert w.prompts.errors[-1].endswith("none.gymproj: file not found")


def test_exports(qtbot, demo, tmp_path):
    _, tl_path, _ = demo
    w = make_window(qtbot)
    assert w.open_path(str(tl_path))
    out = tmp_path / "out"
    w.prompts.paths = [str(out / "r.csv"), str(out / "r.json"), str(out / "r.pdf"), str(out / "r.fg.json")]
    assert w.export("csv") and w.export("json") and w.export("pdf") and w.export("finegym")
    rows = (out / "r.csv").read_text().splitlines()
    assert rows[0].startswith("index,start_frame,end_frame,start_s,end_s,set_id,element_id")
    assert len(rows) == 1 + 8 + 4
    assert rows[1].startswith(
        "0,2,13,0.08,0.52,25,FX-181,double salto backward stretched,5.603,F,0.6,True,counted in DV"
    )
    assert rows[-1].split(",")[0] == "D" and rows[-1].split(",")[10] == "5.1"
    assert (out / "r.pdf").read_bytes().startswith(b"%PDF")
    import json

    fg = json.loads((out / "r.fg.json").read_text())[0]
    assert fg["num_events"] == 16 and fg["events"][0] == {
        "comment": "A_0000_0000;(FX) double salto backward stretched",
        "frame": 2,
        "label": "FX_back_salto_start",
    }
    path = Path(w.export_corrections())
    assert path.parent.name == "corrections" and path.with_name(path.stem + ".pose.npz").exists()


def test_codebook_browser_search_tree_and_alternatives(qtbot):
    from gymscore.codebook import default_codebook
    from gymscore.gui.codebook_browser import CodebookBrowser

    cb = default_codebook()
    dlg = CodebookBrowser(cb, "FX", "FX-070", 21, [("FX-070", 0.7), ("FX-071", 0.2), ("FX-068", 0.1)])
    qtbot.addWidget(dlg)
    dlg.search_edit.setText("switch leap")
    ids = [
        dlg.search_results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dlg.search_results.count())
    ]
    assert ids[:2] == ["FX-068", "FX-067"] and all(i.startswith("FX") for i in ids[:3])
    dlg.search_edit.setText("1.404")
    assert dlg.search_results.item(0).data(Qt.ItemDataRole.UserRole) == "FX-068"
    # decision tree of set 21: legs "switch", then 1 turn
    dlg.tabs.setCurrentIndex(3)
    assert dlg.tree_question.text() == "Which shape do the legs make in the air?"
    first = [dlg.tree_answers.item(i).text().split("    ")[0] for i in range(dlg.tree_answers.count())]
    assert dlg.tree_answers.item(first.index("switch")).text() == "switch    (3 elements)"
    dlg.answer_tree(first.index("switch"))
    answers = [dlg.tree_answers.item(i).text() for i in range(dlg.tree_answers.count())]
    assert dlg.tree_question.text() == "How many turns are made?"
    assert "1    →  switch leap with 1 turn (D)  CoP 1.404   [FX-068]" in answers
    dlg.answer_tree(answers.index("1    →  switch leap with 1 turn (D)  CoP 1.404   [FX-068]"))
    assert dlg.walk.leaf == "FX-068" and dlg.chosen_id == "FX-068"
    dlg.back_tree()
    assert dlg.walk.leaf is None and dlg.tree_question.text() == "How many turns are made?"
    # key 2 takes the model's second guess and closes the dialog
    dlg.show()
    dlg.activateWindow()
    QApplication.processEvents()
    dlg.tree_answers.setFocus()
    qtbot.keyClick(dlg.tree_answers, Qt.Key.Key_2)
    assert dlg.chosen_id == "FX-071" and dlg.result() == 1


def test_training_page_runs_monitors_and_installs(qtbot, tmp_path):
    import sys

    from gymscore.gui.training_page import TrainingPage

    page = TrainingPage()
    qtbot.addWidget(page)
    script = (
        "import sys, time, pathlib; d = pathlib.Path(sys.argv[1]); d.mkdir(parents=True); "
        "f = open(d / 'log.csv', 'w'); f.write('epoch,train_loss,val/element_top1\\n'); "
        "[(f.write(f'{e},{2.0 / e:.3f},{0.2 * e:.2f}\\n'), f.flush(), print('epoch', e, flush=True)) "
        "for e in (1, 2, 3)]"
    )
    page.make_command = lambda opts, run_dir: ["-c", script, str(run_dir)]
    page.make_export = lambda run_dir, name: ["-c", f"print('installed {name}')"]
    page.name.setText("coach-v1")
    with qtbot.waitSignal(page.weightsInstalled, timeout=20000) as sig:
        assert page.start()
    assert sig.args == ["coach-v1"]
    assert "epoch 3" in page.log.toPlainText() and "installed coach-v1" in page.log.toPlainText()
    curves = page.loss_plot.getPlotItem().listDataItems()
    assert len(curves) == 1 and list(curves[0].yData) == [2.0, 1.0, 0.667]
    assert list(page.acc_plot.getPlotItem().listDataItems()[0].yData) == [0.2, 0.4, 0.6]

    page.make_command = lambda opts, run_dir: ["-c", "import time; time.sleep(30)"]
    with qtbot.waitSignal(page.finished, timeout=20000) as sig:
        assert page.start()
        qtbot.waitUntil(lambda: page.process.state() == page.process.ProcessState.Running, timeout=5000)
        page.stop()
    assert sig.args == [False] and page.status.text() == "Training stopped." and sys.executable == page.python


def test_training_command_line():
    from gymscore.gui.training_page import TrainOptions, export_command, train_command
    from gymscore.paths import resource_path

    args = train_command(TrainOptions("segmenter", "mstcn_small", 2, "", 7, "cpu"), Path("/u/runs/seg-1"))
    config = resource_path("configs", "segmenter.yaml")
    assert args == [
        "-m",
        "gymscore",
        "train",
        "segmenter",
        "--run-dir",
        "/u/runs/seg-1",
        *(["--config", str(config)] if config.is_file() else []),
        "model.name=mstcn_small",
        "optim.epochs=7",
        "device=cpu",
        "progress=false",
        "data.source=synth",
        "data.use_corrections=true",
    ]
    assert export_command(Path("/u/runs/seg-1"), "mine")[-4:] == [
        "/u/runs/seg-1",
        "--name",
        "mine",
        "--select",
    ]
    with pytest.raises(ValueError, match="choose the FineGym folder"):
        train_command(TrainOptions(data=1), Path("/u/runs/x"))


@pytest.mark.parametrize("mode", ["thorough", "fast"])
def test_the_analysis_setting_reaches_the_pipeline(qtbot, demo, mode):
    video, _, _ = demo
    pipe = FakePipeline()
    w = make_window(qtbot, pipe)
    w.settings.analysis = mode
    assert w.open_path(str(video))
    analyse(qtbot, w)
    assert pipe.calls[-1]["fast"] is (mode == "fast") and pipe.calls[-1]["device"] == "auto"
    assert pipe.calls[-1]["workers"] == 2 and pipe.calls[-1]["pose_backend"] == "auto"


class WarningPipeline(FakePipeline):
    """The demo routine, with the warnings an analysis keeps in the timeline's metadata."""

    def __call__(self, video_path, progress=None, cancel=None, **kw):
        tl = super().__call__(video_path, progress, cancel, **kw)
        tl.metadata["analysis"] = {"warnings": ["clip.mp4: the file ends early (frame 80 of 120)"]}
        return tl


def test_the_analysis_warnings_are_shown_after_the_analysis(qtbot, demo):
    video, _, _ = demo
    w = make_window(qtbot, WarningPipeline())
    assert w.open_path(str(video))
    analyse(qtbot, w)
    said = "clip.mp4: the file ends early (frame 80 of 120)"
    assert w.prompts.infos == [f"Analysis finished with warnings: {said}"]
    w2 = make_window(qtbot, FakePipeline())
    assert w2.open_path(str(video))
    analyse(qtbot, w2)
    assert w2.prompts.infos == []


class NothingPipeline(FakePipeline):
    """An analysis that finds no element (the apparatus read as bars)."""

    def __call__(self, video_path, progress=None, cancel=None, **kw):
        tl = super().__call__(video_path, progress, cancel, **kw)
        tl.segments, tl.apparatus = [], kw.get("apparatus") or "UB"
        tl.metadata["analysis"] = {"apparatus_source": "user" if kw.get("apparatus") else "model"}
        return tl


def test_an_apparatus_the_user_chose_is_kept_by_a_new_analysis(qtbot, demo):
    from gymscore.gui import edits

    video, _, _ = demo
    pipe = NothingPipeline()
    w = make_window(qtbot, pipe)
    assert w.open_path(str(video))
    analyse(qtbot, w)  # nothing chosen: the analysis recognises the apparatus (and finds nothing)
    assert pipe.calls[-1]["apparatus"] is None and w.doc.timeline.segments == []
    assert edits.apparatus_for_analysis(w.doc.timeline) is None
    w.doc.edit("Apparatus VT", edits.set_apparatus, "VT", None)  # as the score panel's selector does
    analyse(qtbot, w)
    assert pipe.calls[-1]["apparatus"] == "VT" and w.doc.timeline.apparatus == "VT"
    analyse(qtbot, w)  # the analysis given VT keeps it the user's: the next one keeps it too
    assert pipe.calls[-1]["apparatus"] == "VT"
    w.doc.undo_stack.undo()
    w.doc.undo_stack.undo()
    w.doc.undo_stack.undo()  # back to the analysis' own choice: recognised again
    assert w.doc.timeline.apparatus == "UB" and edits.apparatus_for_analysis(w.doc.timeline) is None


def test_the_element_panel_shows_why_the_model_scored_a_leaf(qtbot, demo):
    video, _, _ = demo
    w = make_window(qtbot)
    assert w.open_path(str(video))
    analyse(qtbot, w)
    tl = w.doc.timeline
    assert "median value" not in w.element.facts.text()
    tl.segments[0].note = "scored at the median value 0.4: 60% of it on elements worth <0.4>"
    w.element.show_segment(tl, 0)
    shown = w.element.facts.text()
    assert "<i>scored at the median value 0.4: 60% of it on elements worth &lt;0.4&gt;</i>" in shown


class LostPipeline(FakePipeline):
    """An analysis that lost the gymnast on frames 10-29 and 90-99 (and a malformed entry)."""

    def __call__(self, video_path, progress=None, cancel=None, **kw):
        tl = super().__call__(video_path, progress, cancel, **kw)
        tl.metadata["analysis"] = {"pose_lost": [[90, 100], [10, 30], ["x", 3], [200, 300]]}
        return tl


def test_the_stretches_where_the_analysis_lost_her_are_marked_and_lead_there(qtbot, demo):
    video, _, _ = demo
    w = make_window(qtbot, LostPipeline())
    assert w.open_path(str(video))
    assert w.timeline.lost == [] and "gymnast not found" not in w.timeline_legend.text()
    analyse(qtbot, w)
    # sorted, the malformed pair skipped, the one past the video's 120 frames dropped
    assert [(m.start, m.end) for m in w.timeline.lost] == [(10.0, 30.0), (90.0, 100.0)]
    assert all(m.isVisible() for m in w.timeline.lost)
    assert "gymnast not found: elements may be missing" in w.timeline_legend.text()
    assert w.timeline.lost[0].toolTip().startswith("The gymnast was not found from ")
    assert "(frames 10-30)" in w.timeline.lost[0].toolTip()
    mark = w.timeline.lost[1]
    where = QPointF(w.timeline.mapFromScene(mark.mapToScene(QPointF(95.0, 0.05))))
    qtbot.mouseClick(w.timeline.viewport(), Qt.MouseButton.LeftButton, pos=where.toPoint())
    qtbot.waitUntil(lambda: w.player.frame == 90, timeout=3000)
    w.actions["prev_lost"].trigger()
    assert w.player.frame == 10
    w.actions["prev_lost"].trigger()  # none before: stays
    assert w.player.frame == 10
    w.actions["next_lost"].trigger()
    assert w.player.frame == 90
    w.actions["undo"].trigger()  # back to the timeline before the analysis: nothing lost
    QApplication.processEvents()
    assert w.timeline.lost == [] and not any(m.isVisible() for m in w.timeline._lost_pool)
    assert "gymnast not found" not in w.timeline_legend.text()
