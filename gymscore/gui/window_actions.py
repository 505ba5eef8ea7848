"""Menus, toolbar and keyboard shortcuts of the main window (one QAction per command)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar

from gymscore.gui import edits
from gymscore.gui.settings import SettingsDialog, apply_model_choice, apply_theme, recent_files

if TYPE_CHECKING:
    from gymscore.gui.main_window import MainWindow

SHORTCUTS_HELP = """\
Space play / pause · Left / Right one frame · Shift+Left / Right ten frames
J play backward · K pause · L play forward (J or L again: faster, up to 2x; speed box: 0.25x-2x)
Up / Down previous / next element · Shift+Up / Down previous / next stretch where the gymnast was lost
O loop the selected element · P skeleton overlay
Ctrl+B split at the playhead · M merge with next · Del delete · I insert at the playhead
C connected to next · R or Enter relabel · 1-5 the model's alternatives · [ / ] start / end to playhead
Ctrl+Z undo · Ctrl+Shift+Z redo · Ctrl+S save · Ctrl+O open · F5 analyse"""


def build_actions(w: MainWindow) -> dict[str, QAction]:
    """Create every action, put them in menus and the toolbar, and return them by name."""
    acts: dict[str, QAction] = {}

    def act(
        name: str, text: str, slot: Callable, keys: str | QKeySequence | list | None = None, tip: str = ""
    ) -> QAction:
        a = QAction(text, w)
        if keys:
            seqs = keys if isinstance(keys, list) else [keys]
            a.setShortcuts([QKeySequence(k) if not isinstance(k, QKeySequence) else k for k in seqs])
        a.setToolTip(tip or text)
        a.triggered.connect(lambda _checked=False: slot())
        w.addAction(a)
        acts[name] = a
        return a

    p = w.player
    # file
    act("open", "&Open video or project…", w.open_dialog, QKeySequence.StandardKey.Open)
    act("save", "&Save project", w.save, QKeySequence.StandardKey.Save)
    act("save_as", "Save project &as…", w.save_as, "Ctrl+Shift+S")
    act("export_json", "Export timeline &JSON…", lambda: w.export("json"))
    act("export_csv", "Export &CSV…", lambda: w.export("csv"))
    act("export_pdf", "Export &PDF score sheet…", lambda: w.export("pdf"), "Ctrl+P")
    act("export_finegym", "Export &FineGym annotation…", lambda: w.export("finegym"))
    act("export_corrections", "Add to &my corrections (training data)", w.export_corrections)
    act("settings", "Se&ttings…", lambda: open_settings(w), "Ctrl+,")
    act("quit", "&Quit", w.close, QKeySequence.StandardKey.Quit)
    # playback
    act("play", "Play / pause", p.toggle, "Space")
    act("step_back", "Back one frame", lambda: p.step(-1), "Left")
    act("step_forward", "Forward one frame", lambda: p.step(1), "Right")
    act("step_back10", "Back ten frames", lambda: p.step(-10), "Shift+Left")
    act("step_forward10", "Forward ten frames", lambda: p.step(10), "Shift+Right")
    act("reverse", "Play backward / faster backward (J)", lambda: p.shuttle(-1), "J")
    act("pause", "Pause (K)", p.pause, "K")
    act("forward", "Play / faster (L)", lambda: p.shuttle(1), "L")
    act("prev_element", "Previous element", lambda: w.jump_element(-1), "Up")
    act("next_element", "Next element", lambda: w.jump_element(1), "Down")
    act("prev_lost", "Previous stretch where the gymnast was lost", lambda: w.jump_lost(-1), "Shift+Up")
    act("next_lost", "Next stretch where the gymnast was lost", lambda: w.jump_lost(1), "Shift+Down")
    act("loop", "Loop selected element", w.transport.loop.toggle, "O")
    act("overlay", "Skeleton overlay", lambda: w.set_overlay(not w.video.show_overlay), "P")
    # edit
    undo = w.doc.undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = w.doc.undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    w.addAction(undo)
    w.addAction(redo)
    acts["undo"], acts["redo"] = undo, redo
    act("split", "Split at playhead", w.split, "Ctrl+B")
    act(
        "merge",
        "Merge with next",
        lambda: w.edit_current("Merge element {n} with next", edits.merge_with_next),
        "M",
    )
    act(
        "delete",
        "Delete element",
        lambda: w.edit_current("Delete element {n}", edits.delete_segment),
        [QKeySequence(QKeySequence.StandardKey.Delete), "Backspace"],
    )
    act("insert", "Insert element at playhead", w.insert, "I")
    act(
        "connect",
        "Toggle connected to next",
        lambda: w.edit_current("Toggle connection of element {n}", edits.toggle_connected),
        "C",
    )
    act("relabel", "Relabel…", w.relabel_dialog, ["R", "Return"])
    act("start_here", "Start of element to playhead", lambda: w.set_boundary_to_playhead("start"), "[")
    act("end_here", "End of element to playhead", lambda: w.set_boundary_to_playhead("end"), "]")
    for k in range(5):
        act(f"alt{k + 1}", f"Use alternative {k + 1}", lambda k=k: w.apply_alternative(k), str(k + 1))
    act(
        "analyse",
        "&Analyse video",
        w.analyse,
        "F5",
        "Recognise the elements of the video (runs in background)",
    )
    act(
        "shortcuts", "&Keyboard shortcuts", lambda: w.prompts.info("Keyboard shortcuts", SHORTCUTS_HELP), "F1"
    )

    mb = w.menuBar()
    m = mb.addMenu("&File")
    m.addAction(acts["open"])
    w.recent_menu = m.addMenu("Open &recent")
    w.recent_menu.aboutToShow.connect(lambda: fill_recent(w))
    for n in ("save", "save_as"):
        m.addAction(acts[n])
    m.addSeparator()
    ex = m.addMenu("&Export")
    for n in ("export_json", "export_csv", "export_pdf", "export_finegym", "export_corrections"):
        ex.addAction(acts[n])
    m.addSeparator()
    m.addAction(acts["settings"])
    m.addAction(acts["quit"])
    m = mb.addMenu("&Edit")
    for n in ("undo", "redo"):
        m.addAction(acts[n])
    m.addSeparator()
    for n in ("split", "merge", "delete", "insert", "connect", "relabel", "start_here", "end_here"):
        m.addAction(acts[n])
    m = mb.addMenu("&Play")
    for n in (
        "play",
        "step_back",
        "step_forward",
        "reverse",
        "pause",
        "forward",
        "prev_element",
        "next_element",
        "prev_lost",
        "next_lost",
        "loop",
        "overlay",
    ):
        m.addAction(acts[n])
    m = mb.addMenu("&Analysis")
    m.addAction(acts["analyse"])
    m = mb.addMenu("&Help")
    m.addAction(acts["shortcuts"])

    tb = QToolBar("Main")
    tb.setObjectName("main_toolbar")
    tb.setMovable(False)
    for n in ("open", "save", "analyse"):
        tb.addAction(acts[n])
    tb.addSeparator()
    # fixed-text twins of undo/redo: the stack's own actions rename themselves after every edit, which
    # would re-lay out the toolbar and repaint the whole window (the video included) each time
    stack = w.doc.undo_stack
    for name, slot, signal, can in (
        ("Undo", stack.undo, stack.canUndoChanged, stack.canUndo),
        ("Redo", stack.redo, stack.canRedoChanged, stack.canRedo),
    ):
        twin = QAction(name, w)
        twin.setToolTip(f"{name} (see the Edit menu for what)")
        twin.triggered.connect(lambda _c=False, slot=slot: slot())
        twin.setEnabled(can())
        signal.connect(twin.setEnabled)
        tb.addAction(twin)
    tb.addSeparator()
    for n in ("split", "merge", "insert", "delete", "connect", "relabel"):
        tb.addAction(acts[n])
    tb.addSeparator()
    tb.addAction(acts["export_pdf"])
    w.addToolBar(tb)
    return acts


def fill_recent(w: MainWindow) -> None:
    """Rebuild the recent-files menu."""
    w.recent_menu.clear()
    items = recent_files()
    if not items:
        w.recent_menu.addAction("(none)").setEnabled(False)
    for path in items:
        a = w.recent_menu.addAction(Path(path).name)
        a.setToolTip(path)
        a.triggered.connect(lambda _c=False, p=path: w.open_path(p))


def open_settings(w: MainWindow) -> None:
    """Show the settings dialog and apply what changed."""
    dlg = SettingsDialog(w.settings, w.services.editions(), w)
    if not w.prompts.run_dialog(dlg):
        return
    w.settings = dlg.result_settings()
    w.settings.save()
    if dlg.models_changed():
        try:
            apply_model_choice(dlg.model_choice())
        except (OSError, ValueError) as exc:
            w.prompts.error("Model choice", str(exc))
    w.autosaver.set_interval(w.settings.autosave_s)
    apply_theme(w.settings.theme)
