// Why this file exists
//
// Cairo 1.16 embeds an OpenType/CFF font by copying the font's whole CFF table into memory and parsing
// it, once per font face per PDF, and then writes the subset with the font's complete subroutine
// indexes. For Noto Sans CJK that table is 16 MB: every document with a few CJK characters paid ~5 ms
// per face for the copy, ~16 MB of file pages per face stayed resident, freed 16 MB buffers stayed in
// malloc's arenas, and each face added ~85 KB to the PDF.
//
// When the font's tables cannot be read, Cairo falls back to its other CFF writer, which builds a
// CID-keyed CFF font from the outlines of just the glyphs the document uses (FreeType reads only those
// charstrings). Same shapes, same widths, same ToUnicode text; only the hints are lost (they sharpen
// stems on low-resolution screens; print and zoomed views do not use them). Cairo has no switch for
// this, so we interpose FreeType's FT_Load_Sfnt_Table in this executable: when *Cairo* asks for a
// table other than cmap of a font whose CFF table is at least `min_cff_bytes` long, the table reads as
// missing. Every other caller and font is passed straight through.
//
// Why every table but cmap: with only CFF hidden, Cairo next tries its TrueType subsetter, which gets
// as far as the missing glyf/loca and leaks ~128 KB per attempt in Cairo 1.16 (measured: one PDF per
// loop grew RSS by 4 KB per iteration); without `head` it gives up at once and nothing leaks. cmap stays
// readable because Cairo maps glyphs back to Unicode through it; without it Cairo walks the whole
// 65,000-entry character map through FreeType for every glyph (10x slower).
//
// The definition below takes precedence over libfreetype's because the executable comes first in the
// dynamic linker's search order; the real function is found with dlsym(RTLD_NEXT).

#define _GNU_SOURCE
#include "ck_render_support.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <string.h>

// FreeType's types, spelled as FreeType defines them (fttypes.h), so that no FreeType headers are needed.
typedef int FT_Error;
typedef unsigned long FT_ULong;
typedef signed long FT_Long;
typedef unsigned char FT_Byte;
typedef struct FT_FaceRec_ *FT_Face;
typedef FT_Error (*load_sfnt_table_fn)(FT_Face, FT_ULong, FT_Long, FT_Byte *, FT_ULong *);

enum {
    tag_cff = ('C' << 24) | ('F' << 16) | ('F' << 8) | ' ',
    tag_cmap = ('c' << 24) | ('m' << 16) | ('a' << 8) | 'p',
    ft_err_table_missing = 0x8E,
    ft_err_unimplemented = 0x07,
};

static _Atomic(load_sfnt_table_fn) real_load_sfnt_table;
static atomic_ulong min_cff_bytes_for_outlines;

void ck_embed_large_cff_fonts_from_outlines(unsigned long min_cff_bytes) {
    atomic_store(&min_cff_bytes_for_outlines, min_cff_bytes);
}

static load_sfnt_table_fn real_function(void) {
    load_sfnt_table_fn real = atomic_load_explicit(&real_load_sfnt_table, memory_order_acquire);
    if (real == NULL) {
        real = (load_sfnt_table_fn)dlsym(RTLD_NEXT, "FT_Load_Sfnt_Table");
        atomic_store_explicit(&real_load_sfnt_table, real, memory_order_release);
    }
    return real;
}

static int is_cairo(const void *code_address) {
    Dl_info info;
    return dladdr(code_address, &info) != 0 && info.dli_fname != NULL && strstr(info.dli_fname, "libcairo") != NULL;
}

FT_Error FT_Load_Sfnt_Table(FT_Face face, FT_ULong tag, FT_Long offset, FT_Byte *buffer, FT_ULong *length) {
    load_sfnt_table_fn real = real_function();
    if (real == NULL) return ft_err_unimplemented;
    unsigned long threshold = atomic_load(&min_cff_bytes_for_outlines);
    if (threshold > 0 && tag != tag_cmap) {
        // The CFF length first: a table-directory lookup, cheaper than asking who the caller is.
        FT_ULong cff_length = 0;
        if (real(face, tag_cff, 0, NULL, &cff_length) == 0 && cff_length >= threshold && is_cairo(__builtin_return_address(0)))
            return ft_err_table_missing;
    }
    return real(face, tag, offset, buffer, length);
}
