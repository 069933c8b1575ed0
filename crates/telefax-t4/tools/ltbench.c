// libtiff CCITT decode/encode throughput, best of N (black-box yardstick for
// telefax-t4; see compare_libtiff.sh). Usage: ltbench CODED.tif unused ITERS
#include <tiffio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  // usage: ltbench coded.tif raw.tif iters
  TIFF*t=TIFFOpen(argv[1],"r"); if(!t)return 1;
  uint32_t w,h; uint16_t comp; uint32_t t4=0;
  TIFFGetField(t,TIFFTAG_IMAGEWIDTH,&w);TIFFGetField(t,TIFFTAG_IMAGELENGTH,&h);TIFFGetField(t,TIFFTAG_COMPRESSION,&comp);
  if(comp==3)TIFFGetField(t,TIFFTAG_GROUP3OPTIONS,&t4);
  int iters=atoi(argv[3]);
  tmsize_t sz=TIFFStripSize(t); unsigned char*buf=malloc(sz);
  double best=1e9;
  for(int i=0;i<iters;i++){double a=now(); tmsize_t got = TIFFReadEncodedStrip(t,0,buf,sz); if(got<0)return 2; if(i==0){long nb=0; for(tmsize_t k=0;k<got;k++)nb+=__builtin_popcount(buf[k]); fprintf(stderr,"got %ld of %ld, black %ld\n",(long)got,(long)sz,nb);} double d=now()-a; if(d<best)best=d;}
  TIFFClose(t);
  printf("decode %.1f MP/s\n", (double)w*h/best/1e6);
  // encode: write the raw pixels with the same compression into /dev/shm
  best=1e9;
  for(int i=0;i<iters;i++){
    TIFF*o=TIFFOpen("/dev/shm/ltbench-out.tif","w");
    TIFFSetField(o,TIFFTAG_IMAGEWIDTH,w);TIFFSetField(o,TIFFTAG_IMAGELENGTH,h);TIFFSetField(o,TIFFTAG_BITSPERSAMPLE,1);
    TIFFSetField(o,TIFFTAG_SAMPLESPERPIXEL,1);TIFFSetField(o,TIFFTAG_PHOTOMETRIC,0);TIFFSetField(o,TIFFTAG_ROWSPERSTRIP,h);
    TIFFSetField(o,TIFFTAG_COMPRESSION,comp); if(comp==3)TIFFSetField(o,TIFFTAG_GROUP3OPTIONS,t4);
    double a=now(); if(TIFFWriteEncodedStrip(o,0,buf,sz)<0)return 3; double d=now()-a; TIFFClose(o); if(d<best)best=d;}
  printf("encode %.1f MP/s\n", (double)w*h/best/1e6);
  return 0;
}
