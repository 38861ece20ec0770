import { defineCommand } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';

/** `portcullis serve`: the server's own entry point, loaded only when asked for. */
export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'start the server',
  description: [
    'Starts the server with the configuration from config/*.json and the environment. It logs at log.level (LOG_LEVEL), e.g. LOG_LEVEL=debug portcullis serve.',
  ],
  // The server takes its log level from its configuration alone (src/main.ts reads it), so a
  // flag here could not change it: it is refused rather than silently dropped.
  withoutVerbose:
    'serve has no --verbose: the server logs at log.level; set LOG_LEVEL=debug for debug logs',
  run: async () => {
    const { main } = await import('../main.ts');
    await main();
    // main() reports a failed start through process.exitCode (78 for bad configuration).
    return Number(process.exitCode ?? EXIT.ok);
  },
});
