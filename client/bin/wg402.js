#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
import { main } from "../src/cli/main.ts";

await main();
