/**
 * The part of mpd-parser (videojs's DASH parser, no bundled types) these tests use. Declared under the
 * package's main file rather than 'mpd-parser', so it cannot merge with other suites' declarations.
 */
declare module 'mpd-parser/dist/mpd-parser.cjs.js' {
  export interface ParsedSegment {
    readonly uri: string;
    readonly number: number;
    readonly duration: number;
    readonly presentationTime: number;
    readonly timeline: number;
    readonly map?: { readonly uri: string };
  }
  export interface ParsedPlaylist {
    readonly attributes: {
      readonly CODECS?: string;
      readonly BANDWIDTH?: number;
      readonly RESOLUTION?: { readonly width: number; readonly height: number };
      readonly 'FRAME-RATE'?: number;
    };
    readonly segments: readonly ParsedSegment[];
    readonly endList: boolean;
    readonly targetDuration: number;
  }
  export interface ParsedManifest {
    readonly playlists: readonly ParsedPlaylist[];
    /** Audio AdaptationSets, by group and label. */
    readonly mediaGroups: { readonly AUDIO: Readonly<Record<string, Readonly<Record<string, { readonly playlists: readonly ParsedPlaylist[] }>>>> };
    readonly endList?: boolean;
    readonly duration?: number;
    readonly minimumUpdatePeriod?: number;
  }
  export function parse(manifest: string, options?: { manifestUri?: string; NOW?: number; clientOffset?: number }): ParsedManifest;
  /** The MPD element as an xmldom DOM, for namespace-aware attribute checks. */
  export function stringToMpdXml(manifest: string): Element;
}
