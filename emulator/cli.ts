import { parseCliArgs, USAGE } from './cli-args';
import { startEmulator } from './index';

/** `npm run emulator`: runs the emulator in the foreground until Ctrl-C or SIGTERM. */
async function main(): Promise<void> {
  const parsed = parseCliArgs(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    console.log(USAGE);
    return;
  }
  if (parsed.kind === 'error') {
    console.error(`kvs-emulator: ${parsed.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  let emulator;
  try {
    emulator = await startEmulator(parsed.options);
  } catch (error) {
    console.error(`kvs-emulator: could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }
  const { url, region, credentials, cameras } = emulator;
  console.log(`KVS emulator listening on ${url}
  region             ${region}
  access key id      ${credentials.accessKeyId}
  secret access key  ${credentials.secretAccessKey}
  streams            ${cameras.join(', ') || '(none)'}
  quota model        ${emulator.control.counters().quotaModel}
  test controls      ${parsed.options.testControls ? `on (${url}/_control/counters)` : 'off'}

Try it:
  AWS_ACCESS_KEY_ID=${credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey} \\
    aws kinesisvideo list-streams --endpoint-url ${url} --region ${region}

Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nkvs-emulator: ${signal}, stopping`);
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
