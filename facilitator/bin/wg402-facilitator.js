#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
// Needs Node >= 22.18, which runs the TypeScript sources directly.
import "../src/main.ts";
