#!/usr/bin/env python3
"""How close is telefax's V.29 receiver to an ideal one, on the very same noise? (issue 4)

    scripts/v29_ideal.py [--rate 7200] [--snr 14.5 15 16] [--seeds 20] [--telefax PATH]

For each SNR and seed this script
  1. has `telefax modem tx` send 20 s of V.29 (O.151 pattern, -13 dBm0) and
     `telefax modem line --snr-db S --seed N` add white noise over 0-4 kHz (the set-up of
     scripts/ber_sweep.sh and README's BER table);
  2. runs `telefax modem rx` on the noisy file (bad bits, as in the BER table);
  3. runs a *genie* receiver that knows everything but the noise: the noise is the noisy
     file minus the clean one; the genie mixes it to baseband, applies the exact
     root-raised-cosine matched filter (beta 0.25, in the frequency domain, no truncation),
     samples it at the transmitter's own symbol instants and adds it to the transmitted
     constellation point. Its decision is the nearest point: the maximum-likelihood symbol
     detector for uncoded V.29 on an AWGN line, which no receiver can beat on average.
     It counts the data symbols that the noise alone pushes across a decision boundary.

Prints, per SNR, how many of the seeds each receiver got through error-free (20 s) and the
total error counts over all seeds: the genie's symbol errors, and the bad bits of both
receivers (the genie's decisions go through the same differential decoding and descrambler).
Needs python3 with numpy.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

FS = 8000.0
BAUD = 2400.0
CARRIER = 1700.0
BETA = 0.25
UP = 3  # 24 kHz: exactly 10 samples per symbol


def read_wav(path):
    with wave.open(path) as w:
        assert w.getframerate() == 8000 and w.getsampwidth() == 2 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)


def rrc_response(f):
    """Frequency response of the root-raised-cosine filter, unit gain in the passband."""
    f = np.abs(f)
    lo, hi = (1 - BETA) * BAUD / 2, (1 + BETA) * BAUD / 2
    h = np.zeros_like(f)
    h[f <= lo] = 1.0
    m = (f > lo) & (f < hi)
    h[m] = np.sqrt(0.5 * (1 + np.cos(np.pi / (BETA * BAUD) * (f[m] - lo))))
    return h


def matched(x):
    """Baseband matched-filter output of real 8 kHz samples, at 24 kHz (10 per symbol)."""
    n = len(x)
    bb = x * np.exp(-2j * np.pi * CARRIER / FS * np.arange(n))
    spec = np.fft.fft(bb) * rrc_response(np.fft.fftfreq(n, 1 / FS))
    # The filtered spectrum lies within +-1500 Hz: zero-padding interpolates it exactly.
    up = np.zeros(n * UP, dtype=complex)
    half = n // 2
    up[:half] = spec[:half]
    up[-(n - half):] = spec[half:]
    return np.fft.ifft(up) * UP


def points(rate):
    """V.29 Table 1/Table 2 signal points per rate (relative amplitudes)."""
    if rate == 9600:
        pts = []
        for k in range(8):
            a = 3 if k % 2 == 0 else np.sqrt(2)
            b = 5 if k % 2 == 0 else 3 * np.sqrt(2)
            pts += [a * np.exp(1j * np.pi / 4 * k), b * np.exp(1j * np.pi / 4 * k)]
        return np.array(pts)
    if rate == 7200:
        return np.array([(3 if k % 2 == 0 else np.sqrt(2)) * np.exp(1j * np.pi / 4 * k)
                         for k in range(8)])
    return np.array([3 * np.exp(1j * np.pi / 2 * k) for k in range(4)])


def nearest(y, pts):
    return np.argmin(np.abs(y[:, None] - pts[None, :]), axis=1)


def genie_setup(clean, rate):
    """Symbol instants, gain/rotation and transmitted points of the clean signal."""
    y = matched(clean)
    pts = points(rate)
    start = int(0.35 * BAUD) * 10  # past the training (V.29 segments 1-4: 608 symbols)
    end = len(y) - int(0.05 * BAUD) * 10
    best = None
    for off in range(10):
        s = y[start + off:end:10]
        # Rotation from the fourth power of the outer points, scale from the mean energy.
        outer = s[np.abs(s) > np.median(np.abs(s))]
        rot = np.exp(1j * np.angle(np.mean(outer ** 4)) / 4)
        g = rot * np.sqrt(np.mean(np.abs(s) ** 2) / np.mean(np.abs(pts) ** 2))
        for quarter in range(4):
            gq = g * 1j ** quarter
            z = s / gq
            idx = nearest(z, pts)
            # Refine the complex gain by least squares on the decisions.
            gq = gq * np.vdot(pts[idx], z) / np.vdot(pts[idx], pts[idx])
            z = s / gq
            idx = nearest(z, pts)
            err = np.mean(np.abs(z - pts[idx]) ** 2)
            if best is None or err < best[0]:
                best = (err, off, gq, idx)
    err, off, g, idx = best
    return start + off, end, g, idx, err


STEP_BITS = [0b001, 0b000, 0b010, 0b011, 0b111, 0b110, 0b100, 0b101]  # V.29 Table 1


def bits_of(idx, rate):
    """Received bits (before descrambling) of a sequence of point indices (see points())."""
    if rate == 9600:
        phase, q1 = idx // 2, idx % 2
    elif rate == 7200:
        phase, q1 = idx, None
    else:
        phase, q1 = 2 * idx, None
    b = np.array(STEP_BITS)[np.diff(phase) & 7]
    cols = [b >> 2 & 1, b >> 1 & 1, b & 1]
    if rate == 9600:
        cols = [q1[1:]] + cols
    elif rate == 4800:
        cols = cols[:2]
    return np.stack(cols, axis=1).reshape(-1)


def bad_bits(dec, tx_idx, rate):
    """Bad bits after differential decoding and the V.29 descrambler (1 + x^-18 + x^-23)
    that the symbol decisions `dec` cause, against the transmitted `tx_idx`."""
    e = (bits_of(dec, rate) ^ bits_of(tx_idx, rate)).astype(np.uint8)
    d = e.copy()
    d[18:] ^= e[:-18]
    d[23:] ^= e[:-23]
    return int(d.sum())


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=7200)
    ap.add_argument("--snr", type=float, nargs="+", default=[14.5, 15.0, 16.0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--telefax", default=os.environ.get("TELEFAX", "target/release/telefax"))
    a = ap.parse_args()
    pts = points(a.rate)
    with tempfile.TemporaryDirectory() as w:
        cpath = os.path.join(w, "clean.wav")
        run([a.telefax, "modem", "tx", "--modem", "v29", "--rate", str(a.rate),
             "--seconds", "20", "-o", cpath])
        clean = read_wav(cpath)
        i0, i1, g, tx_idx, clean_mse = genie_setup(clean, a.rate)
        nsym = len(range(i0, i1, 10))
        print(f"V.29 {a.rate}: {nsym} data symbols checked by the genie; clean-signal decision "
              f"error {10 * np.log10(np.mean(np.abs(pts) ** 2) / clean_mse):.1f} dB below the "
              f"signal (transmit-filter truncation), {a.seeds} seeds per SNR")
        print()
        print("| SNR dB | genie: error-free runs | genie: symbol errors | genie: bad bits "
              "| telefax: error-free runs | telefax: bad bits |")
        print("|---|---|---|---|---|---|")
        for snr in a.snr:
            g_free = t_free = g_err = g_bad = t_bad = 0
            for seed in range(1, a.seeds + 1):
                npath = os.path.join(w, "noisy.wav")
                run([a.telefax, "modem", "line", cpath, "-o", npath, "--snr-db", str(snr),
                     "--seed", str(seed)])
                out = run([a.telefax, "modem", "rx", "--modem", "v29", "--rate", str(a.rate),
                           npath])
                tok = dict(t.split("=", 1) for t in out.split() if "=" in t)
                bad = int(tok["bad"]) if tok.get("trained") == "1" else 10**9
                noise = read_wav(npath) - clean
                yn = matched(noise)[i0:i1:10] / g
                dec = nearest(pts[tx_idx] + yn, pts)
                errs = int(np.count_nonzero(dec != tx_idx))
                g_err += errs
                g_bad += bad_bits(dec, tx_idx, a.rate)
                t_bad += bad
                g_free += errs == 0
                t_free += bad == 0
            print(f"| {snr:g} | {g_free}/{a.seeds} | {g_err} | {g_bad} | {t_free}/{a.seeds} "
                  f"| {t_bad} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
