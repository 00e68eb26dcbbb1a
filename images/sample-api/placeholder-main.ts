// Stand-in for examples/sample-api/main.ts while that app does not exist: scripts/build-images copies this
// file as /app/main.ts so the image, its health check and the stack around it can be tried already.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? '8080');
const server = createServer((request, response) => {
  const found = request.url === '/status';
  response.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
  response.end(JSON.stringify(found ? { status: 'ok', placeholder: true } : { error: 'not_found' }));
});
server.listen(port, '0.0.0.0', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port, placeholder: true })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
