/** startLocalL1 refuses a port that is already taken, before it spawns anything (no hardhat needed). */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { L1Error, L1ErrorCode, startLocalL1 } from "../../src/index.js";

describe("startLocalL1", () => {
  it("refuses a busy port with PORT_IN_USE instead of using whatever answers there", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const err = await startLocalL1({ port, startTimeoutMs: 2_000 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(L1Error);
      expect(err).toMatchObject({ code: L1ErrorCode.PORT_IN_USE, details: { port } });
      expect((err as L1Error).shortMessage).toMatch(new RegExp(`^L1 port ${port} on 127.0.0.1 is already in use`));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
