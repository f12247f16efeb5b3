import { describe, expect, it, vi } from 'vitest';
import { FakeSession, FakeWebContents, navigationEvent } from './electron-double';

vi.mock('electron', () => ({}));
const { hardenSession, hardenWebContents } = await import('../../../main/app/security');

describe('web contents hardening', () => {
  const setup = () => {
    const contents = new FakeWebContents();
    const opened: string[] = [];
    hardenWebContents(contents as never, (url) => opened.push(url));
    return { contents, opened };
  };

  it('refuses every navigation and redirect, even within the app origin', () => {
    const { contents } = setup();
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://kvs-wall/other.html', 'app://kvs-wall/index.html?x=1', 'app://kvs-wall.evil/index.html', 'javascript:alert(1)', 'http://127.0.0.1:1/']) {
      for (const name of ['will-navigate', 'will-redirect']) {
        const event = navigationEvent(url);
        contents.emit(name, event);
        expect(event.defaultPrevented, `${name} ${url}`).toBe(true);
      }
    }
  });

  it('lets the app page reload itself (it does when accounts need a new media origin), but not redirect to it', () => {
    const { contents } = setup();
    for (const url of ['app://kvs-wall/index.html', 'app://kvs-wall/index.html#wall']) {
      const reload = navigationEvent(url);
      contents.emit('will-navigate', reload);
      expect(reload.defaultPrevented, url).toBe(false);
    }
    const redirect = navigationEvent('app://kvs-wall/index.html');
    contents.emit('will-redirect', redirect);
    expect(redirect.defaultPrevented).toBe(true);
  });

  it('refuses webviews', () => {
    const { contents } = setup();
    const event = navigationEvent('');
    contents.emit('will-attach-webview', event);
    expect(event.defaultPrevented).toBe(true);
  });

  it('denies window.open; only allow-listed https documentation opens in the system browser', () => {
    const { contents, opened } = setup();
    const handler = contents.windowOpenHandler!;
    for (const url of ['https://evil.example/', 'app://kvs-wall/index.html', 'http://docs.aws.amazon.com/kinesisvideostreams/', 'https://docs.aws.amazon.com.evil.example/', 'file:///tmp/x', 'not a url']) {
      expect(handler({ url })).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual([]);
    expect(handler({ url: 'https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/what-is-kinesis-video.html' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/what-is-kinesis-video.html']);
  });
});

describe('session permissions', () => {
  const session = new FakeSession();
  hardenSession(session as never);

  it('denies camera, microphone, notifications, geolocation, reading the clipboard, openExternal and the rest', async () => {
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'midi', 'pointerLock', 'display-capture', 'hid', 'serial', 'usb', 'unknown']) {
      expect(await session.request(permission, 'app://kvs-wall/index.html'), permission).toBe(false);
      expect(session.checkHandler!(null, permission, 'app://kvs-wall'), permission).toBe(false);
    }
    expect(session.deviceHandler!()).toBe(false);
  });

  it('grants fullscreen, loopback access and writing a snapshot to the clipboard to the app page only', async () => {
    expect(await session.request('fullscreen', 'app://kvs-wall/index.html')).toBe(true);
    expect(await session.request('clipboard-sanitized-write', 'app://kvs-wall/index.html')).toBe(true);
    expect(await session.request('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(await session.request('loopback-network', 'app://kvs-wall/index.html')).toBe(true);
    for (const url of ['https://evil.example/', 'app://other/index.html', 'file:///index.html', '']) {
      expect(await session.request('fullscreen', url), url).toBe(false);
      expect(await session.request('loopback-network', url), url).toBe(false);
    }
  });
});
