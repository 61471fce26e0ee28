/**
 * A small structured logger. It never receives request bodies; as a second line of defence it
 * redacts any field whose name looks secret and strips query strings (the sign-in token
 * travels in one).
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const SECRET_FIELD = /pass|secret|token|key|cookie|authori[sz]ation|credential|pfx|p12/i;

export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (SECRET_FIELD.test(name)) out[name] = '[redacted]';
    else if (typeof value === 'string') out[name] = stripQuery(value);
    else if (value && typeof value === 'object' && !Array.isArray(value))
      out[name] = redact(value as Record<string, unknown>);
    else out[name] = value;
  }
  return out;
}

function stripQuery(value: string): string {
  return value.replace(/\?[^\s]*/g, '?[redacted]');
}

export function createLogger(
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const log = (level: string, message: string, fields?: Record<string, unknown>) =>
    write(
      JSON.stringify({
        time: new Date().toISOString(),
        level,
        msg: stripQuery(message),
        ...redact(fields ?? {}),
      }),
    );
  return {
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
