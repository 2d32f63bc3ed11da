"""A `flask worker` whose PDF layout never ends, for the test that kills a worker mid-job.

    python -m tests.multihost.stalling_worker

It is the real worker (the same queues, leases and heartbeat) with WeasyPrint's step replaced
by a wait, so the test can kill it while the job is certainly in the middle of being built.
RQ runs each job in a work horse in a session of its own: the horse writes its process id to
STALL_PID_FILE so that the test kills it along with the worker.
"""

import os
import threading
from pathlib import Path

from vendorrisk import create_app
from vendorrisk.core import tasks
from vendorrisk.reports import pdf

STALL_BOUND = 600  # seconds; the test kills this process long before


def _stall(*args, **kwargs):
    Path(os.environ["STALL_PID_FILE"]).write_text(str(os.getpid()))
    threading.Event().wait(STALL_BOUND)
    raise pdf.ReportError("the stalling worker was not killed")


if __name__ == "__main__":
    pdf.render = _stall
    app = create_app()
    with app.app_context():
        tasks.work(app)
