"""Announcements between packages (blinker signals, like `flask.signals`).

A package that changes something others summarise sends a signal; the packages that keep
derived data (careapp/rollups/refresh.py) listen. The sender never imports its listeners:
dependencies stay one-way. Receivers run inside the sender's transaction.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: An assessment was started, submitted or reopened (sender: the Assessment).
assessment_changed = _signals.signal("assessment-changed")
#: A campaign was opened (sender: the Campaign).
campaign_opened = _signals.signal("campaign-opened")
#: An establishment's exercise or continuity register changed (sender: the Establishment).
registers_changed = _signals.signal("registers-changed")
#: An establishment's roadmap changed (sender: the Establishment).
roadmap_changed = _signals.signal("roadmap-changed")
#: Establishments were created, changed or moved by an import (sender: the frozenset of the
#: region codes they left or joined).
establishments_changed = _signals.signal("establishments-changed")
