//! Differential encoding (V.17 §3.4, Table 1) and the 8-state systematic convolutional code
//! (V.17 §3.5, Figure 2), with the soft-decision Viterbi decoder of the receiver.

/// Differential encoding of Q1, Q2 into Y1, Y2 (V.17 Table 1): modulo-4 addition of
/// `Q1 + 2·Q2` to the previous `Y1 + 2·Y2`. Values are packed as `bit0 = Y1, bit1 = Y2`.
#[inline]
pub(crate) fn diff_encode(prev: u8, q1: u8, q2: u8) -> u8 {
    let p1 = prev & 1;
    let p2 = (prev >> 1) & 1;
    let y1 = q1 ^ p1;
    let y2 = q2 ^ p2 ^ (q1 & p1);
    y1 | (y2 << 1)
}

/// Inverse of [`diff_encode`]: returns `Q1 | Q2 << 1`.
#[inline]
pub(crate) fn diff_decode(prev: u8, y: u8) -> u8 {
    let p1 = prev & 1;
    let p2 = (prev >> 1) & 1;
    let y1 = y & 1;
    let y2 = (y >> 1) & 1;
    let q1 = y1 ^ p1;
    let q2 = y2 ^ p2 ^ (q1 & p1);
    q1 | (q2 << 1)
}

/// The redundant bit Y0 the encoder outputs in `state` (V.17 Figure 2: the first delay cell).
#[inline]
pub(crate) const fn conv_y0(state: u8) -> u8 {
    state & 1
}

/// The encoder's next state from `state` after input `y12 = Y1 | Y2 << 1` (V.17 Figure 2).
/// State bits: bit 0 = S1 (the output cell), bit 1 = S2, bit 2 = S3.
#[inline]
pub(crate) const fn conv_next(state: u8, y12: u8) -> u8 {
    let s1 = state & 1;
    let s2 = (state >> 1) & 1;
    let s3 = (state >> 2) & 1;
    let y1 = y12 & 1;
    let y2 = (y12 >> 1) & 1;
    let n1 = s3 ^ (s2 & s1) ^ (s1 & y1) ^ y2;
    let n2 = s1;
    let n3 = s2 ^ (s1 & y1) ^ y1 ^ y2;
    n1 | (n2 << 1) | (n3 << 2)
}

/// Number of encoder states.
pub(crate) const STATES: usize = 8;

/// Viterbi decision delay in symbols (V.17's code needs about 5 constraint lengths; 32 gives
/// the full coding gain).
pub(crate) const TRACEBACK: usize = 32;
/// Symbols decided per traceback (the traceback cost is shared by this many symbols).
pub(crate) const CHUNK: usize = 16;
/// Survivor history length.
pub(crate) const HIST: usize = TRACEBACK + CHUNK;

/// Predecessor table: for each state, the four (previous state, y12) pairs leading to it.
const fn predecessors() -> [[(u8, u8); 4]; STATES] {
    let mut t = [[(0u8, 0u8); 4]; STATES];
    let mut n = [0usize; STATES];
    let mut s = 0;
    while s < STATES {
        let mut y = 0;
        while y < 4 {
            let ns = conv_next(s as u8, y) as usize;
            t[ns][n[ns]] = (s as u8, y);
            n[ns] += 1;
            y += 1;
        }
        s += 1;
    }
    t
}

const PRED: [[(u8, u8); 4]; STATES] = predecessors();

// The traceback relies on PRED[s][k].0 == 2k + ((s >> 1) & 1).
const _: () = {
    let mut s = 0;
    while s < STATES {
        let mut k = 0;
        while k < 4 {
            assert!(PRED[s][k].0 as usize == 2 * k + ((s >> 1) & 1));
            k += 1;
        }
        s += 1;
    }
};

/// For each state and each of its four incoming branches: the subset (`Y0 | Y1<<1 | Y2<<2`)
/// the branch carries.
const fn branch_subsets() -> [[u8; 4]; STATES] {
    let mut t = [[0u8; 4]; STATES];
    let mut s = 0;
    while s < STATES {
        let mut k = 0;
        while k < 4 {
            let (ps, y12) = PRED[s][k];
            t[s][k] = conv_y0(ps) | (y12 << 1);
            k += 1;
        }
        s += 1;
    }
    t
}

const SUBSET: [[u8; 4]; STATES] = branch_subsets();

/// The two halves of the trellis (V.17 Figure 2): the states whose four predecessors are the
/// even states (and whose branches carry the even subsets, Y0 = 0), then those fed by the odd
/// states (odd subsets, Y0 = 1). Each half is a complete 4×4 butterfly.
const GROUPS: [[u8; 4]; 2] = group_states();

const fn group_states() -> [[u8; 4]; 2] {
    let mut g = [[0u8; 4]; 2];
    let mut n = [0usize; 2];
    let mut s = 0;
    while s < STATES {
        let half = (PRED[s][0].0 & 1) as usize;
        g[half][n[half]] = s as u8;
        n[half] += 1;
        s += 1;
    }
    g
}

/// `BRANCH[h][j][i]`: the subset (divided by two) on the branch from predecessor `2j + h` into
/// state `GROUPS[h][i]`. The predecessors of every state are in ascending order, so `j` is
/// also the branch index `k` of [`PRED`].
const BRANCH: [[[u8; 4]; 4]; 2] = branch_table();

const fn branch_table() -> [[[u8; 4]; 4]; 2] {
    let mut t = [[[0u8; 4]; 4]; 2];
    let mut h = 0;
    while h < 2 {
        let mut i = 0;
        while i < 4 {
            let ns = GROUPS[h][i] as usize;
            let mut j = 0;
            while j < 4 {
                // PRED lists predecessors in ascending order: 2j + h.
                t[h][j][i] = SUBSET[ns][j] >> 1;
                j += 1;
            }
            i += 1;
        }
        h += 1;
    }
    t
}

/// Soft-decision Viterbi decoder for the V.17 code (allocation-free, fixed traceback).
#[derive(Debug, Clone)]
pub(crate) struct Viterbi {
    metric: [f32; STATES],
    /// Per symbol and state: the index (into [`PRED`]) of the surviving branch (32 bits
    /// wide, the width of the comparison masks, so that selecting it vectorises).
    choice: [[u32; STATES]; HIST],
    /// Per symbol: the label of the nearest point of each subset.
    label: [[u8; 8]; HIST],
    pos: usize,
    filled: usize,
}

impl Viterbi {
    /// A decoder that knows the encoder starts in `state` (or any state if `None`).
    pub(crate) fn new(state: Option<u8>) -> Self {
        let mut v = Viterbi {
            metric: [0.0; STATES],
            choice: [[0; STATES]; HIST],
            label: [[0; 8]; HIST],
            pos: 0,
            filled: 0,
        };
        v.reset(state);
        v
    }

    /// Restart, optionally with a known encoder state.
    pub(crate) fn reset(&mut self, state: Option<u8>) {
        self.pos = 0;
        self.filled = 0;
        for (i, m) in self.metric.iter_mut().enumerate() {
            *m = match state {
                Some(s) if s as usize != i => 1.0e6,
                _ => 0.0,
            };
        }
    }

    /// Add one received symbol. `dist[subset]` holds, for each of the 8 subsets
    /// (`Y0 | Y1 << 1 | Y2 << 2`), the squared distance to its nearest point, and
    /// `labels[subset]` that point's full label. Every [`CHUNK`] symbols (once [`TRACEBACK`]
    /// symbols of delay have built up) the oldest labels are decided into `out`, oldest
    /// first; returns how many.
    pub(crate) fn step(
        &mut self,
        dist: &[f32; 8],
        labels: &[u8; 8],
        out: &mut [u8; CHUNK],
    ) -> usize {
        let slot = self.pos % HIST;
        let mut newm = [0.0f32; STATES];
        let mut choice = [0u32; STATES];
        // Add-compare-select, one butterfly per half of the trellis.
        for h in 0..2 {
            let pm = [
                self.metric[h],
                self.metric[2 + h],
                self.metric[4 + h],
                self.metric[6 + h],
            ];
            let bm = [dist[h], dist[2 + h], dist[4 + h], dist[6 + h]];
            let br = &BRANCH[h];
            let mut best = [0.0f32; 4];
            let mut bj = [0u32; 4];
            for i in 0..4 {
                best[i] = pm[0] + bm[br[0][i] as usize & 3];
            }
            for j in 1..4 {
                for i in 0..4 {
                    let c = pm[j] + bm[br[j][i] as usize & 3];
                    let take = c < best[i];
                    best[i] = if take { c } else { best[i] };
                    bj[i] = if take { j as u32 } else { bj[i] };
                }
            }
            for i in 0..4 {
                let ns = GROUPS[h][i] as usize & 7;
                newm[ns] = best[i];
                choice[ns] = bj[i];
            }
        }
        // Normalise to keep the metrics bounded.
        let min = newm
            .iter()
            .fold(f32::INFINITY, |a, &b| if b < a { b } else { a });
        for (m, n) in self.metric.iter_mut().zip(newm.iter()) {
            *m = n - min;
        }
        self.choice[slot] = choice;
        self.label[slot] = *labels;
        self.pos = if slot + 1 == HIST { 0 } else { slot + 1 };
        self.filled += 1;
        if self.filled < HIST {
            return 0;
        }
        self.trace(HIST, &mut out[..]);
        self.filled -= CHUNK;
        CHUNK
    }

    /// Decide every symbol still held (oldest first) when the signal ends.
    pub(crate) fn flush(&mut self, out: &mut [u8; HIST]) -> usize {
        let n = self.filled.min(HIST);
        self.trace(n, &mut out[..n]);
        self.filled = 0;
        n
    }

    /// Follow the best path back over the newest `depth` symbols, writing the labels of the
    /// oldest `out.len()` of them into `out`, oldest first.
    fn trace(&self, depth: usize, out: &mut [u8]) {
        let mut state = self
            .metric
            .iter()
            .enumerate()
            .fold(
                (0usize, f32::INFINITY),
                |a, (i, &m)| if m < a.1 { (i, m) } else { a },
            )
            .0;
        let first_out = depth.saturating_sub(out.len());
        let mut slot = (self.pos + HIST - 1) % HIST;
        for i in 0..depth {
            let k = self.choice[slot][state & 7] as usize & 3;
            if i >= first_out {
                if let Some(o) = out.get_mut(depth - 1 - i) {
                    *o = self.label[slot][SUBSET[state & 7][k] as usize & 7];
                }
            }
            // PRED[state][k].0, computed: the four predecessors are 2k + h with h = S2 of
            // `state` (the encoder copies S1 into S2), which keeps the table load off the
            // traceback's serial chain.
            state = 2 * k + ((state >> 1) & 1);
            slot = if slot == 0 { HIST - 1 } else { slot - 1 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differential_coding_round_trips() {
        for prev in 0..4u8 {
            for q in 0..4u8 {
                let y = diff_encode(prev, q & 1, q >> 1);
                assert_eq!(diff_decode(prev, y), q);
            }
        }
    }

    #[test]
    fn viterbi_decodes_a_clean_coded_sequence() {
        // Encode random labels, give the decoder exact metrics, expect the same labels back.
        let mut state = 3u8;
        let mut x = 12345u32;
        let mut sent = Vec::new();
        let mut got = Vec::new();
        let mut v = Viterbi::new(Some(3));
        let mut out = [0u8; CHUNK];
        for _ in 0..200 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let y12 = (x >> 16) as u8 & 3;
            let label = conv_y0(state) | (y12 << 1) | ((x >> 20) as u8 & 0x78);
            state = conv_next(state, y12);
            sent.push(label);
            let mut dist = [4.0f32; 8];
            let mut labels = [0u8; 8];
            dist[(label & 7) as usize] = 0.0;
            labels[(label & 7) as usize] = label;
            let n = v.step(&dist, &labels, &mut out);
            got.extend_from_slice(&out[..n]);
        }
        let mut tail = [0u8; HIST];
        let n = v.flush(&mut tail);
        got.extend_from_slice(&tail[..n]);
        assert_eq!(got, sent);
    }

    #[test]
    fn every_state_has_four_predecessors() {
        let mut n = [0; STATES];
        for s in 0..8u8 {
            for y in 0..4u8 {
                n[conv_next(s, y) as usize] += 1;
            }
        }
        assert_eq!(n, [4; STATES]);
    }
}
