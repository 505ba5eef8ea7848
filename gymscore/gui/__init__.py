"""The gymscore desktop application (PySide6 + pyqtgraph). Qt is imported only inside this package.

Qt-free pieces (``edits``, ``project``, ``score_view``, ``exports``, ``frame_source``) can be used and
tested without a display; :func:`gymscore.gui.app.run` starts the window.
"""

from gymscore.gui.qtfix import protect_singletons

protect_singletons()
