// Two waiting-room demo clips, made by ffmpeg at seed time (nothing is downloaded), already in the house format
// of server/ringback/clip-check.ts: MP4, H.264 640x360 at 15 fps, AAC 48 kHz mono, faststart.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const NOTO_CJK = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
// fontconfig picks the Simplified Chinese face out of the Noto CJK collection (a bare fontfile= would draw its
// first face, the Japanese one).
const FONT = 'Noto Sans CJK SC';
const SECONDS = 20;

export const DEMO_CLIPS = [
  {
    file: 'welcome.mp4',
    colour: '0x1d4e89',
    lines: [
      { text: 'Welcome', size: 64, y: 0.26 },
      { text: '欢迎', size: 72, y: 0.48 },
      { text: 'A clinician will be with you shortly', size: 26, y: 0.7 },
      { text: '医生马上就来', size: 28, y: 0.82 },
    ],
    // A soft C major chord.
    notes: [261.63, 329.63, 392.0],
  },
  {
    file: 'blood-pressure-tips.mp4',
    colour: '0x1b6e5a',
    lines: [
      { text: 'Blood pressure tips', size: 50, y: 0.26 },
      { text: '血压小贴士', size: 64, y: 0.46 },
      { text: 'Sit quietly for 5 minutes before measuring', size: 24, y: 0.68 },
      { text: '测量前请安静坐 5 分钟', size: 28, y: 0.8 },
    ],
    notes: [220.0, 277.18, 329.63],
  },
];

/**
 * Makes the demo clips in `dir` (created if needed); files already there are kept. Returns their paths.
 * @param {string} dir
 * @returns {Promise<string[]>}
 */
export async function generateDemoClips(dir) {
  if (!existsSync(NOTO_CJK)) throw new Error(`The Noto Sans CJK font is missing (${NOTO_CJK}): install the Debian package fonts-noto-cjk`);
  mkdirSync(dir, { recursive: true });
  const made = [];
  for (const clip of DEMO_CLIPS) {
    const output = path.join(dir, clip.file);
    made.push(output);
    if (existsSync(output)) continue;
    await makeClip(clip, output);
  }
  return made;
}

async function makeClip(clip, output) {
  const partial = `${output}.${process.pid}.partial`;
  // Text goes through files: no escaping of drawtext's special characters.
  const textFiles = clip.lines.map((line, i) => {
    const file = `${output}.${process.pid}.line${i}.txt`;
    writeFileSync(file, line.text);
    return file;
  });
  const fade = `alpha='min(1,t/1.5)'`;
  const drawtext = clip.lines.map(
    (line, i) => `drawtext=font='${FONT}':textfile='${textFiles[i]}':fontsize=${line.size}:fontcolor=white:${fade}:x=(w-text_w)/2:y=h*${line.y}-text_h/2`,
  );
  const tone = clip.notes.map((f, i) => `${(0.06 - i * 0.012).toFixed(3)}*sin(2*PI*${f}*t)`).join('+');
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `color=c=${clip.colour}:s=640x360:r=15:d=${SECONDS}`],
    ...['-f', 'lavfi', '-i', `aevalsrc='${tone}':s=48000:d=${SECONDS}`],
    ...['-vf', drawtext.join(',')],
    ...['-af', `afade=t=in:d=2,afade=t=out:st=${SECONDS - 2}:d=2`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-profile:v', 'main', '-g', '30', '-pix_fmt', 'yuv420p', '-r', '15'],
    ...['-c:a', 'aac', '-b:a', '96k', '-ar', '48000', '-ac', '1'],
    ...['-movflags', '+faststart', '-f', 'mp4', partial],
  ];
  try {
    await run('ffmpeg', args);
    renameSync(partial, output);
  } finally {
    rmSync(partial, { force: true });
    for (const file of textFiles) rmSync(file, { force: true });
  }
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', (error) => reject(error.code === 'ENOENT' ? new Error(`${command} is not installed: apt-get install -y ffmpeg`) : error));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr.trim()}`))));
  });
}
