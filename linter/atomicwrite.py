"""Writing a user's file without ever leaving it half-written.

The new text goes to a temporary file beside the target (same folder, so the same file system),
with the target's permission bits, is flushed to disk, and then replaces the target in one
``os.replace``. A failure at any point (disk full, a size limit, no permission) leaves the
original untouched and removes the temporary file.
"""

from __future__ import annotations

import os
import stat
import tempfile


def write_text(path: str, text: str, encoding: str = "utf-8") -> None:
    """Replace the file at ``path`` with ``text``; raises OSError (or UnicodeError) with the
    original file as it was."""
    data = text.encode(encoding)
    target = os.path.realpath(path)  # a symbolic link keeps pointing at the file it names
    directory = os.path.dirname(target) or "."
    mode = stat.S_IMODE(os.stat(target).st_mode) if os.path.exists(target) else None
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".torch2ms-tmp",
                                             dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
