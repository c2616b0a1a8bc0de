#!/usr/bin/env bash
# Installs every Debian 12 package NeuroLM Studio needs to build, run and test. Run as root (or with sudo).
# Idempotent: does nothing slow when everything is present.
set -euo pipefail
PACKAGES=(
  cmake ninja-build g++ ccache pkg-config git
  qt6-base-dev qt6-charts-dev qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev fonts-wqy-microhei
  libtorch-dev libopenblas0-pthread libgloo-dev
  libedf-dev libfftw3-dev libpcre2-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev
  python3-torch python3-scipy python3-mne python3-sklearn python3-numpy
  clang libclang-rt-14-dev
  slurm-wlm munge
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
