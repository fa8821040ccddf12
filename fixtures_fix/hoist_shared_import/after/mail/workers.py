"""Mail sent from worker threads."""
import logging

# the request is read for the log lines

log = logging.getLogger(__name__)


def send_welcome(user_id, *, remote_addr):
    log.info("welcome %s (%s)", user_id, remote_addr)


def send_goodbye(user_id, *, remote_addr):
    log.info("goodbye %s (%s)", user_id, remote_addr)
