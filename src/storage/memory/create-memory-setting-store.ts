import type { SettingStore } from '../ports.ts';

/** Named values in a Map; `setIfAbsent` is a synchronous check-and-set, hence atomic. */
export function createMemorySettingStore(): SettingStore {
  const settings = new Map<string, unknown>();

  return {
    async get(name) {
      return settings.has(name) ? structuredClone(settings.get(name)) : undefined;
    },

    async setIfAbsent(name, value) {
      if (!settings.has(name)) settings.set(name, structuredClone(value));
      return structuredClone(settings.get(name));
    },
  };
}
