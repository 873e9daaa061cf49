// IndexedDB, the app's memory on the phone: the session, the cadre's households, tasks,
// demands, own visits and villages from GET /sync, and the outbox of visits not yet accepted. A few
// promise-returning helpers; every write is one transaction.

const NAME = 'shuangbao-field';
const STORES = {
  kv: null, households: 'id', tasks: 'id', demands: 'id', villages: 'id', outbox: 'id',
  visits: 'id', // the cadre's own visits of the last year, from /sync (version 2)
};
let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, 2);
      request.onupgradeneeded = () => {
        for (const [store, key] of Object.entries(STORES)) {
          if (!request.result.objectStoreNames.contains(store)) {
            request.result.createObjectStore(store, key ? { keyPath: key } : undefined);
          }
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function get(store, key) {
  const db = await open();
  return result(db.transaction(store).objectStore(store).get(key));
}

export async function all(store) {
  const db = await open();
  return result(db.transaction(store).objectStore(store).getAll());
}

/** Run `change(objectStore)` in one read-write transaction; resolves when it is on disk
 * (strict durability: the outbox must survive the phone losing power). */
export async function write(store, change) {
  const db = await open();
  const transaction = db.transaction(store, 'readwrite', { durability: 'strict' });
  change(transaction.objectStore(store));
  return done(transaction);
}

/** Ask the browser to keep this site's storage under pressure (the outbox lives here). */
export function keepStorage() {
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
}

export const put = (store, value, key) => write(store, (s) => s.put(value, key));
export const remove = (store, key) => write(store, (s) => s.delete(key));
export const clear = (store) => write(store, (s) => s.clear());
