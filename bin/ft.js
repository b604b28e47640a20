#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Most commands live a second or two, and TurboFan's inlining cost a cold compile of 5,000
// models ~1 s of helper-thread CPU for code that runs once per file — on two cores, time
// taken from ft itself (bench/RESULTS.md, compile). The long-running loader keeps V8's defaults.
if (!process.argv.includes('stream-load')) setFlagsFromString('--no-turbo-inlining');
const { main } = await import('../dist/cli/main.js');

process.exitCode = await main(process.argv.slice(2));
