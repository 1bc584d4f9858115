import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaToolError, SPEECH_SAMPLE_RATE, createSpeechService, type SpeechService } from './speech';

// Real espeak-ng and ffmpeg (Debian's), a cache folder of the test's own.
const dir = mkdtempSync(path.join(os.tmpdir(), 'revisit-speech-'));
const cacheDir = path.join(dir, 'cache');
const services: SpeechService[] = [];
const service = (options: Partial<Parameters<typeof createSpeechService>[0]> = {}) => {
  const created = createSpeechService({ cacheDir, ...options });
  services.push(created);
  return created;
};

afterAll(() => {
  for (const s of services) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const rms = (samples: Int16Array) => Math.sqrt(samples.reduce((sum, s) => sum + (s / 32768) ** 2, 0) / Math.max(1, samples.length));
const seconds = (samples: Int16Array) => samples.length / SPEECH_SAMPLE_RATE;

const EN = 'Welcome to the Riverside clinic. Press one to book a follow-up visit.';
const ZH = '欢迎致电社区复诊门诊。预约复诊请按一，人工服务请按零。';

describe('speech (espeak-ng + ffmpeg)', () => {
  it('speaks English and Chinese as audible 48 kHz audio of a plausible length, once', async () => {
    const speech = service();
    for (const [text, locale, min, max] of [
      [EN, 'en', 2, 10],
      [ZH, 'zh-CN', 2, 15],
    ] as const) {
      const started = performance.now();
      const samples = await speech.speak(text, locale);
      console.log(`speak(${locale}): ${(performance.now() - started).toFixed(0)} ms for ${seconds(samples).toFixed(1)} s of audio`);
      expect(samples).toBeInstanceOf(Int16Array);
      expect(seconds(samples)).toBeGreaterThan(min);
      expect(seconds(samples)).toBeLessThan(max);
      expect(rms(samples)).toBeGreaterThan(0.01);
    }
    expect(speech.stats).toMatchObject({ syntheses: 2, processes: 4 });

    // The second time comes from memory: no process.
    const started = performance.now();
    const again = await speech.speak(EN, 'en');
    console.log(`speak(en) again: ${(performance.now() - started).toFixed(2)} ms`);
    expect(speech.stats).toMatchObject({ syntheses: 2, processes: 4, memoryHits: 1 });
    expect(seconds(again)).toBeGreaterThan(2);

    // Another process (a new service on the same folder) reads it from disk.
    const later = service();
    const fromDisk = await later.speak(ZH, 'zh-CN');
    expect(later.stats).toMatchObject({ processes: 0, diskHits: 1 });
    const bytes = (samples: Int16Array) => Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    expect(bytes(fromDisk).equals(bytes(await speech.speak(ZH, 'zh-CN')))).toBe(true);
  });

  it('shares one synthesis between concurrent requests for the same prompt', async () => {
    const speech = service();
    const text = `Your number in the queue is ${Date.now() % 1000}.`;
    const [a, b, c] = await Promise.all([speech.speak(text, 'en'), speech.speak(text, 'en'), speech.speak(` ${text} `, 'en')]);
    expect(speech.stats.syntheses).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('says clearly when espeak-ng has no such voice, and does not cache the failure', async () => {
    const speech = service({ voices: { 'zh-CN': 'xx-no-such-voice' } });
    const attempt = () => speech.speak('你好', 'zh-CN');
    await expect(attempt()).rejects.toBeInstanceOf(MediaToolError);
    await expect(attempt()).rejects.toMatchObject({ reason: 'voiceMissing', message: expect.stringMatching(/espeak-ng.*xx-no-such-voice.*does not exist/) });
    expect(speech.stats.syntheses).toBe(2);
  });

  it('says which tool is missing', async () => {
    const speech = service({ espeakPath: path.join(dir, 'no-espeak-here') });
    await expect(speech.speak('Hello', 'en')).rejects.toMatchObject({
      reason: 'toolMissing',
      message: expect.stringContaining('apt-get install -y espeak-ng'),
    });
  });

  it('decodes an uploaded recording to the same format, cached', async () => {
    const recording = path.join(dir, 'greeting.ogg');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=44100:duration=2',
      '-ac',
      '2',
      '-c:a',
      'libvorbis',
      recording,
    ]);
    const speech = service();
    const samples = await speech.loadRecording(recording);
    expect(seconds(samples)).toBeGreaterThan(1.9);
    expect(seconds(samples)).toBeLessThan(2.1);
    expect(rms(samples)).toBeGreaterThan(0.01);
    expect(await speech.loadRecording(recording)).toBe(samples);
    expect(speech.stats).toMatchObject({ decodes: 1, processes: 1 });

    const notAudio = path.join(dir, 'notes.txt');
    writeFileSync(notAudio, 'not audio at all');
    await expect(speech.loadRecording(notAudio)).rejects.toMatchObject({ reason: 'decodeFailed' });
    await expect(speech.loadRecording(path.join(dir, 'missing.mp3'))).rejects.toMatchObject({ reason: 'notFound' });
  });
});
