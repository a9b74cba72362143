#ifndef CK_RENDER_SUPPORT_H
#define CK_RENDER_SUPPORT_H

/// Fonts whose CFF table is at least `min_cff_bytes` long (the CJK and pan-Unicode families) are embedded
/// by Cairo from their glyph outlines instead of through Cairo's CFF subsetter; 0 turns it off.
/// See font_outline_embedding.c for why.
void ck_embed_large_cff_fonts_from_outlines(unsigned long min_cff_bytes);

/// Adds `niceness` (0–19) to the calling thread's nice value; 0 on success, -1 with errno otherwise.
int ck_lower_current_thread_priority(int niceness);

/// Names the calling thread (at most 15 bytes on Linux); 0 on success.
int ck_name_current_thread(const char *name);

#endif
