/**
 * Preloaded into the ft CLI (NODE_OPTIONS=--import <this file>) by tests of the path taken when
 * LOAD DATA LOCAL INFILE is refused: every mysql2 connection ft opens goes without the client's
 * LOCAL_FILES capability, so the server refuses LOAD DATA LOCAL on that connection (MariaDB
 * errno 1148, MySQL 3948/2068) — the real condition, local to this process, where
 * `SET GLOBAL local_infile = 0` would change the server for every test running beside it.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const withoutLocalFiles = (o) => {
  if (typeof o !== 'object' || o === null) return o;
  const flags = Array.isArray(o.flags) ? o.flags : typeof o.flags === 'string' ? o.flags.split(',') : [];
  return { ...o, flags: [...flags, '-LOCAL_FILES'] };
};
for (const id of ['mysql2', 'mysql2/promise']) {
  const m = require(id);
  for (const fn of ['createConnection', 'createPool']) {
    const orig = m[fn];
    if (typeof orig !== 'function' || orig.ftNoLocalInfile) continue;
    const patched = function (o, ...rest) {
      return orig.call(this, withoutLocalFiles(o), ...rest);
    };
    patched.ftNoLocalInfile = true;
    m[fn] = patched;
  }
}
