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
# Phone callers: Redis carries LiveKit's SIP bus, SIPp (Debian's sip-tester) is the test phone, the codecs build the SIP bridge.
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
command -v sipp >/dev/null 2>&1 || packages+=(sip-tester)
command -v pkg-config >/dev/null 2>&1 || packages+=(pkg-config)
for dev in libopus-dev libopusfile-dev libsoxr-dev; do dpkg -s "$dev" >/dev/null 2>&1 || packages+=("$dev"); done
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

# v1.8.0: the newest release of the SIP bridge the Go module proxy serves here. `go install …/cmd/livekit-sip@v` asks the
# proxy for the longer module path first and stops at its refusal, so the module is downloaded and its command built in place.
LIVEKIT_SIP_VERSION=v1.8.0
sip_bin=.tools/bin/livekit-sip
sip_stamp=.tools/bin/livekit-sip.version
if [[ ! -x $sip_bin ]] || [[ "$(cat "$sip_stamp" 2>/dev/null)" != "$LIVEKIT_SIP_VERSION" ]]; then
  command -v go >/dev/null 2>&1 || { echo "Go is needed to build the LiveKit SIP bridge." >&2; exit 1; }
  echo "Building LiveKit SIP bridge ${LIVEKIT_SIP_VERSION} from its Go module (first run only, a few minutes)…"
  mkdir -p .tools/bin
  sip_src=$(go mod download -json "github.com/livekit/sip@${LIVEKIT_SIP_VERSION}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -d $sip_src ]] || { echo "Could not download github.com/livekit/sip@${LIVEKIT_SIP_VERSION}" >&2; exit 1; }
  out="$PWD/$sip_bin"
  (cd "$sip_src" && CGO_ENABLED=1 go build -o "$out" ./cmd/livekit-sip)
  echo "$LIVEKIT_SIP_VERSION" >"$sip_stamp"
fi
