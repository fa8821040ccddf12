from flask import request


def client_address():
    return request.remote_addr


def record(event):
    return f"{event} from {client_address()}"
