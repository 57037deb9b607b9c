/**
 * Time and concurrency limits of the webhook API: a deadline per request (ExternalDNS's client gives
 * up after 15 s and treats that as fatal, so we answer 503 before it does) and gates that bound how
 * many request bodies are read and parsed at once, and how many applies run at once.
 */

/** The answer of a gate that could not admit a request in time. */
export class Busy extends Error {
  constructor(readonly what: string) {
    super(`too many ${what} at once; try again shortly`);
    this.name = 'Busy';
  }
}

/**
 * At most `limit` holders at once; up to `maxQueued` more wait in arrival order. A waiter leaves
 * the queue when its signal fires. A request beyond the queue is refused at once ({@link Busy}).
 */
export class Gate {
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(
    readonly what: string,
    readonly limit: number,
    readonly maxQueued: number,
  ) {}

  /** Holders right now. */
  get active(): number {
    return this.#active;
  }

  /** Waiters right now. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Resolves with a release function once admitted.
   * @throws {@link Busy} when the queue is full or `signal` fires while waiting.
   */
  acquire(signal: AbortSignal): Promise<() => void> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#queue.shift()?.();
    };
    if (this.#active < this.limit) {
      this.#active++;
      return Promise.resolve(release);
    }
    if (this.#queue.length >= this.maxQueued || signal.aborted) return Promise.reject(new Busy(this.what));
    return new Promise((resolve, reject) => {
      const admit = () => {
        signal.removeEventListener('abort', onAbort);
        this.#active++;
        resolve(release);
      };
      const onAbort = () => {
        const at = this.#queue.indexOf(admit);
        if (at >= 0) this.#queue.splice(at, 1);
        reject(new Busy(this.what));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(admit);
    });
  }
}

/** Why a request's signal fired at shutdown: the drain deadline was reached (see `WebhookServer.stop`). */
export class ShuttingDown extends Error {
  constructor() {
    super('the server is shutting down: work still running at the drain deadline is aborted');
    this.name = 'ShuttingDown';
  }
}

/** A request's time budget: `signal` fires when it is spent, or when `shutdown` fires first. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Resolves (never rejects) when the budget is spent. */
  readonly reached: Promise<void>;
  clear(): void;
}

/** A deadline `ms` from now; `shutdown` (the server's drain deadline) cuts it short. */
export function deadlineIn(ms: number, shutdown?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onShutdown = () => controller.abort(shutdown?.reason);
  const reached = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      shutdown?.removeEventListener('abort', onShutdown);
      controller.abort(new Busy('slow upstream calls'));
      resolve();
    }, ms);
    timer.unref();
  });
  if (shutdown?.aborted) onShutdown();
  else shutdown?.addEventListener('abort', onShutdown, { once: true });
  return {
    signal: controller.signal,
    reached,
    clear: () => {
      clearTimeout(timer);
      shutdown?.removeEventListener('abort', onShutdown);
    },
  };
}
