#!/usr/bin/env bash
# Installs the system packages the build and the tests need, when missing and permitted.
set -euo pipefail
need=()
command -v dot >/dev/null || need+=(graphviz)
fc-list 2>/dev/null | grep -i "Liberation Sans" >/dev/null || need+=(fonts-liberation)
fc-list "DejaVu Sans:style=Bold" 2>/dev/null | grep -i "DejaVuSans-Bold" >/dev/null || need+=(fonts-dejavu-core)  # PDFs: glyphs Liberation Sans lacks
fc-list 2>/dev/null | grep -i "Noto Color Emoji" >/dev/null || need+=(fonts-noto-color-emoji)  # emoji pasted into trees, in charts and PDFs
command -v chromium >/dev/null || need+=(chromium)
command -v firefox-esr >/dev/null || need+=(firefox-esr)  # test-only: printing in Firefox (WebDriver BiDi)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v apache2 >/dev/null || [ -x /usr/sbin/apache2 ] || need+=(apache2)  # test-only: the docs' Apache example
command -v pdftotext >/dev/null || need+=(poppler-utils)  # test-only: reads the PDFs (text, fonts, pages as images)
command -v zbarimg >/dev/null || need+=(zbar-tools)  # test-only: reads the QR codes on printed PDF pages
command -v npm >/dev/null || need+=(npm)  # test-only: installs axe-core (package.json)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
  echo "Missing system packages: ${need[*]}. Install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${need[*]}. Install them with your package manager (Debian/Ubuntu: apt-get install ${need[*]})." >&2
  exit 1
fi
echo "Installing system packages: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
