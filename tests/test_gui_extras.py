"""Smaller pieces of the desktop application: settings, recent files, drag and drop, timeline zoom,
frame-accurate reading, the command line entry and the PySide6 refcount guard."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent, QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gymscore.gui.demo_data import make_demo  # noqa: E402
from gymscore.gui.frame_source import FrameSource  # noqa: E402
from gymscore.gui.settings import Settings, add_recent, recent_files  # noqa: E402
from tests.test_gui_window import make_window  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def demo(tmp_path):
    return make_demo(tmp_path / "demo", frames=120, size=(160, 90), n_elements=8)


def test_settings_dialog_saves_and_applies(qtbot, demo):
    w = make_window(qtbot)

    def edit(dlg):
        dlg.device.setCurrentText("cpu")
        dlg.analysis.setCurrentIndex(dlg.analysis.findData("fast"))
        dlg.autosave.setValue(15)
        dlg.workers.setValue(0)
        dlg.pose_backend.setCurrentIndex(dlg.pose_backend.findData("mediapipe"))
        dlg.theme.setCurrentText("dark")
        return True

    w.prompts.dialog_script = edit
    w.actions["settings"].trigger()
    assert (w.settings.device, w.settings.autosave_s, w.settings.theme) == ("cpu", 15, "dark")
    assert w.settings.analysis == "fast" and w.settings.workers == 0
    assert w.settings.pose_backend == "mediapipe"
    assert w.autosaver.timer.interval() == 15000 and w.autosaver.timer.isActive()
    assert Settings.load() == w.settings
    assert QApplication.palette().window().color().name() == "#2d2e34"
    from gymscore.gui.settings import apply_theme

    apply_theme("light")


def test_recent_files_and_drop(qtbot, demo):
    video, tl_path, _ = demo
    assert recent_files() == []
    add_recent("/a.mp4")
    add_recent("/b.mp4")
    assert add_recent("/a.mp4") == ["/a.mp4", "/b.mp4"]
    w = make_window(qtbot)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tl_path))])
    ev = QDropEvent(
        QPointF(100, 100),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    w.dropEvent(ev)
    assert len(w.doc.timeline.segments) == 8 and recent_files()[0] == str(tl_path.resolve())
    from gymscore.gui.window_actions import fill_recent

    fill_recent(w)
    assert [a.text() for a in w.recent_menu.actions()] == ["demo.timeline.json", "a.mp4", "b.mp4"]


def test_timeline_wheel_zoom_and_click_seek(qtbot, demo):
    _, tl_path, _ = demo
    w = make_window(qtbot)
    assert w.open_path(str(tl_path))
    x0, x1 = w.timeline.visible_range()
    assert (x0, x1) == (0.0, 120.0)
    vp = w.timeline.viewport()
    center = QPointF(vp.width() / 2, vp.height() / 2)
    wheel = QWheelEvent(
        center,
        vp.mapToGlobal(center),
        QPoint(0, 0),
        QPoint(0, 480),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(vp, wheel)
    z0, z1 = w.timeline.visible_range()
    assert z1 - z0 < 100
    # a click in free time moves the playhead there
    w.timeline.set_visible_range(0, 120)
    qtbot.wait(50)  # the view box applies its new range on the next event loop turn
    blk = w.timeline.blocks[1]
    gap_x = (w.timeline.blocks[0].end + blk.start) / 2  # frame 15
    pos = w.timeline.mapFromScene(blk.mapToScene(QPointF(gap_x, 0.5)))
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: w.player.frame > 0, timeout=2000)  # seeks are coalesced on the event loop
    assert abs(w.player.frame - 15) <= 1
    assert w.transport.timecode.text() == {14: "0:00.56", 15: "0:00.60", 16: "0:00.64"}[w.player.frame]


def test_frame_source_is_frame_accurate(demo):
    video, _, _ = demo
    import time

    src = FrameSource(video, prefetch=False)
    assert (src.frame_count, src.width, src.height, src.fps) == (120, 160, 90, 25.0)
    sequential = [src.read(i).copy() for i in range(120)]
    src2 = FrameSource(video)  # with the background decoder
    for i in (100, 3, 57, 56, 119, 0, 60, 20, 19, 21, 22, 23, 30):  # seeks, backward blocks, grabs, prefetch
        assert abs(src2.read(i).astype(int) - sequential[i].astype(int)).mean() < 1.0, i
        time.sleep(0.01)
    time.sleep(0.2)
    assert all(k in src2._cache for k in range(31, 47))  # the frames after the last one asked for are ready
    for i in range(31, 47):
        assert abs(src2.read(i).astype(int) - sequential[i].astype(int)).mean() < 1.0, i
    assert src2.read(120) is None and src2.read(-1) is None
    src2.close()
    src.close()


def test_command_line_opens_and_closes(demo):
    _, tl_path, _ = demo
    env_code = "import sys; from gymscore.cli.main import main; sys.exit(main(sys.argv[1:]))"
    res = subprocess.run(
        [sys.executable, "-c", env_code, "gui", str(tl_path), "--quit-after", "0.5"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    res = subprocess.run(
        [sys.executable, "-c", env_code, "gui", "/no/such/video.mp4"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and "gymscore: error: /no/such/video.mp4: no such file" in res.stderr


def test_refcount_guard_keeps_singletons_alive():
    from gymscore.gui.qtfix import protect_singletons

    assert protect_singletons() == (sys.version_info < (3, 12))
    if sys.version_info < (3, 12):
        assert sys.getrefcount(None) > 1 << 39 and sys.getrefcount(True) > 1 << 39


def test_bundled_demo_opens_with_skeleton_and_score(qtbot):
    from gymscore.cli.cmd_demo import demo_dir, find_demos
    from gymscore.scoring import score
    from gymscore.timeline import load_timeline

    demos = [d for d in find_demos(demo_dir()) if d[2] is not None]
    if not demos:
        pytest.skip("no bundled demo routine in resources/demo")
    _name, video, truth = demos[0]
    w = make_window(qtbot)
    assert w.open_path(str(truth))
    tl = load_timeline(truth)
    assert w.player.frame_count == tl.video.frame_count and w.player.poses is not None
    assert w.player.poses.shape == (tl.video.frame_count, 17, 3)
    assert w.doc.summary.d_score == score(tl).d_score and w.score.table.rowCount() == len(tl.segments)


def test_settings_model_choice(qtbot, demo, monkeypatch):
    from gymscore.gui import settings as settings_mod

    monkeypatch.setattr(
        settings_mod,
        "installed_models",
        lambda: ({"segmenter": ["seg-a"], "classifier": ["cls-a", "cls-b"]}, {"classifier": "cls-a"}),
    )
    applied = []
    monkeypatch.setattr("gymscore.gui.window_actions.apply_model_choice", applied.append)
    w = make_window(qtbot)

    def choose(dlg):
        assert dlg.models["classifier"].currentText() == "cls-a"
        assert dlg.models["segmenter"].currentText() == "shipped default"
        dlg.models["classifier"].setCurrentIndex(dlg.models["classifier"].findData("cls-b"))
        return True

    w.prompts.dialog_script = choose
    w.actions["settings"].trigger()
    assert applied == [{"segmenter": None, "classifier": "cls-b"}] and w.settings.model == "cls-b"


def test_no_display_gives_a_clear_error(monkeypatch):
    from gymscore.gui.app import check_display

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if sys.platform.startswith("linux"):
        with pytest.raises(OSError, match="no display to open the desktop application on"):
            check_display()
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    check_display()


def test_apparatus_selector_is_an_undoable_edit(qtbot, demo):
    _, tl_path, _ = demo
    w = make_window(qtbot)
    assert w.open_path(str(tl_path)) and w.doc.summary.d_score == 5.1
    w.score.apparatus.setCurrentText("BB")
    w.score.apparatus.activated.emit(w.score.apparatus.currentIndex())
    assert w.doc.timeline.apparatus == "BB" and w.doc.undo_stack.undoText() == "Apparatus BB"
    w.actions["undo"].trigger()
    assert w.doc.timeline.apparatus == "FX" and w.score.apparatus.currentText() == "FX"
    assert w.doc.summary.d_score == 5.1


def test_video_only_autosave_is_offered_at_next_open(qtbot, demo):
    video, _, _ = demo
    w = make_window(qtbot)
    assert w.open_path(str(video))
    assert w.insert()
    side = w.autosaver.save_now()
    assert side is not None and side.parent.name == "autosave" and side.exists()
    w2 = make_window(qtbot)
    w2.prompts.confirm_answer = False  # decline: the autosave is discarded
    assert w2.open_path(str(video)) and w2.doc.timeline.segments == [] and not side.exists()
    w.autosaver.save_now()
    w3 = make_window(qtbot)
    assert w3.open_path(str(video)) and len(w3.doc.timeline.segments) == 1 and w3.doc.dirty
    w.doc.undo_stack.setClean()


def test_playback_forward_backward_and_loop(qtbot, demo):
    _, tl_path, _ = demo
    w = make_window(qtbot)
    assert w.open_path(str(tl_path))
    p = w.player
    p.seek(60)
    p.play(-1)
    qtbot.waitUntil(lambda: p.frame < 55, timeout=3000)
    p.play(1)
    qtbot.waitUntil(lambda: p.frame > 60, timeout=3000)
    p.pause()
    w.doc.select(2)  # frames 32-43
    w.transport.loop.setChecked(True)
    assert p.loop_range == (32, 43) and p.frame == 32
    p.set_speed(2.0)
    p.play(1)
    seen: list[int] = []
    p.frameChanged.connect(seen.append)
    qtbot.waitUntil(lambda: len(seen) > 15, timeout=5000)  # more frames than the element has: it looped
    p.pause()
    assert set(seen) <= set(range(32, 43)) and seen.count(32) >= 1


def test_the_pose_estimator_setting_offers_every_backend_and_defaults_to_the_pipelines_choice():
    from gymscore.features.pose import POSE_BACKENDS as PIPELINE_BACKENDS
    from gymscore.gui.settings import POSE_BACKENDS

    assert set(POSE_BACKENDS) == {"auto", *PIPELINE_BACKENDS}
    assert Settings().pose_backend == "auto"


def test_settings_store_only_choices_and_an_old_files_pose_backend_follows_the_default():
    from gymscore.gui.settings import qsettings

    qs = qsettings()
    for key, value in (("device", "cpu"), ("pose_backend", "mediapipe"), ("workers", 2)):
        qs.setValue(f"settings/{key}", value)  # as an older release wrote every value
    qs.sync()
    old = Settings.load()
    assert (old.device, old.pose_backend, old.workers) == ("cpu", "auto", 2)
    old.save()
    qs = qsettings()
    assert qs.value("settings/format") is not None and qs.value("settings/workers") is None
    assert qs.value("settings/device") == "cpu"
    chosen = Settings(pose_backend="mediapipe")
    chosen.save()
    assert Settings.load().pose_backend == "mediapipe"  # a choice made now is kept


def test_the_pdf_sheet_names_where_the_analysis_lost_the_gymnast(qapp, monkeypatch):
    from PySide6.QtGui import QPainter

    from gymscore.gui import pdf_export
    from gymscore.gui.score_view import ScoreSummary
    from gymscore.timeline import Timeline, VideoInfo

    drawn: list[str] = []
    real = QPainter.drawText

    def record(self, *args):
        drawn.extend(a for a in args if isinstance(a, str))
        return real(self, *args)

    monkeypatch.setattr(QPainter, "drawText", record)
    tl = Timeline(video=VideoInfo(path="r.mp4", fps=25, frame_count=250), apparatus="BB")
    pdf_export.preview_score_sheet(tl, ScoreSummary(rows=[]))
    assert not [t for t in drawn if "not found" in t]
    tl.metadata["analysis"] = {"pose_lost": [[25, 75]]}
    pdf_export.preview_score_sheet(tl, ScoreSummary(rows=[]))
    assert ("Analysis: gymnast not found at 1.00-3.00s (2.0 s in all): elements there may be missing"
            in drawn)
