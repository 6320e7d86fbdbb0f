import { readFileSync } from 'node:fs';
import path from 'node:path';

export const DATA = path.join(__dirname, '..', '..', 'data', 'integrity');

export function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(DATA, name), 'utf8')) as T;
}

export function readText(name: string): string {
  return readFileSync(path.join(DATA, name), 'utf8');
}

export interface Rfc6962Vectors {
  leaves: string[];
  emptyRoot: string;
  nodes: string[][];
  roots: string[];
  inclusion: { index: number; size: number; proof: string[] }[];
  consistency: { size1: number; size2: number; proof: string[] }[];
}

export const vectors = readJson<Rfc6962Vectors>('rfc6962-vectors.json');

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const unhex = (text: string): Buffer => Buffer.from(text, 'hex');
