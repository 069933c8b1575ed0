// One libtiff CCITT operation on one file, repeated ITERS times (black-box
// yardstick for telefax-t4; see compare_cpu.sh). The process's CPU time for
// ITERS runs minus that for 0 runs is the cost of ITERS operations.
// Usage: ltone CODED.tif dec|enc ITERS
#include <tiffio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: ltone CODED.tif dec|enc ITERS\n"); return 2; }
  TIFF *t = TIFFOpen(argv[1], "r");
  if (!t) return 1;
  uint32_t w, h, t4 = 0; uint16_t comp;
  TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w); TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
  TIFFGetField(t, TIFFTAG_COMPRESSION, &comp);
  if (comp == 3) TIFFGetField(t, TIFFTAG_GROUP3OPTIONS, &t4);
  int iters = atoi(argv[3]), dec = !strcmp(argv[2], "dec");
  tmsize_t sz = TIFFStripSize(t); unsigned char *buf = malloc(sz);
  if (TIFFReadEncodedStrip(t, 0, buf, sz) < 0) return 2;
  if (dec) {
    for (int i = 0; i < iters; i++) if (TIFFReadEncodedStrip(t, 0, buf, sz) < 0) return 2;
    TIFFClose(t);
    return 0;
  }
  TIFFClose(t);
  for (int i = 0; i < iters; i++) {
    TIFF *o = TIFFOpen("/dev/shm/telefax-ltone.tif", "w");
    if (!o) return 3;
    TIFFSetField(o, TIFFTAG_IMAGEWIDTH, w); TIFFSetField(o, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(o, TIFFTAG_BITSPERSAMPLE, 1); TIFFSetField(o, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(o, TIFFTAG_PHOTOMETRIC, 0); TIFFSetField(o, TIFFTAG_ROWSPERSTRIP, h);
    TIFFSetField(o, TIFFTAG_COMPRESSION, comp);
    if (comp == 3) TIFFSetField(o, TIFFTAG_GROUP3OPTIONS, t4);
    if (TIFFWriteEncodedStrip(o, 0, buf, sz) < 0) return 3;
    TIFFClose(o);
  }
  return 0;
}
