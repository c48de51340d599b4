#!/usr/bin/env bash
# Installs the nomad binary and a systemd unit on WSL2 (Ubuntu/Debian) for development.
# Usage: sudo ./install/install-wsl2.sh path/to/nomad
set -euo pipefail
binary="${1:-./dist/nomad}"
[ -x "$binary" ] || { echo "nomad binary not found at $binary (build it with: deno task compile)" >&2; exit 1; }
install -m 0755 "$binary" /usr/local/bin/nomad
id nomad >/dev/null 2>&1 || useradd --system --home /var/lib/nomad --shell /usr/sbin/nologin nomad
install -d -o nomad -g nomad -m 0700 /var/lib/nomad
install -d -m 0755 /etc/nomad.d
[ -f /etc/nomad.d/nomad.hcl ] || install -m 0640 -g nomad "$(dirname "$0")/nomad.hcl" /etc/nomad.d/nomad.hcl
if [ -d /run/systemd/system ]; then
  install -m 0644 "$(dirname "$0")/nomad.service" /etc/systemd/system/nomad.service
  systemctl daemon-reload
  systemctl enable --now nomad
  echo "nomad is running: curl http://127.0.0.1:4646/v1/agent/health"
else
  echo "systemd is not running in this WSL2 distribution (enable it in /etc/wsl.conf: [boot] systemd=true)."
  echo "For a quick try: nomad agent -dev"
fi
