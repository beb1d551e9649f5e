#!/bin/sh
set -eu
cc -O2 -o hello src/main.c
