"""How many connections a server holds open at once, on each serving option.

Both servers stop taking new connections at their limit (waitress: connection_limit;
granian: backpressure, per worker), and an idle connection counts: waitress closes one
after channel_timeout, granian one that sent part of a head after its header timeout (30 s)
but never one that has sent nothing. Their defaults (1,000 and 1,024) let a thousand idle
connections shut everyone else out, hence a limit ten times that, as far as the process may
open files (its soft limit is raised toward the hard one for it).
"""

from __future__ import annotations

CONNECTIONS = 10_000
# Files the process opens besides its connections: the listening socket, pipes, the state
# file, the delivery process's pipes, Redis connections, logs.
SPARE_FILES = 100


def connection_limit(wanted: int = CONNECTIONS) -> int:
    """Raise this process's soft limit on open files toward `wanted` connections and the
    spare files (its children inherit it), and return how many connections fit under it."""
    try:
        import resource
    except ImportError:  # not on Unix: no such limit to raise
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):  # e.g. macOS caps it below an unlimited hard limit
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - SPARE_FILES))
