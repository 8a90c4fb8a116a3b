#!/usr/bin/env node
// The `filverse` command. The TypeScript sources build to ../lib (npm run build).
import { main } from "../lib/main.js";

process.exitCode = await main(process.argv);
