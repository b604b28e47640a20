/**
 * Preloaded into the ft CLI (NODE_OPTIONS=--import <this file>) by tests of a process killed
 * mid-write: the first write to a file whose path matches FT_TEST_KILL_ON_WRITE (a regular
 * expression) puts half of its bytes on disk, then the process sends itself SIGKILL — kill -9
 * at the worst moment, every time, instead of at a moment chosen by a timer.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const pattern = process.env.FT_TEST_KILL_ON_WRITE ? new RegExp(process.env.FT_TEST_KILL_ON_WRITE) : null;
if (pattern) {
  const watched = new Map();
  const die = () => process.kill(process.pid, 'SIGKILL');
  const { openSync, writeSync, writeFileSync } = fs;
  fs.openSync = function (path, ...rest) {
    const fd = openSync.call(this, path, ...rest);
    if (pattern.test(String(path))) watched.set(fd, String(path));
    return fd;
  };
  fs.writeSync = function (fd, buffer, ...rest) {
    if (!watched.has(fd)) return writeSync.call(this, fd, buffer, ...rest);
    if (typeof buffer === 'string') writeSync.call(this, fd, buffer.slice(0, Math.ceil(buffer.length / 2)));
    else {
      const offset = typeof rest[0] === 'number' ? rest[0] : 0;
      const length = typeof rest[1] === 'number' ? rest[1] : buffer.byteLength - offset;
      writeSync.call(this, fd, buffer, offset, Math.ceil(length / 2), typeof rest[2] === 'number' ? rest[2] : null);
    }
    die();
  };
  fs.writeFileSync = function (file, data, ...rest) {
    if (!pattern.test(String(file))) return writeFileSync.call(this, file, data, ...rest);
    const half = typeof data === 'string' ? data.slice(0, Math.ceil(data.length / 2)) : data.subarray(0, Math.ceil(data.byteLength / 2));
    writeFileSync.call(this, file, half, ...rest);
    die();
  };
  syncBuiltinESMExports();
}
