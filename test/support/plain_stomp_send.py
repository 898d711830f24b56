#!/usr/bin/env python3
"""Sends bodies to a STOMP destination exactly as another program would: Debian's python3-stomp, no headers of ours.

usage: plain_stomp_send.py HOST PORT VHOST LOGIN PASSCODE DESTINATION BODY [BODY ...]
"""
import sys

import stomp

host, port, vhost, login, passcode, destination, *bodies = sys.argv[1:]
conn = stomp.Connection([(host, int(port))], vhost=vhost)
conn.connect(login, passcode, wait=True)
for body in bodies:
    conn.send(destination=destination, body=body, headers={"persistent": "true"})
conn.disconnect(receipt="bye")  # waits for the broker's receipt, so every SEND was taken
