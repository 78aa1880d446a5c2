// A consumer in its own process for the files benchmark: GETs a URL, drains it, and prints
// the bytes and the seconds from request to last byte (process start-up excluded).
import { get } from 'node:http';

const [url, authorization] = process.argv.slice(2);
const start = process.hrtime.bigint();
get(url!, { headers: authorization ? { authorization } : {} }, (res) => {
  let bytes = 0;
  res.on('data', (chunk: Buffer) => (bytes += chunk.length));
  res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, bytes, seconds: Number(process.hrtime.bigint() - start) / 1e9 })));
}).on('error', (err) => {
  console.error(err.message);
  process.exit(1);
});
