import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configSchema } from './schema.ts';
import { ENV_BINDINGS } from './env-map.ts';
import { DEFAULT_CONFIG_DIR } from './load-config.ts';

interface JsonSchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchemaNode>;
}

function valueAt(tree: unknown, path: readonly string[]): unknown {
  let node = tree;
  for (const key of path)
    node =
      typeof node === 'object' && node !== null
        ? (node as Record<string, unknown>)[key]
        : undefined;
  return node;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The configuration table of docs/configuration.md, generated from the schema's descriptions,
 * the defaults in `config/default.json` and the environment bindings, so the documentation
 * cannot drift from the code (a unit test compares it with the file).
 */
export function renderConfigTable(configDir = DEFAULT_CONFIG_DIR): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input' }) as JsonSchemaNode;
  const defaults: unknown = JSON.parse(readFileSync(join(configDir, 'default.json'), 'utf8'));
  const rows: string[] = [
    '| Key | Environment variable | Default | Description |',
    '| --- | --- | --- | --- |',
  ];
  const visit = (node: JsonSchemaNode, path: string[]) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const here = [...path, key];
      if (child.type === 'object' && child.properties) {
        visit(child, here);
        continue;
      }
      const env = ENV_BINDINGS.find((b) => b.path.join('.') === here.join('.'))?.env;
      const value = valueAt(defaults, here);
      const shown = value === undefined ? '—' : `\`${JSON.stringify(value)}\``;
      rows.push(
        `| \`${here.join('.')}\` | ${env ? `\`${env}\`` : '—'} | ${shown} | ${cell(child.description ?? '')} |`,
      );
    }
  };
  visit(schema, []);
  return rows.join('\n');
}
