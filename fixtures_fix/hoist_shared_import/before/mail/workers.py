"""Mail sent from worker threads."""
import logging

# the request is read for the log lines
from flask import request

log = logging.getLogger(__name__)


def send_welcome(user_id):
    log.info("welcome %s (%s)", user_id, request.remote_addr)


def send_goodbye(user_id):
    log.info("goodbye %s (%s)", user_id, request.remote_addr)
