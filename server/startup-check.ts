// Imported once when the Node.js server starts: a misconfigured deployment stops with a readable list.
import { ConfigError, env } from './env';

try {
  env();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
