"""Keeping Streamlit's garbage collection after every run cheap.

Streamlit runs a full garbage collection at the end of every script run
(`runner.postScriptGC`), holding the interpreter lock while it walks every object the
server tracks. Most of those (some 150,000 on the Admin page alone) are the imported
modules, their functions and classes, which live as long as the server: walking them
took 0.1-0.3 s a run on a busy machine, so twenty sessions clicking at once waited
seconds for each other's collections. `after_imports` moves the objects alive once the
app's modules are imported into the permanent generation (`gc.freeze`), which no
collection walks; what a run leaves behind is still collected after it as before.

It freezes again only when a run imported new modules (the first opening of a page),
a handful of times in a server's life: whatever other sessions' runs held at that
moment is frozen with the modules, so at worst a few runs' reference cycles are never
collected (anything else is freed as usual when no longer used).
"""

from __future__ import annotations

import gc
import sys
import threading

_LOCK = threading.Lock()
_frozen_modules = 0  # len(sys.modules) at the last freeze


def after_imports() -> bool:
    """Freeze the objects alive now (after collecting the garbage, which would otherwise
    be frozen too) when modules were imported since the last freeze; app.py calls it at
    the start of every run. True when it froze."""
    global _frozen_modules
    if len(sys.modules) <= _frozen_modules:
        return False
    with _LOCK:
        loaded = len(sys.modules)
        if loaded <= _frozen_modules:
            return False
        gc.collect()
        gc.freeze()
        _frozen_modules = loaded
    return True
