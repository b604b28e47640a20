import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join, resolve } from 'node:path';

const FT = join(resolve(import.meta.dirname, '../..'), 'bin', 'ft.js');

/** Starts `ft docs serve --port 0 <extra>` on a project; resolves with the URL it prints once it serves. */
export async function startDocsServe(dir: string, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<{ server: ChildProcessWithoutNullStreams; url: string }> {
  const server = spawn(process.execPath, [FT, 'docs', 'serve', '--project-dir', dir, '--port', '0', ...extra], { env });
  const url = await new Promise<string>((ok, fail) => {
    let buf = '';
    const timer = setTimeout(() => fail(new Error(`ft docs serve did not start: ${buf}`)), 20_000);
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const m = /Serving docs at (http:\/\/\S+\/)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
  });
  return { server, url };
}
