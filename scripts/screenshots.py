#!/usr/bin/env python
"""Screenshots of the desktop application on the demo routine, written to ``docs/img/gui_*.png``.

    xvfb-run -a -s "-screen 0 1600x900x24" .venv/bin/python scripts/screenshots.py

Without a display it re-runs itself under ``xvfb-run``. The demo is the first routine of
``resources/demo`` with its ground-truth timeline, or a generated stick-figure routine when there is
none. "Analyse" runs with a stand-in pipeline that returns that timeline (``--real`` runs the real
pipeline instead), so the pictures show the application, not the models.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def find_demo(work: Path, prefer: str = "fx"):
    """(video, timeline) of the bundled demo (the one whose name contains ``prefer`` first), or a
    generated one."""
    from gymscore.timeline import load_timeline

    try:
        from gymscore.cli.cmd_demo import demo_dir, find_demos

        demos = sorted(find_demos(demo_dir()), key=lambda d: prefer not in d[0])
        for _name, video, truth in demos:
            if truth is not None:
                tl = load_timeline(truth)
                tl.video.path = str(video)
                return video, tl
    except Exception as exc:  # noqa: BLE001 - fall back to the generated routine
        print(f"no bundled demo ({exc}); generating one", file=sys.stderr)
    from gymscore.gui.demo_data import make_demo

    video, _, tl = make_demo(work, frames=500, size=(960, 540), n_elements=8)
    return video, tl


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(REPO / "docs" / "img"))
    ap.add_argument("--real", action="store_true", help="run the real analysis pipeline")
    ap.add_argument("--demo", default="fx", help="the bundled demo to show (fx, bb, ub, vt)")
    args = ap.parse_args()
    if not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        xvfb = shutil.which("xvfb-run")
        if xvfb:
            cmd = [xvfb, "-a", "-s", "-screen 0 1600x900x24", sys.executable, *sys.argv]
            return subprocess.call(cmd)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    work = Path(tempfile.mkdtemp(prefix="gymscore-shots-"))
    os.environ["GYMSCORE_HOME"] = str(work / "home")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from gymscore.gui.app import make_app
    from gymscore.gui.main_window import MainWindow
    from gymscore.gui.services import Services
    from gymscore.gui.settings import Settings, apply_theme

    video, truth = find_demo(work, prefer=args.demo)
    app = make_app()

    def wait(ms: int) -> None:
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def stand_in(video_path, progress=None, cancel=None, **_kw):
        """The demo's ground truth dressed as a model output: confidences and top-5 alternatives taken
        from the same set of the codebook (for the pictures only)."""
        from gymscore.codebook import default_codebook
        from gymscore.timeline import Alternative

        for k in range(60):
            cancel.check()
            progress(k, 60, "pose and motion features" if k < 45 else "recognising elements")
            time.sleep(0.05)
        out, cb = truth.copy(), default_codebook()
        for i, seg in enumerate(out.segments):
            siblings = [e.id for e in cb.elements_of_set(seg.set_id) if e.id != seg.element_id][:4]
            seg.confidence = (0.86, 0.48, 0.74, 0.91, 0.55, 0.8)[i % 6]
            rest = [(1 - seg.confidence) * f for f in (0.5, 0.25, 0.15, 0.1)]
            seg.alternatives = [Alternative(seg.element_id, seg.confidence)] + [
                Alternative(e, round(p, 3)) for e, p in zip(siblings, rest, strict=False)
            ]
            seg.source = "model"
        median_example(out.segments[min(3, len(out.segments) - 1)], cb)
        return out

    def median_example(seg, cb) -> None:
        """Dress one element as scored at its set's median value, not as the likeliest leaf."""
        from gymscore.element_choice import median_value_element
        from gymscore.timeline import Alternative

        value = cb.get(seg.element_id).value
        leaves = [e for e in cb.elements_of_set(seg.set_id) if e.id != seg.element_id]
        low = next((e.id for e in leaves if e.value < value), None)
        high = next((e.id for e in leaves if e.value > value), None)
        if low is None or high is None:
            return
        ranked = [(low, 0.36), (seg.element_id, 0.34), (high, 0.30)]
        element, note = median_value_element(ranked, cb)
        if element == seg.element_id:
            seg.confidence, seg.note = 0.34, note
            seg.alternatives = [Alternative(e, p) for e, p in ranked]

    services = Services() if args.real else Services(analyze=stand_in)
    w = MainWindow(services, Settings(autosave_s=0))
    # A modal message (the analysis' warnings) would wait for a click forever: print it instead.
    w.prompts.info = lambda title, text: print(f"(message) {title}: {text}")
    w.resize(1560, 860)
    w.show()
    w.open_path(str(video))
    wait(300)

    def shot(name: str, widget=None) -> None:
        wait(200)
        path = out / f"gui_{name}.png"
        (widget or w).grab().save(str(path))
        print(path)

    w.analyse()
    wait(1500)
    shot("analysing")
    while w.runner.running:
        wait(100)
    segs = w.doc.timeline.segments
    sel = min(3, len(segs) - 1)
    w.go_to_element(sel)
    w.player.seek((segs[sel].start_frame + segs[sel].end_frame) // 2)
    shot("main")

    # editing: split the element at the playhead, show the element panel and the undo history
    w.split()
    w.side_tabs.setCurrentIndex(1)
    x0, x1 = segs[max(0, sel - 2)].start_frame, segs[min(len(segs) - 1, sel + 2)].end_frame
    w.timeline.set_visible_range(x0 - 10, x1 + 10)
    w.statusBar().showMessage("Split element 4 at the playhead (Ctrl+Z undoes it)")
    shot("editing")
    w.actions["undo"].trigger()
    w.timeline.set_visible_range(0, w.doc.timeline.video.frame_count)

    dlg = w.make_browser()
    dlg.resize(760, 540)
    dlg.show()
    dlg.tabs.setCurrentIndex(3)
    if dlg.tree_answers.count():
        dlg.answer_tree(0)
    shot("codebook_browser", dlg)
    dlg.tabs.setCurrentIndex(1)
    dlg.search_edit.setText("double salto")
    shot("codebook_search", dlg)
    dlg.close()

    from gymscore.gui.settings import SettingsDialog

    sdlg = SettingsDialog(Settings(), services.editions(), w)
    sdlg.show()
    shot("settings", sdlg)
    sdlg.close()

    # training page with the curves of a finished (stand-in) run
    run = work / "home" / "runs" / "classifier-demo"
    run.mkdir(parents=True)
    rows = ["epoch,train_loss,val_loss,train_acc,val/element_top1"]
    for e in range(1, 21):
        rows.append(
            f"{e},{2.8 * 0.86**e + 0.25:.4f},{2.9 * 0.88**e + 0.4:.4f},"
            f"{0.95 - 0.8 * 0.85**e:.4f},{0.82 - 0.7 * 0.86**e:.4f}"
        )
    (run / "log.csv").write_text("\n".join(rows) + "\n")
    w.training.run_dir = run
    w.training.refresh_curves()
    w.training.status.setText(f"Training finished (20 epochs); run folder {run}")
    w.training.log.appendPlainText("epoch 20  loss 0.3012  val/element_top1 0.7714")
    w.pages.setCurrentIndex(1)
    shot("training")
    w.pages.setCurrentIndex(0)

    apply_theme("dark")
    w2 = MainWindow(services, Settings(autosave_s=0, theme="dark"))
    w2.resize(1560, 860)
    w2.show()
    w2.open_path(str(video))
    w2.doc.load(truth.copy())
    w2.player.set_poses(services.load_poses(w2.doc.timeline))
    w2.go_to_element(sel)
    shot("dark", w2)
    w2.doc.undo_stack.setClean()
    w.doc.undo_stack.setClean()
    w2.close()
    w.close()
    QApplication.processEvents()
    del Qt
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
