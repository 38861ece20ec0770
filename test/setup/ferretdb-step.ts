/**
 * FerretDB, the MongoDB-protocol server the MongoDB suites run against (Jest's global setup
 * starts it). Built once per machine by `.ci/install-ferretdb.sh` (a minute or more with Go, which
 * reaches only the Go module proxy); every later run only checks the binary's version.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findFerretDbBinary } from '../helpers/find-ferretdb-binary.ts';
import { findOnPath } from '../helpers/find-on-path.ts';
import type { SetupStep } from './setup-step.ts';

const SCRIPT = join('.ci', 'install-ferretdb.sh');
/** Lines of a failed build's output shown to explain it. */
const KEPT_LINES = 10;
/** Why no `apt-get install golang-go`: Debian 12's Go (1.19) cannot build FerretDB 1.24, and
 * only Go 1.21 or later fetches the newer toolchain FerretDB's go.mod asks for by itself. */
const NO_GO =
  'ferretdb: building FerretDB needs Go 1.21 or later on PATH (`go`); install Go, or set ' +
  'MONGODB_URI to a MongoDB server, or FERRETDB_BIN to a FerretDB 1.24 binary';

export const ferretDbStep: SetupStep = {
  name: 'ferretdb',
  run({ rootDir, say }) {
    const uri = process.env['MONGODB_URI'];
    if (uri !== undefined && uri !== '') return { status: 'skipped', detail: 'MONGODB_URI is set' };

    const given = process.env['FERRETDB_BIN'];
    if (given !== undefined && given !== '') {
      return findFerretDbBinary() === undefined
        ? { status: 'missing', line: `ferretdb: FERRETDB_BIN=${given} is not an executable file` }
        : { status: 'ready', detail: given };
    }

    if (findOnPath('go') === undefined) {
      // Built on this machine before Go went away: still usable.
      const built = findFerretDbBinary();
      return built === undefined
        ? { status: 'missing', line: NO_GO }
        : { status: 'ready', detail: built };
    }

    const script = join(rootDir, SCRIPT);
    if (spawnSync('bash', [script, '--check'], { stdio: 'ignore' }).status !== 0) {
      say('ferretdb: not built yet; building it once for this machine (a minute or more)');
      // The script's own lines say what it did; Go's ~60 "go: downloading" lines are shown only
      // when the build fails, to explain it.
      const build = spawnSync('bash', [script], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output = `${build.stdout ?? ''}${build.stderr ?? ''}`
        .split('\n')
        .filter((l) => l !== '');
      if (build.status !== 0) {
        for (const line of output.slice(-KEPT_LINES)) process.stderr.write(`${line}\n`);
        return { status: 'missing', line: `ferretdb: ${SCRIPT} failed (its last lines are above)` };
      }
      for (const line of output.filter((l) => l.startsWith('install-ferretdb:'))) say(line);
    }
    const binary = findFerretDbBinary();
    return binary === undefined
      ? { status: 'missing', line: `ferretdb: ${SCRIPT} ran but no binary is where the tests look` }
      : { status: 'ready', detail: binary };
  },
};
