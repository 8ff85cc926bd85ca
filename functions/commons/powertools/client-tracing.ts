// Why SDK clients are traced in two moves: the shared client modules only mark their clients,
// and each function's wrapper (steps, API, request events) turns tracing on for every marked
// client once it has the Tracer, so a client module never has to import the X-Ray SDK
// (about 85 kB) itself.

/** What traces one client in place: the Tracer's captureAWSv3Client. */
export interface ClientCapture {
  captureAWSv3Client<T>(client: T): T;
}

const marked: object[] = [];
let capture: ClientCapture | undefined;

/**
 * Marks an SDK client to be traced in the functions that trace; elsewhere it stays as it is.
 * Returns the same client.
 */
export function traceable<T extends object>(client: T): T {
  marked.push(client);
  capture?.captureAWSv3Client(client);
  return client;
}

/**
 * Traces every client marked so far and every one marked from now on. Called once per
 * function bundle; later calls change nothing. With tracing off (outside Lambda) the
 * Tracer leaves the clients untouched.
 */
export function traceClients(tracer: ClientCapture): void {
  if (capture) return;
  capture = tracer;
  for (const client of marked) tracer.captureAWSv3Client(client);
}
