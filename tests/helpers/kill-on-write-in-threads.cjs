/**
 * kill-on-write.mjs for worker threads (ft writes many compiled files from its writing threads):
 * preloaded with --require, which Node runs in every thread, where --import runs in the main one
 * only. In a worker, the first writeFileSync to a path matching FT_TEST_KILL_ON_WRITE puts half
 * of its bytes on disk, then the whole process gets SIGKILL.
 */
const { isMainThread } = require('node:worker_threads');

const pattern = process.env.FT_TEST_KILL_ON_WRITE ? new RegExp(process.env.FT_TEST_KILL_ON_WRITE) : null;
if (pattern && !isMainThread) {
  const fs = require('node:fs');
  const { writeFileSync } = fs;
  fs.writeFileSync = function (file, data, ...rest) {
    if (!pattern.test(String(file))) return writeFileSync.call(this, file, data, ...rest);
    const half = typeof data === 'string' ? data.slice(0, Math.ceil(data.length / 2)) : data.subarray(0, Math.ceil(data.byteLength / 2));
    writeFileSync.call(this, file, half, ...rest);
    process.kill(process.pid, 'SIGKILL');
  };
}
