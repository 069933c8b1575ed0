//! Codec speed of telefax's T.4/T.6 codec against the `fax` crate (MMR), for
//! `scripts/compare_t4.sh`, which runs libtiff on the same pages in the same run.
//!
//! `cargo run --release -p telefax-tiff --example codec_compare -- gen DIR`
//!   writes the benchmark pages (uncompressed TIFF): dense text, dithered, near blank (standard
//!   resolution, 1728 x 1143) and an A4 fine-resolution text page (1728 x 2287).
//! `cargo run --release -p telefax-tiff --example codec_compare -- bench REPS PAGE.tif...`
//!   prints, per page and coding, `telefax|fax PAGE CODING PIXELS BYTES ENC_NS DEC_NS` with the
//!   median encode and decode time of REPS runs (MSB-first bytes, as in TIFF; MR with K = 4).
//! `cargo run --release -p telefax-tiff --example codec_compare -- serve PAGE.tif...`
//!   codes and checks every page once, prints `telefax|fax PAGE CODING PIXELS BYTES` per page and
//!   coding and then `ready`; then each stdin line `tf PAGE_INDEX CODING_INDEX e|d` (coding 0 =
//!   MH, 1 = MR, 2 = MMR) or `fax PAGE_INDEX e|d` runs the encode or decode twice, untimed and
//!   then timed (so that the timed run finds its data in cache), and prints the time in ns.
//!   `scripts/compare_t4.sh` alternates these single runs with those of the libtiff driver
//!   (`scripts/t4bench.c serve`), so that both sides run in the same moments of a noisy machine.
#[path = "../tests/common/pages.rs"]
mod pages;

use std::time::Instant;

use telefax_t4::{decode_page_into, Bitmap, Coding, DecodeOptions, EncodeOptions, Encoder};
use telefax_tiff::{read_document, write_document, Page, Resolution, WriteOptions};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(reps);
    let mut last = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let out = std::hint::black_box(f());
        times.push(t0.elapsed().as_nanos() as f64);
        last = Some(out);
    }
    (median(times), last.expect("reps >= 1"))
}

/// Code the whole page into `out` (cleared first) with `enc` (reset first), as both `bench` and
/// `serve` time it.
fn encode_into(
    enc: &mut Encoder,
    bitmap: &Bitmap,
    out: &mut Vec<u8>,
) -> std::result::Result<(), telefax_t4::T4Error> {
    out.clear();
    enc.reset();
    for row in bitmap.data.chunks_exact(bitmap.stride()) {
        enc.encode_row(row, out)?;
    }
    enc.finish(out);
    Ok(())
}

/// The decoder options for `bitmap` in `coding`.
fn decode_options(coding: Coding, bitmap: &Bitmap) -> DecodeOptions {
    DecodeOptions::new(coding, bitmap.width).max_rows(bitmap.height)
}

fn gen(dir: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let std_rows = 1143; // A4 (297 mm) at 3.85 lines/mm
    let fine_rows = 2287; // A4 at 7.7 lines/mm
    let set = [
        (
            "dense_text_std",
            pages::text(1728, std_rows, 1, 1),
            Resolution::STANDARD,
        ),
        (
            "dithered_std",
            pages::dithered(1728, std_rows),
            Resolution::STANDARD,
        ),
        (
            "near_blank_std",
            pages::near_blank(1728, std_rows, 2),
            Resolution::STANDARD,
        ),
        (
            "a4_fine_text",
            pages::text(1728, fine_rows, 2, 3),
            Resolution::FINE,
        ),
    ];
    for (name, bitmap, res) in set {
        let doc = write_document(
            &[Page::from_bitmap(bitmap, Some(res))],
            &WriteOptions::default(),
        )?;
        std::fs::write(format!("{dir}/{name}.tif"), doc)?;
    }
    Ok(())
}

/// Pack the `fax` crate's colour-change positions into a row (1 = black), as any user of it
/// who wants pixels must.
fn pack_transitions(transitions: &[u16], width: usize, row: &mut [u8]) {
    row.fill(0);
    let mut black = false;
    let mut last = 0usize;
    for &t in transitions.iter().chain(std::iter::once(&(width as u16))) {
        let t = (t as usize).min(width);
        if black && t > last {
            for x in last..t {
                row[x / 8] |= 0x80 >> (x % 8);
            }
        }
        black = !black;
        last = t;
    }
}

fn bench(reps: usize, files: &[String]) -> Result<()> {
    for file in files {
        let name = file.rsplit('/').next().unwrap_or(file);
        let pages = read_document(&std::fs::read(file)?)?;
        let (bitmap, _) = pages[0].decode()?;
        let pixels = u64::from(bitmap.width) * u64::from(bitmap.height);
        for (cname, coding) in CODINGS {
            // Like the libtiff driver (scripts/t4bench.c), which codes into
            // a memory buffer and decodes into a pixel buffer that it
            // reuses, the output buffers are made once and reused.
            let mut enc = Encoder::new(bitmap.width, EncodeOptions::new(coding))?;
            let mut coded = Vec::new();
            let (enc_ns, res) = time(reps, || encode_into(&mut enc, &bitmap, &mut coded));
            res?;
            let dopts = decode_options(coding, &bitmap);
            let mut back = Bitmap::default();
            let (dec_ns, res) = time(reps, || decode_page_into(&coded, &dopts, &mut back));
            res?;
            if back != bitmap {
                return Err(format!("{name} {cname}: telefax round trip differs").into());
            }
            println!(
                "telefax {name} {cname} {pixels} {} {enc_ns:.0} {dec_ns:.0}",
                coded.len()
            );
        }
        // The `fax` crate, MMR only (it has no MH/MR encoder).
        let (enc_ns, coded) = time(reps, || fax_encode(&bitmap));
        let mut out = Bitmap::new(bitmap.width, bitmap.height);
        let (dec_ns, ok) = time(reps, || fax_decode(&coded, &mut out));
        if ok.is_none() || out != bitmap {
            return Err(format!("{name}: fax crate round trip differs").into());
        }
        println!(
            "fax {name} mmr {pixels} {} {enc_ns:.0} {dec_ns:.0}",
            coded.len()
        );
    }
    Ok(())
}

const CODINGS: [(&str, Coding); 3] = [
    ("mh", Coding::Mh),
    ("mr", Coding::Mr { k: 4 }),
    ("mmr", Coding::Mmr),
];

/// One page of serve mode: its pixels, its codings by telefax and by the `fax` crate, and the
/// reused coders and buffers.
struct Served {
    bitmap: Bitmap,
    coded: Vec<Vec<u8>>,
    fax_coded: Vec<u8>,
    encoders: Vec<Encoder>,
}

fn fax_encode(bitmap: &Bitmap) -> Vec<u8> {
    let width = bitmap.width as usize;
    let w16 = u16::try_from(bitmap.width).expect("page width fits u16");
    let mut enc = fax::encoder::Encoder::new(fax::VecWriter::new());
    for y in 0..bitmap.height {
        let row = bitmap.row(y);
        let pels = (0..width).map(|x| {
            if row[x / 8] & (0x80 >> (x % 8)) != 0 {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        enc.encode_line(pels, w16).expect("VecWriter cannot fail");
    }
    enc.finish().expect("VecWriter cannot fail").finish()
}

fn fax_decode(coded: &[u8], out: &mut Bitmap) -> Option<()> {
    let (width, height, stride) = (out.width as usize, out.height as usize, out.stride());
    let w16 = u16::try_from(out.width).ok()?;
    let h16 = u16::try_from(out.height).ok()?;
    let mut y = 0usize;
    fax::decoder::decode_g4(coded.iter().copied(), w16, Some(h16), |t| {
        if y < height {
            pack_transitions(t, width, &mut out.data[y * stride..(y + 1) * stride]);
        }
        y += 1;
    })
}

fn serve(files: &[String]) -> Result<()> {
    use std::io::{BufRead, Write};
    let mut pages = Vec::new();
    for file in files {
        let name = file.rsplit('/').next().unwrap_or(file);
        let (bitmap, _) = read_document(&std::fs::read(file)?)?[0].decode()?;
        let pixels = u64::from(bitmap.width) * u64::from(bitmap.height);
        let mut coded = Vec::new();
        let mut encoders = Vec::new();
        for (cname, coding) in CODINGS {
            let mut enc = Encoder::new(bitmap.width, EncodeOptions::new(coding))?;
            let mut out = Vec::new();
            encode_into(&mut enc, &bitmap, &mut out)?;
            let mut back = Bitmap::default();
            decode_page_into(&out, &decode_options(coding, &bitmap), &mut back)?;
            if back != bitmap {
                return Err(format!("{name} {cname}: telefax round trip differs").into());
            }
            println!("telefax {name} {cname} {pixels} {}", out.len());
            coded.push(out);
            encoders.push(enc);
        }
        let fax_coded = fax_encode(&bitmap);
        let mut back = Bitmap::new(bitmap.width, bitmap.height);
        if fax_decode(&fax_coded, &mut back).is_none() || back != bitmap {
            return Err(format!("{name}: fax crate round trip differs").into());
        }
        println!("fax {name} mmr {pixels} {}", fax_coded.len());
        pages.push(Served {
            bitmap,
            coded,
            fax_coded,
            encoders,
        });
    }
    println!("ready");
    std::io::stdout().flush()?;
    // Like the libtiff driver, which codes into a memory buffer and decodes into a pixel buffer
    // that it reuses, the output buffers are made once and reused.
    let mut out = Vec::new();
    let mut back = Bitmap::default();
    let mut stdout = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("bad command {line:?}");
        let index =
            |i: usize| -> Result<usize> { Ok(words.get(i).ok_or_else(bad)?.parse::<usize>()?) };
        let page = pages.get_mut(index(1)?).ok_or_else(bad)?;
        let mut run = || -> Result<std::time::Duration> {
            Ok(match words.as_slice() {
                ["tf", _, c, op] => {
                    let c: usize = c.parse()?;
                    let coding = CODINGS.get(c).ok_or_else(bad)?.1;
                    if *op == "e" {
                        let enc = &mut page.encoders[c];
                        let t0 = Instant::now();
                        encode_into(enc, &page.bitmap, &mut out)?;
                        t0.elapsed()
                    } else {
                        let dopts = decode_options(coding, &page.bitmap);
                        let t0 = Instant::now();
                        decode_page_into(&page.coded[c], &dopts, &mut back)?;
                        t0.elapsed()
                    }
                }
                ["fax", _, op] => {
                    if *op == "e" {
                        let t0 = Instant::now();
                        std::hint::black_box(fax_encode(&page.bitmap));
                        t0.elapsed()
                    } else {
                        back.width = page.bitmap.width;
                        back.height = page.bitmap.height;
                        back.data.resize(page.bitmap.data.len(), 0);
                        let t0 = Instant::now();
                        fax_decode(&page.fax_coded, &mut back).ok_or("fax crate decode failed")?;
                        t0.elapsed()
                    }
                }
                _ => return Err(bad().into()),
            })
        };
        run()?;
        let ns = run()?;
        writeln!(stdout, "{}", ns.as_nanos())?;
        stdout.flush()?;
    }
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen") if args.len() == 2 => gen(&args[1]),
        Some("bench") if args.len() >= 3 => bench(args[1].parse()?, &args[2..]),
        Some("serve") if args.len() >= 2 => serve(&args[1..]),
        _ => Err(
            "usage: codec_compare gen DIR | codec_compare bench REPS PAGE.tif... | codec_compare serve PAGE.tif..."
                .into(),
        ),
    }
}
