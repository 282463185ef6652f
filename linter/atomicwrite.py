"""Writing a user's file without ever leaving it half-written.

The new text goes to a temporary file beside the target (same folder, so the same file system),
with the target's permission bits, is flushed to disk, and then replaces the target in one
``os.replace``. A failure at any point (disk full, a size limit, no permission) leaves the
original untouched and removes the temporary file.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile


def write_text(path: str, text: str, encoding: str = "utf-8") -> None:
    """Replace the file at ``path`` with ``text``; raises OSError (or UnicodeError) with the
    original file as it was."""
    data = text.encode(encoding)
    target = os.path.realpath(path)  # a symbolic link keeps pointing at the file it names
    directory = os.path.dirname(target) or "."
    status = os.stat(target) if os.path.exists(target) else None
    # A new file gets what open() would give it (the temporary file is private: 0600).
    mode = stat.S_IMODE(status.st_mode) if status is not None else 0o666 & ~_umask()
    if status is not None and not os.access(target, os.W_OK):
        # Replacing the file would succeed in a writable folder: a read-only file stays read-only.
        raise PermissionError(errno.EACCES, "Permission denied", path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".torch2ms-tmp",
                                             dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if status is not None:
            _keep_owner(temporary, status)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _keep_owner(temporary: str, status: os.stat_result) -> None:
    """The original's owner and group, where this process may give them (root; a group it is in)."""
    if (status.st_uid, status.st_gid) == (os.geteuid(), os.getegid()) or not hasattr(os, "chown"):
        return
    try:
        os.chown(temporary, status.st_uid, status.st_gid)
    except OSError:
        pass  # not allowed: the file is ours now, as an editor saving it would make it
