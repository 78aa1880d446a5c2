#!/usr/bin/env -S node --no-node-snapshot
import { main } from '../src/cli/main.ts';

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`switchboard: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
