import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Where the local host keeps the admin key it generates when no AUDIT_API_KEYS setting is given. */
export const ADMIN_KEY_FILE = 'admin-key.json';

export class AdminKeyFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'AdminKeyFileError';
  }
}

export interface AdminKey {
  key: string;
  file: string;
  /** True when this call generated the key (first start on this data folder). */
  created: boolean;
  /** The key in the AUDIT_API_KEYS format: `{"<key>":"*"}`. */
  keyringJson: string;
}

export function adminKeyFile(dataDir: string): string {
  return path.resolve(dataDir, ADMIN_KEY_FILE);
}

/**
 * The data folder's admin key, generated on first use: 32 random bytes (base64url) granted every tenant.
 * The file holds the key in the AUDIT_API_KEYS format, is created 0600 with an exclusive create (two
 * hosts starting at once agree on one key), and is refused when others can read it.
 */
export async function loadOrCreateAdminKey(dataDir: string): Promise<AdminKey> {
  const file = adminKeyFile(dataDir);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const generated = randomBytes(32).toString('base64url');
  let created = false;
  try {
    await fs.writeFile(file, `${JSON.stringify({ [generated]: '*' })}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = await readAdminKey(dataDir);
  if (key === undefined) throw new AdminKeyFileError(file, 'disappeared while it was being read');
  return { key, file, created, keyringJson: JSON.stringify({ [key]: '*' }) };
}

/**
 * The admin key stored in a data folder, or undefined when the folder has none.
 * @throws AdminKeyFileError when the file is readable by others or does not hold one key granted "*".
 */
export async function readAdminKey(dataDir: string): Promise<string | undefined> {
  const file = adminKeyFile(dataDir);
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new AdminKeyFileError(
        file,
        `is readable by other users (mode ${(stat.mode & 0o777).toString(8)}): run chmod 600 on it`,
      );
    }
    const text = await handle.readFile('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AdminKeyFileError(file, 'is not JSON: delete it to have a new admin key generated');
    }
    const entries =
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? Object.entries(parsed as Record<string, unknown>)
        : [];
    const [entry] = entries;
    if (entries.length !== 1 || entry === undefined || entry[1] !== '*' || entry[0].length < 16) {
      throw new AdminKeyFileError(
        file,
        'must hold one key granted every tenant, {"<key>":"*"}: delete it to have a new one generated',
      );
    }
    return entry[0];
  } finally {
    await handle.close();
  }
}
