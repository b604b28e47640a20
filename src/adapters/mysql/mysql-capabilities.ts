import type { Session } from '../adapter.js';

/**
 * What the server in use offers among the features ft relies on, each with the fallback ft uses
 * where it is missing (docs/scaling.md lists the engines and their answers).
 */
export interface Capabilities {
  /** a MariaDB Galera cluster node (`@@wsrep_on`) */
  galera: boolean;
  /**
   * 'get_lock': GET_LOCK holds for every client of the server.
   * 'lease': GET_LOCK is local to one node (Galera), so the run lock is a lease row that
   * certifies cluster-wide (mysql-lease-lock.ts).
   */
  runLock: 'get_lock' | 'lease';
  /** the server accepts LOAD DATA LOCAL INFILE (`@@local_infile`); off: seeds insert in batches */
  loadDataLocal: boolean;
  /** Galera splits a LOAD DATA into 10,000-row commits when on, which breaks a batch's atomicity */
  loadDataSplitting: boolean;
}

const num = (v: unknown) => Number(v ?? 0) === 1;

/** Reads the server's variables once; a variable the server lacks (MySQL has no wsrep_on) reads as off. */
export async function detectCapabilities(s: Session): Promise<Capabilities> {
  const read = async (variable: string): Promise<unknown> => {
    try {
      const [row] = await s.query<{ v: unknown }>(`SELECT @@${variable} AS v`);
      return row?.v;
    } catch (e) {
      if ((e as { errno?: number }).errno === 1193) return null; // unknown system variable
      throw e;
    }
  };
  const wsrep = await read('wsrep_on');
  const galera = num(wsrep) || String(wsrep).toUpperCase() === 'ON';
  const splitting = galera ? await read('wsrep_load_data_splitting') : null;
  return {
    galera,
    runLock: galera ? 'lease' : 'get_lock',
    loadDataLocal: num(await read('local_infile')),
    loadDataSplitting: num(splitting) || String(splitting).toUpperCase() === 'ON',
  };
}
