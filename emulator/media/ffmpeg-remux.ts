/**
 * Reshapes any MP4 ffmpeg can read into the fragmented, video-only form the emulator streams, without
 * re-encoding: `-c copy` with one fragment per key frame, decode times from zero, and a sidx per
 * fragment. Output goes to a pipe, so no temporary files are left behind.
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

function remuxArguments(path: string): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    // The file: protocol keeps a name containing ':' or starting with '-' from being read as anything else.
    '-i', `file:${resolve(path)}`,
    '-map', '0:v:0', '-c', 'copy',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof+dash',
    '-f', 'mp4', 'pipe:1',
  ];
}

/** The remuxed file's bytes. `label` names the file in error messages. */
export function remuxToFragmentedMp4(path: string, label: string, options: RemuxOptions): Promise<Uint8Array> {
  return new Promise((done, fail) => {
    const child = spawn(options.ffmpegPath, remuxArguments(path), { stdio: ['ignore', 'pipe', 'pipe'] });
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
