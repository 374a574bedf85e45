#!/bin/bash
# The run images' health check, without curl (which would add its libraries to every image):
# GET http://127.0.0.1:$HTTP_PORT${1:-/health/ready} over bash's /dev/tcp, healthy on a 200.
set -euo pipefail
exec 3<>"/dev/tcp/127.0.0.1/${HTTP_PORT:?HTTP_PORT is not set}"
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "${1:-/health/ready}" >&3
read -r -t 3 _ status _ <&3
[ "$status" = 200 ]
