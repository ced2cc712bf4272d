import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a JSON document so that a crash (even `kill -9`) leaves either the old or the new version on disk,
 * never half of one: write a temporary file, then rename it over the target.
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(value));
  renameSync(temporary, path);
}

export function readJsonOr<T>(path: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  }
}

/**
 * Appends one JSON line; a line is written with one write call, so readers see whole lines. The folder is
 * created on the first append that finds it missing, not checked on every append (journals append per event).
 * Answers the size of the JSON in UTF-8 bytes.
 */
export function appendJsonLine(path: string, value: unknown): number {
  const json = JSON.stringify(value);
  const line = `${json}\n`;
  try {
    appendFileSync(path, line);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, line);
  }
  return Buffer.byteLength(json, 'utf8');
}

/** Reads a JSON-lines file, ignoring a torn last line left by a crash mid-append. */
export function readJsonLines<T>(path: string): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const values: T[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      values.push(JSON.parse(line) as T);
    } catch {
      // Only the final line can be torn; anything after it was never acknowledged.
    }
  }
  return values;
}
