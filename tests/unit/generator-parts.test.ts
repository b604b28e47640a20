/** The producer's building blocks: PRNG, catalog seed, line classification, CLI flags. */
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCatalog, readCatalog } from '../../src/generator/catalog.js';
import { classifyLine } from '../../src/generator/classify.js';
import { formatCents, formatTimestamp } from '../../src/generator/event.js';
import { planFlashSales, saleAt } from '../../src/generator/flash-sales.js';
import { parseProduceArgs, runProduceCli } from '../../src/generator/produce-cli.js';
import { Prng } from '../../src/generator/prng.js';
import { FtError } from '../../src/util/errors.js';

const CATALOG_PATH = fileURLToPath(new URL('../../seeds/products.csv', import.meta.url));
const catalog = readCatalog(CATALOG_PATH);
const ids = new Set(catalog.map((p) => p.productId));

describe('Prng', () => {
  it('is deterministic per seed and stream, and 42 equals "42"', () => {
    const seq = (p: Prng): number[] => Array.from({ length: 8 }, () => p.nextU32());
    expect(seq(new Prng(42))).toEqual(seq(new Prng(42)));
    expect(seq(new Prng(42))).toEqual(seq(new Prng('42')));
    expect(seq(new Prng(42))).not.toEqual(seq(new Prng(43)));
    expect(seq(new Prng(42, 'a'))).not.toEqual(seq(new Prng(42, 'b')));
  });

  it('draws uniformly enough', () => {
    const p = new Prng(1);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[p.int(10)]!++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
    const f = Array.from({ length: 1000 }, () => p.float());
    expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...f)).toBeLessThan(1);
  });

  it('makes v4-shaped UUIDs', () => {
    const p = new Prng(5);
    const all = Array.from({ length: 1000 }, () => p.uuid());
    for (const u of all) expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(all).size).toBe(1000);
  });
});

describe('catalog seed', () => {
  it('has ~120 products in 8 categories with plausible prices and dates', () => {
    expect(catalog.length).toBe(120);
    const cats = new Set(catalog.map((p) => p.category));
    expect(cats).toEqual(new Set(['Electronics', 'Fashion', 'Home & Kitchen', 'Beauty', 'Sports', 'Toys', 'Books', 'Grocery']));
    expect(ids.size).toBe(120);
    for (const p of catalog) {
      expect(p.productId).toMatch(/^P\d{4}$/);
      expect(p.productName.length).toBeGreaterThan(5);
      expect(p.brand.length).toBeGreaterThan(1);
      expect(p.listPriceCents).toBeGreaterThan(0);
      expect(p.launchedOn < '2026-11-24').toBe(true);
    }
    const max = (c: string): number => Math.max(...catalog.filter((p) => p.category === c).map((p) => p.listPriceCents));
    expect(max('Electronics')).toBeGreaterThan(200_000); // electronics can cost thousands
    expect(max('Grocery')).toBeLessThan(10_000);
    // quoted names survive
    expect(catalog.find((p) => p.productId === 'P0005')!.productName).toBe('Arcwave 65" 4K OLED TV');
    expect(catalog.find((p) => p.productId === 'P0034')!.productName).toBe("Copperleaf Chef's Knife Set, 6-Piece");
  });

  it('reports bad catalogs with file and line', () => {
    const head = 'product_id,product_name,category,brand,list_price,launched_on\n';
    const err = (text: string): string => {
      try {
        parseCatalog(text, 'p.csv');
      } catch (e) {
        return (e as FtError).format();
      }
      return 'no error';
    };
    expect(err(`${head}P1,A,C,B,10.00,2024-01-01\nP1,A,C,B,10.00,2024-01-01\n`)).toBe('p.csv:3: duplicate product_id "P1" (first on line 2)');
    expect(err(`${head}P1,A,C,B,ten,2024-01-01\n`)).toMatch(/^p\.csv:2: list_price "ten"/);
    expect(err(`${head}P1,A,C,B,0.00,2024-01-01\n`)).toMatch(/must be greater than 0/);
    expect(err(`${head}P1,A,C,B,1.00,2024-02-30\n`)).toMatch(/launched_on "2024-02-30"/);
    expect(err(`${head}P1,A,C,1.00,2024-02-03\n`)).toMatch(/^p\.csv:2: expected 6 fields, found 5/);
    expect(err('product_id,name\n')).toMatch(/lacks column "product_name"/);
    expect(() => readCatalog('/nonexistent/x.csv')).toThrow(/product catalog not found/);
  });
});

describe('classifyLine', () => {
  const ok = {
    event_id: '8fbda514-e25a-4f47-bb5f-56c1558d250d',
    event_type: 'purchase',
    event_ts: '2026-11-24T10:15:02.123Z',
    user_id: 'U000123',
    session_id: 'S-1',
    product_id: 'P0001',
    category: 'Electronics',
    price: 1999.2,
    quantity: 1,
    flash_sale_id: 'FS-20261124-03',
  };
  const nd = (o: object): string => JSON.stringify(o);

  it('accepts a valid event and returns it', () => {
    const c = classifyLine(nd(ok), 'ndjson', ids);
    expect(c).toEqual({ kind: 'valid', event: ok });
    expect(classifyLine(nd({ ...ok, user_id: null, flash_sale_id: null }), 'ndjson', ids).kind).toBe('valid');
  });

  it('finds malformed, null and invalid lines with their reason', () => {
    const k = (line: string): string => {
      const c = classifyLine(line, 'ndjson', ids);
      return c.reason ? `${c.kind}:${c.reason}` : c.kind;
    };
    expect(k(nd(ok).slice(0, 40))).toBe('malformed:json');
    expect(k('[1,2]')).toBe('malformed:not_an_object');
    expect(k(nd(ok).replace(/"/g, "'"))).toBe('malformed:json');
    expect(k(nd({ ...ok, event_id: null }))).toBe('null:event_id');
    const { product_id: _omit, ...noProduct } = ok;
    expect(k(nd(noProduct))).toBe('null:product_id');
    expect(k(nd({ ...ok, session_id: '' }))).toBe('null:session_id');
    expect(k(nd({ ...ok, event_type: 'wishlist_add' }))).toBe('invalid:unknown_event_type');
    expect(k(nd({ ...ok, price: 0 }))).toBe('invalid:non_positive_price');
    expect(k(nd({ ...ok, price: -3.5 }))).toBe('invalid:non_positive_price');
    expect(k(nd({ ...ok, price: '12.00' }))).toBe('invalid:bad_price');
    expect(k(nd({ ...ok, quantity: 0 }))).toBe('invalid:non_positive_quantity');
    expect(k(nd({ ...ok, quantity: 1.5 }))).toBe('invalid:bad_quantity');
    expect(k(nd({ ...ok, product_id: 'P9999' }))).toBe('invalid:unknown_product_id');
    expect(k(nd({ ...ok, event_ts: '2026-11-24 10:15:02' }))).toBe('invalid:bad_timestamp');
    expect(k(nd({ ...ok, event_ts: '2026-02-30T10:15:02.123Z' }))).toBe('invalid:bad_timestamp');
    expect(k(nd({ ...ok, user_id: 5 }))).toBe('invalid:bad_value');
  });

  it('reads CSV: empty field = null, field count checked', () => {
    const csv = '8fbda514-e25a-4f47-bb5f-56c1558d250d,view,2026-11-24T10:15:02.123Z,U000123,S-1,P0031,Home & Kitchen,899.00,1,';
    const c = classifyLine(csv, 'csv', ids);
    expect(c.kind).toBe('valid');
    expect(c.event).toMatchObject({ price: 899, quantity: 1, flash_sale_id: null, category: 'Home & Kitchen' });
    expect(classifyLine(csv.replace(',view,', ',,'), 'csv', ids)).toEqual({ kind: 'null', reason: 'event_type' });
    expect(classifyLine(csv + ',x', 'csv', ids)).toEqual({ kind: 'malformed', reason: 'field_count' });
    expect(classifyLine(csv.split(',').slice(0, 4).join(','), 'csv', ids)).toEqual({ kind: 'malformed', reason: 'field_count' });
    expect(classifyLine(csv.replace(',899.00,', ',-899.00,'), 'csv', ids)).toEqual({ kind: 'invalid', reason: 'non_positive_price' });
    expect(classifyLine(csv.replace(',1,', ',-1,'), 'csv', ids)).toEqual({ kind: 'invalid', reason: 'non_positive_quantity' });
    expect(classifyLine(csv.replace(',899.00,', ',"899.00'), 'csv', ids).kind).toBe('malformed');
  });
});

describe('formatting', () => {
  it('formats timestamps and cents', () => {
    for (const iso of ['2026-11-24T10:15:02.123Z', '2026-11-24T00:00:00.000Z', '2026-12-31T23:59:59.999Z', '2026-11-24T10:15:02.007Z']) {
      expect(formatTimestamp(Date.parse(iso))).toBe(iso);
    }
    expect(formatCents(129999)).toBe('1299.99');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(-500)).toBe('-5.00');
  });
});

describe('flash sales', () => {
  it('plans a few 30–90 minute, non-overlapping sales per day, independent of the window', () => {
    const day = Date.parse('2026-11-24T00:00:00Z');
    const sales = planFlashSales(42, catalog, day, 2 * 86_400_000);
    const first = sales.filter((s) => s.id.startsWith('FS-20261124-'));
    expect(first.length).toBeGreaterThanOrEqual(3);
    expect(first.length).toBeLessThanOrEqual(5);
    for (let i = 0; i < sales.length; i++) {
      const s = sales[i]!;
      expect(s.id).toMatch(/^FS-\d{8}-\d{2}$/);
      expect((s.endMs - s.startMs) / 60_000).toBeGreaterThanOrEqual(30);
      expect((s.endMs - s.startMs) / 60_000).toBeLessThanOrEqual(90);
      if (i > 0) expect(s.startMs).toBeGreaterThanOrEqual(sales[i - 1]!.endMs);
      expect(saleAt(sales, s.startMs)).toBe(i);
      expect(saleAt(sales, s.endMs)).not.toBe(i);
      for (const p of s.featured) expect(s.discountPct[p]).toBeGreaterThanOrEqual(10);
    }
    expect(planFlashSales(42, catalog, day, 86_400_000).map((s) => s.id)).toEqual(first.map((s) => s.id));
  });
});

describe('produce CLI', () => {
  const bad = (args: string): string => {
    try {
      parseProduceArgs(args.split(' ').filter(Boolean), '/tmp');
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  it('parses flags into options, resolving paths against the cwd', () => {
    const { options } = parseProduceArgs(
      ['--events', '1000', '--out', 'land', '--format=csv', '--seed', '7', '--span', '2h', '--late', '5%', '--duplicates', '0.01', '--catalog', 'c.csv'],
      '/tmp/x',
    );
    expect(options).toMatchObject({
      events: 1000,
      out: '/tmp/x/land',
      format: 'csv',
      seed: 7,
      spanMs: 7_200_000,
      catalog: '/tmp/x/c.csv',
      dirt: { late: 0.05, duplicates: 0.01 },
    });
    expect(parseProduceArgs(['--out', '-'], '/tmp').options.out).toBe('-');
    expect(parseProduceArgs(['--seed', 'black-friday'], '/tmp').options.seed).toBe('black-friday');
  });

  it('names the bad flag and the fix', () => {
    expect(bad('--events lots')).toBe('--events "lots" is not a whole number; use e.g. --events 100000');
    expect(bad('--evnts 5')).toBe('unknown option --evnts. Did you mean --events? See --help.');
    expect(bad('--rate 10 --duration forever')).toMatch(/^--duration "forever" is not a duration/);
    expect(bad('--duration 10s')).toMatch(/^--duration needs a steady --rate > 0/);
    expect(bad('--format parquet')).toBe('--format "parquet" is not supported; use --format ndjson or --format csv');
    expect(bad('--nulls 1.5')).toMatch(/^--nulls "1.5" must be a fraction between 0 and 1/);
    expect(bad('--nulls 0.6 --invalid 0.6')).toMatch(/add up to 1.200/);
    expect(bad('--out')).toMatch(/^--out needs a value/);
    expect(bad('--events 5 --events 6')).toBe('--events is given twice; keep one');
    expect(bad('--start 24/11/2026')).toMatch(/^--start "24\/11\/2026" is not an ISO-8601 time/);
  });

  it('exits 2 with one line on stderr and no stack trace', async () => {
    const err = new PassThrough();
    let text = '';
    err.on('data', (c: Buffer) => (text += c.toString()));
    expect(await runProduceCli(['--events', 'x'], { stderr: err })).toBe(2);
    expect(await runProduceCli(['--events', '5', '--catalog', '/nonexistent.csv', '--out', '-'], { stderr: err, stdout: new PassThrough() })).toBe(2);
    const lines = text.trim().split('\n');
    expect(lines).toEqual([
      'produce: --events "x" is not a whole number; use e.g. --events 100000',
      expect.stringMatching(/^produce: product catalog not found: \/nonexistent\.csv — pass --catalog PATH/),
    ]);
    expect(text).not.toMatch(/\bat \w+ \(/);
  });

  it('prints help', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    expect(await runProduceCli(['--help'], { stdout: out })).toBe(0);
    expect(text).toMatch(/^Usage: npm run produce -- \[options\]/);
    for (const f of ['--events', '--duration', '--rate', '--out', '--format', '--file-events', '--seed', '--start', '--span', '--catalog', '--summary', '--duplicates', '--malformed', '--nulls', '--invalid', '--late']) {
      expect(text).toContain(f);
    }
  });
});
