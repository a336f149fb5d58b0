// The Parquet peer of ParquetDocumentTest: DuckDB (@duckdb/node-api, installed by data/pom.xml into
// target/parquet-peer), whose Parquet reader and writer are its own C++, independent of parquet-java.
//
//   node parquet-peer.mjs NODE_MODULES SQL [SQL...]
//
// runs the statements in order and prints the rows of the last one as a JSON array of objects (values as
// getRowObjectsJson gives them; the test selects to_json(...) strings so that numbers keep their type).
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [modules, ...statements] = process.argv.slice(2);
const { DuckDBInstance } = createRequire(resolve(modules) + '/')('@duckdb/node-api');
const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const connection = await db.connect();
let rows = [];
for (const sql of statements) {
  rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
}
process.stdout.write(JSON.stringify(rows) + '\n');
