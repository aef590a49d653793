#!/usr/bin/env node
// The `quantlab` executable. It only loads the built CLI, so that the bin exists (and is linked
// by the package manager) before the first build.
import "../dist/bin.js";
