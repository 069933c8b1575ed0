//! A fractionally spaced (T/2) complex adaptive equalizer with a normalised LMS update.
//!
//! Inputs arrive at two per symbol; an output is formed once per symbol (after the on-time
//! input). The receiver trains it on the known training alphabet, then keeps adapting it
//! decision-directed (V.27ter, V.29 and V.17 all leave the equalizer design to the
//! implementer; their training sequences exist for it).
//!
//! The LMS update of one symbol is held back ([`Equalizer::defer_update`]) and applied in the
//! same pass over the taps that forms the next output ([`Equalizer::update_and_output`]):
//! the taps are read and written once per symbol instead of three times, with exactly the
//! arithmetic of an immediate update (the update still goes in before the next output).
//!
//! The delay line is a linear buffer written once per input: when it is full, the newest
//! inputs (two more than the taps span, so that the input window of a deferred update is
//! still whole) slide back to its start, once every `SLACK` inputs.
//!
//! The input that completes a symbol goes in with the output in one call
//! ([`Equalizer::push_and_output`]), which takes it from its register rather than from the
//! delay line it was just stored in: a four-wide load of a block holding a value stored one
//! lane wide a moment before waits until that store reaches the cache.

use super::simd::padded;
use super::Complex32;

/// A deferred LMS update: the step-scaled error and the window start it belongs to.
#[derive(Debug, Clone, Copy)]
struct Pending {
    err: Complex32,
    start: usize,
}

/// Inputs appended to the delay line between two slides back to its start.
const SLACK: usize = 128;

/// T/2 fractionally spaced equalizer (see the module docs).
#[derive(Debug, Clone)]
pub struct Equalizer {
    n: usize,
    w_re: Vec<f32>,
    w_im: Vec<f32>,
    /// Delay line, oldest first: the newest input is at `pos - 1`, the window of the `n`
    /// newest starts at `pos - n`; `n + 2 + SLACK` slots.
    x_re: Vec<f32>,
    x_im: Vec<f32>,
    /// One past the slot of the newest input (from `n + 2` to the buffer length).
    pos: usize,
    pending: Option<Pending>,
}

impl Equalizer {
    /// An equalizer with `taps` T/2 taps (rounded up to a multiple of 8, at least 8).
    pub fn new(taps: usize) -> Self {
        let n = padded(taps.max(2));
        let l = n + 2 + SLACK;
        Equalizer {
            n,
            w_re: vec![0.0; n],
            w_im: vec![0.0; n],
            x_re: vec![0.0; l],
            x_im: vec![0.0; l],
            pos: n + 2,
            pending: None,
        }
    }

    /// Number of taps.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false (an equalizer has at least eight taps).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Index (0 = oldest input) of the centre tap used by [`Equalizer::init_single`]: an
    /// on-time input, half the span back.
    pub fn centre(&self) -> usize {
        self.n - 1 - 2 * (self.n / 4)
    }

    /// Delay from an on-time input to the output it mainly forms, in symbols.
    pub fn delay_symbols(&self) -> usize {
        self.n / 4
    }

    /// Clear the input history and set all taps to zero except the centre one, `w` (a
    /// pending update is dropped).
    pub fn init_single(&mut self, w: Complex32) {
        self.pending = None;
        self.w_re.iter_mut().for_each(|x| *x = 0.0);
        self.w_im.iter_mut().for_each(|x| *x = 0.0);
        let c = self.centre();
        self.w_re[c] = w.re;
        self.w_im[c] = w.im;
    }

    /// Multiply every tap by `c` (a gain and phase correction of the whole equalizer), after
    /// applying a pending update.
    pub fn scale(&mut self, c: Complex32) {
        self.flush();
        for (r, i) in self.w_re.iter_mut().zip(self.w_im.iter_mut()) {
            let (a, b) = (*r, *i);
            *r = a * c.re - b * c.im;
            *i = a * c.im + b * c.re;
        }
    }

    /// Clear the input history (taps unchanged; a pending update is applied first).
    pub fn reset_history(&mut self) {
        self.flush();
        self.x_re.iter_mut().for_each(|x| *x = 0.0);
        self.x_im.iter_mut().for_each(|x| *x = 0.0);
        self.pos = self.n + 2;
    }

    /// Start (in the delay line) of the window of the `n` newest inputs.
    #[inline]
    fn start(&self) -> usize {
        self.pos - self.n
    }

    /// Append one T/2 input.
    #[inline]
    pub fn push(&mut self, x: Complex32) {
        let mut p = self.pos;
        if p >= self.x_re.len() {
            p = self.slide();
        }
        if let (Some(r), Some(i)) = (self.x_re.get_mut(p), self.x_im.get_mut(p)) {
            *r = x.re;
            *i = x.im;
        }
        self.pos = p + 1;
    }

    /// Move the newest `n + 2` inputs back to the start of the delay line (with the pending
    /// update's window); returns the new `pos`.
    #[cold]
    #[inline(never)]
    fn slide(&mut self) -> usize {
        let keep = self.n + 2;
        let from = self.pos - keep;
        self.x_re.copy_within(from..self.pos, 0);
        self.x_im.copy_within(from..self.pos, 0);
        if let Some(p) = self.pending.as_mut() {
            match p.start.checked_sub(from) {
                Some(s) => p.start = s,
                // Older than the kept inputs: it would be dropped anyway (more than two
                // inputs since).
                None => self.pending = None,
            }
        }
        self.pos = keep;
        keep
    }

    /// The equalizer output for the current input history (with the taps as they are: a
    /// pending update is not included).
    #[inline(always)]
    pub fn output(&self) -> Complex32 {
        let s = self.start();
        let n = self.n;
        let (re, im) = kernel::output(
            &self.w_re[..n],
            &self.w_im[..n],
            &self.x_re[s..s + n],
            &self.x_im[s..s + n],
        );
        Complex32::new(re, im)
    }

    /// LMS update `w += step * err * conj(x)` on the current input window, applied now;
    /// `step` is already normalised by the caller (typically `mu / (taps * input power)`).
    #[inline]
    pub fn update(&mut self, err: Complex32, step: f32) {
        self.flush();
        let s = self.start();
        self.apply(err.scale(step), s);
    }

    /// Like [`Equalizer::update`], but held back until the next
    /// [`Equalizer::update_and_output`] (or [`Equalizer::flush`]), at most two inputs later.
    #[inline]
    pub fn defer_update(&mut self, err: Complex32, step: f32) {
        self.flush();
        self.pending = Some(Pending {
            err: err.scale(step),
            start: self.start(),
        });
    }

    /// Inputs pushed since the pending update `p` was deferred (its window was the newest
    /// then).
    #[inline]
    fn since(&self, p: &Pending) -> usize {
        self.pos.saturating_sub(p.start + self.n)
    }

    /// Apply a pending update now (dropped if its input window has been overwritten, which
    /// the receivers' call pattern never produces).
    #[inline]
    pub fn flush(&mut self) {
        if let Some(p) = self.pending.take() {
            if self.since(&p) <= 2 {
                self.apply(p.err, p.start);
            }
        }
    }

    fn apply(&mut self, e: Complex32, s: usize) {
        let n = self.n;
        kernel::update(
            &mut self.w_re[..n],
            &mut self.w_im[..n],
            &self.x_re[s..s + n],
            &self.x_im[s..s + n],
            e.re,
            e.im,
        );
    }

    /// Apply the pending update (if any) and form the output for the current input history,
    /// in one pass over the taps. Equal to [`Equalizer::flush`] then [`Equalizer::output`].
    #[inline]
    pub fn update_and_output(&mut self) -> Complex32 {
        self.pending_with_output::<true>()
    }

    /// Form the output for the current input history with the taps as they are, and apply
    /// the pending update (if any) in the same pass: a one-symbol-delayed LMS update, which
    /// takes the previous decision off the path to this output.
    #[inline]
    pub fn output_then_update(&mut self) -> Complex32 {
        self.pending_with_output::<false>()
    }

    /// [`Equalizer::push`] `x`, then [`Equalizer::update_and_output`] (`UPDATE_FIRST`) or
    /// [`Equalizer::output_then_update`]: the same values, formed without loading the
    /// newest input from the delay line. It was stored there (one lane) just before, and a
    /// four-wide load of the block that holds it could not be served from the store buffer:
    /// it would wait until the store reached the cache, on the path to the symbol decision
    /// (avoiding that made the V.27ter receiver 1.1-1.15x faster in alternated runs, with
    /// 2 % more instructions). So the window's last block is put together from the three
    /// inputs before and `x` in its register.
    #[inline(always)]
    pub fn push_and_output<const UPDATE_FIRST: bool>(&mut self, x: Complex32) -> Complex32 {
        match self.n {
            16 => self.push_and_output_n::<16, UPDATE_FIRST>(x),
            24 => self.push_and_output_n::<24, UPDATE_FIRST>(x),
            32 => self.push_and_output_n::<32, UPDATE_FIRST>(x),
            _ => {
                self.push(x);
                self.pending_with_output::<UPDATE_FIRST>()
            }
        }
    }

    /// [`Equalizer::push_and_output`] for `N` taps.
    #[inline(always)]
    fn push_and_output_n<const N: usize, const UPDATE_FIRST: bool>(
        &mut self,
        x: Complex32,
    ) -> Complex32 {
        self.push(x);
        let s = self.start();
        let pending = self.pending.take().filter(|p| self.since(p) <= 2);
        let Some((xr, xi)) = window::<N>(&self.x_re, &self.x_im, s) else {
            // Cannot happen (the window always fits the delay line).
            self.pending = pending;
            return self.pending_with_output::<UPDATE_FIRST>();
        };
        // The block's last input is `x` itself (its register); the others are loaded one
        // by one (the one before `x` was stored alone, at the previous T/2 output).
        let tail = kernel::Tail {
            re: [xr[N - 4], xr[N - 3], xr[N - 2], x.re],
            im: [xi[N - 4], xi[N - 3], xi[N - 2], x.im],
        };
        let (Some(wr), Some(wi)) = (
            self.w_re.first_chunk_mut::<N>(),
            self.w_im.first_chunk_mut::<N>(),
        ) else {
            self.pending = pending;
            return self.pending_with_output::<UPDATE_FIRST>();
        };
        let (re, im) = match pending {
            Some(p) => match window::<N>(&self.x_re, &self.x_im, p.start) {
                Some((pr, pi)) => {
                    kernel::fused_n::<N, UPDATE_FIRST>(wr, wi, xr, xi, pr, pi, p.err, Some(tail))
                }
                None => kernel::output_n::<N>(wr, wi, xr, xi, Some(tail)),
            },
            None => kernel::output_n::<N>(wr, wi, xr, xi, Some(tail)),
        };
        Complex32::new(re, im)
    }

    /// The pending update and the output in one pass; the output uses the updated taps when
    /// `UPDATE_FIRST`, the taps as they were otherwise.
    #[inline]
    fn pending_with_output<const UPDATE_FIRST: bool>(&mut self) -> Complex32 {
        let s = self.start();
        let n = self.n;
        let Some(p) = self.pending.take() else {
            return self.output();
        };
        if self.since(&p) > 2 {
            return self.output();
        }
        let (re, im) = kernel::fused::<UPDATE_FIRST>(
            &mut self.w_re[..n],
            &mut self.w_im[..n],
            &self.x_re[s..s + n],
            &self.x_im[s..s + n],
            &self.x_re[p.start..p.start + n],
            &self.x_im[p.start..p.start + n],
            p.err,
        );
        Complex32::new(re, im)
    }

    /// Sum of squared tap magnitudes (for diagnostics and divergence checks).
    pub fn energy(&self) -> f32 {
        self.w_re
            .iter()
            .zip(&self.w_im)
            .map(|(a, b)| a * a + b * b)
            .sum()
    }
}

/// The `N` inputs from `s` of the real and imaginary delay lines (`None` if they do not fit).
#[inline(always)]
fn window<'a, const N: usize>(
    re: &'a [f32],
    im: &'a [f32],
    s: usize,
) -> Option<(&'a [f32; N], &'a [f32; N])> {
    Some((
        re.get(s..)?.first_chunk::<N>()?,
        im.get(s..)?.first_chunk::<N>()?,
    ))
}

/// The tap loops, specialised for the lengths in use (16 for V.27ter, 24 for V.29) so that
/// they compile to straight-line packed arithmetic; any other length takes the generic path.
mod kernel {
    use super::Complex32;

    /// The last four inputs of a window, real and imaginary parts, given apart from the
    /// delay line (see [`super::Equalizer::push_and_output`]).
    #[derive(Debug, Clone, Copy)]
    pub(super) struct Tail {
        pub(super) re: [f32; 4],
        pub(super) im: [f32; 4],
    }

    /// The four inputs of the window from `c` (a multiple of four): the last four from
    /// `tail` if given, the others from the delay line.
    #[inline(always)]
    fn block<const N: usize>(
        xr: &[f32; N],
        xi: &[f32; N],
        tail: Option<Tail>,
        c: usize,
    ) -> ([f32; 4], [f32; 4]) {
        match tail {
            Some(t) if c + 4 == N => (t.re, t.im),
            _ => (
                [xr[c], xr[c + 1], xr[c + 2], xr[c + 3]],
                [xi[c], xi[c + 1], xi[c + 2], xi[c + 3]],
            ),
        }
    }

    /// Sum of four lanes.
    #[inline(always)]
    fn hsum(a: [f32; 4]) -> f32 {
        (a[0] + a[2]) + (a[1] + a[3])
    }

    /// `(sum re, sum im)` of the two four-lane accumulators, behind a `black_box`: seen
    /// through, the final sums make LLVM's SLP vectoriser regroup the lanes into shuffled
    /// pairs inside the loop; hidden, the loop stays packed multiplies and adds.
    #[inline(always)]
    fn lane_sums(re: [f32; 4], im: [f32; 4]) -> (f32, f32) {
        let [re, im] = std::hint::black_box([re, im]);
        (hsum(re), hsum(im))
    }

    /// `sum w x`, the last four inputs from `tail` if given.
    #[inline(always)]
    pub(super) fn output_n<const N: usize>(
        wr: &[f32; N],
        wi: &[f32; N],
        xr: &[f32; N],
        xi: &[f32; N],
        tail: Option<Tail>,
    ) -> (f32, f32) {
        let mut re = [0.0f32; 4];
        let mut im = [0.0f32; 4];
        for c in (0..N / 4).map(|c| 4 * c) {
            let (br, bi) = block(xr, xi, tail, c);
            for k in 0..4 {
                let (a, b, x, y) = (wr[c + k], wi[c + k], br[k], bi[k]);
                re[k] += a * x - b * y;
                im[k] += a * y + b * x;
            }
        }
        lane_sums(re, im)
    }

    /// One pass: `w' = w + e conj(p)` stored, and `sum w' x` (`UPDATE_FIRST`) or `sum w x`;
    /// the last four inputs of `x` from `tail` if given.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(super) fn fused_n<const N: usize, const UPDATE_FIRST: bool>(
        wr: &mut [f32; N],
        wi: &mut [f32; N],
        xr: &[f32; N],
        xi: &[f32; N],
        pr: &[f32; N],
        pi: &[f32; N],
        e: Complex32,
        tail: Option<Tail>,
    ) -> (f32, f32) {
        let mut re = [0.0f32; 4];
        let mut im = [0.0f32; 4];
        for c in (0..N / 4).map(|c| 4 * c) {
            let (br, bi) = block(xr, xi, tail, c);
            for k in 0..4 {
                let j = c + k;
                let (w_re, w_im) = (wr[j], wi[j]);
                let u_re = w_re + (e.re * pr[j] + e.im * pi[j]);
                let u_im = w_im + (e.im * pr[j] - e.re * pi[j]);
                wr[j] = u_re;
                wi[j] = u_im;
                let (a, b) = if UPDATE_FIRST {
                    (u_re, u_im)
                } else {
                    (w_re, w_im)
                };
                let (x, y) = (br[k], bi[k]);
                re[k] += a * x - b * y;
                im[k] += a * y + b * x;
            }
        }
        lane_sums(re, im)
    }

    #[inline(always)]
    fn update_n<const N: usize>(
        wr: &mut [f32; N],
        wi: &mut [f32; N],
        xr: &[f32; N],
        xi: &[f32; N],
        er: f32,
        ei: f32,
    ) {
        for j in 0..N {
            wr[j] += er * xr[j] + ei * xi[j];
            wi[j] += ei * xr[j] - er * xi[j];
        }
    }

    /// `N`-element views of four slices (`None` if any is shorter).
    macro_rules! arrays {
        ($n:expr; $($s:expr),+) => {
            (|| Some(($($s.first_chunk::<$n>()?),+)))()
        };
    }

    /// `sum w x` over the whole (equal-length) slices.
    #[inline(always)]
    pub(super) fn output(wr: &[f32], wi: &[f32], xr: &[f32], xi: &[f32]) -> (f32, f32) {
        macro_rules! fixed {
            ($n:literal) => {
                if let Some((a, b, c, d)) = arrays!($n; wr, wi, xr, xi) {
                    return output_n::<$n>(a, b, c, d, None);
                }
            };
        }
        match wr.len() {
            16 => fixed!(16),
            24 => fixed!(24),
            32 => fixed!(32),
            _ => {}
        }
        let mut re = 0.0;
        let mut im = 0.0;
        for (((a, b), x), y) in wr.iter().zip(wi).zip(xr).zip(xi) {
            re += a * x - b * y;
            im += a * y + b * x;
        }
        (re, im)
    }

    /// `w += e conj(x)` with `e = er + j ei`.
    #[inline]
    pub(super) fn update(wr: &mut [f32], wi: &mut [f32], xr: &[f32], xi: &[f32], er: f32, ei: f32) {
        macro_rules! fixed {
            ($n:literal) => {
                if let (Some(a), Some(b), Some((c, d))) = (
                    wr.first_chunk_mut::<$n>(),
                    wi.first_chunk_mut::<$n>(),
                    arrays!($n; xr, xi),
                ) {
                    return update_n::<$n>(a, b, c, d, er, ei);
                }
            };
        }
        match wr.len() {
            16 => fixed!(16),
            24 => fixed!(24),
            32 => fixed!(32),
            _ => {}
        }
        for (((a, b), x), y) in wr.iter_mut().zip(wi.iter_mut()).zip(xr).zip(xi) {
            *a += er * x + ei * y;
            *b += ei * x - er * y;
        }
    }

    /// In one pass: `w += e conj(p)`, and the output `sum w x` formed with the updated taps
    /// (`UPDATE_FIRST`) or with the taps as they were.
    #[inline]
    pub(super) fn fused<const UPDATE_FIRST: bool>(
        wr: &mut [f32],
        wi: &mut [f32],
        xr: &[f32],
        xi: &[f32],
        pr: &[f32],
        pi: &[f32],
        e: Complex32,
    ) -> (f32, f32) {
        macro_rules! fixed {
            ($n:literal) => {
                if let (Some(a), Some(b), Some((c, d, f, g))) = (
                    wr.first_chunk_mut::<$n>(),
                    wi.first_chunk_mut::<$n>(),
                    arrays!($n; xr, xi, pr, pi),
                ) {
                    return fused_n::<$n, UPDATE_FIRST>(a, b, c, d, f, g, e, None);
                }
            };
        }
        match wr.len() {
            16 => fixed!(16),
            24 => fixed!(24),
            32 => fixed!(32),
            _ => {}
        }
        if UPDATE_FIRST {
            update(wr, wi, pr, pi, e.re, e.im);
            output(wr, wi, xr, xi)
        } else {
            let y = output(wr, wi, xr, xi);
            update(wr, wi, pr, pi, e.re, e.im);
            y
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_gain_and_rotation() {
        let h = Complex32::from_polar(0.5, 0.7);
        let mut seed = 1u32;
        let mut last_err = 1.0;
        // A single-symbol-delay test: feed a stream and check convergence on the delayed
        // reference.
        let mut eq = Equalizer::new(8);
        eq.init_single(Complex32::ONE);
        let d = eq.delay_symbols();
        let mut hist = vec![0f32; d + 1];
        for i in 0..4000 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let s = if seed >> 31 == 0 { 1.0 } else { -1.0 };
            hist.rotate_right(1);
            hist[0] = s;
            eq.push(Complex32::ZERO);
            eq.push(h * s);
            let y = eq.output();
            let err = Complex32::new(hist[d], 0.0) - y;
            eq.update(err, 0.05);
            if i > 3000 {
                last_err = err.norm_sqr();
            }
        }
        assert!(last_err < 1e-4, "{last_err}");
    }

    /// The output is the dot product of the taps with the newest inputs, across many slides
    /// of the delay line back to its start, with updates deferred over a slide too.
    #[test]
    fn delay_line_window_is_the_newest_inputs() {
        for taps in [16, 24, 40] {
            let mut eq = Equalizer::new(taps);
            let n = eq.len();
            let mut seed = 3u32;
            let mut rnd = || {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            };
            for j in 0..n {
                eq.w_re[j] = rnd();
                eq.w_im[j] = rnd();
            }
            let mut hist: Vec<Complex32> = vec![Complex32::ZERO; n];
            for i in 0..(5 * SLACK) {
                let x = Complex32::new(rnd(), rnd());
                eq.push(x);
                hist.push(x);
                if i % 2 == 1 {
                    let y = eq.update_and_output();
                    let mut want = Complex32::ZERO;
                    for (j, x) in hist[hist.len() - n..].iter().enumerate() {
                        want += Complex32::new(eq.w_re[j], eq.w_im[j]) * *x;
                    }
                    assert!((y - want).norm_sqr() < 1e-9, "taps {taps} input {i}");
                    eq.defer_update(Complex32::new(rnd(), rnd()), 0.01);
                }
            }
            assert!(eq.pos <= eq.x_re.len());
        }
    }

    /// `push_and_output` (the newest input from its register) gives bit for bit the outputs
    /// and taps of `push` then `update_and_output` / `output_then_update`, for the
    /// specialised lengths and a generic one, across slides of the delay line and with and
    /// without a pending update.
    #[test]
    fn push_and_output_equals_push_then_output() {
        for taps in [16, 24, 32, 40] {
            for update_first in [true, false] {
                let mut a = Equalizer::new(taps);
                a.init_single(Complex32::new(0.7, 0.2));
                let mut seed = 7u32;
                let mut rnd = || {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
                };
                let mut b = a.clone();
                for i in 0..(3 * SLACK) {
                    let mid = Complex32::new(rnd(), rnd());
                    let x = Complex32::new(rnd(), rnd());
                    a.push(mid);
                    b.push(mid);
                    a.push(x);
                    let ya = if update_first {
                        a.update_and_output()
                    } else {
                        a.output_then_update()
                    };
                    let yb = if update_first {
                        b.push_and_output::<true>(x)
                    } else {
                        b.push_and_output::<false>(x)
                    };
                    assert_eq!(ya.re.to_bits(), yb.re.to_bits(), "taps {taps} symbol {i}");
                    assert_eq!(ya.im.to_bits(), yb.im.to_bits(), "taps {taps} symbol {i}");
                    assert_eq!((a.pos, a.x_re.clone()), (b.pos, b.x_re.clone()));
                    assert_eq!(a.x_im, b.x_im);
                    assert_eq!(a.w_re, b.w_re, "taps {taps} symbol {i}");
                    assert_eq!(a.w_im, b.w_im, "taps {taps} symbol {i}");
                    // An update on most symbols, none on some.
                    if i % 5 != 3 {
                        let err = Complex32::new(rnd(), rnd()) - ya;
                        a.defer_update(err, 0.05);
                        b.defer_update(err, 0.05);
                    }
                }
                assert!(a.energy() > 0.0);
            }
        }
    }

    /// The deferred, fused update gives the same taps and outputs as an immediate update,
    /// for the specialised lengths and a generic one.
    #[test]
    fn deferred_update_equals_immediate() {
        for taps in [16, 24, 40] {
            let mut a = Equalizer::new(taps);
            let mut b = Equalizer::new(taps);
            a.init_single(Complex32::new(0.8, -0.1));
            b.init_single(Complex32::new(0.8, -0.1));
            let mut seed = 99u32;
            let mut rnd = || {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            };
            for i in 0..500 {
                for _ in 0..2 {
                    let x = Complex32::new(rnd(), rnd());
                    a.push(x);
                    b.push(x);
                }
                let ya = a.output();
                let yb = b.update_and_output();
                assert!((ya - yb).norm_sqr() < 1e-10, "taps {taps} symbol {i}");
                let err = Complex32::new(rnd(), rnd()) - ya;
                a.update(err, 0.1);
                b.defer_update(err, 0.1);
            }
            b.flush();
            // The delayed form: the output with the taps as they are, then the update.
            let mut d = b.clone();
            for _ in 0..50 {
                for _ in 0..2 {
                    d.push(Complex32::new(rnd(), rnd()));
                }
                let mut c = d.clone();
                let yc = c.output();
                c.flush();
                let yd = d.output_then_update();
                assert!((yc - yd).norm_sqr() < 1e-10, "taps {taps}");
                for j in 0..c.len() {
                    assert!((c.w_re[j] - d.w_re[j]).abs() < 1e-5);
                    assert!((c.w_im[j] - d.w_im[j]).abs() < 1e-5);
                }
                let err = Complex32::new(rnd(), rnd()) - yd;
                d.defer_update(err, 0.1);
            }
            for j in 0..a.len() {
                assert!((a.w_re[j] - b.w_re[j]).abs() < 1e-5);
                assert!((a.w_im[j] - b.w_im[j]).abs() < 1e-5);
            }
            assert!(a.energy() > 0.0);
        }
    }
}
