#!/bin/sh
# Prints the configuration the Debian package installs as its conffile,
# /etc/examhall/examhall.toml: config/examhall.toml with the log folder set
# to /var/log/examhall, as install.sh writes it, so both keep logs in the
# same place. The package ships the output of this script as
# packaging/debian/examhall.toml (dpkg needs a file); the packaging tests
# check it is up to date. Regenerate with:
#   packaging/debian/conffile.sh > packaging/debian/examhall.toml
set -eu
cd "$(dirname "$0")/../.."
sed 's|^# dir = "/var/log/examhall"$|dir = "/var/log/examhall"|' config/examhall.toml
