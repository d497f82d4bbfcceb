"""A child-process prelude that stops a write at its worst moment, for crash-safety tests.

``fsync`` of the temp file is the last step before the rename: the prelude lets it finish, marks
the file named by ``sys.argv[2]`` and sleeps, so the test can kill the child right there.
"""

STALL_IN_ATOMIC_WRITE = """
import os, sys, time
from pathlib import Path
marker = Path(sys.argv[2])
real_fsync = os.fsync
def stalled_fsync(fd):
    real_fsync(fd)
    marker.write_text("in atomic_write")
    time.sleep(60)
os.fsync = stalled_fsync
"""
