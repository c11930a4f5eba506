#!/usr/bin/env bash
# Installs the Debian 12 packages AlexNet Lab needs to build, test and run.
# Only what is missing is installed; apt-get goes through sudo when not root.
# Extra groups: `bench` (PyTorch for the comparison), `fuzz` (clang, libFuzzer),
# `slurm` (slurm-wlm and munge for `make slurm-test`).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config lld clang-format
  qt6-base-dev qt6-svg-dev libqcustomplot-dev libqcustomplot2.1-qt6
  libtorch-dev libopenblas0-openmp libonnx-dev libgloo-dev
  libopencv-dev nlohmann-json3-dev zlib1g-dev
  dataset-fashion-mnist
  xvfb xauth
)
for group in "$@"; do
  case "$group" in
    bench) packages+=(python3-torch) ;;
    fuzz) packages+=(clang libclang-rt-14-dev libomp-14-dev) ;;
    slurm) packages+=(slurm-wlm munge python3) ;;
    *) echo "install-deps.sh: unknown group $group" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing missing packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "error: not root and sudo is not available; install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
