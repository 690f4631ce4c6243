"""olddefconfig with Kconfiglib (pip package `kconfiglib`), for comparison.

Kconfiglib stopped before Linux 5.13 and cannot read the bare `modules`
keyword; each file is rewritten to the old `option modules` spelling as
Kconfiglib opens it. Nothing else is changed. Run in an object directory with
the same environment as conf (srctree, ARCH, SRCARCH, CC, ...).
"""
import io
import re
import sys

import kconfiglib

_original_open = kconfiglib.Kconfig._open


def _open_with_modules_patch(self, filename, mode):
    stream = _original_open(self, filename, mode)
    if "r" not in mode:
        return stream
    text = stream.read()
    stream.close()
    return io.StringIO(re.sub(r"(?m)^(\s*)modules\s*$", r"\1option modules", text))


kconfiglib.Kconfig._open = _open_with_modules_patch

kconf = kconfiglib.Kconfig(sys.argv[1] if len(sys.argv) > 1 else "Kconfig", warn=False)
kconf.load_config(".config")
kconf.write_config(".config")
