#ifndef TRANSCRIPTMINER_CLIBDEFLATE_SHIM_H
#define TRANSCRIPTMINER_CLIBDEFLATE_SHIM_H

#if __has_include(<libdeflate.h>)
#include <libdeflate.h>
#else
/* The part of libdeflate's interface the tool calls (the library's ABI, soname libdeflate.so.0),
   declared here for a machine that has the library but not its headers: Debian's libdeflate0
   comes with libtiff on most systems, its libdeflate-dev does not, and the README's first
   command must build on such a machine. The header is used where it is installed. */
#include <stddef.h>
#include <stdint.h>

struct libdeflate_decompressor;
struct libdeflate_compressor;

enum libdeflate_result {
    LIBDEFLATE_SUCCESS = 0,
    LIBDEFLATE_BAD_DATA = 1,
    LIBDEFLATE_SHORT_OUTPUT = 2,
    LIBDEFLATE_INSUFFICIENT_SPACE = 3,
};

struct libdeflate_decompressor *libdeflate_alloc_decompressor(void);
enum libdeflate_result libdeflate_deflate_decompress(struct libdeflate_decompressor *decompressor,
                                                     const void *in, size_t in_nbytes, void *out,
                                                     size_t out_nbytes_avail, size_t *actual_out_nbytes_ret);
void libdeflate_free_decompressor(struct libdeflate_decompressor *decompressor);
struct libdeflate_compressor *libdeflate_alloc_compressor(int compression_level);
size_t libdeflate_deflate_compress(struct libdeflate_compressor *compressor, const void *in, size_t in_nbytes,
                                   void *out, size_t out_nbytes_avail);
size_t libdeflate_deflate_compress_bound(struct libdeflate_compressor *compressor, size_t in_nbytes);
void libdeflate_free_compressor(struct libdeflate_compressor *compressor);
uint32_t libdeflate_crc32(uint32_t crc, const void *buffer, size_t len);
#endif

#endif
