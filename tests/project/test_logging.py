"""What the logs keep: the periodic jobs' routine chatter is dropped, everything else kept."""

from __future__ import annotations

import logging


def test_routine_lines_of_periodic_jobs_are_dropped_but_not_their_errors(caplog):
    trace = logging.getLogger("celery.app.trace")
    with caplog.at_level(logging.INFO):
        trace.info("Task %s[%s] succeeded in %ss: %s", "conferences.sweep", "1", 0.01, 0)
        logging.getLogger("celery.beat").info("Scheduler: Sending due task %s (%s)",
                                              "accounts.purge_tokens", "accounts.purge_tokens")
        trace.info("Task %s[%s] succeeded in %ss: %s", "conferences.provision_meeting", "2",
                   0.5, None)
        trace.error("Task %s[%s] raised unexpected: %s", "conferences.sweep", "3", "boom")
    assert [(r.levelname, r.args[0]) for r in caplog.records] == [
        ("INFO", "conferences.provision_meeting"), ("ERROR", "conferences.sweep")]
