'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { measureRoundTrips, rateConnection, type NetworkQuality } from './network-estimate';

type Access = 'pending' | 'granted' | 'blocked';

/** Camera preview, microphone meter, a test sound and a connection estimate, before joining. */
export function DeviceCheck({ onDone }: { onDone: (result: { audioOnly: boolean }) => void }) {
  const { t } = useI18n('deviceCheck');
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const [camera, setCamera] = useState<Access>('pending');
  const [microphone, setMicrophone] = useState<Access>('pending');
  const [level, setLevel] = useState(0);
  const [network, setNetwork] = useState<NetworkQuality | null>(null);
  const [playing, setPlaying] = useState(false);
  const [attempt, setAttempt] = useState(0);

  const stopPreview = useCallback(() => {
    stream.current?.getTracks().forEach((track) => track.stop());
    stream.current = null;
  }, []);

  useEffect(() => {
    let cancelled = false;
    let audioContext: AudioContext | null = null;
    let frame = 0;

    async function getTrack(kind: 'video' | 'audio'): Promise<MediaStreamTrack | null> {
      try {
        const media = await navigator.mediaDevices.getUserMedia(kind === 'video' ? { video: { facingMode: 'user' } } : { audio: true });
        return media.getTracks()[0] ?? null;
      } catch {
        return null;
      }
    }

    (async () => {
      setCamera('pending');
      setMicrophone('pending');
      // Asked separately, so a blocked camera still leaves the microphone usable.
      const [videoTrack, audioTrack] = [await getTrack('video'), await getTrack('audio')];
      if (cancelled) {
        videoTrack?.stop();
        audioTrack?.stop();
        return;
      }
      const media = new MediaStream([videoTrack, audioTrack].filter((track): track is MediaStreamTrack => track !== null));
      stream.current = media;
      setCamera(videoTrack ? 'granted' : 'blocked');
      setMicrophone(audioTrack ? 'granted' : 'blocked');
      if (videoTrack && video.current) video.current.srcObject = new MediaStream([videoTrack]);
      if (audioTrack) {
        audioContext = new AudioContext();
        const analyser = audioContext.createAnalyser();
        analyser.fftSize = 512;
        audioContext.createMediaStreamSource(new MediaStream([audioTrack])).connect(analyser);
        const samples = new Float32Array(analyser.fftSize);
        const tick = () => {
          analyser.getFloatTimeDomainData(samples);
          const rms = Math.sqrt(samples.reduce((sum, v) => sum + v * v, 0) / samples.length);
          setLevel(Math.min(100, Math.round(rms * 300)));
          frame = requestAnimationFrame(tick);
        };
        tick();
      }
    })();

    measureRoundTrips('/api/health', 5).then((rtts) => {
      if (!cancelled) setNetwork(rateConnection(rtts));
    });

    return () => {
      cancelled = true;
      cancelAnimationFrame(frame);
      void audioContext?.close();
      stopPreview();
    };
  }, [attempt, stopPreview]);

  function playTestSound() {
    const context = new AudioContext();
    const tone = context.createOscillator();
    const gain = context.createGain();
    tone.frequency.value = 660;
    gain.gain.value = 0.2;
    tone.connect(gain).connect(context.destination);
    tone.start();
    setPlaying(true);
    tone.stop(context.currentTime + 1.2);
    tone.onended = () => {
      setPlaying(false);
      void context.close();
    };
  }

  const audioOnly = camera === 'blocked' || network === 'poor';
  const networkText =
    network === null
      ? t.deviceCheck.networkChecking
      : { good: t.deviceCheck.networkGood, fair: t.deviceCheck.networkFair, poor: t.deviceCheck.networkPoor, offline: t.deviceCheck.networkOffline }[network];

  return (
    <div className="device-check">
      <p>{t.deviceCheck.intro}</p>
      <div className="preview">
        <video ref={video} autoPlay playsInline muted aria-label={t.deviceCheck.cameraOk} hidden={camera !== 'granted'} />
        {camera === 'pending' && (
          <p role="status" className="preview-message">
            {t.deviceCheck.starting}
          </p>
        )}
        {camera === 'blocked' && (
          <p role="alert" className="alert preview-message">
            {t.deviceCheck.cameraBlocked}
          </p>
        )}
      </div>

      <div className="check-row">
        <span id="mic-label">{t.deviceCheck.micLevel}</span>
        {microphone === 'blocked' ? (
          <p role="alert" className="alert">
            {t.deviceCheck.micBlocked}
          </p>
        ) : (
          <>
            <div className="meter" role="meter" aria-labelledby="mic-label" aria-valuemin={0} aria-valuemax={100} aria-valuenow={level}>
              <span style={{ width: `${level}%` }} />
            </div>
            <span className="muted">{t.deviceCheck.micSpeak}</span>
          </>
        )}
      </div>

      <div className="check-row">
        <span>{t.deviceCheck.speaker}</span>
        <button type="button" className="button secondary" onClick={playTestSound} disabled={playing}>
          {playing ? t.deviceCheck.soundPlaying : t.deviceCheck.playSound}
        </button>
      </div>

      <div className="check-row">
        <span>{t.deviceCheck.network}</span>
        <span role="status" data-quality={network ?? 'checking'}>
          {networkText}
        </span>
      </div>

      {(camera === 'blocked' || microphone === 'blocked') && (
        <details className="help" open>
          <summary>{t.deviceCheck.howToAllow}</summary>
          <ul>
            <li>{t.deviceCheck.iosHelp}</li>
            <li>{t.deviceCheck.androidHelp}</li>
            <li>{t.deviceCheck.weChatHelp}</li>
          </ul>
          <button type="button" className="button secondary" onClick={() => setAttempt((n) => n + 1)}>
            {t.deviceCheck.retry}
          </button>
        </details>
      )}

      <button
        type="button"
        className="button"
        disabled={camera === 'pending' || network === 'offline'}
        onClick={() => {
          stopPreview();
          onDone({ audioOnly });
        }}
      >
        {audioOnly ? t.deviceCheck.continueAudioOnly : t.deviceCheck.continue}
      </button>
    </div>
  );
}
