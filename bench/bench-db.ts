/** The server the benchmarks use: FT_BENCH_HOST/PORT/USER/PASSWORD, else the tests' FT_TEST_*, else 127.0.0.1:3306 root. */
export const BENCH_DB = {
  host: process.env.FT_BENCH_HOST ?? process.env.FT_TEST_HOST ?? '127.0.0.1',
  port: Number(process.env.FT_BENCH_PORT ?? process.env.FT_TEST_PORT ?? 3306),
  user: process.env.FT_BENCH_USER ?? process.env.FT_TEST_USER ?? 'root',
  password: process.env.FT_BENCH_PASSWORD ?? process.env.FT_TEST_PASSWORD ?? '',
};
