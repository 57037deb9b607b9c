import { pino, stdTimeFunctions, type DestinationStream } from 'pino';
import type { LogFields, Logger } from '@openova/dns-core';

/** Log levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `json`: one JSON object per line (pino's format, for log collectors); `text`: `time LEVEL message key=value`. */
export const LOG_FORMATS = ['json', 'text'] as const;
/** One of {@link LOG_FORMATS}. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Options of {@link createStructuredLogger}; every field has a default. */
export interface StructuredLoggerOptions {
  /** Lines below this level are dropped (default `info`). */
  level?: LogLevel;
  /** Line format (default `json`); see {@link LOG_FORMATS}. */
  format?: LogFormat;
  /** Where lines go (default `process.stdout`). */
  write?: (line: string) => void;
  /** Fields added to every line, e.g. `{ component: 'webhook' }`. */
  base?: LogFields;
  /** Values (6 characters or more) replaced by `[redacted]` wherever they appear in a line (API keys). */
  secrets?: readonly string[];
  /**
   * Messages (`info` or above) written whatever `level` is (default none): the few start-up and
   * shutdown lines an operator needs at `warn` or `error` too (the version, the listen addresses,
   * what a shutdown cut).
   */
  alwaysLogged?: readonly string[];
}

const MAX_CAUSE_DEPTH = 4;

/**
 * An error as a log field: name, message, code, HTTP status, the upstream API's request id, stack,
 * and its cause chain (a few levels). SDK errors carry no secrets (the transport redacts them), and
 * every line is also passed through the configured secrets' redaction.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as Error & { code?: unknown; status?: unknown; requestId?: unknown; provider?: unknown };
  const out: Record<string, unknown> = { type: e.name, message: e.message };
  if (typeof e.code === 'string') out['code'] = e.code;
  if (typeof e.status === 'number') out['status'] = e.status;
  if (typeof e.provider === 'string') out['provider'] = e.provider;
  if (typeof e.requestId === 'string') out['requestId'] = e.requestId;
  if (e.stack) out['stack'] = e.stack;
  if (error instanceof AggregateError && depth < MAX_CAUSE_DEPTH)
    out['errors'] = error.errors.slice(0, 10).map((inner) => serializeError(inner, depth + 1));
  if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH) out['cause'] = serializeError(e.cause, depth + 1);
  return out;
}

function textValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/** pino's JSON line as `time LEVEL message key=value …`. */
function toText(line: string): string {
  const { time, level, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
  const pairs = Object.entries(fields).map(([k, v]) => `${k}=${textValue(v)}`);
  return `${[String(time), String(level).toUpperCase().padEnd(5), String(msg), ...pairs].join(' ')}\n`;
}

/**
 * A pino logger behind core's {@link Logger} interface: JSON lines (`time` ISO 8601, `level` as a
 * name, `msg`), errors under any field serialised with stack and cause (see
 * {@link serializeError}), secrets redacted from every line.
 */
export function createStructuredLogger(options: StructuredLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const format = options.format ?? 'json';
  // a value of a few characters would blank out ordinary words; API keys are far longer
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const redact = (line: string) => {
    let text = line;
    for (const secret of secrets) text = text.split(secret).join('[redacted]');
    return text;
  };
  const destination: DestinationStream = {
    write: (line: string) => write(redact(format === 'text' ? toText(line) : line)),
  };
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { ...options.base },
      timestamp: stdTimeFunctions.isoTime,
      // every field that holds an Error is serialised, whatever its name
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) =>
          Object.fromEntries(
            Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? serializeError(v) : v]),
          ),
      },
    },
    destination,
  );
  // a child of its own level writes these lines even when the logger's level is above `info`
  const always = new Set(options.alwaysLogged ?? []);
  const lifecycle = always.size ? logger.child({}, { level: 'info' }) : logger;
  const at =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) =>
      level !== 'debug' && always.has(message)
        ? lifecycle[level](fields, message)
        : logger[level](fields, message);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
