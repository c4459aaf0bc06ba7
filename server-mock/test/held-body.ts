/**
 * Test helpers to force an interleaving with real means (issue 7): a request body the test holds
 * open and finishes later, and a gate a component wrapper waits at until the test opens it.
 */
import type { TestClient, TestResponse } from './test-server.js';
import { readResponse } from './test-server.js';

/** A request body stream the test writes to and ends when it chooses. */
export interface HeldBody {
  readonly stream: ReadableStream<Uint8Array>;
  push(bytes: Uint8Array): void;
  end(): void;
}

export function createHeldBody(): HeldBody {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    stream,
    // A copy: the caller may reuse or slice its buffer.
    push: (bytes) => controller.enqueue(new Uint8Array(bytes)),
    end: () => controller.close(),
  };
}

/**
 * Sends a simple upload whose body is `held` (chunked, no Content-Length); the promise settles
 * when the server answers, which is after `held.end()` unless the server refuses earlier.
 */
export async function sendHeldUpload(
  client: TestClient,
  path: string,
  held: HeldBody,
): Promise<TestResponse> {
  const response = await client.fetch(
    `/files/upload?uploadType=media&path=${encodeURIComponent(path)}`,
    {
      method: 'POST',
      body: held.stream,
      headers: { 'content-type': 'application/octet-stream' },
      duplex: 'half',
    } as RequestInit,
  );
  return readResponse(response);
}

/** A point a wrapped component stops at: `reached` settles when it does; `open()` lets it go. */
export interface Gate {
  /** Called by the wrapper: resolves once the gate is opened. */
  pass(): Promise<void>;
  readonly reached: Promise<void>;
  open(): void;
}

export function createGate(): Gate {
  let markReached!: () => void;
  let markOpen!: () => void;
  const reached = new Promise<void>((resolve) => (markReached = resolve));
  const opened = new Promise<void>((resolve) => (markOpen = resolve));
  return {
    pass() {
      markReached();
      return opened;
    },
    reached,
    open: () => markOpen(),
  };
}
