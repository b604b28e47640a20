#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Most commands live a second or two, and a cold compile of a large project ran every hot
// function once through TurboFan's inlining: helper threads spent ~1 s of CPU on it, on a
// machine with two cores (bench/RESULTS.md, "JIT"). The long-running loader keeps V8's defaults.
if (!process.argv.includes('stream-load')) setFlagsFromString('--no-turbo-inlining');
const { main } = await import('../dist/cli/main.js');

process.exitCode = await main(process.argv.slice(2));
