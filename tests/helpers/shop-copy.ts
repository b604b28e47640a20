import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Throwaway copies of the shop fixture (without its target/), for tests that change files.

const shop = resolve(import.meta.dirname, '../fixtures/shop');
const dirs: string[] = [];

export function copyShop(prefix = 'ft-shop-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  cpSync(shop, dir, { recursive: true, filter: (src) => !src.startsWith(join(shop, 'target')) });
  return dir;
}

/** Removes every copy made so far (for afterAll). */
export function removeShopCopies(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
