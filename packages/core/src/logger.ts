/** Structured fields attached to a log line. Never put secrets here. */
export type LogFields = Record<string, unknown>;

/**
 * The logger the SDK writes to: any object with some of these methods (console, pino and winston
 * all fit). Missing methods are skipped.
 */
export interface Logger {
  /** Detail for troubleshooting. */
  debug?(message: string, fields?: LogFields): void;
  /** Progress: a plan computed, changes applied, with their counts. */
  info?(message: string, fields?: LogFields): void;
  /** Something was left out or refused on purpose: a desired record not written, a plan refused by the safety limits. */
  warn?(message: string, fields?: LogFields): void;
  /** A failure the caller should see in its logs. */
  error?(message: string, fields?: LogFields): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: Logger = {};

/**
 * A logger whose methods take the fields first, `(fields, message)`: pino's and bunyan's order.
 * Recognised by pino's `levels.values` and `bindings()`.
 */
export interface FieldsFirstLogger {
  /** pino's level table; its presence marks a fields-first logger. */
  levels: { values: Record<string, number> };
  /** pino's bound fields; its presence marks a fields-first logger. */
  bindings(): unknown;
  /** Logs at debug level, fields first. */
  debug(fields: LogFields, message: string): void;
  /** Logs at info level, fields first. */
  info(fields: LogFields, message: string): void;
  /** Logs at warn level, fields first. */
  warn(fields: LogFields, message: string): void;
  /** Logs at error level, fields first. */
  error(fields: LogFields, message: string): void;
}

function isFieldsFirst(logger: unknown): logger is FieldsFirstLogger {
  const l = logger as Partial<FieldsFirstLogger> | undefined;
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.bindings === 'function' &&
    typeof l.levels === 'object' &&
    typeof l.levels.values === 'object'
  );
}

/**
 * The SDK's {@link Logger} for a pino logger: structured fields go where pino expects them
 * (`pino.warn(fields, message)`), so they appear in its output as fields, not as lost format
 * arguments. `reconcile` and the webhook server apply it themselves when they are given a pino
 * logger; call it when you pass pino on to your own code.
 */
export function pinoLogger(pino: FieldsFirstLogger): Logger {
  return {
    debug: (message, fields) => pino.debug(fields ?? {}, message),
    info: (message, fields) => pino.info(fields ?? {}, message),
    warn: (message, fields) => pino.warn(fields ?? {}, message),
    error: (message, fields) => pino.error(fields ?? {}, message),
  };
}

/** The logger to write to: `silentLogger` when none, pino's argument order when it is pino. */
export function toLogger(logger: Logger | undefined): Logger {
  if (logger === undefined) return silentLogger;
  return isFieldsFirst(logger) ? pinoLogger(logger) : logger;
}
