#!/usr/bin/env bash
# Installs what is missing, and nothing else: Debian packages, a .venv at the repo root,
# torch (the CPU wheel pinned first, so no other build is pulled) and this project.
# A second run with everything present takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libcairo2-dev libpango1.0-dev pkg-config
  texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended dvisvgm)
APT_PACKAGES+=(${EXTRA_APT_PACKAGES:-})

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
fi

# Reinstall the Python side only when pyproject.toml changed since the last successful install.
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -qq --disable-pip-version-check torch==2.13.0
  .venv/bin/python -m pip install -qq --disable-pip-version-check -e '.[dev,present,voice,cluster,jupyter]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
