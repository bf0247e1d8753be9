#!/bin/sh
# A stand-in for k6 in the runner's tests: it records its arguments and
# environment, then behaves as FAKE_MODE says.
printf '%s\n' "$@" > "$FAKE_OUT.args"
env > "$FAKE_OUT.env"
case "$FAKE_MODE" in
  ok) echo "fake k6 ran"; exit 0 ;;
  thresholds) exit 99 ;;
  # Waits for SIGINT like k6 does, then stops gracefully.
  hang) trap 'echo interrupted; exit 105' INT; while :; do sleep 0.05; done ;;
  # Ignores SIGINT: only the kill after the grace period stops it.
  stubborn) trap '' INT; while :; do sleep 0.05; done ;;
esac
exit 3
