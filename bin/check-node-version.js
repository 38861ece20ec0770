// Plain JavaScript with nothing newer than ES2020: this file must run on any Node an operator
// happens to have, so that an old one gets one clear line instead of a syntax error.

/** The Node.js major version Portcullis runs on: the major of the `node` devDependency in package.json. */
export const SUPPORTED_NODE_MAJOR = 24;

/**
 * Returns the one-line explanation when `version` (e.g. "20.20.2") is not Node 24, otherwise
 * undefined. `howToRun` names the npm command that runs the program on the right Node.
 */
export function checkNodeVersion(version, howToRun) {
  const major = Number(String(version).replace(/^v/, '').split('.')[0]);
  if (major === SUPPORTED_NODE_MAJOR) return undefined;
  return (
    'portcullis needs Node.js ' +
    SUPPORTED_NODE_MAJOR +
    ' LTS (this is v' +
    String(version).replace(/^v/, '') +
    '); ' +
    'run it through npm (' +
    (howToRun || 'npm run portcullis -- ...') +
    ') or npx, which use the Node from node_modules'
  );
}

/** Prints the explanation on stderr and exits 1 when this process runs on an unsupported Node. */
export function requireSupportedNode(howToRun) {
  const problem = checkNodeVersion(process.versions.node, howToRun);
  if (problem !== undefined) {
    process.stderr.write(problem + '\n');
    process.exit(1);
  }
}
