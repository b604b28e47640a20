/** The product catalog the producer simulates traffic on: seeds/products.csv. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FtError } from '../util/errors.js';
import { CsvError, parseCsvRecords } from '../util/csv.js';

export interface Product {
  productId: string;
  productName: string;
  category: string;
  brand: string;
  /** List price in integer cents (avoids floating-point money). */
  listPriceCents: number;
  /** YYYY-MM-DD. */
  launchedOn: string;
}

export const CATALOG_COLUMNS = ['product_id', 'product_name', 'category', 'brand', 'list_price', 'launched_on'] as const;

const PRICE_RE = /^\d{1,9}(\.\d{1,2})?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The project root for defaults: the nearest ancestor of `from` holding project.yml (else
 * package.json), or `from` itself.
 */
export function findProjectRoot(from: string = process.cwd()): string {
  for (const marker of ['project.yml', 'package.json']) {
    let dir = resolve(from);
    for (;;) {
      if (existsSync(join(dir, marker))) return dir;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return resolve(from);
}

export function defaultCatalogPath(from: string = process.cwd()): string {
  return join(findProjectRoot(from), 'seeds', 'products.csv');
}

/** Reads and validates the catalog CSV. User errors are FtError naming the file and line. */
export function readCatalog(path: string): Product[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new FtError(`product catalog not found: ${path} — pass --catalog PATH to a products CSV (default <project>/seeds/products.csv)`);
    }
    throw new FtError(`cannot read product catalog ${path}: ${(e as Error).message}`);
  }
  return parseCatalog(text, path);
}

export function parseCatalog(text: string, file = 'products.csv'): Product[] {
  let rows;
  try {
    rows = parseCsvRecords(text, { strict: true });
  } catch (e) {
    if (e instanceof CsvError) throw new FtError(e.message, 2, file, e.line);
    throw e;
  }
  const header = rows[0];
  if (!header) throw new FtError(`the product catalog is empty; expected a header line ${CATALOG_COLUMNS.join(',')}`, 2, file, 1);
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const col: Record<string, number> = {};
  for (const c of CATALOG_COLUMNS) {
    const idx = names.indexOf(c);
    if (idx === -1) {
      throw new FtError(`the catalog header lacks column "${c}"; expected ${CATALOG_COLUMNS.join(',')}`, 2, file, header.line);
    }
    col[c] = idx;
  }
  const products: Product[] = [];
  const seen = new Map<string, number>();
  for (const row of rows.slice(1)) {
    const get = (c: (typeof CATALOG_COLUMNS)[number]): string => (row.fields[col[c]!] ?? '').trim();
    if (row.fields.length !== header.fields.length) {
      throw new FtError(`expected ${header.fields.length} fields, found ${row.fields.length} (quote fields that contain commas)`, 2, file, row.line);
    }
    const productId = get('product_id');
    if (!productId) throw new FtError('product_id is empty', 2, file, row.line);
    const prev = seen.get(productId);
    if (prev !== undefined) throw new FtError(`duplicate product_id "${productId}" (first on line ${prev})`, 2, file, row.line);
    seen.set(productId, row.line);
    const category = get('category');
    if (!category) throw new FtError(`category is empty for ${productId}`, 2, file, row.line);
    const price = get('list_price');
    if (!PRICE_RE.test(price)) {
      throw new FtError(`list_price "${price}" of ${productId} is not a decimal with at most 2 places (e.g. 129.99)`, 2, file, row.line);
    }
    const [whole, frac = ''] = price.split('.');
    const listPriceCents = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
    if (listPriceCents <= 0) throw new FtError(`list_price of ${productId} must be greater than 0`, 2, file, row.line);
    const launchedOn = get('launched_on');
    const m = DATE_RE.exec(launchedOn);
    const d = m ? new Date(`${launchedOn}T00:00:00Z`) : null;
    if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== launchedOn) {
      throw new FtError(`launched_on "${launchedOn}" of ${productId} is not a date YYYY-MM-DD`, 2, file, row.line);
    }
    products.push({ productId, productName: get('product_name'), category, brand: get('brand'), listPriceCents, launchedOn });
  }
  if (products.length === 0) throw new FtError('the product catalog has a header but no products', 2, file, header.line);
  return products;
}
