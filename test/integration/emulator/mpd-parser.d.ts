// mpd-parser ships no types; this declares the part the emulator tests read.
declare module 'mpd-parser' {
  export interface ParsedSegment {
    uri: string;
    resolvedUri: string;
    number: number;
    duration: number;
    presentationTime?: number;
    map?: { uri: string; resolvedUri: string };
  }
  export interface ParsedPlaylist {
    attributes: Record<string, unknown>;
    segments: ParsedSegment[];
  }
  export interface ParsedManifest {
    playlists: ParsedPlaylist[];
    /** Audio AdaptationSets, by group and label. */
    mediaGroups: { AUDIO: Record<string, Record<string, { playlists: ParsedPlaylist[] }>> };
    minimumUpdatePeriod?: number;
    endList?: boolean;
  }
  export function parse(manifest: string, options: { manifestUri: string; eventHandler?: (e: { type: string; message: string }) => void }): ParsedManifest;
}
