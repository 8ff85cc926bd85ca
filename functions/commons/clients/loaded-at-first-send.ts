/** What the logic calls on an SDK v3 client: `send`. */
interface Sending {
  send(...args: never[]): Promise<unknown>;
}

/**
 * An SDK client that only some requests call, loaded by the first of them: `load` imports the
 * client's module (with `import()`, which esbuild makes a chunk of the function's bundle), so
 * the client's package is not read at the cold start of the function, only at its first
 * `send`, once. The stand-in has only `send`; every other property of the client reads as
 * undefined, so hand it only to code that sends commands.
 *
 * Give a function the client itself where every request calls it: loading it later would only
 * move its cost from the cold start to the first invocation.
 */
export function loadedAtFirstSend<Client extends Sending>(load: () => Promise<Client>): Client {
  let loaded: Promise<Client> | undefined;
  const send = async (...args: never[]) => {
    loaded ??= load().catch((error: unknown) => {
      // A failed import is tried again by the next send, not remembered.
      loaded = undefined;
      throw error;
    });
    return (await loaded).send(...args);
  };
  return { send } as unknown as Client;
}
