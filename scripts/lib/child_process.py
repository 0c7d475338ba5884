"""What the test harnesses' wrappers share about the servers they start (moto, nanoidp)."""
import ctypes
import signal


def dies_with_parent(sig=signal.SIGKILL):
    """A `preexec_fn`: the child gets `sig` when the wrapper that started it dies, however it dies (Linux's
    PR_SET_PDEATHSIG = 1). SIGKILL by default: a process started by a test may inherit an ignored SIGTERM."""
    def arrange():
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, sig)
        except OSError:
            pass
    return arrange
