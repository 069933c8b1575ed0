/* t4bench: time libtiff's CCITT codecs (G3 1-D, G3 2-D, G4) in-process, as the yardstick for
 * scripts/compare_t4.sh. Our own driver; it uses libtiff only through its public API.
 *
 * usage: t4bench REPS page1.tif [page2.tif ...]
 *        t4bench serve page1.tif [page2.tif ...]
 * Each input is a 1-bit uncompressed (or any libtiff-readable bilevel) TIFF; only its first
 * directory is used. For every page and coding it prints one line:
 *   libtiff <page> <coding> <pixels> <strip_bytes> <encode_median_ns> <decode_median_ns>
 * Encoding: TIFFClientOpen on an in-memory buffer, set tags, TIFFWriteEncodedStrip (one strip),
 * TIFFClose. Decoding: TIFFClientOpen on the coded buffer, TIFFReadEncodedStrip (one strip).
 * The decoded pixels are checked against the input (a mismatch is reported and exits 1).
 *
 * Serve mode (for scripts/compare_t4.sh, which alternates single repetitions of this driver and
 * of telefax's so that both run in the same moments of a noisy machine): the pages are loaded,
 * coded once in each coding and checked, one line per page and coding is printed
 *   libtiff <page> <coding> <pixels> <strip_bytes>
 * followed by "ready"; then each stdin line "PAGE_INDEX CODING_INDEX e|d" (coding 0 = mh,
 * 1 = mr, 2 = mmr) runs the encode or decode twice, untimed and then timed (so that each timed
 * run finds its data in cache, as in a series of repetitions), and prints the time in ns. The
 * line "probe" times a loop of 2 M branches on a fixed pseudo-random pattern of 1024 bits (best
 * of three, in ns): a large branch predictor learns the pattern, so the loop takes longer when
 * the machine leaves the core less of its predictor (this VM's slow state, see README).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tiffio.h>

typedef struct {
    unsigned char *buf;
    size_t len, cap, pos;
} membuf;

static tmsize_t m_read(thandle_t h, void *p, tmsize_t n) {
    membuf *m = (membuf *)h;
    if (m->pos >= m->len) return 0;
    size_t k = m->len - m->pos;
    if ((size_t)n < k) k = (size_t)n;
    memcpy(p, m->buf + m->pos, k);
    m->pos += k;
    return (tmsize_t)k;
}
static tmsize_t m_write(thandle_t h, void *p, tmsize_t n) {
    membuf *m = (membuf *)h;
    size_t end = m->pos + (size_t)n;
    if (end > m->cap) {
        size_t c = m->cap ? m->cap : 65536;
        while (c < end) c *= 2;
        m->buf = realloc(m->buf, c);
        m->cap = c;
    }
    memcpy(m->buf + m->pos, p, (size_t)n);
    m->pos = end;
    if (end > m->len) m->len = end;
    return n;
}
static toff_t m_seek(thandle_t h, toff_t off, int whence) {
    membuf *m = (membuf *)h;
    size_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : m->len;
    m->pos = base + (size_t)off;
    return (toff_t)m->pos;
}
static int m_close(thandle_t h) { (void)h; return 0; }
static toff_t m_size(thandle_t h) { return (toff_t)((membuf *)h)->len; }
static int m_map(thandle_t h, void **b, toff_t *s) { (void)h; (void)b; (void)s; return 0; }
static void m_unmap(thandle_t h, void *b, toff_t s) { (void)h; (void)b; (void)s; }

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}
static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int encode(membuf *out, const unsigned char *pix, uint32_t w, uint32_t h, int coding) {
    out->len = out->pos = 0;
    TIFF *t = TIFFClientOpen("mem", "w", (thandle_t)out, m_read, m_write, m_seek, m_close,
                             m_size, m_map, m_unmap);
    if (!t) return -1;
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, h);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    /* Fine resolution: libtiff's 2-D encoder then uses K = 4, as the telefax side does. */
    TIFFSetField(t, TIFFTAG_XRESOLUTION, 204.0);
    TIFFSetField(t, TIFFTAG_YRESOLUTION, 196.0);
    TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    if (coding == 4) {
        TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
    } else {
        TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX3);
        TIFFSetField(t, TIFFTAG_GROUP3OPTIONS, coding == 2 ? GROUP3OPT_2DENCODING : 0);
    }
    tmsize_t size = (tmsize_t)((w + 7) / 8) * h;
    if (TIFFWriteEncodedStrip(t, 0, (void *)pix, size) < 0) { TIFFClose(t); return -1; }
    TIFFClose(t);
    return 0;
}

static int decode(membuf *in, unsigned char *pix, tmsize_t size, double *ns, uint64_t *coded) {
    in->pos = 0;
    TIFF *t = TIFFClientOpen("mem", "r", (thandle_t)in, m_read, m_write, m_seek, m_close,
                             m_size, m_map, m_unmap);
    if (!t) return -1;
    uint64_t *counts = NULL;
    if (TIFFGetField(t, TIFFTAG_STRIPBYTECOUNTS, &counts) && counts) *coded = counts[0];
    double t0 = now_ns();
    tmsize_t got = TIFFReadEncodedStrip(t, 0, pix, size);
    *ns = now_ns() - t0;
    TIFFClose(t);
    return got == size ? 0 : -1;
}

static const int codings[3] = {1, 2, 4};
static const char *cname[3] = {"mh", "mr", "mmr"};

/* One page: its pixels (1 = black, padding bits clear), a decode buffer, its codings. */
typedef struct {
    const char *name;
    uint32_t w, h;
    tmsize_t size;
    unsigned char *pix, *back;
    membuf coded[3];
    uint64_t coded_bytes[3];
} page;

static int load(const char *path, page *p) {
    TIFF *in = TIFFOpen(path, "r");
    if (!in) { fprintf(stderr, "t4bench: cannot open %s\n", path); return -1; }
    uint32_t w = 0, h = 0;
    TIFFGetField(in, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(in, TIFFTAG_IMAGELENGTH, &h);
    uint16_t photo = PHOTOMETRIC_MINISWHITE;
    TIFFGetField(in, TIFFTAG_PHOTOMETRIC, &photo);
    tmsize_t stride = (w + 7) / 8, size = stride * (tmsize_t)h;
    unsigned char *pix = calloc((size_t)size, 1), *back = calloc((size_t)size, 1);
    for (uint32_t r = 0; r < h; r++) {
        if (TIFFReadScanline(in, pix + r * stride, r, 0) < 0) {
            fprintf(stderr, "t4bench: cannot read %s row %u\n", path, r);
            return -1;
        }
    }
    TIFFClose(in);
    if (photo == PHOTOMETRIC_MINISBLACK)
        for (tmsize_t i = 0; i < size; i++) pix[i] = (unsigned char)~pix[i];
    if (w % 8) /* clear padding bits */
        for (uint32_t r = 0; r < h; r++) pix[r * stride + stride - 1] &= (unsigned char)(0xff << (8 - w % 8));
    const char *name = strrchr(path, '/');
    *p = (page){.name = name ? name + 1 : path, .w = w, .h = h, .size = size, .pix = pix, .back = back};
    return 0;
}

/* The branch-predictor probe of serve mode (see the comment at the top). */
static double probe(void) {
    static unsigned char pattern[1024];
    static int ready = 0;
    if (!ready) {
        uint64_t x = 88172645463325252ULL;
        for (int i = 0; i < 1024; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            pattern[i] = (unsigned char)(x & 1);
        }
        ready = 1;
    }
    double best = 1e18;
    uint64_t s = 0;
    for (int r = 0; r < 3; r++) {
        double t0 = now_ns();
        for (int k = 0; k < 2000; k++)
            for (int i = 0; i < 1024; i++) {
                /* Different asm in the two arms keeps this a branch (no cmov). */
                if (pattern[i]) {
                    s += (uint64_t)i;
                    __asm__ volatile("nop" : "+r"(s));
                } else {
                    s ^= (uint64_t)i;
                    __asm__ volatile("" : "+r"(s));
                }
            }
        double e = now_ns() - t0;
        if (e < best) best = e;
    }
    return best;
}

/* Serve mode: see the comment at the top. */
static int serve(int npages, char **paths) {
    page *pages = calloc((size_t)npages, sizeof(page));
    for (int a = 0; a < npages; a++) {
        page *p = &pages[a];
        if (load(paths[a], p)) return 1;
        for (int c = 0; c < 3; c++) {
            double ns;
            if (encode(&p->coded[c], p->pix, p->w, p->h, codings[c]) ||
                decode(&p->coded[c], p->back, p->size, &ns, &p->coded_bytes[c]) ||
                memcmp(p->back, p->pix, (size_t)p->size)) {
                fprintf(stderr, "t4bench: %s %s: libtiff round trip failed\n", p->name, cname[c]);
                return 1;
            }
            printf("libtiff %s %s %llu %llu\n", p->name, cname[c],
                   (unsigned long long)p->w * p->h, (unsigned long long)p->coded_bytes[c]);
        }
    }
    printf("ready\n");
    fflush(stdout);
    char line[64];
    membuf scratch = {0};
    while (fgets(line, sizeof line, stdin)) {
        if (!strncmp(line, "probe", 5)) {
            printf("%.0f\n", probe());
            fflush(stdout);
            continue;
        }
        int pi = -1, c = -1;
        char op = 0;
        if (sscanf(line, "%d %d %c", &pi, &c, &op) != 3 || pi < 0 || pi >= npages || c < 0 || c > 2) {
            fprintf(stderr, "t4bench: bad command %s", line);
            return 1;
        }
        page *p = &pages[pi];
        double ns = 0;
        for (int warm = 1; warm >= 0; warm--) {
            if (op == 'e') {
                double t0 = now_ns();
                if (encode(&scratch, p->pix, p->w, p->h, codings[c])) return 1;
                ns = now_ns() - t0;
            } else {
                uint64_t coded = 0;
                memset(p->back, 0, (size_t)p->size);
                if (decode(&p->coded[c], p->back, p->size, &ns, &coded)) return 1;
            }
        }
        printf("%.0f\n", ns);
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: t4bench REPS|serve page.tif...\n"); return 2; }
    TIFFSetWarningHandler(NULL);
    if (!strcmp(argv[1], "serve")) return serve(argc - 2, argv + 2);
    int reps = atoi(argv[1]);
    if (reps < 1) reps = 1;
    double *enc = calloc((size_t)reps, sizeof(double)), *dec = calloc((size_t)reps, sizeof(double));
    for (int a = 2; a < argc; a++) {
        page pg;
        if (load(argv[a], &pg)) return 1;
        const char *name = pg.name;
        uint32_t w = pg.w, h = pg.h;
        tmsize_t size = pg.size;
        unsigned char *pix = pg.pix, *back = pg.back;
        for (int c = 0; c < 3; c++) {
            membuf m = {0};
            for (int i = 0; i < reps; i++) {
                double t0 = now_ns();
                if (encode(&m, pix, w, h, codings[c])) { fprintf(stderr, "t4bench: encode failed\n"); return 1; }
                enc[i] = now_ns() - t0;
            }
            uint64_t coded = 0;
            for (int i = 0; i < reps; i++) {
                memset(back, 0, (size_t)size);
                if (decode(&m, back, size, &dec[i], &coded)) { fprintf(stderr, "t4bench: decode failed\n"); return 1; }
            }
            if (memcmp(back, pix, (size_t)size)) {
                fprintf(stderr, "t4bench: %s %s: libtiff round trip differs\n", name, cname[c]);
                return 1;
            }
            printf("libtiff %s %s %llu %llu %.0f %.0f\n", name, cname[c],
                   (unsigned long long)w * h, (unsigned long long)coded, median(enc, reps),
                   median(dec, reps));
            free(m.buf);
        }
        free(pix);
        free(back);
    }
    free(enc);
    free(dec);
    return 0;
}
