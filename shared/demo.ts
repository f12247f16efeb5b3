/**
 * The Demo cameras account's large wall: distinct cameras made from the shipped clips, each with its
 * own name in its picture, so a big wall is made of distinct streams as real walls are. The embedded
 * emulator names them `cam-01`…`cam-64` (at least two digits); main builds them in the background
 * after the demo starts and tells the renderer (app.info `demoWalls`) which wall to offer.
 */
export const DEMO_GRID_WALL_NAME = 'Demo 8×8';
export const DEMO_GRID_CAMERAS = 64;

export function demoGridCameraNames(count: number = DEMO_GRID_CAMERAS): string[] {
  const digits = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `cam-${String(i + 1).padStart(digits, '0')}`);
}
