/** Defaults shared by commands, kept apart so registering a command loads nothing heavy. */
export const DEFAULT_DEV_DIR = ".filverse/dev";
export const DEFAULT_DEVNET_DIR = ".filverse/devnet";
