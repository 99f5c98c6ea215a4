/**
 * The Zalo Bot API over plain HTTP: POST `<root>/bot<token>/<method>` with JSON, answered
 * by an envelope {ok, result?, description?, error_code?}. HTTP 200 may still say ok:false.
 * Transport failures (network, timeouts, non-JSON) and API refusals are different errors.
 * The token is part of the URL, so no URL — and no error message that could hold one —
 * ever leaves this file unredacted.
 */

/** Zalo answered, and said no. */
export class ZaloApiError extends Error {
  override readonly name = "ZaloApiError";
  constructor(
    readonly method: string,
    readonly errorCode: number,
    readonly description: string,
    readonly httpStatus: number,
  ) {
    super(`${method}: ${errorCode} ${description}`);
  }

  /**
   * The token was refused (401): retrying will not help. A 403 is not this: it is one chat
   * that the bot may not message (the person blocked it, the group removed it).
   */
  get isAuth(): boolean {
    if (this.errorCode === 403 || this.httpStatus === 403) return false;
    return this.errorCode === 401 || this.httpStatus === 401 || /token|unauthori[sz]ed/i.test(this.description);
  }
}

/** No usable answer reached us (network, timeout, 5xx without envelope, garbage). */
export class ZaloTransportError extends Error {
  override readonly name = "ZaloTransportError";
  constructor(
    readonly method: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${method}: ${message}`);
  }
}

export interface ZaloClientOptions {
  token: string;
  apiRoot: string;
  /** Default per-call timeout; long polls pass their own. */
  timeoutMs?: number;
  /**
   * Told after each call whether Zalo answered: null when it did, else what is wrong
   * ("network error", "HTTP 502 …", "token refused"). Never holds the token.
   */
  observe?(problem: string | null): void;
}

export class ZaloClient {
  constructor(private readonly o: ZaloClientOptions) {}

  async call<T>(method: string, body: Record<string, unknown> = {}, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.o.timeoutMs ?? 15_000);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    let res: Response;
    try {
      res = await fetch(`${this.o.apiRoot}/bot${this.o.token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal,
      });
    } catch (e) {
      const reason = (e as Error).name === "TimeoutError" ? "timed out" : (e as Error).name === "AbortError" ? "aborted" : "network error";
      if (reason !== "aborted") this.o.observe?.(reason);
      throw new ZaloTransportError(method, reason);
    }
    let envelope: { ok?: unknown; result?: unknown; description?: unknown; error_code?: unknown };
    try {
      envelope = (await res.json()) as typeof envelope;
    } catch {
      this.o.observe?.(`HTTP ${res.status} without a JSON envelope`);
      throw new ZaloTransportError(method, `HTTP ${res.status} without a JSON envelope`, res.status);
    }
    if (typeof envelope !== "object" || envelope === null || typeof envelope.ok !== "boolean") {
      this.o.observe?.(`HTTP ${res.status} with a malformed envelope`);
      throw new ZaloTransportError(method, `HTTP ${res.status} with a malformed envelope`, res.status);
    }
    if (!envelope.ok) {
      const code = typeof envelope.error_code === "number" ? envelope.error_code : res.status;
      const description = typeof envelope.description === "string" ? this.redact(envelope.description) : "";
      const error = new ZaloApiError(method, code, description, res.status);
      this.o.observe?.(error.isAuth ? "token refused" : code >= 500 ? `HTTP ${code}` : null);
      throw error;
    }
    this.o.observe?.(null);
    return envelope.result as T;
  }

  private redact(s: string): string {
    return s.split(this.o.token).join("***");
  }
}
