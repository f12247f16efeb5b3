/**
 * The codecs benchmark's page: software H.265 decoders fed length-prefixed samples (prepared in Node)
 * at the camera's frame rate, each drawing its pictures on a canvas as a frame player would.
 */
import glueUrl from '@hevcjs/core/dist/wasm/hevc-decode.js?url';
import wasmUrl from '@hevcjs/core/dist/wasm/hevc-decode.wasm?url';
import { SoftwareHevcDecoder } from '../../../renderer/src/player/hevc/software-hevc-decoder';
import type { DecodeTrack as Track, FragmentedTrack } from './track';


interface TileResult {
  frames: number;
  decodeMs: number;
  errors: string[];
  firstFrameMs: number | null;
}

function bytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Runs `tiles` decoders for `seconds`, each fed at the track's frame rate (or as fast as it takes, `rate` 0). */
async function run(track: Track, tiles: number, seconds: number, realTime: boolean): Promise<TileResult[]> {
  const samples = track.samples.map((s) => ({ data: bytes(s.data), key: s.key }));
  const host = document.getElementById('tiles')!;
  host.replaceChildren();
  const results: TileResult[] = [];
  const decoders: SoftwareHevcDecoder[] = [];
  const started = performance.now();
  for (let t = 0; t < tiles; t++) {
    const canvas = document.createElement('canvas');
    canvas.width = track.width;
    canvas.height = track.height;
    canvas.style.width = '160px';
    host.append(canvas);
    const ctx = canvas.getContext('2d')!;
    const result: TileResult = { frames: 0, decodeMs: 0, errors: [], firstFrameMs: null };
    results.push(result);
    const decoder = new SoftwareHevcDecoder({
      output: (frame) => {
        result.frames++;
        result.firstFrameMs ??= performance.now() - started;
        ctx.drawImage(frame, 0, 0);
        frame.close();
      },
      error: (e) => result.errors.push(e.message),
    });
    decoder.configure({ codec: track.codec, description: new Uint8Array(track.hvcc) });
    decoders.push(decoder);
  }
  const frameUs = 1e6 / track.fps;
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  // Feed in step with a camera: sample n is due at n frame intervals; a decoder that falls behind keeps a
  // queue, which shows as fewer frames out than in.
  while (performance.now() < deadline) {
    const due = started + (n * frameUs) / 1000;
    const wait = due - performance.now();
    if (realTime && wait > 0) await new Promise((r) => setTimeout(r, wait));
    else if (!realTime && decoders.some((d) => d.decodeQueueSize > 4)) {
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    const s = samples[n % samples.length]!;
    for (const d of decoders) d.decode(new EncodedVideoChunk({ type: s.key ? 'key' : 'delta', timestamp: Math.round(n * frameUs), data: s.data }));
    n++;
  }
  for (const [i, d] of decoders.entries()) {
    results[i]!.decodeMs = d.stats.decodeMs;
    d.close();
  }
  return results;
}

/**
 * The naive alternative, for comparison: @hevcjs/core's SegmentTranscoder (WASM decode + WebCodecs H.264
 * encode + fMP4 mux, what its MSE intercept does per fragment), on the page, as fast as it goes.
 */
async function transcode(track: FragmentedTrack, seconds: number): Promise<{ frames: number; seconds: number; firstMs: number; errors: string[] }> {
  const errors: string[] = [];
  if (!document.querySelector('script[data-glue]')) {
    const script = document.createElement('script');
    script.src = glueUrl;
    script.dataset['glue'] = '';
    await new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error('glue did not load'));
      document.head.append(script);
    });
  }
  const { SegmentTranscoder } = await import('@hevcjs/core');
  const started = performance.now();
  const transcoder = new SegmentTranscoder({ wasmBinaryUrl: new URL(wasmUrl, document.baseURI).href, fps: track.fps });
  await transcoder.init();
  await transcoder.processInitSegment(bytes(track.init));
  const fragments = track.fragments.map(bytes);
  let frames = 0;
  let firstMs = NaN;
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < seconds * 1000; i++) {
    try {
      const out = await transcoder.processMediaSegment(fragments[i % fragments.length]!);
      if (out && Number.isNaN(firstMs)) firstMs = performance.now() - started;
      frames += Math.round(track.samples.length / fragments.length);
    } catch (e) {
      errors.push(String(e));
      break;
    }
  }
  return { frames, seconds: (performance.now() - t0) / 1000, firstMs, errors };
}

Object.assign(window, { codecBench: { run, transcode } });
document.title = 'ready';
