import { AppError } from '../errors/app-error.ts';
import type { AttributeDefinition, AttributeValue } from '../storage/access-control-port.ts';

/**
 * A custom attribute's value typed as text (a command-line `--set name=value`, a console form
 * field) read as the attribute's type: numbers, `true`/`false`, comma-separated lists. The CLI
 * and the console read text the same way; the access-control service then checks the value.
 */
export function attributeTextValue(definition: AttributeDefinition, raw: string): AttributeValue {
  switch (definition.type) {
    case 'string':
      return raw;
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value))
        throw new AppError('invalid_input', { [definition.name]: 'must be a number' });
      return value;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false')
        throw new AppError('invalid_input', { [definition.name]: 'must be true or false' });
      return raw === 'true';
    case 'string[]':
      return raw === '' ? [] : raw.split(',');
  }
}

/** The value as that text again (what a form field shows). */
export function attributeText(value: AttributeValue): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}
