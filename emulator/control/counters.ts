import type { RequestKind } from '../request-kinds';

export interface RequestCounters {
  /** Requests received, by kind, whatever their outcome. */
  requests: Partial<Record<RequestKind, number>>;
  /** Requests answered with an error, by kind. */
  errors: Partial<Record<RequestKind, number>>;
  /** The same errors by kind and exception name. */
  errorTypes: Partial<Record<RequestKind, Record<string, number>>>;
}

export class Counters {
  private data: RequestCounters = { requests: {}, errors: {}, errorTypes: {} };

  request(kind: RequestKind): void {
    this.data.requests[kind] = (this.data.requests[kind] ?? 0) + 1;
  }

  error(kind: RequestKind, name: string): void {
    this.data.errors[kind] = (this.data.errors[kind] ?? 0) + 1;
    const byType = (this.data.errorTypes[kind] ??= {});
    byType[name] = (byType[name] ?? 0) + 1;
  }

  snapshot(): RequestCounters {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = { requests: {}, errors: {}, errorTypes: {} };
  }
}
