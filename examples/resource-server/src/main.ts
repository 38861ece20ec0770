import { loadConfig } from './config.ts';
import { createResourceServerApp, discover } from './create-app.ts';

// The example is its own service: its settings come from its own environment (src/config.ts).
// eslint-disable-next-line no-restricted-properties -- not Portcullis: this process has no src/config
const config = loadConfig(process.env);
const app = createResourceServerApp(config, await discover(config.issuer));
const server = app.listen(config.port, config.host, () => {
  process.stdout.write(
    `example API for ${config.identifier} on ${config.publicUrl} (issuer ${config.issuer})\n`,
  );
});
process.once('SIGTERM', () => server.close());
process.once('SIGINT', () => server.close());
