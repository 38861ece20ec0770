import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';
import { describeStoreContract } from './store-contract.ts';

describeStoreContract('memory', async ({ now }) => createMemoryStore({ now }));
