import type { LogFields, Logger } from '@openova/dns-core';

/** Log levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `json`: one JSON object per line (for log collectors); `text`: `time level message key=value`. */
export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface StructuredLoggerOptions {
  /** Lines below this level are dropped (default `info`). */
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go (default `process.stdout`). */
  write?: (line: string) => void;
  /** Fields added to every line, e.g. `{ component: 'webhook' }`. */
  base?: LogFields;
}

// Error objects do not serialise to JSON by themselves; keep name, code and message (never the cause,
// which may hold request details).
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return value;
}

function textValue(value: unknown): string {
  const v = plain(value);
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/** A small structured logger implementing core's {@link Logger}. */
export function createStructuredLogger(options: StructuredLoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const format = options.format ?? 'json';
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const base = options.base ?? {};
  const emit =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const time = new Date().toISOString();
      const all: LogFields = { ...base, ...fields };
      if (format === 'json') {
        const entries = Object.entries(all).map(([k, v]) => [k, plain(v)] as const);
        write(`${JSON.stringify({ time, level, msg: message, ...Object.fromEntries(entries) })}\n`);
      } else {
        const pairs = Object.entries(all).map(([k, v]) => `${k}=${textValue(v)}`);
        write(`${[time, level.toUpperCase().padEnd(5), message, ...pairs].join(' ')}\n`);
      }
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
