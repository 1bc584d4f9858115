#!/usr/bin/env bash
# Installs what Revisit needs beyond npm, idempotently: Debian packages (media tools, fonts, Chromium) and the LiveKit server.
# Usage: scripts/install-tools.sh [--with-browser]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
# The media agents: ffmpeg decodes waiting-room clips, espeak-ng speaks the menu, the CJK fonts draw it.
command -v ffmpeg >/dev/null 2>&1 || packages+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || packages+=(espeak-ng)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || packages+=(fonts-noto-cjk)
if [[ "${1:-}" == "--with-browser" ]]; then
  command -v chromium >/dev/null 2>&1 || packages+=(chromium)
fi
if ((${#packages[@]})); then
  echo "Installing Debian packages: ${packages[*]}"
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi

LIVEKIT_VERSION=v1.13.5
bin=.tools/bin/livekit-server
if [[ ! -x $bin ]] || ! "$bin" --version 2>/dev/null | grep -q "${LIVEKIT_VERSION#v}"; then
  command -v go >/dev/null 2>&1 || { echo "Go is needed to build the LiveKit server (go install)." >&2; exit 1; }
  echo "Building LiveKit server ${LIVEKIT_VERSION} from its Go module (first run only, a few minutes)…"
  mkdir -p .tools/bin
  GOBIN="$PWD/.tools/bin" go install "github.com/livekit/livekit-server/cmd/server@${LIVEKIT_VERSION}"
  mv .tools/bin/server "$bin"
fi
