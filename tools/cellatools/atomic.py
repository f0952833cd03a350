"""Writing output files so that a failure never leaves half a file behind."""

import os
import tempfile


def same_content(path, data):
    """True when path already holds exactly data."""
    if isinstance(data, str):
        data = data.encode()
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def write_atomically(path, data):
    """Writes data (str or bytes) to path through a temporary file and a rename.

    A file that already holds data is left alone, modification time and all, so that the build
    does not redo what depends on an output that came out the same. Returns True if it wrote.
    """
    if same_content(path, data):
        return False
    directory = os.path.dirname(os.path.abspath(path))
    if isinstance(data, str):
        data = data.encode()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-" + os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return True
