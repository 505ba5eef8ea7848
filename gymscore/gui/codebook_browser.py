"""The codebook browser used to relabel an element: the model's alternatives (keys 1-5), search by name
or CoP number, browse the sets, or walk a set's decision tree question by question."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gymscore.gui.element_panel import format_answer

ID_ROLE = Qt.ItemDataRole.UserRole


class TreeWalk:
    """Walk a decision tree (``root`` node with ``text`` and ``branches`` [(answer, child)]) one answer at
    a time; a child that is a string is an element id (a leaf)."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self.trail: list[tuple[Any, Any]] = []  # (node, answer given)
        self.node: Any = tree.root

    @property
    def leaf(self) -> str | None:
        return self.node if isinstance(self.node, str) else None

    @property
    def question(self) -> str:
        return "" if self.leaf else str(self.node.text)

    def answers(self) -> list[str]:
        return [] if self.leaf else [format_answer(a) for a, _ in self.node.branches]

    def children(self) -> list[Any]:
        """The node or element id behind each answer."""
        return [] if self.leaf else [child for _, child in self.node.branches]

    def answer(self, i: int) -> None:
        """Take the ``i``-th answer of the current question."""
        ans, child = self.node.branches[i]
        self.trail.append((self.node, ans))
        self.node = child

    def back(self) -> None:
        if self.trail:
            self.node, _ = self.trail.pop()


def count_leaves(node: Any) -> int:
    """Number of elements below a tree node (1 for an element id)."""
    if isinstance(node, str):
        return 1
    return sum(count_leaves(child) for _, child in node.branches)


class CodebookBrowser(QDialog):
    """Pick an element; after ``exec()`` read :attr:`chosen_id` and :attr:`chosen_set`."""

    def __init__(
        self,
        codebook: Any,
        apparatus: str,
        current_id: str | None = None,
        current_set: int | None = None,
        alternatives: list[tuple[str, float]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Relabel element: codebook browser")
        self.resize(720, 520)
        self.cb, self.apparatus = codebook, apparatus
        self.chosen_id: str | None = current_id
        self.chosen_set: int | None = current_set
        self.alternatives = list(alternatives or [])[:5]
        self.tabs = QTabWidget()
        self.tabs.addTab(self._alternatives_tab(), "Alternatives (1-5)")
        self.tabs.addTab(self._search_tab(), "Search")
        self.tabs.addTab(self._browse_tab(), "Browse sets")
        self.tabs.addTab(self._tree_tab(), "Decision tree")
        self.chosen_label = QLabel()
        self.chosen_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)
        lay.addWidget(self.chosen_label)
        lay.addWidget(self.buttons)
        for k in range(1, 6):
            sc = QShortcut(QKeySequence(str(k)), self, activated=lambda k=k: self.choose_alternative(k - 1))
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        set_ids = self._set_ids()
        start_set = current_set if current_set in set_ids else (set_ids[0] if set_ids else None)
        if start_set is not None:
            self.tree_set.setCurrentIndex(set_ids.index(start_set))
            self.browse_set.setCurrentIndex(set_ids.index(start_set))
        self.restart_tree()
        self._update_chosen()
        if not self.alternatives:
            self.tabs.setCurrentIndex(1)

    # --- helpers -------------------------------------------------------------------------
    def _set_ids(self) -> list[int]:
        sets = getattr(self.cb, "sets", {}) or {}
        return [
            sid
            for sid, info in sorted(sets.items())
            if getattr(info, "apparatus", self.apparatus) == self.apparatus
        ]

    def _label(self, element_id: str) -> str:
        try:
            el = self.cb.get(element_id)
        except (LookupError, ValueError, AttributeError):
            return element_id
        letter = f" ({el.value_letter})" if getattr(el, "value_letter", None) else ""
        number = f"  CoP {el.cop_number}" if getattr(el, "cop_number", None) else ""
        return f"{el.name}{letter}{number}   [{el.id}]"

    def _item(self, element_id: str, text: str | None = None) -> QListWidgetItem:
        item = QListWidgetItem(text or self._label(element_id))
        item.setData(ID_ROLE, element_id)
        return item

    def choose(self, element_id: str) -> None:
        """Make ``element_id`` the answer of the dialog."""
        self.chosen_id = element_id
        try:
            self.chosen_set = self.cb.get(element_id).set_id
        except (LookupError, ValueError, AttributeError):
            pass
        self._update_chosen()

    def choose_alternative(self, k: int) -> None:
        """Keys 1-5: take the model's ``k``-th alternative and close the dialog."""
        if 0 <= k < len(self.alternatives):
            self.choose(self.alternatives[k][0])
            self.accept()

    def _update_chosen(self) -> None:
        text = self._label(self.chosen_id) if self.chosen_id else "nothing yet"
        self.chosen_label.setText(f"<b>Chosen:</b> {text}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.chosen_id))

    def _on_item(self, item: QListWidgetItem | None) -> None:
        if item is not None and item.data(ID_ROLE):
            self.choose(str(item.data(ID_ROLE)))

    def _list(self) -> QListWidget:
        w = QListWidget()
        w.currentItemChanged.connect(lambda cur, _prev: self._on_item(cur))
        w.itemDoubleClicked.connect(lambda item: (self._on_item(item), self.accept()))
        return w

    # --- tabs ----------------------------------------------------------------------------
    def _alternatives_tab(self) -> QWidget:
        self.alt_list = self._list()
        for k, (eid, prob) in enumerate(self.alternatives):
            self.alt_list.addItem(self._item(eid, f"{k + 1}   {prob:6.1%}   {self._label(eid)}"))
        if not self.alternatives:
            self.alt_list.addItem("(the model gave no alternatives for this element)")
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(QLabel("Press 1-5 to take one of the model's top-5 guesses at once."))
        lay.addWidget(self.alt_list)
        return w

    def _search_tab(self) -> QWidget:
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("name, CoP number (e.g. 5.402) or id")
        self.search_edit.setClearButtonEnabled(True)
        self.search_results = self._list()
        self.search_edit.textChanged.connect(self.run_search)
        self.search_edit.returnPressed.connect(lambda: self.search_results.setCurrentRow(0))
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(self.search_edit)
        lay.addWidget(self.search_results)
        return w

    def run_search(self, text: str) -> None:
        """Fill the results with the codebook's matches on this apparatus first."""
        self.search_results.clear()
        if not text.strip() or self.cb is None:
            return
        found = list(self.cb.search(text))
        found.sort(key=lambda e: getattr(e, "apparatus", self.apparatus) != self.apparatus)
        for el in found[:200]:
            self.search_results.addItem(self._item(el.id))

    def _browse_tab(self) -> QWidget:
        self.browse_set = QComboBox()
        self.browse_list = self._list()
        for sid in self._set_ids():
            self.browse_set.addItem(f"{sid}: {self.cb.sets[sid].name.replace('_', ' ')}", sid)
        self.browse_set.currentIndexChanged.connect(self._fill_browse)
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(self.browse_set)
        lay.addWidget(self.browse_list)
        return w

    def _fill_browse(self) -> None:
        self.browse_list.clear()
        sid = self.browse_set.currentData()
        if sid is None:
            return
        els = sorted(self.cb.elements_of_set(sid), key=lambda e: (getattr(e, "value", 0), e.name))
        for el in els:
            self.browse_list.addItem(self._item(el.id))

    def _tree_tab(self) -> QWidget:
        self.tree_set = QComboBox()
        for sid in self._set_ids():
            self.tree_set.addItem(f"{sid}: {self.cb.sets[sid].name.replace('_', ' ')}", sid)
        self.tree_set.currentIndexChanged.connect(self.restart_tree)
        self.tree_trail = QLabel()
        self.tree_trail.setWordWrap(True)
        self.tree_question = QLabel()
        self.tree_question.setWordWrap(True)
        self.tree_question.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.tree_answers = QListWidget()
        self.tree_answers.setStyleSheet(
            "QListWidget { font-size: 11pt; } QListWidget::item { padding: 4px; }"
        )
        self.tree_answers.setWordWrap(True)
        self.tree_answers.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree_answers.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.tree_answers.itemActivated.connect(lambda it: self.answer_tree(self.tree_answers.row(it)))
        self.tree_answers.itemClicked.connect(lambda it: self.answer_tree(self.tree_answers.row(it)))
        back = QPushButton("Back")
        back.clicked.connect(self.back_tree)
        restart = QPushButton("Start again")
        restart.clicked.connect(self.restart_tree)
        row = QHBoxLayout()
        row.addWidget(self.tree_set, 1)
        row.addWidget(back)
        row.addWidget(restart)
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addLayout(row)
        lay.addWidget(self.tree_trail)
        lay.addWidget(self.tree_question)
        lay.addWidget(QLabel("Click an answer. Back undoes the last one."))
        lay.addWidget(self.tree_answers, 1)
        self.walk: TreeWalk | None = None
        return w

    def restart_tree(self) -> None:
        sid = self.tree_set.currentData()
        self.walk = TreeWalk(self.cb.tree(sid)) if sid is not None else None
        self._show_tree()

    def answer_tree(self, i: int) -> None:
        """Answer the current question with its ``i``-th answer."""
        if self.walk is None or self.walk.leaf or not 0 <= i < len(self.walk.answers()):
            return
        self.walk.answer(i)
        self._show_tree()

    def back_tree(self) -> None:
        if self.walk is not None:
            self.walk.back()
            self._show_tree()

    def _show_tree(self) -> None:
        self.tree_answers.clear()
        if self.walk is None:
            self.tree_question.setText("no decision tree for this apparatus")
            return
        steps = [f"{node.text} <b>{format_answer(ans)}</b>" for node, ans in self.walk.trail]
        self.tree_trail.setText(
            "<br>".join(steps) if steps else "<i>answer the questions to find the element</i>"
        )
        if self.walk.leaf:
            self.tree_question.setText(f"Element: {self._label(self.walk.leaf)}")
            self.choose(self.walk.leaf)
        else:
            self.tree_question.setText(self.walk.question)
            for answer, child in zip(self.walk.answers(), self.walk.children(), strict=True):
                if isinstance(child, str):
                    text = f"{answer}    →  {self._label(child)}"
                else:
                    n = count_leaves(child)
                    text = f"{answer}    ({n} element{'s' if n != 1 else ''})"
                self.tree_answers.addItem(text)
