/**
 * libp2p 3 calls `Promise.withResolvers` (ES2024), which Node 20 lacks. This module installs it and
 * is imported first by `index.ts`, the package's one entry point; nothing else patches globals.
 */
type Resolvers<T> = {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};

const promiseCtor = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };

if (typeof promiseCtor.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): Resolvers<T> {
      let resolve!: Resolvers<T>["resolve"];
      let reject!: Resolvers<T>["reject"];
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
