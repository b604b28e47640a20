import type { PoolOptions } from 'mysql2';
import type { ResolvedTarget } from '../../project/types.js';

/** mysql2 pool options for a target: UTC sessions, strings for dates, a pool sized to threads. */
export function poolOptions(target: ResolvedTarget, connections: number): PoolOptions {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    connectionLimit: Math.max(1, connections),
    maxIdle: Math.max(1, connections),
    waitForConnections: true,
    multipleStatements: true,
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    decimalNumbers: false,
    connectTimeout: 10_000,
    enableKeepAlive: true,
  };
}
