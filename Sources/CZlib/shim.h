// System zlib, for reading gzip-compressed IDX files.
#include <zlib.h>
