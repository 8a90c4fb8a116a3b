/**
 * Key files: one 0x-prefixed 32-byte hex private key and a newline, mode 0600. Reading one that
 * the group or others can read prints a warning on stderr (the key still works: refusing would
 * break scripts on filesystems without modes, the warning says how to fix it).
 */
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { isHex } from "@filverse/utils";
import { UsageError } from "./output.js";

/** A private key as typed or pasted: 64 hex digits, with or without 0x; lower-cased with 0x. */
export function parsePrivateKey(text: string, where: string): `0x${string}` {
  const t = text.trim();
  const hex = /^0x/i.test(t) ? `0x${t.slice(2)}` : `0x${t}`;
  if (!isHex(hex, 32)) throw new UsageError(`${where} does not hold a private key (64 hex digits, with or without 0x)`);
  const key = hex.toLowerCase() as `0x${string}`;
  if (/^0x0{64}$/.test(key)) throw new UsageError(`${where} holds the zero key, which cannot sign`);
  return key;
}

/** Warn on stderr when `file` is readable or writable by its group or others (POSIX modes only). */
export function warnIfExposed(file: string): void {
  if (process.platform === "win32") return;
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return;
  }
  if ((mode & 0o077) === 0) return;
  process.stderr.write(
    `warning: key file ${file} is readable by ${mode & 0o070 ? "its group" : ""}${mode & 0o070 && mode & 0o007 ? " and " : ""}${mode & 0o007 ? "others" : ""} (mode 0${mode.toString(8)}); run: chmod 600 ${file}\n`,
  );
}

/** Read a key file for `flag`, warning when others can read it. */
export function readKeyFile(
  file: string | undefined,
  flag: string,
  opts: { env?: string; hints?: string[] } = {},
): `0x${string}` {
  if (!file)
    throw new UsageError(
      `This command signs: pass ${flag} <file>${opts.env ? ` (or set ${opts.env})` : ""}`,
      opts.hints ?? [],
    );
  if (!existsSync(file)) throw new UsageError(`Key file ${file} does not exist`);
  warnIfExposed(file);
  const text = readFileSync(file, "utf8").trim();
  if (!isHex(text, 32)) throw new UsageError(`Key file ${file} does not hold a 0x-prefixed 32-byte hex key`);
  return text as `0x${string}`;
}

/** Write a new key file with mode 0600; refuses to overwrite anything. */
export function writeKeyFile(out: string, key: `0x${string}`): void {
  if (existsSync(out)) throw new UsageError(`${out} already exists; refusing to overwrite a key`);
  try {
    writeFileSync(out, `${key}\n`, { mode: 0o600, flag: "wx" });
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === "EEXIST") throw new UsageError(`${out} already exists; refusing to overwrite a key`);
    throw new UsageError(`Cannot write ${out} (${code ?? (cause as Error).message})`);
  }
  chmodSync(out, 0o600); // a umask cannot widen it, but an odd filesystem might
}
