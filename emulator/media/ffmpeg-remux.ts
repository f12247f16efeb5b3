/**
 * Reshapes any MP4 ffmpeg can read into the fragmented form the emulator streams, without re-encoding:
 * the first video track and the first audio track if there is one, `-c copy`, one fragment per key
 * frame, decode times from zero, and a sidx per fragment. Output goes to a pipe, so no temporary files
 * are left behind. ffmpeg's mp4 muxer refuses some audio KVS carries (G.711 `pcm_alaw`/`pcm_mulaw`);
 * those files go through its mov muxer, which writes the same fragmented boxes with an `alaw`/`ulaw`
 * sample entry.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ClipLoadError } from './clip-load-error';

export interface RemuxOptions {
  /** The ffmpeg executable; a bare name is looked up on PATH. */
  readonly ffmpegPath: string;
  /** Stop and fail if the output grows past this many bytes. */
  readonly maxBytes: number;
}

const STDERR_KEEP = 4000;

type Muxer = 'mp4' | 'mov';

function remuxArguments(path: string, muxer: Muxer): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    // The file: protocol keeps a name containing ':' or starting with '-' from being read as anything else.
    '-i', `file:${resolve(path)}`,
    '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof+dash',
    '-f', muxer, 'pipe:1',
  ];
}

/** What ffmpeg's mp4 muxer says about a codec it has no sample entry for. */
const UNSUPPORTED_IN_MP4 = /Could not find tag for codec/;

/** The remuxed file's bytes. `label` names the file in error messages. */
export async function remuxToFragmentedMp4(path: string, label: string, options: RemuxOptions): Promise<Uint8Array> {
  try {
    return await remuxWith('mp4', path, label, options);
  } catch (error) {
    if (!(error instanceof ClipLoadError) || !UNSUPPORTED_IN_MP4.test(error.message)) throw error;
    return remuxWith('mov', path, label, options);
  }
}

function remuxWith(muxer: Muxer, path: string, label: string, options: RemuxOptions): Promise<Uint8Array> {
  return new Promise((done, fail) => {
    const child = spawn(options.ffmpegPath, remuxArguments(path, muxer), { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: ClipLoadError | undefined;

    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxBytes && !failure) {
        failure = new ClipLoadError('TOO_LARGE', `${label} becomes more than ${options.maxBytes} bytes when converted to a fragmented MP4`);
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      failure ??=
        error.code === 'ENOENT'
          ? new ClipLoadError('REMUX_UNAVAILABLE', `${label} is not a fragmented MP4, and ffmpeg (needed to convert it) was not found at '${options.ffmpegPath}'. Install ffmpeg or convert the file with: ffmpeg -i in.mp4 -c copy -movflags +frag_keyframe+empty_moov+default_base_moof out.mp4`, { cause: error })
          : new ClipLoadError('REMUX_FAILED', `${label} could not be converted: ffmpeg did not start (${error.message})`, { cause: error });
    });
    child.on('close', (code) => {
      if (failure) return fail(failure);
      if (code !== 0) {
        const reason = stderr.trim().split('\n').slice(-3).join(' / ') || `exit code ${code}`;
        return fail(new ClipLoadError('REMUX_FAILED', `${label} could not be converted to a fragmented MP4 by ffmpeg: ${reason}`));
      }
      done(new Uint8Array(Buffer.concat(chunks, size)));
    });
  });
}
