#!/bin/sh
# Stands in for the relay to show what the web server hands a CGI: its
# environment and how many body bytes arrived.  Used by test_servers.py.
n=$(wc -c)
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n'
printf 'BODY_BYTES=%s\n' "$n"
env
