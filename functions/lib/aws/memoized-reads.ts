// One batch of health checks reads the same things many times: the cluster, its Fargate
// profiles and subnets for every volume of the cluster, the file system, its policy, mount
// targets and access points for every volume on it. A client wrapped here answers a repeated
// read from the first answer, so a batch reads each thing once.

/** Any SDK v3 client: `send` a command, which carries its `input`. */
interface Sending {
  send(command: { readonly input?: unknown }, ...rest: never[]): Promise<unknown>;
}

/** Reads: a repeated one gives the same answer within one batch (AWS's read-only verbs). */
const READ_COMMAND = /^(Describe|List|Get)[A-Z]\w*Command$/;

/**
 * The client, with each read command's answer kept for the client's life (a batch's):
 * the same command with the same input is sent once, concurrent ones share the call. A failed
 * read is forgotten, so the next volume asks again. Writes go through untouched.
 *
 * Only for a short-lived snapshot (one scheduled batch); never for a client kept across
 * invocations.
 */
export function memoizeReads<Client extends Sending>(client: Client): Client {
  const answer = promiseMemo<unknown>();
  const send = (command: { readonly input?: unknown }, ...rest: never[]): Promise<unknown> => {
    const name = command.constructor.name;
    if (!READ_COMMAND.test(name) || rest.length > 0) return client.send(command, ...rest);
    return answer(`${name} ${JSON.stringify(command.input ?? {})}`, () => client.send(command));
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'send') return send;
      return Reflect.get(target, property, receiver);
    },
  });
}

/**
 * A memo of promises by key: the first `make` for a key is kept and shared by every later
 * call; one that fails is forgotten, so the next call makes it again.
 */
export function promiseMemo<T>(): (key: string, make: () => Promise<T>) => Promise<T> {
  const kept = new Map<string, Promise<T>>();
  return (key, make) => {
    let promise = kept.get(key);
    if (!promise) {
      promise = make();
      kept.set(key, promise);
      promise.catch(() => kept.delete(key));
    }
    return promise;
  };
}
