#!/bin/sh
# Formats a man page with every groff warning enabled (and with man(1)'s
# --warnings when man is installed); any warning or error fails the test.
# Usage: check-man.sh PAGE...
set -u
rc=0
for page in "$@"; do
  out=$(groff -man -z -w all -t "$page" 2>&1) || rc=1
  if [ -n "$out" ]; then
    printf '%s: groff:\n%s\n' "$page" "$out"
    rc=1
  fi
  if command -v man >/dev/null 2>&1; then
    out=$(MANWIDTH=80 man --warnings=all -l "$page" 2>&1 >/dev/null) || rc=1
    if [ -n "$out" ]; then
      printf '%s: man --warnings:\n%s\n' "$page" "$out"
      rc=1
    fi
  fi
  [ "$rc" -eq 0 ] && echo "$page: clean"
done
exit "$rc"
