import { RoostError } from '../../core/errors.ts';
import type { Runtime } from '../../runtime/index.ts';
import type { BackupEngine } from './types.ts';

// Exact counts for every ordinary table in one statement: query_to_xml runs count(*) per table.
const rowCountQuery = `select n.nspname || '.' || c.relname,
  (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
order by 1`;

/** The database name the runtime gives an instance (see stackSpecOf). */
const databaseOf = (slug: string): string => slug.replaceAll('-', '_');

/**
 * PostgreSQL: `pg_dump -Fc -Z0` (custom format, uncompressed: zstd compresses faster than pg_dump's
 * zlib) and `pg_restore` from standard input, both in the db service as its own user.
 */
export function postgresEngine(runtime: Runtime): BackupEngine {
  async function psql(slug: string, sql: string): Promise<string> {
    const result = await runtime.exec(slug, 'db', [
      'psql',
      '-X',
      '-A',
      '-t',
      '-F',
      '\t',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      sql,
    ]);
    if (result.code !== 0)
      throw new RoostError('internal', `psql in ${slug} failed: ${result.stderr.trim()}`, { slug });
    return result.stdout;
  }
  return {
    name: 'postgres',
    dumpFile: 'database.dump.zst.gpg',
    restoreHint:
      'gpg --decrypt database.dump.zst.gpg | zstd -d | pg_restore --clean --if-exists --no-owner -d <database>',
    async version(slug) {
      return `PostgreSQL ${(await psql(slug, 'show server_version')).trim()}`;
    },
    async rowCounts(slug) {
      const counts: Record<string, number> = {};
      for (const line of (await psql(slug, rowCountQuery)).split('\n')) {
        const [table, count] = line.split('\t');
        if (table && count !== undefined) counts[table] = Number(count);
      }
      return counts;
    },
    dump: (slug) => runtime.execStream(slug, 'db', ['pg_dump', '-Fc', '-Z0', '--no-owner']),
    restore: (slug) =>
      runtime.execStream(slug, 'db', [
        'pg_restore',
        '--clean',
        '--if-exists',
        '--no-owner',
        '--single-transaction',
        '--exit-on-error',
        '--dbname',
        databaseOf(slug),
      ]),
  };
}
