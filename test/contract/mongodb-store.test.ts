/**
 * The storage contract against the MongoDB backend, on the MongoDB-protocol server from
 * global-setup (FerretDB, or a real mongod when MONGODB_URI is set), in a database of its own.
 */
import { MongoClient } from 'mongodb';
import { createMongoStore } from '../../src/storage/mongodb/create-mongo-store.ts';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { describeStoreContract } from './store-contract.ts';

const uri = requireMongoUri();
const dbName = uniqueDatabaseName('mongodb_store');

describeStoreContract(
  'mongodb',
  ({ now }) =>
    createMongoStore({
      uri,
      dbName,
      now,
      // The contract counts what sweepExpired removes; a background sweep (FerretDB has no TTL
      // indexes) running meanwhile would take some of it.
      sweepIntervalMs: 60 * 60 * 1000,
    }),
  async (store) => {
    await store.close();
    const client = new MongoClient(uri);
    try {
      await client.db(dbName).dropDatabase();
    } finally {
      await client.close();
    }
  },
);
