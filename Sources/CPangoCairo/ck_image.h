// Small C helpers for image decoding that Swift cannot express directly: libjpeg reports errors by
// longjmp (the default handler calls exit()), so its calls are wrapped here with setjmp.
#ifndef CK_IMAGE_H
#define CK_IMAGE_H

#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <setjmp.h>
#include <jpeglib.h>

struct ck_jpeg_error {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
};

static void ck_jpeg_error_exit(j_common_ptr cinfo) {
    struct ck_jpeg_error *err = (struct ck_jpeg_error *)cinfo->err;
    longjmp(err->jump, 1);
}

static void ck_jpeg_emit_message(j_common_ptr cinfo, int level) {
    (void)cinfo;
    (void)level;
}

/// Reads a JPEG header. Returns 0 on success and fills width, height and the number of components.
static inline int ck_jpeg_info(const unsigned char *data, unsigned long length, int *width, int *height, int *components) {
    struct jpeg_decompress_struct cinfo;
    struct ck_jpeg_error err;
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = ck_jpeg_error_exit;
    err.pub.emit_message = ck_jpeg_emit_message;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, length);
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    *width = (int)cinfo.image_width;
    *height = (int)cinfo.image_height;
    *components = cinfo.num_components;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

/// Decodes a JPEG into a Cairo RGB24 buffer (native-endian xRGB, `stride` bytes per row) of exactly
/// width x height pixels. Returns 0 on success.
static inline int ck_jpeg_decode_rgb24(const unsigned char *data, unsigned long length, unsigned char *dst, int stride, int width, int height) {
    struct jpeg_decompress_struct cinfo;
    struct ck_jpeg_error err;
    unsigned char *volatile row = NULL;
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = ck_jpeg_error_exit;
    err.pub.emit_message = ck_jpeg_emit_message;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(row);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, length);
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    int cmyk = (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK);
    int inverted = cmyk && cinfo.saw_Adobe_marker;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    if ((int)cinfo.output_width != width || (int)cinfo.output_height != height) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    int channels = cinfo.output_components;
    row = (unsigned char *)malloc((size_t)width * (size_t)channels);
    if (row == NULL) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        int y = (int)cinfo.output_scanline;
        JSAMPROW rows[1] = { row };
        jpeg_read_scanlines(&cinfo, rows, 1);
        uint32_t *out = (uint32_t *)(dst + (size_t)y * (size_t)stride);
        for (int x = 0; x < width; x++) {
            unsigned r, g, b;
            if (channels == 1) {
                r = g = b = row[x];
            } else if (cmyk) {
                unsigned c = row[x * 4], m = row[x * 4 + 1], yy = row[x * 4 + 2], k = row[x * 4 + 3];
                if (!inverted) { c = 255 - c; m = 255 - m; yy = 255 - yy; k = 255 - k; }
                r = c * k / 255; g = m * k / 255; b = yy * k / 255;
            } else {
                r = row[x * 3]; g = row[x * 3 + 1]; b = row[x * 3 + 2];
            }
            out[x] = 0xFF000000u | (r << 16) | (g << 8) | b;
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    return 0;
}

/// Converts straight-alpha BGRA bytes (little-endian ARGB32) into Cairo's premultiplied ARGB32 in place.
static inline void ck_premultiply_argb32(unsigned char *data, int stride, int width, int height) {
    for (int y = 0; y < height; y++) {
        uint32_t *p = (uint32_t *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < width; x++) {
            uint32_t v = p[x];
            unsigned a = v >> 24;
            if (a == 255) continue;
            unsigned r = (v >> 16) & 0xFF, g = (v >> 8) & 0xFF, b = v & 0xFF;
            r = (r * a + 127) / 255; g = (g * a + 127) / 255; b = (b * a + 127) / 255;
            p[x] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }
}

#endif
