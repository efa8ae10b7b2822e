// The smoke suite as a script for Deno and Bun (both read files through
// node:fs): `<runtime> runtime-smoke.mjs BUNDLE PUBLIC_KEY RECORDS`.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import * as clearance from 'clearance';
import { smoke } from './smoke.mjs';

const [bundle, publicKey, records] = process.argv.slice(2);
const result = smoke(clearance, new Uint8Array(readFileSync(bundle)), readFileSync(publicKey, 'utf8').trim(), readFileSync(records, 'utf8'));
console.log(JSON.stringify(result));
