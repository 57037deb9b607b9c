/**
 * Serialising the writers of one zone across processes and API servers.
 *
 * PowerDNS applies a PATCH in one database transaction, but a REPLACE is "delete the rrset, insert
 * its records": over PostgreSQL (READ COMMITTED, no unique key on records) two REPLACEs of one
 * rrset at the same moment both insert, and the records are stored twice. A write lock held around
 * each zone's PATCH keeps two such writes from overlapping.
 */
import { AbortedError, ConfigError, ProviderError } from '@openova/dns-core';
import { throwIfAborted } from '@openova/dns-core/provider';

/** A held lock; `release()` never throws. */
export interface PowerDnsWriteLease {
  /** Gives the lock back (ends the lock's transaction); resolves even when that fails. */
  release(): Promise<void>;
}

/**
 * Serialises the PATCHes of one zone across every writer that uses the same lock (see the
 * provider's `writeLock` option). `acquire` waits until no other writer holds the zone's lock.
 */
export interface PowerDnsWriteLock {
  /**
   * Waits until the zone's lock is free and takes it.
   * @param zone the zone name, lower case without trailing dot.
   * @throws a `ProviderError` (code `PROVIDER`, retryable) when the lock is not had in time.
   */
  acquire(zone: string, options?: { signal?: AbortSignal }): Promise<PowerDnsWriteLease>;
}

/**
 * What {@link postgresAdvisoryLock} needs of a connection: `query(text, values)`, as `pg.Client`
 * has it. It must be ONE connection (a `pg.Client`, or a client checked out of a pool and kept),
 * not a pool: a transaction's statements must reach the same session.
 */
export interface SqlConnection {
  /** Runs one statement with positional parameters (`$1`, `$2`, …), as `pg.Client#query`. */
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Options of {@link postgresAdvisoryLock}. */
export interface PostgresAdvisoryLockOptions {
  /** Longest wait for another writer's lock in ms (default 120 000): PostgreSQL's `lock_timeout`. */
  timeoutMs?: number;
  /** Prefix of the lock key, so that unrelated applications never share a lock (default `openova-dns:`). */
  namespace?: string;
}

/**
 * A {@link PowerDnsWriteLock} kept in PostgreSQL: a transaction-level advisory lock
 * (`pg_advisory_xact_lock`) keyed by a 64-bit hash of the zone name, held from `acquire` until
 * `release` (which ends the transaction). Give it a connection to the database the PowerDNS
 * servers use, or to any database every writer reaches: the lock is in the server, not in the
 * tables. A writer that dies mid-write releases it with its connection.
 *
 * Calls on one lock object run one at a time (one connection holds one transaction).
 * Source: PostgreSQL manual, "Advisory Lock Functions" and `lock_timeout`.
 */
export function postgresAdvisoryLock(
  connection: SqlConnection,
  options: PostgresAdvisoryLockOptions = {},
): PowerDnsWriteLock {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const namespace = options.namespace ?? 'openova-dns:';
  // lock_timeout 0 means "wait for ever" to PostgreSQL: refused, as anything not a positive integer
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new ConfigError(
      `pdns: postgresAdvisoryLock timeoutMs must be a positive integer (ms), got ${String(timeoutMs)}`,
    );
  if (typeof namespace !== 'string')
    throw new ConfigError('pdns: postgresAdvisoryLock namespace must be a string');
  // one transaction at a time on the connection
  let tail: Promise<unknown> = Promise.resolve();
  return {
    async acquire(zone, acquireOptions = {}) {
      const { signal } = acquireOptions;
      let done!: () => void;
      const previous = tail;
      tail = new Promise<void>((resolve) => (done = resolve));
      await previous;
      if (signal?.aborted) {
        done();
        throwIfAborted(signal);
      }
      const taking = (async () => {
        await connection.query('BEGIN');
        try {
          await connection.query("SELECT set_config('lock_timeout', $1, true)", [`${timeoutMs}ms`]);
          await connection.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
            `${namespace}${zone}`,
          ]);
        } catch (error) {
          await connection.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      })();
      try {
        await abortable(taking, signal, () => {
          // the wait goes on in the database: give the lock back as soon as it is had
          taking
            .then(
              () => connection.query('ROLLBACK').catch(() => undefined),
              () => undefined,
            )
            .finally(done);
        });
      } catch (error) {
        if (error instanceof AbortedError) throw error;
        done();
        if ((error as { code?: unknown }).code === '55P03') {
          throw new ProviderError(
            `pdns: another writer held the write lock of zone ${zone} for more than ${timeoutMs} ms`,
            { provider: 'pdns', retryable: true, cause: error },
          );
        }
        // the database or the connection failed: nothing was written, and a later run may succeed
        throw new ProviderError(
          `pdns: the write lock of zone ${zone} could not be taken: ${error instanceof Error ? error.message : String(error)}`,
          { provider: 'pdns', retryable: true, cause: error },
        );
      }
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await connection.query('COMMIT').catch(() => undefined);
          done();
        },
      };
    },
  };
}

/**
 * `work`, or an `AbortedError` as soon as `signal` fires; `onAbandon` runs when the work is left
 * to finish on its own.
 */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbandon: () => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      onAbandon();
      reject(new AbortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
