/**
 * Preloaded into the ft CLI (NODE_OPTIONS=--import <this file>) by tests of what keeps a process
 * alive: once stdout has been sent a chunk matching FT_TEST_HANDLES_AFTER (a regular expression),
 * the resources still keeping the event loop busy (process.getActiveResourcesInfo()) are written
 * to stderr as one line, `HANDLES ["TCPSocketWrap", "Timeout", …]`, when the current turn of the
 * event loop is done. A test asserts what is (not) left — instead of timing how long the exit took.
 */
const pattern = process.env.FT_TEST_HANDLES_AFTER ? new RegExp(process.env.FT_TEST_HANDLES_AFTER) : null;
if (pattern) {
  const write = process.stdout.write.bind(process.stdout);
  let seen = false;
  process.stdout.write = (chunk, ...rest) => {
    const r = write(chunk, ...rest);
    if (!seen && pattern.test(String(chunk))) {
      seen = true;
      // after the code that printed the line has run to its next wait
      setImmediate(() => process.stderr.write(`HANDLES ${JSON.stringify(process.getActiveResourcesInfo())}\n`));
    }
    return r;
  };
}
