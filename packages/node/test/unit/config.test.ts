/** `loadConfig`: a data dir's filverse.json, with `stateHistory` checked (a bad value is CONFIG_INVALID, not a crash later). */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { initDataDir, loadConfig } from "../../src/config.js";
import { ConfigError, ConfigErrorCode } from "../../src/errors.js";
import { tempDirs } from "./chainFixture.js";

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

it("loads stateHistory when it is a positive integer and refuses anything else", () => {
  const dir = tmp.make("cfg");
  initDataDir({ dataDir: dir, preset: "devnet", devAccounts: 1 });
  const path = join(dir, "filverse.json");
  const base = JSON.parse(readFileSync(path, "utf8"));
  expect(loadConfig(dir).stateHistory).toBeUndefined();
  writeFileSync(path, JSON.stringify({ ...base, stateHistory: 16 }));
  expect(loadConfig(dir).stateHistory).toBe(16);
  for (const bad of [0, -1, 2.5, "8"]) {
    writeFileSync(path, JSON.stringify({ ...base, stateHistory: bad }));
    const err = (() => {
      try {
        loadConfig(dir);
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe(ConfigErrorCode.INVALID);
  }
});

it("loads checkpoints (whole seconds or null) and refuses anything else", () => {
  const dir = tmp.make("cfg-cp");
  initDataDir({ dataDir: dir, preset: "devnet", devAccounts: 1 });
  const path = join(dir, "filverse.json");
  const base = JSON.parse(readFileSync(path, "utf8"));
  writeFileSync(path, JSON.stringify({ ...base, checkpoints: { withdrawalDelaySec: null, maxAgeSec: 600 } }));
  expect(loadConfig(dir).checkpoints).toEqual({ withdrawalDelaySec: null, maxAgeSec: 600 });
  for (const bad of [-1, 1.5, "60"]) {
    writeFileSync(path, JSON.stringify({ ...base, checkpoints: { maxAgeSec: bad } }));
    expect(() => loadConfig(dir)).toThrow(ConfigError);
  }
});
